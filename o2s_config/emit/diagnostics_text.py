"""Diagnostics for people and for machines: text lines and JSON."""

from __future__ import annotations

import json

from ..diagnostics import Diagnostic

_COLOURS = {"error": "\033[31m", "warning": "\033[33m"}
_RESET = "\033[0m"
_DIM = "\033[2m"


def render_text(diagnostics: list[Diagnostic], colour: bool = False) -> str:
    """Render each diagnostic as `FILE:LINE:COL: SEVERITY CODE message`, then an
    indented hint when it has one."""
    lines = []
    for item in diagnostics:
        severity = item.severity.value
        if colour:
            severity = f"{_COLOURS[severity]}{severity}{_RESET}"
        lines.append(f"{item.location}: {severity} {item.code} {item.message}")
        if item.hint:
            hint = f"  hint: {item.hint}"
            lines.append(f"{_DIM}{hint}{_RESET}" if colour else hint)
    return "".join(line + "\n" for line in lines)


def summarise(name: str, diagnostics: list[Diagnostic]) -> str:
    errors = sum(1 for d in diagnostics if d.is_error)
    warnings = len(diagnostics) - errors
    if not diagnostics:
        return f"{name}: valid\n"
    state = "invalid" if errors else "valid"
    return (
        f"{name}: {state}, {_plural(errors, 'error')}, {_plural(warnings, 'warning')}\n"
    )


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def render_json(names: list[str], diagnostics: list[Diagnostic]) -> str:
    errors = sum(1 for d in diagnostics if d.is_error)
    payload = {
        "format_version": 1,
        "files": names,
        "valid": errors == 0,
        "errors": errors,
        "warnings": len(diagnostics) - errors,
        "diagnostics": [d.to_json() for d in diagnostics],
    }
    return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"
