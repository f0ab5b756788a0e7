import pytest

from bot.telegram import callbacks
from content.model import short_key

SAMPLES = [
    callbacks.ShowEntry(short_key("database-design-pragmatic-denormalization-for-reads")),
    callbacks.PickSuggestion(short_key("x"), 2**53),
    callbacks.ShowTopics(3),
    callbacks.ShowTopic("database-design", 12),
]


@pytest.mark.parametrize("callback", SAMPLES)
def test_round_trip_within_64_bytes(callback: callbacks.Callback) -> None:
    data = callbacks.encode(callback)
    assert len(data.encode()) <= 64
    assert callbacks.decode(data) == callback


@pytest.mark.parametrize("data", [None, "", "zz", "e", "m:abc:notanumber", "ts:x", "t:a:b:c"])
def test_garbage_decodes_to_none(data: str | None) -> None:
    assert callbacks.decode(data) is None
