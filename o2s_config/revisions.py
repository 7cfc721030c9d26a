"""Reading an org file from a path or from git, as `REV:PATH`.

Through git, the files an org includes are read from the same revision, with
the same confinement to the org file's folder as on disk.
"""

from __future__ import annotations

import fnmatch
import posixpath
import subprocess
from pathlib import Path

from .diagnostics import Diagnostic, InputFileError, LoadError, error
from .includes import (
    check_pattern,
    include_patterns,
    is_pattern_glob,
    no_match,
    not_found,
)
from .pipeline import CompileResult, compile_path, compile_source
from .source import DEFAULT_LIMITS, Limits, SourceFile, parse_source

# The git mode of a symbolic link: its target cannot be checked to stay
# inside the folder without a work tree, so it is never followed.
_LINK_MODE = "120000"


def compile_side(spec: str, limits: Limits = DEFAULT_LIMITS) -> CompileResult:
    """Compile `spec`: an existing path, or `REV:PATH` read with `git show`.

    A path that exists wins over the git reading, so a file whose name holds a
    colon is still read from disk. Raises InputFileError when neither works.
    """
    path = Path(spec)
    if path.exists() or ":" not in spec:
        return compile_path(path, limits=limits)

    revision, _, file_path = spec.partition(":")
    if not revision or not file_path:
        raise InputFileError(
            f"{spec}: expected a path or REV:PATH, such as origin/main:org.yaml"
        )
    _check_revision(revision)
    full_path = _repository_path(file_path)
    try:
        main = parse_source(read_revision(revision, full_path), spec, limits)
    except LoadError as exc:
        return CompileResult(exc.diagnostics)
    included, problems = _git_includes(main, revision, full_path, limits)
    return compile_source(main, included, problems)


def _check_revision(revision: str) -> None:
    if revision.startswith("-"):
        raise InputFileError(f"{revision}: a revision cannot start with '-'")


def _git(*args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", *args], capture_output=True, check=False)
    except FileNotFoundError:
        raise InputFileError(
            "git is not installed, so REV:PATH cannot be read"
        ) from None


def _repository_path(file_path: str) -> str:
    """Return the path from the repository's root. Git reads `REV:PATH` from
    the root, and `REV:./PATH` from the current folder."""
    if not file_path.startswith(("./", "../")):
        return file_path
    prefix = _git("rev-parse", "--show-prefix").stdout.decode().strip()
    return posixpath.normpath(posixpath.join(prefix, file_path))


def read_revision(revision: str, file_path: str) -> bytes:
    """Return the bytes of `file_path` at `revision` in the current git repository."""
    _check_revision(revision)
    completed = _git("show", f"{revision}:{file_path}")
    if completed.returncode != 0:
        reason = completed.stderr.decode("utf-8", errors="replace").strip().splitlines()
        detail = reason[-1] if reason else f"git exited with {completed.returncode}"
        raise InputFileError(f"{revision}:{file_path}: cannot read from git: {detail}")
    return completed.stdout


def _git_includes(
    main: SourceFile, revision: str, full_path: str, limits: Limits
) -> tuple[list[SourceFile], list[Diagnostic]]:
    patterns, problems = include_patterns(main)
    if not patterns:
        return [], problems

    folder = posixpath.dirname(full_path)
    files = _tree(revision, folder)
    seen = {full_path}
    sources: list[SourceFile] = []
    for index, pattern in enumerate(patterns):
        location = main.locate(("include", index))
        escape = check_pattern(pattern, location)
        if escape is not None:
            problems.append(escape)
            continue
        matches = _match(pattern, files)
        if not matches:
            problems.append(
                no_match(pattern, location)
                if is_pattern_glob(pattern)
                else not_found(pattern, location)
            )
            continue
        for relative in matches:
            target = posixpath.join(folder, relative) if folder else relative
            if target in seen:
                continue
            seen.add(target)
            if files[relative] == _LINK_MODE:
                problems.append(
                    error(
                        "Y012",
                        f"include '{pattern}' names the symbolic link {relative}, which "
                        "is not followed when reading a git revision",
                        location,
                        path="include",
                        hint="include the file the link points to, by its own path",
                    )
                )
                continue
            try:
                raw = read_revision(revision, target)
                sources.append(parse_source(raw, f"{revision}:{target}", limits))
            except LoadError as exc:
                problems.extend(exc.diagnostics)
    return sources, problems


def _tree(revision: str, folder: str) -> dict[str, str]:
    """Return the files below `folder` at `revision`, relative to it, with their mode."""
    completed = _git("ls-tree", "-r", "--full-tree", revision, "--", folder or ".")
    files = {}
    for line in completed.stdout.decode("utf-8", errors="replace").splitlines():
        meta, _, name = line.partition("\t")
        mode = meta.split(" ", 1)[0]
        relative = posixpath.relpath(name, folder) if folder else name
        files[relative] = mode
    return files


def _match(pattern: str, files: dict[str, str]) -> list[str]:
    """Return the files a path or glob names, segment by segment as a shell
    glob does: `*` never crosses a `/`, and `**` spans any number of folders."""
    wanted = pattern.strip("/").split("/")
    return sorted(name for name in files if _segments_match(wanted, name.split("/")))


def _segments_match(pattern: list[str], parts: list[str]) -> bool:
    if not pattern:
        return not parts
    if pattern[0] == "**":
        return any(
            _segments_match(pattern[1:], parts[start:])
            for start in range(len(parts) + 1)
        )
    if not parts or not fnmatch.fnmatchcase(parts[0], pattern[0]):
        return False
    return _segments_match(pattern[1:], parts[1:])
