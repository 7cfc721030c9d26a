"""The CSV report: one row per user, with their rights and visibility counts.

Two dialects: `excel-fr` (UTF-8 with a byte order mark and `;` separators,
which French Excel opens with accents and columns intact) and `comma` (plain
UTF-8 with `,`). Both end lines with CRLF, as RFC 4180 specifies. A text cell that
a spreadsheet would run as a formula gets a leading single quote.
"""

from __future__ import annotations

import csv
import io

from ..catalogue import Lang
from ..compiled import CompiledOrg
from .messages import text
from .report_tables import formula_like, manager_of

SEPARATORS: dict[str, str] = {"excel-fr": ";", "comma": ","}
BYTE_ORDER_MARK = "\ufeff"


def neutralise(value: str) -> str:
    """Prefix a formula-like text with `'`, so a spreadsheet reads it as text."""
    return "'" + value if formula_like(value) else value


def render_csv(org: CompiledOrg, lang: Lang = "fr", dialect: str = "excel-fr") -> str:
    """Render the users table as CSV text. The same input gives the same text."""
    if dialect not in SEPARATORS:
        raise ValueError(f"invalid CSV dialect {dialect!r}: use excel-fr or comma")
    buffer = io.StringIO()
    if dialect == "excel-fr":
        buffer.write(BYTE_ORDER_MARK)
    writer = csv.writer(buffer, delimiter=SEPARATORS[dialect], lineterminator="\r\n")
    for row in _rows(org, lang):
        writer.writerow(
            [neutralise(cell) if isinstance(cell, str) else cell for cell in row]
        )
    return buffer.getvalue()


def _rows(org: CompiledOrg, lang: Lang) -> list[list[str | int]]:
    catalogue = org.catalogue
    fixed = ("login", "user_name", "email", "profile", "manager", "manager_login")
    header: list[str | int] = [text(lang, key) for key in fixed]
    header += [text(lang, "structure"), text(lang, "active")]
    header += [right.label(lang) for right in catalogue.rights.values()]
    header += [
        text(lang, "visible_count", label=catalogue[key].label(lang))
        for key in catalogue.scope_keys
    ]

    rows = [header]
    for login, user in org.users.items():
        manager = manager_of(org, user)
        profile = org.profiles[user.profile]
        row: list[str | int] = [
            user.login,
            user.name,
            user.email,
            profile.label,
            manager.name if manager else "",
            manager.login if manager else "",
            user.structure or "",
            text(lang, "yes" if user.active else "no"),
        ]
        row += [
            catalogue.value_label(key, profile.rights[key].value, lang)
            for key in catalogue.rights
        ]
        row += [len(org.visibility(login, key)) for key in catalogue.scope_keys]
        rows.append(row)
    return rows
