"""The JSON report, format version 1, described by schemas/report.schema.json."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from ..compiled import CompiledOrg

REPORT_FORMAT_VERSION = 1


def build_report(org: CompiledOrg, with_users: bool = True) -> dict[str, Any]:
    """Build the report as plain data: lists sorted by id and login.

    Without `with_users`, the users list is left empty for iter_json to fill.
    """
    catalogue = org.catalogue
    return {
        "format_version": REPORT_FORMAT_VERSION,
        "source": org.source_name,
        "establishment": org.establishment.model_dump(mode="json", exclude_none=True),
        "structures": list(org.structures),
        "rights": [
            {
                "key": right.key,
                "tab": right.tab,
                "type": right.type,
                **({"options": list(right.options)} if right.options else {}),
                "label_fr": right.label_fr,
                "label_en": right.label_en,
                "source": right.source,
                **(
                    {"requires": right.requires.model_dump(exclude_none=True)}
                    if right.requires
                    else {}
                ),
            }
            for right in catalogue.rights.values()
        ],
        "profiles": [
            {
                "id": profile.id,
                "label": profile.label,
                "validated": profile.validated,
                "builtin": profile.builtin,
                "base": profile.base,
                "rights": profile.values(),
            }
            for profile in org.profiles.values()
        ],
        "users": [_user(org, login) for login in org.users] if with_users else [],
        "diagnostics": [d.to_json() for d in org.diagnostics],
    }


def _user(org: CompiledOrg, login: str) -> dict[str, Any]:
    user = org.users[login]
    visibility: dict[str, Any] = {}
    for key in org.catalogue.scope_keys:
        seen = org.visibility(login, key)
        entry: dict[str, Any] = {"scope": seen.scope, "count": len(seen)}
        if seen.scope != "all":
            entry["users"] = seen.logins()
        visibility[key] = entry
    return {
        "login": user.login,
        "name": user.name,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "structure": user.structure,
        "profile": user.profile,
        "manager": user.manager,
        "active": user.active,
        "rights": org.profiles[user.profile].values(),
        "visibility": visibility,
    }


def render_json(org: CompiledOrg) -> str:
    return "".join(iter_json(org))


def iter_json(org: CompiledOrg) -> Iterator[str]:
    """Yield the report's JSON text in pieces, one user at a time.

    The text is byte for byte what json.dumps(build_report(org), indent=2)
    gives, but a large org's users and visibility lists are never all in
    memory as one document.
    """
    report = build_report(org, with_users=False)
    keys = list(report)
    yield "{\n"
    for position, key in enumerate(keys):
        yield f"  {json.dumps(key)}: "
        if key == "users":
            yield from _iter_users(org)
        else:
            yield _indented(report[key], 2)
        yield ",\n" if position < len(keys) - 1 else "\n"
    yield "}\n"


def _iter_users(org: CompiledOrg) -> Iterator[str]:
    if not org.users:
        yield "[]"
        return
    yield "[\n"
    last = len(org.users) - 1
    for position, login in enumerate(org.users):
        yield "    " + _indented(_user(org, login), 4)
        yield ",\n" if position < last else "\n"
    yield "  ]"


def _indented(value: Any, spaces: int) -> str:
    # JSON strings escape their newlines, so every newline in the text is a
    # line break of the layout and can take the extra indentation.
    text = json.dumps(value, ensure_ascii=False, indent=2)
    return text.replace("\n", "\n" + " " * spaces)
