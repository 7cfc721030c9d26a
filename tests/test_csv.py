"""The CSV report: dialects, one row per user, formula neutralisation."""

from __future__ import annotations

import csv
import io

import pytest

from o2s_config.emit.csv_report import neutralise, render_csv
from o2s_config.pipeline import compile_path

from .conftest import CASES, EXAMPLE

BOM = b"\xef\xbb\xbf"

FORMULA_ORG = """\
version: 1
establishment: {name: Cabinet Test, contact_email: contact@test.fr}
structures: ['-2+3']
profiles:
  advisor: {label: '@SUM(1+1)', base: all}
users:
  - {login: admin, first_name: '=HYPERLINK("#A1","x")', last_name: Dupont,
     email: admin@test.fr, profile: administrator, structure: '-2+3'}
  - {login: jleroy, first_name: "+cmd", last_name: Leroy,
     email: j.leroy@test.fr, profile: advisor, manager: admin, structure: '-2+3'}
"""


def _report(run_cli, tmp_path, *options: str) -> bytes:
    path = tmp_path / "report.csv"
    run = run_cli("report", EXAMPLE, "--format", "csv", "-o", path, *options)
    assert run.code == 0, run.err
    return path.read_bytes()


def _rows(data: bytes, delimiter: str) -> list[list[str]]:
    text = data.decode("utf-8").removeprefix("\ufeff")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def test_excel_fr_has_bom_and_semicolons(run_cli, tmp_path):
    data = _report(run_cli, tmp_path)
    assert data.startswith(BOM)
    header = data[len(BOM) :].split(b"\r\n", 1)[0].decode("utf-8")
    assert header.startswith("Identifiant;Nom;E-mail;Profil;Responsable;")
    assert "," not in header


def test_one_row_per_user(run_cli, tmp_path):
    rows = _rows(_report(run_cli, tmp_path), ";")
    assert len(rows) == 16
    assert [row[0] for row in rows[1:]] == sorted(row[0] for row in rows[1:])
    assert {len(row) for row in rows} == {len(rows[0])}


def test_rights_and_visibility_columns(run_cli, tmp_path):
    rows = _rows(_report(run_cli, tmp_path), ";")
    header = rows[0]
    julie = next(row for row in rows if row[0] == "jleroy")
    cell = dict(zip(header, julie, strict=True))
    assert cell["Responsable"] == "Marc Garnier"
    assert cell["Identifiant du responsable"] == "mgarnier"
    assert cell["Profil"] == "Conseiller junior"
    assert cell["Actif"] == "Oui"
    assert cell["Accès au module Administration"] == "Non"
    assert cell["Voir les agendas"] == "Voir uniquement mon agenda"
    assert cell["Voir les agendas : nombre d'utilisateurs visibles"] == "1"
    assert cell["Accès aux clients : nombre d'utilisateurs visibles"] == "2"


def test_english_headers(run_cli, tmp_path):
    rows = _rows(_report(run_cli, tmp_path, "--lang", "en"), ";")
    assert rows[0][:3] == ["Login", "Name", "E-mail"]
    assert "View calendars: visible users" in rows[0]
    assert rows[1][7] == "Yes"


def test_comma_dialect(run_cli, tmp_path):
    data = _report(run_cli, tmp_path, "--csv-dialect", "comma")
    assert not data.startswith(BOM)
    assert data.startswith(b"Identifiant,Nom,E-mail,")
    rows = _rows(data, ",")
    assert len(rows) == 16
    assert rows[1][:2] == ["adubois", "Alexis Dubois"]


def test_lines_end_with_crlf(run_cli, tmp_path):
    data = _report(run_cli, tmp_path)
    assert data.count(b"\r\n") == 16
    assert b"\n" not in data.replace(b"\r\n", b"")


def test_same_input_same_bytes(run_cli, tmp_path):
    first = _report(run_cli, tmp_path)
    second = _report(run_cli, tmp_path)
    assert first == second


def test_stdout_matches_file(run_cli, tmp_path):
    data = _report(run_cli, tmp_path)
    run = run_cli("report", EXAMPLE, "--format", "csv")
    assert run.code == 0
    assert run.out.encode("utf-8") == data


def test_formula_cells_neutralised(run_cli, tmp_path):
    org = tmp_path / "org.yaml"
    org.write_text(FORMULA_ORG, encoding="utf-8")
    path = tmp_path / "report.csv"
    run = run_cli("report", org, "--format", "csv", "-o", path)
    assert run.code == 0, run.err
    rows = {row[0]: row for row in _rows(path.read_bytes(), ";")}
    assert rows["admin"][1] == '\'=HYPERLINK("#A1","x") Dupont'
    assert rows["jleroy"][1] == "'+cmd Leroy"
    assert rows["jleroy"][3] == "'@SUM(1+1)"
    assert rows["jleroy"][6] == "'-2+3"
    assert rows["jleroy"][2] == "j.leroy@test.fr"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+33 1 42 00 00 00", "'+33 1 42 00 00 00"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("\0=1+1", "'\0=1+1"),
        ("Léa Robert", "Léa Robert"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_neutralise(value, expected):
    assert neutralise(value) == expected


@pytest.mark.parametrize(
    "case", sorted(CASES.glob("valid/*.yaml")), ids=lambda path: path.stem
)
def test_every_valid_case_renders(case):
    result = compile_path(case)
    assert result.org is not None
    rows = _rows(render_csv(result.org, "fr").encode("utf-8"), ";")
    assert len(rows) == len(result.org.users) + 1
    assert {len(row) for row in rows} == {len(rows[0])}


def test_csv_dialect_rejected_for_other_formats(run_cli):
    run = run_cli("report", EXAMPLE, "--format", "html", "--csv-dialect", "comma")
    assert run.code == 2
    assert "--csv-dialect applies only to --format csv" in run.err
