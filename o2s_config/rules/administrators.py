"""Administrators and profile status: someone must be able to run O2S, and users
should hold validated profiles."""

from __future__ import annotations

from collections.abc import Iterator

from ..diagnostics import Diagnostic, error, warning
from ..model import BUILTIN_ADMINISTRATOR, OrgFile
from .context import RuleContext


def check(context: RuleContext) -> Iterator[Diagnostic]:
    document = context.document
    users = document.users
    administrators = [
        e for e in users if e.user.profile == BUILTIN_ADMINISTRATOR and e.user.active
    ]
    if not administrators and _users_all_checked(context):
        location = document.locate(("users",), key=True)
        yield error(
            "R014",
            "no active user holds the administrator profile; nobody could manage O2S",
            location,
            path="users",
            hint="give one active user 'profile: administrator'",
        )

    yield from _unvalidated_profiles(context)


def _users_all_checked(context: RuleContext) -> bool:
    """Tell whether every user was typed, so a missing administrator is certain.

    A user that failed validation or names an unknown profile (such as
    'administratr') may be the administrator. A `users` that is not a list has
    its own error, and an unknown top-level key (such as `user:`) may contain
    the users. The other errors come first in these cases.
    """
    document = context.document
    data = document.source.data
    if any(key not in OrgFile.model_fields for key in data):
        return False
    known = context.known_profiles
    if any(entry.user.profile not in known for entry in document.users):
        return False
    if document.users_malformed:
        return False
    return document.raw_user_count == len(document.users)


def _unvalidated_profiles(context: RuleContext) -> Iterator[Diagnostic]:
    document = context.document
    for entry in document.users:
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
