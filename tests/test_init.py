"""init writes a starter org that validates, and never overwrites silently."""

from __future__ import annotations

from ruamel.yaml import YAML

from .conftest import ROOT


def test_init_writes_starter_files(run_cli, tmp_path):
    run = run_cli("init", tmp_path / "firm")
    assert run.code == 0
    org = tmp_path / "firm" / "org.yaml"
    assert org.read_text(encoding="utf-8").startswith(
        "# yaml-language-server: $schema="
    )
    assert f"wrote {org}" in run.out
    assert (tmp_path / "firm" / ".pre-commit-config.yaml").exists()


def test_starter_org_validates_strictly(run_cli, tmp_path):
    run_cli("init", tmp_path)
    run = run_cli("validate", "--strict", tmp_path / "org.yaml")
    assert run.code == 0, run.out


def test_starter_org_has_guide_profiles(run_cli, tmp_path):
    run_cli("init", tmp_path)
    payload = run_cli("report", tmp_path / "org.yaml", "--format", "json").json()
    profiles = {profile["id"]: profile for profile in payload["profiles"]}
    labels = sorted(profile["label"] for profile in profiles.values())
    assert labels == [
        "Administrateur",
        "Back-office",
        "Conseiller",
        "Conseiller junior",
        "Manager",
    ]
    manager = next(p for p in profiles.values() if p["label"] == "Manager")["rights"]
    assert manager["administration.module_access"] is False
    assert manager["agenda.view"] == "attached"
    junior = next(p for p in profiles.values() if p["label"] == "Conseiller junior")[
        "rights"
    ]
    assert junior["application.services_module"] is False
    assert junior["agenda.view"] == "own"
    backoffice = next(p for p in profiles.values() if p["label"] == "Back-office")[
        "rights"
    ]
    assert backoffice["portfolio.edit_portfolios"] is False
    assert backoffice["agenda.edit_others"] is False


def test_starter_checks_pass(run_cli, tmp_path):
    run_cli("init", tmp_path)
    run = run_cli("check", tmp_path / "org.yaml", "--today", "2026-12-04")
    assert run.code == 0, run.out


def test_init_keeps_existing_org(run_cli, tmp_path):
    org = tmp_path / "org.yaml"
    org.write_text("mine\n", encoding="utf-8")
    run = run_cli("init", tmp_path)
    assert run.code == 2
    assert f"{org} already exists; pass --force to overwrite it" in run.err
    assert org.read_text(encoding="utf-8") == "mine\n"


def test_init_force_overwrites(run_cli, tmp_path):
    (tmp_path / "org.yaml").write_text("mine\n", encoding="utf-8")
    assert run_cli("init", tmp_path, "--force").code == 0
    assert run_cli("validate", tmp_path / "org.yaml").code == 0


def test_init_prints_hook_when_config_exists(run_cli, tmp_path):
    config = tmp_path / ".pre-commit-config.yaml"
    config.write_text("repos: []\n", encoding="utf-8")
    run = run_cli("init", tmp_path)
    assert run.code == 0
    assert config.read_text(encoding="utf-8") == "repos: []\n"
    assert "o2s-config-validate" in run.out


def test_pre_commit_snippet_names_shipped_hook(tmp_path, run_cli):
    run_cli("init", tmp_path)
    snippet = YAML(typ="safe").load(
        (tmp_path / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    )
    hook_ids = [hook["id"] for repo in snippet["repos"] for hook in repo["hooks"]]
    shipped = YAML(typ="safe").load(
        (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    )
    assert hook_ids == [shipped[0]["id"]]
