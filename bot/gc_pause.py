"""Loading the bot's modules with the cyclic garbage collector paused.

Importing the command line and the bot (SQLAlchemy, python-telegram-bot, numpy, the
bot's own modules) creates about 100,000 objects the collector tracks, nearly all of
them alive as long as the process. While they load, the collector passes over them
again and again (twice in full, twenty times in part) and frees almost nothing; each
later full pass, the one at exit included, would walk them again. Paused for the
imports, then told (gc.freeze) to leave what they made out of every later pass, it
collects as usual from then on. Measured with `bench/startup_memory.py --restart`
(docs/benchmarks.md, 2-vCPU machine): start to first getUpdates 1.16 s -> 0.83 s,
SIGTERM to exit 0.47 s -> 0.11 s. Reference counting frees everything else meanwhile;
only reference cycles made during the imports wait, and they are few.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic collector for the block, then freeze what exists and resume it
    (as it was: a block inside another leaves the collector to the outer one)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.freeze()
            gc.enable()
