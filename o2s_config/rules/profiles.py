"""Profile definitions: reserved ids, base cycles, and how allow, deny and scopes
name the rights."""

from __future__ import annotations

from collections.abc import Iterator

from ..catalogue import Catalogue, is_glob
from ..diagnostics import Diagnostic, error
from ..document import ProfileEntry
from ..model import BASE_TEMPLATES, BUILTIN_ADMINISTRATOR
from .context import RuleContext


def check(context: RuleContext) -> Iterator[Diagnostic]:
    document = context.document
    for profile_id in sorted(document.declared_profiles):
        if profile_id == BUILTIN_ADMINISTRATOR or profile_id in BASE_TEMPLATES:
            yield _reserved(context, profile_id)

    yield from _base_cycles(context)
    for entry in document.profiles.values():
        yield from _allow_and_deny(context, entry)
        yield from _scopes(context, entry)


def _reserved(context: RuleContext, profile_id: str) -> Diagnostic:
    location = context.document.locate(("profiles", profile_id), key=True)
    context.unresolvable_profiles.add(profile_id)
    if profile_id == BUILTIN_ADMINISTRATOR:
        return error(
            "R012",
            "the administrator profile is built in and cannot be redefined",
            location,
            path=f"profiles.{profile_id}",
            hint="remove this entry; give users 'profile: administrator' directly, or "
            "create another profile with 'base: all'",
        )
    return error(
        "R013",
        f"profile id '{profile_id}' is reserved for the base templates all and none",
        location,
        path=f"profiles.{profile_id}",
        hint="choose another id; the label can still read as you like",
    )


def _base_cycles(context: RuleContext) -> Iterator[Diagnostic]:
    profiles = context.document.profiles
    state: dict[str, str] = {}

    for start in sorted(profiles):
        trail: list[str] = []
        current: str | None = start
        while current in profiles and current not in state:
            state[current] = start
            trail.append(current)
            # `all` and `none` always name the templates, even when a profile
            # takes one of them as its id (an error of its own, R013).
            base = profiles[current].profile.base
            current = None if base in BASE_TEMPLATES else base
        if current not in trail:
            continue
        members = trail[trail.index(current) :]
        context.unresolvable_profiles.update(members)
        chain = " -> ".join([*members, members[0]])
        first = min(members)
        yield error(
            "R009",
            f"profile bases form a cycle: {chain}",
            profiles[first].locate("base"),
            path=f"profiles.{first}.base",
            hint="one profile of the cycle must start from 'all', 'none' or a profile "
            "outside it",
        )


def _allow_and_deny(context: RuleContext, entry: ProfileEntry) -> Iterator[Diagnostic]:
    """Report scope keys in allow or deny, and keys that allow names exactly
    while deny switches them off again.

    A glob in allow with an exact key in deny is a carve-out (deny applies
    after allow), so it is not reported.
    """
    catalogue = context.catalogue
    profile = entry.profile
    exact_allow: dict[str, int] = {}
    first_deny: dict[str, int] = {}

    for field_name in ("allow", "deny"):
        for index, pattern in enumerate(getattr(profile, field_name)):
            if (
                not is_glob(pattern)
                and pattern in catalogue
                and catalogue[pattern].is_scope
            ):
                yield _scope_in_list(catalogue, entry, field_name, index, pattern)
                continue
            if field_name == "allow":
                if not is_glob(pattern) and pattern in catalogue:
                    exact_allow.setdefault(pattern, index)
                continue
            for key in catalogue.match(pattern):
                if not catalogue[key].is_scope:
                    first_deny.setdefault(key, index)

    for key, allow_index in exact_allow.items():
        deny_index = first_deny.get(key)
        if deny_index is None:
            continue
        allow_line = entry.locate("allow", allow_index).line
        yield error(
            "R010",
            f"right '{key}' is both allowed (line {allow_line}) and denied in "
            f"profiles.{entry.id}",
            entry.locate("deny", deny_index),
            path=f"profiles.{entry.id}.deny[{deny_index}]",
            hint="keep it in one list only; deny is applied after allow",
        )


def _scope_in_list(
    catalogue: Catalogue, entry: ProfileEntry, field_name: str, index: int, pattern: str
) -> Diagnostic:
    options = ", ".join(catalogue[pattern].options or ())
    return error(
        "R011",
        f"'{pattern}' is a scope, so it cannot be in {field_name}; choose "
        f"one of its options: {options}",
        entry.locate(field_name, index),
        path=f"profiles.{entry.id}.{field_name}[{index}]",
        hint=f"write it under scopes, for example 'scopes: {{{pattern}: own}}'",
    )


def _scopes(context: RuleContext, entry: ProfileEntry) -> Iterator[Diagnostic]:
    catalogue = context.catalogue
    for key, option in entry.profile.scopes.items():
        if key not in catalogue:
            continue
        right = catalogue[key]
        path = f"profiles.{entry.id}.scopes.{key}"
        if not right.is_scope:
            yield error(
                "R017",
                f"'{key}' is a yes/no right, not a scope",
                entry.locate("scopes", key, key=True),
                path=path,
                hint="put it in allow or deny instead",
            )
        elif option not in (right.options or ()):
            offered = ", ".join(right.options or ())
            yield error(
                "R018",
                f"scope '{key}' does not offer the option '{option}'; it offers {offered}",
                entry.locate("scopes", key),
                path=path,
            )
