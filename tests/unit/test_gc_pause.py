"""bot/gc_pause.py: the cyclic collector is paused for a block of imports, what the
block made is frozen out of later passes, and the collector runs again afterwards,
also when the block fails."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from bot.gc_pause import collector_paused


@pytest.fixture(autouse=True)
def collector_restored() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.enable()
    yield
    gc.unfreeze()
    if not was_enabled:
        gc.disable()


def test_paused_inside_then_frozen_and_running() -> None:
    frozen_before = gc.get_freeze_count()
    with collector_paused():
        assert not gc.isenabled()
        made = [[] for _ in range(1000)]  # tracked objects that live on
    assert gc.isenabled()
    assert gc.get_freeze_count() >= frozen_before + len(made)


def test_a_failing_block_still_resumes_the_collector() -> None:
    with pytest.raises(ImportError), collector_paused():
        raise ImportError("no such module")
    assert gc.isenabled()


def test_an_inner_block_leaves_the_collector_to_the_outer_one() -> None:
    with collector_paused():
        frozen = gc.get_freeze_count()
        with collector_paused():
            pass
        assert not gc.isenabled()
        assert gc.get_freeze_count() == frozen
    assert gc.isenabled()


def test_a_collector_switched_off_elsewhere_stays_off() -> None:
    gc.disable()
    frozen = gc.get_freeze_count()
    with collector_paused():
        pass
    assert not gc.isenabled()
    assert gc.get_freeze_count() == frozen
