"""The HTML report: one self-contained page for the people who sign off the set-up.

The page loads nothing: its stylesheet and script are inline, and a Content
Security Policy admits only those two by hash, so the page cannot fetch from
the network and an injected handler would not run even if escaping failed.
Jinja2 autoescapes every value taken from the org. The script only adds filtering and sorting
to the users table, and the page reads in full without it.
"""

from __future__ import annotations

import base64
import functools
import hashlib
from dataclasses import dataclass
from importlib import resources
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from ..catalogue import Lang
from ..compiled import CompiledOrg
from ..resolve import ResolvedProfile, Value
from .messages import text
from .org_chart import PROFILE_COLOURS, layout_org_chart
from .report_tables import (
    base_label,
    base_values,
    display_order,
    establishment_sections,
    manager_of,
    rights_by_tab,
    scope_legend,
    user_visibility,
)


@dataclass(frozen=True)
class MatrixCell:
    """One profile's value of one right, as the matrix shows it."""

    value: Value
    label: str
    differs: bool
    # The base's value when it differs, for the cell's tooltip.
    base_note: str


@dataclass(frozen=True)
class MatrixRow:
    key: str
    label: str
    is_scope: bool
    cells: list[MatrixCell]


def render_html(org: CompiledOrg, lang: Lang = "fr") -> str:
    """Render the report as one HTML document, the same bytes for the same input."""
    style = _asset("report.css")
    script = _asset("report.js")
    context: dict[str, Any] = {
        "lang": lang,
        "t": functools.partial(text, lang),
        "org": org,
        "title": text(lang, "title", name=org.establishment.name),
        "active_count": sum(1 for user in org.users.values() if user.active),
        "error_count": sum(1 for d in org.diagnostics if d.is_error),
        "warning_count": sum(1 for d in org.diagnostics if not d.is_error),
        "sections": establishment_sections(org.establishment, org.structures, lang),
        "profiles": _profile_headers(org, lang),
        "tabs": _matrix(org, lang),
        "users": _users(org),
        "chart": layout_org_chart(org, lang),
        "profile_colours": range(PROFILE_COLOURS),
        "visibility": _visibility(org, lang),
        "legend": scope_legend(org.catalogue, lang),
        "style": Markup(style),
        "script": Markup(script),
        "csp": _content_security_policy(style, script),
    }
    return _environment().get_template("report.html.j2").render(context)


@functools.cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("o2s_config", "emit/templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


@functools.cache
def _asset(name: str) -> str:
    folder = resources.files("o2s_config").joinpath("emit", "templates")
    return folder.joinpath(name).read_text(encoding="utf-8")


def _content_security_policy(style: str, script: str) -> str:
    """Admit the inline stylesheet and script by hash, and nothing else."""

    def digest(content: str) -> str:
        hashed = hashlib.sha256(content.encode("utf-8")).digest()
        return "'sha256-" + base64.b64encode(hashed).decode("ascii") + "'"

    return (
        "default-src 'none'; "
        f"style-src {digest(style)}; "
        f"script-src {digest(script)}; "
        "base-uri 'none'; form-action 'none'"
    )


def _profile_headers(org: CompiledOrg, lang: Lang) -> list[dict[str, Any]]:
    return [
        {
            "id": profile.id,
            "label": profile.label,
            "base": base_label(org, profile, lang),
            "validated": profile.validated,
            "members": len(org.members(profile.id)),
            "colour": index % PROFILE_COLOURS,
        }
        for index, profile in enumerate(display_order(org))
    ]


def _matrix(org: CompiledOrg, lang: Lang) -> list[tuple[str, list[MatrixRow]]]:
    """Return (tab label, rows) for each tab, with one cell per profile."""
    catalogue = org.catalogue
    profiles = display_order(org)
    bases = {profile.id: base_values(org, profile) for profile in profiles}
    tabs = []
    for tab_id, keys in rights_by_tab(catalogue):
        rows = []
        for key in keys:
            cells = [
                _cell(org, profile, key, bases[profile.id], lang)
                for profile in profiles
            ]
            right = catalogue[key]
            rows.append(MatrixRow(key, right.label(lang), right.is_scope, cells))
        tabs.append((catalogue.tab(tab_id).label(lang), rows))
    return tabs


def _cell(
    org: CompiledOrg,
    profile: ResolvedProfile,
    key: str,
    base: dict[str, Value],
    lang: Lang,
) -> MatrixCell:
    catalogue = org.catalogue
    value = profile.rights[key].value
    differs = base[key] != value
    note = ""
    if differs:
        note = text(
            lang,
            "base_value",
            base=base_label(org, profile, lang),
            value=catalogue.value_label(key, base[key], lang),
        )
    return MatrixCell(value, catalogue.value_label(key, value, lang), differs, note)


def _users(org: CompiledOrg) -> list[dict[str, Any]]:
    rows = []
    for user in org.users.values():
        manager = manager_of(org, user)
        rows.append(
            {
                "user": user,
                "profile": org.profiles[user.profile].label,
                "manager": manager.name if manager else "",
                "manager_login": manager.login if manager else "",
            }
        )
    return rows


def _visibility(org: CompiledOrg, lang: Lang) -> dict[str, Any]:
    keys = org.catalogue.scope_keys
    return {
        "headers": [org.catalogue[key].label(lang) for key in keys],
        "rows": [
            (user, user_visibility(org, login, lang))
            for login, user in org.users.items()
        ],
    }
