"""References by name: profiles, managers, structures and right keys must exist."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator

from ..catalogue import is_glob
from ..diagnostics import Diagnostic, error, warning
from ..document import ProfileEntry
from ..model import BASE_TEMPLATES
from .context import RuleContext, did_you_mean


def check(context: RuleContext) -> Iterator[Diagnostic]:
    yield from _user_references(context)
    for entry in context.document.profiles.values():
        yield from _base_reference(context, entry)
        yield from _right_references(context, entry)


def _user_references(context: RuleContext) -> Iterator[Diagnostic]:
    document = context.document
    profile_ids = sorted(context.known_profiles)
    labels = {
        entry.profile.label.casefold(): pid for pid, entry in document.profiles.items()
    }
    logins = sorted(document.declared_logins)
    structures = document.structures
    listed = ", ".join(dict.fromkeys(structures))

    for entry in document.users:
        user = entry.user
        where = f"users[login={user.login}]"
        if user.profile not in context.known_profiles:
            by_label = labels.get(user.profile.casefold())
            hint = (
                f"'{user.profile}' is the label of profile '{by_label}'; use the id"
                if by_label
                else did_you_mean(user.profile, profile_ids)
                or "known profiles: " + ", ".join(profile_ids)
            )
            yield error(
                "R001",
                f"unknown profile '{user.profile}' for {where}",
                entry.locate("profile"),
                path=f"{where}.profile",
                hint=hint,
            )
        if user.manager is not None and user.manager not in document.declared_logins:
            yield error(
                "R002",
                f"unknown manager '{user.manager}' for {where}; no user has this login",
                entry.locate("manager"),
                path=f"{where}.manager",
                hint=did_you_mean(user.manager, logins)
                or "manager is the login of another user in this file",
            )
        if (
            structures
            and user.structure is not None
            and user.structure not in structures
        ):
            yield error(
                "R004",
                f"unknown structure '{user.structure}' for {where}",
                entry.locate("structure"),
                path=f"{where}.structure",
                hint=did_you_mean(user.structure, structures)
                or f"declared structures: {listed}",
            )
        elif structures and user.structure is None:
            yield error(
                "R004",
                f"missing structure for {where}; the file declares structures, so every "
                "user needs one",
                entry.locate(),
                path=where,
                hint=f"add 'structure:' with one of: {listed}",
            )


def _base_reference(context: RuleContext, entry: ProfileEntry) -> Iterator[Diagnostic]:
    base = entry.profile.base
    if base in BASE_TEMPLATES or base in context.document.declared_profiles:
        return
    candidates = [*BASE_TEMPLATES, *sorted(context.document.declared_profiles)]
    if base == "administrator":
        hint = "use 'base: all' for every right; the built-in administrator cannot be a base"
    else:
        hint = did_you_mean(base, candidates) or "base is one of: " + ", ".join(
            candidates
        )
    context.unresolvable_profiles.add(entry.id)
    yield error(
        "R001",
        f"unknown base profile '{base}' for profiles.{entry.id}",
        entry.locate("base"),
        path=f"profiles.{entry.id}.base",
        hint=hint,
    )


def _right_references(
    context: RuleContext, entry: ProfileEntry
) -> Iterator[Diagnostic]:
    catalogue = context.catalogue
    keys = list(catalogue.rights)
    profile = entry.profile
    rejected = context.rejected_rights

    for field_name in ("allow", "deny"):
        for index, pattern in enumerate(getattr(profile, field_name)):
            path = f"profiles.{entry.id}.{field_name}[{index}]"
            location = entry.locate(field_name, index)
            if is_glob(pattern):
                matched = [
                    k for k in catalogue.match(pattern) if not catalogue[k].is_scope
                ]
                names_rejected = any(
                    fnmatch.fnmatchcase(key, pattern) for key in rejected
                )
                if not matched and not names_rejected:
                    yield warning(
                        "R016",
                        f"pattern '{pattern}' in {path} matches no yes/no right",
                        location,
                        path=path,
                        hint="check the tab name; 'o2s-config rights' lists every key",
                    )
            elif pattern not in catalogue and pattern not in rejected:
                yield error(
                    "R003",
                    f"unknown right '{pattern}' in {path}",
                    location,
                    path=path,
                    hint=did_you_mean(pattern, keys)
                    or "'o2s-config rights' lists every key",
                )

    for key in profile.scopes:
        if key not in catalogue and key not in rejected:
            path = f"profiles.{entry.id}.scopes.{key}"
            yield error(
                "R003",
                f"unknown right '{key}' in profiles.{entry.id}.scopes",
                entry.locate("scopes", key, key=True),
                path=path,
                hint=did_you_mean(key, list(catalogue.scope_keys))
                or "scope rights: " + ", ".join(catalogue.scope_keys),
            )
