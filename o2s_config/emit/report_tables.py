"""Plain-text report content shared by the HTML, xlsx and CSV reports.

Each function reads a CompiledOrg and returns unescaped text, which every
renderer escapes or neutralises for its own format.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..catalogue import Catalogue, Lang
from ..compiled import CompiledOrg, CompiledUser
from ..model import BASE_TEMPLATES, Establishment
from ..resolve import ResolvedProfile, Value
from .markdown import MAX_NAMES, display_order
from .messages import text

__all__ = [
    "MAX_NAMES",
    "EstablishmentSection",
    "UserVisibility",
    "base_label",
    "base_values",
    "display_order",
    "establishment_sections",
    "formula_like",
    "manager_of",
    "rights_by_tab",
    "scope_legend",
    "user_visibility",
]

# The leading characters that make a spreadsheet read a cell as a formula, as
# CWE-1236 (formula injection in CSV files) lists them, plus the NUL character
# that OWASP ASVS 5.0 requirement 1.2.10 adds.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\0")


def formula_like(value: str) -> bool:
    """Tell whether a spreadsheet would read the text as a formula."""
    return value.startswith(FORMULA_PREFIXES)


@dataclass(frozen=True)
class EstablishmentSection:
    """One block of the establishment card: a title and (label, value) rows."""

    title: str
    rows: list[tuple[str, str]]


def establishment_sections(
    establishment: Establishment, structures: list[str], lang: Lang
) -> list[EstablishmentSection]:
    """Return the contact, legal and intermediation blocks that have values."""
    contact = [
        (text(lang, "name"), establishment.name),
        (text(lang, "contact_email"), str(establishment.contact_email)),
    ]
    if establishment.address:
        a = establishment.address
        parts = [a.line1, a.line2, f"{a.postal_code} {a.city}", a.country]
        contact.append((text(lang, "address"), ", ".join(p for p in parts if p)))
    for field in ("phone", "website"):
        value = getattr(establishment, field)
        if value:
            contact.append((text(lang, field), str(value)))
    if structures:
        contact.append((text(lang, "structures"), ", ".join(structures)))
    sections = [EstablishmentSection(text(lang, "contact"), contact)]

    if establishment.legal:
        legal = establishment.legal.model_dump(exclude_none=True)
        rows = [
            (text(lang, field), _show_legal(field, v)) for field, v in legal.items()
        ]
        if rows:
            sections.append(EstablishmentSection(text(lang, "legal"), rows))
    if establishment.intermediation:
        rows = _intermediation_rows(establishment, lang)
        if rows:
            sections.append(EstablishmentSection(text(lang, "intermediation"), rows))
    return sections


def _show_legal(field: str, value: object) -> str:
    if field == "share_capital" and isinstance(value, int | float):
        # French grouping with a narrow no-break space, as on a Kbis extract.
        amount = f"{value:,.2f}".replace(",", "\u202f").replace(".", ",")
        return amount.removesuffix(",00") + " €"
    return str(value)


def _intermediation_rows(
    establishment: Establishment, lang: Lang
) -> list[tuple[str, str]]:
    info = establishment.intermediation
    assert info is not None
    rows = []
    if info.orias:
        rows.append((text(lang, "orias"), info.orias))
    if info.categories:
        rows.append((text(lang, "categories"), ", ".join(info.categories)))
    if info.associations:
        rows.append((text(lang, "associations"), ", ".join(info.associations)))
    if info.rc_pro:
        policy = info.rc_pro.insurer
        if info.rc_pro.policy_number:
            policy += f", {text(lang, 'policy')} {info.rc_pro.policy_number}"
        rows.append((text(lang, "rc_pro"), policy))
    if info.mediator:
        rows.append((text(lang, "mediator"), info.mediator))
    if info.real_estate_card:
        card = info.real_estate_card
        number = card.number
        if card.issued_by:
            number += f", {text(lang, 'issued_by')} {card.issued_by}"
        rows.append((text(lang, "real_estate_card"), number))
    return rows


def rights_by_tab(catalogue: Catalogue) -> list[tuple[str, list[str]]]:
    """Return (tab id, right keys) for each tab that has rights, in catalogue order."""
    groups = []
    for tab in catalogue.tabs:
        keys = [key for key, right in catalogue.rights.items() if right.tab == tab.id]
        if keys:
            groups.append((tab.id, keys))
    return groups


def base_values(org: CompiledOrg, profile: ResolvedProfile) -> dict[str, Value]:
    """Return the values a profile starts from, before its allow, deny and scopes.

    These are the template values for the bases `all` and `none`, and the
    resolved values of the base profile otherwise.
    """
    if profile.base not in BASE_TEMPLATES:
        return org.profiles[profile.base].values()
    values: dict[str, Value] = {}
    for key, right in org.catalogue.rights.items():
        if right.is_scope:
            values[key] = right.widest if profile.base == "all" else right.narrowest
        else:
            values[key] = profile.base == "all"
    return values


def base_label(org: CompiledOrg, profile: ResolvedProfile, lang: Lang) -> str:
    """Return the base as a reader knows it: a profile's label, or the template's."""
    if profile.base in BASE_TEMPLATES:
        return text(lang, f"template_{profile.base}")
    return org.profiles[profile.base].label


def manager_of(org: CompiledOrg, user: CompiledUser) -> CompiledUser | None:
    return org.users.get(user.manager) if user.manager else None


def scope_legend(catalogue: Catalogue, lang: Lang) -> list[tuple[str, str, str]]:
    """Return (right label, option, option label) for each option of each scope right."""
    legend: list[tuple[str, str, str]] = []
    for key in catalogue.scope_keys:
        right = catalogue[key]
        for option in right.options or ():
            legend.append(
                (right.label(lang), option, catalogue.option_label(key, option, lang))
            )
    return legend


@dataclass(frozen=True)
class UserVisibility:
    """The users whose agenda or clients one scope right lets a user see.

    `names` lists the visible users' names, the user included, when the scope
    is not `all` and they are at most MAX_NAMES. Otherwise it is empty.
    """

    key: str
    scope: str
    label: str
    count: int
    names: list[str]


def user_visibility(org: CompiledOrg, login: str, lang: Lang) -> list[UserVisibility]:
    """Return the user's visibility for each scope right, in catalogue order."""
    found = []
    for key in org.catalogue.scope_keys:
        seen = org.visibility(login, key)
        count = len(seen)
        names: list[str] = []
        if seen.scope != "all" and count <= MAX_NAMES:
            names = [org.users[other].name for other in seen.logins()]
        label = org.catalogue.option_label(key, seen.scope, lang)
        found.append(UserVisibility(key, seen.scope, label, count, names))
    return found
