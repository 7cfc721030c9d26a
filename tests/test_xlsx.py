"""The Excel report: its sheets and cells, read back with openpyxl and opened
by headless LibreOffice, which must show formula-like names as plain text."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import zipfile
from datetime import datetime

import pytest
from openpyxl import load_workbook

from o2s_config.emit.xlsx import MAX_WIDTH, MIN_WIDTH, render_xlsx
from o2s_config.pipeline import compile_bytes, compile_path

from .conftest import CASES, EXAMPLE

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")

HYPERLINK_NAME = '=HYPERLINK("#A1","cliquez")'
PLUS_NAME = "+cmd|' /C calc'!A0"
MINUS_NAME = "-2+3"
AT_NAME = "@SUM(1+1)"

FORMULA_ORG = f"""\
version: 1
establishment: {{name: '{MINUS_NAME}', contact_email: contact@test.fr}}
structures: ['#N/A']
profiles:
  advisor: {{label: '{AT_NAME}', base: all}}
users:
  - {{login: admin, first_name: '{HYPERLINK_NAME}', last_name: Dupont,
     email: admin@test.fr, profile: administrator, structure: '#N/A'}}
  - {{login: jleroy, first_name: "{PLUS_NAME}", last_name: Leroy,
     email: j.leroy@test.fr, profile: advisor, manager: admin, structure: '#N/A'}}
"""

SHEETS_FR = ["Établissement", "Profils", "Utilisateurs", "Hiérarchie", "Visibilité"]
SHEETS_EN = ["Establishment", "Profiles", "Users", "Hierarchy", "Visibility"]


@pytest.fixture(scope="module")
def example_org():
    result = compile_path(EXAMPLE, display_name="examples/org.yaml")
    assert result.org is not None
    return result.org


@pytest.fixture(scope="module")
def formula_org():
    result = compile_bytes(FORMULA_ORG.encode(), "formulas.yaml")
    assert result.org is not None, [d.message for d in result.diagnostics]
    return result.org


@pytest.fixture(scope="module")
def example_bytes(example_org):
    return render_xlsx(example_org, "fr")


@pytest.fixture(scope="module")
def workbook(example_bytes):
    return load_workbook(io.BytesIO(example_bytes))


def _row_of(sheet, column: int, value: str) -> int:
    for row in range(1, sheet.max_row + 1):
        if sheet.cell(row=row, column=column).value == value:
            return row
    raise AssertionError(f"{value!r} not found in column {column} of {sheet.title}")


def _column_of(sheet, row: int, value: str) -> int:
    for column in range(1, sheet.max_column + 1):
        if sheet.cell(row=row, column=column).value == value:
            return column
    raise AssertionError(f"{value!r} not found in row {row} of {sheet.title}")


def _values(data: bytes) -> dict[str, list[tuple]]:
    book = load_workbook(io.BytesIO(data))
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book}


def test_sheet_names_french(workbook):
    assert workbook.sheetnames == SHEETS_FR


def test_sheet_names_english(example_org):
    book = load_workbook(io.BytesIO(render_xlsx(example_org, "en")))
    assert book.sheetnames == SHEETS_EN
    assert book["Users"]["H1"].value == "Active"
    assert book["Users"]["H2"].value == "Yes"


def test_establishment_details(workbook):
    sheet = workbook["Établissement"]
    assert [cell.value for cell in sheet[1]] == ["Rubrique", "Champ", "Valeur"]
    orias = _row_of(sheet, 2, "N° ORIAS")
    assert sheet.cell(row=orias, column=1).value == "Informations d'intermédiation"
    assert sheet.cell(row=orias, column=3).value == "07001234"
    siren = _row_of(sheet, 2, "SIREN")
    assert sheet.cell(row=siren, column=3).value == "732829320"
    assert sheet.cell(row=siren, column=3).data_type == "s"


def test_profile_rights_yes_no(workbook):
    sheet = workbook["Profils"]
    header = 5
    assert [c.value for c in sheet[header]][:3] == ["Onglet", "Clé", "Droit"]
    row = _row_of(sheet, 2, "administration.module_access")
    administrator = _column_of(sheet, header, "Administrateur")
    manager = _column_of(sheet, header, "Manager")
    assert sheet.cell(row=row, column=administrator).value == "Oui"
    assert sheet.cell(row=row, column=manager).value == "Non"
    assert sheet.cell(row=row, column=1).value == "Administration"


def test_profile_scope_labels(workbook):
    sheet = workbook["Profils"]
    row = _row_of(sheet, 2, "agenda.view")
    junior = _column_of(sheet, 5, "Conseiller junior")
    assert sheet.cell(row=row, column=junior).value == "Voir uniquement mon agenda"


def test_profile_differs_from_base_filled(workbook):
    sheet = workbook["Profils"]
    row = _row_of(sheet, 2, "administration.module_access")
    manager = _column_of(sheet, 5, "Manager")
    junior = _column_of(sheet, 5, "Conseiller junior")
    # The manager denies a right that its base `all` grants. The junior's base
    # profile, advisor, already has it off.
    assert sheet.cell(row=row, column=manager).fill.fgColor.rgb == "00FFF1C2"
    assert sheet.cell(row=row, column=junior).fill.fill_type is None


def test_profile_header_rows(workbook):
    sheet = workbook["Profils"]
    junior = _column_of(sheet, 5, "Conseiller junior")
    assert sheet.cell(row=1, column=junior).value == "junior"
    assert sheet.cell(row=2, column=junior).value == "Conseiller"
    assert sheet.cell(row=3, column=junior).value == "Oui"
    assert sheet.cell(row=4, column=junior).value == 4


def test_user_manager(workbook):
    sheet = workbook["Utilisateurs"]
    header = [cell.value for cell in sheet[1]]
    assert header[:6] == [
        "Identifiant",
        "Nom",
        "E-mail",
        "Profil",
        "Responsable",
        "Identifiant du responsable",
    ]
    row = _row_of(sheet, 1, "jleroy")
    assert sheet.cell(row=row, column=5).value == "Marc Garnier"
    assert sheet.cell(row=row, column=6).value == "mgarnier"
    assert sheet.cell(row=row, column=8).value == "Oui"
    assert sheet.max_row == 16


def test_hierarchy_indentation(workbook):
    sheet = workbook["Hiérarchie"]
    indents = {
        sheet.cell(row=row, column=2).value: sheet.cell(row=row, column=1)
        for row in range(2, sheet.max_row + 1)
    }
    assert indents["adubois"].alignment.indent == 0
    assert indents["mgarnier"].alignment.indent == 1
    assert indents["pgirard"].alignment.indent == 2
    assert indents["pgirard"].value == "Pauline Girard"
    # Pre-order: each manager comes right before the users below them.
    logins = [sheet.cell(row=row, column=2).value for row in range(2, 17)]
    assert logins.index("mgarnier") + 1 == logins.index("jleroy")
    assert logins.index("jleroy") + 1 == logins.index("pgirard")


def test_visibility_counts_and_names(workbook):
    sheet = workbook["Visibilité"]
    header = [cell.value for cell in sheet[1]]
    assert header[2:5] == [
        "Voir les agendas : Périmètre",
        "Voir les agendas : Nombre",
        "Voir les agendas : Utilisateurs visibles",
    ]
    row = _row_of(sheet, 2, "mgarnier")
    assert sheet.cell(row=row, column=4).value == 11
    admin = _row_of(sheet, 2, "cmartin")
    assert sheet.cell(row=admin, column=5).value == "tous (15)"
    julie = _row_of(sheet, 2, "jleroy")
    assert sheet.cell(row=julie, column=5).value == "Julie Leroy"


@pytest.mark.parametrize(
    ("name", "freeze", "header_row"),
    [
        ("Établissement", "A2", 1),
        ("Profils", "D6", 5),
        ("Utilisateurs", "B2", 1),
        ("Hiérarchie", "B2", 1),
        ("Visibilité", "C2", 1),
    ],
)
def test_frozen_header_and_autofilter(workbook, name, freeze, header_row):
    sheet = workbook[name]
    assert sheet.freeze_panes == freeze
    start, end = sheet.auto_filter.ref.split(":")
    assert start == f"A{header_row}"
    assert end.endswith(str(_last_table_row(sheet, header_row)))


def _last_table_row(sheet, header_row: int) -> int:
    row = header_row
    while sheet.cell(row=row + 1, column=2).value is not None:
        row += 1
    return row


def test_column_widths(workbook):
    for sheet in workbook:
        for letter, dimension in sheet.column_dimensions.items():
            assert MIN_WIDTH <= dimension.width <= MAX_WIDTH + 20, (sheet.title, letter)
    assert workbook["Utilisateurs"].column_dimensions["C"].width >= len(
        "c.martin@dubois-patrimoine.fr"
    )


@pytest.mark.parametrize("name", ["Profils", "Visibilité"])
def test_scope_legend(workbook, name):
    sheet = workbook[name]
    title = _row_of(sheet, 1, "Légende des périmètres")
    assert title > _last_table_row(sheet, 5 if name == "Profils" else 1)
    rows = [
        tuple(cell.value for cell in sheet[row][:3])
        for row in range(title + 2, sheet.max_row + 1)
    ]
    assert ("Voir les agendas", "own", "Voir uniquement mon agenda") in rows
    assert ("Accès aux clients", "all", "Tous les clients") in rows


def test_print_setup(workbook):
    for sheet in workbook:
        assert sheet.page_setup.orientation == "landscape", sheet.title
        assert sheet.page_setup.fitToWidth == 1, sheet.title
        assert sheet.sheet_properties.pageSetUpPr.fitToPage is True, sheet.title
    assert workbook["Profils"].print_title_rows == "$1:$5"
    assert workbook["Utilisateurs"].print_title_rows == "$1:$1"


def test_wrapped_rows_are_taller(workbook):
    sheet = workbook["Profils"]
    agenda = _row_of(sheet, 2, "agenda.view")
    assert sheet.row_dimensions[agenda].height >= 30
    assert sheet.row_dimensions[_row_of(sheet, 2, "contacts.edit")].height is None


def test_document_properties(workbook):
    properties = workbook.properties
    assert properties.creator == "o2s-config"
    assert properties.created == datetime(2000, 1, 1)
    assert properties.modified == datetime(2000, 1, 1)


def test_same_input_same_cells_and_bytes(example_org, example_bytes):
    again = render_xlsx(example_org, "fr")
    assert _values(again) == _values(example_bytes)
    assert again == example_bytes


def test_formula_like_text_stays_text(formula_org):
    data = render_xlsx(formula_org, "fr")
    book = load_workbook(io.BytesIO(data))
    users = book["Utilisateurs"]
    admin = _row_of(users, 1, "admin")
    name = users.cell(row=admin, column=2)
    assert name.value == f"{HYPERLINK_NAME} Dupont"
    assert name.data_type == "s"
    assert name.quotePrefix is True
    julie = _row_of(users, 1, "jleroy")
    assert users.cell(row=julie, column=2).value == f"{PLUS_NAME} Leroy"
    assert users.cell(row=julie, column=4).value == AT_NAME
    assert users.cell(row=julie, column=4).quotePrefix is True
    assert book["Établissement"]["C2"].value == MINUS_NAME
    # openpyxl would store this text as an error value without the fix.
    assert users.cell(row=admin, column=7).value == "#N/A"
    assert users.cell(row=admin, column=7).data_type == "s"

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheets = [
            name for name in archive.namelist() if name.startswith("xl/worksheets/")
        ]
        for sheet in sheets:
            assert b"<f>" not in archive.read(sheet), sheet


@pytest.mark.parametrize(
    "case", sorted(CASES.glob("valid/*.yaml")), ids=lambda path: path.stem
)
def test_every_valid_case_renders(case):
    result = compile_path(case)
    assert result.org is not None
    book = load_workbook(io.BytesIO(render_xlsx(result.org, "en")))
    assert book["Users"].max_row == len(result.org.users) + 1
    assert book["Hierarchy"].max_row == len(result.org.users) + 1


def test_cli_writes_xlsx(run_cli, tmp_path):
    path = tmp_path / "report.xlsx"
    run = run_cli("report", EXAMPLE, "--format", "xlsx", "--lang", "en", "-o", path)
    assert run.code == 0, run.err
    assert run.out == ""
    assert load_workbook(path).sheetnames == SHEETS_EN


def test_cli_rejects_xlsx_to_stdout(run_cli):
    run = run_cli("report", EXAMPLE, "--format", "xlsx")
    assert run.code == 2
    assert run.out == ""
    assert "needs a file: add -o PATH" in run.err


# LibreOffice's CSV export: ',' separators, '"' quotes, UTF-8 (76), from line 1,
# cells as shown, formulas' results rather than their text, every sheet (-1).
CSV_FILTER = (
    "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1"
)


@pytest.fixture(scope="module")
def libreoffice_csv(tmp_path_factory, example_bytes, formula_org):
    """Convert both workbooks to CSV, one file per sheet, in one LibreOffice run."""
    if SOFFICE is None:
        pytest.skip(
            "LibreOffice is not installed: apt-get install libreoffice-calc-nogui "
            "(.ci/run does)"
        )
    folder = tmp_path_factory.mktemp("libreoffice")
    (folder / "example.xlsx").write_bytes(example_bytes)
    (folder / "formulas.xlsx").write_bytes(render_xlsx(formula_org, "en"))
    output = folder / "csv"
    profile = folder / "profile"
    completed = subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            CSV_FILTER,
            "--outdir",
            str(output),
            str(folder / "example.xlsx"),
            str(folder / "formulas.xlsx"),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr

    def read(book: str, sheet: str) -> list[list[str]]:
        path = output / f"{book}-{sheet}.csv"
        assert path.exists(), (completed.stdout, completed.stderr)
        return list(csv.reader(path.read_text(encoding="utf-8").splitlines()))

    return read


def test_libreoffice_reads_profiles(libreoffice_csv):
    rows = libreoffice_csv("example", "Profils")
    assert rows[4][:4] == ["Onglet", "Clé", "Droit", "Administrateur"]
    assert [
        "Administration",
        "administration.module_access",
        "Accès au module Administration",
        "Oui",
        "Non",
        "Non",
        "Non",
        "Non",
    ] in rows


def test_libreoffice_reads_users_and_hierarchy(libreoffice_csv):
    users = {row[0]: row for row in libreoffice_csv("example", "Utilisateurs")}
    assert users["jleroy"][4] == "Marc Garnier"
    assert len(users) == 16
    hierarchy = libreoffice_csv("example", "Hiérarchie")
    assert hierarchy[0][:3] == ["Utilisateur", "Identifiant", "Niveau"]
    levels = {row[1]: row[2] for row in hierarchy[1:]}
    assert levels["pgirard"] == "3"


def test_libreoffice_shows_formulas_as_text(libreoffice_csv):
    users = {row[0]: row for row in libreoffice_csv("formulas", "Users")}
    assert users["admin"][1] == f"{HYPERLINK_NAME} Dupont"
    assert users["jleroy"][1] == f"{PLUS_NAME} Leroy"
    assert users["jleroy"][3] == AT_NAME
    establishment = libreoffice_csv("formulas", "Establishment")
    assert establishment[1][2] == MINUS_NAME
