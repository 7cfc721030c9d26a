"""The command line: exit codes, output formats and error handling."""

from __future__ import annotations

import json
import os

import pytest

from o2s_config import cli

from .conftest import EXAMPLE

INVALID_ORG = """\
version: 1
establishment: {name: Cabinet Test, contact_email: contact@test.fr}
profiles:
  advisor: {label: Conseiller, base: all}
users:
  - {login: admin, first_name: Ana, last_name: Dupont, email: a@test.fr, profile: administrator}
  - {login: jleroy, first_name: Julie, last_name: Leroy, email: j@test.fr, profile: advisr}
"""


@pytest.fixture
def invalid_org(tmp_path):
    path = tmp_path / "org.yaml"
    path.write_text(INVALID_ORG, encoding="utf-8")
    return path


def test_validate_reports_line_and_hint(run_cli, invalid_org):
    run = run_cli("validate", invalid_org)
    assert run.code == 1
    lines = run.out.splitlines()
    assert (
        lines[0]
        == f"{invalid_org}:7:85: error R001 unknown profile 'advisr' for users[login=jleroy]"
    )
    assert lines[1] == "  hint: did you mean 'advisor'?"
    assert lines[2] == f"{invalid_org}: invalid, 1 error, 0 warnings"


def test_validate_json_format(run_cli, invalid_org):
    run = run_cli("validate", invalid_org, "--format", "json")
    assert run.code == 1
    payload = run.json()
    assert payload["valid"] is False
    assert payload["errors"] == 1
    [diagnostic] = payload["diagnostics"]
    assert diagnostic["code"] == "R001"
    assert diagnostic["line"] == 7
    assert diagnostic["path"] == "users[login=jleroy].profile"
    assert diagnostic["hint"] == "did you mean 'advisor'?"


def test_validate_strict_fails_on_warnings(run_cli, tmp_path):
    path = tmp_path / "org.yaml"
    text = INVALID_ORG.replace("profile: advisr", "profile: advisor").replace(
        "base: all}", "base: all, validated: false}"
    )
    path.write_text(text, encoding="utf-8")
    assert run_cli("validate", path).code == 0
    strict = run_cli("validate", path, "--strict")
    assert strict.code == 1
    assert " warning R015 " in strict.out


def test_missing_file_is_usage_error(run_cli, tmp_path):
    run = run_cli("validate", tmp_path / "absent.yaml")
    assert run.code == 2
    assert run.err == f"error: {tmp_path / 'absent.yaml'}: file not found\n"
    assert "Traceback" not in run.err


def test_folder_is_usage_error(run_cli, tmp_path):
    run = run_cli("report", tmp_path)
    assert run.code == 2
    assert "is a folder, not an org file" in run.err


def test_unknown_option_is_usage_error(run_cli):
    run = run_cli("validate", EXAMPLE, "--format", "xml")
    assert run.code == 2
    assert "Invalid value for '--format'" in run.err


def test_report_of_invalid_org_writes_nothing(run_cli, invalid_org, tmp_path):
    output = tmp_path / "report.md"
    run = run_cli("report", invalid_org, "-o", output)
    assert run.code == 1
    assert "error R001" in run.err
    assert not output.exists()


def test_report_output_file_replaces_previous(run_cli, tmp_path):
    output = tmp_path / "report.json"
    output.write_text("old", encoding="utf-8")
    run = run_cli("report", EXAMPLE, "--format", "json", "-o", output)
    assert run.code == 0
    assert run.out == ""
    assert json.loads(output.read_text(encoding="utf-8"))["format_version"] == 1
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_report_failed_write_keeps_previous(run_cli, tmp_path, monkeypatch):
    from o2s_config.emit import json_report

    output = tmp_path / "report.json"
    output.write_text("previous report", encoding="utf-8")

    def broken(org, login):
        raise RuntimeError("renderer failed")

    monkeypatch.setattr(json_report, "_user", broken)
    run = run_cli("report", EXAMPLE, "--format", "json", "-o", output)
    assert run.code == 3
    assert output.read_text(encoding="utf-8") == "previous report"


def test_internal_error_is_one_line(run_cli, monkeypatch):
    def crash(*args, **kwargs):
        raise KeyError("boom")

    monkeypatch.setattr(cli, "compile_path", crash)
    run = run_cli("validate", EXAMPLE)
    assert run.code == 3
    assert run.err.startswith("internal error: KeyError: 'boom'\n")
    assert "Traceback" not in run.err


def test_internal_error_traceback_with_verbose(run_cli, monkeypatch, capsys):
    def crash(*args, **kwargs):
        raise KeyError("boom")

    monkeypatch.setattr(cli, "compile_path", crash)
    run = run_cli("-v", "validate", EXAMPLE)
    assert run.code == 3
    assert "Traceback" in run.err


def test_no_colour_when_not_a_tty(run_cli, invalid_org):
    run = run_cli("validate", invalid_org)
    assert "\033[" not in run.out


def test_colour_honours_no_color(monkeypatch):
    class Terminal:
        def isatty(self):
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    assert cli._use_colour(Terminal())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not cli._use_colour(Terminal())


def test_rights_lists_catalogue(run_cli):
    run = run_cli("rights")
    assert run.code == 0
    assert "agenda.view" in run.out
    assert "Voir les agendas [scope: own < attached < group < all; guide]" in run.out


def test_rights_json(run_cli):
    run = run_cli("rights", "--format", "json")
    keys = [right["key"] for right in run.json()]
    assert "administration.module_access" in keys
    assert len(keys) == 16


def test_version(run_cli):
    run = run_cli("--version")
    assert run.code == 0
    assert run.out.startswith("o2s-config, version ")


def test_limits_options(run_cli):
    run = run_cli("validate", EXAMPLE, "--max-bytes", "100")
    assert run.code == 1
    assert "error Y006 file is" in run.out


def test_schema_check_detects_drift(run_cli, tmp_path):
    assert run_cli("schema", "-o", tmp_path).code == 0
    assert run_cli("schema", "-o", tmp_path, "--check").code == 0
    (tmp_path / "org.schema.json").write_text("{}", encoding="utf-8")
    run = run_cli("schema", "-o", tmp_path, "--check")
    assert run.code == 1
    assert "org.schema.json: out of date" in run.out


def test_module_entry_point(tmp_path):
    import subprocess
    import sys

    completed = subprocess.run(
        [sys.executable, "-m", "o2s_config", "validate", str(EXAMPLE)],
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
        check=False,
    )
    assert completed.returncode == 0
    assert completed.stdout.endswith("valid\n")
