"""`o2s-config import`: real workbooks written by `report --format xlsx` or typed
with openpyxl, imported back into org files that compile to the same rights."""

from __future__ import annotations

import pytest
from openpyxl import Workbook, load_workbook

from o2s_config.catalogue import load_catalogue
from o2s_config.infer import (
    ProfileDefinition,
    define_profile,
    infer_profiles,
    simulate,
    template_values,
)
from o2s_config.org_yaml import render_org, scalar
from o2s_config.pipeline import compile_bytes
from o2s_config.source import parse_source

from .conftest import EXAMPLE

USERS_HEADER_FR = [
    "Courriel",
    "Prénom",
    "NOM",
    "Agence",
    "Login",
    "Profil de droit d'utilisation",
    "N+1",
    "Statut",
]


def _report(run_cli, org, path, lang="fr"):
    run = run_cli("report", org, "--format", "xlsx", "-o", path, "--lang", lang)
    assert run.code == 0, run.err
    return path


def _json_report(run_cli, org):
    run = run_cli("report", org, "--format", "json")
    assert run.code == 0, run.err
    return run.json()


def _profile_rights(report):
    return {profile["id"]: profile["rights"] for profile in report["profiles"]}


def _user_access(report):
    return {
        user["login"]: (user["profile"], user["rights"], user["visibility"])
        for user in report["users"]
    }


def _typed_users_workbook(report_path, path, header, rows):
    """Replace the report's users, hierarchy and visibility sheets by a typed list."""
    workbook = load_workbook(report_path)
    for title in ("Utilisateurs", "Hiérarchie", "Visibilité"):
        del workbook[title]
    sheet = workbook.create_sheet("Liste du personnel")
    sheet.append(["Collaborateurs au 1er septembre"])
    sheet.append([])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


@pytest.fixture
def report_fr(run_cli, tmp_path):
    return _report(run_cli, EXAMPLE, tmp_path / "report.xlsx")


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_round_trip_keeps_rights_and_visibility(run_cli, tmp_path, lang):
    workbook = _report(run_cli, EXAMPLE, tmp_path / f"report-{lang}.xlsx", lang)
    imported = tmp_path / "imported.yaml"

    run = run_cli("import", workbook, "-o", imported)
    assert run.code == 0, run.err
    assert run.err == ""
    assert "4 profile(s) and 15 user(s)" in run.out

    original = _json_report(run_cli, EXAMPLE)
    result = _json_report(run_cli, imported)
    assert _profile_rights(result) == _profile_rights(original)
    assert _user_access(result) == _user_access(original)
    assert result["establishment"] == original["establishment"]
    assert result["structures"] == original["structures"]
    for before, after in zip(original["users"], result["users"], strict=True):
        for name in (
            "first_name",
            "last_name",
            "email",
            "manager",
            "active",
            "structure",
        ):
            assert after[name] == before[name], (before["login"], name)

    validate = run_cli("validate", imported)
    assert validate.code == 0, validate.out
    assert validate.out == f"{imported}: valid\n"


def test_imported_file_is_stable_and_commented(run_cli, tmp_path, report_fr):
    # The file is outside the current folder, so the schema is the one next to it.
    first = tmp_path / "first.yaml"
    second = tmp_path / "second.yaml"
    assert run_cli("import", report_fr, "-o", first).code == 0
    assert run_cli("import", report_fr, "-o", second).code == 0
    text = first.read_text(encoding="utf-8")

    assert text == second.read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0] == "# yaml-language-server: $schema=schemas/org.schema.json"
    assert f"# Imported by o2s-config from {report_fr}" in text
    assert "Établissement, Profils, Utilisateurs" in text


def test_imported_file_is_already_formatted(run_cli, tmp_path, report_fr):
    imported = tmp_path / "org.yaml"
    assert run_cli("import", report_fr, "-o", imported).code == 0

    run = run_cli("fmt", "--check", imported)
    assert run.code == 0, run.out + run.err


def test_schema_path_is_relative_to_output(run_cli, tmp_path, report_fr, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "orgs").mkdir()

    run = run_cli("import", report_fr, "-o", "orgs/org.yaml")
    assert run.code == 0, run.err
    first = (tmp_path / "orgs" / "org.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../schemas/org.schema.json"


def test_inferred_profiles_are_shortest(run_cli, tmp_path, report_fr):
    imported = tmp_path / "org.yaml"
    assert run_cli("import", report_fr, "-o", imported).code == 0
    profiles = parse_source(imported.read_bytes(), "org.yaml").data["profiles"]

    assert profiles["manager"] == {
        "label": "Manager",
        "base": "all",
        "deny": ["administration.module_access"],
        "scopes": {"agenda.view": "attached", "contacts.client_access": "attached"},
    }
    # The back office differs from the adviser by two entries only. Choosing
    # "own" for agenda.view forces agenda.edit_others off, so no deny names it.
    assert profiles["backoffice"] == {
        "label": "Back-office",
        "base": "advisor",
        "deny": ["portfolio.*"],
        "scopes": {"agenda.view": "own"},
    }
    for body in profiles.values():
        assert "agenda.edit_others" not in body.get("deny", [])


def test_dependency_makes_deny_redundant():
    catalogue = load_catalogue()
    target = template_values(catalogue, "all")
    target["agenda.view"] = "own"
    target["agenda.edit_others"] = False

    definition = define_profile(
        catalogue, "all", template_values(catalogue, "all"), target
    )

    assert definition == ProfileDefinition("all", scopes={"agenda.view": "own"})


def test_deny_kept_when_rule_does_not_force_it():
    catalogue = load_catalogue()
    target = template_values(catalogue, "all")
    target["agenda.view"] = "attached"
    target["agenda.edit_others"] = False

    definition = define_profile(
        catalogue, "all", template_values(catalogue, "all"), target
    )

    assert definition is not None
    assert definition.deny == ("agenda.edit_others",)
    assert simulate(catalogue, template_values(catalogue, "all"), definition) == target


def test_target_breaking_dependency_has_no_definition():
    catalogue = load_catalogue()
    target = template_values(catalogue, "all")
    target["agenda.view"] = "own"

    definition = define_profile(
        catalogue, "all", template_values(catalogue, "all"), target
    )

    assert definition is None


def test_tab_glob_replaces_whole_tab():
    catalogue = load_catalogue()
    target = template_values(catalogue, "all")
    target["portfolio.edit_portfolios"] = False
    target["portfolio.edit_accounts"] = False
    target["application.compliance"] = False

    definition = define_profile(
        catalogue, "all", template_values(catalogue, "all"), target
    )

    assert definition is not None
    assert definition.deny == ("application.compliance", "portfolio.*")


def test_close_profiles_never_form_base_cycle():
    catalogue = load_catalogue()
    half = template_values(catalogue, "none")
    for key in list(catalogue.boolean_keys)[::2]:
        half[key] = True
    half["agenda.view"] = "group"
    first = dict(half)
    second = dict(half)
    second["requests.manage"] = not half["requests.manage"]
    third = dict(second)
    third["contacts.edit"] = not half["contacts.edit"]

    targets = {"first": first, "second": second, "third": third}
    definitions = infer_profiles(catalogue, targets)

    bases = {pid: definition.base for pid, definition in definitions.items()}
    templates = [pid for pid, base in bases.items() if base in ("all", "none")]
    assert len(templates) == 1
    for pid in targets:
        seen = set()
        current = pid
        while current in bases:
            assert current not in seen, f"base cycle through {current}"
            seen.add(current)
            current = bases[current]
    for pid, definition in definitions.items():
        if definition.base in targets:
            assert definition.size == 1, pid


def test_typed_users_sheet_imports(run_cli, tmp_path, report_fr):
    rows = [
        [
            "c.martin@dubois-patrimoine.fr",
            "Claire",
            "Martin",
            "Paris",
            "cmartin",
            "ADMINISTRATEUR",
            "",
            "Actif",
        ],
        [
            "a.dubois@dubois-patrimoine.fr",
            "Alexis",
            "Dubois",
            "paris",
            "adubois",
            "manager",
            "",
            "",
        ],
        # The responsable is given by full name, and the profile label without
        # its accent and in capitals.
        [
            "m.garnier@dubois-patrimoine.fr",
            "Marc",
            "Garnier",
            "Paris",
            "mgarnier",
            "CONSEILLER",
            "Alexis Dubois",
            "oui",
        ],
        # The responsable is given by e-mail, and the account is inactive.
        [
            "j.leroy@dubois-patrimoine.fr",
            "Julie Anne",
            "Le Roy",
            "Lyon",
            "jleroy",
            "conseiller junior",
            "M.Garnier@dubois-patrimoine.fr",
            "Inactif",
        ],
        [None] * 8,
        [
            "i.fournier@dubois-patrimoine.fr",
            "Inès",
            "Fournier",
            "Paris",
            "ifournier",
            "back-office",
            "",
            "Oui",
        ],
    ]
    workbook = _typed_users_workbook(
        report_fr, tmp_path / "typed.xlsx", USERS_HEADER_FR, rows
    )
    imported = tmp_path / "org.yaml"

    run = run_cli("import", workbook, "-o", imported)
    assert run.code == 0, run.err
    assert "Liste du personnel" in run.out

    users = {
        u["login"]: u
        for u in parse_source(imported.read_bytes(), "org.yaml").data["users"]
    }
    assert list(users) == ["cmartin", "adubois", "mgarnier", "jleroy", "ifournier"]
    assert users["adubois"]["structure"] == "Paris"
    assert users["adubois"]["profile"] == "manager"
    assert users["mgarnier"]["manager"] == "adubois"
    assert users["jleroy"] == {
        "login": "jleroy",
        "first_name": "Julie Anne",
        "last_name": "Le Roy",
        "email": "j.leroy@dubois-patrimoine.fr",
        "structure": "Lyon",
        "profile": "junior",
        "manager": "mgarnier",
        "active": False,
    }
    assert run_cli("validate", imported).code == 0


def test_typed_users_sheet_alone_takes_defaults(run_cli, tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Users"
    sheet.append(
        ["Profile", "E-mail address", "Login", "Full name", "Manager", "Branch"]
    )
    sheet.append(
        [
            "Administrateur",
            "c.martin@dubois-patrimoine.fr",
            "cmartin",
            "Claire Martin",
            None,
            "Paris",
        ]
    )
    sheet.append(
        [
            "Conseiller",
            "l.robert@dubois-patrimoine.fr",
            "lrobert",
            "Léa Robert",
            "cmartin",
            "Lyon",
        ]
    )
    path = tmp_path / "users.xlsx"
    workbook.save(path)
    imported = tmp_path / "org.yaml"

    without = run_cli("import", path, "-o", imported)
    assert without.code == 1
    assert "unknown profile 'Conseiller'" in without.err
    assert "--defaults-from" in without.err
    assert not imported.exists()

    run = run_cli("import", path, "-o", imported, "--defaults-from", EXAMPLE)
    assert run.code == 0, run.err
    data = parse_source(imported.read_bytes(), "org.yaml").data
    assert data["establishment"]["name"] == "Cabinet Dubois Patrimoine"
    assert list(data["profiles"]) == ["manager", "advisor", "junior", "backoffice"]
    assert data["profiles"]["junior"]["max_tenure_days"] == 365
    assert data["users"][1]["profile"] == "advisor"
    assert "come from" in imported.read_text(encoding="utf-8")
    assert run_cli("validate", imported).code == 0


BAD_ROWS = [
    ["a@x.fr", "Ana", "Admin", "Paris", "cmartin", "Administrateur", "", "Oui"],
    ["b@x.fr", "Bea", "Sans", "Paris", "", "Conseiller", "", "Oui"],
    ["c@x.fr", "Carl", "Profil", "Paris", "cprofil", "Directeur", "", "Oui"],
    ["pas-un-courriel", "Dan", "Mail", "Paris", "dmail", "Conseiller", "", "Oui"],
    ["e@x.fr", "Eve", "Statut", "Paris", "estatut", "Conseiller", "", "Peut-être"],
    ["f@x.fr", "Fay", "Sous", "Paris", "fsous", "Conseiller", "cprofil", "Oui"],
    ["g@x.fr", "Gil", "Bon", "Lyon", "gbon", "Conseiller", "cmartin", "Oui"],
    ["h@x.fr", "Hal", "Ville", "Nantes", "hville", "Conseiller", "", "Oui"],
    ["g2@x.fr", "Gil", "Double", "Lyon", "gbon", "Conseiller", "", "Oui"],
]


@pytest.fixture
def bad_workbook(tmp_path, report_fr):
    return _typed_users_workbook(
        report_fr, tmp_path / "bad.xlsx", USERS_HEADER_FR, BAD_ROWS
    )


def test_unreadable_rows_block_import(run_cli, tmp_path, bad_workbook):
    output = tmp_path / "org.yaml"

    run = run_cli("import", bad_workbook, "-o", output)

    assert run.code == 1
    assert not output.exists()
    prefix = f"{bad_workbook}: sheet Liste du personnel, row"
    expected = [
        f"{prefix} 5: missing login",
        f"{prefix} 6: unknown profile 'Directeur'; known profiles: Administrateur, "
        "Manager, Conseiller, Conseiller junior, Back-office",
        f"{prefix} 7: invalid e-mail 'pas-un-courriel' for 'dmail'",
        f"{prefix} 8: cannot read 'Peut-être' as Oui or Non in the active column",
        f"{prefix} 9: manager 'cprofil' is on row 6, which is skipped",
        f"{prefix} 11: unknown structure 'Nantes'; the organisation declares Paris, Lyon",
        f"{prefix} 12: duplicate login 'gbon'; row 10 has it already",
    ]
    assert run.err.splitlines()[: len(expected)] == expected
    assert "not imported, 7 unreadable row(s)" in run.err


def test_partial_import_skips_unreadable_rows(run_cli, tmp_path, bad_workbook):
    output = tmp_path / "org.yaml"

    run = run_cli("import", bad_workbook, "-o", output, "--partial")

    assert run.code == 0, run.err
    assert "7 row(s) skipped" in run.out
    assert run.err.count("Liste du personnel, row") == 7
    data = parse_source(output.read_bytes(), "org.yaml").data
    assert [u["login"] for u in data["users"]] == ["cmartin", "gbon"]
    assert "7 unreadable rows or cells were skipped, which" in output.read_text(
        encoding="utf-8"
    )
    assert run_cli("validate", output).code == 0


def test_partial_import_cannot_skip_administrator(run_cli, tmp_path, report_fr):
    rows = [["b@x.fr", "Bea", "Seule", "Paris", "bseule", "Conseiller", "", "Oui"]]
    workbook = _typed_users_workbook(
        report_fr, tmp_path / "noadmin.xlsx", USERS_HEADER_FR, rows
    )
    output = tmp_path / "org.yaml"

    run = run_cli("import", workbook, "-o", output, "--partial")

    assert run.code == 1
    assert "no active user holds the administrator profile" in run.err
    assert not output.exists()


def _profiles_cell(sheet, key, label):
    key_row = next(
        r for r in range(1, sheet.max_row + 1) if sheet.cell(r, 2).value == key
    )
    column = next(
        c for c in range(1, sheet.max_column + 1) if sheet.cell(5, c).value == label
    )
    return sheet.cell(key_row, column)


def test_unreadable_rights_cells_list_column(run_cli, tmp_path, report_fr):
    workbook = load_workbook(report_fr)
    profiles = workbook["Profils"]
    _profiles_cell(profiles, "contacts.edit", "Conseiller").value = "Peut-être"
    # O2S unticks agenda.edit_others when agenda.view is own, so this cell
    # contradicts the dependency rule.
    _profiles_cell(profiles, "agenda.edit_others", "Back-office").value = "Oui"
    edited = tmp_path / "edited.xlsx"
    workbook.save(edited)
    output = tmp_path / "org.yaml"

    run = run_cli("import", edited, "-o", output)

    assert run.code == 1
    assert not output.exists()
    assert (
        f"{edited}: sheet Profils, row 18, column F: cannot read 'Peut-être' as Oui "
        "or Non for contacts.edit of profile 'Conseiller'" in run.err
    )
    assert (
        f"{edited}: sheet Profils, row 11, column H: agenda.edit_others is on in "
        "profile 'Back-office', but it requires agenda.view at least attached"
        in run.err
    )

    partial = run_cli("import", edited, "-o", output, "--partial")
    assert partial.code == 0, partial.err
    assert run_cli("validate", output).code == 0


def test_identifiers_typed_as_numbers_keep_zeros(run_cli, tmp_path, report_fr):
    workbook = load_workbook(report_fr)
    establishment = workbook["Établissement"]
    for row in range(2, establishment.max_row + 1):
        if establishment.cell(row, 2).value == "N° ORIAS":
            establishment.cell(row, 3).value = 7001234
        if establishment.cell(row, 2).value == "Capital social":
            establishment.cell(row, 3).value = "75 000,50 €"
    edited = tmp_path / "numbers.xlsx"
    workbook.save(edited)
    output = tmp_path / "org.yaml"

    run = run_cli("import", edited, "-o", output)

    assert run.code == 0, run.err
    establishment_data = parse_source(output.read_bytes(), "org.yaml").data[
        "establishment"
    ]
    assert establishment_data["intermediation"]["orias"] == "07001234"
    assert establishment_data["legal"]["share_capital"] == 75000.5


def test_invalid_establishment_field_is_listed(run_cli, tmp_path, report_fr):
    workbook = load_workbook(report_fr)
    establishment = workbook["Établissement"]
    establishment.cell(10, 3).value = "732829321"
    edited = tmp_path / "siren.xlsx"
    workbook.save(edited)

    run = run_cli("import", edited, "-o", tmp_path / "org.yaml")

    assert run.code == 1
    assert (
        f"{edited}: sheet Établissement, row 10: invalid SIREN '732829321'" in run.err
    )


def test_missing_sheets_are_fatal(run_cli, tmp_path):
    workbook = Workbook()
    workbook.active.append(["Nothing", "to", "see"])
    path = tmp_path / "empty.xlsx"
    workbook.save(path)

    run = run_cli("import", path, "-o", tmp_path / "org.yaml", "--partial")

    assert run.code == 1
    assert "no establishment sheet" in run.err
    assert "no users sheet" in run.err


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.xlsx", None, "file not found"),
        ("users.csv", b"login;profile\n", "save it as an Excel workbook (.xlsx)"),
        ("broken.xlsx", b"not a zip file", "is not a readable .xlsx workbook"),
    ],
)
def test_unreadable_workbook_is_usage_error(run_cli, tmp_path, name, content, message):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)

    run = run_cli("import", path, "-o", tmp_path / "org.yaml")

    assert run.code == 2
    assert message in run.err


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("Paris", "Paris"),
        ("yes", "yes"),
        ("01000", '"01000"'),
        ("true", '"true"'),
        ("null", '"null"'),
        ("1.5", '"1.5"'),
        ("@SUM(1+1)", '"@SUM(1+1)"'),
        ("- liste", '"- liste"'),
        ("a: b", '"a: b"'),
        ("a #b", '"a #b"'),
        (" espace", '" espace"'),
        ("Médiateur de l'Association", "Médiateur de l'Association"),
        ("ligne\nsuivante", '"ligne\\nsuivante"'),
        ("sep\u2028arateur", '"sep\\u2028arateur"'),
        ('guillemet "x"', 'guillemet "x"'),
    ],
)
def test_scalars_read_back_the_same(value, written):
    assert scalar(value) == written
    text = render_org({"version": 1, "value": value, "items": [value]}, [])
    assert parse_source(text.encode(), "scalar.yaml").data == {
        "version": 1,
        "value": value,
        "items": [value],
    }


def test_imported_file_has_no_warnings(run_cli, tmp_path, report_fr):
    imported = tmp_path / "org.yaml"
    assert run_cli("import", report_fr, "-o", imported).code == 0

    result = compile_bytes(imported.read_bytes(), "org.yaml")

    assert result.org is not None
    assert [d.message for d in result.diagnostics] == []


def test_profiles_without_id_row(run_cli, tmp_path, report_fr):
    workbook = load_workbook(report_fr)
    # Rows 1 to 4 hold the profile ids, bases, "Profil validé" and user counts.
    workbook["Profils"].delete_rows(1, 4)
    edited = tmp_path / "no-ids.xlsx"
    workbook.save(edited)
    output = tmp_path / "org.yaml"

    slugs = run_cli("import", edited, "-o", output)
    assert slugs.code == 0, slugs.err
    profiles = parse_source(output.read_bytes(), "org.yaml").data["profiles"]
    assert list(profiles) == [
        "manager",
        "conseiller",
        "conseiller_junior",
        "back_office",
    ]

    declared = run_cli("import", edited, "-o", output, "--defaults-from", EXAMPLE)
    assert declared.code == 0, declared.err
    profiles = parse_source(output.read_bytes(), "org.yaml").data["profiles"]
    assert list(profiles) == ["manager", "advisor", "junior", "backoffice"]
    assert run_cli("drift", EXAMPLE, edited).code == 0


CUSTOM_RIGHTS_ORG = """\
version: 1
establishment: {name: Cabinet Test, contact_email: contact@test.fr}
rights:
  - key: application.signature_workflows
    type: boolean
    label_fr: Circuits de signature
    label_en: Signature workflows
  - key: contacts.prospect_access
    type: scope
    options: [own, attached, group, all]
    option_labels: clients
    label_fr: Accès aux prospects
    label_en: Prospect access
profiles:
  advisor:
    label: Conseiller
    base: all
    deny: [application.signature_workflows]
    scopes: {contacts.prospect_access: group}
users:
  - {login: admin, first_name: Ana, last_name: Admin, email: admin@test.fr,
     profile: administrator}
  - {login: adv, first_name: Dan, last_name: Adv, email: adv@test.fr,
     profile: advisor, manager: admin}
"""


def test_org_rights_are_imported(run_cli, tmp_path):
    org = tmp_path / "custom.yaml"
    org.write_text(CUSTOM_RIGHTS_ORG, encoding="utf-8")
    workbook = _report(run_cli, org, tmp_path / "custom.xlsx")
    imported = tmp_path / "imported.yaml"

    run = run_cli("import", workbook, "-o", imported)

    assert run.code == 0, run.err
    data = parse_source(imported.read_bytes(), "org.yaml").data
    rights = {right["key"]: right for right in data["rights"]}
    assert rights["application.signature_workflows"]["type"] == "boolean"
    assert rights["contacts.prospect_access"]["type"] == "scope"
    assert rights["contacts.prospect_access"]["option_labels"] == "clients"
    assert _profile_rights(_json_report(run_cli, imported)) == _profile_rights(
        _json_report(run_cli, org)
    )
