"""The manager hierarchy and what each scope lets a user see.

For a user U, the scope options read the hierarchy as follows:

- `own`: U alone;
- `attached`: U and every user below U, on every sub-level;
- `group`: U, U's siblings (users with the same manager; for a user with no
  manager, the other users with no manager), and every user below U;
- `all`: every user.

Users below U form one contiguous range of a pre-order walk of the tree, and
siblings share one list of children, so a visible set is stored as a range and
a sibling list. Counting and membership tests cost O(1); the full list of
logins is built only when asked for, which keeps a firm where many users see
`all` or a large group from costing users x users in memory.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


class Hierarchy:
    """The forest of users under their managers, in login order."""

    def __init__(self, managers: dict[str, str | None]) -> None:
        """Build from login -> manager login. The graph must have no cycles."""
        self.manager_of = dict(managers)
        self.children: dict[str | None, list[str]] = {}
        for login in sorted(managers):
            manager = managers[login]
            parent = manager if manager in managers else None
            self.children.setdefault(parent, []).append(login)

        self.order: list[str] = []
        self.position: dict[str, int] = {}
        self.subtree_end: dict[str, int] = {}
        self.depth: dict[str, int] = {}
        self._walk()

    def _walk(self) -> None:
        # Iterative pre-order walk: a deep chain of managers must not hit
        # Python's recursion limit.
        stack: list[tuple[str, int, bool]] = [
            (login, 0, False) for login in reversed(self.children.get(None, []))
        ]
        while stack:
            login, depth, finished = stack.pop()
            if finished:
                self.subtree_end[login] = len(self.order)
                continue
            self.position[login] = len(self.order)
            self.depth[login] = depth
            self.order.append(login)
            stack.append((login, depth, True))
            for child in reversed(self.children.get(login, [])):
                stack.append((child, depth + 1, False))

    def __len__(self) -> int:
        return len(self.order)

    def manager(self, login: str) -> str | None:
        manager = self.manager_of.get(login)
        return manager if manager in self.manager_of else None

    def siblings(self, login: str) -> list[str]:
        """Return the users sharing the user's manager, the user included."""
        return self.children.get(self.manager(login), [])

    def below(self, login: str) -> list[str]:
        """Return every user below the user, in pre-order."""
        start = self.position[login] + 1
        return self.order[start : self.subtree_end[login]]

    def is_below(self, login: str, ancestor: str) -> bool:
        position = self.position[login]
        return self.position[ancestor] < position < self.subtree_end[ancestor]

    def chain_up(self, login: str, stop: str) -> list[str]:
        """Return the managers from `login` up to `stop`, both included."""
        chain = [login]
        current = login
        while current != stop:
            manager = self.manager(current)
            if manager is None:
                break
            chain.append(manager)
            current = manager
        return chain

    def roots(self) -> list[str]:
        return self.children.get(None, [])

    def visible(self, login: str, scope: str) -> VisibleSet:
        return VisibleSet(self, login, scope)


@dataclass(frozen=True)
class VisibleSet:
    """The users whose agenda or clients a user sees through one scope."""

    hierarchy: Hierarchy
    login: str
    scope: str

    def __len__(self) -> int:
        hierarchy = self.hierarchy
        if self.scope == "own":
            return 1
        below = hierarchy.subtree_end[self.login] - hierarchy.position[self.login] - 1
        if self.scope == "attached":
            return 1 + below
        if self.scope == "group":
            return len(hierarchy.siblings(self.login)) + below
        return len(hierarchy)

    def __contains__(self, other: object) -> bool:
        hierarchy = self.hierarchy
        if not isinstance(other, str) or other not in hierarchy.position:
            return False
        if other == self.login or self.scope == "all":
            return True
        if self.scope == "own":
            return False
        if hierarchy.is_below(other, self.login):
            return True
        return self.scope == "group" and hierarchy.manager(other) == hierarchy.manager(
            self.login
        )

    def logins(self) -> list[str]:
        """Return the visible logins, sorted, the user included."""
        hierarchy = self.hierarchy
        if self.scope == "own":
            return [self.login]
        if self.scope == "all":
            return sorted(hierarchy.order)
        found: Iterable[str] = [self.login, *hierarchy.below(self.login)]
        if self.scope == "group":
            found = {*found, *hierarchy.siblings(self.login)}
        return sorted(found)
