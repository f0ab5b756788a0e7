"""Free heap pages go back to the system after a build (glibc's malloc_trim), and the
bot's threads share a few malloc arenas (mallopt)."""

from __future__ import annotations

import argparse
import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

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


# Five threads alive at once, each allocating above pymalloc's size, then glibc's own
# count of arenas (malloc_stats prints one "Arena N:" block per arena to stderr).
ARENA_PROBE = """
import ctypes, sys, threading
from bot.memory import limit_malloc_arenas
print("limited" if limit_malloc_arenas({limit}) else "not limited", flush=True)
all_in = threading.Barrier(6)
def allocate():
    kept = [bytearray(4096) for _ in range(100)]
    all_in.wait()
threads = [threading.Thread(target=allocate) for _ in range(5)]
for thread in threads:
    thread.start()
all_in.wait()
for thread in threads:
    thread.join()
ctypes.CDLL(None).malloc_stats()
"""


def arenas_after_five_threads(limit: int, env: dict[str, str]) -> tuple[str, int]:
    done = subprocess.run(
        [sys.executable, "-c", ARENA_PROBE.format(limit=limit)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=60,
    )
    arenas = sum(line.startswith("Arena ") for line in done.stderr.splitlines())
    return done.stdout.strip(), arenas


def test_threads_share_the_arenas_once_limited() -> None:
    env = {k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"}
    assert arenas_after_five_threads(2, env) == ("limited", 2)
    # Without the limit each live thread gets an arena of its own: the probe can tell.
    assert arenas_after_five_threads(64, env)[1] == 6


def test_an_operators_malloc_arena_max_wins() -> None:
    env = {**os.environ, "MALLOC_ARENA_MAX": "3"}
    assert arenas_after_five_threads(1, env) == ("not limited", 3)


def test_run_limits_the_arenas_before_anything_else(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`nexus-bot run` asks for the limit first, before a missing token ends it."""
    # bot.cli's `main` names the function, which hides the module of the same name.
    commands = importlib.import_module("bot.cli.main")
    calls: list[str] = []
    monkeypatch.setattr(commands, "limit_malloc_arenas", lambda: calls.append("limit") or True)
    monkeypatch.chdir(tmp_path)  # no .env file to read a token from
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.setenv("NEXUS_DATA_DIR", str(tmp_path))
    assert commands.cmd_run(argparse.Namespace(webhook=False)) == 2
    assert calls == ["limit"]
