"""The expected snapshot: every profile's effective rights and every user's
visibility, written to a YAML file that is committed and compared on each run."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

from ruamel.yaml import YAML

from ..compiled import CompiledOrg
from ..diff import Classification, classify_value
from .evaluate import Failure

SNAPSHOT_VERSION = 1

HEADER = (
    "# Expected rights and visibility, written by 'o2s-config check --update-expected'.\n"
    "# Commit this file: 'o2s-config check --expected' fails on any difference.\n"
)


def build_snapshot(org: CompiledOrg) -> dict[str, Any]:
    profiles = {
        profile.id: {key: right.value for key, right in profile.rights.items()}
        for profile in org.profiles.values()
    }
    users: dict[str, Any] = {}
    for login, user in org.users.items():
        entry: dict[str, Any] = {"profile": user.profile}
        for key in org.catalogue.scope_keys:
            seen = org.visibility(login, key)
            entry[key] = {"scope": seen.scope}
            if seen.scope != "all":
                entry[key]["users"] = seen.logins()
        users[login] = entry
    return {"format_version": SNAPSHOT_VERSION, "profiles": profiles, "users": users}


def render_snapshot(org: CompiledOrg) -> str:
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.width = 100
    stream = io.StringIO()
    yaml.dump(build_snapshot(org), stream)
    return HEADER + stream.getvalue()


def compare_snapshot(
    expected: Any, org: CompiledOrg
) -> list[tuple[Classification, Failure]]:
    """Return each difference between a loaded snapshot and the org, classed as
    `diff` classes it."""
    actual = build_snapshot(org)
    if (
        not isinstance(expected, dict)
        or expected.get("format_version") != SNAPSHOT_VERSION
    ):
        return [
            (
                "neutral",
                Failure(
                    "the snapshot is not a format version 1 snapshot",
                    "format_version: 1",
                    str(
                        expected.get("format_version")
                        if isinstance(expected, dict)
                        else expected
                    ),
                ),
            )
        ]
    differences = list(_profiles(expected.get("profiles") or {}, actual["profiles"]))
    differences.extend(
        _users(expected.get("users") or {}, actual["users"], sorted(actual["users"]))
    )
    return differences


def _show(value: Any) -> str:
    if value is True:
        return "on"
    if value is False:
        return "off"
    return "(absent)" if value is None else str(value)


def _profiles(
    expected: dict[str, Any], actual: dict[str, Any]
) -> Iterator[tuple[Classification, Failure]]:
    for profile_id in sorted(expected.keys() | actual.keys()):
        old = expected.get(profile_id)
        new = actual.get(profile_id)
        if old is None or new is None:
            state = "added" if old is None else "removed"
            yield (
                "neutral",
                Failure(f"profiles.{profile_id} {state}", _present(old), _present(new)),
            )
            continue
        for key in sorted(old.keys() | new.keys()):
            before, after = old.get(key), new.get(key)
            if before == after:
                continue
            kind: Classification = (
                classify_value(before, after)
                if isinstance(before, bool | str) and isinstance(after, bool | str)
                else "neutral"
            )
            yield (
                kind,
                Failure(f"profiles.{profile_id} {key}", _show(before), _show(after)),
            )


def _present(value: Any) -> str:
    return "absent" if value is None else "present"


def _users(
    expected: dict[str, Any], actual: dict[str, Any], everyone: list[str]
) -> Iterator[tuple[Classification, Failure]]:
    for login in sorted(expected.keys() | actual.keys()):
        old = expected.get(login)
        new = actual.get(login)
        if old is None or new is None:
            kind: Classification = "widen" if old is None else "narrow"
            state = "added" if old is None else "removed"
            yield (
                kind,
                Failure(f"users[login={login}] {state}", _present(old), _present(new)),
            )
            continue
        if old.get("profile") != new.get("profile"):
            yield (
                "neutral",
                Failure(
                    f"users[login={login}] profile",
                    _show(old.get("profile")),
                    _show(new.get("profile")),
                ),
            )
        for key in sorted(k for k in old.keys() | new.keys() if k != "profile"):
            yield from _visibility(
                login, key, old.get(key) or {}, new.get(key) or {}, everyone
            )


def _visibility(
    login: str,
    key: str,
    old: dict[str, Any],
    new: dict[str, Any],
    everyone: list[str],
) -> Iterator[tuple[Classification, Failure]]:
    """Compare one scope right of one user; `all` stands for every current user."""
    before = set(old.get("users", everyone if old.get("scope") == "all" else []))
    after = set(new.get("users", everyone if new.get("scope") == "all" else []))
    subject = f"users[login={login}] {key}"
    if old.get("scope") != new.get("scope"):
        kind = (
            classify_value(str(old.get("scope")), str(new.get("scope")))
            if old.get("scope") and new.get("scope")
            else "neutral"
        )
        yield (
            kind,
            Failure(
                f"{subject} scope", _show(old.get("scope")), _show(new.get("scope"))
            ),
        )
    gained = sorted(after - before)
    lost = sorted(before - after)
    if gained:
        yield (
            "widen",
            Failure(
                f"{subject} now sees {', '.join(gained)}", "not visible", "visible"
            ),
        )
    if lost:
        yield (
            "narrow",
            Failure(
                f"{subject} no longer sees {', '.join(lost)}", "visible", "not visible"
            ),
        )
