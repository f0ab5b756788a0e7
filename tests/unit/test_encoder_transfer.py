"""bench/encoder_transfer.py's data side (scoring needs torch, a build-time tool): it writes
the covered questions of the splits it is given with their first-labelled entry, and refuses
the frozen split and the unread checks, which nothing may be fitted on."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bench.blind import UNREAD_CHECK_SPLITS, load_split, readable_splits
from bench.encoder_transfer import write_anchors


def test_anchors_are_the_covered_questions_with_their_first_entry(tmp_path: Path) -> None:
    out = tmp_path / "anchors.yaml"
    assert write_anchors(out, ["tune9"]) == 0
    pairs = yaml.safe_load(out.read_text(encoding="utf-8"))
    covered = load_split("tune9").covered
    assert pairs == [{"entry": q.entries[0], "q": q.text} for q in covered]
    assert len(pairs) > 50


@pytest.mark.parametrize("name", ["frozen", *UNREAD_CHECK_SPLITS])
def test_the_frozen_split_and_unread_checks_are_refused(name: str, tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        readable_splits(["tune9", name])
    out = tmp_path / "anchors.yaml"
    with pytest.raises(SystemExit):
        write_anchors(out, ["tune9", name])
    assert not out.exists()  # refused before anything is written
