"""Diagnostics: what the loader, the model and the rules report about an org file."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Location:
    """A place in a file. Line and column start at 1, as editors count them."""

    file: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if self.line <= 0:
            return self.file
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Diagnostic:
    """One finding, with a stable code documented in docs/diagnostics.md.

    `path` names the item the way a reader finds it in the file, for example
    `users[login=jleroy].manager`, never by a list index alone.
    """

    code: str
    severity: Severity
    message: str
    location: Location
    path: str = ""
    hint: str = ""
    related: tuple[Location, ...] = field(default=())

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def sort_key(self) -> tuple[str, int, int, str, str]:
        loc = self.location
        return (loc.file, loc.line, loc.column, self.code, self.message)

    def to_json(self) -> dict[str, object]:
        return {
            "severity": self.severity.value,
            "code": self.code,
            "message": self.message,
            "file": self.location.file,
            "line": self.location.line,
            "column": self.location.column,
            "path": self.path,
            "hint": self.hint,
        }


def error(
    code: str, message: str, location: Location, path: str = "", hint: str = ""
) -> Diagnostic:
    return Diagnostic(code, Severity.ERROR, message, location, path, hint)


def warning(
    code: str, message: str, location: Location, path: str = "", hint: str = ""
) -> Diagnostic:
    return Diagnostic(code, Severity.WARNING, message, location, path, hint)


def sort_diagnostics(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """Sort by file and position and drop exact repeats, so output is stable."""
    unique = {(d.sort_key(), d.path, d.hint): d for d in diagnostics}
    return [unique[key] for key in sorted(unique)]


def has_failures(diagnostics: list[Diagnostic], strict: bool = False) -> bool:
    """Tell whether the diagnostics fail a run: any error, or any warning when strict."""
    return any(d.is_error or strict for d in diagnostics)


class LoadError(Exception):
    """A file that cannot be turned into data at all; carries its diagnostics."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__("; ".join(d.message for d in diagnostics))
        self.diagnostics = diagnostics


class InputFileError(Exception):
    """A file that cannot be opened or read: a usage error, exit code 2."""
