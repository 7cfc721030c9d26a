"""The `rights` command's listing of the catalogue."""

from __future__ import annotations

import json

from ..catalogue import Catalogue, Lang


def render_rights_text(catalogue: Catalogue, lang: Lang) -> str:
    lines = []
    for tab in catalogue.tabs:
        keys = [key for key, right in catalogue.rights.items() if right.tab == tab.id]
        if not keys:
            continue
        lines.append(f"{tab.label(lang)} ({tab.id})")
        for key in keys:
            right = catalogue[key]
            kind = (
                "scope: " + " < ".join(right.options or ())
                if right.is_scope
                else "yes/no"
            )
            extra = f"; {right.requires.describe()}" if right.requires else ""
            lines.append(
                f"  {key:<38} {right.label(lang)} [{kind}; {right.source}{extra}]"
            )
        lines.append("")
    return "\n".join(lines)


def render_rights_json(catalogue: Catalogue) -> str:
    payload = [
        right.model_dump(mode="json", exclude_none=True) | {"tab": right.tab}
        for right in catalogue.rights.values()
    ]
    return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"
