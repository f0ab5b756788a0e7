"""`nexus-bot ask` in-process: it prints what the bot would send, buttons included."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from bot.cli.main import main

FIXTURE = Path(__file__).parents[1] / "fixtures" / "content"


def test_ask_prints_the_choices_under_did_you_mean(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NEXUS_CONTENT_DIR", str(FIXTURE))
    assert main(["ask", "probes and rollouts"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "🤔 I'm not sure which one you mean. Did you mean:"
    assert lines[1] == "   1. Liveness and readiness probes"
    assert lines[2] == "   2. Rolling updates"
    assert lines[-1].endswith(". None of these: browse topics")


def test_ask_does_not_claim_it_noted_the_question(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NEXUS_CONTENT_DIR", str(FIXTURE))
    assert main(["ask", "how do i"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("I don't have an answer for how do i yet, sorry.\n")
    assert "noted" not in out and "   1. " in out  # the topics to pick, as buttons


def test_ask_json_reads_a_json_string_line_as_one_question_with_line_breaks(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NEXUS_CONTENT_DIR", str(FIXTURE))
    pasted = 'Traceback (most recent call last):\n  File "x.py", line 1, in <module>\nKeyError: 1'
    lines = [json.dumps(pasted), "wat is an etag?", '"etag" vs last-modified']
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(lines) + "\n"))
    assert main(["ask", "--json"]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["question"] for r in records] == [
        pasted,
        "wat is an etag?",
        '"etag" vs last-modified',
    ]
