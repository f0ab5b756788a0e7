"""Every way out of the process passes through the log formatter's redaction:
the standard streams, uncaught exceptions (main thread, other threads, the asyncio
loop), warnings, and secrets learnt after start (a generated webhook secret)."""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import threading
import warnings
from collections.abc import Iterator

import pytest

from bot import observability
from bot.observability import (
    REDACTED,
    Redactor,
    add_secrets,
    configure_logging,
    install_redaction,
    loop_exception_handler,
    secrets_of,
    url_password,
)

TOKEN = "654321:unit-Secret-Token-abcdef"
HALF = TOKEN.split(":", 1)[1]


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test gets a fresh redactor and gives back the hooks, streams and handlers."""
    monkeypatch.setattr(observability, "REDACT", Redactor())
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    monkeypatch.setattr(sys, "stdout", sys.stdout)
    monkeypatch.setattr(sys, "stderr", sys.stderr)
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    logging.captureWarnings(False)


def records(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def test_the_streams_redact_what_is_printed(capsys: pytest.CaptureFixture[str]) -> None:
    install_redaction(*secrets_of(TOKEN))
    print(f"token {TOKEN} and half {HALF}")
    print(f"to stderr {TOKEN}", file=sys.stderr)
    out, err = capsys.readouterr()
    assert TOKEN not in out + err and HALF not in out + err
    assert out == f"token {REDACTED} and half {REDACTED}\n"
    assert err == f"to stderr {REDACTED}\n"


@pytest.mark.parametrize("json_lines", [False, True])
def test_an_uncaught_exception_is_one_redacted_record(
    capsys: pytest.CaptureFixture[str], json_lines: bool
) -> None:
    configure_logging("INFO", json_lines, secrets_of(TOKEN))
    try:
        raise RuntimeError(f"The token `{TOKEN}` was rejected by the server.")
    except RuntimeError as error:
        sys.excepthook(type(error), error, error.__traceback__)
    err = capsys.readouterr().err
    assert TOKEN not in err and HALF not in err
    assert "RuntimeError" in err and REDACTED in err
    if json_lines:
        (record,) = records(err)
        assert record["level"] == "CRITICAL" and "Traceback" in record["error"]
        assert len(err.strip().splitlines()) == 1


def test_an_uncaught_exception_before_logging_is_redacted(
    capsys: pytest.CaptureFixture[str],
) -> None:
    logging.getLogger().handlers[:] = []
    install_redaction(*secrets_of(TOKEN))
    try:
        raise ValueError(TOKEN)
    except ValueError as error:
        sys.excepthook(type(error), error, error.__traceback__)
    err = capsys.readouterr().err
    assert "Traceback" in err and "ValueError" in err and TOKEN not in err and HALF not in err


def test_an_exception_in_a_thread_is_redacted(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO", True, secrets_of(TOKEN))

    def fail() -> None:
        raise RuntimeError(TOKEN)

    # pytest watches threads with its own hook; call ours the way threading would.
    thread = threading.Thread(target=fail, name="worker")
    try:
        fail()
    except RuntimeError as error:
        observability._thread_excepthook(
            threading.ExceptHookArgs([RuntimeError, error, error.__traceback__, thread])  # type: ignore[call-arg]
        )
    (record,) = records(capsys.readouterr().err)
    assert "worker" in record["message"] and TOKEN not in json.dumps(record)


def test_the_asyncio_loop_handler_logs_one_redacted_record(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging("INFO", True, secrets_of(TOKEN))

    async def main() -> None:
        loop = asyncio.get_running_loop()
        loop.set_exception_handler(loop_exception_handler)
        done = asyncio.Event()

        def fail() -> None:
            try:
                raise RuntimeError(f"callback saw {TOKEN}")
            finally:
                loop.call_soon(done.set)

        loop.call_soon(fail)
        await done.wait()

    asyncio.run(main())
    (record,) = records(capsys.readouterr().err)
    assert record["logger"] == "asyncio" and "RuntimeError" in record["error"]
    assert TOKEN not in json.dumps(record) and HALF not in json.dumps(record)


def test_a_secret_learnt_later_is_redacted_by_the_configured_formatter(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging("DEBUG", False, secrets_of(TOKEN))
    generated = "generated-webhook-secret-0123456789abcdef"
    logging.getLogger("telegram.ext").debug("setWebhook secret_token=%s", generated)
    add_secrets(generated)
    logging.getLogger("storage.database").warning("INSERT ... ('webhook_secret', %r)", generated)
    logging.getLogger("uvicorn.error").error("uvicorn saw %s", generated)
    err = capsys.readouterr().err
    assert err.count(generated) == 1  # before it was known: the point of adding it first
    assert err.count(REDACTED) == 2


def test_warnings_are_redacted_records(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO", True, secrets_of(TOKEN))
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.warn(f"unclosed client for {TOKEN}", ResourceWarning, stacklevel=1)
    (record,) = records(capsys.readouterr().err)
    assert record["logger"] == "py.warnings" and TOKEN not in record["message"]


def test_the_longest_secret_is_replaced_first_and_passwords_are_found() -> None:
    redact = Redactor([HALF, TOKEN])
    assert redact(f"x{TOKEN}y") == f"x{REDACTED}y"
    assert set(url_password("postgresql+asyncpg://u:p%40ss@h/db")) == {"p%40ss", "p@ss"}
    assert url_password("sqlite+aiosqlite:///data/nexus.db") == []
    assert url_password("not a url") == []
