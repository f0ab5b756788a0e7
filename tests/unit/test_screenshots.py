"""scripts/screenshots.py: the conversation -> HTML steps, without Chromium (the
capture itself is not run here), so the README's pictures cannot rot unnoticed."""

from __future__ import annotations

import html
import re
from pathlib import Path

from scripts import screenshots
from scripts.screenshots import Bubble, render, telegram_html


def _text(page: str) -> str:
    """What a reader sees: tags dropped, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", page))


def test_the_pictures_show_the_real_bots_answers_and_buttons(tmp_path: Path) -> None:
    written = screenshots.make(tmp_path, html_only=True)

    assert sorted(p.name for p in written) == ["answer.html", "quiz.html"]
    answer = _text((tmp_path / "answer.html").read_text())
    # The bundled entry the typo'd question finds, its buttons, and the small talk.
    assert "wat is an etag" in answer
    assert "ETag and If-None-Match" in answer and 'If-None-Match: "v42"' in answer
    for label in ("🎯 Quiz me", "📚 Caching", "👍", "👎", "📚 Browse topics"):
        assert label in answer
    quiz = _text((tmp_path / "quiz.html").read_text())
    assert "Question 1/5 · Caching" in quiz
    # The round's questions are drawn at random: the first option may be right or not.
    assert "✅ Correct!" in quiz or "❌ Not quite." in quiz
    assert "Next ▶" in quiz and "edited" in quiz


async def test_every_message_and_button_the_bot_sent_is_on_the_page(tmp_path: Path) -> None:
    from bot.settings import Settings

    settings = Settings.from_env({"NEXUS_DATA_DIR": str(tmp_path)})
    chat = await screenshots.record(settings, (screenshots.Say("/topics"), screenshots.Press()))
    page = _text(render(chat, "topics"))

    assert [b.from_bot for b in chat] == [False, True]  # the press edited the reply
    bot = chat[1]
    assert bot.edited and bot.buttons
    assert _text(telegram_html(bot.text)) in page
    for row in bot.buttons:
        for label in row:
            assert label in page


def test_telegram_html_keeps_its_formatting_and_escapes_the_rest() -> None:
    bubbles = [
        Bubble(from_bot=False, text="<script>alert(1)</script> & co"),
        Bubble(
            from_bot=True,
            text="<b>bold</b> <i>it</i> <code>x &lt; y</code> <pre>a\n b</pre> "
            '<a href="https://example.com/?a=1&amp;b=2" onclick="x()">link</a> '
            "<blockquote>quote</blockquote> <tg-spoiler>hidden</tg-spoiler>",
            buttons=[["Yes <3", "No"]],
        ),
    ]
    page = render(bubbles, "a <title>")

    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in page
    assert "<b>bold</b> <i>it</i> <code>x &lt; y</code> <pre>a\n b</pre>" in page
    assert '<a href="https://example.com/?a=1&amp;b=2">link</a>' in page and "onclick" not in page
    assert "<blockquote>quote</blockquote>" in page
    assert '<span class="spoiler">hidden</span>' in page
    assert "Yes &lt;3" in page and "<title>a &lt;title&gt;</title>" in page
