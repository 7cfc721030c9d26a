"""Built-in policies: rules most firms want, each with an id, a default
severity, and a switch in the org file's `policies:` section."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

from ..compiled import CompiledOrg
from ..diagnostics import Location
from ..model import BUILTIN_ADMINISTRATOR
from .evaluate import CheckResult, Failure, explain_steps
from .model import PoliciesConfig, PolicySetting, Severity


@dataclass(frozen=True)
class Policy:
    id: str
    description: str
    severity: Severity
    run: Callable[[CompiledOrg, PoliciesConfig, date], Iterator[Failure]]


def _administrator_count(
    org: CompiledOrg, config: PoliciesConfig, today: date
) -> Iterator[Failure]:
    admins = [
        u.login
        for u in org.users.values()
        if u.active and u.profile == BUILTIN_ADMINISTRATOR
    ]
    limit = config.administrator_count.max
    if 1 <= len(admins) <= limit:
        return
    yield Failure(
        f"{len(admins)} active administrator(s): {', '.join(admins) or 'none'}",
        f"1 to {limit}",
        str(len(admins)),
    )


def _administration_module(
    org: CompiledOrg, config: PoliciesConfig, today: date
) -> Iterator[Failure]:
    key = "administration.module_access"
    for profile in org.profiles.values():
        if profile.builtin or profile.id in config.administration_module.allow:
            continue
        if profile.rights[key].value is True:
            yield Failure(
                f"profiles.{profile.id} holds {key}",
                "only the administrator profile, or profiles listed in allow",
                f"profiles.{profile.id}: on",
                explain_steps(profile.rights[key]),
            )


def _empty_scope(
    org: CompiledOrg, config: PoliciesConfig, today: date
) -> Iterator[Failure]:
    for user in org.users.values():
        if not user.active:
            continue
        for key in org.catalogue.scope_keys:
            seen = org.visibility(user.login, key)
            if seen.scope in ("attached", "group") and len(seen) <= 1:
                yield Failure(
                    f"users[login={user.login}] has {key} {seen.scope} but no one else is in "
                    "that scope",
                    "someone attached or in the group",
                    "only the user",
                    explain_steps(org.rights_of(user.login)[key]),
                )


def _max_tenure(
    org: CompiledOrg, config: PoliciesConfig, today: date
) -> Iterator[Failure]:
    for user in org.users.values():
        profile = org.profiles[user.profile]
        limit = profile.max_tenure_days
        if limit is None or not user.active:
            continue
        if user.hired_on is None:
            yield Failure(
                f"users[login={user.login}] has no hired_on date, so the tenure limit of "
                f"profiles.{profile.id} cannot be checked",
                f"hired_on within {limit} days of {today.isoformat()}",
                "no hired_on",
            )
            continue
        days = (today - user.hired_on).days
        if days > limit:
            yield Failure(
                f"users[login={user.login}] was hired {days} days ago "
                f"({user.hired_on.isoformat()}), over the {limit} days of profiles.{profile.id}",
                f"at most {limit} days",
                f"{days} days",
            )


def _unused_profile(
    org: CompiledOrg, config: PoliciesConfig, today: date
) -> Iterator[Failure]:
    used = {user.profile for user in org.users.values() if user.active}
    for profile in org.profiles.values():
        if not profile.builtin and profile.id not in used:
            yield Failure(
                f"profiles.{profile.id} ({profile.label}) is held by no active user",
                "at least one active user",
                "none",
            )


def _inactive_manager(
    org: CompiledOrg, config: PoliciesConfig, today: date
) -> Iterator[Failure]:
    for user in org.users.values():
        if user.active:
            continue
        reports = [u.login for u in org.users.values() if u.manager == user.login]
        if reports:
            yield Failure(
                f"users[login={user.login}] is inactive but still manages {', '.join(reports)}",
                "an active manager",
                "inactive",
            )


POLICIES: tuple[Policy, ...] = (
    Policy(
        "administrator_count",
        "at least one and at most max active administrators",
        "error",
        _administrator_count,
    ),
    Policy(
        "administration_module",
        "no profile but administrator holds administration.module_access, unless allowed",
        "error",
        _administration_module,
    ),
    Policy(
        "empty_scope",
        "every user with an attached or group scope has someone in that scope",
        "warning",
        _empty_scope,
    ),
    Policy(
        "max_tenure",
        "users of a profile with max_tenure_days were hired within that many days",
        "warning",
        _max_tenure,
    ),
    Policy(
        "unused_profile",
        "every profile is held by an active user",
        "warning",
        _unused_profile,
    ),
    Policy(
        "inactive_manager",
        "no inactive user is still someone's manager",
        "warning",
        _inactive_manager,
    ),
)


def run_policies(
    org: CompiledOrg, config: PoliciesConfig, today: date, location: Location
) -> list[CheckResult]:
    results = []
    for policy in POLICIES:
        setting: PolicySetting = getattr(config, policy.id)
        if not setting.enabled:
            continue
        result = CheckResult(
            "policy",
            policy.id,
            f"{policy.id}: {policy.description}",
            location,
            severity=setting.severity or policy.severity,
        )
        result.failures.extend(policy.run(org, config, today))
        results.append(result)
    return results
