"""Terminal text for `explain` and `who-can`."""

from __future__ import annotations

from ..compiled import CompiledOrg
from ..query import Explanation, VisiblePath, WhoCan
from ..resolve import Value


def _value(org: CompiledOrg, key: str, value: Value) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    return f"{value} ({org.catalogue.option_label(key, value)})"


def render_explanation(org: CompiledOrg, result: Explanation) -> str:
    user = org.users[result.login]
    profile = org.profiles[result.profile]
    right = org.catalogue[result.key]
    lines = [
        f"{user.login} ({user.name}), profile {profile.id} ({profile.label})",
        f"{result.key} ({right.label_fr}): {_value(org, result.key, result.value)}",
        "",
        "how the value is set, first step first:",
    ]
    for step in result.steps:
        where = str(step.location) if step.location else "built in"
        lines.append(f"  {where}: {step.describe()}")

    if result.visible:
        lines.append("")
        lines.append(f"users visible through {result.key} ({len(result.visible)}):")
        lines.extend(
            f"  {path.login}: {_reason(org, result.login, path)}"
            for path in result.visible
        )
    return "\n".join(lines) + "\n"


def _reason(org: CompiledOrg, login: str, path: VisiblePath) -> str:
    if path.reason == "self":
        return "the user themself"
    if path.reason == "sibling":
        manager = org.hierarchy.manager(login)
        shared = f"the same manager, {manager}" if manager else "no manager either"
        return f"in the group: has {shared}"
    if path.reason == "all":
        return "every user is visible with the option all"
    managers = path.chain[1:-1]
    if not managers:
        return "is directly below you"
    text = f"is below {managers[0]}"
    for manager in managers[1:]:
        text += f", who is below {manager}"
    return text + ", who is below you"


def render_who_can(org: CompiledOrg, result: WhoCan) -> str:
    right = org.catalogue[result.key]
    condition = f" at least {result.at_least}" if result.at_least else ""
    lines = [f"{result.key} ({right.label_fr}){condition}", ""]
    lines.append(f"profiles ({len(result.profiles)}):")
    for profile in result.profiles:
        where = f" at {profile.step.location}" if profile.step.location else ""
        value = _value(org, result.key, profile.value)
        lines.append(
            f"  {profile.id} ({profile.label}): {value}, from {profile.step.describe()}{where}"
        )
    lines.append("")
    lines.append(f"users ({len(result.users)}):")
    for user in result.users:
        state = "" if user.active else ", inactive"
        value = "" if isinstance(user.value, bool) else f", {user.value}"
        lines.append(
            f"  {user.login} ({user.name}): profile {user.profile}{value}{state}"
        )
    return "\n".join(lines) + "\n"
