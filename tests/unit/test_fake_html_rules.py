"""The fake Bot API's own reading of Telegram's HTML (bot/fake_telegram/html_rules.py),
against the product's validator (content/telegram_html.py): where they must agree,
where the product is deliberately stricter, and a property that nothing the product
accepts is refused by Telegram."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.fake_telegram import FakeBotApi
from bot.fake_telegram.html_rules import HtmlParseError, parse, problem
from content import telegram_html

# Telegram takes these; the text it shows is on the right.
TELEGRAM_ACCEPTS = {
    "plain text": "plain text",
    "<b>b</b><strong>s</strong><i>i</i><em>e</em><u>u</u><ins>n</ins>": "bsieun",
    "<s>s</s><strike>k</strike><del>d</del><tg-spoiler>t</tg-spoiler>": "skdt",
    '<span class="tg-spoiler">x</span> <span class=tg-spoiler>y</span>': "x y",
    '<a href="https://example.com/?a=1&amp;b=2">link</a>': "link",
    "<a href='https://example.com'>single quotes</a>": "single quotes",
    "<a>https://example.com</a>": "https://example.com",
    '<pre><code class="language-python">print("hi")</code></pre>': 'print("hi")',
    "<code>x &lt; y &amp;&amp; z &gt; 0</code>": "x < y && z > 0",
    "<blockquote>q</blockquote><blockquote expandable>e</blockquote>": "qe",
    '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>': "👍",
    "<B>upper</b> <b >space</b >": "upper space",
    "<b>a<i>b</></b>": "ab",  # an empty end tag closes the innermost tag
    '<b class="x" data-y>unknown attributes are ignored</b>': "unknown attributes are ignored",
    "&lt;&gt;&amp;&quot; &lt &#65;&#x41; &#128512;": '<>&" < AA 😀',
    # The docs ask for these to be escaped; the server keeps them as text.
    "fish & chips": "fish & chips",
    "a > b": "a > b",
    "&nbsp; &#0; &#X41; &copy;": "&nbsp; &#0; &#X41; &copy;",
    "<code><b>x</b></code>": "x",  # nesting Telegram repairs silently
    "<tg-emoji></tg-emoji>": "",  # an empty custom emoji is dropped, not checked
}

# Telegram refuses these, saying exactly this after "can't parse entities: ".
TELEGRAM_REFUSES = {
    "a < b": 'Unsupported start tag "" at byte offset 2',
    "<br>": 'Unsupported start tag "br" at byte offset 0',
    "é <p>x</p>": 'Unsupported start tag "p" at byte offset 3',  # bytes, not characters
    "<b/>": 'Unsupported start tag "b/" at byte offset 0',
    "<b\u00a0>x</b>": 'Unsupported start tag "b\u00a0" at byte offset 0',
    "<b />": 'Empty attribute name in the tag "b" at byte offset 0',
    "<b>open": 'Can\'t find end tag corresponding to start tag "b"',
    "<b><i>x</b></i>": 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"',
    "x</b>": "Unexpected end tag at byte offset 1",
    "<b>x</b y>": "Unclosed end tag at byte offset 4",
    "<b": "Unclosed start tag at byte offset 0",
    "<b x": 'Unclosed start tag "b" at byte offset 0',
    '<a href="x': "Unclosed start tag at byte offset 0",
    "<a href=x/y>l</a>": "Unexpected end of name token at byte offset 8",
    "<span>x</span>": 'Tag "span" must have class "tg-spoiler" at byte offset 0',
    "<tg-emoji>👍</tg-emoji>": "Invalid custom emoji identifier specified",
    '<tg-emoji emoji-id="007">👍</tg-emoji>': "Invalid custom emoji identifier specified",
    "&#xD83D;&#xDE00;": "Text contains invalid Unicode characters after decoding HTML "
    "entities, check for unmatched surrogate code units",
}

# Both validators take these.
BOTH_ACCEPT = [
    "plain text",
    "<b>b</b> <i>i</i> <u>u</u> <s>s</s> <B>upper</b> <b >space</b >",
    '<a href="https://example.com/?a=1&amp;b=2">link</a>',
    "<a href='https://example.com'>single quotes</a>",
    '<pre><code class="language-python">print("hi")</code></pre>',
    "<code>x &lt; y &amp;&amp; z &gt; 0</code>",
    "<blockquote>q</blockquote><blockquote expandable>e</blockquote>",
    "&lt;&gt;&amp;&quot; &#65;&#x41; &#128512; &#0;",
]

# Both validators refuse these.
BOTH_REFUSE = [
    "<br>",
    "<b>open",
    "<b><i>x</b></i>",
    "a < b",
    "x</b>",
    "<b>x</b y>",
    "<b\u00a0>x</b>",
    "<b\f>x</b>",
    "&#xD800;",
    "<span>x</span>",
]

# The product's validator refuses these though Telegram takes them: it asks for what
# the docs ask (escape every & and >, an href on every link, no markup inside code).
ONLY_THE_PRODUCT_REFUSES = [
    "fish & chips",
    "a > b",
    "&nbsp;",
    "<a>https://example.com</a>",
    '<b class="x">x</b>',
    "<code><b>x</b></code>",
    "<b>a<i>b</></b>",
    "<tg-spoiler>t</tg-spoiler>",
]


@pytest.mark.parametrize(("html", "shown"), TELEGRAM_ACCEPTS.items())
def test_telegram_accepts(html: str, shown: str) -> None:
    assert parse(html) == shown


@pytest.mark.parametrize(("html", "reason"), TELEGRAM_REFUSES.items())
def test_telegram_refuses(html: str, reason: str) -> None:
    with pytest.raises(HtmlParseError) as refused:
        parse(html)
    assert str(refused.value) == reason


@pytest.mark.parametrize("html", BOTH_ACCEPT)
def test_both_accept(html: str) -> None:
    assert telegram_html.validate(html) == []
    assert problem(html) is None


@pytest.mark.parametrize("html", BOTH_REFUSE)
def test_both_refuse(html: str) -> None:
    assert telegram_html.validate(html) != []
    assert problem(html) is not None


@pytest.mark.parametrize("html", ONLY_THE_PRODUCT_REFUSES)
def test_the_product_is_stricter_than_telegram(html: str) -> None:
    assert telegram_html.validate(html) != []
    assert problem(html) is None


# -- the fake Bot API answers as Telegram does ------------------------------------------


def _send(text: str) -> tuple[int, dict[str, Any]]:
    return FakeBotApi().handle("sendMessage", {"chat_id": 1, "text": text, "parse_mode": "HTML"})


def test_the_fake_answers_400_with_telegrams_reason() -> None:
    status, body = _send("see <br> here")
    assert status == 400
    assert body["description"] == (
        'Bad Request: can\'t parse entities: Unsupported start tag "br" at byte offset 4'
    )


def test_the_fake_shows_the_parsed_text() -> None:
    status, body = _send("<b>fish</b> &amp; chips & peas")
    assert status == 200
    assert body["result"]["text"] == "fish & chips & peas"


def test_the_length_limit_counts_the_parsed_text() -> None:
    limit = telegram_html.MESSAGE_LIMIT
    assert _send("<b>" + "&lt;" * limit + "</b>")[0] == 200
    status, body = _send("&lt;" * (limit + 1))
    assert status == 400 and body["description"] == "Bad Request: message is too long"


def test_markup_around_nothing_is_an_empty_message() -> None:
    status, body = _send("<b> </b>")
    assert status == 400 and body["description"] == "Bad Request: message must be non-empty"


# -- property: whatever the product's validator accepts, Telegram accepts -------------

_TEXT = st.sampled_from(
    [
        "a",
        "word ",
        " ",
        "\n",
        "é",
        "😀",
        "&lt;",
        "&gt;",
        "&amp;",
        "&quot;",
        "&#65;",
        "&#x41;",
        "&#0;",
        "&#x110000;",
        "&#xD800;",
        "&#55357;",
        "&nbsp;",
        "&amp",
        "&",
        ">",
        "<",
        "\x00",
        "\u00a0",
    ]
)
_NAMES = st.sampled_from(
    ["b", "i", "u", "s", "code", "pre", "a", "blockquote", "B", "strong", "span", "br", "p"]
)
_SPACES = st.sampled_from(["", " ", "  ", "\t", "\n", "\r", "\v", "\f", "\u00a0", "\x1c", "\x85"])
_ATTRIBUTES = st.sampled_from(
    [
        "",
        'href="https://example.com/?a=1&amp;b=2"',
        "href='https://example.com'",
        'href=""',
        'href="a&#xD800;"',
        "href=https",
        'HREF="https://example.com"',
        'class="language-python"',
        "class='language-c++'",
        'class="tg-spoiler"',
        "expandable",
        'x="1"',
        "=",
        '"q"',
        "/",
    ]
)


@st.composite
def _element(draw: st.DrawFn, inner: st.SearchStrategy[str]) -> str:
    name = draw(_NAMES)
    opening = f"<{name}{draw(_SPACES)}{draw(_ATTRIBUTES)}{draw(_SPACES)}>"
    closing = draw(
        st.sampled_from(
            [
                f"</{name}>",
                f"</{name.upper()}>",
                f"</{name}{draw(_SPACES)}>",
                f"</{name}{draw(_SPACES)}x>",
                "</>",
                "</b>",
                "",
            ]
        )
    )
    return opening + draw(inner) + closing


_MARKUP = st.recursive(
    _TEXT,
    lambda inner: st.one_of(st.lists(inner, min_size=2, max_size=4).map("".join), _element(inner)),
    max_leaves=12,
)


@settings(max_examples=400, deadline=None)
@given(_MARKUP)
def test_what_the_product_accepts_telegram_accepts(html: str) -> None:
    if telegram_html.validate(html):
        return
    assert problem(html) is None
