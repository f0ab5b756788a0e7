import pytest

from bot.presentation import callbacks
from content.model import short_key

SAMPLES = [
    callbacks.ShowEntry(short_key("database-design-pragmatic-denormalization-for-reads")),
    callbacks.PickSuggestion(short_key("x"), 2**31 - 1),  # the largest id both databases hold
    callbacks.QuizAnswer(2**31 - 1, 2**31 - 1, 3),
    callbacks.QuizNext(1, 0),
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


# Forged buttons: ids past what SQLite (2**63) or PostgreSQL (2**31) hold, zero and
# negative ids, and numbers only int() reads (signs, spaces, underscores, other scripts).
FORGED = [
    "qa:2147483648:0:0",
    "qa:9223372036854775808:0:0",
    "qa:1:2147483648:0",
    "qa:1:0:2147483648",
    "qa:0:0:0",
    "qa:-1:0:0",
    "qa:1:-1:0",
    "qa:1:0:-1",
    "qa:+1:0:0",
    "qa: 1:0:0",
    "qa:1_0:0:0",
    "qa:\u0661:0:0",
    "qn:2147483648:0",
    "qn:99999999999999999999999999999:0",
    "qn:1:2147483648",
    "qn:0:0",
    "m:abc:2147483648",
    "m:abc:9223372036854775808",
    "m:abc:0",
    "m:abc:-5",
    "ts:2147483648",
    "t:caching:99999999999999999999",
]


@pytest.mark.parametrize("data", FORGED)
def test_out_of_range_numbers_decode_to_none(data: str) -> None:
    assert callbacks.decode(data) is None


def test_ids_at_the_bounds_decode() -> None:
    assert callbacks.decode("qa:2147483647:0:1") == callbacks.QuizAnswer(2**31 - 1, 0, 1)
    assert callbacks.decode("qn:1:2147483647") == callbacks.QuizNext(1, 2**31 - 1)
    assert callbacks.decode("m:abc:1") == callbacks.PickSuggestion("abc", 1)
