"""Prometheus metrics (NEXUS_METRICS_PORT): what /metrics serves once they are on, and
that nothing is counted, or imported, before."""

from __future__ import annotations

import asyncio
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any

import pytest
from prometheus_client import CollectorRegistry

from bot.observability import Metrics, Observer


def scrape(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as response:
        return response.read().decode()


@contextmanager
def serving(metrics: Metrics) -> Iterator[int]:
    """Metrics served on a free loopback port (yielded), shut down afterwards."""
    server = metrics.serve(0, addr="127.0.0.1")
    try:
        yield server.server_port
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def metrics() -> Metrics:
    return Metrics(CollectorRegistry())


def test_events_and_handler_times_are_served_once_metrics_are_on(metrics: Metrics) -> None:
    with serving(metrics) as port:
        observer = Observer("123:token", metrics)
        observer.event("question.answered", user_id=7)
        observer.event("question.answered", user_id=8)
        observer.event("tip.sent")

        async def handler(update: Any, context: Any) -> str:
            return "done"

        update = SimpleNamespace(update_id=1, effective_user=SimpleNamespace(id=7))
        assert asyncio.run(observer.wrap("ask", handler)(update, None)) == "done"

        page = scrape(port)
        assert 'nexus_events_total{event="question.answered"} 2.0' in page
        assert 'nexus_events_total{event="tip.sent"} 1.0' in page
        assert 'nexus_update_seconds_count{handler="ask"} 1.0' in page
        assert 'nexus_update_seconds_bucket{handler="ask",le="5.0"} 1.0' in page


def test_a_handler_that_fails_is_timed_too(metrics: Metrics) -> None:
    async def broken(update: Any, context: Any) -> None:
        raise RuntimeError("boom")

    with serving(metrics) as port:
        with pytest.raises(RuntimeError):
            asyncio.run(Observer(None, metrics).wrap("quiz", broken)(None, None))
        assert 'nexus_update_seconds_count{handler="quiz"} 1.0' in scrape(port)


def test_before_metrics_are_served_counting_is_a_no_op(metrics: Metrics) -> None:
    Observer("123:token", metrics).event("question.answered")
    with serving(metrics) as port:
        # Counted from the moment metrics are on, not before.
        assert 'nexus_events_total{event="question.answered"}' not in scrape(port)
