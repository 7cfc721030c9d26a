"""Reading workbook cells for `import` and `drift`: sheets, problems, text, Oui/Non.

A workbook is read once, in openpyxl's read-only mode, into plain rows of
values. Headers and words typed by people are compared after `normalize`,
so case, accents and punctuation do not matter.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from .diagnostics import InputFileError

# Letters that NFKD does not split into a base letter and an accent.
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ø": "o", "ł": "l", "ß": "ss"})
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")

_TRUE_WORDS = frozenset(
    {"oui", "o", "yes", "y", "vrai", "true", "1", "x", "actif", "active", "coche"}
)
_FALSE_WORDS = frozenset(
    {
        "non",
        "n",
        "no",
        "faux",
        "false",
        "0",
        "inactif",
        "inactive",
        "desactive",
        "deactivated",
        "disabled",
        "decoche",
    }
)
_TRUE_MARKS = frozenset("✓✔☑")
_FALSE_MARKS = frozenset("✗✘☐")


def normalize(text: str) -> str:
    """Return `text` in lowercase, without accents, with words split by one space."""
    folded = unicodedata.normalize("NFKD", text.casefold().translate(_LIGATURES))
    bare = "".join(char for char in folded if not unicodedata.combining(char))
    return " ".join(_NOT_ALNUM.sub(" ", bare).split())


def cell_text(value: object) -> str:
    """Return a cell value as text: numbers without a trailing .0, dates in ISO form."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        if value.time() == datetime.min.time():
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def parse_yes_no(value: object) -> bool | None:
    """Read Oui/Non, Yes/No, Vrai/Faux, 1/0, a tick mark or a boolean cell.

    Returns None for an empty cell or any other value.
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    text = cell_text(value)
    if text in _TRUE_MARKS:
        return True
    if text in _FALSE_MARKS:
        return False
    word = normalize(text)
    if word in _TRUE_WORDS:
        return True
    if word in _FALSE_WORDS:
        return False
    return None


@dataclass(frozen=True)
class Problem:
    """A part of the workbook that the import cannot use.

    `row` and `column` count from 1 and are None when the problem concerns a
    whole sheet or column. A `fatal` problem stops the import even with
    `--partial`, because no row can be skipped to get around it.
    """

    sheet: str
    row: int | None
    message: str
    column: int | None = None
    fatal: bool = False

    def describe(self, workbook: str) -> str:
        where = [f"sheet {self.sheet}"] if self.sheet else []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {get_column_letter(self.column)}")
        place = ", ".join(where)
        return (
            f"{workbook}: {place}: {self.message}"
            if place
            else f"{workbook}: {self.message}"
        )


@dataclass(frozen=True)
class Sheet:
    """One worksheet as rows of cell values. Rows and columns count from 1."""

    title: str
    rows: list[tuple[object, ...]]

    def cell(self, row: int, column: int) -> object:
        if not 1 <= row <= len(self.rows):
            return None
        values = self.rows[row - 1]
        return values[column - 1] if 1 <= column <= len(values) else None

    def text(self, row: int, column: int) -> str:
        return cell_text(self.cell(row, column))

    def width(self) -> int:
        return max((len(values) for values in self.rows), default=0)

    def is_empty_row(self, row: int) -> bool:
        return all(cell_text(value) == "" for value in self.rows[row - 1])


def load_sheets(path: Path) -> list[Sheet]:
    """Read every worksheet of an .xlsx workbook, in workbook order.

    Formulas are read as the values Excel last computed and saved, so a
    formula that was never computed reads as an empty cell. Raises InputFileError
    when the file cannot be opened or is not an .xlsx workbook.
    """
    if not path.exists():
        raise InputFileError(f"{path}: file not found")
    if path.is_dir():
        raise InputFileError(f"{path}: is a folder, not a workbook")
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except InvalidFileException as exc:
        raise InputFileError(
            f"{path}: {exc}; save it as an Excel workbook (.xlsx)"
        ) from None
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise InputFileError(
            f"{path}: is not a readable .xlsx workbook ({exc}); save it again from "
            "Excel or LibreOffice as .xlsx"
        ) from None
    except OSError as exc:
        raise InputFileError(
            f"{path}: cannot read the file: {exc.strerror or exc}"
        ) from None
    try:
        return [
            Sheet(
                worksheet.title,
                [tuple(row) for row in worksheet.iter_rows(values_only=True)],
            )
            for worksheet in workbook.worksheets
        ]
    finally:
        workbook.close()
