"""Typing an org file's data with the models, one item at a time.

Each profile and each user is validated on its own, so one bad user does not
hide the errors of the others, and the rules still run on every valid item.
Items that fail keep their id or login in `declared_*`, so references to them
are not reported a second time as unknown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from .catalogue import Right
from .checks.collect import LocatedCheck, collect_checks
from .checks.model import PoliciesConfig
from .diagnostics import Diagnostic, Location, error
from .fields import PROFILE_ID, Text
from .includes import INCLUDABLE
from .model import (
    FORMAT_VERSION,
    Establishment,
    OrgFile,
    Profile,
    User,
)
from .pydantic_errors import describe_errors
from .source import DataPath, SourceFile


@dataclass
class ProfileEntry:
    id: str
    profile: Profile
    source: SourceFile

    @property
    def path(self) -> tuple[str, ...]:
        return ("profiles", self.id)

    def locate(self, *rest: str | int, key: bool = False) -> Location:
        return self.source.locate((*self.path, *rest), key=key)


@dataclass
class UserEntry:
    index: int
    user: User
    source: SourceFile

    @property
    def path(self) -> tuple[str | int, ...]:
        return ("users", self.index)

    def locate(self, *rest: str | int, key: bool = False) -> Location:
        return self.source.locate((*self.path, *rest), key=key)


@dataclass
class RightEntry:
    """A right declared under `rights:`, with its position in that list."""

    index: int
    right: Right
    source: SourceFile

    @property
    def path(self) -> tuple[str | int, ...]:
        return ("rights", self.index)

    def locate(self, *rest: str | int, key: bool = False) -> Location:
        return self.source.locate((*self.path, *rest), key=key)


@dataclass
class OrgDocument:
    """The typed content of an org file, plus what failed to type."""

    source: SourceFile
    establishment: Establishment | None = None
    structures: list[str] = field(default_factory=list)
    right_entries: list[RightEntry] = field(default_factory=list)
    profiles: dict[str, ProfileEntry] = field(default_factory=dict)
    users: list[UserEntry] = field(default_factory=list)
    declared_profiles: set[str] = field(default_factory=set)
    declared_logins: set[str] = field(default_factory=set)
    declared_rights: set[str] = field(default_factory=set)
    structure_locations: list[Location] = field(default_factory=list)
    profile_locations: dict[str, Location] = field(default_factory=dict)
    # Users listed in every file, typed or not, and whether a `users` section
    # was not a list, so a rule can tell when every user was checked.
    raw_user_count: int = 0
    users_malformed: bool = False
    checks: list[LocatedCheck] = field(default_factory=list)
    policies: PoliciesConfig = field(default_factory=PoliciesConfig)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    # False when the format version is wrong. Nothing past the version is typed
    # then, so the rules skip the document.
    typed: bool = True

    @property
    def rights(self) -> list[Right]:
        """The valid entries of `rights:`, in file order."""
        return [entry.right for entry in self.right_entries]

    def locate(self, path: DataPath, key: bool = False) -> Location:
        return self.source.locate(path, key=key)


_TOP_LEVEL = tuple(OrgFile.model_fields)
_ESTABLISHMENT = TypeAdapter(Establishment)
_STRUCTURES = TypeAdapter(list[Text])
_POLICIES = TypeAdapter(PoliciesConfig)


def build_document(
    source: SourceFile, included: Sequence[SourceFile] = ()
) -> OrgDocument:
    """Validate every part of a loaded org file, and of the files it includes,
    against the models."""
    data: dict[str, Any] = source.data
    document = OrgDocument(source)
    problems = document.diagnostics

    for key in data:
        if key not in _TOP_LEVEL:
            problems.extend(describe_errors(source, (), _unknown(key), OrgFile))
    if not _check_version(source, data, problems):
        document.typed = False
        return document

    document.establishment = _validate(
        source,
        ("establishment",),
        data,
        _ESTABLISHMENT,
        problems,
        required=True,
        model=Establishment,
    )
    for part in (source, *included):
        if part is not source:
            _check_included_keys(part, problems)
        _build_parts(document, part)

    document.policies = (
        _validate(
            source, ("policies",), data, _POLICIES, problems, model=PoliciesConfig
        )
        or PoliciesConfig()
    )
    return document


def _build_parts(document: OrgDocument, source: SourceFile) -> None:
    """Add the structures, rights, profiles, users and checks of one file."""
    data = source.data
    structures = (
        _validate(source, ("structures",), data, _STRUCTURES, document.diagnostics)
        or []
    )
    for index, name in enumerate(structures):
        document.structures.append(name)
        document.structure_locations.append(source.locate(("structures", index)))
    _build_rights(document, source, data.get("rights", []))
    _build_profiles(document, source, data.get("profiles", {}))
    _build_users(document, source, data.get("users", []))
    checks, check_problems = collect_checks(source)
    document.checks.extend(checks)
    document.diagnostics.extend(check_problems)


def _check_included_keys(source: SourceFile, problems: list[Diagnostic]) -> None:
    allowed = ", ".join(INCLUDABLE)
    for key in source.data:
        if key not in INCLUDABLE:
            problems.append(
                error(
                    "M001",
                    f"unknown field '{key}' in an included file; included files hold "
                    f"only {allowed}",
                    source.locate((key,), key=True),
                    path=key,
                    hint="move it to the main org file",
                )
            )


def _check_version(
    source: SourceFile, data: dict[str, Any], problems: list[Diagnostic]
) -> bool:
    version = data.get("version")
    if type(version) is int and version == FORMAT_VERSION:
        return True

    hint = f"start the file with 'version: {FORMAT_VERSION}'"
    if "version" not in data:
        message = (
            f"missing 'version'; this o2s-config reads format version {FORMAT_VERSION}"
        )
        location = source.locate(())
    else:
        written = source.token_at(source.locate(("version",)))
        message = (
            f"unsupported format version {written or 'null'}; this o2s-config reads "
            f"version {FORMAT_VERSION}"
        )
        location = source.locate(("version",))
        if version == str(FORMAT_VERSION):
            hint = f"write the version without quotes: 'version: {FORMAT_VERSION}'"
    problems.append(error("M008", message, location, path="version", hint=hint))
    return False


def _validate(
    source: SourceFile,
    path: tuple[str, ...],
    data: dict[str, Any],
    adapter: TypeAdapter[Any],
    problems: list[Diagnostic],
    required: bool = False,
    model: type[BaseModel] | None = None,
) -> Any:
    name = path[-1]
    if name not in data:
        if required:
            problems.extend(describe_errors(source, (), _missing(name)))
        return None
    try:
        return adapter.validate_python(data[name], strict=True)
    except ValidationError as exc:
        problems.extend(describe_errors(source, path, exc.errors(), model))
        return None


def _build_rights(document: OrgDocument, source: SourceFile, raw: Any) -> None:
    if not isinstance(raw, list):
        document.diagnostics.extend(
            describe_errors(source, (), _wrong_type("rights", raw))
        )
        return

    for index, body in enumerate(raw):
        if isinstance(body, dict) and isinstance(body.get("key"), str):
            document.declared_rights.add(body["key"])
        # Lax mode, because Right is the catalogue's model and its `options`
        # tuple accepts a YAML list only there. Right has no boolean or number
        # field that lax mode would coerce from text.
        right = _validate_item(
            source, ("rights", index), body, Right, document.diagnostics, strict=False
        )
        if right is not None:
            document.right_entries.append(RightEntry(index, right, source))


def _build_profiles(document: OrgDocument, source: SourceFile, raw: Any) -> None:
    if not isinstance(raw, dict):
        document.diagnostics.extend(
            describe_errors(source, (), _wrong_type("profiles", raw))
        )
        return

    for profile_id, body in raw.items():
        location = source.locate(("profiles", profile_id), key=True)
        first = document.profile_locations.setdefault(profile_id, location)
        if first is not location:
            document.diagnostics.append(_profile_twice(profile_id, first, location))
            continue
        document.declared_profiles.add(profile_id)
        path = ("profiles", profile_id)
        # A profile with an invalid id still has its body checked, so that one
        # run reports both, but the rules never see it.
        id_errors = _check_profile_id(source, profile_id)
        document.diagnostics.extend(id_errors)
        profile = _validate_item(source, path, body, Profile, document.diagnostics)
        if profile is not None and not id_errors:
            document.profiles[profile_id] = ProfileEntry(profile_id, profile, source)


def _profile_twice(profile_id: str, first: Location, later: Location) -> Diagnostic:
    where = (
        f"{first.file}:{first.line}"
        if first.file != later.file
        else f"line {first.line}"
    )
    return error(
        "R024",
        f"profile '{profile_id}' is defined twice; it is first defined at {where}",
        later,
        path=f"profiles.{profile_id}",
        hint="keep one definition, or give the second profile another id",
    )


def _check_profile_id(source: SourceFile, profile_id: str) -> list[Diagnostic]:
    errors = []
    if not PROFILE_ID.fullmatch(profile_id):
        errors.append(
            error(
                "M004",
                f"invalid profile id '{profile_id}'; ids are lowercase letters, digits, "
                "'-' and '_', starting with a letter",
                source.locate(("profiles", profile_id), key=True),
                path=f"profiles.{profile_id}",
                hint="put the display name in 'label' and keep the id short, like 'junior'",
            )
        )
    return errors


def _build_users(document: OrgDocument, source: SourceFile, raw: Any) -> None:
    if not isinstance(raw, list):
        document.users_malformed = True
        document.diagnostics.extend(
            describe_errors(source, (), _wrong_type("users", raw))
        )
        return

    document.raw_user_count += len(raw)
    for index, body in enumerate(raw):
        if isinstance(body, dict) and isinstance(body.get("login"), str):
            document.declared_logins.add(body["login"])
        user = _validate_item(
            source, ("users", index), body, User, document.diagnostics
        )
        if user is not None:
            document.users.append(UserEntry(index, user, source))


def _validate_item(
    source: SourceFile,
    path: tuple[str | int, ...],
    body: Any,
    model: type[BaseModel],
    problems: list[Diagnostic],
    strict: bool = True,
) -> Any:
    try:
        return model.model_validate(body, strict=strict)
    except ValidationError as exc:
        problems.extend(describe_errors(source, path, exc.errors(), model))
        return None


def _unknown(key: str) -> list[Any]:
    return [
        {"type": "extra_forbidden", "loc": (key,), "input": None, "msg": "", "ctx": {}}
    ]


def _missing(key: str) -> list[Any]:
    return [{"type": "missing", "loc": (key,), "input": None, "msg": "", "ctx": {}}]


def _wrong_type(key: str, value: Any) -> list[Any]:
    kind = "dict_type" if key == "profiles" else "list_type"
    return [{"type": kind, "loc": (key,), "input": value, "msg": "", "ctx": {}}]
