"""Inline results and cards for every shipped entry: valid Telegram HTML (both the
product's validator and the fake API's independent parser), within limits."""

from __future__ import annotations

import html

import pytest

from bot.fake_telegram import html_rules
from bot.presentation import inline_views
from bot.services.inline import InlineSearch
from content import Entry, KnowledgeBase
from content.telegram_html import paragraphs, validate
from content.validation import TITLE_LIMIT


def test_every_card_is_valid_compact_html(bundled_kb: KnowledgeBase) -> None:
    for entry in bundled_kb.entries:
        article = inline_views.article(entry)
        assert validate(article.text) == [], entry.id
        shown = html_rules.parse(article.text)  # raises where Telegram would refuse
        assert 0 < len(article.text) <= inline_views.CARD_LIMIT, entry.id
        assert shown.startswith(entry.title), entry.id
        # Titles are plain text ("Unexpected token '<'"): the card escapes them.
        assert article.text.startswith(f"<b>{html.escape(entry.title, quote=False)}</b>\n\n")
        assert "\n" not in article.description and 0 < len(article.description) <= 100
        assert article.id == entry.short_id and article.start == f"e_{entry.short_id}"


def test_the_key_paragraph_takes_the_list_an_intro_announces() -> None:
    entry = Entry(
        "x",
        "t",
        "X",
        ("q",),
        (),
        "Four parts:\n\n• a\n• b\n\nLater detail. More.\n\n<pre>x\n\ny</pre>",
    )
    assert inline_views.key_paragraph(entry) == "Four parts:\n\n• a\n• b"
    assert inline_views.summary(entry) == "Four parts: • a • b"


def test_a_long_lead_is_cut_on_a_safe_boundary() -> None:
    long = "<b>" + "word " * 400 + "</b>"
    entry = Entry("x", "t", "X", ("q",), (), long)
    card = inline_views.card(entry)
    assert validate(card) == [] and card.endswith("…")
    assert len(card) <= inline_views.CARD_LIMIT + 20
    assert len(inline_views.summary(entry)) == inline_views.SUMMARY_LIMIT


def test_a_long_title_shortens_the_lead_so_the_card_stays_within_the_limit() -> None:
    lead = "A sentence of the answer. " * 26  # 676 characters: fits a card alone
    entry = Entry("x", "t", "T & " * 60, ("q",), (), lead.strip())  # near the longest title allowed
    assert len(entry.title) == TITLE_LIMIT - 10
    card = inline_views.card(entry)
    assert validate(card) == [] and card.endswith("…")
    assert len(card) <= inline_views.CARD_LIMIT
    assert card.startswith("<b>T &amp; T &amp;")  # the title is whole, escaped
    assert inline_views.key_paragraph(entry) == lead.strip()  # the summary still reads it all


def test_paragraphs_keep_a_code_block_with_blank_lines_whole() -> None:
    text = "Intro.\n\n<pre>a\n\n  b</pre>\n\nEnd."
    assert paragraphs(text) == ["Intro.", "<pre>a\n\n  b</pre>", "End."]


@pytest.mark.parametrize("count", [0, 1, 3])
def test_answers_are_shared_and_cached_and_an_empty_one_offers_the_private_chat(
    bundled_kb: KnowledgeBase, count: int
) -> None:
    answer = inline_views.answer(InlineSearch("q", bundled_kb.entries[:count]))
    assert len(answer.articles) == count
    assert (answer.cache_time, answer.is_personal) == (inline_views.CACHE_SECONDS, False)
    assert (answer.button is None) == (count > 0)
    assert inline_views.THROTTLED.is_personal and inline_views.THROTTLED.articles == ()
