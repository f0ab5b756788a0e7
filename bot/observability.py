"""Logs, events and metrics.

- Every log line goes through a formatter that redacts secrets (the bot token
  appears in httpx's request URLs and can appear in exception texts; the webhook
  secret in PTB's DEBUG line of the setWebhook parameters and in the database
  driver's logged INSERT of a generated one).
- Every other way out of the process passes through the same redaction: stdout and
  stderr themselves (prints, argparse, SystemExit messages, logging's last resort),
  uncaught exceptions (sys.excepthook, threading.excepthook, the asyncio loop's
  exception handler: logged as one record, so JSON mode stays JSON) and uvicorn's
  loggers (they propagate to the root handler).
- NEXUS_LOG_FORMAT=json writes one JSON object per line with the structured
  fields below; the default is human-readable.
- Events ("question.answered", "quiz.answered", "tip.sent", ...) are log lines
  with an `event` field and, when metrics are on (NEXUS_METRICS_PORT), Prometheus
  counters. A bot without a metrics port never imports prometheus_client.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import sys
import threading
import time
import traceback
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from types import TracebackType
from typing import TYPE_CHECKING, Any, TextIO
from urllib.parse import unquote, urlsplit

if TYPE_CHECKING:  # imported when metrics are served (Metrics.serve)
    from wsgiref.simple_server import WSGIServer

    from prometheus_client import CollectorRegistry

log = logging.getLogger("nexus")
FIELDS = ("event", "update_id", "user", "handler", "outcome", "latency_ms", "entry", "status")
REDACTED = "[REDACTED]"
UPDATE_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class Metrics:
    """The Prometheus counters: events by name, and the time to handle an update by
    handler. They exist once `serve` has been called: until then counting is a no-op,
    so a bot without a metrics port neither imports prometheus_client (about 15 ms of
    every start) nor counts what nobody can read."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        """`registry`: prometheus_client's default one unless given (tests)."""
        self._registry = registry
        self._events: Any = None
        self._update_seconds: Any = None

    def serve(self, port: int, addr: str = "0.0.0.0") -> WSGIServer:
        """Start counting and expose /metrics on `port` (a background thread)."""
        from prometheus_client import REGISTRY, Counter, Histogram, start_http_server

        registry = self._registry if self._registry is not None else REGISTRY
        if self._events is None:
            self._events = Counter(
                "nexus_events_total", "Nexus events by name", ["event"], registry=registry
            )
            self._update_seconds = Histogram(
                "nexus_update_seconds",
                "Time to handle one Telegram update",
                ["handler"],
                buckets=UPDATE_BUCKETS,
                registry=registry,
            )
        server, _thread = start_http_server(port, addr=addr, registry=registry)
        return server

    def event(self, name: str) -> None:
        if self._events is not None:
            self._events.labels(event=name).inc()

    def handled(self, handler: str, seconds: float) -> None:
        if self._update_seconds is not None:
            self._update_seconds.labels(handler=handler).observe(seconds)


# The process's metrics: `serve_metrics` starts them, every Observer counts into them.
METRICS = Metrics()


class Redactor:
    """The secrets of this process, replaced by [REDACTED] in any text. Secrets can
    be added later (a webhook secret is generated after start), never removed."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        self.secrets: list[str] = []
        self.add(*secrets)

    def add(self, *secrets: str | None) -> None:
        for secret in secrets:
            if secret and secret not in self.secrets:
                self.secrets.append(secret)
        # The longest first: the whole token before its secret half.
        self.secrets.sort(key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self.secrets:
            if secret in text:
                text = text.replace(secret, REDACTED)
        return text


# The process's one redactor: the log formatter, the standard streams and the
# exception hooks all consult it.
REDACT = Redactor()


def add_secrets(*secrets: str | None) -> None:
    """Redact these from every output of the process from now on."""
    REDACT.add(*secrets)


class RedactingFormatter(logging.Formatter):
    """Formats, then removes every secret from the finished line (traceback included):
    its own `secrets` and every secret known to the process (`add_secrets`)."""

    def __init__(self, secrets: Iterable[str], json_lines: bool = False) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")
        self.secrets = [s for s in secrets if s]
        self._own = Redactor(self.secrets)
        self.json_lines = json_lines

    def format(self, record: logging.LogRecord) -> str:
        if self.json_lines:
            payload: dict[str, Any] = {
                "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
                "level": record.levelname,
                "logger": record.name,
                "message": record.getMessage(),
            }
            payload.update({k: getattr(record, k) for k in FIELDS if hasattr(record, k)})
            if record.exc_info:
                payload["error"] = self.formatException(record.exc_info)
            line = json.dumps(payload, ensure_ascii=False, default=str)
        else:
            line = super().format(record)
            extras = " ".join(f"{k}={getattr(record, k)}" for k in FIELDS if hasattr(record, k))
            if extras:
                line = f"{line} [{extras}]"
        return REDACT(self._own(line))


def configure_logging(level: str, json_lines: bool = False, secrets: Iterable[str] = ()) -> None:
    secrets = list(secrets)
    add_secrets(*secrets)
    install_redaction()
    handler = logging.StreamHandler()  # sys.stderr, redacting since install_redaction
    handler.setFormatter(RedactingFormatter(secrets, json_lines))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    quiet_libraries(level)
    # Warnings become log records (redacted, and JSON in JSON mode), not raw stderr.
    logging.captureWarnings(True)


# Libraries whose INFO lines are routine, kept for NEXUS_LOG_LEVEL=DEBUG:
# - httpx logs every request URL (token included);
# - apscheduler logs two lines per job run ("Running job ...", "... executed
#   successfully"): the tip tick alone runs every 15 s, about 11,500 lines a day;
# - alembic logs its plugins and every migration at each start.
# At INFO the log then says what happened (events, start and stop, warnings), once.
ROUTINE_LOGGERS = ("httpx", "apscheduler", "alembic")


def quiet_libraries(level: str) -> None:
    """Routine library loggers (`ROUTINE_LOGGERS`) at WARNING unless `level` is DEBUG."""
    quiet = level != "DEBUG"
    for name in ROUTINE_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING if quiet else logging.NOTSET)


def secrets_of(token: str | None) -> list[str]:
    """The token, and its secret half on its own (it may be logged split or encoded)."""
    if not token:
        return []
    half = token.split(":", 1)[-1]
    # A half too short to be a real secret ("1:a") would blank out ordinary text.
    return [token, *([half] if len(half) >= 8 else []), token.replace(":", "%3A")]


def url_password(url: str | None) -> list[str]:
    """The password in a database URL (as written and decoded), if it has one."""
    if not url:
        return []
    try:
        password = urlsplit(url).password
    except ValueError:
        return []
    return [p for p in {password, unquote(password)} if p] if password else []


class RedactingStream:
    """A text stream that redacts every write before passing it on (stdout, stderr).
    Writes pass through at once (no buffering of its own), so nothing is held back
    at exit; everything else is the wrapped stream's."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(REDACT(text))
        return len(text)

    def writelines(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def _log_uncaught(
    kind: str,
    exc_type: type[BaseException],
    exc: BaseException | None,
    tb: TracebackType | None,
) -> None:
    root = logging.getLogger()
    if root.handlers:
        logging.getLogger("nexus").critical(
            "%s: %s", kind, exc_type.__name__, exc_info=(exc_type, exc or exc_type(), tb)
        )
    else:  # logging not configured yet: the traceback, redacted, on stderr
        sys.stderr.write(REDACT("".join(traceback.format_exception(exc_type, exc, tb))))


def _excepthook(
    exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
) -> None:
    if issubclass(exc_type, KeyboardInterrupt):
        sys.__excepthook__(exc_type, exc, tb)
        return
    _log_uncaught("unhandled exception", exc_type, exc, tb)


def _thread_excepthook(args: threading.ExceptHookArgs) -> None:
    if args.exc_type is SystemExit:
        return
    name = args.thread.name if args.thread is not None else "a thread"
    _log_uncaught(
        f"unhandled exception in {name}", args.exc_type, args.exc_value, args.exc_traceback
    )


def install_redaction(*secrets: str | None) -> None:
    """Route every way out of the process through redaction: stdout and stderr, and
    uncaught exceptions in the main thread and in other threads. Idempotent."""
    add_secrets(*secrets)
    if not isinstance(sys.stdout, RedactingStream) and sys.stdout is not None:
        sys.stdout = RedactingStream(sys.stdout)
    if not isinstance(sys.stderr, RedactingStream) and sys.stderr is not None:
        sys.stderr = RedactingStream(sys.stderr)
    sys.excepthook = _excepthook
    threading.excepthook = _thread_excepthook


def loop_exception_handler(loop: Any, context: dict[str, Any]) -> None:
    """For `loop.set_exception_handler`: what asyncio would log, as one redacted record
    (JSON in JSON mode) through the configured handler."""
    exception = context.get("exception")
    message = str(context.get("message") or "unhandled exception in the event loop")
    if isinstance(exception, BaseException):
        logging.getLogger("asyncio").error(
            message, exc_info=(type(exception), exception, exception.__traceback__)
        )
    else:
        logging.getLogger("asyncio").error(message)


class Observer:
    """Emits events and times handlers; one per process."""

    def __init__(self, token: str | None, metrics: Metrics = METRICS) -> None:
        self._key = (token or "nexus").encode()
        self._metrics = metrics

    def user_ref(self, user_id: int | None) -> str | None:
        """A short, stable, non-reversible reference to a user for logs."""
        if user_id is None:
            return None
        digest = hmac.new(self._key, str(user_id).encode(), hashlib.sha256).hexdigest()
        return digest[:10]

    def event(self, name: str, user_id: int | None = None, **fields: Any) -> None:
        self._metrics.event(name)
        log.info(name, extra={"event": name, "user": self.user_ref(user_id), **fields})

    def wrap(
        self, name: str, callback: Callable[[Any, Any], Awaitable[Any]]
    ) -> Callable[[Any, Any], Coroutine[Any, Any, Any]]:
        """The handler, timed and logged with update id, user, outcome and latency."""

        async def observed(update: Any, context: Any) -> Any:
            started = time.perf_counter()
            outcome = "ok"
            try:
                return await callback(update, context)
            except Exception:
                outcome = "error"
                raise
            finally:
                elapsed = time.perf_counter() - started
                self._metrics.handled(name, elapsed)
                user = getattr(getattr(update, "effective_user", None), "id", None)
                log.info(
                    "update handled",
                    extra={
                        "update_id": getattr(update, "update_id", None),
                        "user": self.user_ref(user),
                        "handler": name,
                        "outcome": outcome,
                        "latency_ms": round(elapsed * 1000, 1),
                    },
                )

        return observed


def serve_metrics(port: int) -> None:
    """Count events and expose /metrics for Prometheus on `port` (a background thread)."""
    METRICS.serve(port)
