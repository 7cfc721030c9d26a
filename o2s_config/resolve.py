"""Profile resolution: from base, allow, deny and scopes to effective rights.

A profile resolves in this order, each step recorded as provenance:

1. `base`: the template `all` (every yes/no right on, every scope at its
   widest option), the template `none` (every right off, every scope at its
   narrowest), or another profile's resolved rights;
2. `allow`: the named yes/no rights on (keys or globs);
3. `deny`: the named yes/no rights off (keys or globs);
4. `scopes`: the chosen option of each named scope right;
5. the catalogue's dependency rules: a right whose requirement is not met is
   forced off (a scope right to its narrowest option), in catalogue order,
   and again until every right that is not off has its requirement met.

The built-in administrator holds every right at its widest.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from .catalogue import Catalogue, Right, is_glob, scope_rank
from .diagnostics import Diagnostic, Location, warning
from .document import OrgDocument, ProfileEntry
from .model import BUILTIN_ADMINISTRATOR

Value = bool | str
StepKind = Literal[
    "builtin", "template", "inherited", "allow", "deny", "scope", "dependency"
]

ADMINISTRATOR_LABEL = "Administrateur"


@dataclass(frozen=True)
class Step:
    """One step that set a right's value, in the order resolution applied them."""

    kind: StepKind
    value: Value
    profile: str
    location: Location | None
    entry: str = ""

    def describe(self) -> str:
        shown = _show(self.value)
        if self.kind == "builtin":
            return f"built-in profile {self.profile} holds every right: {shown}"
        if self.kind == "template":
            return f"profiles.{self.profile} starts from base '{self.entry}': {shown}"
        if self.kind == "inherited":
            return f"profiles.{self.profile} inherits from base '{self.entry}': {shown}"
        if self.kind in ("allow", "deny"):
            return f"profiles.{self.profile} {self.kind} '{self.entry}': {shown}"
        if self.kind == "scope":
            return f"profiles.{self.profile} scopes: {shown}"
        return (
            f"dependency rule '{self.entry}' forces {shown} in profiles.{self.profile}"
        )


@dataclass(frozen=True, eq=False)
class ResolvedRight:
    """A right's effective value, with a link to the value that the last step replaced.

    Linking instead of copying the earlier steps keeps memory linear in the
    length of a chain of profiles, each built on the one before. Equality is
    identity, so comparing two rights never walks a long chain.
    """

    value: Value
    step: Step
    previous: ResolvedRight | None = None

    @property
    def steps(self) -> tuple[Step, ...]:
        """Every step that set the value, first to last."""
        steps = []
        node: ResolvedRight | None = self
        while node is not None:
            steps.append(node.step)
            node = node.previous
        return tuple(reversed(steps))

    def then(self, step: Step) -> ResolvedRight:
        return ResolvedRight(step.value, step, self)


@dataclass
class ResolvedProfile:
    id: str
    label: str
    validated: bool
    builtin: bool
    base: str
    rights: dict[str, ResolvedRight]
    location: Location | None = None
    description: str | None = None
    max_tenure_days: int | None = None

    def values(self) -> dict[str, Value]:
        return {key: right.value for key, right in self.rights.items()}


@dataclass
class Resolution:
    profiles: dict[str, ResolvedProfile] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)


def resolve_profiles(
    document: OrgDocument, catalogue: Catalogue, skip: set[str]
) -> Resolution:
    """Resolve every valid profile, plus the built-in administrator.

    Profiles in `skip` (base cycles, unknown bases) are left out, and so are
    the profiles built on them.
    """
    resolution = Resolution()
    resolution.profiles[BUILTIN_ADMINISTRATOR] = _administrator(catalogue)
    unresolvable = set(skip)
    for profile_id in sorted(document.profiles):
        _resolve_chain(profile_id, document, catalogue, unresolvable, resolution)
    return resolution


def _administrator(catalogue: Catalogue) -> ResolvedProfile:
    rights = {}
    for key, right in catalogue.rights.items():
        value: Value = right.widest if right.is_scope else True
        rights[key] = ResolvedRight(
            value, Step("builtin", value, BUILTIN_ADMINISTRATOR, None)
        )
    return ResolvedProfile(
        BUILTIN_ADMINISTRATOR, ADMINISTRATOR_LABEL, True, True, "all", rights
    )


def _resolve_chain(
    profile_id: str,
    document: OrgDocument,
    catalogue: Catalogue,
    unresolvable: set[str],
    resolution: Resolution,
) -> None:
    """Resolve a profile and the bases it builds on, the farthest base first.

    A loop instead of recursion, so a chain of thousands of profiles cannot
    overflow the stack. When a base is missing, unresolvable or in a cycle,
    every profile of the chain joins `unresolvable`, so no chain is walked twice.
    """
    chain: list[ProfileEntry] = []
    seen: set[str] = set()
    current = profile_id
    while current not in resolution.profiles:
        entry = document.profiles.get(current)
        if entry is None or current in unresolvable or current in seen:
            unresolvable.update(seen)
            return
        chain.append(entry)
        seen.add(current)
        if entry.profile.base in ("all", "none"):
            break
        current = entry.profile.base
    for entry in reversed(chain):
        _resolve(entry, catalogue, resolution)


def _resolve(entry: ProfileEntry, catalogue: Catalogue, resolution: Resolution) -> None:
    """Resolve one profile whose base, when it is a profile, is resolved already."""
    profile_id = entry.id
    base = entry.profile.base
    if base in ("all", "none"):
        rights = _template(entry, base, catalogue)
    else:
        rights = _inherit(entry, resolution.profiles[base])

    _apply_lists(entry, catalogue, rights)
    _apply_scopes(entry, catalogue, rights)
    resolution.diagnostics.extend(_apply_dependencies(entry, catalogue, rights))

    resolved = ResolvedProfile(
        profile_id,
        entry.profile.label,
        entry.profile.validated,
        False,
        base,
        rights,
        entry.locate(key=True),
        entry.profile.description,
        entry.profile.max_tenure_days,
    )
    resolution.profiles[profile_id] = resolved


def _template(
    entry: ProfileEntry, template: str, catalogue: Catalogue
) -> dict[str, ResolvedRight]:
    location = entry.locate("base")
    rights = {}
    for key, right in catalogue.rights.items():
        if right.is_scope:
            value: Value = right.widest if template == "all" else right.narrowest
        else:
            value = template == "all"
        rights[key] = ResolvedRight(
            value, Step("template", value, entry.id, location, template)
        )
    return rights


def _inherit(entry: ProfileEntry, parent: ResolvedProfile) -> dict[str, ResolvedRight]:
    location = entry.locate("base")
    return {
        key: right.then(Step("inherited", right.value, entry.id, location, parent.id))
        for key, right in parent.rights.items()
    }


def _apply_lists(
    entry: ProfileEntry, catalogue: Catalogue, rights: dict[str, ResolvedRight]
) -> None:
    for kind, value in (("allow", True), ("deny", False)):
        patterns: list[str] = getattr(entry.profile, kind)
        for index, pattern in enumerate(patterns):
            location = entry.locate(kind, index)
            for key in catalogue.match(pattern):
                if catalogue[key].is_scope:
                    continue
                step = Step(kind, value, entry.id, location, pattern)  # type: ignore[arg-type]
                rights[key] = rights[key].then(step)


def _apply_scopes(
    entry: ProfileEntry, catalogue: Catalogue, rights: dict[str, ResolvedRight]
) -> None:
    for key, option in entry.profile.scopes.items():
        if (
            key in catalogue
            and catalogue[key].is_scope
            and option in (catalogue[key].options or ())
        ):
            step = Step("scope", option, entry.id, entry.locate("scopes", key), key)
            rights[key] = rights[key].then(step)


def _apply_dependencies(
    entry: ProfileEntry, catalogue: Catalogue, rights: dict[str, ResolvedRight]
) -> list[Diagnostic]:
    # Forcing a right off can break the requirement of a right that comes
    # earlier in catalogue order, so passes repeat until one forces nothing
    # off. Every pass before the last forces at least one more right off and
    # none back on, so there are at most as many passes as rights, plus one.
    diagnostics: list[Diagnostic] = []
    forced_any = True
    while forced_any:
        forced_any = _force_unmet_requirements(entry, catalogue, rights, diagnostics)
    return diagnostics


def _force_unmet_requirements(
    entry: ProfileEntry,
    catalogue: Catalogue,
    rights: dict[str, ResolvedRight],
    diagnostics: list[Diagnostic],
) -> bool:
    """Force off, in one pass, each right whose requirement is not met.

    Appends an R019 warning for each right forced off that allow names
    exactly. Returns whether any right was forced off.
    """
    explicitly_allowed = {p for p in entry.profile.allow if not is_glob(p)}
    forced_any = False
    for key, right in catalogue.rights.items():
        requirement = right.requires
        off = _off_value(right)
        if requirement is None or rights[key].value == off:
            continue
        needed = rights.get(requirement.right)
        if needed is None or _is_met(needed.value, requirement.at_least):
            continue

        rule = f"{key} {requirement.describe()}"
        location = entry.locate("scopes", requirement.right)
        rights[key] = rights[key].then(
            Step("dependency", off, entry.id, location, rule)
        )
        forced_any = True
        if key in explicitly_allowed:
            index = entry.profile.allow.index(key)
            diagnostics.append(
                warning(
                    "R019",
                    f"'{key}' is allowed in profiles.{entry.id} but forced off: {rule}, "
                    f"and {requirement.right} is {needed.value}",
                    entry.locate("allow", index),
                    path=f"profiles.{entry.id}.allow[{index}]",
                    hint=f"remove it from allow, or widen {requirement.right}",
                )
            )
    return forced_any


def _off_value(right: Right) -> Value:
    """Return the value a dependency rule forces: off, or a scope's narrowest option."""
    return right.narrowest if right.is_scope else False


def _is_met(value: Value, at_least: str | None) -> bool:
    if at_least is None:
        return value is True
    return isinstance(value, str) and scope_rank(value) >= scope_rank(at_least)


def _show(value: Value) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    return value
