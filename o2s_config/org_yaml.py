"""Writing an org file from plain data, in one stable layout.

The layout follows examples/org.yaml: block mappings, `allow` and `deny` as
block lists, other lists of text as flow lists when they fit on one line,
and a blank line between top-level keys, between profiles and between users.
A text value is written plain when the YAML 1.2 core schema reads it back as
the same text, and double-quoted otherwise, so `"01000"`, `"true"` or
`"@SUM(A1)"` keep their meaning. Like `o2s-config fmt`, the writer also
quotes identifiers made of digits, such as a phone number, even when a plain
scalar would read back the same.
"""

from __future__ import annotations

import re
from typing import Any

from .formatter import DIGIT_STRING, IDENTIFIER_FIELDS
from .scalars import resolve_plain

# Lists under these keys are always block lists, one entry a line, so a diff
# of the file shows one right per line.
BLOCK_LIST_KEYS = frozenset({"allow", "deny"})
# Maximum width of a line with a flow list. Longer lists become block lists.
MAX_FLOW_WIDTH = 88

# Fields whose text is quoted when it is made of digits, as `o2s-config fmt`
# quotes them, so that removing the spaces of `732 829 320` later cannot turn
# the value into a YAML number.

_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`.")
# Characters that YAML does not accept raw in a document, or that libyaml
# (YAML 1.1, which the loader's parser follows) reads as line breaks.
_NOT_PRINTABLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff\ufffe\uffff]"
)
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r"}


def render_org(data: dict[str, Any], header: list[str]) -> str:
    """Return the YAML text of an org file: the `header` comment lines, then `data`."""
    lines = [f"# {line}".rstrip() for line in header]
    for index, (key, value) in enumerate(data.items()):
        if index or lines:
            lines.append("")
        spaced = key in ("profiles", "users")
        lines.extend(_entry(key, value, 0, spaced))
    return "\n".join(lines) + "\n"


def scalar(value: object, flow: bool = False) -> str:
    """Return a scalar as YAML text: plain when that reads back the same, else quoted."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    if isinstance(value, int | float):
        return repr(value)
    text = str(value)
    return text if _plain_is_safe(text, flow) else _double_quoted(text)


def _plain_is_safe(text: str, flow: bool) -> bool:
    if not text or text != text.strip() or text[0] in _INDICATORS:
        return False
    if _NOT_PRINTABLE.search(text) or "\t" in text or "\n" in text or "\r" in text:
        return False
    if ": " in text or " #" in text or text.endswith(":"):
        return False
    if flow and any(char in text for char in ",[]{}:"):
        return False
    return resolve_plain(text) == text


def _double_quoted(text: str) -> str:
    out = []
    for char in text:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif _NOT_PRINTABLE.match(char):
            code = ord(char)
            out.append(f"\\x{code:02X}" if code <= 0xFF else f"\\u{code:04X}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _entry(key: str, value: Any, indent: int, spaced: bool = False) -> list[str]:
    """Return the lines of `key: value` at `indent` spaces."""
    pad = " " * indent
    name = scalar(key)
    if isinstance(value, dict):
        if not value:
            return [f"{pad}{name}: {{}}"]
        lines = [f"{pad}{name}:"]
        for index, (child_key, child) in enumerate(value.items()):
            if spaced and index:
                lines.append("")
            lines.extend(_entry(child_key, child, indent + 2))
        return lines
    if isinstance(value, list):
        return _list(name, value, indent, key in BLOCK_LIST_KEYS, spaced)
    if (
        key in IDENTIFIER_FIELDS
        and isinstance(value, str)
        and DIGIT_STRING.fullmatch(value)
    ):
        return [f"{pad}{name}: {_double_quoted(value)}"]
    return [f"{pad}{name}: {scalar(value)}"]


def _list(
    name: str, items: list[Any], indent: int, block: bool, spaced: bool
) -> list[str]:
    pad = " " * indent
    if not items:
        return [f"{pad}{name}: []"]
    if not block and not any(isinstance(item, dict | list) for item in items):
        flow = f"{pad}{name}: [" + ", ".join(scalar(i, flow=True) for i in items) + "]"
        if len(flow) <= MAX_FLOW_WIDTH:
            return [flow]
    lines = [f"{pad}{name}:"]
    for index, item in enumerate(items):
        if spaced and index:
            lines.append("")
        if isinstance(item, dict) and item:
            for position, (child_key, child) in enumerate(item.items()):
                child_lines = _entry(child_key, child, indent + 4)
                marker = "- " if position == 0 else "  "
                child_lines[0] = f"{pad}  {marker}{child_lines[0][indent + 4 :]}"
                lines.extend(child_lines)
        else:
            lines.append(f"{pad}  - {scalar(item)}")
    return lines
