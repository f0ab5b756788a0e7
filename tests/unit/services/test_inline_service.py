"""The inline search on the fixture content, with the in-memory store watching that
nothing is written: the person typing may never have started the bot."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from bot.services.context import ServiceContext
from bot.services.inline import MAX_RESULTS, InlineService, featured
from bot.services.library import Library, LiveLibrary
from content import Candidate, MatchResult, MatchStatus
from tests.fakes_storage import FakeUnitOfWork


@pytest.fixture
def context(context: ServiceContext) -> ServiceContext:
    """The service context whose storage fails the test if it is ever opened."""

    def refuse() -> FakeUnitOfWork:
        raise AssertionError("inline search opened a unit of work")

    return replace(context, units=refuse)


async def test_a_query_lists_the_matchers_ranking_best_first(context: ServiceContext) -> None:
    service = InlineService(context)
    matcher = context.library().matcher
    search = await service.search("  what   is an\tetag ")
    assert search.query == "what is an etag" and not search.featured
    ranked = [c.entry for c in matcher.rank("what is an etag")]
    assert search.entries[0].id == "caching-etag"
    assert list(search.entries) == ranked[:MAX_RESULTS]


async def test_an_entry_title_comes_first_and_nonsense_finds_nothing(
    context: ServiceContext,
) -> None:
    service = InlineService(context)
    for entry in context.library().kb.entries:
        assert (await service.search(entry.title.upper())).entries[0] == entry
    assert (await service.search("cook pasta")).entries == ()
    assert (await service.search("hi")).entries == ()  # small talk names no entry


async def test_an_empty_query_gives_the_featured_entries(context: ServiceContext) -> None:
    kb = context.library().kb
    search = await InlineService(context).search(" \n ")
    assert search.featured and search.query == ""
    assert search.entries == featured(kb)
    assert [e.id for e in search.entries] == [
        "django-select-related",
        "caching-etag",
        "kubernetes-probes",
    ]


async def test_no_duplicates_and_at_most_max_results(context: ServiceContext) -> None:
    for query in ("k8s", "etag", "ETag and If-None-Match", "n+1", "x" * 500):
        entries = (await InlineService(context).search(query)).entries
        assert len(entries) == len(set(entries)) <= MAX_RESULTS


async def test_the_exact_title_wins_even_where_the_matcher_ranks_another_first(
    context: ServiceContext,
) -> None:
    """The Share button types an entry's title after @bot: that entry must come first
    whatever content makes of the ranking."""
    kb = context.library().kb
    etag, other = kb.entries[2], kb.entries[3]
    assert etag.id == "caching-etag"

    class Stub:
        def match(self, text: str) -> MatchResult:
            return MatchResult(MatchStatus.ANSWERED, text, (Candidate(other, 90.0),), None, 0.9)

        def rank(self, text: str) -> list[Candidate]:
            return [Candidate(other, 90.0), Candidate(etag, 10.0)]

    stubbed: Any = Library(kb, Stub())
    service = InlineService(replace(context, library=LiveLibrary(stubbed)))
    assert (await service.search("etag and if-none-match")).entries == (etag, other)
    assert (await service.search("etag")).entries == (other, etag)
