"""The fine-tuning script's data (the training itself needs torch, a build-time
tool): every entry's anchors are its phrasings rewritten as a question would be,
and a batch pairs each of its entries with another text of the same entry, the
entries drawn from few topics so that the other pairs are hard negatives."""

from __future__ import annotations

import random
from pathlib import Path

from content import KnowledgeBase
from content.models.finetune_minilm import topic_batches, training_texts


def test_anchors_are_rewritten_like_questions_and_positives_are_indexed_texts(
    bundled_kb: KnowledgeBase,
) -> None:
    texts = training_texts()
    assert texts.keys() == {e.id for e in bundled_kb.entries}
    entry = bundled_kb.entry("python-venv")
    assert entry is not None
    anchors, positives = texts["python-venv"]
    assert len(anchors) == len(entry.questions) + 1
    assert positives[: len(anchors)] == [entry.title, *entry.questions]
    assert len(positives) > len(anchors)  # the answer's passages too
    pidgin = [
        (phrasing, anchor)
        for e in bundled_kb.entries
        for phrasing, anchor in zip([e.title, *e.questions], texts[e.id][0], strict=True)
        if "abeg" in phrasing.lower().split()
    ]
    assert pidgin and all("abeg" not in anchor.lower().split() for _, anchor in pidgin)


def test_a_batch_pairs_distinct_entries_from_few_topics(bundled_kb: KnowledgeBase) -> None:
    texts = training_texts()
    topic_of = {e.id: e.topic for e in bundled_kb.entries}
    owner = {t: entry_id for entry_id, (_, positives) in texts.items() for t in positives}
    batch = topic_batches(texts, topic_of, 32, random.Random(1))
    assert len(batch) == 32
    owners = [owner[positive] for _, positive in batch]
    assert len(set(owners)) == 32  # no entry twice: no false negatives in the batch
    assert len({topic_of[o] for o in owners}) <= 4  # topics hold 7 to 30 entries
    for (anchor, positive), entry_id in zip(batch, owners, strict=True):
        assert anchor != positive
        assert positive in texts[entry_id][1]


def test_extra_anchors_join_their_entry_after_its_phrasings(
    bundled_kb: KnowledgeBase, tmp_path: Path
) -> None:
    # Learners' questions (bench/encoder_transfer.py anchors) train as anchors of their entry,
    # rewritten as the matcher rewrites a question; an unknown entry's question is skipped.
    extra = tmp_path / "anchors.yaml"
    extra.write_text(
        "- {entry: python-venv, q: 'abeg how i go make venv for my project'}\n"
        "- {entry: no-such-entry, q: 'anything'}\n",
        encoding="utf-8",
    )
    plain = training_texts()
    texts = training_texts(extra_anchors=extra)
    anchors, positives = texts["python-venv"]
    assert anchors[: len(plain["python-venv"][0])] == plain["python-venv"][0]
    assert len(anchors) == len(plain["python-venv"][0]) + 1
    assert "venv" in anchors[-1] and "abeg" not in anchors[-1].lower().split()
    assert positives == plain["python-venv"][1]
    assert "no-such-entry" not in texts
