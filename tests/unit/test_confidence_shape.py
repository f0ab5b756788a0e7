"""bench/confidence_shape.py: how it cuts a message into sentences, how it tabulates the
first entry's rightness per length and probability band, and that it refuses the frozen split
and the unread checks."""

from __future__ import annotations

import pytest

from bench.blind import UNREAD_CHECK_SPLITS, readable_splits
from bench.confidence_shape import Read, calibration_table, sentences


def test_sentences_are_cut_at_ends_and_line_breaks_and_short_pieces_dropped() -> None:
    text = "my celery task never runs. ok?\nthe worker log shows nothing at all! what do i check"
    assert sentences(text) == [
        "my celery task never runs.",
        "the worker log shows nothing at all!",
        "what do i check",
    ]


def test_the_table_counts_right_first_entries_per_length_and_band() -> None:
    short = "what is an etag"
    long = " ".join(["word"] * 40)
    reads = [
        Read(short, ("a",), "a", 0.95),
        Read(short, ("a",), "b", 0.93),
        Read(long, ("a",), "a", 0.75),
    ]
    rows = calibration_table(reads)
    assert "| 1-15 words | 0.90-1.00 | 1 of 2 | 0.50 |" in rows
    assert "| 31+ words | 0.70-0.81 | 1 of 1 | 1.00 |" in rows
    assert len(rows) == 4  # the header, its rule and the two filled cells


@pytest.mark.parametrize("name", ["frozen", *UNREAD_CHECK_SPLITS])
def test_the_frozen_split_and_unread_checks_are_refused(name: str) -> None:
    with pytest.raises(SystemExit):
        readable_splits(["tune9", name])
    assert readable_splits(["tune9", "tune10"]) == ["tune9", "tune10"]
