"""The Markdown report: establishment, rights matrix, users, hierarchy,
visibility and diagnostics, in French or English."""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..catalogue import Lang
from ..compiled import CompiledOrg
from ..model import Establishment
from ..resolve import ResolvedProfile
from .messages import text

# Visible users are listed by name up to this count. Beyond it only the count
# is shown, so that a report on a large network stays readable.
MAX_NAMES = 12

# The hierarchy list indents at most this many levels. A user this deep or
# deeper is listed at that indent with the level written out, so a long chain
# of managers gives a report that grows with the users, not their square.
MAX_INDENT_LEVELS = 32

_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")
_LEADING = re.compile(r"^([#+=-])")


def escape(value: object) -> str:
    """Escape text for a Markdown table cell or list item, so names render as text."""
    flat = " ".join(str(value).split())
    return _LEADING.sub(r"\\\1", _SPECIAL.sub(r"\\\1", flat))


def render_markdown(org: CompiledOrg, lang: Lang = "fr") -> str:
    sections = [
        _header(org, lang),
        _establishment(org.establishment, org.structures, lang),
        _matrix(org, lang),
        _users(org, lang),
        _hierarchy(org, lang),
        _visibility(org, lang),
        _diagnostics(org, lang),
    ]
    return "\n".join(sections)


def display_order(org: CompiledOrg) -> list[ResolvedProfile]:
    """Order the profiles for display: the built-in administrator first, then
    the others in file order."""
    profiles = list(org.profiles.values())
    return sorted(
        profiles,
        key=lambda p: (not p.builtin, p.location.line if p.location else 0, p.id),
    )


def _table(header: list[str], rows: Iterable[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines.extend("| " + " | ".join(row) + " |" for row in rows)
    return "\n".join(lines) + "\n"


def _header(org: CompiledOrg, lang: Lang) -> str:
    active = sum(1 for user in org.users.values() if user.active)
    return (
        f"# {text(lang, 'title', name=escape(org.establishment.name))}\n\n"
        f"{text(lang, 'generated_from', source=org.source_name)}\n\n"
        + text(
            lang,
            "summary",
            profiles=len(org.profiles),
            users=len(org.users),
            active=active,
        )
        + "\n"
    )


def _establishment(
    establishment: Establishment, structures: list[str], lang: Lang
) -> str:
    rows = [
        [text(lang, "name"), escape(establishment.name)],
        [text(lang, "contact_email"), escape(establishment.contact_email)],
    ]
    if establishment.address:
        a = establishment.address
        parts = [a.line1, a.line2, f"{a.postal_code} {a.city}", a.country]
        rows.append([text(lang, "address"), escape(", ".join(p for p in parts if p))])
    for field in ("phone", "website"):
        value = getattr(establishment, field)
        if value:
            rows.append([text(lang, field), escape(value)])
    if establishment.legal:
        for field, value in establishment.legal.model_dump(exclude_none=True).items():
            rows.append([text(lang, field), escape(value)])
    if establishment.intermediation:
        rows.extend(_intermediation_rows(establishment, lang))
    if structures:
        rows.append([text(lang, "structures"), escape(", ".join(structures))])
    return f"## {text(lang, 'establishment')}\n\n" + _table(
        [text(lang, "field"), text(lang, "value")], rows
    )


def _intermediation_rows(establishment: Establishment, lang: Lang) -> list[list[str]]:
    info = establishment.intermediation
    assert info is not None
    rows = []
    if info.orias:
        rows.append([text(lang, "orias"), escape(info.orias)])
    if info.categories:
        rows.append([text(lang, "categories"), escape(", ".join(info.categories))])
    if info.associations:
        rows.append([text(lang, "associations"), escape(", ".join(info.associations))])
    if info.rc_pro:
        policy = (
            f", {text(lang, 'policy')} {info.rc_pro.policy_number}"
            if info.rc_pro.policy_number
            else ""
        )
        rows.append([text(lang, "rc_pro"), escape(info.rc_pro.insurer + policy)])
    if info.mediator:
        rows.append([text(lang, "mediator"), escape(info.mediator)])
    if info.real_estate_card:
        card = info.real_estate_card
        issued = (
            f", {text(lang, 'issued_by')} {card.issued_by}" if card.issued_by else ""
        )
        rows.append([text(lang, "real_estate_card"), escape(card.number + issued)])
    return rows


def _matrix(org: CompiledOrg, lang: Lang) -> str:
    catalogue = org.catalogue
    profiles = display_order(org)
    header = [text(lang, "right"), *(escape(p.label) for p in profiles)]
    rows = [
        [
            text(lang, "validated"),
            *(text(lang, "yes" if p.validated else "no") for p in profiles),
        ],
        [text(lang, "base"), *(escape(p.base) for p in profiles)],
    ]
    for tab in catalogue.tabs:
        keys = [key for key, right in catalogue.rights.items() if right.tab == tab.id]
        if not keys:
            continue
        rows.append([f"**{escape(tab.label(lang))}**", *("" for _ in profiles)])
        for key in keys:
            label = escape(catalogue[key].label(lang))
            cells = [
                escape(catalogue.value_label(key, p.rights[key].value, lang))
                for p in profiles
            ]
            rows.append([label, *cells])
    return f"## {text(lang, 'profiles')}\n\n" + _table(header, rows)


def _users(org: CompiledOrg, lang: Lang) -> str:
    if not org.users:
        return f"## {text(lang, 'users')}\n\n{text(lang, 'no_users')}\n"
    header = [
        text(lang, key)
        for key in (
            "login",
            "user_name",
            "email",
            "profile",
            "manager",
            "structure",
            "active",
        )
    ]
    rows = []
    for user in org.users.values():
        manager = org.users.get(user.manager) if user.manager else None
        rows.append(
            [
                f"`{user.login}`",
                escape(user.name),
                escape(user.email),
                escape(org.profiles[user.profile].label),
                escape(manager.name) if manager else "",
                escape(user.structure or ""),
                text(lang, "yes" if user.active else "no"),
            ]
        )
    return f"## {text(lang, 'users')}\n\n" + _table(header, rows)


def _hierarchy(org: CompiledOrg, lang: Lang) -> str:
    lines = []
    for login in org.hierarchy.order:
        user = org.users[login]
        depth = org.hierarchy.depth[login]
        indent = "  " * min(depth, MAX_INDENT_LEVELS)
        profile = escape(org.profiles[user.profile].label)
        suffix = f" ({text(lang, 'inactive')})" if not user.active else ""
        if depth >= MAX_INDENT_LEVELS:
            suffix += f", {text(lang, 'level')} {depth + 1}"
        lines.append(f"{indent}- {escape(user.name)} (`{login}`), {profile}{suffix}")
    body = "\n".join(lines) + "\n" if lines else text(lang, "no_users") + "\n"
    return f"## {text(lang, 'hierarchy')}\n\n{body}"


def _visibility(org: CompiledOrg, lang: Lang) -> str:
    catalogue = org.catalogue
    keys = catalogue.scope_keys
    header = [text(lang, "user"), *(escape(catalogue[key].label(lang)) for key in keys)]
    rows = []
    for login, user in org.users.items():
        cells = [f"{escape(user.name)} (`{login}`)"]
        for key in keys:
            seen = org.visibility(login, key)
            label = escape(catalogue.option_label(key, seen.scope, lang))
            if seen.scope == "all":
                detail = text(lang, "sees_all", count=len(seen))
            elif len(seen) <= MAX_NAMES:
                detail = ", ".join(f"`{other}`" for other in seen.logins())
            else:
                detail = text(lang, "sees_count", count=len(seen))
            cells.append(
                f"{label} : {detail}" if lang == "fr" else f"{label}: {detail}"
            )
        rows.append(cells)
    legend = "; ".join(
        f"{escape(catalogue[key].label(lang))}: "
        + ", ".join(
            f"{option} = {escape(catalogue.option_label(key, option, lang))}"
            for option in catalogue[key].options or ()
        )
        for key in keys
    )
    return (
        f"## {text(lang, 'visibility')}\n\n"
        + _table(header, rows)
        + "\n"
        + text(lang, "legend", legend=legend)
        + "\n"
    )


def _diagnostics(org: CompiledOrg, lang: Lang) -> str:
    title = f"## {text(lang, 'diagnostics')}\n\n"
    if not org.diagnostics:
        return title + text(lang, "no_diagnostics") + "\n"
    header = [text(lang, key) for key in ("severity", "code", "location", "message")]
    rows = [
        [text(lang, d.severity.value), d.code, f"`{d.location}`", escape(d.message)]
        for d in org.diagnostics
    ]
    return title + _table(header, rows)
