"""Atomic file writes: a reader sees the old file or the new one, never half."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path


def write_atomic(path: Path, content: str | bytes) -> None:
    """Write to a temporary file in the same folder, then rename it over `path`.

    The rename is atomic on POSIX file systems because source and target are
    on the same file system. On any error the temporary file is removed and
    the previous file, if any, is left as it was.
    """
    write_atomic_chunks(path, [content])


def write_atomic_chunks(path: Path, chunks: Iterable[str | bytes]) -> None:
    """Write pieces as they are produced, with the guarantees of write_atomic.

    An exception raised while producing a piece leaves the previous file as
    it was, so a renderer can stream a large report without holding it whole.
    """
    folder = path.parent if str(path.parent) else Path(".")
    handle, temporary = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=".tmp", dir=folder
    )
    try:
        with os.fdopen(handle, "wb") as stream:
            for chunk in chunks:
                stream.write(chunk.encode("utf-8") if isinstance(chunk, str) else chunk)
            stream.flush()
            os.fsync(stream.fileno())
        if path.exists():
            os.chmod(temporary, path.stat().st_mode & 0o777)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
