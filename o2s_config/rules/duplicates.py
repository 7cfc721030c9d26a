"""Values that must be unique (logins, e-mails, profile labels, structures) and
the org's own rights, which must not clash with the catalogue."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

from ..catalogue import Right, load_catalogue, scope_rank
from ..diagnostics import Diagnostic, Location, error
from ..document import RightEntry
from .context import RuleContext, did_you_mean

Item = TypeVar("Item")


def check(context: RuleContext) -> Iterator[Diagnostic]:
    document = context.document
    users = document.users

    yield from _duplicates(
        users,
        key=lambda entry: entry.user.login,
        locate=lambda entry: entry.locate("login"),
        describe=lambda entry, _: (
            f"duplicate login '{entry.user.login}'; it is first used"
        ),
        code="R005",
        path=lambda entry: f"users[login={entry.user.login}].login",
        hint="each user needs a login of their own",
    )
    yield from _duplicates(
        users,
        key=lambda entry: entry.user.email.lower(),
        locate=lambda entry: entry.locate("email"),
        describe=lambda entry, first: (
            f"duplicate e-mail '{entry.user.email}'; "
            f"users[login={first.user.login}] has the same address"
        ),
        code="R006",
        path=lambda entry: f"users[login={entry.user.login}].email",
        hint="O2S sends each user's mail to their own professional address; "
        "addresses are compared without case",
    )
    yield from _duplicates(
        document.profiles.values(),
        key=lambda entry: " ".join(entry.profile.label.casefold().split()),
        locate=lambda entry: entry.locate("label"),
        describe=lambda entry, first: (
            f"duplicate profile label '{entry.profile.label}'"
            f"; profiles.{first.id} has the same label"
        ),
        code="R007",
        path=lambda entry: f"profiles.{entry.id}.label",
        hint="O2S lists profiles by label, so two profiles cannot share one; labels "
        "are compared without case or repeated spaces",
    )
    yield from _duplicates(
        list(enumerate(document.structures)),
        key=lambda item: item[1],
        locate=lambda item: document.structure_locations[item[0]],
        describe=lambda item, _: f"duplicate structure '{item[1]}'; it is first listed",
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
    describe: Callable[[Item, Item], str],
    code: str,
    path: Callable[[Item], str],
    hint: str,
) -> Iterator[Diagnostic]:
    """Yield an error for each item whose key an earlier item already has.

    `describe(item, first)` returns the message, and the position of the first
    item is appended to it.
    """
    first_seen: dict[str, Item] = {}
    for item in items:
        first = first_seen.setdefault(key(item), item)
        if first is item:
            continue
        location = locate(item)
        yield error(
            code,
            f"{describe(item, first)} at {_position(locate(first), location)}",
            location,
            path=path(item),
            hint=hint,
        )


def _position(first: Location, later: Location) -> str:
    """Return where `first` is, with its file when `later` is in another file,
    and its column when `later` is on the same line."""
    if first.file != later.file:
        return f"{first.file}:{first.line}"
    if first.line == later.line:
        return f"line {first.line}, column {first.column}"
    return f"line {first.line}"


def _custom_rights(context: RuleContext) -> Iterator[Diagnostic]:
    document = context.document
    shipped = load_catalogue()
    seen: dict[str, RightEntry] = {}
    for entry in document.right_entries:
        right = entry.right
        location = entry.locate("key")
        path = f"rights[{entry.index}].key"
        if right.key in shipped:
            yield error(
                "R021",
                f"right '{right.key}' is already in the catalogue",
                location,
                path=path,
                hint="remove it from 'rights:'; the catalogue's definition applies",
            )
        elif right.key in seen:
            first = seen[right.key].locate("key")
            yield error(
                "R021",
                f"right '{right.key}' is declared twice; it is first declared at line "
                f"{first.line}",
                location,
                path=path,
                hint="remove one of the two entries",
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
        seen.setdefault(right.key, entry)


def _requirements(context: RuleContext) -> Iterator[Diagnostic]:
    catalogue = context.catalogue
    rejected = context.rejected_rights
    for entry in context.document.right_entries:
        requirement = entry.right.requires
        if requirement is None or requirement.right in rejected:
            continue
        needed = catalogue.rights.get(requirement.right)
        if needed is None:
            path = f"rights[{entry.index}].requires.right"
            yield error(
                "R003",
                f"unknown right '{requirement.right}' in {path}",
                entry.locate("requires", "right"),
                path=path,
                hint=did_you_mean(requirement.right, list(catalogue.rights)),
            )
        elif needed.is_scope:
            yield from _scope_requirement(entry, needed, requirement.at_least)
        elif requirement.at_least is not None:
            yield error(
                "R023",
                f"rights[{entry.index}].requires names the yes/no right "
                f"'{needed.key}', so it takes no 'at_least'",
                entry.locate("requires", "at_least"),
                path=f"rights[{entry.index}].requires.at_least",
                hint=f"remove 'at_least'; the requirement is met when {needed.key} is on",
            )


def _scope_requirement(
    entry: RightEntry, needed: Right, at_least: str | None
) -> Iterator[Diagnostic]:
    options = needed.options or ()
    if at_least is None:
        example = options[1] if len(options) > 1 else options[0]
        yield error(
            "R023",
            f"rights[{entry.index}].requires names the scope right '{needed.key}', "
            f"so it needs 'at_least' with one of its options: {', '.join(options)}",
            entry.locate("requires", "right"),
            path=f"rights[{entry.index}].requires.right",
            hint="add the narrowest option that is enough, for example "
            f"'requires: {{right: {needed.key}, at_least: {example}}}'",
        )
    elif scope_rank(at_least) > scope_rank(needed.widest):
        yield error(
            "R023",
            f"rights[{entry.index}].requires asks for '{needed.key}' at least "
            f"{at_least}, but its widest option is {needed.widest}, so the "
            "requirement is never met",
            entry.locate("requires", "at_least"),
            path=f"rights[{entry.index}].requires.at_least",
            hint=f"ask for at most {needed.widest}",
        )
