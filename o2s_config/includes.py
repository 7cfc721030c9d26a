"""Multi-file orgs: the files an org names in `include:`.

An include is a path or a glob relative to the org file's folder, such as
`profiles.yaml` or `agences/*.yaml`. Every file it names must stay inside
that folder tree: an absolute path, a `..` step, or a symbolic link that
resolves outside is an error, so an org file cannot make the tool read files
elsewhere on the machine.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

from .diagnostics import Diagnostic, InputFileError, LoadError, Location, error, warning
from .source import DEFAULT_LIMITS, Limits, SourceFile, read_source

# The top-level keys an included file may have.
INCLUDABLE = ("structures", "rights", "profiles", "users", "checks")

_GLOB_CHARACTERS = frozenset("*?[")


def load_includes(
    main: SourceFile, main_path: Path, limits: Limits = DEFAULT_LIMITS
) -> tuple[list[SourceFile], list[Diagnostic]]:
    """Read every file the org's `include:` names, in the order listed."""
    patterns, problems = include_patterns(main)
    if not patterns:
        return [], problems

    root = main_path.parent.resolve()
    seen = {main_path.resolve()}
    sources: list[SourceFile] = []
    for index, pattern in enumerate(patterns):
        location = main.locate(("include", index))
        for path in _expand(pattern, root, location, problems):
            real = path.resolve()
            if not real.is_relative_to(root):
                problems.append(outside_folder(pattern, location, f"a link to {real}"))
                continue
            if real in seen:
                continue
            seen.add(real)
            _read(
                path,
                _display_name(main.name, root, path),
                limits,
                location,
                sources,
                problems,
            )
    return sources, problems


def _expand(
    pattern: str, root: Path, location: Location, problems: list[Diagnostic]
) -> list[Path]:
    escape = check_pattern(pattern, location)
    if escape is not None:
        problems.append(escape)
        return []

    if is_pattern_glob(pattern):
        matches = sorted(path for path in root.glob(pattern) if path.is_file())
        if not matches:
            problems.append(no_match(pattern, location))
        return matches

    path = root / pattern
    if not path.exists() and not path.is_symlink():
        problems.append(not_found(pattern, location))
        return []
    return [path]


def check_pattern(pattern: str, location: Location) -> Diagnostic | None:
    """Return an error when a pattern could name a file outside the folder."""
    parts = PurePosixPath(pattern).parts
    if not pattern.strip() or os.path.isabs(pattern) or ".." in parts:
        return outside_folder(pattern, location, "a path")
    return None


def is_pattern_glob(pattern: str) -> bool:
    return any(char in pattern for char in _GLOB_CHARACTERS)


def no_match(pattern: str, location: Location) -> Diagnostic:
    return warning(
        "Y014",
        f"include pattern '{pattern}' matches no file",
        location,
        path="include",
        hint="check the folder name; patterns are relative to the org file",
    )


def not_found(pattern: str, location: Location) -> Diagnostic:
    return error(
        "Y013",
        f"included file '{pattern}' not found",
        location,
        path="include",
        hint="paths in include are relative to the org file's folder",
    )


def include_patterns(main: SourceFile) -> tuple[list[str], list[Diagnostic]]:
    """Return the `include:` entries of an org, or an error when they are not
    a list of paths."""
    patterns = main.data.get("include")
    if patterns is None:
        return [], []
    if isinstance(patterns, list) and all(isinstance(p, str) for p in patterns):
        return patterns, []
    return [], [
        error(
            "M003",
            "include must be a list of paths, such as [profiles.yaml, agences/*.yaml]",
            main.locate(("include",)),
            path="include",
        )
    ]


def outside_folder(pattern: str, location: Location, what: str) -> Diagnostic:
    return error(
        "Y012",
        f"include '{pattern}' names {what} outside the org file's folder",
        location,
        path="include",
        hint="move the file under the org file's folder and include it by a relative path",
    )


def _display_name(main_name: str, root: Path, path: Path) -> str:
    relative = path.relative_to(root) if path.is_relative_to(root) else path
    folder = os.path.dirname(main_name)
    return os.path.join(folder, str(relative)) if folder else str(relative)


def _read(
    path: Path,
    name: str,
    limits: Limits,
    location: Location,
    sources: list[SourceFile],
    problems: list[Diagnostic],
) -> None:
    try:
        source = read_source(path, name, limits)
    except LoadError as exc:
        problems.extend(exc.diagnostics)
        return
    except InputFileError as exc:
        problems.append(
            error("Y013", f"cannot include {name}: {exc}", location, path="include")
        )
        return
    sources.append(source)
