"""`o2s-config import`: an org file from a workbook of the O2S set-up.

The workbook is the one `report --format xlsx` writes, in French or English,
or any workbook with a users sheet that an administrator typed (see
users_sheet.py). The importer reads three sheets:

- the establishment sheet (header Rubrique, Champ, Valeur), for the
  establishment and its structures;
- the profiles sheet (header Onglet, Clé, Droit and one column per profile),
  for each profile's label, "Profil validé" and effective rights;
- the users sheet, for the accounts and their responsable.

The report's Hiérarchie and Visibilité sheets are derived from the users and
profiles, so the importer does not read them. An org file given as
`defaults` supplies the establishment and the profiles when the workbook has
no such sheet. Each profile becomes the shortest definition that gives the
rights read (see infer.py), and the importer compiles the file it writes and
checks every profile against the workbook before returning it.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl.utils import get_column_letter
from pydantic import ValidationError

from .catalogue import Catalogue, Right, load_catalogue
from .catalogue.model import RIGHT_KEY_PATTERN
from .compiled import CompiledOrg
from .emit.messages import MESSAGES
from .fields import PROFILE_ID
from .infer import ProfileDefinition, infer_profiles, unmet_requirement
from .model import BASE_TEMPLATES, BUILTIN_ADMINISTRATOR, Establishment
from .org_yaml import render_org
from .pipeline import compile_bytes
from .resolve import ADMINISTRATOR_LABEL, Value
from .sheets import Problem, Sheet, cell_text, load_sheets, normalize, parse_yes_no
from .users_sheet import KnownNames, UserRow, find_header, read_users

# The path of the org schema that `o2s-config schema` writes by default,
# relative to the folder it runs in.
DEFAULT_SCHEMA = Path("schemas") / "org.schema.json"

# Rows from the top of a sheet that may come before its header row. The
# profiles sheet of the report has four rows of profile details first.
HEADER_SEARCH_ROWS = 20

_SHEET_NAMES = {
    "establishment": frozenset({"etablissement", "establishment"}),
    "profiles": frozenset({"profils", "profiles"}),
}
_ADMINISTRATOR_NAMES = frozenset(
    {BUILTIN_ADMINISTRATOR, normalize(ADMINISTRATOR_LABEL), "administrator"}
)

_CONTACT_FIELDS = ("name", "contact_email", "address", "phone", "website")
_LEGAL_FIELDS = ("form", "share_capital", "siren", "siret", "rcs", "vat_number", "naf")
_INTERMEDIATION_FIELDS = (
    "orias",
    "categories",
    "associations",
    "rc_pro",
    "mediator",
    "real_estate_card",
)
_ESTABLISHMENT_FIELDS = (
    *_CONTACT_FIELDS,
    "structures",
    *_LEGAL_FIELDS,
    *_INTERMEDIATION_FIELDS,
)
# The report's field labels in both languages, and the field names themselves.
_FIELD_BY_LABEL = {
    **{normalize(name): name for name in _ESTABLISHMENT_FIELDS},
    **{
        normalize(MESSAGES[lang][name]): name
        for lang in MESSAGES
        for name in _ESTABLISHMENT_FIELDS
    },
}
# Identifiers that a spreadsheet turns into numbers, losing leading zeros,
# with the number of digits that puts them back.
_DIGITS = {"siren": 9, "siret": 14, "orias": 8}

_KEY_HEADERS = frozenset({"cle", "key", "cle du droit", "right key"})
_RIGHT_HEADERS = frozenset({"droit", "right"})
_TAB_HEADERS = frozenset({"onglet", "tab"})
_ID_LABELS = frozenset({"identifiant du profil", "profile id"})
_VALIDATED_LABELS = frozenset({"profil valide", "validated profile"})
_RIGHT_KEY = re.compile(RIGHT_KEY_PATTERN)
_POSTAL_AND_CITY = re.compile(r"(?P<code>[0-9A-Z][0-9A-Z-]{1,9})\s+(?P<city>\S.*)")


@dataclass
class ImportResult:
    """The result of an import: the org file, its compiled form, and the problems.

    `text` and `org` are None when a fatal problem stops the import. Other
    problems are rows that the import skipped.
    """

    text: str | None
    org: CompiledOrg | None
    problems: list[Problem]
    sheets: list[str]

    @property
    def fatal(self) -> bool:
        return any(problem.fatal for problem in self.problems)


@dataclass
class _Profile:
    """One profile read from the workbook or taken from the defaults."""

    id: str
    label: str
    validated: bool
    values: dict[str, Value]
    description: str | None = None
    max_tenure_days: int | None = None


@dataclass
class _Profiles:
    profiles: list[_Profile] = field(default_factory=list)
    custom_rights: list[Right] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def import_workbook(
    path: Path,
    output: Path | None = None,
    defaults: CompiledOrg | None = None,
    display_name: str | None = None,
) -> ImportResult:
    """Read a workbook and return the org file that reproduces it.

    `output` is where the file will be written, which sets the relative path
    of the schema in its first line. Raises InputFileError when the workbook
    cannot be opened.
    """
    name = display_name or str(path)
    sheets = load_sheets(path)
    problems: list[Problem] = []
    used: list[str] = []
    catalogue = defaults.catalogue if defaults is not None else load_catalogue()

    establishment_sheet = _find_sheet(sheets, _establishment_header)
    profiles_sheet = _find_sheet(sheets, _profiles_header)
    users_sheet = next((s for s in sheets if find_header(s) is not None), None)
    problems.extend(_unrecognised(sheets, establishment_sheet, profiles_sheet))

    if establishment_sheet is not None:
        used.append(establishment_sheet.title)
    establishment, structures, found = _establishment_source(
        establishment_sheet, defaults
    )
    problems.extend(found)

    if profiles_sheet is not None:
        used.append(profiles_sheet.title)
        read = _read_profiles(profiles_sheet, catalogue, defaults)
        catalogue = (
            catalogue.extended(read.custom_rights) if read.custom_rights else catalogue
        )
    else:
        read = _profiles_from_org(defaults)
    problems.extend(read.problems)

    if users_sheet is None:
        problems.append(
            Problem(
                "",
                None,
                "no users sheet: no sheet has a header row with the columns "
                "Identifiant, Nom, E-mail and Profil",
                fatal=True,
            )
        )
        return ImportResult(None, None, problems, used)
    used.append(users_sheet.title)
    known = _known_names(read.profiles, structures, defaults)
    if profiles_sheet is None and defaults is None:
        known = replace(
            known,
            profile_hint="; the workbook has no profiles sheet, so add the report's "
            "Profils sheet or take the profiles from an org file (--defaults-from)",
        )
    users = read_users(users_sheet, known)
    problems.extend(users.problems)

    if establishment is None or any(problem.fatal for problem in problems):
        return ImportResult(None, None, problems, used)

    try:
        definitions = infer_profiles(
            catalogue, {profile.id: profile.values for profile in read.profiles}
        )
    except ValueError as exc:
        problems.append(
            Problem(
                profiles_sheet.title if profiles_sheet else "",
                None,
                str(exc),
                fatal=True,
            )
        )
        return ImportResult(None, None, problems, used)

    shipped = load_catalogue()
    data = _org_data(
        establishment,
        structures,
        [right for key, right in catalogue.rights.items() if key not in shipped],
        read.profiles,
        definitions,
        users.users,
        defaults,
    )
    header = _header(
        name, used, defaults, establishment_sheet, profiles_sheet, problems, output
    )
    text = render_org(data, header)
    org, invalid = _compile_and_verify(text, name, users_sheet.title, read.profiles)
    problems.extend(invalid)
    if org is None:
        return ImportResult(None, None, problems, used)
    return ImportResult(text, org, problems, used)


def _establishment_source(
    sheet: Sheet | None, defaults: CompiledOrg | None
) -> tuple[dict[str, Any] | None, list[str], list[Problem]]:
    """Return the establishment data and the structures, from the sheet or else
    from the defaults, with the problems found."""
    if sheet is not None:
        return _read_establishment(sheet)
    if defaults is not None:
        establishment = defaults.establishment.model_dump(
            mode="json", exclude_none=True
        )
        return establishment, list(defaults.structures), []
    problem = Problem(
        "",
        None,
        "no establishment sheet: no sheet has a header row with Rubrique, Champ "
        "and Valeur, and the org file needs the establishment's name and contact "
        "e-mail",
        fatal=True,
    )
    return None, [], [problem]


def _compile_and_verify(
    text: str, name: str, users_sheet: str, profiles: list[_Profile]
) -> tuple[CompiledOrg | None, list[Problem]]:
    """Compile the org file written from the workbook and check its profiles.

    An error of the compiled file, such as no active administrator, is a
    fatal problem of the users sheet.
    """
    compiled = compile_bytes(text.encode("utf-8"), f"{name} (imported)")
    if compiled.org is None:
        problems = []
        for diagnostic in compiled.diagnostics:
            if diagnostic.is_error:
                hint = f"; {diagnostic.hint}" if diagnostic.hint else ""
                message = f"the imported organisation is invalid: {diagnostic.message}"
                problems.append(Problem(users_sheet, None, message + hint, fatal=True))
        return None, problems
    _verify(compiled.org, profiles)
    return compiled.org, []


def _find_sheet(sheets: list[Sheet], header: Any) -> Sheet | None:
    return next((sheet for sheet in sheets if header(sheet) is not None), None)


def _unrecognised(
    sheets: list[Sheet], establishment: Sheet | None, profiles: Sheet | None
) -> list[Problem]:
    """Report a sheet named like the establishment or profiles sheet whose header
    row is not found, since its content would otherwise be silently ignored."""
    problems = []
    for sheet in sheets:
        title = normalize(sheet.title)
        if title in _SHEET_NAMES["establishment"] and establishment is None:
            problems.append(
                Problem(
                    sheet.title,
                    None,
                    "no header row with Rubrique, Champ and Valeur (or Section, Field "
                    "and Value) in the first rows",
                    fatal=True,
                )
            )
        if title in _SHEET_NAMES["profiles"] and profiles is None:
            problems.append(
                Problem(
                    sheet.title,
                    None,
                    "no header row with Onglet, Clé and Droit (or Tab, Key and Right) "
                    "in the first rows",
                    fatal=True,
                )
            )
    return problems


# The establishment sheet


def _establishment_header(sheet: Sheet) -> tuple[int, int, int] | None:
    """Return (header row, field column, value column) of an establishment sheet."""
    for row in range(1, min(len(sheet.rows), HEADER_SEARCH_ROWS) + 1):
        names = [normalize(cell_text(value)) for value in sheet.rows[row - 1]]
        field_column = _index_of(names, {"champ", "field"})
        value_column = _index_of(names, {"valeur", "value"})
        if field_column and value_column:
            return row, field_column, value_column
    return None


def _index_of(names: list[str], headers: set[str] | frozenset[str]) -> int | None:
    return next((index for index, name in enumerate(names, 1) if name in headers), None)


def _read_establishment(
    sheet: Sheet,
) -> tuple[dict[str, Any] | None, list[str], list[Problem]]:
    """Return the establishment data, the structures and the problems of the sheet."""
    found = _establishment_header(sheet)
    assert found is not None
    header_row, field_column, value_column = found
    problems: list[Problem] = []
    raw: dict[str, object] = {}
    rows: dict[str, int] = {}
    labels: dict[str, str] = {}

    for row in range(header_row + 1, len(sheet.rows) + 1):
        if sheet.is_empty_row(row):
            continue
        label = sheet.text(row, field_column)
        name = _FIELD_BY_LABEL.get(normalize(label))
        if name is None:
            problems.append(Problem(sheet.title, row, f"unknown field '{label}'"))
            continue
        if name in rows:
            problems.append(
                Problem(
                    sheet.title, row, f"field '{label}' is also on row {rows[name]}"
                )
            )
            continue
        rows[name] = row
        labels[name] = label
        value = sheet.cell(row, value_column)
        if cell_text(value):
            raw[name] = value

    values: dict[str, Any] = {}
    for name, value in raw.items():
        parsed, problem = _field_value(name, value)
        if problem is not None:
            problems.append(Problem(sheet.title, rows[name], problem))
        else:
            values[name] = parsed
    structures = values.pop("structures", [])

    for required in ("name", "contact_email"):
        if required not in values:
            label = MESSAGES["fr"][required]
            problems.append(
                Problem(sheet.title, None, f"missing the field '{label}'", fatal=True)
            )
    if any(problem.fatal for problem in problems):
        return None, structures, problems

    establishment = _validate_establishment(sheet, values, rows, labels, problems)
    return establishment, structures, problems


def _field_value(name: str, value: object) -> tuple[Any, str | None]:
    """Return the value of an establishment field as the org file writes it."""
    text = cell_text(value)
    if (
        name in _DIGITS
        and isinstance(value, int | float)
        and not isinstance(value, bool)
    ):
        return text.zfill(_DIGITS[name]), None
    if name == "address":
        return _address(text)
    if name == "share_capital":
        return _amount(value)
    if name in ("categories", "associations", "structures"):
        return [part.strip() for part in text.split(",") if part.strip()], None
    if name == "rc_pro":
        insurer, policy = _split_last(text, r",\s*(?:police|policy)\s+")
        return {
            "insurer": insurer,
            **({"policy_number": policy} if policy else {}),
        }, None
    if name == "real_estate_card":
        number, issuer = _split_last(text, r",\s*(?:d[ée]livr[ée]e par|issued by)\s+")
        return {"number": number, **({"issued_by": issuer} if issuer else {})}, None
    return text, None


def _address(text: str) -> tuple[dict[str, str] | None, str | None]:
    """Split the report's "line 1, line 2, postal code city, country".

    The part that starts with a postal code splits the rest: what comes
    before is line 1 and line 2, what comes after is the country.
    """
    parts = [part.strip() for part in text.split(",") if part.strip()]
    for index in range(len(parts) - 1, 0, -1):
        found = _POSTAL_AND_CITY.fullmatch(parts[index])
        if found is None or not any(char.isdigit() for char in found["code"]):
            continue
        # NOTE: a comma inside the first line of the address moves the rest of
        # that line into line2, since the report joins the parts with commas.
        address = {"line1": parts[0]}
        if index > 1:
            address["line2"] = ", ".join(parts[1:index])
        address["postal_code"] = found["code"]
        address["city"] = found["city"]
        country = ", ".join(parts[index + 1 :])
        # France is the default country, which the org file leaves out.
        if country and country != "France":
            address["country"] = country
        return address, None
    return None, (
        f"cannot read the address '{text}'; write it as 'line 1, postal code city, country'"
    )


def _amount(value: object) -> tuple[int | float | None, str | None]:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return (int(value) if float(value).is_integer() else value), None
    text = cell_text(value)
    compact = re.sub(r"[\s\u202f\u00a0€]|EUR", "", text).replace(",", ".")
    try:
        amount = float(compact)
    except ValueError:
        return None, f"cannot read the amount '{text}'; write it as a number of euros"
    return (int(amount) if amount.is_integer() else amount), None


def _split_last(text: str, separator: str) -> tuple[str, str | None]:
    matches = list(re.finditer(separator, text))
    if not matches:
        return text, None
    last = matches[-1]
    return text[: last.start()].strip(), text[last.end() :].strip() or None


def _establishment_data(values: dict[str, Any]) -> dict[str, Any]:
    data = {name: values[name] for name in _CONTACT_FIELDS if name in values}
    legal = {name: values[name] for name in _LEGAL_FIELDS if name in values}
    intermediation = {
        name: values[name] for name in _INTERMEDIATION_FIELDS if name in values
    }
    if legal:
        data["legal"] = legal
    if intermediation:
        data["intermediation"] = intermediation
    return data


def _validate_establishment(
    sheet: Sheet,
    values: dict[str, Any],
    rows: dict[str, int],
    labels: dict[str, str],
    problems: list[Problem],
) -> dict[str, Any] | None:
    """Check the fields with the org file's model, dropping each field that fails.

    Returns None, with a fatal problem, when the name or the contact e-mail
    fails, since the org file cannot do without them.
    """
    while True:
        data = _establishment_data(values)
        try:
            Establishment.model_validate(data, strict=True)
            return data
        except ValidationError as exc:
            failed: set[str] = set()
            for item in exc.errors():
                name = _field_of_error(item)
                if name is None or name in failed:
                    continue
                failed.add(name)
                fatal = name in ("name", "contact_email")
                label = labels.get(name, name)
                typed = values.get(name)
                value = f" '{typed}'" if isinstance(typed, str) else ""
                problems.append(
                    Problem(
                        sheet.title,
                        rows.get(name),
                        f"invalid {label}{value}: {item['msg']}",
                        fatal=fatal,
                    )
                )
            dropped = failed & values.keys()
            if not dropped or failed & {"name", "contact_email"}:
                if not dropped:
                    problems.append(
                        Problem(
                            sheet.title,
                            None,
                            f"invalid establishment: {exc}",
                            fatal=True,
                        )
                    )
                return None
            for name in dropped:
                del values[name]


def _field_of_error(item: Any) -> str | None:
    """Return the sheet field an error of the Establishment model is about."""
    location = [part for part in item["loc"] if isinstance(part, str)]
    context = item.get("ctx") or {}
    if context.get("field") in _ESTABLISHMENT_FIELDS:
        return str(context["field"])
    if not location:
        return None
    if location[0] in ("legal", "intermediation") and len(location) > 1:
        return location[1]
    return location[0]


# The profiles sheet


@dataclass(frozen=True)
class _ProfilesLayout:
    header_row: int
    key_column: int | None
    right_column: int | None
    first_profile_column: int


def _profiles_header(sheet: Sheet) -> _ProfilesLayout | None:
    for row in range(1, min(len(sheet.rows), HEADER_SEARCH_ROWS) + 1):
        names = [normalize(cell_text(value)) for value in sheet.rows[row - 1]]
        key_column = _index_of(names, _KEY_HEADERS)
        if key_column is None:
            continue
        right_column = _index_of(names, _RIGHT_HEADERS)
        tab_column = _index_of(names, _TAB_HEADERS)
        last = max(c for c in (key_column, right_column, tab_column) if c is not None)
        return _ProfilesLayout(row, key_column, right_column, last + 1)
    return None


def _read_profiles(
    sheet: Sheet, catalogue: Catalogue, defaults: CompiledOrg | None
) -> _Profiles:
    layout = _profiles_header(sheet)
    assert layout is not None
    result = _Profiles()
    columns = _profile_columns(sheet, layout, defaults, result)
    builtin_column = next((c for c, p in columns.items() if p is None), None)
    profiles = {column: p for column, p in columns.items() if p is not None}

    seen: dict[str, int] = {}
    for row in range(layout.header_row + 1, len(sheet.rows) + 1):
        key = sheet.text(row, layout.key_column) if layout.key_column else ""
        label = sheet.text(row, layout.right_column) if layout.right_column else ""
        if not key and not label:
            break
        right, problem = _right_of_row(sheet, row, key, label, catalogue, [*columns])
        if right is None:
            result.problems.append(
                Problem(sheet.title, row, problem or "unreadable row")
            )
            continue
        if right.key in seen:
            result.problems.append(
                Problem(
                    sheet.title,
                    row,
                    f"right '{right.key}' is also on row {seen[right.key]}",
                )
            )
            continue
        seen[right.key] = row
        if right.key not in catalogue:
            result.custom_rights.append(right)
        for column, profile in profiles.items():
            value = _right_value(catalogue, right, sheet.cell(row, column))
            if value is None:
                typed = sheet.text(row, column)
                result.problems.append(
                    Problem(
                        sheet.title,
                        row,
                        f"cannot read '{typed}' as {_expected(right)} for {right.key} "
                        f"of profile '{profile.label}'",
                        column,
                    )
                )
            else:
                profile.values[right.key] = value
        if builtin_column is not None:
            _check_administrator(sheet, row, builtin_column, right, catalogue, result)

    full = (
        catalogue.extended(result.custom_rights) if result.custom_rights else catalogue
    )
    for key, right in full.rights.items():
        if key not in seen:
            result.problems.append(
                Problem(
                    sheet.title,
                    layout.header_row,
                    f"no row for the right {key} ({right.label_fr}); add one with its "
                    "key and each profile's value",
                )
            )
    for column, profile in profiles.items():
        _drop_unmet_requirements(sheet, column, profile, full, seen, result)
    result.profiles = list(profiles.values())
    return result


def _profile_columns(
    sheet: Sheet,
    layout: _ProfilesLayout,
    defaults: CompiledOrg | None,
    result: _Profiles,
) -> dict[int, _Profile | None]:
    """Return each profile column: its profile, or None for the built-in administrator."""
    id_row = validated_row = None
    for row in range(1, layout.header_row):
        labels = [
            normalize(sheet.text(row, column))
            for column in range(1, layout.first_profile_column)
        ]
        if _ID_LABELS & set(labels):
            id_row = row
        if _VALIDATED_LABELS & set(labels):
            validated_row = row

    declared = {}
    if defaults is not None:
        declared = {
            normalize(p.label): pid
            for pid, p in defaults.profiles.items()
            if not p.builtin
        }
    columns: dict[int, _Profile | None] = {}
    ids: dict[str, int] = {}
    labels_seen: dict[str, int] = {}
    for column in range(layout.first_profile_column, sheet.width() + 1):
        label = sheet.text(layout.header_row, column)
        profile_id = sheet.text(id_row, column) if id_row else ""
        if not label and not profile_id:
            continue
        if profile_id == BUILTIN_ADMINISTRATOR or (
            not profile_id and normalize(label) in _ADMINISTRATOR_NAMES
        ):
            columns[column] = None
            continue
        problem = None
        if not label:
            problem = f"missing label of profile '{profile_id}'"
        elif normalize(label) in labels_seen:
            other = get_column_letter(labels_seen[normalize(label)])
            problem = f"profile label '{label}' is the same as that of column {other}"
        if not profile_id and problem is None:
            profile_id = _profile_id(label, ids, declared)
        if problem is None:
            problem = _profile_id_problem(profile_id, ids)
        if problem is not None:
            result.problems.append(
                Problem(sheet.title, layout.header_row, problem, column)
            )
            continue
        validated = True
        if validated_row and sheet.text(validated_row, column):
            parsed = parse_yes_no(sheet.cell(validated_row, column))
            if parsed is None:
                result.problems.append(
                    Problem(
                        sheet.title,
                        validated_row,
                        f"cannot read '{sheet.text(validated_row, column)}' as Oui or Non "
                        f"for 'Profil validé' of profile '{label}', so it stays validated",
                        column,
                    )
                )
            else:
                validated = parsed
        ids[profile_id] = column
        labels_seen[normalize(label)] = column
        columns[column] = _Profile(profile_id, label, validated, {})
    return columns


def _profile_id(label: str, taken: dict[str, int], declared: dict[str, str]) -> str:
    """Return an id for a profile the sheet gives without one: the id the org
    file has for this label, or one made from the label."""
    known = declared.get(normalize(label))
    if known is not None and known not in taken:
        return known
    slug = normalize(label).replace(" ", "_")[:56] or "profile"
    if not slug[0].isalpha():
        slug = f"profile_{slug}"
    if slug in (*BASE_TEMPLATES, BUILTIN_ADMINISTRATOR):
        slug = f"{slug}_profile"
    candidate, number = slug, 2
    while candidate in taken:
        candidate, number = f"{slug}_{number}", number + 1
    return candidate


def _profile_id_problem(profile_id: str, taken: dict[str, int]) -> str | None:
    if not PROFILE_ID.fullmatch(profile_id):
        return (
            f"invalid profile id '{profile_id}'; ids are lowercase letters, digits, "
            "'-' and '_', starting with a letter"
        )
    if profile_id in BASE_TEMPLATES:
        return (
            f"profile id '{profile_id}' is reserved for the base templates all and none"
        )
    if profile_id in taken:
        return f"profile id '{profile_id}' is also in column {get_column_letter(taken[profile_id])}"
    return None


def _right_of_row(
    sheet: Sheet,
    row: int,
    key: str,
    label: str,
    catalogue: Catalogue,
    columns: list[int],
) -> tuple[Right | None, str | None]:
    """Return the right a row of the profiles sheet is about.

    A row with no key is matched by its label. A key the catalogue lacks is
    a right of the org's own, whose type the values tell: Oui/Non for a
    yes/no right, drop-down texts for a scope.
    """
    if not key:
        typed_label = normalize(label)
        for right in catalogue.rights.values():
            if typed_label in (normalize(right.label_fr), normalize(right.label_en)):
                return right, None
        return None, f"unknown right '{label}'; write its key in the key column"
    if key in catalogue:
        return catalogue[key], None
    if not _RIGHT_KEY.fullmatch(key):
        return None, f"invalid right key '{key}'; a key is <tab>.<name> in lowercase"
    tab = key.split(".", 1)[0]
    if not catalogue.has_tab(tab):
        tabs = ", ".join(t.id for t in catalogue.tabs)
        return None, f"right '{key}' names the unknown tab '{tab}'; the tabs are {tabs}"

    values = [
        sheet.cell(row, column)
        for column in columns
        if cell_text(sheet.cell(row, column))
    ]
    right_label = label or key
    if values and all(parse_yes_no(value) is not None for value in values):
        return Right(
            key=key, type="boolean", label_fr=right_label, label_en=right_label
        ), None
    families = [tab] if tab in catalogue.scope_options else []
    families += [name for name in catalogue.scope_options if name not in families]
    for family in families:
        if values and all(_option_of(catalogue, family, value) for value in values):
            return (
                Right(
                    key=key,
                    type="scope",
                    label_fr=right_label,
                    label_en=right_label,
                    options=("own", "attached", "group", "all"),
                    option_labels=family,
                ),
                None,
            )
    return None, (
        f"right '{key}' is not in the catalogue, and its values are neither all Oui/Non "
        "nor all drop-down texts of a scope"
    )


def _option_of(catalogue: Catalogue, family: str, value: object) -> str | None:
    typed = normalize(cell_text(value))
    for option, label in catalogue.scope_options.get(family, {}).items():
        if typed in (option, normalize(label.label_fr), normalize(label.label_en)):
            return option
    return None


def _right_value(catalogue: Catalogue, right: Right, value: object) -> Value | None:
    if not right.is_scope:
        return parse_yes_no(value)
    options = right.options or ()
    if right.key not in catalogue:
        found = _option_of(catalogue, right.option_labels or "", value)
        return found if found in options else None
    typed = normalize(cell_text(value))
    for option in options:
        names = {
            option,
            normalize(catalogue.option_label(right.key, option, "fr")),
            normalize(catalogue.option_label(right.key, option, "en")),
        }
        if typed in names:
            return option
    return None


def _expected(right: Right) -> str:
    return "a drop-down option" if right.is_scope else "Oui or Non"


def _check_administrator(
    sheet: Sheet,
    row: int,
    column: int,
    right: Right,
    catalogue: Catalogue,
    result: _Profiles,
) -> None:
    value = sheet.cell(row, column)
    expected: Value = right.widest if right.is_scope else True
    if _right_value(catalogue, right, value) != expected:
        result.problems.append(
            Problem(
                sheet.title,
                row,
                f"the built-in profile {ADMINISTRATOR_LABEL} holds every right at its "
                f"widest, so {right.key} cannot be '{cell_text(value)}'",
                column,
            )
        )


def _drop_unmet_requirements(
    sheet: Sheet,
    column: int,
    profile: _Profile,
    catalogue: Catalogue,
    rows: dict[str, int],
    result: _Profiles,
) -> None:
    """Report, and leave open, each value that a dependency rule makes impossible.

    O2S unticks agenda.edit_others by itself when agenda.view is own, so a
    workbook that shows both was edited by hand and cannot be reproduced.
    """
    for key in list(profile.values):
        requirement = unmet_requirement(catalogue, key, profile.values)
        if requirement is None:
            continue
        required = catalogue[key].requires
        assert required is not None
        result.problems.append(
            Problem(
                sheet.title,
                rows[key],
                f"{key} is on in profile '{profile.label}', but it {requirement} and "
                f"{required.right} is {profile.values[required.right]}, so O2S turns it off",
                column,
            )
        )
        del profile.values[key]


def _profiles_from_org(defaults: CompiledOrg | None) -> _Profiles:
    """Take every profile of the defaults org, in file order, with its resolved rights."""
    result = _Profiles()
    if defaults is None:
        return result
    ordered = sorted(
        (p for p in defaults.profiles.values() if not p.builtin),
        key=lambda p: (p.location.line if p.location else 0, p.id),
    )
    for profile in ordered:
        result.profiles.append(
            _Profile(
                profile.id,
                profile.label,
                profile.validated,
                profile.values(),
                profile.description,
                profile.max_tenure_days,
            )
        )
    return result


def _known_names(
    profiles: list[_Profile], structures: list[str], defaults: CompiledOrg | None
) -> KnownNames:
    lookup = {name: BUILTIN_ADMINISTRATOR for name in _ADMINISTRATOR_NAMES}
    for profile in profiles:
        lookup[normalize(profile.id)] = profile.id
    for profile in profiles:
        lookup[normalize(profile.label)] = profile.id
    names = {}
    if defaults is not None:
        names = {
            login: (user.first_name, user.last_name)
            for login, user in defaults.users.items()
        }
    labels = [ADMINISTRATOR_LABEL, *(profile.label for profile in profiles)]
    return KnownNames(lookup, labels, structures, names)


# The org file


def _org_data(
    establishment: dict[str, Any],
    structures: list[str],
    custom_rights: list[Right],
    profiles: list[_Profile],
    definitions: dict[str, ProfileDefinition],
    users: list[UserRow],
    defaults: CompiledOrg | None,
) -> dict[str, Any]:
    data: dict[str, Any] = {"version": 1, "establishment": establishment}
    if structures:
        data["structures"] = structures
    if custom_rights:
        data["rights"] = [
            right.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
            for right in custom_rights
        ]
    data["profiles"] = {
        profile.id: _profile_data(profile, definitions[profile.id])
        for profile in profiles
    }
    hired = {}
    if defaults is not None:
        hired = {
            login: user.hired_on
            for login, user in defaults.users.items()
            if user.hired_on
        }
    data["users"] = [_user_data(user, hired.get(user.login)) for user in users]
    return data


def _profile_data(profile: _Profile, definition: ProfileDefinition) -> dict[str, Any]:
    data: dict[str, Any] = {"label": profile.label}
    if not profile.validated:
        data["validated"] = False
    if profile.description:
        data["description"] = profile.description
    data["base"] = definition.base
    if profile.max_tenure_days is not None:
        data["max_tenure_days"] = profile.max_tenure_days
    # Sorted as `o2s-config fmt` sorts them.
    if definition.allow:
        data["allow"] = sorted(definition.allow)
    if definition.deny:
        data["deny"] = sorted(definition.deny)
    if definition.scopes:
        data["scopes"] = dict(definition.scopes)
    return data


def _user_data(user: UserRow, hired_on: date | None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "login": user.login,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
    }
    if user.structure:
        data["structure"] = user.structure
    data["profile"] = user.profile
    if user.manager:
        data["manager"] = user.manager
    if not user.active:
        data["active"] = False
    if hired_on is not None:
        data["hired_on"] = hired_on.isoformat()
    return data


def _header(
    name: str,
    sheets: list[str],
    defaults: CompiledOrg | None,
    establishment_sheet: Sheet | None,
    profiles_sheet: Sheet | None,
    problems: list[Problem],
    output: Path | None,
) -> list[str]:
    lines = [f"yaml-language-server: $schema={_schema_reference(output)}", ""]
    lines.append(
        f"Imported by o2s-config from {_printable(name)}, sheets {', '.join(map(_printable, sheets))}."
    )
    from_defaults = [
        part
        for part, sheet in (
            ("establishment", establishment_sheet),
            ("profiles", profiles_sheet),
        )
        if sheet is None
    ]
    if defaults is not None and from_defaults:
        lines.append(
            f"The {' and '.join(from_defaults)} come from {_printable(defaults.source_name)}, "
            "since the workbook has no such sheet."
        )
    lines += [
        "Each profile is the shortest definition that gives the rights of the",
        "workbook.",
    ]
    missing = ["Checks", "policies"]
    if defaults is None or profiles_sheet is not None:
        missing.append("profile descriptions")
    if defaults is None:
        missing.append("dates of hire")
    else:
        lines.append(f"Dates of hire come from {_printable(defaults.source_name)}.")
    lines.append(
        f"{', '.join(missing[:-1])} and {missing[-1]} are not in the workbook."
    )
    if problems:
        lines.append(
            f"{len(problems)} unreadable rows or cells were skipped, which "
            "'o2s-config import' without --partial lists."
        )
    return lines


def _printable(text: str) -> str:
    return "".join(char if char.isprintable() else "?" for char in text)


def _schema_reference(output: Path | None) -> str:
    """Return the path from the output's folder to schemas/org.schema.json.

    The schemas folder is the one of the current folder, where `o2s-config
    schema` writes it by default, when the output is inside the current
    folder, and the one next to the output otherwise.
    """
    if output is None:
        return DEFAULT_SCHEMA.as_posix()
    cwd = Path.cwd().resolve()
    folder = (output.parent if str(output.parent) else Path(".")).resolve()
    if not folder.is_relative_to(cwd):
        return DEFAULT_SCHEMA.as_posix()
    return Path(os.path.relpath(cwd / DEFAULT_SCHEMA, folder)).as_posix()


def _verify(org: CompiledOrg, profiles: list[_Profile]) -> None:
    """Check that every profile of the written file resolves to the values read.

    A difference is a bug in infer.py, so it raises instead of writing a file
    that grants other rights than the workbook shows.
    """
    for profile in profiles:
        resolved = org.profiles[profile.id].values()
        wrong = {
            key: (value, resolved.get(key))
            for key, value in profile.values.items()
            if resolved.get(key) != value
        }
        if wrong:
            raise RuntimeError(
                f"the imported profile {profile.id} resolves to other values than the "
                f"workbook (expected, resolved): {wrong}"
            )
