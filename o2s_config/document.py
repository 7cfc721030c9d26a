"""Typing an org file's data with the models, one item at a time.

Each profile and each user is validated on its own, so one bad user does not
hide the errors of the others, and the rules still run on every valid item.
Items that fail keep their id or login in `declared_*`, so references to them
are not reported a second time as unknown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from .catalogue import Right
from .diagnostics import Diagnostic, Location, error
from .model import FORMAT_VERSION, Establishment, OrgFile, Profile, User
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
class OrgDocument:
    """The typed content of an org file, plus what failed to type."""

    source: SourceFile
    establishment: Establishment | None = None
    structures: list[str] = field(default_factory=list)
    rights: list[Right] = field(default_factory=list)
    profiles: dict[str, ProfileEntry] = field(default_factory=dict)
    users: list[UserEntry] = field(default_factory=list)
    declared_profiles: set[str] = field(default_factory=set)
    declared_logins: set[str] = field(default_factory=set)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def locate(self, path: DataPath, key: bool = False) -> Location:
        return self.source.locate(path, key=key)


_TOP_LEVEL = tuple(OrgFile.model_fields)
_ESTABLISHMENT = TypeAdapter(Establishment)
_STRUCTURES = TypeAdapter(list[str])
_RIGHTS = TypeAdapter(list[Right])
_PROFILE_ID = re.compile(r"[a-z][a-z0-9_-]{0,63}")


def build_document(source: SourceFile) -> OrgDocument:
    """Validate every part of a loaded org file against the models."""
    data: dict[str, Any] = source.data
    document = OrgDocument(source)
    problems = document.diagnostics

    for key in data:
        if key not in _TOP_LEVEL:
            problems.extend(describe_errors(source, (), _unknown(key), OrgFile))
    if not _check_version(source, data, problems):
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
    document.structures = (
        _validate(source, ("structures",), data, _STRUCTURES, problems) or []
    )
    document.rights = (
        _validate(source, ("rights",), data, _RIGHTS, problems, model=Right) or []
    )
    _build_profiles(document, data.get("profiles", {}))
    _build_users(document, data.get("users", []))
    return document


def _check_version(
    source: SourceFile, data: dict[str, Any], problems: list[Diagnostic]
) -> bool:
    version = data.get("version")
    if version == FORMAT_VERSION and not isinstance(version, bool):
        return True
    if "version" not in data:
        message = (
            f"missing 'version'; this o2s-config reads format version {FORMAT_VERSION}"
        )
        location = source.locate(())
    else:
        message = (
            f"unsupported format version {version!r}; this o2s-config reads version "
            f"{FORMAT_VERSION}"
        )
        location = source.locate(("version",))
    problems.append(
        error(
            "M008",
            message,
            location,
            path="version",
            hint=f"start the file with 'version: {FORMAT_VERSION}'",
        )
    )
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


def _build_profiles(document: OrgDocument, raw: Any) -> None:
    source = document.source
    if not isinstance(raw, dict):
        document.diagnostics.extend(
            describe_errors(source, (), _wrong_type("profiles", raw))
        )
        return

    for profile_id, body in raw.items():
        document.declared_profiles.add(profile_id)
        path = ("profiles", profile_id)
        id_errors = _check_profile_id(source, profile_id)
        if id_errors:
            document.diagnostics.extend(id_errors)
            continue
        profile = _validate_item(source, path, body, Profile, document.diagnostics)
        if profile is not None:
            document.profiles[profile_id] = ProfileEntry(profile_id, profile, source)


def _check_profile_id(source: SourceFile, profile_id: str) -> list[Diagnostic]:
    errors = []
    if not _PROFILE_ID.fullmatch(profile_id):
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


def _build_users(document: OrgDocument, raw: Any) -> None:
    source = document.source
    if not isinstance(raw, list):
        document.diagnostics.extend(
            describe_errors(source, (), _wrong_type("users", raw))
        )
        return

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
) -> Any:
    try:
        return model.model_validate(body, strict=True)
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
