"""Profile inference: the shortest definitions that give known effective rights.

`import` reads the effective rights of each profile from a workbook and has to
write them back as `base`, `allow`, `deny` and `scopes`. For each profile this
module tries every base (`all`, `none` and each other profile) and keeps the
one that needs the fewest entries. A profile base wins only when it is
strictly shorter than the best template.

Choosing a base for every profile at once is a minimum spanning arborescence
problem: profiles are nodes, a virtual root stands for the templates, and the
weight of the edge q -> p is the number of entries p needs when it starts from
q. The Chu-Liu/Edmonds algorithm finds the cheapest choice with no base cycle.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from .catalogue import Catalogue, Right, scope_rank
from .resolve import Value

TEMPLATES = ("all", "none")
# The virtual root of the arborescence: it cannot clash with a profile id,
# which starts with a lowercase letter.
_ROOT = "\0templates"


@dataclass(frozen=True)
class ProfileDefinition:
    """The `base`, `allow`, `deny` and `scopes` fields of one profile."""

    base: str
    allow: tuple[str, ...] = ()
    deny: tuple[str, ...] = ()
    scopes: dict[str, str] = field(default_factory=dict)

    @property
    def size(self) -> int:
        """The number of entries in allow, deny and scopes."""
        return len(self.allow) + len(self.deny) + len(self.scopes)


def template_values(catalogue: Catalogue, template: str) -> dict[str, Value]:
    """Return the values of the template `all` or `none`, as resolve.py sets them."""
    values: dict[str, Value] = {}
    for key, right in catalogue.rights.items():
        if right.is_scope:
            values[key] = right.widest if template == "all" else right.narrowest
        else:
            values[key] = template == "all"
    return values


def simulate(
    catalogue: Catalogue, start: Mapping[str, Value], definition: ProfileDefinition
) -> dict[str, Value]:
    """Apply allow, deny, scopes and the dependency rules to `start`.

    This follows the order of resolve.py. The importer compiles the file it
    writes and compares the result, so a difference between the two is
    caught there.
    """
    values = dict(start)
    for patterns, value in ((definition.allow, True), (definition.deny, False)):
        for pattern in patterns:
            for key in catalogue.match(pattern):
                if not catalogue[key].is_scope:
                    values[key] = value
    for key, option in definition.scopes.items():
        values[key] = option

    forced_any = True
    while forced_any:
        forced_any = False
        for key, right in catalogue.rights.items():
            requirement = right.requires
            off = _off_value(right)
            if requirement is None or values[key] == off:
                continue
            needed = values.get(requirement.right)
            if needed is None or _is_met(needed, requirement.at_least):
                continue
            values[key] = off
            forced_any = True
    return values


def unmet_requirement(
    catalogue: Catalogue, key: str, values: Mapping[str, Value]
) -> str | None:
    """Return the requirement of `key` that `values` does not meet, as text.

    Returns None when `key` is off, has no requirement, or when the required
    right is not in `values`.
    """
    right = catalogue[key]
    requirement = right.requires
    if requirement is None or key not in values or values[key] == _off_value(right):
        return None
    needed = values.get(requirement.right)
    if needed is None or _is_met(needed, requirement.at_least):
        return None
    return requirement.describe()


def define_profile(
    catalogue: Catalogue,
    base: str,
    start: Mapping[str, Value],
    target: Mapping[str, Value],
) -> ProfileDefinition | None:
    """Return the shortest definition from `base` that gives `target`.

    `start` contains the values of the base and `target` the values to reach. A
    right missing from `target` may end with any value. Returns None when no
    definition from this base gives `target`.
    """
    needed = {key for key, value in target.items() if start[key] != value}
    # A right the target turns off and that has a requirement is often forced
    # off by the dependency rule already, like agenda.edit_others when
    # agenda.view is own. Such rights get an entry only when the simulation
    # shows that the rule does not do it.
    optional = {
        key
        for key in needed
        if catalogue[key].requires is not None
        and target[key] == _off_value(catalogue[key])
    }
    explicit = needed - optional
    for _ in range(len(catalogue.rights) + 1):
        definition = _entries(catalogue, base, explicit, target)
        result = simulate(catalogue, start, definition)
        wrong = {key for key, value in target.items() if result[key] != value}
        if not wrong:
            return definition
        missing = wrong - explicit
        if not missing:
            return None
        explicit |= missing
    return None


def _entries(
    catalogue: Catalogue, base: str, explicit: set[str], target: Mapping[str, Value]
) -> ProfileDefinition:
    allow: list[str] = []
    deny: list[str] = []
    scopes: dict[str, str] = {}
    for key, right in catalogue.rights.items():
        if key not in explicit:
            continue
        value = target[key]
        if right.is_scope:
            assert isinstance(value, str)
            scopes[key] = value
        elif value:
            allow.append(key)
        else:
            deny.append(key)
    return ProfileDefinition(
        base,
        _with_tab_globs(catalogue, allow, target, True),
        _with_tab_globs(catalogue, deny, target, False),
        scopes,
    )


def _with_tab_globs(
    catalogue: Catalogue, keys: list[str], target: Mapping[str, Value], value: bool
) -> tuple[str, ...]:
    """Replace two or more keys of one tab with `tab.*`.

    This happens only when every yes/no right of the tab is in the target
    with the same value, so the glob changes no right that the keys leave
    alone.
    """
    by_tab: dict[str, list[str]] = {}
    for key in keys:
        by_tab.setdefault(catalogue[key].tab, []).append(key)
    result: list[str] = []
    for key in keys:
        tab = catalogue[key].tab
        members = by_tab[tab]
        tab_keys = [
            k
            for k, right in catalogue.rights.items()
            if right.tab == tab and not right.is_scope
        ]
        whole_tab = len(members) >= 2 and all(target.get(k) is value for k in tab_keys)
        if not whole_tab:
            result.append(key)
        elif key == members[0]:
            result.append(f"{tab}.*")
    return tuple(result)


def infer_profiles(
    catalogue: Catalogue, targets: Mapping[str, Mapping[str, Value]]
) -> dict[str, ProfileDefinition]:
    """Return the shortest definition of every profile in `targets`.

    `targets` maps a profile id to the values it must resolve to, in the
    order the profiles should be considered. A profile whose target leaves
    some rights open is never used as a base, because its values for those
    rights depend on its own definition. Raises ValueError naming a profile
    that no template gives, which happens only when its target breaks a
    dependency rule.
    """
    templates = {name: template_values(catalogue, name) for name in TEMPLATES}
    full = [
        pid for pid, target in targets.items() if len(target) == len(catalogue.rights)
    ]

    from_template: dict[str, ProfileDefinition] = {}
    edges: dict[tuple[str, str], int] = {}
    for pid, target in targets.items():
        best: ProfileDefinition | None = None
        for name in TEMPLATES:
            candidate = define_profile(catalogue, name, templates[name], target)
            if candidate is not None and (best is None or candidate.size < best.size):
                best = candidate
        if best is None:
            raise ValueError(f"no base template gives the rights of profile {pid}")
        from_template[pid] = best
        # Doubled weights leave room for a tie-break: on equal size, a
        # template (even weight) wins over a profile base (odd weight).
        edges[(_ROOT, pid)] = 2 * best.size

    from_profile: dict[tuple[str, str], ProfileDefinition] = {}
    for pid, target in targets.items():
        for other in full:
            if other == pid:
                continue
            candidate = define_profile(catalogue, other, targets[other], target)
            if candidate is not None and candidate.size < from_template[pid].size:
                from_profile[(other, pid)] = candidate
                edges[(other, pid)] = 2 * candidate.size + 1

    parents = _minimum_arborescence(edges)
    return {
        pid: from_template[pid]
        if parents[pid] == _ROOT
        else from_profile[(parents[pid], pid)]
        for pid in targets
    }


def _minimum_arborescence(edges: dict[tuple[str, str], int]) -> dict[str, str]:
    """Return the parent of each node in the cheapest arborescence from _ROOT.

    Chu-Liu/Edmonds: every node takes its cheapest incoming edge. A cycle
    among those edges is contracted into one node and the smaller problem is
    solved. The cycle is then opened where the chosen edge enters it. Every node must
    have an edge from _ROOT. Ties go to the edge that comes first in `edges`.
    """
    cheapest: dict[str, tuple[str, int]] = {}
    for (source, target), weight in edges.items():
        if target == _ROOT or source == target:
            continue
        if target not in cheapest or weight < cheapest[target][1]:
            cheapest[target] = (source, weight)
    parents = {node: source for node, (source, _) in cheapest.items()}
    cycle = _find_cycle(parents)
    if not cycle:
        return parents

    members = set(cycle)
    merged = "\0cycle:" + "/".join(cycle)
    contracted: dict[tuple[str, str], int] = {}
    origin: dict[tuple[str, str], tuple[str, str]] = {}
    for (source, target), weight in edges.items():
        if source in members and target in members:
            continue
        if target in members:
            edge = (source, merged)
            weight -= cheapest[target][1]
        elif source in members:
            edge = (merged, target)
        else:
            edge = (source, target)
        if edge not in contracted or weight < contracted[edge]:
            contracted[edge] = weight
            origin[edge] = (source, target)

    result = {node: parents[node] for node in cycle}
    for node, source in _minimum_arborescence(contracted).items():
        original_source, original_target = origin[(source, node)]
        result[original_target] = original_source
    return result


def _find_cycle(parents: dict[str, str]) -> list[str]:
    """Return the nodes of one cycle of the parent links, or an empty list."""
    done: set[str] = set()
    for start in parents:
        trail: list[str] = []
        on_trail: set[str] = set()
        node = start
        while node in parents and node not in done and node not in on_trail:
            trail.append(node)
            on_trail.add(node)
            node = parents[node]
        if node in on_trail:
            return trail[trail.index(node) :]
        done.update(trail)
    return []


def _off_value(right: Right) -> Value:
    return right.narrowest if right.is_scope else False


def _is_met(value: Value, at_least: str | None) -> bool:
    if at_least is None:
        return value is True
    return isinstance(value, str) and scope_rank(value) >= scope_rank(at_least)
