"""bench/blind_quality.py --before: each commit gets a pasted message the way it can
read it (a JSON string line from the commit that decodes them, one flattened line
before it), so a paste split scored beside a newer commit is a like-for-like read."""

from __future__ import annotations

import sys
from pathlib import Path

from bench.blind_quality import ASK_DECODES_JSON_LINES, ask_json
from bench.worktree import descends_from

# Stands in for `ask --json`: answers every stdin line with that very line as the entry.
ECHO = [
    sys.executable,
    "-c",
    "import json, sys\n"
    "for line in sys.stdin:\n"
    "    print(json.dumps({'status': 'answered', 'entry_id': line.rstrip('\\n')}))",
]
MESSAGES = ["one line", "Traceback (most recent call last):\n  File x\nKeyError: 'id'"]


def test_a_paste_goes_as_a_json_string_line_to_a_commit_that_decodes_them() -> None:
    replies = ask_json(MESSAGES, Path.cwd(), ECHO, line_breaks=True)
    assert replies["one line"].entry == "one line"
    assert replies[MESSAGES[1]].entry == (
        "\"Traceback (most recent call last):\\n  File x\\nKeyError: 'id'\""
    )


def test_a_paste_goes_flattened_to_an_older_commit() -> None:
    replies = ask_json(MESSAGES, Path.cwd(), ECHO, line_breaks=False)
    assert (
        replies[MESSAGES[1]].entry == "Traceback (most recent call last):   File x KeyError: 'id'"
    )


def test_which_commits_decode_json_lines() -> None:
    assert descends_from("HEAD", ASK_DECODES_JSON_LINES)
    assert descends_from(ASK_DECODES_JSON_LINES, ASK_DECODES_JSON_LINES)
    assert not descends_from("5bd42b6", ASK_DECODES_JSON_LINES)  # the matcher before issue 10
