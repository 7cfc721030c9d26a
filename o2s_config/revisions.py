"""Reading an org file from a path or from git, as `REV:PATH`."""

from __future__ import annotations

import subprocess
from pathlib import Path

from .diagnostics import InputFileError
from .pipeline import CompileResult, compile_bytes, compile_path
from .source import DEFAULT_LIMITS, Limits


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
    return compile_bytes(read_revision(revision, file_path), spec, limits)


def read_revision(revision: str, file_path: str) -> bytes:
    """Return the bytes of `file_path` at `revision` in the current git repository."""
    if revision.startswith("-"):
        raise InputFileError(f"{revision}: a revision cannot start with '-'")
    try:
        completed = subprocess.run(
            ["git", "show", f"{revision}:{file_path}"],
            capture_output=True,
            check=False,
        )
    except FileNotFoundError:
        raise InputFileError(
            "git is not installed, so REV:PATH cannot be read"
        ) from None
    if completed.returncode != 0:
        reason = completed.stderr.decode("utf-8", errors="replace").strip().splitlines()
        detail = reason[-1] if reason else f"git exited with {completed.returncode}"
        raise InputFileError(f"{revision}:{file_path}: cannot read from git: {detail}")
    return completed.stdout
