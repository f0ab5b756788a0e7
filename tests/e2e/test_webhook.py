"""Webhook mode of the real process: secret header, duplicate updates, health,
clean stop; and polling's clear exit on 409 Conflict."""

from __future__ import annotations

import json
import socket
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from bot.fake_telegram import LoopbackBotApiServer
from tests.e2e.conftest import TOKEN, nexus_command

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
USER = 606


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def post(url: str, body: dict, secret: str | None) -> int:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST")
    request.add_header("Content-Type", "application/json")
    if secret is not None:
        request.add_header("X-Telegram-Bot-Api-Secret-Token", secret)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def wait_until_listening(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)  # the process is still starting; nothing to wait on but the port
    raise TimeoutError(f"nothing listens on {port}")


def start_webhook(start_bot, bot_env: dict[str, str], port: int, **extra: str):  # type: ignore[no-untyped-def]
    env = {
        **bot_env,
        "NEXUS_WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram",
        "NEXUS_PORT": str(port),
        **extra,
    }
    bot = start_bot("run", "--webhook", env=env)
    wait_until_listening(port)
    return bot


def test_webhook_secret_duplicates_health_and_stop(
    server: LoopbackBotApiServer, start_bot, bot_env
) -> None:
    api = server.api
    port = free_port()
    bot = start_webhook(start_bot, bot_env, port)
    api.wait_for(lambda calls: any(c.method == "setWebhook" for c in calls), timeout=30)
    assert api.webhook["url"] == f"http://127.0.0.1:{port}/telegram"
    secret = api.webhook["secret_token"]
    assert secret and len(secret) >= 32
    url = f"http://127.0.0.1:{port}/telegram"

    update = api.message_update(USER, "what is an etag")
    assert post(url, update, None) == 403
    assert post(url, update, "wrong-secret") == 403
    assert post(url, {"not": "an update"}, secret) == 400
    assert not [c for c in api.calls if c.method == "sendMessage"]  # nothing processed
    assert post(url, update, secret) == 200
    assert post(url, update, secret) == 200  # Telegram's retry: taken already
    api.wait_for(lambda calls: any(c.method == "sendMessage" for c in calls), timeout=20)
    follow_up = api.message_update(USER, "/help")
    assert post(url, follow_up, secret) == 200
    calls = api.wait_for(
        lambda calls: sum(c.method == "sendMessage" for c in calls) >= 2, timeout=20
    )
    replies = [c for c in calls if c.method == "sendMessage"]
    assert len(replies) == 2 and replies[0].params["text"].startswith(
        "<b>ETag and If-None-Match</b>"
    )

    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as health:
        assert health.status == 200 and json.loads(health.read()) == {"status": "ok"}

    started = time.monotonic()
    assert bot.terminate(timeout=5) == 0
    assert time.monotonic() - started < 5
    output = bot.output()
    assert secret not in output and TOKEN.split(":")[1] not in output


def test_the_same_secret_survives_a_restart(
    server: LoopbackBotApiServer, start_bot, bot_env
) -> None:
    port = free_port()
    first = start_webhook(start_bot, bot_env, port)
    server.api.wait_for(lambda calls: any(c.method == "setWebhook" for c in calls), timeout=30)
    secret = server.api.webhook["secret_token"]
    assert first.terminate() == 0
    second = start_webhook(start_bot, bot_env, port)
    server.api.wait_for(lambda calls: sum(c.method == "setWebhook" for c in calls) >= 2, timeout=30)
    assert server.api.webhook["secret_token"] == secret  # persisted in the database
    assert second.terminate() == 0


def test_a_given_secret_is_used(server: LoopbackBotApiServer, start_bot, bot_env) -> None:
    port = free_port()
    generated = start_webhook(start_bot, bot_env, port)  # stores a generated secret first
    server.api.wait_for(lambda calls: any(c.method == "setWebhook" for c in calls), timeout=30)
    assert generated.terminate() == 0
    bot = start_webhook(start_bot, bot_env, port, NEXUS_WEBHOOK_SECRET="our-own_secret-123")
    server.api.wait_for(lambda calls: sum(c.method == "setWebhook" for c in calls) >= 2, timeout=30)
    assert server.api.webhook["secret_token"] == "our-own_secret-123"
    assert bot.terminate() == 0


def test_webhook_flag_without_url_says_what_is_missing(tmp_path) -> None:  # type: ignore[no-untyped-def]
    result = subprocess.run(
        [nexus_command(), "run", "--webhook"],
        env={"PATH": "/usr/bin:/bin", "TELEGRAM_BOT_TOKEN": TOKEN, "NEXUS_DATA_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2 and "NEXUS_WEBHOOK_URL" in result.stderr


def test_a_second_poller_exits_with_a_clear_message(
    server: LoopbackBotApiServer, start_bot
) -> None:
    server.api.polling_conflict = True  # Telegram: another getUpdates consumer is running
    bot = start_bot("run")
    code = bot.process.wait(timeout=30)
    assert code == 3
    assert (
        "another process is already polling Telegram with this token (409 Conflict)" in bot.output()
    )
