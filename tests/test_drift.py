"""`o2s-config drift`: the example org against its report workbook, edited with
openpyxl the way an administrator would edit a copy of the O2S set-up."""

from __future__ import annotations

import jsonschema
import pytest
from openpyxl import Workbook, load_workbook

from o2s_config.schema import diff_schema

from .conftest import EXAMPLE


@pytest.fixture
def workbook(run_cli, tmp_path):
    path = tmp_path / "o2s.xlsx"
    run = run_cli("report", EXAMPLE, "--format", "xlsx", "-o", path)
    assert run.code == 0, run.err
    return path


def _row_of(sheet, column, value):
    for row in range(1, sheet.max_row + 1):
        if sheet.cell(row, column).value == value:
            return row
    raise AssertionError(f"{value!r} not in column {column} of {sheet.title}")


def _column_of(sheet, row, value):
    for column in range(1, sheet.max_column + 1):
        if sheet.cell(row, column).value == value:
            return column
    raise AssertionError(f"{value!r} not in row {row} of {sheet.title}")


def _untick(book):
    profiles = book["Profils"]
    row = _row_of(profiles, 2, "application.services_module")
    profiles.cell(row, _column_of(profiles, 5, "Conseiller")).value = "Non"


def _remove_user(book):
    users = book["Utilisateurs"]
    users.delete_rows(_row_of(users, 1, "bmercier"))


def _move_user(book):
    users = book["Utilisateurs"]
    row = _row_of(users, 1, "jleroy")
    users.cell(row, _column_of(users, 1, "Responsable")).value = "Alexis Dubois"
    users.cell(
        row, _column_of(users, 1, "Identifiant du responsable")
    ).value = "adubois"


def _edit(workbook, tmp_path, *edits):
    book = load_workbook(workbook)
    for edit in edits:
        edit(book)
    path = tmp_path / "edited.xlsx"
    book.save(path)
    return path


def _changes(run_cli, path):
    run = run_cli("drift", EXAMPLE, path, "--format", "json")
    assert run.code == 1, run.err
    payload = run.json()
    jsonschema.Draft202012Validator(diff_schema()).validate(payload)
    return payload["changes"]


def test_unchanged_workbook_has_no_drift(run_cli, workbook):
    run = run_cli("drift", EXAMPLE, workbook)

    assert run.code == 0, run.err
    assert run.out == (
        f"diff {EXAMPLE} → {workbook}\n"
        "no changes in effective rights, visibility or the establishment\n"
    )


def test_unticked_right_is_drift(run_cli, workbook, tmp_path):
    path = _edit(workbook, tmp_path, _untick)

    changes = _changes(run_cli, path)

    profile_changes = [c for c in changes if c["category"] == "profile"]
    assert profile_changes == [
        {
            "category": "profile",
            "kind": "right_changed",
            "subject": "advisor",
            "classification": "narrow",
            "key": "application.services_module",
            "old": True,
            "new": False,
        }
    ]
    lost = {c["subject"] for c in changes if c["kind"] == "right_lost"}
    assert lost == {
        "cdurand",
        "jmoreau",
        "lrobert",
        "mgarnier",
        "nrichard",
        "sbernard",
        "tpetit",
    }


def test_removed_user_is_drift(run_cli, workbook, tmp_path):
    path = _edit(workbook, tmp_path, _remove_user)

    changes = _changes(run_cli, path)

    removed = [c for c in changes if c["kind"] == "removed"]
    assert removed == [
        {
            "category": "user",
            "kind": "removed",
            "subject": "bmercier",
            "classification": "narrow",
        }
    ]


def test_moved_user_is_drift(run_cli, workbook, tmp_path):
    path = _edit(workbook, tmp_path, _move_user)

    changes = _changes(run_cli, path)

    moved = [c for c in changes if c["kind"] == "manager_changed"]
    assert moved == [
        {
            "category": "user",
            "kind": "manager_changed",
            "subject": "jleroy",
            "classification": "neutral",
            "key": "manager",
            "old": "mgarnier",
            "new": "adubois",
        }
    ]
    # Pauline Girard sees the clients of her group, the users of Marc
    # Garnier's team, which Julie Leroy has left.
    narrowed = [
        (c["key"], c["lost"])
        for c in changes
        if c["kind"] == "visibility_narrowed" and c["subject"] == "pgirard"
    ]
    assert narrowed == [("contacts.client_access", ["jleroy"])]


def test_all_edits_in_text_and_markdown(run_cli, workbook, tmp_path):
    path = _edit(workbook, tmp_path, _untick, _remove_user, _move_user)

    text = run_cli("drift", EXAMPLE, path)
    markdown = run_cli("drift", EXAMPLE, path, "--format", "markdown")

    assert text.code == 1
    assert (
        "  - [narrow] application.services_module (Accès au module Services): on → off"
        in text.out
    )
    assert (
        "user bmercier (Bruno Mercier)\n  - [narrow] user removed (was backoffice)"
        in text.out
    )
    assert "  ~ [neutral] manager: mgarnier → adubois" in text.out
    assert markdown.code == 1
    assert markdown.out.startswith(f"### o2s-config: `{EXAMPLE}` → `{path}`\n")


def test_users_sheet_alone_compares_users(run_cli, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.title = "Utilisateurs"
    sheet.append(
        ["Identifiant", "Prénom", "Nom", "E-mail", "Profil", "Responsable", "Agence"]
    )
    sheet.append(
        [
            "cmartin",
            "Claire",
            "Martin",
            "c.martin@dubois-patrimoine.fr",
            "Administrateur",
            None,
            "Paris",
        ]
    )
    path = tmp_path / "users.xlsx"
    book.save(path)

    changes = _changes(run_cli, path)

    assert {c["category"] for c in changes} == {"user"}
    removed = sorted(c["subject"] for c in changes if c["kind"] == "removed")
    assert len(removed) == 14
    assert "cmartin" not in removed


def test_unreadable_row_stops_drift(run_cli, workbook, tmp_path):
    def break_email(book):
        users = book["Utilisateurs"]
        users.cell(_row_of(users, 1, "tpetit"), 3).value = "pas-un-courriel"

    path = _edit(workbook, tmp_path, break_email)

    run = run_cli("drift", EXAMPLE, path)

    assert run.code == 1
    assert run.out == ""
    assert (
        f"{path}: sheet Utilisateurs, row 16: invalid e-mail 'pas-un-courriel'"
        in run.err
    )
    assert "cannot compare" in run.err


def test_missing_workbook_is_usage_error(run_cli, tmp_path):
    run = run_cli("drift", EXAMPLE, tmp_path / "absent.xlsx")

    assert run.code == 2
    assert "file not found" in run.err
