"""The semantic diff of two compiled organisations, per profile and per user.

Each change is classed `widen` (more access), `narrow` (less access) or
`neutral`. A yes/no right turned on widens; a scope moved up the order
own < attached < group < all widens; a user who sees someone new widens, and
the same change can narrow what the user sees elsewhere. Adding or
reactivating a user widens, removing or deactivating one narrows. Labels,
names and the establishment are neutral.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from .catalogue import scope_rank
from .compiled import CompiledOrg
from .resolve import Value
from .visibility import VisibleSet

Classification = Literal["widen", "narrow", "neutral"]
CLASSIFICATIONS: tuple[Classification, ...] = ("widen", "narrow", "neutral")


@dataclass(frozen=True)
class Change:
    """One difference between the base and the head organisation."""

    category: Literal["establishment", "profile", "user"]
    kind: str
    subject: str
    classification: Classification
    key: str = ""
    old: Any = None
    new: Any = None
    gained: tuple[str, ...] = ()
    lost: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "category": self.category,
            "kind": self.kind,
            "subject": self.subject,
            "classification": self.classification,
        }
        if self.key:
            payload["key"] = self.key
        if self.kind not in ("added", "removed"):
            payload["old"] = self.old
            payload["new"] = self.new
        if self.gained:
            payload["gained"] = list(self.gained)
        if self.lost:
            payload["lost"] = list(self.lost)
        return payload


@dataclass
class OrgDiff:
    base: CompiledOrg
    head: CompiledOrg
    changes: list[Change] = field(default_factory=list)

    def count(self, classification: Classification) -> int:
        return sum(
            1 for change in self.changes if change.classification == classification
        )

    def profiles_changed(self) -> list[str]:
        return sorted({c.subject for c in self.changes if c.category == "profile"})

    def users_affected(self) -> list[str]:
        return sorted({c.subject for c in self.changes if c.category == "user"})

    def by_subject(self, category: str) -> dict[str, list[Change]]:
        grouped: dict[str, list[Change]] = {}
        for change in self.changes:
            if change.category == category:
                grouped.setdefault(change.subject, []).append(change)
        return dict(sorted(grouped.items()))

    def fails(self, gate: str) -> bool:
        """Tell whether `--fail-on` with this gate (widen, any, never) fails the run."""
        if gate == "never":
            return False
        if gate == "any":
            return bool(self.changes)
        return self.count("widen") > 0


def diff_orgs(base: CompiledOrg, head: CompiledOrg) -> OrgDiff:
    """Compare two organisations by their resolved rights and visibility."""
    result = OrgDiff(base, head)
    result.changes.extend(_establishment(base, head))
    result.changes.extend(_profiles(base, head))
    result.changes.extend(_users(base, head))
    result.changes.extend(_user_access(base, head))
    return result


def classify_value(old: Value, new: Value) -> Classification:
    if old == new:
        return "neutral"
    if isinstance(old, bool) and isinstance(new, bool):
        return "widen" if new else "narrow"
    if isinstance(old, str) and isinstance(new, str):
        return "widen" if scope_rank(new) > scope_rank(old) else "narrow"
    return "neutral"


def _establishment(base: CompiledOrg, head: CompiledOrg) -> Iterator[Change]:
    old = _flatten(base.establishment.model_dump(mode="json", exclude_none=True))
    new = _flatten(head.establishment.model_dump(mode="json", exclude_none=True))
    old["structures"] = ", ".join(base.structures)
    new["structures"] = ", ".join(head.structures)
    for name in sorted(old.keys() | new.keys()):
        if old.get(name) != new.get(name):
            yield Change(
                "establishment",
                "field_changed",
                "",
                "neutral",
                name,
                old.get(name),
                new.get(name),
            )


def _flatten(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, name + "."))
        elif isinstance(value, list):
            flat[name] = ", ".join(str(item) for item in value)
        else:
            flat[name] = value
    return flat


def _profiles(base: CompiledOrg, head: CompiledOrg) -> Iterator[Change]:
    for profile_id in sorted(base.profiles.keys() | head.profiles.keys()):
        old = base.profiles.get(profile_id)
        new = head.profiles.get(profile_id)
        if old is None:
            assert new is not None
            yield Change("profile", "added", profile_id, "neutral", new=new.label)
            continue
        if new is None:
            yield Change("profile", "removed", profile_id, "neutral", old=old.label)
            continue
        if old.label != new.label:
            yield Change(
                "profile",
                "label_changed",
                profile_id,
                "neutral",
                "label",
                old.label,
                new.label,
            )
        if old.validated != new.validated:
            yield Change(
                "profile",
                "validated_changed",
                profile_id,
                "neutral",
                "validated",
                old.validated,
                new.validated,
            )
        for key in _shared_keys(base, head):
            before, after = old.rights[key].value, new.rights[key].value
            if before != after:
                yield Change(
                    "profile",
                    "right_changed",
                    profile_id,
                    classify_value(before, after),
                    key,
                    before,
                    after,
                )


def _shared_keys(base: CompiledOrg, head: CompiledOrg) -> list[str]:
    return [key for key in head.catalogue.rights if key in base.catalogue.rights]


def _users(base: CompiledOrg, head: CompiledOrg) -> Iterator[Change]:
    for login in sorted(base.users.keys() | head.users.keys()):
        old = base.users.get(login)
        new = head.users.get(login)
        if old is None:
            assert new is not None
            kind: Classification = "widen" if new.active else "neutral"
            yield Change("user", "added", login, kind, new=new.profile)
            continue
        if new is None:
            yield Change(
                "user",
                "removed",
                login,
                "narrow" if old.active else "neutral",
                old=old.profile,
            )
            continue
        if old.active != new.active:
            state = "reactivated" if new.active else "deactivated"
            yield Change(
                "user",
                state,
                login,
                "widen" if new.active else "narrow",
                "active",
                old.active,
                new.active,
            )
        if old.profile != new.profile:
            yield Change(
                "user",
                "profile_changed",
                login,
                "neutral",
                "profile",
                old.profile,
                new.profile,
            )
        if old.manager != new.manager:
            yield Change(
                "user",
                "manager_changed",
                login,
                "neutral",
                "manager",
                old.manager,
                new.manager,
            )
        for name in ("first_name", "last_name", "email", "structure"):
            if getattr(old, name) != getattr(new, name):
                yield Change(
                    "user",
                    "field_changed",
                    login,
                    "neutral",
                    name,
                    getattr(old, name),
                    getattr(new, name),
                )


def _user_access(base: CompiledOrg, head: CompiledOrg) -> Iterator[Change]:
    """Rights and visibility of the users present on both sides."""
    keys = _shared_keys(base, head)
    scope_keys = [key for key in keys if head.catalogue[key].is_scope]
    context = _VisibilityDiff(base, head)

    for login in head.users:
        if login not in base.users:
            continue
        old_rights = base.rights_of(login)
        new_rights = head.rights_of(login)
        for key in keys:
            before, after = old_rights[key].value, new_rights[key].value
            if before == after:
                continue
            kind = (
                "scope_changed"
                if isinstance(after, str)
                else ("right_gained" if after else "right_lost")
            )
            yield Change(
                "user", kind, login, classify_value(before, after), key, before, after
            )
        for key in scope_keys:
            yield from context.changes(login, key)


class _VisibilityDiff:
    """Who each user newly sees, or no longer sees, without building every
    visible set: only the parts that can differ are walked."""

    def __init__(self, base: CompiledOrg, head: CompiledOrg) -> None:
        self.base = base
        self.head = head
        self.added = sorted(head.users.keys() - base.users.keys())
        self.removed = sorted(base.users.keys() - head.users.keys())
        self._sibling_cache: dict[tuple[bool, str | None, str | None], list[str]] = {}

    def changes(self, login: str, key: str) -> Iterator[Change]:
        old = self.base.visibility(login, key)
        new = self.head.visibility(login, key)
        gained = self._difference(new, old, self.added, head_first=True)
        lost = self._difference(old, new, self.removed, head_first=False)
        if gained:
            yield Change(
                "user",
                "visibility_widened",
                login,
                "widen",
                key,
                old.scope,
                new.scope,
                gained=tuple(gained),
            )
        if lost:
            yield Change(
                "user",
                "visibility_narrowed",
                login,
                "narrow",
                key,
                old.scope,
                new.scope,
                lost=tuple(lost),
            )

    def _difference(
        self,
        first: VisibleSet,
        second: VisibleSet,
        only_in_first: list[str],
        head_first: bool,
    ) -> list[str]:
        """Return the users `first` sees and `second` does not, sorted."""
        if first.scope == "all":
            if second.scope == "all":
                return list(only_in_first)
            return [login for login in first.logins() if login not in second]

        found: set[str] = set()
        login = first.login
        if first.scope == "group":
            siblings = first.hierarchy.siblings(login)
            if second.scope == "group":
                siblings = self._new_siblings(login, head_first)
            found.update(other for other in siblings if other not in second)
        if first.scope in ("attached", "group"):
            found.update(
                other for other in first.hierarchy.below(login) if other not in second
            )
        return sorted(found)

    def _new_siblings(self, login: str, head_first: bool) -> list[str]:
        """Return the siblings in one version that are not siblings in the other."""
        first, second = (self.head, self.base) if head_first else (self.base, self.head)
        first_manager = first.hierarchy.manager(login)
        second_manager = second.hierarchy.manager(login)
        cache_key = (head_first, first_manager, second_manager)
        cached = self._sibling_cache.get(cache_key)
        if cached is None:
            others = set(second.hierarchy.children.get(second_manager, []))
            cached = [
                x
                for x in first.hierarchy.children.get(first_manager, [])
                if x not in others
            ]
            self._sibling_cache[cache_key] = cached
        return cached
