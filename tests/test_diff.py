"""The semantic diff, on two versions of an org committed to a real git repository."""

from __future__ import annotations

import json

import jsonschema
import pytest

from o2s_config.diff import diff_orgs
from o2s_config.pipeline import compile_bytes
from o2s_config.schema import diff_schema

from .conftest import EXAMPLE, commit_all

BASE = """\
version: 1
establishment:
  name: Cabinet Test
  contact_email: contact@test.fr
  legal: {share_capital: 50000}
profiles:
  manager:
    label: Manager
    base: all
    deny: [administration.module_access]
    scopes: {agenda.view: attached, contacts.client_access: attached}
  advisor:
    label: Conseiller
    base: all
    deny: [administration.module_access, administration.subscription_access]
    scopes: {agenda.view: group, contacts.client_access: group}
  junior:
    label: Conseiller junior
    base: advisor
    deny: [application.services_module, contacts.edit]
    scopes: {agenda.view: own}
users:
  - {login: admin, first_name: Ana, last_name: Admin, email: admin@test.fr, profile: administrator}
  - {login: boss1, first_name: Bea, last_name: Un, email: boss1@test.fr, profile: manager}
  - {login: boss2, first_name: Carl, last_name: Deux, email: boss2@test.fr, profile: manager}
  - {login: adv1, first_name: Dan, last_name: Adv, email: adv1@test.fr, profile: advisor, manager: boss1}
  - {login: adv2, first_name: Eve, last_name: Adv, email: adv2@test.fr, profile: advisor, manager: boss1}
  - {login: jun1, first_name: Fay, last_name: Jun, email: jun1@test.fr, profile: junior, manager: adv1}
"""


@pytest.fixture
def repo(tmp_path, monkeypatch):
    (tmp_path / "org.yaml").write_text(BASE, encoding="utf-8")
    commit_all(tmp_path, "base")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _commit(repo, text):
    (repo / "org.yaml").write_text(text, encoding="utf-8")
    commit_all(repo, "head")


def _diff_json(run_cli, *args):
    run = run_cli("diff", "HEAD~1:org.yaml", "HEAD:org.yaml", "--format", "json", *args)
    assert run.code in (0, 1), run.err
    payload = run.json()
    jsonschema.Draft202012Validator(diff_schema()).validate(payload)
    return payload["changes"]


def _find(changes, **fields):
    return [c for c in changes if all(c.get(k) == v for k, v in fields.items())]


def test_same_org_has_no_changes(run_cli, repo):
    run = run_cli("diff", "org.yaml", "HEAD:org.yaml", "--fail-on", "any")
    assert run.code == 0
    assert run.out.endswith(
        "no changes in effective rights, visibility or the establishment\n"
    )


def test_establishment_field_change(run_cli, repo):
    _commit(repo, BASE.replace("share_capital: 50000", "share_capital: 80000"))
    changes = _diff_json(run_cli)
    assert changes == [
        {
            "category": "establishment",
            "kind": "field_changed",
            "subject": "",
            "classification": "neutral",
            "key": "legal.share_capital",
            "old": 50000,
            "new": 80000,
        }
    ]


def test_deny_in_base_profile_narrows_its_users(run_cli, repo):
    _commit(
        repo,
        BASE.replace(
            "deny: [administration.module_access, administration.subscription_access]",
            "deny: [administration.module_access, administration.subscription_access, "
            "application.commissions]",
        ),
    )
    changes = _diff_json(run_cli)
    profile_changes = _find(changes, category="profile", key="application.commissions")
    assert [(c["subject"], c["classification"]) for c in profile_changes] == [
        ("advisor", "narrow"),
        ("junior", "narrow"),
    ]
    users = _find(
        changes, category="user", kind="right_lost", key="application.commissions"
    )
    assert [c["subject"] for c in users] == ["adv1", "adv2", "jun1"]
    assert all(c["classification"] == "narrow" for c in changes)


def test_scope_widening_classified_by_order(run_cli, repo):
    _commit(
        repo, BASE.replace("scopes: {agenda.view: own}", "scopes: {agenda.view: group}")
    )
    changes = _diff_json(run_cli)
    [profile] = _find(changes, category="profile", key="agenda.view")
    assert (profile["old"], profile["new"], profile["classification"]) == (
        "own",
        "group",
        "widen",
    )
    [scope] = _find(changes, category="user", kind="scope_changed")
    assert (scope["subject"], scope["classification"]) == ("jun1", "widen")
    assert (
        run_cli("diff", "HEAD~1:org.yaml", "HEAD:org.yaml", "--fail-on", "widen").code
        == 1
    )
    assert (
        run_cli("diff", "HEAD:org.yaml", "HEAD~1:org.yaml", "--fail-on", "widen").code
        == 0
    )


def test_scope_to_all_lists_new_users(run_cli, repo):
    _commit(
        repo,
        BASE.replace(
            "scopes: {agenda.view: group, contacts.client_access: group}",
            "scopes: {agenda.view: all, contacts.client_access: group}",
        ),
    )
    changes = _diff_json(run_cli)
    [seen] = _find(
        changes, kind="visibility_widened", subject="adv1", key="agenda.view"
    )
    assert seen["gained"] == ["admin", "boss1", "boss2"]
    assert (seen["old"], seen["new"]) == ("group", "all")
    assert not _find(changes, kind="visibility_widened", subject="jun1")


def test_manager_move_widens_and_narrows(run_cli, repo):
    _commit(
        repo,
        BASE.replace(
            "profile: advisor, manager: boss1}\n  - {login: adv2",
            "profile: advisor, manager: boss2}\n  - {login: adv2",
        ),
    )
    changes = _diff_json(run_cli)
    [move] = _find(changes, kind="manager_changed")
    assert (move["subject"], move["old"], move["new"]) == ("adv1", "boss1", "boss2")
    assert move["classification"] == "neutral"
    [gain] = _find(
        changes,
        kind="visibility_widened",
        subject="boss2",
        key="contacts.client_access",
    )
    assert gain["gained"] == ["adv1", "jun1"]
    [loss] = _find(
        changes,
        kind="visibility_narrowed",
        subject="boss1",
        key="contacts.client_access",
    )
    assert loss["lost"] == ["adv1", "jun1"]
    [sibling] = _find(
        changes, kind="visibility_narrowed", subject="adv2", key="agenda.view"
    )
    assert sibling["lost"] == ["adv1"]


def test_user_added_removed_deactivated(run_cli, repo):
    head = BASE.replace(
        "  - {login: jun1, first_name: Fay, last_name: Jun, email: jun1@test.fr, profile: junior, manager: adv1}\n",
        "  - {login: jun2, first_name: Gus, last_name: Jun, email: jun2@test.fr, profile: junior, manager: boss2}\n",
    ).replace(
        "profile: advisor, manager: boss1}\n  - {login: adv2",
        "profile: advisor, manager: boss1, active: false}\n  - {login: adv2",
    )
    _commit(repo, head)
    changes = _diff_json(run_cli)
    assert _find(changes, kind="added", subject="jun2")[0]["classification"] == "widen"
    assert (
        _find(changes, kind="removed", subject="jun1")[0]["classification"] == "narrow"
    )
    [off] = _find(changes, kind="deactivated")
    assert (off["subject"], off["classification"]) == ("adv1", "narrow")
    [gain] = _find(
        changes, kind="visibility_widened", subject="boss2", key="agenda.view"
    )
    assert gain["gained"] == ["jun2"]
    [loss] = _find(
        changes, kind="visibility_narrowed", subject="boss1", key="agenda.view"
    )
    assert loss["lost"] == ["jun1"]


def test_profile_change_of_user(run_cli, repo):
    _commit(
        repo,
        BASE.replace(
            "profile: junior, manager: adv1", "profile: advisor, manager: adv1"
        ),
    )
    changes = _diff_json(run_cli)
    [switch] = _find(changes, kind="profile_changed")
    assert (switch["subject"], switch["old"], switch["new"]) == (
        "jun1",
        "junior",
        "advisor",
    )
    gained = _find(changes, kind="right_gained", subject="jun1")
    assert sorted(c["key"] for c in gained) == [
        "agenda.edit_others",
        "application.services_module",
        "contacts.edit",
    ]
    assert all(c["classification"] == "widen" for c in gained)


def test_profile_added_removed_label_validated(run_cli, repo):
    head = BASE.replace(
        "label: Conseiller junior", "label: Junior\n    validated: false"
    ).replace(
        "users:",
        "  backoffice:\n    label: Back-office\n    base: advisor\nusers:",
    )
    _commit(repo, head)
    changes = _diff_json(run_cli)
    assert _find(changes, kind="added", category="profile") == [
        {
            "category": "profile",
            "kind": "added",
            "subject": "backoffice",
            "classification": "neutral",
        }
    ]
    [label] = _find(changes, kind="label_changed")
    assert (label["old"], label["new"]) == ("Conseiller junior", "Junior")
    [validated] = _find(changes, kind="validated_changed")
    assert (validated["old"], validated["new"]) == (True, False)


def test_diff_is_symmetric_on_example():
    base = EXAMPLE.read_bytes()
    head = base.replace(b"    manager: mgarnier", b"    manager: adubois").replace(
        b"      - portfolio.*\n", b""
    )
    old = compile_bytes(base, "base").org
    new = compile_bytes(head, "head").org
    forward = diff_orgs(old, new).changes
    backward = diff_orgs(new, old).changes
    widened = {
        (c.subject, c.key, c.kind) for c in forward if c.classification == "widen"
    }
    narrowed = {
        (c.subject, c.key, c.kind) for c in backward if c.classification == "narrow"
    }
    flip = {"visibility_widened": "visibility_narrowed", "right_gained": "right_lost"}
    assert {(s, k, flip.get(kind, kind)) for s, k, kind in widened} == narrowed
    assert forward and widened


def test_markdown_summary_then_details(run_cli, repo):
    _commit(
        repo, BASE.replace("scopes: {agenda.view: own}", "scopes: {agenda.view: group}")
    )
    run = run_cli("diff", "HEAD~1:org.yaml", "HEAD:org.yaml", "--format", "markdown")
    lines = run.out.splitlines()
    assert lines[0] == "### o2s-config: `HEAD~1:org.yaml` → `HEAD:org.yaml`"
    assert lines[2] == "| | count |"
    assert "| Changes that widen access | 4 |" in lines
    assert "<details><summary>Users (1)</summary>" in lines
    assert "- **widen** agenda.view (Voir les agendas): own → group" in lines


def test_markdown_stays_short_on_large_org(run_cli, tmp_path):
    users = "".join(
        f"  - {{login: u{i}, first_name: U, last_name: N{i}, email: u{i}@test.fr, "
        f"profile: advisor, manager: boss1}}\n"
        for i in range(1000)
    )
    base = tmp_path / "base.yaml"
    head = tmp_path / "head.yaml"
    base.write_text(BASE + users, encoding="utf-8")
    head.write_text(
        BASE.replace("application.services_module, ", "") + users, encoding="utf-8"
    )
    run = run_cli("diff", base, head, "--format", "markdown")
    assert run.code == 0
    assert len(run.out) < 60_000
    assert "| Users affected | 1 |" in run.out


def test_missing_revision_is_usage_error(run_cli, repo):
    run = run_cli("diff", "nope:org.yaml", "org.yaml")
    assert run.code == 2
    assert run.err.startswith("error: nope:org.yaml: cannot read from git:")


def test_missing_path_in_revision_is_usage_error(run_cli, repo):
    run = run_cli("diff", "HEAD:absent.yaml", "org.yaml")
    assert run.code == 2
    assert "absent.yaml" in run.err


def test_invalid_side_reports_diagnostics(run_cli, repo):
    (repo / "org.yaml").write_text(
        BASE.replace("profile: junior", "profile: junor"), encoding="utf-8"
    )
    run = run_cli("diff", "HEAD:org.yaml", "org.yaml")
    assert run.code == 1
    assert "error R001 unknown profile 'junor'" in run.err


def test_diff_output_file(run_cli, repo):
    run = run_cli(
        "diff", "HEAD:org.yaml", "org.yaml", "--format", "json", "-o", "diff.json"
    )
    assert run.code == 0
    assert json.loads((repo / "diff.json").read_text(encoding="utf-8"))["changes"] == []
