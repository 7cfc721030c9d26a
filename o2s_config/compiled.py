"""CompiledOrg: the resolved organisation that every emitter reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from .catalogue import Catalogue
from .diagnostics import Diagnostic, Location
from .model import Establishment
from .resolve import ResolvedProfile, ResolvedRight, Value
from .visibility import Hierarchy, VisibleSet


@dataclass(frozen=True)
class CompiledUser:
    login: str
    first_name: str
    last_name: str
    email: str
    structure: str | None
    profile: str
    manager: str | None
    active: bool
    location: Location
    hired_on: date | None = None

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@dataclass
class CompiledOrg:
    """Profiles and users resolved into effective rights and visibility.

    `profiles` and `users` are sorted by id and login. A user's rights are
    those of their profile; their visibility for a scope right reads the
    hierarchy with the option their profile holds.
    """

    source_name: str
    establishment: Establishment
    structures: list[str]
    catalogue: Catalogue
    profiles: dict[str, ResolvedProfile]
    users: dict[str, CompiledUser]
    hierarchy: Hierarchy
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def rights_of(self, login: str) -> dict[str, ResolvedRight]:
        return self.profiles[self.users[login].profile].rights

    def value_of(self, login: str, key: str) -> Value:
        return self.rights_of(login)[key].value

    def visibility(self, login: str, key: str) -> VisibleSet:
        scope = self.value_of(login, key)
        assert isinstance(scope, str), f"{key} is not a scope right"
        return self.hierarchy.visible(login, scope)

    def members(self, profile_id: str) -> list[str]:
        return [
            login for login, user in self.users.items() if user.profile == profile_id
        ]
