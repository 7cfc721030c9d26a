"""Evaluating checks against a compiled org.

Each check gives a CheckResult: its failures, each with the expected and the
actual value and the resolution steps behind the actual value, and the
profiles, rights and users it touched, which coverage counts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ..catalogue import scope_rank
from ..compiled import CompiledOrg
from ..diagnostics import Location
from ..resolve import ResolvedRight, Step
from .model import Check, CountCheck, OnlyCheck, ProfileCheck, ScopeBound, UserCheck


@dataclass
class Failure:
    message: str
    expected: str
    actual: str
    explain: list[str] = field(default_factory=list)


@dataclass
class Touched:
    profiles: set[str] = field(default_factory=set)
    rights: set[str] = field(default_factory=set)
    users: set[str] = field(default_factory=set)

    def update(self, other: Touched) -> None:
        self.profiles |= other.profiles
        self.rights |= other.rights
        self.users |= other.users


@dataclass
class CheckResult:
    """The outcome of one check or one policy."""

    kind: str
    id: str
    name: str
    location: Location
    severity: str = "error"
    failures: list[Failure] = field(default_factory=list)
    touched: Touched = field(default_factory=Touched)

    @property
    def passed(self) -> bool:
        return not self.failures


# A run of more inherited steps than this, from a long chain of bases, shows
# as its first and last step and a count, so one failure stays a few lines.
MAX_INHERITED_RUN = 4


def explain_steps(right: ResolvedRight) -> list[str]:
    lines = []
    steps = right.steps
    start = 0
    while start < len(steps):
        end = start + 1
        if steps[start].kind == "inherited":
            while end < len(steps) and steps[end].kind == "inherited":
                end += 1
        if end - start > MAX_INHERITED_RUN:
            lines.append(_explain_step(steps[start]))
            lines.append(f"... {end - start - 2:,} more inherited steps ...")
            lines.append(_explain_step(steps[end - 1]))
        else:
            lines.extend(_explain_step(step) for step in steps[start:end])
        start = end
    return lines


def _explain_step(step: Step) -> str:
    where = str(step.location) if step.location else "built in"
    return f"{where}: {step.describe()}"


def _show(value: object) -> str:
    if value is True:
        return "on"
    if value is False:
        return "off"
    return str(value)


class Evaluator:
    def __init__(self, org: CompiledOrg) -> None:
        self.org = org

    def run(self, check: Check, result: CheckResult) -> None:
        if isinstance(check, ProfileCheck):
            self._profile(check, result)
        elif isinstance(check, UserCheck):
            self._user(check, result)
        elif isinstance(check, OnlyCheck):
            self._only(check, result)
        else:
            self._count(check, result)

    def _keys(self, patterns: Iterable[str], result: CheckResult) -> list[str]:
        catalogue = self.org.catalogue
        keys: list[str] = []
        for pattern in patterns:
            matched = [k for k in catalogue.match(pattern) if not catalogue[k].is_scope]
            if not matched:
                result.failures.append(
                    Failure(
                        f"'{pattern}' names no yes/no right",
                        "a right key or glob",
                        pattern,
                    )
                )
            keys.extend(k for k in matched if k not in keys)
        return keys

    def _known(
        self,
        result: CheckResult,
        profile: str | None = None,
        user: str | None = None,
        right: str | None = None,
    ) -> bool:
        org = self.org
        problems = []
        if profile is not None and profile not in org.profiles:
            problems.append(("profile", profile, sorted(org.profiles)))
        if user is not None and user not in org.users:
            problems.append(("user", user, sorted(org.users)))
        if right is not None and right not in org.catalogue:
            problems.append(("right", right, list(org.catalogue.rights)))
        for kind, value, candidates in problems:
            from ..rules.context import did_you_mean

            hint = did_you_mean(value, candidates)
            result.failures.append(
                Failure(
                    f"unknown {kind} '{value}'" + (f"; {hint}" if hint else ""),
                    f"a known {kind}",
                    value,
                )
            )
        return not problems

    def _profile(self, check: ProfileCheck, result: CheckResult) -> None:
        if not self._known(result, profile=check.profile):
            return
        profile = self.org.profiles[check.profile]
        result.touched.profiles.add(profile.id)
        subject = f"profiles.{profile.id}"
        self._booleans(subject, profile.rights, check.has, check.lacks, result)
        self._scopes(subject, profile.rights, check.scopes, result)

    def _booleans(
        self,
        subject: str,
        rights: dict[str, ResolvedRight],
        required_on: list[str],
        required_off: list[str],
        result: CheckResult,
    ) -> None:
        for expected, patterns in ((True, required_on), (False, required_off)):
            for key in self._keys(patterns, result):
                result.touched.rights.add(key)
                actual = rights[key].value
                if actual != expected:
                    result.failures.append(
                        Failure(
                            f"{subject}: {key} is {_show(actual)}",
                            _show(expected),
                            _show(actual),
                            explain_steps(rights[key]),
                        )
                    )

    def _scopes(
        self,
        subject: str,
        rights: dict[str, ResolvedRight],
        bounds: dict[str, ScopeBound],
        result: CheckResult,
    ) -> None:
        for key, bound in bounds.items():
            if not self._known(result, right=key):
                continue
            result.touched.rights.add(key)
            actual = rights[key].value
            if not isinstance(actual, str) or not bound.accepts(actual):
                result.failures.append(
                    Failure(
                        f"{subject}: {key} is {_show(actual)}",
                        bound.describe(),
                        _show(actual),
                        explain_steps(rights[key]),
                    )
                )

    def _user(self, check: UserCheck, result: CheckResult) -> None:
        if not self._known(result, user=check.user):
            return
        org = self.org
        user = org.users[check.user]
        result.touched.users.add(user.login)
        result.touched.profiles.add(user.profile)
        rights = org.rights_of(user.login)
        subject = f"users[login={user.login}]"
        self._booleans(subject, rights, check.can, check.cannot, result)
        self._scopes(subject, rights, check.scopes, result)
        for expected, mapping in ((True, check.sees), (False, check.does_not_see)):
            for key, logins in mapping.items():
                self._visibility(subject, user.login, key, logins, expected, result)

    def _visibility(
        self,
        subject: str,
        login: str,
        key: str,
        others: list[str],
        expected: bool,
        result: CheckResult,
    ) -> None:
        org = self.org
        if not self._known(result, right=key) or not org.catalogue[key].is_scope:
            return
        result.touched.rights.add(key)
        visible = org.visibility(login, key)
        for other in others:
            if not self._known(result, user=other):
                continue
            result.touched.users.add(other)
            if (other in visible) == expected:
                continue
            verb = "does not see" if expected else "sees"
            explain = explain_steps(org.rights_of(login)[key])
            if not expected:
                explain.append(self._why_visible(login, other, visible.scope))
            result.failures.append(
                Failure(
                    f"{subject} {verb} {other} through {key} ({visible.scope})",
                    "visible" if expected else "not visible",
                    "not visible" if expected else "visible",
                    explain,
                )
            )

    def _why_visible(self, login: str, other: str, scope: str) -> str:
        hierarchy = self.org.hierarchy
        if other == login:
            return f"{other} is the user themself"
        if scope == "all":
            return f"the option all shows every user, {other} included"
        if hierarchy.is_below(other, login):
            chain = " -> ".join(hierarchy.chain_up(other, login))
            return f"{other} is below the user: {chain}"
        return f"{other} has the same manager as the user, so is in the group"

    def _holders(self, key: str, at_least: str | None) -> tuple[list[str], list[str]]:
        org = self.org

        def holds(value: object) -> bool:
            if isinstance(value, bool):
                return value
            return at_least is None or scope_rank(str(value)) >= scope_rank(at_least)

        profiles = [p.id for p in org.profiles.values() if holds(p.rights[key].value)]
        users = [
            u.login for u in org.users.values() if u.active and u.profile in profiles
        ]
        return profiles, users

    def _only(self, check: OnlyCheck, result: CheckResult) -> None:
        """Holders must be listed: by profile when only profiles are given (an
        unused profile holding the right fails too), else user by user."""
        if not self._known(result, right=check.right):
            return
        org = self.org
        result.touched.rights.add(check.right)
        profiles, users = self._holders(check.right, check.at_least)
        allowed = sorted({*check.only.profiles, *check.only.users})
        expected = "only " + ", ".join(allowed)
        result.touched.profiles.update(profiles)
        result.touched.users.update(users)

        if not check.only.users:
            for profile_id in profiles:
                if profile_id in check.only.profiles:
                    continue
                result.failures.append(
                    Failure(
                        f"{check.right} is held by profiles.{profile_id}",
                        expected,
                        f"profiles.{profile_id} also holds it",
                        explain_steps(org.profiles[profile_id].rights[check.right]),
                    )
                )
            return

        for login in users:
            profile_id = org.users[login].profile
            if login in check.only.users or profile_id in check.only.profiles:
                continue
            result.failures.append(
                Failure(
                    f"{check.right} is held by users[login={login}] through profiles.{profile_id}",
                    expected,
                    f"{login} also holds it",
                    explain_steps(org.profiles[profile_id].rights[check.right]),
                )
            )

    def _count(self, check: CountCheck, result: CheckResult) -> None:
        org = self.org
        if check.profile is not None:
            if not self._known(result, profile=check.profile):
                return
            result.touched.profiles.add(check.profile)
            holders = [
                u.login
                for u in org.users.values()
                if u.active and u.profile == check.profile
            ]
            subject = f"profile {check.profile}"
        else:
            assert check.right is not None
            if not self._known(result, right=check.right):
                return
            result.touched.rights.add(check.right)
            _, holders = self._holders(check.right, check.at_least)
            subject = check.right
        result.touched.users.update(holders)
        if not check.active_users.accepts(len(holders)):
            result.failures.append(
                Failure(
                    f"{len(holders)} active user(s) hold {subject}: {', '.join(holders) or 'none'}",
                    check.active_users.describe(),
                    str(len(holders)),
                )
            )
