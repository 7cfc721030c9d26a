"""Values that must be unique (logins, e-mails, profile labels, structures) and
the org's own rights, which must not clash with the catalogue."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

from ..catalogue import load_catalogue
from ..diagnostics import Diagnostic, Location, error
from .context import RuleContext, did_you_mean

Item = TypeVar("Item")


def check(context: RuleContext) -> Iterator[Diagnostic]:
    document = context.document
    users = document.users

    yield from _duplicates(
        users,
        key=lambda entry: entry.user.login,
        locate=lambda entry: entry.locate("login"),
        describe=lambda login: f"duplicate login '{login}'",
        code="R005",
        path=lambda entry: f"users[login={entry.user.login}].login",
        hint="each user needs a login of their own",
    )
    yield from _duplicates(
        users,
        key=lambda entry: entry.user.email.lower(),
        locate=lambda entry: entry.locate("email"),
        describe=lambda email: f"duplicate e-mail '{email}'",
        code="R006",
        path=lambda entry: f"users[login={entry.user.login}].email",
        hint="O2S sends each user's mail to their own professional address",
    )
    yield from _duplicates(
        document.profiles.values(),
        key=lambda entry: " ".join(entry.profile.label.casefold().split()),
        locate=lambda entry: entry.locate("label"),
        describe=lambda label: f"duplicate profile label '{label}'",
        code="R007",
        path=lambda entry: f"profiles.{entry.id}.label",
        hint="O2S lists profiles by label, so two profiles cannot share one",
    )
    yield from _duplicates(
        list(enumerate(document.structures)),
        key=lambda item: item[1],
        locate=lambda item: document.locate(("structures", item[0])),
        describe=lambda name: f"duplicate structure '{name}'",
        code="R020",
        path=lambda item: f"structures[{item[0]}]",
        hint="remove the second entry",
    )
    yield from _custom_rights(context)
    yield from _requirements(context)


def _duplicates(
    items: Iterable[Item],
    key: Callable[[Item], str],
    locate: Callable[[Item], Location],
    describe: Callable[[str], str],
    code: str,
    path: Callable[[Item], str],
    hint: str,
) -> Iterator[Diagnostic]:
    first_seen: dict[str, Location] = {}
    for item in items:
        value = key(item)
        location = locate(item)
        first = first_seen.setdefault(value, location)
        if first is location:
            continue
        yield error(
            code,
            f"{describe(value)}; it is first used at line {first.line}",
            location,
            path=path(item),
            hint=hint,
        )


def _custom_rights(context: RuleContext) -> Iterator[Diagnostic]:
    document = context.document
    shipped = load_catalogue()
    seen: dict[str, int] = {}
    for index, right in enumerate(document.rights):
        location = document.locate(("rights", index, "key"))
        path = f"rights[{index}].key"
        if right.key in shipped:
            yield error(
                "R021",
                f"right '{right.key}' is already in the catalogue",
                location,
                path=path,
                hint="remove it from 'rights:'; the catalogue's definition applies",
            )
        elif right.key in seen:
            first = document.locate(("rights", seen[right.key], "key"))
            yield error(
                "R021",
                f"right '{right.key}' is declared twice; it is first declared at line "
                f"{first.line}",
                location,
                path=path,
            )
        elif not shipped.has_tab(right.tab):
            tabs = ", ".join(tab.id for tab in shipped.tabs)
            yield error(
                "R022",
                f"right '{right.key}' names the unknown tab '{right.tab}'",
                location,
                path=path,
                hint=f"start the key with one of the O2S tabs: {tabs}",
            )
        seen.setdefault(right.key, index)


def _requirements(context: RuleContext) -> Iterator[Diagnostic]:
    catalogue = context.catalogue
    for index, right in enumerate(context.document.rights):
        requirement = right.requires
        if requirement is None:
            continue
        location = context.document.locate(("rights", index, "requires", "right"))
        path = f"rights[{index}].requires.right"
        needed = catalogue.rights.get(requirement.right)
        if needed is None:
            yield error(
                "R003",
                f"unknown right '{requirement.right}' in {path}",
                location,
                path=path,
                hint=did_you_mean(requirement.right, list(catalogue.rights)),
            )
        elif needed.is_scope != (requirement.at_least is not None):
            wanted = (
                "at_least with one of its options" if needed.is_scope else "no at_least"
            )
            yield error(
                "R023",
                f"requirement on '{requirement.right}' in rights[{index}] needs {wanted}",
                location,
                path=path,
                hint="a yes/no right is required on; a scope is required at least an option",
            )
