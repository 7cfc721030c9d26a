"""Multi-file orgs: include, confinement to the org's folder, and git revisions."""

from __future__ import annotations

import os

import pytest

from o2s_config.pipeline import compile_path

from .conftest import commit_all

MAIN = """\
version: 1
include: [profiles.yaml, agences/*.yaml]
establishment: {name: Réseau Exemple, contact_email: contact@reseau.fr}
structures: [Siège]
users:
  - {login: admin, first_name: Anne, last_name: Admin, email: admin@reseau.fr, structure: Siège, profile: administrator}
"""
PROFILES = """\
profiles:
  advisor:
    label: Conseiller
    base: all
    deny: [administration.module_access]
    scopes: {agenda.view: group}
"""
LYON = """\
structures: [Lyon]
users:
  - {login: lyon1, first_name: Léa, last_name: Lyon, email: lyon1@reseau.fr, structure: Lyon, profile: advisor, manager: admin}
"""
PARIS = """\
structures: [Paris]
users:
  - {login: paris1, first_name: Paul, last_name: Paris, email: paris1@reseau.fr, structure: Paris, profile: advisor, manager: admin}
"""


@pytest.fixture
def network(tmp_path):
    (tmp_path / "agences").mkdir()
    (tmp_path / "org.yaml").write_text(MAIN, encoding="utf-8")
    (tmp_path / "profiles.yaml").write_text(PROFILES, encoding="utf-8")
    (tmp_path / "agences" / "lyon.yaml").write_text(LYON, encoding="utf-8")
    (tmp_path / "agences" / "paris.yaml").write_text(PARIS, encoding="utf-8")
    return tmp_path


def _lines(result):
    return [f"{d.location}: {d.code} {d.message}" for d in result.diagnostics]


def test_include_merges_files(network):
    result = compile_path(network / "org.yaml", display_name="org.yaml")
    assert _lines(result) == []
    org = result.org
    assert sorted(org.users) == ["admin", "lyon1", "paris1"]
    assert org.structures == ["Siège", "Lyon", "Paris"]
    assert org.profiles["advisor"].rights["administration.module_access"].value is False
    assert org.visibility("lyon1", "agenda.view").logins() == ["lyon1", "paris1"]


def test_diagnostic_names_included_file(network):
    (network / "agences" / "paris.yaml").write_text(
        PARIS.replace("profile: advisor", "profile: advisr"), encoding="utf-8"
    )
    result = compile_path(network / "org.yaml", display_name="org.yaml")
    assert _lines(result) == [
        "agences/paris.yaml:3:109: R001 unknown profile 'advisr' for users[login=paris1]"
    ]


def test_duplicate_across_files_names_both(network):
    (network / "agences" / "paris.yaml").write_text(
        PARIS.replace("login: paris1", "login: lyon1"), encoding="utf-8"
    )
    result = compile_path(network / "org.yaml", display_name="org.yaml")
    assert _lines(result) == [
        "agences/paris.yaml:3:13: R005 duplicate login 'lyon1'; it is first used at "
        "agences/lyon.yaml:3"
    ]


def test_duplicate_structure_across_files(network):
    (network / "agences" / "paris.yaml").write_text(
        PARIS.replace("structures: [Paris]", "structures: [Paris, Lyon]"),
        encoding="utf-8",
    )
    result = compile_path(network / "org.yaml", display_name="org.yaml")
    assert _lines(result) == [
        "agences/paris.yaml:1:21: R020 duplicate structure 'Lyon'; it is first listed at "
        "agences/lyon.yaml:1"
    ]


def test_included_file_keeps_to_its_sections(network):
    (network / "profiles.yaml").write_text("version: 1\n" + PROFILES, encoding="utf-8")
    result = compile_path(network / "org.yaml", display_name="org.yaml")
    assert _lines(result) == [
        "profiles.yaml:1:1: M001 unknown field 'version' in an included file; included "
        "files hold only structures, rights, profiles, users, checks"
    ]


def test_parent_folder_escape_rejected(network):
    (network.parent / "secret.yaml").write_text(PROFILES, encoding="utf-8")
    text = MAIN.replace("[profiles.yaml, agences/*.yaml]", "[../secret.yaml]")
    (network / "org.yaml").write_text(text, encoding="utf-8")
    result = compile_path(network / "org.yaml", display_name="org.yaml")
    assert _lines(result)[0] == (
        "org.yaml:2:11: Y012 include '../secret.yaml' names a path outside the org "
        "file's folder"
    )


def test_absolute_path_rejected(network):
    text = MAIN.replace(
        "[profiles.yaml, agences/*.yaml]", f"[{network / 'profiles.yaml'}]"
    )
    (network / "org.yaml").write_text(text, encoding="utf-8")
    result = compile_path(network / "org.yaml", display_name="org.yaml")
    assert "Y012" in _lines(result)[0]


def test_link_outside_rejected(network, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside") / "users.yaml"
    outside.write_text(LYON.replace("lyon1", "spy1"), encoding="utf-8")
    os.symlink(outside, network / "agences" / "spy.yaml")
    result = compile_path(network / "org.yaml", display_name="org.yaml")
    assert _lines(result) == [
        f"org.yaml:2:26: Y012 include 'agences/*.yaml' names a link to {outside.resolve()} "
        "outside the org file's folder"
    ]


def test_link_inside_allowed(network):
    os.symlink(network / "profiles.yaml", network / "profiles-link.yaml")
    text = MAIN.replace("[profiles.yaml,", "[profiles-link.yaml,")
    (network / "org.yaml").write_text(text, encoding="utf-8")
    result = compile_path(network / "org.yaml", display_name="org.yaml")
    assert _lines(result) == []


def test_same_file_twice_read_once(network):
    text = MAIN.replace("agences/*.yaml]", "agences/*.yaml, agences/lyon.yaml]")
    (network / "org.yaml").write_text(text, encoding="utf-8")
    result = compile_path(network / "org.yaml", display_name="org.yaml")
    assert _lines(result) == []


def test_invalid_included_file_reported(network):
    (network / "agences" / "lyon.yaml").write_text("users: [\n", encoding="utf-8")
    result = compile_path(network / "org.yaml", display_name="org.yaml")
    assert _lines(result)[0].startswith("agences/lyon.yaml:2:1: Y001 YAML syntax error")


def test_diff_reads_includes_from_revision(run_cli, network, monkeypatch):
    commit_all(network, "base")
    (network / "agences" / "lyon.yaml").write_text(
        LYON.replace("manager: admin", "manager: paris1"), encoding="utf-8"
    )
    monkeypatch.chdir(network)

    run = run_cli("diff", "HEAD:org.yaml", "org.yaml", "--format", "json")
    assert run.code == 0, run.err
    changes = run.json()["changes"]
    [move] = [c for c in changes if c["kind"] == "manager_changed"]
    assert (move["subject"], move["old"], move["new"]) == ("lyon1", "admin", "paris1")
    assert (
        run_cli("diff", "HEAD:org.yaml", "HEAD:./org.yaml", "--fail-on", "any").code
        == 0
    )


def test_revision_include_confined(run_cli, network, monkeypatch):
    os.symlink("../profiles.yaml", network / "agences" / "link.yaml")
    commit_all(network, "base")
    monkeypatch.chdir(network)

    run = run_cli("diff", "HEAD:org.yaml", "org.yaml")
    assert run.code == 1
    assert (
        "error Y012 include 'agences/*.yaml' names the symbolic link agences/link.yaml, "
        "which is not followed when reading a git revision"
    ) in run.err
