"""Turning Pydantic validation errors into diagnostics people can act on.

Pydantic reports a location as a tuple of keys and indexes, with union member
tags mixed in. This module maps that tuple back onto the data, names the item
the way the file names it (`users[login=jleroy].email`), and words the message
by the kind of error, with the value as written in the file.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from typing import Any, get_args, get_origin

from pydantic import BaseModel

from .diagnostics import Diagnostic, error
from .fields import PROFILE_ID
from .model import BUILTIN_ADMINISTRATOR
from .source import PathKey, SourceFile

# Model fields whose values are identifiers written as text. A YAML number
# there has usually lost a leading zero or spaces, so it gets its own code.
TEXT_IDENTIFIERS = frozenset(
    {
        "postal_code",
        "siren",
        "siret",
        "orias",
        "naf",
        "phone",
        "vat_number",
        "policy_number",
        "number",
        "login",
        "manager",
        "label",
        "first_name",
        "last_name",
        "structure",
    }
)

_PATTERNS = {
    "login": "a login is letters, digits and '.', '_', '@' or '-', starting with a "
    "letter or digit",
    "manager": "a manager is the login of another user",
    "profile": "a profile id is lowercase letters, digits, '-' and '_', starting with a letter",
    "base": "base is 'all', 'none' or a profile id",
    "postal_code": 'a postal code is 2 to 10 digits or capital letters, such as "75002"',
    "phone": "a phone number is digits, spaces, dots or dashes, with an optional leading '+'",
    "website": "a website is an address starting with https:// or http://",
    "allow": "an entry is a right key such as contacts.edit, or a glob such as requests.*",
    "deny": "an entry is a right key such as contacts.edit, or a glob such as requests.*",
    "scopes": "a scope key is a right key such as agenda.view",
    "key": "a right key is '<tab>.<name>' in lowercase, such as contacts.edit",
}

_EXPECTED = {
    "string_type": "text",
    "bool_type": "true or false",
    "int_type": "a whole number",
    "float_type": "a number",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "list_type": "a list",
    "tuple_type": "a list",
    "date_type": "a date such as 2024-09-01",
}

_IDENTIFIER_ERRORS = frozenset({"siren", "siret", "vat_number", "rcs", "orias", "naf"})


def describe_errors(
    source: SourceFile,
    base: Sequence[PathKey],
    errors: Iterable[Any],
    model: type[BaseModel] | None = None,
) -> list[Diagnostic]:
    """Return one diagnostic per distinct data location among Pydantic errors.

    `model` is the model validated at `base`; it supplies the allowed field
    names for unknown-field hints.
    """
    found: dict[tuple[tuple[PathKey, ...], bool], Diagnostic] = {}
    for item in errors:
        path, on_key = _data_path(source.data, base, item)
        if (path, on_key) in found:
            continue
        allowed: list[str] = []
        if model is not None and item["type"] == "extra_forbidden":
            allowed = _fields_at(model, path[len(base) : -1])
        found[(path, on_key)] = _describe(source, path, on_key, item, allowed)
    return list(found.values())


def _fields_at(model: type[BaseModel], steps: Sequence[PathKey]) -> list[str]:
    """Return the field names of the model found by following `steps` from `model`."""
    current: type[BaseModel] | None = model
    skip_next = False
    for step in steps:
        if skip_next or isinstance(step, int):
            skip_next = False
            continue
        if current is None or step not in current.model_fields:
            return []
        current, skip_next = _inner_model(current.model_fields[step].annotation)
    return list(current.model_fields) if current is not None else []


def _inner_model(annotation: Any) -> tuple[type[BaseModel] | None, bool]:
    """Find the model inside an annotation, and whether a list or dict wraps it."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation, False
    origin = get_origin(annotation)
    args = get_args(annotation)
    if origin in (list, dict, tuple) and args:
        inner, _ = _inner_model(args[-1] if origin is dict else args[0])
        return inner, True
    for arg in args:
        inner, wrapped = _inner_model(arg)
        if inner is not None:
            return inner, wrapped
    return None, False


def _data_path(
    data: Any, base: Sequence[PathKey], item: Any
) -> tuple[tuple[PathKey, ...], bool]:
    """Keep the steps of an error's location that exist in the data.

    Union member tags ('int', 'function-after[...]') are not in the data and
    are dropped; the last step of a missing or unknown field is kept.
    """
    node = _walk(data, base)
    kept: list[PathKey] = list(base)
    loc = item["loc"]
    for position, step in enumerate(loc):
        if step == "[key]":
            return tuple(kept), True
        if (isinstance(node, dict) and step in node) or (
            isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node)
        ):
            node = node[step]
            kept.append(step)
        elif position == len(loc) - 1 and item["type"] in (
            "missing",
            "extra_forbidden",
        ):
            kept.append(step)
    return tuple(kept), item["type"] == "extra_forbidden"


def _walk(data: Any, path: Sequence[PathKey]) -> Any:
    node = data
    for step in path:
        if isinstance(node, dict):
            node = node.get(step)
        elif isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
            node = node[step]
        else:
            return None
    return node


def name_path(data: Any, path: Sequence[PathKey]) -> str:
    """Name a data path the way a reader finds it: `users[login=jleroy].email`."""
    text = ""
    node = data
    for step in path:
        if isinstance(step, int):
            item = (
                node[step] if isinstance(node, list) and 0 <= step < len(node) else None
            )
            login = item.get("login") if isinstance(item, dict) else None
            text += f"[login={login}]" if isinstance(login, str) else f"[{step}]"
        else:
            text += f".{step}" if text else step
            item = node.get(step) if isinstance(node, dict) else None
        node = item
    return text


def _describe(
    source: SourceFile,
    path: tuple[PathKey, ...],
    on_key: bool,
    item: Any,
    allowed: list[str],
) -> Diagnostic:
    kind = item["type"]
    # An error on a mapping key belongs to the field that contains the mapping.
    steps = path[:-1] if on_key and kind != "extra_forbidden" else path
    field = next((str(step) for step in reversed(steps) if isinstance(step, str)), "")
    named = name_path(source.data, path)
    location = source.locate(path, key=on_key)
    value = item.get("input")

    if kind == "extra_forbidden":
        container = name_path(source.data, path[:-1]) or "the top level"
        return error(
            "M001",
            f"unknown field '{path[-1]}' in {container}",
            location,
            path=named,
            hint=_field_hint(str(path[-1]), allowed),
        )
    if kind == "missing":
        container = name_path(source.data, path[:-1]) or "the top level"
        return error(
            "M002",
            f"missing required field '{path[-1]}' in {container}",
            location,
            path=named,
            hint=f"add '{path[-1]}: ...' to {container}",
        )
    if kind in _EXPECTED:
        in_list = bool(path) and isinstance(path[-1], int)
        return _type_error(source, kind, field, named, location, value, on_key, in_list)
    if kind in _IDENTIFIER_ERRORS:
        return error("M006", f"{named}: {item['msg']}", location, path=named)
    if kind == "siren_mismatch":
        return _siren_mismatch(source, path, item)
    if kind == "value_error" and field in ("email", "contact_email"):
        reason = _email_reason(value, str(item["msg"]))
        return error(
            "M007",
            f"invalid e-mail address {_show(value)} in {named}: {reason}",
            location,
            path=named,
            hint="write a full address such as prenom.nom@cabinet.fr",
        )
    if kind == "string_pattern_mismatch":
        return _pattern_error(source, path, field, location, value, on_key)
    return _value_error(kind, field, named, location, value, item, on_key)


def _pattern_error(
    source: SourceFile,
    path: tuple[PathKey, ...],
    field: str,
    location: Any,
    value: Any,
    on_key: bool,
) -> Diagnostic:
    named = name_path(source.data, path)
    if on_key:
        rule = _PATTERNS.get("key" if field == "scopes" else field, "")
        message = f"invalid key {_show(value)} in {name_path(source.data, path[:-1])}"
        return error("M004", message, location, path=named, hint=rule)

    rule = _PATTERNS.get(field, "")
    if field == "profile" and isinstance(value, str):
        rule = _profile_hint(source.data, value) or rule
    message = f"invalid {field} {_show(value)} in {named}"
    return error("M004", message, location, path=named, hint=rule)


def _profile_hint(data: Any, value: str) -> str:
    """Name the profile id that a user's `profile` most likely meant.

    Users often write a profile's label ('Back-office') or its id in capitals,
    neither of which matches the id pattern.
    """
    profiles = data.get("profiles") if isinstance(data, dict) else None
    if not isinstance(profiles, dict):
        profiles = {}
    valid = {
        profile_id: body
        for profile_id, body in profiles.items()
        if isinstance(profile_id, str) and PROFILE_ID.fullmatch(profile_id)
    }
    normalized = " ".join(value.casefold().split())
    for profile_id, body in valid.items():
        label = body.get("label") if isinstance(body, dict) else None
        if isinstance(label, str) and " ".join(label.casefold().split()) == normalized:
            return f"'{value}' is the label of profile '{profile_id}'; use the id"
    for profile_id in [*valid, BUILTIN_ADMINISTRATOR]:
        if profile_id == normalized:
            return f"did you mean '{profile_id}'? profile ids are lowercase"
    return ""


def _type_error(
    source: SourceFile,
    kind: str,
    field: str,
    named: str,
    location: Any,
    value: Any,
    on_key: bool,
    in_list: bool,
) -> Diagnostic:
    expected = _EXPECTED[kind]
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "string_type" and is_number:
        written = source.token_at(location) or str(value)
        code = "M005" if field in TEXT_IDENTIFIERS else "M003"
        quoted = f'"{written}"' if on_key or in_list else f'{field}: "{written}"'
        return error(
            code,
            f"{named} is the number {value} in YAML, written {written}; it must be text",
            location,
            path=named,
            hint=f"write it in quotes: {quoted}",
        )

    hint = ""
    if kind == "bool_type" and isinstance(value, str):
        hint = _bool_hint(value)
    elif kind == "string_type" and value is None:
        hint = f"give {field} a value, or remove the line"
    elif kind in ("list_type", "tuple_type") and isinstance(value, str):
        hint = f"write it as a list: {field}: [{value}]"
    elif kind in ("int_type", "float_type") and isinstance(value, str):
        hint = "write the number without quotes or spaces, such as 50000"
    return error(
        "M003",
        f"{named} must be {expected}, found {_show(value)}",
        location,
        path=named,
        hint=hint,
    )


def _value_error(
    kind: str,
    field: str,
    named: str,
    location: Any,
    value: Any,
    item: Any,
    on_key: bool,
) -> Diagnostic:
    ctx = item.get("ctx") or {}
    if kind == "literal_error":
        allowed = str(ctx.get("expected", "")).replace("'", "")
        message = f"invalid value {_show(value)} for {named}; allowed: {allowed}"
        return error("M004", message, location, path=named)
    if kind == "string_too_short":
        return error(
            "M004",
            f"{named} is empty",
            location,
            path=named,
            hint=f"give {field} a value",
        )
    if kind in ("greater_than_equal", "greater_than"):
        limit = ctx.get("ge", ctx.get("gt"))
        message = f"{named} must be at least {limit}, found {_show(value)}"
        return error("M004", message, location, path=named)
    reason = str(item.get("msg", "")).removeprefix("Value error, ")
    return error("M004", f"invalid {named}: {reason}", location, path=named)


def _siren_mismatch(
    source: SourceFile, path: tuple[PathKey, ...], item: Any
) -> Diagnostic:
    """Place a SIREN mismatch on the first field that disagrees with siren."""
    container = name_path(source.data, path)
    field = (item.get("ctx") or {}).get("field")
    if isinstance(field, str):
        path = (*path, field)
    return error(
        "M006",
        f"{container}: {item['msg']}",
        source.locate(path),
        path=name_path(source.data, path),
        hint="the SIRET, RCS and VAT numbers each contain the SIREN; correct the "
        "one that is mistyped",
    )


def _email_reason(value: Any, message: str) -> str:
    if value == "":
        return "it is empty"
    reason = message.split(": ", 1)[-1].rstrip(".")
    return reason[:1].lower() + reason[1:]


def _bool_hint(value: str) -> str:
    if value.lower() in ("true", "false"):
        return f"remove the quotes: {value.lower()}"
    return f"YAML 1.2 reads '{value}' as text, not as a boolean; write true or false"


def _field_hint(key: str, allowed: list[str]) -> str:
    if not allowed:
        return ""
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    if close:
        return f"did you mean '{close[0]}'?"
    return "allowed fields: " + ", ".join(allowed)


def _show(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__
