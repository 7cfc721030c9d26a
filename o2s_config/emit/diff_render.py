"""Renderers of a semantic diff: terminal text, a Markdown pull-request comment
and JSON (described by schemas/diff.schema.json)."""

from __future__ import annotations

import json
from typing import Any

from ..diff import Change, OrgDiff
from .markdown import escape

# Names listed per visibility change; the rest is counted.
MAX_NAMES = 10
# Users and profiles detailed in the Markdown comment. The rest is counted, so
# that a comment on a large org stays under the size limits of code-review sites.
MAX_SUBJECTS = 60

DIFF_FORMAT_VERSION = 1

_SIGN = {"widen": "+", "narrow": "-", "neutral": "~"}


def _show(value: Any) -> str:
    if value is True:
        return "on"
    if value is False:
        return "off"
    if value is None:
        return "(none)"
    return str(value)


def _names(logins: tuple[str, ...]) -> str:
    shown = ", ".join(logins[:MAX_NAMES])
    more = len(logins) - MAX_NAMES
    return shown + (f" and {more} more" if more > 0 else "")


def describe(change: Change, diff: OrgDiff) -> str:
    """Describe one change in a sentence, without its subject."""
    catalogue = diff.head.catalogue
    label = ""
    if change.key in catalogue:
        label = f" ({catalogue[change.key].label_fr})"
    kind = change.kind
    if kind == "field_changed":
        return f"{change.key}: {_show(change.old)} → {_show(change.new)}"
    if kind == "added":
        what = "profile" if change.category == "profile" else "user"
        return f"{what} added ({_show(change.new)})"
    if kind == "removed":
        what = "profile" if change.category == "profile" else "user"
        return f"{what} removed (was {_show(change.old)})"
    if kind in ("deactivated", "reactivated"):
        return f"user {kind}"
    if kind == "visibility_widened":
        count = len(change.gained)
        return f"{change.key}{label} now sees {count} more user(s): {_names(change.gained)}"
    if kind == "visibility_narrowed":
        count = len(change.lost)
        return (
            f"{change.key}{label} no longer sees {count} user(s): {_names(change.lost)}"
        )
    return f"{change.key}{label}: {_show(change.old)} → {_show(change.new)}"


def summary(diff: OrgDiff) -> dict[str, int]:
    return {
        "profiles_changed": len(diff.profiles_changed()),
        "users_affected": len(diff.users_affected()),
        "widen": diff.count("widen"),
        "narrow": diff.count("narrow"),
        "neutral": diff.count("neutral"),
    }


def render_text(diff: OrgDiff, base_name: str, head_name: str) -> str:
    lines = [f"diff {base_name} → {head_name}"]
    if not diff.changes:
        lines.append("no changes in effective rights, visibility or the establishment")
        return "\n".join(lines) + "\n"

    totals = summary(diff)
    lines.append(
        f"{totals['profiles_changed']} profile(s) changed, {totals['users_affected']} "
        f"user(s) affected; {totals['widen']} widen, {totals['narrow']} narrow, "
        f"{totals['neutral']} neutral"
    )
    establishment = [c for c in diff.changes if c.category == "establishment"]
    if establishment:
        lines.append("")
        lines.append("establishment")
        lines.extend(f"  ~ {describe(change, diff)}" for change in establishment)
    for category in ("profile", "user"):
        for subject, changes in diff.by_subject(category).items():
            lines.append("")
            lines.append(
                f"{category} {subject}{_subject_name(diff, category, subject)}"
            )
            for change in changes:
                sign = _SIGN[change.classification]
                lines.append(
                    f"  {sign} [{change.classification}] {describe(change, diff)}"
                )
    return "\n".join(lines) + "\n"


def _subject_name(diff: OrgDiff, category: str, subject: str) -> str:
    if category == "profile":
        profile = diff.head.profiles.get(subject) or diff.base.profiles.get(subject)
        return f" ({profile.label})" if profile else ""
    user = diff.head.users.get(subject) or diff.base.users.get(subject)
    return f" ({user.name})" if user else ""


def render_markdown(diff: OrgDiff, base_name: str, head_name: str) -> str:
    totals = summary(diff)
    parts = [f"### o2s-config: {_code(base_name)} → {_code(head_name)}\n"]
    if not diff.changes:
        parts.append(
            "No change in effective rights, visibility or the establishment.\n"
        )
        return "\n".join(parts)

    parts.append(
        "| | count |\n|---|---|\n"
        f"| Profiles changed | {totals['profiles_changed']} |\n"
        f"| Users affected | {totals['users_affected']} |\n"
        f"| Changes that widen access | {totals['widen']} |\n"
        f"| Changes that narrow access | {totals['narrow']} |\n"
        f"| Neutral changes | {totals['neutral']} |\n"
    )
    if totals["widen"]:
        parts.append(
            f"> **This change widens access** in {totals['widen']} place(s): "
            "review who gains what below.\n"
        )
    establishment = [c for c in diff.changes if c.category == "establishment"]
    if establishment:
        rows = "".join(
            f"| {_code(c.key)} | {escape(_show(c.old))} | {escape(_show(c.new))} |\n"
            for c in establishment
        )
        parts.append(
            _details(
                f"Establishment ({len(establishment)})",
                "| Field | Before | After |\n|---|---|---|\n" + rows,
            )
        )
    for category, title in (("profile", "Profiles"), ("user", "Users")):
        grouped = diff.by_subject(category)
        if grouped:
            parts.append(
                _details(
                    f"{title} ({len(grouped)})", _subjects(diff, category, grouped)
                )
            )
    return "\n".join(parts)


def _subjects(diff: OrgDiff, category: str, grouped: dict[str, list[Change]]) -> str:
    blocks = []
    for index, (subject, changes) in enumerate(grouped.items()):
        if index == MAX_SUBJECTS:
            blocks.append(
                f"… and {len(grouped) - MAX_SUBJECTS} more; run `o2s-config diff --format "
                "json` for every change.\n"
            )
            break
        name = " " + escape(_subject_name(diff, category, subject))
        items = "".join(
            f"- **{change.classification}** {escape(describe(change, diff))}\n"
            for change in changes
        )
        blocks.append(f"**{_code(subject)}**{name}\n\n{items}")
    return "\n".join(blocks)


def _code(value: str) -> str:
    """Return a Markdown code span; code spans take no escapes, so backticks go."""
    return "`" + value.replace("`", "'").replace("\n", " ") + "`"


def _details(summary_text: str, body: str) -> str:
    return f"<details><summary>{summary_text}</summary>\n\n{body}\n</details>\n"


def build_json(diff: OrgDiff, base_name: str, head_name: str) -> dict[str, Any]:
    return {
        "format_version": DIFF_FORMAT_VERSION,
        "base": base_name,
        "head": head_name,
        "summary": summary(diff),
        "changes": [change.to_json() for change in diff.changes],
    }


def render_json(diff: OrgDiff, base_name: str, head_name: str) -> str:
    return (
        json.dumps(build_json(diff, base_name, head_name), ensure_ascii=False, indent=2)
        + "\n"
    )
