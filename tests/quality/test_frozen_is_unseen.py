"""The frozen split stays unseen: none of its messages is also in a split that
something is fitted on (calibration) or that becomes phrasings (the tune splits).
Independent writers do type the same error message or "hi" now and then; such a
message is kept in the frozen split and left out of the others."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

BLIND = Path(__file__).parents[1] / "eval" / "blind"


def _messages(split: str) -> set[str]:
    raw = yaml.safe_load((BLIND / f"{split}.yaml").read_text(encoding="utf-8"))
    texts = [q["q"] for q in raw.get("questions", [])]
    texts += [o["text"] for o in raw.get("off_topic", []) or []]
    texts += [s["text"] for s in raw.get("smalltalk", []) or []]
    return {" ".join(t.split()).lower() for t in texts}


# Every split file but the frozen one: a new tune split is covered as soon as it exists.
FITTED = sorted(p.stem for p in BLIND.glob("*.yaml") if p.stem != "frozen")


@pytest.mark.parametrize("split", FITTED)
def test_no_frozen_message_is_in_a_split_used_for_fitting(split: str) -> None:
    assert _messages("frozen") & _messages(split) == set()
