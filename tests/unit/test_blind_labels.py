"""bench/blind.py: a second labeller's entries widen what counts as right, only for
questions the first labeller found covered, and the blind files stay consistent."""

from __future__ import annotations

from pathlib import Path

import yaml

from bench.blind import BLIND_DIR, Reply, load_split, score
from content import load_knowledge_base

SPLIT = """\
questions:
- id: q1
  q: my page makes 300 queries
  style: problem
  topic_guess: django
  entries:
  - django-select-prefetch
  second:
  - drf-n-plus-one
  - django-select-prefetch
- id: q2
  q: what is a decorator
  style: definition
  topic_guess: python
  entries: []
  second:
  - python-decorators
- id: q3
  q: etag?
  style: definition
  topic_guess: caching
  entries:
  - caching-etags
"""


def test_second_labels_are_added_after_the_first_and_only_to_covered_questions(
    tmp_path: Path,
) -> None:
    (tmp_path / "mini.yaml").write_text(SPLIT, encoding="utf-8")
    first = load_split("mini", folder=tmp_path)
    both = first.either_labeller("mini, either labeller")
    assert [q.second for q in first.questions] == [
        ("drf-n-plus-one", "django-select-prefetch"),
        ("python-decorators",),
        None,  # labelled once
    ]
    assert [q.entries for q in first.questions] == [
        ("django-select-prefetch",),
        (),
        ("caching-etags",),
    ]
    assert [q.entries for q in both.questions] == [
        ("django-select-prefetch", "drf-n-plus-one"),
        (),  # not covered for the first labeller: stays out of every denominator
        ("caching-etags",),
    ]
    replies = {
        "my page makes 300 queries": Reply("answered", "drf-n-plus-one", ("drf-n-plus-one",)),
        "etag?": Reply("answered", "caching-etags", ("caching-etags",)),
        "what is a decorator": Reply("no_match", None, ()),
    }
    assert score(first, replies.__getitem__).answered_right == 0.5
    assert score(both, replies.__getitem__).answered_right == 1.0


def test_every_second_label_names_an_entry_and_sits_on_a_labelled_question() -> None:
    ids = {e.id for e in load_knowledge_base().entries}
    seen = 0
    for path in BLIND_DIR.glob("*.yaml"):
        for q in yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]:
            if "second" in q:
                seen += 1
                assert set(q["second"]) <= ids, (path.name, q["id"])
    assert seen > 0
