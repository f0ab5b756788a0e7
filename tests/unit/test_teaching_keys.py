"""Teaching's pure parts: group keys, entry-id suggestions, the export grouping and
the teach buttons' callback data."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.presentation import callbacks, teach_views
from bot.services.operations import Cluster
from bot.services.teaching import close_ids, cluster_key, grouped
from content import load_knowledge_base
from content.model import short_key
from storage.records import LearnedPhrasing as Phrasing

FIXTURE = Path(__file__).parent.parent / "fixtures" / "content"
NOW = datetime(2026, 12, 4, tzinfo=UTC)


def cluster(example: str, count: int = 1) -> Cluster:
    return Cluster(count, example, (example,), None)


def test_a_group_key_is_short_and_depends_on_its_example_only() -> None:
    key = cluster_key(cluster("how do i cache a drf view", 3))
    assert len(key) == 10 and key == cluster_key(cluster("how do i cache a drf view", 9))
    assert key != cluster_key(cluster("how do i cache a drf view?"))


@pytest.mark.parametrize(
    "callback",
    [
        callbacks.TeachGroup("0123456789"),
        callbacks.TeachEntry("0123456789", short_key("database-design-pragmatic-denormalization")),
    ],
)
def test_teach_buttons_round_trip_within_64_bytes(callback: callbacks.Callback) -> None:
    data = callbacks.encode(callback)
    assert len(data.encode()) <= 64 and callbacks.decode(data) == callback


@pytest.mark.parametrize("data", ["tc:", "te:abc", "te::x", "te:abc:", "tc:a:b"])
def test_malformed_teach_data_decodes_to_none(data: str) -> None:
    assert callbacks.decode(data) is None


def test_close_ids_suggest_the_nearest_entry_ids() -> None:
    kb = load_knowledge_base(FIXTURE)
    assert close_ids(kb, "caching-etagg")[0] == "caching-etag"
    assert close_ids(kb, "Kubernetes-Probe")[0] == "kubernetes-probes"
    assert close_ids(kb, "zzzzqqqq") == ()


def test_export_groups_questions_by_entry_oldest_first() -> None:
    phrasings = [
        Phrasing("kubernetes-probes", "pods die", 1, NOW),
        Phrasing("caching-etag", "etag pls", 1, NOW),
        Phrasing("kubernetes-probes", "readiness?", None, NOW),
    ]
    assert grouped(phrasings) == [
        ("caching-etag", ["etag pls"]),
        ("kubernetes-probes", ["pods die", "readiness?"]),
    ]


def test_inbox_buttons_name_groups_by_key_five_to_a_row() -> None:
    clusters = [cluster(f"question {n}") for n in range(1, 8)]
    rows = teach_views.inbox_buttons(clusters)
    assert [[b.label for b in row] for row in rows] == [
        ["🎓 1", "🎓 2", "🎓 3", "🎓 4", "🎓 5"],
        ["🎓 6", "🎓 7"],
    ]
    assert rows[1][1].callback == callbacks.TeachGroup(cluster_key(clusters[6]))
