"""YAML 1.2 core schema: the type of a plain (unquoted) scalar.

Only the core schema's forms are typed. `yes`, `no`, `on` and `off` stay
strings, unlike YAML 1.1, and there are no timestamps: dates are strings that
the model parses. Quoted scalars are always strings.
"""

from __future__ import annotations

import re

_NULL = frozenset({"", "~", "null", "Null", "NULL"})
_TRUE = frozenset({"true", "True", "TRUE"})
_FALSE = frozenset({"false", "False", "FALSE"})
_INT = re.compile(r"[-+]?[0-9]+")
_OCT = re.compile(r"0o[0-7]+")
_HEX = re.compile(r"0x[0-9a-fA-F]+")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_INF = re.compile(r"[-+]?\.(?:inf|Inf|INF)")
_NAN = frozenset({".nan", ".NaN", ".NAN"})

# Plain scalars that can only be strings start with a letter other than the
# few that begin null, bool or special float forms; most values in an org file
# (logins, names, e-mails) take this fast path.
_MAYBE_TYPED_START = frozenset("0123456789+-.~nNtTfF")

Scalar = str | int | float | bool | None

TAG_PREFIX = "tag:yaml.org,2002:"
STANDARD_TAGS = frozenset(
    TAG_PREFIX + name for name in ("str", "int", "float", "bool", "null", "map", "seq")
)


def resolve_plain(text: str) -> Scalar:
    """Type a plain scalar by the YAML 1.2 core schema."""
    if text and text[0] not in _MAYBE_TYPED_START:
        return text
    if text in _NULL:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    if _INT.fullmatch(text):
        return int(text, 10)
    if _OCT.fullmatch(text):
        return int(text[2:], 8)
    if _HEX.fullmatch(text):
        return int(text[2:], 16)
    if _FLOAT.fullmatch(text):
        return float(text)
    if _INF.fullmatch(text):
        return float("-inf") if text.startswith("-") else float("inf")
    if text in _NAN:
        return float("nan")
    return text


def resolve_tagged(tag: str, text: str) -> Scalar | ValueError:
    """Type a scalar carrying an explicit standard tag such as `!!str`.

    Returns a ValueError, instead of raising it, when the text does not fit
    the tag, so the loader can report it with the scalar's position.
    """
    kind = tag.removeprefix(TAG_PREFIX)
    if kind == "str":
        return text

    value = resolve_plain(text)
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "null" and value is None:
        return None
    if kind == "bool" and isinstance(value, bool):
        return value
    if kind == "int" and is_number and isinstance(value, int):
        return value
    if kind == "float" and is_number:
        return float(value)  # type: ignore[arg-type]
    return ValueError(f"'{text}' is not a valid !!{kind} value")
