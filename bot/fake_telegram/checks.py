"""What Telegram refuses in a message before sending it: empty or over-long text,
HTML it cannot parse, callback data out of bounds. Independent of the product's
own checks (content/telegram_html.py), so their mistakes show up here."""

from __future__ import annotations

from typing import Any

from bot.fake_telegram import html_rules

MESSAGE_LIMIT = 4096  # characters of text after entity parsing
CAPTION_LIMIT = 1024  # characters of a photo's or document's caption after entity parsing
CALLBACK_DATA_LIMIT = 64  # bytes


class ApiError(Exception):
    def __init__(self, code: int, description: str, parameters: dict[str, Any] | None = None):
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters


def check_text(params: dict[str, Any]) -> str:
    """The text as Telegram would show it; ApiError(400) where Telegram refuses it."""
    text = str(params.get("text") or "")
    if not text.strip():
        raise ApiError(400, "Bad Request: message text is empty")
    text = _parsed(text, params)
    if not text.strip():
        raise ApiError(400, "Bad Request: message must be non-empty")
    if len(text) > MESSAGE_LIMIT:
        raise ApiError(400, "Bad Request: message is too long")
    check_markup(params.get("reply_markup"))
    return text


def check_caption(params: dict[str, Any]) -> str:
    """A media caption as Telegram would show it ("" for none); ApiError(400) where
    Telegram refuses it: bad HTML or more than CAPTION_LIMIT characters once parsed."""
    caption = _parsed(str(params.get("caption") or ""), params)
    if len(caption) > CAPTION_LIMIT:
        raise ApiError(400, "Bad Request: message caption is too long")
    check_markup(params.get("reply_markup"))
    return caption


def _parsed(text: str, params: dict[str, Any]) -> str:
    if params.get("parse_mode") != "HTML":
        return text
    try:
        return html_rules.parse(text)
    except html_rules.HtmlParseError as error:
        raise ApiError(400, f"Bad Request: can't parse entities: {error}") from None


def check_markup(markup: Any) -> None:
    for row in (markup or {}).get("inline_keyboard", []):
        for button in row:
            data = button.get("callback_data")
            if data is not None and not 1 <= len(data.encode()) <= CALLBACK_DATA_LIMIT:
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
