"""The Excel report: a workbook with the establishment, the rights matrix, the
users, the hierarchy and the visibility, one sheet each.

Every sheet has frozen header rows, an autofilter and column widths fitted to
its content. Text is always written as text: a cell that a spreadsheet would
run as a formula (see `formula_like`) is stored as a string with Excel's quote
prefix, never as a formula. The document properties carry a fixed date and
the zip entries a fixed timestamp, so the same input gives the same bytes
with the same openpyxl and zlib versions.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from datetime import datetime

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from ..catalogue import Lang
from ..compiled import CompiledOrg
from .messages import text
from .report_tables import (
    base_label,
    base_values,
    display_order,
    establishment_sections,
    formula_like,
    manager_of,
    rights_by_tab,
    scope_legend,
    user_visibility,
)

FIXED_DATE = datetime(2000, 1, 1)
ZIP_DATE = (2000, 1, 1, 0, 0, 0)
CREATOR = "o2s-config"

# Column widths in characters of the default font, and the height of one
# line of wrapped text in points (an estimate for 11 pt Calibri).
MIN_WIDTH = 8
MAX_WIDTH = 60
LINE_HEIGHT = 15

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F3A5F")
LABEL_FONT = Font(bold=True)
DIFFERS_FILL = PatternFill("solid", fgColor="FFF1C2")
YES_FONT = Font(color="1B7A3D")
NO_FONT = Font(color="8A94A0")
TAB_BORDER = Border(top=Side(style="medium", color="1F3A5F"))
WRAP = Alignment(wrap_text=True, vertical="top")
LEFT = Alignment(horizontal="left")

# The profiles sheet: rows 1 to 4 describe each profile above the table
# header, and the tab, key and label columns come before the profiles.
PROFILE_INFO_ROWS = 4
FIRST_PROFILE_COLUMN = 4
# Scope labels wrap in the profile columns, which keeps those narrow.
PROFILE_COLUMN_WIDTH = 24

Value = str | int | float | None


def render_xlsx(org: CompiledOrg, lang: Lang = "fr") -> bytes:
    """Render the report as the bytes of an .xlsx workbook."""
    workbook = Workbook()
    for default_sheet in list(workbook.worksheets):
        workbook.remove(default_sheet)
    _establishment_sheet(
        workbook.create_sheet(text(lang, "sheet_establishment")), org, lang
    )
    _profiles_sheet(workbook.create_sheet(text(lang, "sheet_profiles")), org, lang)
    _users_sheet(workbook.create_sheet(text(lang, "sheet_users")), org, lang)
    _hierarchy_sheet(workbook.create_sheet(text(lang, "sheet_hierarchy")), org, lang)
    _visibility_sheet(workbook.create_sheet(text(lang, "sheet_visibility")), org, lang)

    properties = workbook.properties
    properties.creator = CREATOR
    properties.lastModifiedBy = CREATOR
    properties.title = text(lang, "title", name=org.establishment.name)
    properties.language = lang
    properties.created = FIXED_DATE
    properties.modified = FIXED_DATE
    return _save(workbook)


def put(worksheet: Worksheet, row: int, column: int, value: Value) -> Cell:
    """Write one value, and keep text as text whatever it starts with."""
    cell = worksheet.cell(row=row, column=column)
    assert isinstance(cell, Cell), "the report merges no cells"
    if not isinstance(value, str):
        cell.value = value
        return cell
    # XML 1.0 cannot carry most control characters, and openpyxl raises on them.
    clean = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
    cell.value = clean
    # openpyxl infers a formula from a leading '=' and an error from texts
    # such as '#N/A', so the type is set back to string after that inference.
    cell.data_type = "s"
    if formula_like(clean):
        cell.quotePrefix = True
    return cell


def _put_row(worksheet: Worksheet, row: int, values: Sequence[Value]) -> list[Cell]:
    return [put(worksheet, row, column, v) for column, v in enumerate(values, 1)]


def _put_header(worksheet: Worksheet, row: int, labels: Sequence[str]) -> None:
    for cell in _put_row(worksheet, row, labels):
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = WRAP


def _colour_yes_no(cell: Cell, value: bool) -> None:
    cell.font = YES_FONT if value else NO_FONT


def _finish(
    worksheet: Worksheet,
    header_row: int,
    last_row: int,
    columns: int,
    freeze: str,
    narrow_from: int | None = None,
) -> None:
    """Freeze the header, filter the table, fit the columns and set up printing.

    Columns from `narrow_from` on are at most PROFILE_COLUMN_WIDTH wide.
    """
    last_row = max(last_row, header_row)
    last_column = get_column_letter(columns)
    worksheet.auto_filter.ref = f"A{header_row}:{last_column}{last_row}"
    worksheet.freeze_panes = freeze
    # Printed, each sheet is one page wide and repeats its header rows.
    worksheet.page_setup.orientation = "landscape"
    worksheet.page_setup.paperSize = worksheet.PAPERSIZE_A4
    worksheet.page_setup.fitToWidth = 1
    worksheet.page_setup.fitToHeight = 0
    worksheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    worksheet.print_title_rows = f"1:{header_row}"
    for column in range(1, columns + 1):
        longest = 0
        for row in range(1, last_row + 1):
            value = worksheet.cell(row=row, column=column).value
            if value is not None:
                lines = str(value).splitlines() or [""]
                longest = max(longest, *(len(line) for line in lines))
        width = min(MAX_WIDTH, max(MIN_WIDTH, longest + 2))
        if narrow_from is not None and column >= narrow_from:
            width = min(width, PROFILE_COLUMN_WIDTH)
        worksheet.column_dimensions[get_column_letter(column)].width = width
    for row in range(header_row, last_row + 1):
        _fit_row_height(worksheet, row, columns)


def _fit_row_height(worksheet: Worksheet, row: int, columns: int) -> None:
    """Make a row tall enough for its wrapped cells.

    Excel fits such rows when it opens the file, but LibreOffice's conversions
    keep the default height, so the height is estimated from the text length.
    """
    line_count = 1
    for column in range(1, columns + 1):
        cell = worksheet.cell(row=row, column=column)
        if cell.value is None or not cell.alignment.wrap_text:
            continue
        width = worksheet.column_dimensions[get_column_letter(column)].width
        per_line = max(1, int(width) - 2)
        lines = str(cell.value).splitlines() or [""]
        line_count = max(line_count, sum(-(-len(line) // per_line) for line in lines))
    if line_count > 1:
        worksheet.row_dimensions[row].height = LINE_HEIGHT * line_count


def _put_legend(worksheet: Worksheet, row: int, org: CompiledOrg, lang: Lang) -> int:
    """Write the scope labels below a table from `row` and return the next free row."""
    put(worksheet, row, 1, text(lang, "scope_legend")).font = LABEL_FONT
    row += 1
    for cell in _put_row(
        worksheet,
        row,
        [text(lang, "right"), text(lang, "option"), text(lang, "option_label")],
    ):
        cell.font = LABEL_FONT
    for right_label, option, option_label in scope_legend(org.catalogue, lang):
        row += 1
        _put_row(worksheet, row, [right_label, option, option_label])
    return row + 1


def _establishment_sheet(worksheet: Worksheet, org: CompiledOrg, lang: Lang) -> None:
    _put_header(
        worksheet, 1, [text(lang, "section"), text(lang, "field"), text(lang, "value")]
    )
    row = 1
    for section in establishment_sections(org.establishment, org.structures, lang):
        for label, value in section.rows:
            row += 1
            _put_row(worksheet, row, [section.title, label, value])
    _finish(worksheet, 1, row, 3, "A2")


def _profiles_sheet(worksheet: Worksheet, org: CompiledOrg, lang: Lang) -> None:
    catalogue = org.catalogue
    profiles = display_order(org)
    first = FIRST_PROFILE_COLUMN
    info: list[tuple[str, list[Value]]] = [
        (text(lang, "profile_id"), [p.id for p in profiles]),
        (text(lang, "base"), [base_label(org, p, lang) for p in profiles]),
        (
            text(lang, "validated"),
            [text(lang, "yes" if p.validated else "no") for p in profiles],
        ),
        (text(lang, "users"), [len(org.members(p.id)) for p in profiles]),
    ]
    for row, (label, values) in enumerate(info, 1):
        put(worksheet, row, first - 1, label).font = LABEL_FONT
        for column, value in enumerate(values, first):
            put(worksheet, row, column, value).alignment = LEFT

    header_row = PROFILE_INFO_ROWS + 1
    _put_header(
        worksheet,
        header_row,
        [
            text(lang, "tab"),
            text(lang, "key"),
            text(lang, "right"),
            *(p.label for p in profiles),
        ],
    )
    bases = {p.id: base_values(org, p) for p in profiles}
    row = header_row
    for tab_id, keys in rights_by_tab(catalogue):
        tab_label = catalogue.tab(tab_id).label(lang)
        for index, key in enumerate(keys):
            row += 1
            right = catalogue[key]
            cells = _put_row(worksheet, row, [tab_label, key, right.label(lang)])
            for column, profile in enumerate(profiles, first):
                value = profile.rights[key].value
                cell = put(
                    worksheet, row, column, catalogue.value_label(key, value, lang)
                )
                cells.append(cell)
                if isinstance(value, bool):
                    _colour_yes_no(cell, value)
                else:
                    cell.alignment = WRAP
                if bases[profile.id][key] != value:
                    cell.fill = DIFFERS_FILL
            if index == 0:
                cells[0].font = LABEL_FONT
                for cell in cells:
                    cell.border = TAB_BORDER
    last_row = row
    columns = first - 1 + len(profiles)
    _finish(
        worksheet,
        header_row,
        last_row,
        columns,
        f"{get_column_letter(first)}{header_row + 1}",
        narrow_from=first,
    )

    row = last_row + 2
    put(worksheet, row, 1, text(lang, "differs_legend")).fill = DIFFERS_FILL
    _put_legend(worksheet, row + 2, org, lang)


def _users_sheet(worksheet: Worksheet, org: CompiledOrg, lang: Lang) -> None:
    keys = (
        "login",
        "user_name",
        "email",
        "profile",
        "manager",
        "manager_login",
        "structure",
        "active",
    )
    _put_header(worksheet, 1, [text(lang, key) for key in keys])
    row = 1
    for user in org.users.values():
        row += 1
        manager = manager_of(org, user)
        cells = _put_row(
            worksheet,
            row,
            [
                user.login,
                user.name,
                user.email,
                org.profiles[user.profile].label,
                manager.name if manager else "",
                manager.login if manager else "",
                user.structure or "",
                text(lang, "yes" if user.active else "no"),
            ],
        )
        _colour_yes_no(cells[-1], user.active)
    _finish(worksheet, 1, row, len(keys), "B2")


def _hierarchy_sheet(worksheet: Worksheet, org: CompiledOrg, lang: Lang) -> None:
    keys = ("user", "login", "level", "profile", "manager", "active")
    _put_header(worksheet, 1, [text(lang, key) for key in keys])
    hierarchy = org.hierarchy
    row = 1
    for login in hierarchy.order:
        row += 1
        user = org.users[login]
        manager = manager_of(org, user)
        depth = hierarchy.depth[login]
        cells = _put_row(
            worksheet,
            row,
            [
                user.name,
                login,
                depth + 1,
                org.profiles[user.profile].label,
                manager.name if manager else "",
                text(lang, "yes" if user.active else "no"),
            ],
        )
        # openpyxl rejects an indent above 255 (openpyxl 3.1, styles.alignment).
        cells[0].alignment = Alignment(indent=min(depth, 255))
        _colour_yes_no(cells[-1], user.active)
    _finish(worksheet, 1, row, len(keys), "B2")
    # The indentation does not count in the fitted width: widen the names.
    widest = max((hierarchy.depth.values()), default=0)
    dimension = worksheet.column_dimensions["A"]
    dimension.width = min(MAX_WIDTH + 20, (dimension.width or MIN_WIDTH) + 3 * widest)


def _visibility_sheet(worksheet: Worksheet, org: CompiledOrg, lang: Lang) -> None:
    catalogue = org.catalogue
    header = [text(lang, "user"), text(lang, "login")]
    for key in catalogue.scope_keys:
        label = catalogue[key].label(lang)
        for column in ("scope", "count", "visible_users"):
            header.append(
                text(lang, "label_column", label=label, column=text(lang, column))
            )
    _put_header(worksheet, 1, header)
    row = 1
    for login, user in org.users.items():
        row += 1
        values: list[Value] = [user.name, login]
        for seen in user_visibility(org, login, lang):
            if seen.names:
                names = ", ".join(seen.names)
            elif seen.scope == "all":
                names = text(lang, "sees_all", count=seen.count)
            else:
                names = text(lang, "sees_count", count=seen.count)
            values += [seen.label, seen.count, names]
        for cell in _put_row(worksheet, row, values):
            cell.alignment = WRAP
    _finish(worksheet, 1, row, len(header), "C2")
    _put_legend(worksheet, row + 2, org, lang)


def _save(workbook: Workbook) -> bytes:
    """Write the workbook, then give every zip entry the same fixed timestamp.

    `Workbook.save` would stamp the current time into the document
    properties, so the workbook goes through openpyxl's ExcelWriter instead.
    """
    written = io.BytesIO()
    with zipfile.ZipFile(written, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(workbook, archive).save()

    fixed = io.BytesIO()
    with (
        zipfile.ZipFile(written) as source,
        zipfile.ZipFile(fixed, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for entry in source.infolist():
            info = zipfile.ZipInfo(entry.filename, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            target.writestr(info, source.read(entry.filename))
    return fixed.getvalue()
