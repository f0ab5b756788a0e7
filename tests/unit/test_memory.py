"""Free heap pages go back to the system after a build (glibc's malloc_trim)."""

from __future__ import annotations

from pathlib import Path

from bot.memory import give_back_free_memory

CHUNK = 4096  # above pymalloc's 512 bytes: these come from glibc's malloc
CHUNKS = 25_000  # about 100 MiB


def anonymous_rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("RssAnon:"):
            return int(line.split()[1])
    raise AssertionError("no RssAnon in /proc/self/status")


def test_freed_pages_inside_the_heap_go_back() -> None:
    give_back_free_memory()
    chunks = [bytearray(CHUNK) for _ in range(CHUNKS)]
    for chunk in chunks:  # touch every page
        chunk[0] = 1
    # Keep every 16th chunk: the heap cannot shrink from its top, as after a build.
    kept = chunks[::16]
    del chunks
    before = anonymous_rss_kib()
    assert give_back_free_memory()
    after = anonymous_rss_kib()
    assert before - after > 50 * 1024, (before, after)  # most of the ~94 MiB freed
    assert len(kept) == CHUNKS // 16 + (CHUNKS % 16 > 0)
