"""Files the next start reads (the caches), written so no reader sees half of one."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO


def write_atomically(path: Path, write: Callable[[IO[bytes]], object]) -> None:
    """Write `path` through a temporary file in its folder, then rename it: another
    process, or the next start, reads the old file or the new one, never a torn one
    (two writers at once each write a whole file; the later one wins). Raises
    OSError (a read-only or full disk) and leaves no temporary file behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=f"{path.suffix}.tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            write(out)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def remove_older(path: Path, pattern: str, keep: int) -> None:
    """Remove the files matching `pattern` beside `path` (just written) beyond the
    `keep` most recently written others: a cache keeps a few states of other content
    (tests, a staging bot sharing the folder) without growing forever. Best effort:
    another process starting at once may be removing the same files."""
    with contextlib.suppress(OSError):
        others = [old for old in path.parent.glob(pattern) if old != path]
        others.sort(key=lambda old: old.stat().st_mtime, reverse=True)
        for old in others[keep:]:
            old.unlink(missing_ok=True)
