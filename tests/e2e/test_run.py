"""The real `nexus-bot run` process against a loopback fake Bot API."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from bot.fake_telegram import ApiCall, LoopbackBotApiServer
from bot.presentation.commands import COMMANDS
from tests.e2e.conftest import FIXTURE_CONTENT, TOKEN, nexus_command

pytestmark = pytest.mark.e2e
USER = 31337


def sends_to(calls: list[ApiCall], method: str = "sendMessage") -> list[ApiCall]:
    return [c for c in calls if c.method == method and c.params.get("chat_id") in (USER, None)]


def wait_for_count(server: LoopbackBotApiServer, method: str, count: int) -> list[ApiCall]:
    calls = server.api.wait_for(lambda calls: len(sends_to(calls, method)) >= count, timeout=20)
    return sends_to(calls, method)


def test_conversation_and_clean_shutdown(server: LoopbackBotApiServer, start_bot, bot_env) -> None:
    bot = start_bot("run")
    server.api.wait_for_starts(1)
    assert [c["command"] for c in server.api.commands] == [c.name for c in COMMANDS]
    admin_menu = server.api.scoped_commands["all_chat_administrators"]  # over HTTP, form-encoded
    assert [c["command"] for c in admin_menu] == [c.name for c in COMMANDS] + ["grouptip"]

    server.api.push_update(server.api.message_update(USER, "/start"))
    welcome = wait_for_count(server, "sendMessage", 1)[-1]
    assert "I'm <b>Nexus</b>" in welcome.params["text"]

    # A question asked while the matcher is still building gets a "still reading my
    # notes" line first (tests/telegram/test_warm_up.py); on a busy machine that can
    # take longer than the bot's patience, so this conversation starts once it is built.
    bot.wait_for_output("Matcher ready in ")
    server.api.push_update(server.api.message_update(USER, "what is an etag"))
    answer = wait_for_count(server, "sendMessage", 2)[-1]
    assert answer.params["text"].startswith("<b>ETag and If-None-Match</b>")

    server.api.push_update(server.api.message_update(USER, "probes and rollouts"))
    did_you_mean = wait_for_count(server, "sendMessage", 3)[-1]
    assert did_you_mean.params["text"].startswith("🤔 I'm not sure")
    rows = json.loads(json.dumps(did_you_mean.params["reply_markup"]))["inline_keyboard"]
    probes = next(b for row in rows for b in row if b["text"] == "Liveness and readiness probes")
    tap = server.api.callback_update(USER, did_you_mean.result, probes["callback_data"])
    server.api.push_update(tap)
    picked = wait_for_count(server, "sendMessage", 4)[-1]
    assert picked.params["text"].startswith("<b>Liveness and readiness probes</b>")
    (answered,) = wait_for_count(server, "answerCallbackQuery", 1)
    assert str(answered.params["callback_query_id"]) == tap["callback_query"]["id"]

    data = Path(bot_env["NEXUS_DATA_DIR"])
    assert (data / "nexus.db-wal").exists()  # SQLite is open in WAL mode while it runs
    assert bot.terminate() == 0
    output = bot.output()
    assert "Application.stop() complete" in output  # handlers and jobs were waited for
    # The database was closed: SQLite folds its write-ahead log into nexus.db and
    # deletes it on the last close (a killed process leaves it behind).
    assert sorted(p.name for p in data.iterdir()) == ["nexus.db"]
    assert "Traceback" not in output and TOKEN.split(":")[1] not in output


@pytest.mark.slow
def test_restart_keeps_the_database(server: LoopbackBotApiServer, start_bot, bot_env) -> None:
    env = {**bot_env, "NEXUS_ADMIN_IDS": str(USER)}  # /stats shows the question log
    first = start_bot("run", env=env)
    server.api.wait_for_starts(1)
    first.wait_for_output("Matcher ready in ")  # each message gets exactly one reply
    for number, text in enumerate(("what is an etag", "/tips on", "/tiptime 07:45"), start=1):
        server.api.push_update(server.api.message_update(USER, text))
        wait_for_count(server, "sendMessage", number)
    assert first.terminate() == 0
    database = Path(bot_env["NEXUS_DATA_DIR"]) / "nexus.db"
    assert database.exists()

    second = start_bot("run", env=env)
    server.api.wait_for_starts(2)
    server.api.push_update(server.api.message_update(USER, "/tips"))
    settings = wait_for_count(server, "sendMessage", 4)[-1].params["text"]
    assert "Daily tips are <b>on ✅</b>" in settings and "at <b>07:45</b>" in settings
    server.api.push_update(server.api.message_update(USER, "/stats"))
    stats = wait_for_count(server, "sendMessage", 5)[-1].params["text"]
    assert "Questions (30 days): 1 · answered 100%" in stats  # logged before the restart
    assert second.terminate() == 0


def test_run_without_a_token_explains_what_to_do(tmp_path: Path) -> None:
    result = subprocess.run(
        [nexus_command(), "run"],
        env={"PATH": "/usr/bin:/bin", "NEXUS_DATA_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "TELEGRAM_BOT_TOKEN" in result.stderr and "nexus-bot chat" in result.stderr


def test_bad_setting_fails_with_one_line_naming_it(tmp_path: Path) -> None:
    result = subprocess.run(
        [nexus_command(), "run"],
        env={
            "PATH": "/usr/bin:/bin",
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "NEXUS_DEFAULT_TIMEZONE": "Nowhere/City",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert result.stderr.strip().count("\n") == 0 and "NEXUS_DEFAULT_TIMEZONE" in result.stderr


@pytest.mark.slow
def test_refuses_to_start_on_invalid_content(tmp_path: Path) -> None:
    import shutil

    content = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, content)
    entries = content / "entries" / "entries.yaml"
    entries.write_text(entries.read_text().replace("topic: caching", "topic: cooking", 1))
    env = {
        "PATH": "/usr/bin:/bin",
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "NEXUS_CONTENT_DIR": str(content),
        "NEXUS_DATA_DIR": str(tmp_path / "data"),
    }
    run = subprocess.run(
        [nexus_command(), "run"], env=env, capture_output=True, text=True, timeout=60
    )
    check = subprocess.run(
        [nexus_command(), "content", "check"], env=env, capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 1 and check.returncode == 1
    problem = "entries/entries.yaml: caching-etag: topic: unknown topic 'cooking'"
    assert problem in run.stderr and problem in check.stdout


def test_chat_console_offline(tmp_path: Path) -> None:
    result = subprocess.run(
        [nexus_command(), "chat"],
        input="what is an etag\nprobes and rollouts\n1\n/quit\n",
        env={
            "PATH": "/usr/bin:/bin",
            "NEXUS_DATA_DIR": str(tmp_path),
            "NEXUS_CONTENT_DIR": str(FIXTURE_CONTENT),
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "nexus> ETag and If-None-Match" in out
    assert "1. Liveness and readiness probes" in out and "2. Rolling updates" in out
    assert "nexus> Liveness and readiness probes" in out


def test_ask_json_is_the_documented_interface(tmp_path: Path) -> None:
    result = subprocess.run(
        [nexus_command(), "ask", "--json"],
        input="what is an etag\nprobes and rollouts\nhow do i\nhello\n",
        env={"PATH": "/usr/bin:/bin", "NEXUS_CONTENT_DIR": str(FIXTURE_CONTENT)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["status"] for r in records] == ["answered", "ambiguous", "no_match", "smalltalk"]
    for record in records:
        assert set(record) == {
            "question",
            "status",
            "entry_id",
            "title",
            "score",
            "confidence",
            "intent",
            "answer",
            "suggestions",
            "buttons",  # added by the first-hour issue; the others are unchanged
            "alternatives",  # added by issue 10: an answer's "🔎 Or:" runners-up
        }
    assert (
        records[0]["entry_id"] == "caching-etag" and records[0]["title"] == "ETag and If-None-Match"
    )
    assert records[0]["answer"].startswith("<b>ETag and If-None-Match</b>")
    assert [s["entry_id"] for s in records[1]["suggestions"][:2]] == [
        "kubernetes-probes",
        "kubernetes-rolling-update",
    ]
    assert records[2]["entry_id"] is None and records[2]["suggestions"] == []
    # The buttons under the text, in order: the choices, then the way out.
    assert records[1]["buttons"] == [
        *(s["title"] for s in records[1]["suggestions"]),
        "None of these: browse topics",
    ]
    # `ask` logs nothing, so it never says it noted the question.
    assert "noted" not in records[2]["answer"] and records[2]["buttons"]
    assert records[3]["intent"] == "greeting" and records[0]["intent"] is None
    assert records[0]["confidence"] > records[1]["confidence"]


def test_content_export_json(tmp_path: Path) -> None:
    result = subprocess.run(
        [nexus_command(), "content", "export", "--json"],
        env={"PATH": "/usr/bin:/bin", "NEXUS_CONTENT_DIR": str(FIXTURE_CONTENT)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    document = json.loads(result.stdout)
    assert len(document["entries"]) == 6
    first = document["entries"][0]
    assert set(first) == {"id", "topic", "title", "questions", "keywords", "answer", "related"}
    assert first["id"] == "django-select-related" and first["related"] == ["django-only-defer"]


def test_content_stats_counts_and_fails_under_a_minimum(tmp_path: Path) -> None:
    import shutil

    content = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, content)
    env = {"PATH": "/usr/bin:/bin", "NEXUS_CONTENT_DIR": str(content)}
    ok = subprocess.run(
        [nexus_command(), "content", "stats"], env=env, capture_output=True, text=True, timeout=60
    )
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.splitlines()[1].split() == ["django", "2", "0", "4", "2", "1"]
    assert ok.stdout.splitlines()[-1].split() == ["total", "6", "12", "6", "3"]
    topics = content / "topics.yaml"
    topics.write_text(
        topics.read_text().replace("title: Caching", "title: Caching\n    min_entries: 5")
    )
    short = subprocess.run(
        [nexus_command(), "content", "stats"], env=env, capture_output=True, text=True, timeout=60
    )
    assert short.returncode == 1
    assert "under the minimum: caching" in short.stderr
