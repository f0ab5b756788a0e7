"""bench/tune_to_phrasings.py: a tune split's messages join the content without
losing the files' hand formatting, and nothing already known is added twice."""

from __future__ import annotations

from pathlib import Path

import yaml

from bench.blind import BlindSplit
from bench.tune_to_phrasings import add_smalltalk, insert, smalltalk_additions
from content import load_knowledge_base

SMALLTALK = """\
# a comment the authors wrote
smalltalk:
  - id: greeting
    phrases: [hi, hello]
    reply: Hi!
  - id: thanks
    phrases: [thanks]
    reply: Glad it helped!
"""

ENTRIES = """\
entries:
  - id: sql-index
    title: Indexes
    questions:
      - what is an index
      # kept
    answer: An index.
"""


def test_smalltalk_examples_are_appended_to_their_intent_only(tmp_path: Path) -> None:
    path = tmp_path / "smalltalk.yaml"
    path.write_text(SMALLTALK, encoding="utf-8")

    added = add_smalltalk(path, {"thanks": ["asante sana", 'thx "boss"']})

    assert added == 2
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# a comment the authors wrote\n")
    intents = {i["id"]: i["phrases"] for i in yaml.safe_load(text)["smalltalk"]}
    assert intents == {
        "greeting": ["hi", "hello"],
        "thanks": ["thanks", "asante sana", 'thx "boss"'],
    }


def test_known_examples_and_emoji_only_messages_are_not_added() -> None:
    kb = load_knowledge_base()
    greeting = next(i for i in kb.smalltalk if i.id == "greeting")
    split = BlindSplit(
        "tune3",
        (),
        (),
        (
            (greeting.phrases[0].upper() + "!!", "greeting"),  # known, case and punctuation aside
            ("👋", "greeting"),  # emoji have their own table
            ("hellooo my guy  nexus", "greeting"),
            ("hellooo my guy nexus", "greeting"),  # the same message twice
            ("what is love", "no-such-intent"),
        ),
    )

    assert smalltalk_additions(split, kb) == {"greeting": ["hellooo my guy nexus"]}


def test_questions_become_phrasings_after_the_last_one(tmp_path: Path) -> None:
    path = tmp_path / "sql.yaml"
    path.write_text(ENTRIES, encoding="utf-8")

    assert insert(path, {"sql-index": ["my query: so slow"]}) == 1

    entry = yaml.safe_load(path.read_text(encoding="utf-8"))["entries"][0]
    assert entry["questions"] == ["what is an index", "my query: so slow"]
