"""Administrators and profile status: someone must be able to run O2S, and users
should hold validated profiles."""

from __future__ import annotations

from collections.abc import Iterator

from ..diagnostics import Diagnostic, error, warning
from ..model import BUILTIN_ADMINISTRATOR
from .context import RuleContext


def check(context: RuleContext) -> Iterator[Diagnostic]:
    document = context.document
    users = document.users
    administrators = [
        e for e in users if e.user.profile == BUILTIN_ADMINISTRATOR and e.user.active
    ]
    # A user that failed validation may be the administrator: stay silent then.
    raw_users = document.source.data.get("users")
    all_users_valid = isinstance(raw_users, list) and len(raw_users) == len(users)
    if not administrators and (all_users_valid or raw_users is None):
        location = document.locate(("users",), key=True)
        yield error(
            "R014",
            "no active user holds the administrator profile; nobody could manage O2S",
            location,
            path="users",
            hint="give one active user 'profile: administrator'",
        )

    for entry in users:
        profile = document.profiles.get(entry.user.profile)
        if profile is None or profile.profile.validated or not entry.user.active:
            continue
        yield warning(
            "R015",
            f"users[login={entry.user.login}] holds the profile '{profile.id}', which is "
            "not validated (Profil validé: Non)",
            entry.locate("profile"),
            path=f"users[login={entry.user.login}].profile",
            hint=f"set 'validated: true' on profiles.{profile.id} once it is reviewed",
        )
