"""Logs and metrics of the real process: JSON fields, Prometheus, and the token
never appearing in any log line, even at DEBUG."""

from __future__ import annotations

import json
import socket
import subprocess
import urllib.request

import pytest

from bot.fake_telegram import LoopbackBotApiServer
from tests.e2e.conftest import FIXTURE_CONTENT, TOKEN, nexus_command

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
USER = 515


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def metric(exposition: str, name: str) -> str:
    """The value of one sample in Prometheus's text format."""
    (value,) = [line.split()[-1] for line in exposition.splitlines() if line.startswith(name + " ")]
    return value


def test_json_logs_metrics_and_no_token_at_debug(
    server: LoopbackBotApiServer, start_bot, bot_env
) -> None:
    port = free_port()
    env = {
        **bot_env,
        "NEXUS_LOG_LEVEL": "DEBUG",
        "NEXUS_LOG_FORMAT": "json",
        "NEXUS_METRICS_PORT": str(port),
    }
    api = server.api
    bot = start_bot("run", env=env)
    api.wait_for_starts(1)
    # Built before the first question, so no "still reading my notes" line is counted
    # as a reply on a busy machine.
    bot.wait_for_output("Matcher ready in ")
    for number, text in enumerate(
        ("/start", "what is an etag", "bake bread", "/frobnicate"), start=1
    ):
        api.push_update(api.message_update(USER, text))
        api.wait_for(
            lambda calls, n=number: sum(c.method == "sendMessage" for c in calls) >= n, timeout=20
        )
    metrics = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10).read().decode()
    assert 'nexus_events_total{event="question.answered"} 1.0' in metrics
    assert 'nexus_events_total{event="question.no_match"} 1.0' in metrics
    assert 'nexus_update_seconds_count{handler="question"} 2.0' in metrics
    assert bot.terminate() == 0

    output = bot.output()
    assert TOKEN not in output and TOKEN.split(":")[1] not in output
    assert "[REDACTED]" in output  # httpx's DEBUG request lines carried it
    records = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    assert len(records) > 10 and all(
        {"time", "level", "logger", "message"} <= set(r) for r in records
    )
    handled = [r for r in records if r["message"] == "update handled"]
    assert {r["handler"] for r in handled} >= {"start", "question", "unknown_command"}
    for record in handled:
        assert isinstance(record["update_id"], int) and record["outcome"] == "ok"
        assert len(record["user"]) == 10 and str(USER) not in record["user"]
    # The logged latencies are the ones the metrics measured (ms, rounded to 0.1).
    question_ms = [r["latency_ms"] for r in handled if r["handler"] == "question"]
    assert len(question_ms) == 2 and all(ms > 0 for ms in question_ms)
    seconds = float(metric(metrics, 'nexus_update_seconds_sum{handler="question"}'))
    assert sum(question_ms) == pytest.approx(seconds * 1000, abs=0.05 * len(question_ms))
    events = {r["event"] for r in records if "event" in r}
    assert {"question.answered", "question.no_match"} <= events


def test_unanswered_cli(server: LoopbackBotApiServer, start_bot, bot_env) -> None:
    api = server.api
    bot = start_bot("run")
    api.wait_for_starts(1)
    for number, text in enumerate(("bake bread", "how to bake bread", "knit a scarf"), start=1):
        api.push_update(api.message_update(USER, text))
        api.wait_for(
            lambda calls, n=number: sum(c.method == "sendMessage" for c in calls) >= n, timeout=20
        )
    assert bot.terminate() == 0
    env = {
        "PATH": "/usr/bin:/bin",
        "NEXUS_DATA_DIR": bot_env["NEXUS_DATA_DIR"],
        "NEXUS_CONTENT_DIR": str(FIXTURE_CONTENT),
    }
    result = subprocess.run(
        [nexus_command(), "unanswered", "--since", "7d", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert [(c["count"], c["example"]) for c in document["clusters"]] == [
        (2, "bake bread"),
        (1, "knit a scarf"),
    ]
    assert document["suggested_phrasings"] == []
    text = subprocess.run(
        [nexus_command(), "unanswered"], env=env, capture_output=True, text=True, timeout=60
    )
    assert "   2x  bake bread" in text.stdout
