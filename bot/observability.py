"""Logs, events and metrics.

- Every log line goes through a formatter that redacts secrets (the bot token
  appears in httpx's request URLs and can appear in exception texts).
- NEXUS_LOG_FORMAT=json writes one JSON object per line with the structured
  fields below; the default is human-readable.
- Events ("question.answered", "quiz.answered", "tip.sent", ...) are log lines
  with an `event` field and, when metrics are on, Prometheus counters.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from prometheus_client import Counter, Histogram, start_http_server

log = logging.getLogger("nexus")
FIELDS = ("event", "update_id", "user", "handler", "outcome", "latency_ms", "entry", "status")
REDACTED = "[REDACTED]"

EVENTS = Counter("nexus_events_total", "Nexus events by name", ["event"])
UPDATE_SECONDS = Histogram(
    "nexus_update_seconds",
    "Time to handle one Telegram update",
    ["handler"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)


class RedactingFormatter(logging.Formatter):
    """Formats, then removes every secret from the finished line (traceback included)."""

    def __init__(self, secrets: Iterable[str], json_lines: bool = False) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")
        self.secrets = [s for s in secrets if s]
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
        for secret in self.secrets:
            line = line.replace(secret, REDACTED)
        return line


def configure_logging(level: str, json_lines: bool = False, secrets: Iterable[str] = ()) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(RedactingFormatter(list(secrets), json_lines))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # httpx logs every request URL (token included) at INFO: keep it for DEBUG only.
    logging.getLogger("httpx").setLevel(logging.DEBUG if level == "DEBUG" else logging.WARNING)


def secrets_of(token: str | None) -> list[str]:
    """The token, and its secret half on its own (it may be logged split or encoded)."""
    if not token:
        return []
    return [token, token.split(":", 1)[-1], token.replace(":", "%3A")]


class Observer:
    """Emits events and times handlers; one per process."""

    def __init__(self, token: str | None) -> None:
        self._key = (token or "nexus").encode()

    def user_ref(self, user_id: int | None) -> str | None:
        """A short, stable, non-reversible reference to a user for logs."""
        if user_id is None:
            return None
        digest = hmac.new(self._key, str(user_id).encode(), hashlib.sha256).hexdigest()
        return digest[:10]

    def event(self, name: str, user_id: int | None = None, **fields: Any) -> None:
        EVENTS.labels(event=name).inc()
        log.info(name, extra={"event": name, "user": self.user_ref(user_id), **fields})

    def wrap(
        self, name: str, callback: Callable[[Any, Any], Awaitable[Any]]
    ) -> Callable[[Any, Any], Awaitable[Any]]:
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
                UPDATE_SECONDS.labels(handler=name).observe(elapsed)
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
    """Expose /metrics for Prometheus on `port` (a background thread)."""
    start_http_server(port, addr="0.0.0.0")
