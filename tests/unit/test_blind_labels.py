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
- id: q4
  q: jwt??
  style: definition
  topic_guess: auth
  entries:
  - auth-jwt-vs-sessions
  later:
  - auth-jwt-structure
- id: q5
  q: what is a migration squash
  style: definition
  topic_guess: migrations
  entries: []
  later:
  - migrations-squashing
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
        None,
        None,
    ]
    assert [q.entries for q in first.questions][:3] == [
        ("django-select-prefetch",),
        (),
        ("caching-etags",),
    ]
    assert [q.entries for q in both.questions][:3] == [
        ("django-select-prefetch", "drf-n-plus-one"),
        (),  # not covered for the first labeller: stays out of every denominator
        ("caching-etags",),
    ]
    replies = {
        "my page makes 300 queries": Reply("answered", "drf-n-plus-one", ("drf-n-plus-one",)),
        "etag?": Reply("answered", "caching-etags", ("caching-etags",)),
        "what is a decorator": Reply("no_match", None, ()),
        "jwt??": Reply("answered", "auth-jwt-vs-sessions", ("auth-jwt-vs-sessions",)),
        "what is a migration squash": Reply("no_match", None, ()),
    }
    assert score(first, replies.__getitem__).answered_right == 2 / 3
    assert score(both, replies.__getitem__).answered_right == 1.0


def test_later_entries_are_accepted_after_the_labels_only_in_their_view(tmp_path: Path) -> None:
    (tmp_path / "mini.yaml").write_text(SPLIT, encoding="utf-8")
    first = load_split("mini", folder=tmp_path)
    judged = first.with_later_entries("mini, later entries judged")
    assert first.questions[3].entries == ("auth-jwt-vs-sessions",)
    assert first.questions[3].later == ("auth-jwt-structure",)
    assert judged.questions[3].entries == ("auth-jwt-vs-sessions", "auth-jwt-structure")
    # A question the labeller found uncovered stays out of every denominator.
    assert judged.questions[4].entries == ()
    assert len(judged.covered) == len(first.covered) == 3
    replies = {
        "my page makes 300 queries": Reply(
            "answered", "django-select-prefetch", ("django-select-prefetch",)
        ),
        "etag?": Reply("answered", "caching-etags", ("caching-etags",)),
        "jwt??": Reply("answered", "auth-jwt-structure", ("auth-jwt-structure",)),
        "what is a decorator": Reply("no_match", None, ()),
        "what is a migration squash": Reply("no_match", None, ()),
    }
    assert score(first, replies.__getitem__).answered_right == 2 / 3
    assert score(judged, replies.__getitem__).answered_right == 1.0


def test_every_second_and_later_label_names_an_entry() -> None:
    ids = {e.id for e in load_knowledge_base().entries}
    seen = {"second": 0, "later": 0}
    for path in BLIND_DIR.glob("*.yaml"):
        for q in yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]:
            for field in seen:
                if field in q:
                    seen[field] += 1
                    assert set(q[field]) <= ids, (path.name, q["id"], field)
    assert seen["second"] > 0 and seen["later"] > 0
