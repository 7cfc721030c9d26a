"""Models of the assertions an org file or a `*.checks.yaml` file declares.

A check is a mapping whose keys say its kind:

- `profile` with `has`, `lacks` or `scopes`: what a profile holds;
- `user` with `can`, `cannot`, `scopes`, `sees` or `does_not_see`: what a user
  holds or sees;
- `right` with `only`: which profiles or users alone may hold a right;
- `active_users` with `right` or `profile`: how many active users hold it.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from ..catalogue import ScopeOption, scope_rank
from ..catalogue.model import RIGHT_KEY_PATTERN
from ..fields import Login, ProfileId, RightPattern, Text

RightKey = Annotated[str, StringConstraints(pattern=RIGHT_KEY_PATTERN)]
Severity = Literal["error", "warning"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class ScopeBound(_Strict):
    """Bounds on a scope option, in the order own < attached < group < all."""

    at_least: ScopeOption | None = None
    at_most: ScopeOption | None = None
    exactly: ScopeOption | None = None

    @model_validator(mode="after")
    def _one_bound(self) -> ScopeBound:
        if self.at_least is None and self.at_most is None and self.exactly is None:
            raise ValueError("give at_least, at_most or exactly")
        if self.exactly is not None and (self.at_least or self.at_most):
            raise ValueError("exactly cannot be combined with at_least or at_most")
        return self

    def accepts(self, option: str) -> bool:
        rank = scope_rank(option)
        if self.exactly is not None:
            return option == self.exactly
        if self.at_least is not None and rank < scope_rank(self.at_least):
            return False
        return not (self.at_most is not None and rank > scope_rank(self.at_most))

    def describe(self) -> str:
        if self.exactly is not None:
            return f"exactly {self.exactly}"
        parts = []
        if self.at_least is not None:
            parts.append(f"at least {self.at_least}")
        if self.at_most is not None:
            parts.append(f"at most {self.at_most}")
        return " and ".join(parts)


class CountBound(_Strict):
    at_least: int | None = Field(default=None, ge=0)
    at_most: int | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _one_bound(self) -> CountBound:
        if self.at_least is None and self.at_most is None:
            raise ValueError("give at_least, at_most or both")
        return self

    def accepts(self, count: int) -> bool:
        if self.at_least is not None and count < self.at_least:
            return False
        return not (self.at_most is not None and count > self.at_most)

    def describe(self) -> str:
        parts = []
        if self.at_least is not None:
            parts.append(f"at least {self.at_least}")
        if self.at_most is not None:
            parts.append(f"at most {self.at_most}")
        return " and ".join(parts)


class ProfileCheck(_Strict):
    name: Text | None = None
    profile: ProfileId
    has: list[RightPattern] = Field(default_factory=list)
    lacks: list[RightPattern] = Field(default_factory=list)
    scopes: dict[RightKey, ScopeBound] = Field(default_factory=dict)


class UserCheck(_Strict):
    name: Text | None = None
    user: Login
    can: list[RightPattern] = Field(default_factory=list)
    cannot: list[RightPattern] = Field(default_factory=list)
    scopes: dict[RightKey, ScopeBound] = Field(default_factory=dict)
    sees: dict[RightKey, list[Login]] = Field(default_factory=dict)
    does_not_see: dict[RightKey, list[Login]] = Field(default_factory=dict)


class Holders(_Strict):
    profiles: list[ProfileId] = Field(default_factory=list)
    users: list[Login] = Field(default_factory=list)


class OnlyCheck(_Strict):
    name: Text | None = None
    right: RightKey
    at_least: ScopeOption | None = None
    only: Holders


class CountCheck(_Strict):
    name: Text | None = None
    right: RightKey | None = None
    at_least: ScopeOption | None = None
    profile: ProfileId | None = None
    active_users: CountBound

    @model_validator(mode="after")
    def _one_subject(self) -> CountCheck:
        if (self.right is None) == (self.profile is None):
            raise ValueError("give either right or profile")
        return self


Check = ProfileCheck | UserCheck | OnlyCheck | CountCheck

CHECK_KINDS = (
    "profile with has, lacks or scopes; user with can, cannot, scopes, sees or "
    "does_not_see; right with only; active_users with right or profile"
)


def check_model(data: Any) -> type[BaseModel] | None:
    """Pick the model of a check from its keys, or None when no kind fits."""
    if not isinstance(data, dict):
        return None
    if "active_users" in data:
        return CountCheck
    if "only" in data:
        return OnlyCheck
    if "user" in data:
        return UserCheck
    if "profile" in data:
        return ProfileCheck
    return None


class PolicySetting(_Strict):
    enabled: bool = True
    severity: Severity | None = Field(
        default=None, description="Overrides the policy's default severity"
    )


class AdministratorCountSetting(PolicySetting):
    max: int = Field(default=3, ge=1, description="Most active administrators allowed")


class AdministrationModuleSetting(PolicySetting):
    allow: list[ProfileId] = Field(
        default_factory=list,
        description="Profiles besides administrator allowed the Administration module",
    )


class PoliciesConfig(_Strict):
    """The `policies:` section: the settings of each built-in policy, by id."""

    administrator_count: AdministratorCountSetting = AdministratorCountSetting()
    administration_module: AdministrationModuleSetting = AdministrationModuleSetting()
    empty_scope: PolicySetting = PolicySetting()
    max_tenure: PolicySetting = PolicySetting()
    unused_profile: PolicySetting = PolicySetting()
    inactive_manager: PolicySetting = PolicySetting()
