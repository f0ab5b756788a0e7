"""Keeping the running bot's heap small: fewer malloc arenas, and free pages given
back to the system after a large build.

Building a matcher reads the vector cache (about 30 MB) and the word index, keeps
copies of what it needs and frees the rest; glibc keeps most freed pages for later
allocations, so the running bot's RSS stayed about 12 MiB higher than what it uses
(measured on the shipped content). `malloc_trim` returns them. Elsewhere (musl,
macOS) there are no such calls, and these do nothing."""

from __future__ import annotations

import ctypes
import functools
import os
from typing import Any

# glibc's mallopt parameter for the number of malloc arenas (malloc.h: M_ARENA_MAX).
_M_ARENA_MAX = -8
BOT_ARENAS = 2


@functools.cache
def _c_function(name: str) -> Any:
    # The process's own symbols, which include its C library's: no library search
    # (ctypes.util.find_library runs ldconfig in a subprocess).
    try:
        process = ctypes.CDLL(None)
    except OSError:
        return None
    return getattr(process, name, None)


def give_back_free_memory() -> bool:
    """Return the free pages of every malloc arena to the system; False where the C
    library has no malloc_trim."""
    trim = _c_function("malloc_trim")
    if trim is None:
        return False
    trim(0)
    return True


def limit_malloc_arenas(arenas: int = BOT_ARENAS) -> bool:
    """Let at most `arenas` malloc arenas serve the process's threads; False where the C
    library has no mallopt, or where MALLOC_ARENA_MAX is set (the operator's choice wins).

    glibc gives each new thread an arena of its own (one an exited thread left, or a new
    one) until there are 8 per core, and an arena's free pages serve only the threads
    that use it. The bot's threads (the event loop, the matcher's build, the database's,
    the executor's) mostly wait; with two arenas the running bot's RSS after its first
    reply stopped varying between 221 and 229 MiB from start to start and stayed at
    222 MiB (bench/startup_memory.py, five starts each). Call it before the threads
    start: arenas already made stay."""
    if "MALLOC_ARENA_MAX" in os.environ:
        return False
    mallopt = _c_function("mallopt")
    return mallopt is not None and mallopt(_M_ARENA_MAX, arenas) == 1
