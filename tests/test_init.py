"""`o2s-config init`: the starter org file and the pre-commit configuration."""

from __future__ import annotations

import re

import pytest
from ruamel.yaml import YAML

from o2s_config import __version__
from o2s_config.pipeline import compile_path
from o2s_config.starter import PRE_COMMIT_HOOK_ID, STARTER_ORG, pre_commit_config

from .conftest import EXAMPLE, ROOT

GUIDE_PROFILES = ["advisor", "backoffice", "junior", "manager"]


@pytest.fixture
def initialised(tmp_path, run_cli):
    """Run init in an empty folder and return the folder."""
    run = run_cli("init", tmp_path)
    assert run.code == 0, run.err
    return tmp_path


def test_init_writes_both_files(tmp_path, run_cli):
    run = run_cli("init", tmp_path)
    assert run.code == 0
    assert (tmp_path / "org.yaml").read_text(encoding="utf-8") == STARTER_ORG
    pre_commit = (tmp_path / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    assert pre_commit == pre_commit_config()
    assert run.out.splitlines()[:2] == [
        f"wrote {tmp_path / 'org.yaml'}",
        f"wrote {tmp_path / '.pre-commit-config.yaml'}",
    ]
    assert run.err == ""


def test_init_defaults_to_current_folder(tmp_path, run_cli, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run = run_cli("init")
    assert run.code == 0
    assert run.out.startswith("wrote org.yaml\nwrote .pre-commit-config.yaml\n")
    assert (tmp_path / "org.yaml").is_file()
    assert (tmp_path / ".pre-commit-config.yaml").is_file()


def test_init_creates_missing_folder(tmp_path, run_cli):
    folder = tmp_path / "cabinet" / "config"
    assert run_cli("init", folder).code == 0
    assert (folder / "org.yaml").is_file()


def test_init_rejects_existing_org(tmp_path, run_cli):
    org = tmp_path / "org.yaml"
    org.write_text("version: 1\n", encoding="utf-8")
    run = run_cli("init", tmp_path)
    assert run.code == 2
    assert run.err == f"Error: {org} already exists; pass --force to overwrite it\n"
    assert org.read_text(encoding="utf-8") == "version: 1\n"
    assert not (tmp_path / ".pre-commit-config.yaml").exists()


def test_init_force_overwrites_org(tmp_path, run_cli):
    org = tmp_path / "org.yaml"
    org.write_text("version: 1\n", encoding="utf-8")
    assert run_cli("init", tmp_path, "--force").code == 0
    assert org.read_text(encoding="utf-8") == STARTER_ORG


@pytest.mark.parametrize("force", [False, True], ids=["default", "force"])
def test_init_keeps_existing_pre_commit_config(tmp_path, run_cli, force):
    existing = "repos: []\n"
    pre_commit = tmp_path / ".pre-commit-config.yaml"
    pre_commit.write_text(existing, encoding="utf-8")
    run = run_cli("init", tmp_path, *(["--force"] if force else []))
    assert run.code == 0
    assert pre_commit.read_text(encoding="utf-8") == existing
    assert f"{pre_commit} already exists; add this hook to it:\n" in run.out
    assert pre_commit_config() in run.out
    assert (tmp_path / "org.yaml").read_text(encoding="utf-8") == STARTER_ORG


def test_init_folder_is_a_file(tmp_path, run_cli):
    path = tmp_path / "org"
    path.write_text("", encoding="utf-8")
    assert run_cli("init", path).code == 2


def test_init_org_named_folder(tmp_path, run_cli):
    (tmp_path / "org.yaml").mkdir()
    run = run_cli("init", tmp_path, "--force")
    assert run.code == 2
    assert "is a folder" in run.err


# The starter org


def test_starter_validates_strictly(initialised, run_cli):
    run = run_cli("validate", "--strict", initialised / "org.yaml")
    assert run.code == 0
    assert run.out == f"{initialised / 'org.yaml'}: valid\n"


def test_starter_checks_pass(initialised, run_cli):
    run = run_cli("check", initialised / "org.yaml", "--today", "2026-01-05")
    assert run.code == 0
    lines = run.out.splitlines()
    assert [line for line in lines if line.startswith("FAIL")] == []
    passed = [
        line for line in lines if line.startswith("PASS") and "policy" not in line
    ]
    assert len(passed) == 4
    assert lines[-1].startswith("checks: 4 passed, 0 failed; policies:")


def test_starter_is_formatted(initialised, run_cli):
    run = run_cli("fmt", "--check", initialised / "org.yaml")
    assert run.code == 0
    assert run.out == f"{initialised / 'org.yaml'}: already formatted\n"


def test_starter_profiles_match_example(initialised):
    """The starter's profiles resolve to the rights of examples/org.yaml."""
    starter = compile_path(initialised / "org.yaml").org
    example = compile_path(EXAMPLE).org
    assert starter is not None
    assert example is not None
    assert sorted(set(starter.profiles) - {"administrator"}) == GUIDE_PROFILES
    for profile_id in GUIDE_PROFILES:
        assert starter.profiles[profile_id].values() == (
            example.profiles[profile_id].values()
        ), profile_id


def test_starter_junior_has_one_year_tenure():
    org = YAML(typ="safe").load(STARTER_ORG)
    assert org["profiles"]["junior"]["max_tenure_days"] == 365


def test_starter_points_at_schema():
    lines = STARTER_ORG.splitlines()
    assert lines[0] == "# yaml-language-server: $schema=schemas/org.schema.json"
    assert "o2s-config schema -o schemas" in STARTER_ORG


def test_starter_schema_path_matches_schema_command(initialised, run_cli, monkeypatch):
    monkeypatch.chdir(initialised)
    assert run_cli("schema", "-o", "schemas").code == 0
    assert (initialised / "schemas" / "org.schema.json").is_file()


# The pre-commit configuration


def test_pre_commit_hook_is_declared_by_repository():
    hooks = YAML(typ="safe").load(
        (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    )
    assert PRE_COMMIT_HOOK_ID in [hook["id"] for hook in hooks]


def test_pre_commit_config_uses_hook(initialised):
    config = YAML(typ="safe").load(
        (initialised / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    )
    [repository] = config["repos"]
    assert repository["rev"] == f"v{__version__}"
    assert repository["hooks"] == [{"id": PRE_COMMIT_HOOK_ID}]


def test_pre_commit_hook_matches_org_file_name():
    hooks = YAML(typ="safe").load(
        (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    )
    [hook] = [hook for hook in hooks if hook["id"] == PRE_COMMIT_HOOK_ID]
    assert re.search(hook["files"], "org.yaml")


def test_init_help_names_options(run_cli):
    run = run_cli("init", "--help")
    assert run.code == 0
    assert "--force" in run.out
    assert "[DIR]" in run.out
