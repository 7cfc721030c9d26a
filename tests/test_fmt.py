"""`o2s-config fmt`: canonical layout that keeps comments and the compiled result."""

from __future__ import annotations

import json
import os
import re
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from o2s_config import cli
from o2s_config.emit.json_report import build_report
from o2s_config.formatter import format_bytes, format_text
from o2s_config.pipeline import compile_bytes, compile_path

from .conftest import CASES, EXAMPLE
from .strategies import Org, orgs, to_yaml

LIST_INDEX = re.compile(r"\[\d+\]")
VALID_CASES = sorted((CASES / "valid").glob("*.yaml"))
FORMATTED_FILES = [*VALID_CASES, EXAMPLE]

UNORDERED_ORG = """\
# yaml-language-server: $schema=schemas/org.schema.json
users:
  # The firm's only administrator.
  - profile: administrator
    email: a.martin@cabinet.fr
    login: amartin  # the login O2S shows
    last_name: Martin
    first_name: Anne
  - {profile: junior, manager: amartin, login: jleroy, first_name: Julie, last_name: Leroy, email: j.leroy@cabinet.fr}

profiles:
  # Juniors lose the Services module and queries.
  junior:
    deny: [requests.*, application.services_module]
    base: all
    label: Conseiller junior
establishment:
  legal:
    siren: 732 829 320
    form: SAS
  contact_email: contact@cabinet.fr
  name: Cabinet Exemple
version: 1
"""

FORMATTED_ORG = """\
# yaml-language-server: $schema=schemas/org.schema.json
version: 1
establishment:
  name: Cabinet Exemple
  contact_email: contact@cabinet.fr
  legal:
    form: SAS
    siren: "732 829 320"

profiles:
  # Juniors lose the Services module and queries.
  junior:
    label: Conseiller junior
    base: all
    deny: [application.services_module, requests.*]
users:
  # The firm's only administrator.
  - login: amartin  # the login O2S shows
    first_name: Anne
    last_name: Martin
    email: a.martin@cabinet.fr
    profile: administrator
  - {login: jleroy, first_name: Julie, last_name: Leroy, email: j.leroy@cabinet.fr, profile: junior, manager: amartin}
"""


def comparable_report(path: Path) -> dict[str, Any]:
    """Build the JSON report of an org, without its source name and positions."""
    result = compile_path(path)
    assert result.org is not None, [d.message for d in result.diagnostics]
    return _without_positions(build_report(result.org))


def _without_positions(report: dict[str, Any]) -> dict[str, Any]:
    """Drop the source name, and the file, line, column and list indexes of diagnostics.

    Sorting allow and deny changes the index in `profiles.junior.deny[3]`, and
    the report lists diagnostics by position, so they are compared sorted.
    """
    report = dict(report)
    del report["source"]
    diagnostics = [
        {
            key: LIST_INDEX.sub("[]", value) if isinstance(value, str) else value
            for key, value in diagnostic.items()
            if key not in ("file", "line", "column")
        }
        for diagnostic in report["diagnostics"]
    ]
    report["diagnostics"] = sorted(diagnostics, key=json.dumps)
    return report


def comments(text: str) -> Counter[str]:
    """Count the comments of a YAML text whose values contain no '#'."""
    found: Counter[str] = Counter()
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            found[stripped] += 1
        elif " #" in line:
            found[line.split(" #", 1)[1].strip()] += 1
    return found


@pytest.fixture
def copied(tmp_path):
    """Copy the valid cases and the example, so includes resolve in the copy."""
    shutil.copytree(CASES / "valid", tmp_path / "valid")
    shutil.copy(EXAMPLE, tmp_path / "org.yaml")

    def path_of(original: Path) -> Path:
        if original == EXAMPLE:
            return tmp_path / "org.yaml"
        return tmp_path / "valid" / original.name

    return path_of


def write(tmp_path: Path, text: str, name: str = "org.yaml") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


# Every valid case and the example


@pytest.mark.parametrize("original", FORMATTED_FILES, ids=lambda p: p.name)
def test_fmt_keeps_compiled_result(run_cli, copied, original):
    path = copied(original)
    run = run_cli("fmt", path)
    assert run.code == 0, run.err
    assert comparable_report(path) == comparable_report(original)


@pytest.mark.parametrize("original", FORMATTED_FILES, ids=lambda p: p.name)
def test_fmt_keeps_comments(run_cli, copied, original):
    path = copied(original)
    run_cli("fmt", path)
    before = original.read_bytes().decode("utf-8-sig")
    after = path.read_bytes().decode("utf-8-sig")
    assert comments(after) == comments(before)


@pytest.mark.parametrize("original", FORMATTED_FILES, ids=lambda p: p.name)
def test_fmt_is_idempotent(run_cli, copied, original):
    path = copied(original)
    assert run_cli("fmt", path).code == 0
    once = path.read_bytes()

    second = run_cli("fmt", path)
    assert second.code == 0
    assert second.out == f"{path}: already formatted\n"
    assert path.read_bytes() == once
    assert run_cli("fmt", "--check", path).code == 0


@pytest.mark.parametrize("original", FORMATTED_FILES, ids=lambda p: p.name)
def test_fmt_output_has_no_trailing_spaces(copied, original):
    path = copied(original)
    formatted = format_bytes(path.read_bytes(), str(path)).formatted
    for number, line in enumerate(formatted.splitlines(), start=1):
        assert line == line.rstrip(), f"line {number}: {line!r}"


# Layout


def test_fmt_orders_keys_and_moves_comments(tmp_path, run_cli):
    path = write(tmp_path, UNORDERED_ORG)
    run = run_cli("fmt", path)
    assert run.code == 0, run.err
    assert run.out == f"{path}: formatted\n"
    assert path.read_text(encoding="utf-8") == FORMATTED_ORG


def test_fmt_top_level_follows_model(tmp_path):
    text = (
        "policies: {unused_profile: {enabled: false}}\n"
        "checks: []\n"
        "users:\n"
        "  - {login: admin, first_name: A, last_name: B, email: a@b.fr, profile: administrator}\n"
        "profiles: {}\n"
        "rights: []\n"
        "structures: []\n"
        "establishment: {name: X, contact_email: x@b.fr}\n"
        "version: 1\n"
    )
    formatted = format_text(text)
    keys = [line.split(":")[0] for line in formatted.splitlines() if line[0] != " "]
    assert keys == [
        "version",
        "establishment",
        "structures",
        "rights",
        "profiles",
        "users",
        "checks",
        "policies",
    ]


def test_fmt_sorts_block_lists_with_their_comments():
    text = (
        "version: 1\n"
        "establishment: {name: X, contact_email: x@b.fr}\n"
        "profiles:\n"
        "  p:\n"
        "    label: P\n"
        "    allow:\n"
        "    - requests.manage  # queries\n"
        "    # imports\n"
        "    - administration.import_contacts\n"
        "users:\n"
        "- {login: admin, first_name: A, last_name: B, email: a@b.fr, profile: administrator}\n"
    )
    formatted = format_text(text)
    # An end-of-line comment keeps its column when the line still fits, so
    # the 2 more columns of indentation leave one space before it here.
    assert (
        "    allow:\n"
        "      # imports\n"
        "      - administration.import_contacts\n"
        "      - requests.manage # queries\n"
    ) in formatted
    assert "users:\n  - {login: admin," in formatted


def test_fmt_reindents_to_two_spaces():
    text = (
        "version: 1\n"
        "establishment:\n"
        "    name: X\n"
        "    contact_email: x@b.fr\n"
        "users:\n"
        "-   login: admin\n"
        "    first_name: A\n"
        "    last_name: B\n"
        "    email: a@b.fr\n"
        "    profile: administrator\n"
    )
    assert format_text(text) == (
        "version: 1\n"
        "establishment:\n"
        "  name: X\n"
        "  contact_email: x@b.fr\n"
        "users:\n"
        "  - login: admin\n"
        "    first_name: A\n"
        "    last_name: B\n"
        "    email: a@b.fr\n"
        "    profile: administrator\n"
    )


def test_fmt_quotes_digit_identifiers_only():
    text = (
        "version: 1\n"
        "establishment:\n"
        "  name: X\n"
        "  contact_email: x@b.fr\n"
        "  address: {line1: 1 rue A, postal_code: NO 0150, city: Oslo}\n"
        "  phone: +33 1 42 00 00 00\n"
        "  legal: {siren: 732 829 320, naf: 66.19B, vat_number: FR 44 732829320}\n"
        "  intermediation:\n"
        "    orias: '07 001 234'\n"
        "    rc_pro: {insurer: Mutuelle, policy_number: 2024 0042}\n"
        "users:\n"
        "  - {login: admin, first_name: A, last_name: B, email: a@b.fr, profile: administrator}\n"
    )
    formatted = format_text(text)
    assert 'phone: "+33 1 42 00 00 00"' in formatted
    assert 'siren: "732 829 320"' in formatted
    assert 'policy_number: "2024 0042"' in formatted
    # Already quoted, or not made of digits: left as written.
    assert "orias: '07 001 234'" in formatted
    assert "postal_code: NO 0150" in formatted
    assert "naf: 66.19B" in formatted
    assert "vat_number: FR 44 732829320" in formatted


def test_fmt_keeps_anchors_and_aliases():
    text = (
        "version: 1\n"
        "establishment: {name: X, contact_email: x@b.fr}\n"
        "profiles:\n"
        "  a: {label: A, deny: &no_admin [administration.subscription_access, administration.module_access]}\n"
        "  b: {label: B, deny: *no_admin}\n"
        "users:\n"
        "  - {login: &boss admin, first_name: A, last_name: B, email: a@b.fr, profile: administrator}\n"
        "  - {manager: *boss, login: u, first_name: C, last_name: D, email: c@b.fr, profile: b}\n"
    )
    formatted = format_text(text)
    assert (
        "deny: &no_admin [administration.module_access, "
        "administration.subscription_access]"
    ) in formatted
    assert "deny: *no_admin}" in formatted
    assert "profile: b, manager: *boss}" in formatted


def test_fmt_keeps_document_markers():
    text = (
        "---\n"
        "version: 1\n"
        "establishment: {name: X, contact_email: x@b.fr}\n"
        "users:\n"
        "  - {login: admin, first_name: A, last_name: B, email: a@b.fr, profile: administrator}\n"
        "...\n"
    )
    assert format_text(text) == text


def test_fmt_drops_leading_blank_lines():
    text = (
        "\n\n# header\n"
        "version: 1\n"
        "establishment: {name: X, contact_email: x@b.fr}\n"
        "users:\n"
        "  - {login: admin, first_name: A, last_name: B, email: a@b.fr, profile: administrator}\n"
    )
    assert format_text(text) == text.lstrip("\n")


def test_fmt_keeps_byte_order_mark_and_crlf(tmp_path, run_cli):
    text = FORMATTED_ORG.replace("\n", "\r\n")
    path = tmp_path / "org.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + UNORDERED_ORG.replace("\n", "\r\n").encode())
    assert run_cli("fmt", path).code == 0
    assert path.read_bytes() == b"\xef\xbb\xbf" + text.encode()


# --check


def test_fmt_check_prints_diff_and_fails(tmp_path, run_cli):
    path = write(tmp_path, UNORDERED_ORG)
    run = run_cli("fmt", "--check", path)
    assert run.code == 1
    lines = run.out.splitlines()
    assert lines[0] == f"--- {path}"
    assert lines[1] == f"+++ {path} (formatted)"
    assert lines[2].startswith("@@ ")
    assert "+version: 1" in lines
    assert "-version: 1" in lines
    assert '+    siren: "732 829 320"' in lines
    assert "-    deny: [requests.*, application.services_module]" in lines
    assert "+    deny: [application.services_module, requests.*]" in lines
    assert run.err == f"{path}: not formatted; run 'o2s-config fmt {path}'\n"


def test_fmt_check_writes_nothing(tmp_path, run_cli):
    path = write(tmp_path, UNORDERED_ORG)
    before = path.stat()
    assert run_cli("fmt", "--check", path).code == 1
    assert path.read_text(encoding="utf-8") == UNORDERED_ORG
    assert path.stat().st_mtime_ns == before.st_mtime_ns
    assert sorted(p.name for p in tmp_path.iterdir()) == ["org.yaml"]


def test_fmt_check_passes_on_formatted_file(tmp_path, run_cli):
    path = write(tmp_path, FORMATTED_ORG)
    run = run_cli("fmt", "--check", path)
    assert run.code == 0
    assert run.out == f"{path}: already formatted\n"
    assert run.err == ""


def test_fmt_check_diff_marks_missing_final_newline(tmp_path, run_cli):
    path = write(tmp_path, FORMATTED_ORG.rstrip("\n"))
    run = run_cli("fmt", "--check", path)
    assert run.code == 1
    assert run.out.endswith(
        "-  - {login: jleroy, first_name: Julie, last_name: Leroy, "
        "email: j.leroy@cabinet.fr, profile: junior, manager: amartin}\n"
        "\\ No newline at end of file\n"
        "+  - {login: jleroy, first_name: Julie, last_name: Leroy, "
        "email: j.leroy@cabinet.fr, profile: junior, manager: amartin}\n"
    )


# Files that are not formatted


def test_fmt_invalid_file_prints_diagnostics(tmp_path, run_cli):
    text = UNORDERED_ORG.replace("siren: 732 829 320", "siren: 732829320")
    path = write(tmp_path, text)
    run = run_cli("fmt", path)
    assert run.code == 1
    assert run.out == run_cli("validate", path).out
    assert "error M005" in run.out
    assert path.read_text(encoding="utf-8") == text


def test_fmt_check_invalid_file_fails(tmp_path, run_cli):
    path = write(tmp_path, "version: 1\n")
    run = run_cli("fmt", "--check", path)
    assert run.code == 1
    assert f"{path}: invalid" in run.out


def test_fmt_missing_file_is_usage_error(tmp_path, run_cli):
    run = run_cli("fmt", tmp_path / "absent.yaml")
    assert run.code == 2
    assert "file not found" in run.err


def test_fmt_rejects_comment_in_flow_list(tmp_path, run_cli):
    text = (
        "version: 1\n"
        "establishment: {name: X, contact_email: x@b.fr}\n"
        "profiles:\n"
        "  p:\n"
        "    label: P\n"
        "    deny: [requests.*,\n"
        "      # no Services module\n"
        "      application.services_module]\n"
        "users:\n"
        "  - {login: admin, first_name: A, last_name: B, email: a@b.fr, profile: administrator}\n"
    )
    path = write(tmp_path, text)
    run = run_cli("fmt", path)
    assert run.code == 1
    assert run.err.startswith(
        f"error: {path}:7: fmt cannot keep the comment '# no Services module'"
    )
    assert path.read_text(encoding="utf-8") == text


# Writing


def test_fmt_writes_through_write_atomic(tmp_path, run_cli, monkeypatch):
    path = write(tmp_path, UNORDERED_ORG)
    written = []
    real = cli.write_atomic

    def recording(target, content):
        written.append(target)
        real(target, content)

    monkeypatch.setattr(cli, "write_atomic", recording)
    assert run_cli("fmt", path).code == 0
    assert written == [path.resolve()]


def test_fmt_keeps_file_mode(tmp_path, run_cli):
    path = write(tmp_path, UNORDERED_ORG)
    os.chmod(path, 0o640)
    assert run_cli("fmt", path).code == 0
    assert path.stat().st_mode & 0o777 == 0o640


def test_fmt_through_symlink_formats_target(tmp_path, run_cli):
    target = write(tmp_path, UNORDERED_ORG, "real.org.yaml")
    link = tmp_path / "org.yaml"
    link.symlink_to(target.name)
    assert run_cli("fmt", link).code == 0
    assert link.is_symlink()
    assert target.read_text(encoding="utf-8") == FORMATTED_ORG


# Generated orgs

PROPERTY_SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def compiled_report(text: bytes) -> dict[str, Any]:
    result = compile_bytes(text, "org.yaml")
    assert result.org is not None, [d.message for d in result.diagnostics]
    return _without_positions(build_report(result.org))


@PROPERTY_SETTINGS
@given(orgs())
def test_fmt_generated_org_keeps_result(org: Org):
    text = to_yaml(org)
    formatted = format_bytes(text, "org.yaml").formatted
    assert compiled_report(formatted.encode()) == compiled_report(text)
    assert format_bytes(formatted.encode(), "org.yaml").formatted == formatted


@PROPERTY_SETTINGS
@given(orgs(), st.data())
def test_fmt_shuffled_block_org_keeps_result(org: Org, data: st.DataObject):
    writer = BlockWriter(data)
    text = "\n".join(writer.lines(org, 0)) + "\n"
    formatted = format_text(text)

    assert compiled_report(formatted.encode()) == compiled_report(text.encode())
    assert format_text(formatted) == formatted
    for comment in writer.comments:
        assert formatted.count(comment) == 1, comment


class BlockWriter:
    """Write a dict or list as block YAML, in a drawn key order, with drawn comments.

    Scalars are JSON, which is valid YAML. Each comment ends with a unique
    number and a full stop, so a test can find each one once in the output.
    """

    def __init__(self, data: st.DataObject) -> None:
        self.data = data
        self.comments: list[str] = []

    def comment(self) -> str:
        text = f"# comment {len(self.comments)}."
        self.comments.append(text)
        return text

    def end_of_line(self) -> str:
        return f"  {self.comment()}" if self.data.draw(st.booleans()) else ""

    def lines(self, value: Any, indent: int) -> list[str]:
        draw = self.data.draw
        pad = " " * indent
        if isinstance(value, dict):
            entries = [(key, value[key]) for key in draw(st.permutations(list(value)))]
        else:
            entries = [(None, item) for item in value]

        lines: list[str] = []
        for key, item in entries:
            lines += [pad + self.comment() for _ in range(draw(st.integers(0, 2)))]
            if draw(st.booleans()):
                lines.append("")
            nested = isinstance(item, dict | list) and len(item) > 0
            if key is None and nested:
                # The first key of a list item goes on the line of its dash.
                body = self.lines(item, indent + 2)
                first = next(
                    index
                    for index, line in enumerate(body)
                    if line.strip() and not line.lstrip().startswith("#")
                )
                body[first] = f"{pad}- {body[first].lstrip()}"
                lines += body
                continue
            head = pad + ("-" if key is None else json.dumps(key) + ":")
            if nested:
                lines.append(head + self.end_of_line())
                lines += self.lines(item, indent + 2)
            else:
                scalar = json.dumps(item, ensure_ascii=False)
                lines.append(f"{head} {scalar}{self.end_of_line()}")
        return lines
