"""`nexus-bot ask` in-process: it prints what the bot would send, buttons included."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli.main import main

ROOT = Path(__file__).parents[2]
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


def test_ask_stops_quietly_when_the_reader_closes_the_pipe() -> None:
    # `nexus-bot ask --json < questions | head -1`: once head has its line and exits,
    # the next write fails; the command stops with 141 (as a shell reports SIGPIPE)
    # and no traceback.
    # About 40 KB of questions: it fits in the pipe's buffer, so writing it all before
    # reading cannot block; the replies (about 1 KB each) overflow the other pipe.
    questions = "".join(f"what is an etag number {i}\n" for i in range(1500))
    env = {**os.environ, "NEXUS_CONTENT_DIR": str(FIXTURE), "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "ask", "--json"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        env=env,
    )
    assert process.stdin is not None and process.stdout is not None
    assert process.stderr is not None
    process.stdin.write(questions.encode())
    process.stdin.close()
    first = json.loads(process.stdout.readline())
    process.stdout.close()  # the reader goes away with thousands of replies unread
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=60) == 141
    assert first["question"] == "what is an etag number 0"
    assert "Traceback" not in stderr and "BrokenPipeError" not in stderr
