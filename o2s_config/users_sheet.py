"""The users sheet of a workbook: the report's Utilisateurs sheet, or a list
that an administrator typed or pasted.

The users sheet is the first sheet with a header row, among its first ten
rows, that names at least the login, a name, the e-mail and the profile. The
header names are matched after `normalize`, in French or English, with the
usual synonyms (see USER_COLUMNS). Columns may come in any order, and other
columns are ignored.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date

from pydantic import EmailStr, TypeAdapter, ValidationError

from .fields import Login
from .sheets import Problem, Sheet, cell_text, normalize, parse_yes_no

# How many rows from the top of a sheet may come before its header row.
HEADER_SEARCH_ROWS = 10

# Header names of each column, after `normalize`. "Nom" and "Name" are the
# last name when the sheet also has a first-name column, and the full name
# otherwise, as in the report's Utilisateurs sheet.
USER_COLUMNS: dict[str, frozenset[str]] = {
    "login": frozenset(
        {
            "identifiant",
            "identifiant de connexion",
            "login",
            "username",
            "user id",
            "userid",
            "nom d utilisateur",
            "code utilisateur",
        }
    ),
    "name": frozenset({"nom", "name"}),
    "last_name": frozenset(
        {"nom de famille", "last name", "lastname", "surname", "family name"}
    ),
    "full_name": frozenset(
        {
            "nom complet",
            "full name",
            "nom et prenom",
            "prenom et nom",
            "nom prenom",
            "prenom nom",
            "display name",
        }
    ),
    "first_name": frozenset(
        {"prenom", "first name", "firstname", "given name", "forename"}
    ),
    "email": frozenset(
        {
            "e mail",
            "email",
            "courriel",
            "mail",
            "mel",
            "adresse e mail",
            "adresse email",
            "adresse mail",
            "email address",
            "e mail address",
            "e mail professionnel",
            "email professionnel",
        }
    ),
    "structure": frozenset(
        {"structure", "agence", "agency", "branch", "bureau", "office", "site"}
    ),
    "profile": frozenset(
        {
            "profil",
            "profile",
            "profil de droit d utilisation",
            "profil de droits",
            "profil utilisateur",
            "user profile",
            "role",
        }
    ),
    "manager": frozenset(
        {
            "responsable",
            "manager",
            "superieur",
            "superieur hierarchique",
            "n 1",
            "rattache a",
            "reports to",
            "supervisor",
        }
    ),
    "manager_login": frozenset(
        {
            "identifiant du responsable",
            "identifiant responsable",
            "login du responsable",
            "manager login",
            "manager id",
        }
    ),
    "active": frozenset(
        {"actif", "active", "compte actif", "statut", "status", "enabled", "etat"}
    ),
}

_LOGIN = TypeAdapter(Login)
_EMAIL = TypeAdapter(EmailStr)

# Returns the text of one field of the current row, "" when the sheet lacks it.
TextOf = Callable[[str], str]


@dataclass
class UserRow:
    """One user read from the sheet, with the manager still as typed."""

    row: int
    login: str
    first_name: str
    last_name: str
    email: str
    profile: str
    structure: str | None
    manager_text: str
    active: bool
    manager: str | None = None
    hired_on: date | None = None


@dataclass
class UsersRead:
    """The users a sheet gives, in sheet order, and the rows it cannot use."""

    sheet: str
    users: list[UserRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


@dataclass(frozen=True)
class KnownNames:
    """The profiles, structures and names that a users sheet may refer to.

    `profiles` maps a profile's normalized label and its id to the id.
    `structures` lists the declared structures, empty when the org declares
    none. `names` maps a login to the (first name, last name) the org file
    already has, which settles how a full name splits. `profile_hint` ends the
    message about an unknown profile.
    """

    profiles: Mapping[str, str]
    profile_labels: list[str]
    structures: list[str]
    names: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    profile_hint: str = ""


def find_header(sheet: Sheet) -> tuple[int, dict[str, int]] | None:
    """Return the header row of a users sheet and the column of each field.

    When two columns match one field, the first one counts.
    """
    for row in range(1, min(len(sheet.rows), HEADER_SEARCH_ROWS) + 1):
        columns: dict[str, int] = {}
        for column, value in enumerate(sheet.rows[row - 1], 1):
            header = normalize(cell_text(value))
            for name, synonyms in USER_COLUMNS.items():
                if header in synonyms:
                    columns.setdefault(name, column)
        has_name = bool({"name", "last_name", "full_name"} & columns.keys())
        if has_name and {"login", "email", "profile"} <= columns.keys():
            return row, columns
    return None


def read_users(sheet: Sheet, known: KnownNames) -> UsersRead:
    """Read every user row under the header, then link each to their manager."""
    found = find_header(sheet)
    assert found is not None, "read_users needs a sheet that find_header accepts"
    header_row, columns = found
    result = UsersRead(sheet.title)
    seen_logins: dict[str, int] = {}
    seen_emails: dict[str, int] = {}
    skipped: dict[str, int] = {}

    for row in range(header_row + 1, len(sheet.rows) + 1):
        if sheet.is_empty_row(row):
            continue
        user, problem = _read_row(sheet, row, columns, known)
        if user is not None and user.login in seen_logins:
            problem = f"duplicate login '{user.login}'; row {seen_logins[user.login]} has it already"
        elif user is not None and user.email.casefold() in seen_emails:
            first = seen_emails[user.email.casefold()]
            problem = f"duplicate e-mail '{user.email}'; row {first} has it already"
        if problem is not None or user is None:
            login = sheet.text(row, columns["login"])
            if login:
                skipped.setdefault(login, row)
            result.problems.append(
                Problem(sheet.title, row, problem or "unreadable row")
            )
            continue
        seen_logins[user.login] = row
        seen_emails[user.email.casefold()] = row
        result.users.append(user)

    _link_managers(result, skipped)
    return result


def _read_row(
    sheet: Sheet, row: int, columns: dict[str, int], known: KnownNames
) -> tuple[UserRow | None, str | None]:
    """Return the user of one row, or None and what makes the row unreadable."""

    def text(name: str) -> str:
        return sheet.text(row, columns[name]) if name in columns else ""

    login = text("login")
    if not login:
        return None, "missing login"
    try:
        login = _LOGIN.validate_python(login)
    except ValidationError:
        return None, (
            f"invalid login '{login}'; a login starts with a letter or digit and "
            "holds only letters, digits, '.', '_', '@' and '-'"
        )

    names, problem = _names(login, text, columns, known)
    if names is None:
        return None, problem
    first_name, last_name = names

    email = text("email")
    if not email:
        return None, f"missing e-mail for '{login}'"
    try:
        email = str(_EMAIL.validate_python(email))
    except ValidationError:
        return None, f"invalid e-mail '{email}' for '{login}'"

    profile_text = text("profile")
    if not profile_text:
        return None, f"missing profile for '{login}'"
    profile = known.profiles.get(normalize(profile_text))
    if profile is None:
        listed = ", ".join(known.profile_labels)
        return None, (
            f"unknown profile '{profile_text}'; known profiles: {listed}"
            f"{known.profile_hint}"
        )

    structure, structure_problem = _structure(text("structure"), known)
    if structure_problem is not None:
        return None, structure_problem

    active = True
    if text("active"):
        parsed = parse_yes_no(sheet.cell(row, columns["active"]))
        if parsed is None:
            return (
                None,
                f"cannot read '{text('active')}' as Oui or Non in the active column",
            )
        active = parsed

    manager_text = text("manager_login") or text("manager")
    return (
        UserRow(
            row,
            login,
            first_name,
            last_name,
            email,
            profile,
            structure,
            manager_text,
            active,
        ),
        None,
    )


def _names(
    login: str,
    text: TextOf,
    columns: dict[str, int],
    known: KnownNames,
) -> tuple[tuple[str, str] | None, str]:
    """Return (first name, last name), or None and the reason."""
    if "first_name" in columns:
        first = text("first_name")
        last = text("last_name") or text("name")
        if not first or not last:
            missing = "first name" if not first else "last name"
            return None, f"missing {missing} for '{login}'"
        return (first, last), ""

    full = text("full_name") or text("name")
    if not full:
        return None, f"missing name for '{login}'"
    declared = known.names.get(login)
    if declared is not None and normalize(" ".join(declared)) == normalize(full):
        return declared, ""
    parts = full.split(None, 1)
    if len(parts) < 2:
        return None, (
            f"cannot split the name '{full}' into first and last name; add a "
            "Prénom column"
        )
    # NOTE: a full name splits at its first space, so "Marie Claire Dupont"
    # gives the first name "Marie". A Prénom column, or the org file that
    # drift compares with, gives the right split.
    return (parts[0], parts[1]), ""


def _structure(value: str, known: KnownNames) -> tuple[str | None, str | None]:
    if not value:
        if known.structures:
            listed = ", ".join(known.structures)
            return None, f"missing structure; the organisation declares {listed}"
        return None, None
    if not known.structures:
        return value, None
    for structure in known.structures:
        if normalize(structure) == normalize(value):
            return structure, None
    listed = ", ".join(known.structures)
    return None, f"unknown structure '{value}'; the organisation declares {listed}"


def _link_managers(result: UsersRead, skipped: dict[str, int]) -> None:
    """Resolve each typed manager to a login, then drop the users left without one.

    A manager is found by login, then by e-mail, then by full name. A user
    whose manager is on a skipped row, or who is part of a manager cycle, is
    skipped too, and so on down the hierarchy.
    """
    by_login = {user.login: user for user in result.users}
    by_email = {user.email.casefold(): user.login for user in result.users}
    by_name: dict[str, list[str]] = {}
    for user in result.users:
        by_name.setdefault(normalize(f"{user.first_name} {user.last_name}"), []).append(
            user.login
        )

    rejected: dict[str, str] = {}
    for user in result.users:
        typed = user.manager_text
        if not typed:
            continue
        if typed in by_login:
            user.manager = typed
        elif typed in skipped:
            rejected[user.login] = (
                f"manager '{typed}' is on row {skipped[typed]}, which is skipped"
            )
        elif typed.casefold() in by_email:
            user.manager = by_email[typed.casefold()]
        elif len(by_name.get(normalize(typed), [])) == 1:
            user.manager = by_name[normalize(typed)][0]
        elif len(by_name.get(normalize(typed), [])) > 1:
            logins = ", ".join(by_name[normalize(typed)])
            rejected[user.login] = (
                f"manager '{typed}' is ambiguous: {logins} have this name; use the login"
            )
        else:
            rejected[user.login] = (
                f"unknown manager '{typed}'; no user has this login, e-mail or name"
            )
        if user.manager == user.login:
            rejected[user.login] = f"user '{user.login}' is their own manager"

    for cycle in _manager_cycles(result.users):
        chain = " -> ".join([*cycle, cycle[0]])
        for login in cycle:
            rejected.setdefault(login, f"the manager hierarchy has a cycle: {chain}")

    rows = {user.login: user.row for user in result.users}
    changed = True
    while changed:
        changed = False
        for user in result.users:
            manager = user.manager
            if user.login in rejected or manager is None or manager not in rejected:
                continue
            rejected[user.login] = (
                f"manager '{manager}' is on row {rows[manager]}, which is skipped"
            )
            changed = True

    for user in result.users:
        if user.login in rejected:
            result.problems.append(
                Problem(result.sheet, user.row, rejected[user.login])
            )
    result.users = [user for user in result.users if user.login not in rejected]
    result.problems.sort(key=lambda problem: problem.row or 0)


def _manager_cycles(users: list[UserRow]) -> list[list[str]]:
    managers = {
        user.login: user.manager for user in users if user.manager != user.login
    }
    cycles: list[list[str]] = []
    done: set[str] = set()
    for start in managers:
        trail: list[str] = []
        current: str | None = start
        while current is not None and current in managers and current not in done:
            if current in trail:
                cycles.append(trail[trail.index(current) :])
                break
            trail.append(current)
            current = managers[current]
        done.update(trail)
    return cycles
