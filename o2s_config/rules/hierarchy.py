"""The manager hierarchy must be a tree: no user is their own manager, even
through others."""

from __future__ import annotations

from collections.abc import Iterator

from ..diagnostics import Diagnostic, error
from .context import RuleContext


def check(context: RuleContext) -> Iterator[Diagnostic]:
    entries = {entry.user.login: entry for entry in context.document.users}
    manager_of = {login: entry.user.manager for login, entry in entries.items()}
    done: set[str] = set()

    for start in sorted(manager_of):
        trail: list[str] = []
        current: str | None = start
        while current is not None and current in manager_of and current not in done:
            done.add(current)
            trail.append(current)
            current = manager_of[current]
        if current is None or current not in trail:
            continue
        members = trail[trail.index(current) :]
        context.users_in_cycles.update(members)
        first = min(members)
        if len(members) == 1:
            message = f"user '{first}' is their own manager"
        else:
            chain = " -> ".join([*_rotate(members, first), first])
            message = f"the manager hierarchy has a cycle: {chain}"
        yield error(
            "R008",
            message,
            entries[first].locate("manager"),
            path=f"users[login={first}].manager",
            hint="one user of the cycle must report to someone outside it, or to no one",
        )


def _rotate(members: list[str], first: str) -> list[str]:
    start = members.index(first)
    return members[start:] + members[:start]
