"""The webhook secret, generated or given, never reaches the output of a DEBUG run:
not in PTB's line of the setWebhook parameters, not in the database driver's
logged INSERT of a generated one, in text and JSON log formats."""

from __future__ import annotations

import pytest

from bot.fake_telegram import LoopbackBotApiServer
from tests.e2e.conftest import TOKEN
from tests.e2e.test_webhook import free_port, post, start_webhook

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
GIVEN_SECRET = "given-Webhook-Secret_0123456789"


@pytest.mark.parametrize("log_format", ["text", "json"])
@pytest.mark.parametrize("given", [False, True], ids=["generated", "given"])
def test_the_webhook_secret_never_appears_at_debug(
    server: LoopbackBotApiServer, start_bot, bot_env, log_format: str, given: bool
) -> None:
    api = server.api
    port = free_port()
    extra = {"NEXUS_LOG_LEVEL": "DEBUG", "NEXUS_LOG_FORMAT": log_format}
    if given:
        extra["NEXUS_WEBHOOK_SECRET"] = GIVEN_SECRET
    bot = start_webhook(start_bot, bot_env, port, **extra)
    api.wait_for(lambda calls: any(c.method == "setWebhook" for c in calls), timeout=30)
    secret = api.webhook["secret_token"]
    assert secret == GIVEN_SECRET if given else len(secret) >= 32
    url = f"http://127.0.0.1:{port}/telegram"
    assert post(url, api.message_update(707, "what is an etag"), secret) == 200
    api.wait_for(lambda calls: any(c.method == "sendMessage" for c in calls), timeout=20)
    assert post(url, api.message_update(707, "hi"), "wrong-" + secret) == 403
    assert bot.terminate() == 0

    output = bot.output()
    assert "setWebhook" in output  # PTB's DEBUG line of the parameters was written...
    assert secret not in output  # ...without the secret
    assert TOKEN not in output and TOKEN.split(":")[1] not in output
    if not given:
        assert "INSERT" in output  # the driver's logged INSERT of the generated secret


def test_a_stored_secret_read_back_at_debug_is_never_printed(
    server: LoopbackBotApiServer, start_bot, bot_env
) -> None:
    """The second start reads the generated secret from the database: the driver's
    DEBUG rows would show it before the process knows it is a secret."""
    api = server.api
    first = start_webhook(start_bot, bot_env, free_port())
    api.wait_for(lambda calls: any(c.method == "setWebhook" for c in calls), timeout=30)
    secret = api.webhook["secret_token"]
    assert first.terminate() == 0
    port = free_port()
    second = start_webhook(start_bot, bot_env, port, NEXUS_LOG_LEVEL="DEBUG")
    api.wait_for(lambda calls: sum(c.method == "setWebhook" for c in calls) >= 2, timeout=30)
    assert api.webhook["secret_token"] == secret
    assert second.terminate() == 0
    output = second.output()
    assert "setWebhook" in output and "SELECT" in output
    assert secret not in output
