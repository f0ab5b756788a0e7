import pytest

from content import telegram_html

GOOD = [
    "plain text",
    "<b>bold</b> <i>it</i> <u>u</u> <s>s</s> <code>x &lt; y &amp;&amp; z &gt; 0</code>",
    '<a href="https://example.com/?a=1&amp;b=2">link</a>',
    '<pre><code class="language-python">print("hi")</code></pre>',
    "<blockquote>quote</blockquote> &#128512; &quot;",
    # Plain tags take a path without the tag regex: nesting rules still hold there.
    "<pre><code>x</code></pre>",
    "<B>upper</b> <b><i>x</i></b>",
]
BAD = {
    "<br>": "not in Telegram's HTML subset",
    "<b>open": "unclosed",
    "<b><i>x</b></i>": "unbalanced",
    "a < b": "unescaped '<'",
    "a > b": "unescaped '>'",
    "fish & chips": "unescaped '&'",
    "&nbsp;": "unknown entity",
    '<b class="x">x</b>': "takes no attributes",
    "<a>no href</a>": "href",
    "<code><b>x</b></code>": "inside <code>",
    "<pre><b>x</b></pre>": "inside <pre>",
    "<code><code>x</code></code>": "inside <code>",
    "x</b>": "unbalanced </b>",
    # Found by tests/unit/test_fake_html_rules.py: Telegram refuses these too.
    "<b>x</b y>": "takes no attributes",
    "<b\u00a0>x</b>": "malformed tag",
    "&#xD83D;&#xDE00;": "surrogate",
}


@pytest.mark.parametrize("text", GOOD)
def test_valid_html_passes(text: str) -> None:
    assert telegram_html.validate(text) == []


@pytest.mark.parametrize(("text", "expected"), BAD.items())
def test_invalid_html_is_reported(text: str, expected: str) -> None:
    problems = telegram_html.validate(text)
    assert problems and expected in " ".join(problems)


def test_escape_makes_any_user_text_valid() -> None:
    nasty = "<script>alert('x')</script> & <b> \x00 > <"
    assert telegram_html.validate(telegram_html.escape(nasty)) == []


def test_split_keeps_every_chunk_valid_and_within_the_limit() -> None:
    paragraphs = [f"<b>Part {i}</b> " + "word " * 150 for i in range(20)]
    code = "<pre>" + "\n".join(f"line {i} x &lt; y" for i in range(400)) + "</pre>"
    text = "\n\n".join(paragraphs) + "\n\n" + code + "\n\nend " + "z" * 5000
    chunks = telegram_html.split_message(text)
    assert len(chunks) > 2
    for chunk in chunks:
        assert len(chunk) <= telegram_html.MESSAGE_LIMIT
        assert telegram_html.validate(chunk) == [], chunk[:200]
    joined = "".join(telegram_html.strip_tags(c) for c in chunks)
    assert "line 399" in joined and "Part 19" in joined and joined.count("z") >= 5000


def test_short_text_is_not_split() -> None:
    assert telegram_html.split_message("<b>hi</b>") == ["<b>hi</b>"]
