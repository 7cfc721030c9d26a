"""Questions a reviewer asks of a compiled org: why does this user hold this
right (explain), and who holds it (who-can)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .catalogue import scope_rank
from .compiled import CompiledOrg
from .resolve import Step, Value


class QueryError(Exception):
    """A user or right the org does not have; the message carries a hint."""


@dataclass(frozen=True)
class VisiblePath:
    """Why one user is visible: the chain of managers, or the shared manager."""

    login: str
    reason: str
    chain: tuple[str, ...] = ()


@dataclass
class Explanation:
    login: str
    key: str
    value: Value
    profile: str
    steps: tuple[Step, ...]
    visible: list[VisiblePath] = field(default_factory=list)


def find_user(org: CompiledOrg, login: str) -> None:
    if login in org.users:
        return
    from .rules.context import did_you_mean

    hint = (
        did_you_mean(login, list(org.users))
        or "run 'o2s-config report' to list the users"
    )
    raise QueryError(f"unknown user '{login}'; {hint}")


def find_right(org: CompiledOrg, key: str) -> None:
    if key in org.catalogue:
        return
    suggestion = org.catalogue.suggest(key)
    hint = f"did you mean '{suggestion}'?" if suggestion else "run 'o2s-config rights'"
    raise QueryError(f"unknown right '{key}'; {hint}")


def explain(org: CompiledOrg, login: str, key: str) -> Explanation:
    """Return the steps that give a user's effective value of a right, and for a
    scope the users it makes visible with the reason for each."""
    find_user(org, login)
    find_right(org, key)
    resolved = org.rights_of(login)[key]
    user = org.users[login]
    result = Explanation(login, key, resolved.value, user.profile, resolved.steps)
    if isinstance(resolved.value, str):
        result.visible = _visible_paths(org, login, resolved.value)
    return result


def _visible_paths(org: CompiledOrg, login: str, scope: str) -> list[VisiblePath]:
    hierarchy = org.hierarchy
    seen = hierarchy.visible(login, scope)
    paths = []
    for other in seen.logins():
        if other == login:
            paths.append(VisiblePath(other, "self"))
        elif scope != "all" and hierarchy.is_below(other, login):
            paths.append(
                VisiblePath(other, "below", tuple(hierarchy.chain_up(other, login)))
            )
        elif scope == "group" and hierarchy.manager(other) == hierarchy.manager(login):
            paths.append(VisiblePath(other, "sibling"))
        else:
            paths.append(VisiblePath(other, "all"))
    return paths


@dataclass(frozen=True)
class Holder:
    login: str
    name: str
    profile: str
    value: Value
    active: bool


@dataclass(frozen=True)
class GrantingProfile:
    id: str
    label: str
    value: Value
    step: Step


@dataclass
class WhoCan:
    key: str
    at_least: str | None
    profiles: list[GrantingProfile]
    users: list[Holder]


def who_can(org: CompiledOrg, key: str, at_least: str | None = None) -> WhoCan:
    """Return the profiles and users holding a yes/no right, or a scope at
    least as wide as `at_least` (any option when it is None)."""
    find_right(org, key)
    right = org.catalogue[key]
    if at_least is not None:
        if not right.is_scope:
            raise QueryError(f"'{key}' is a yes/no right; --at-least applies to scopes")
        if at_least not in (right.options or ()):
            options = ", ".join(right.options or ())
            raise QueryError(
                f"'{key}' has no option '{at_least}'; choose one of {options}"
            )

    def holds(value: Value) -> bool:
        if isinstance(value, bool):
            return value
        return at_least is None or scope_rank(value) >= scope_rank(at_least)

    profiles = [
        GrantingProfile(p.id, p.label, p.rights[key].value, origin(p.rights[key].steps))
        for p in org.profiles.values()
        if holds(p.rights[key].value)
    ]
    granted = {profile.id for profile in profiles}
    users = [
        Holder(u.login, u.name, u.profile, org.value_of(u.login, key), u.active)
        for u in org.users.values()
        if u.profile in granted
    ]
    return WhoCan(key, at_least, profiles, users)


def origin(steps: tuple[Step, ...]) -> Step:
    """Return the step that first set the final value, through inheritance."""
    final = steps[-1].value
    found = steps[-1]
    for step in reversed(steps):
        if step.value != final:
            break
        found = step
    return found


def explanation_json(org: CompiledOrg, result: Explanation) -> dict[str, Any]:
    return {
        "user": result.login,
        "right": result.key,
        "value": result.value,
        "profile": result.profile,
        "steps": [_step_json(step) for step in result.steps],
        "visible": [
            {"login": path.login, "reason": path.reason, "chain": list(path.chain)}
            for path in result.visible
        ],
    }


def who_can_json(result: WhoCan) -> dict[str, Any]:
    return {
        "right": result.key,
        "at_least": result.at_least,
        "profiles": [
            {
                "id": p.id,
                "label": p.label,
                "value": p.value,
                "granted_by": _step_json(p.step),
            }
            for p in result.profiles
        ],
        "users": [
            {
                "login": u.login,
                "name": u.name,
                "profile": u.profile,
                "value": u.value,
                "active": u.active,
            }
            for u in result.users
        ],
    }


def _step_json(step: Step) -> dict[str, Any]:
    location = step.location
    return {
        "kind": step.kind,
        "value": step.value,
        "profile": step.profile,
        "entry": step.entry,
        "file": location.file if location else None,
        "line": location.line if location else None,
        "column": location.column if location else None,
        "text": step.describe(),
    }
