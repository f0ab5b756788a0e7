"""The fake Bot API takes sendPhoto and sendDocument uploads and refuses what
Telegram refuses: captions over 1024 characters once parsed, bad HTML, non-images."""

from __future__ import annotations

import io
import struct
from typing import Any

import pytest
from PIL import Image

from bot.fake_telegram import FakeBotApi
from bot.fake_telegram.checks import CAPTION_LIMIT
from bot.fake_telegram.server import _multipart


def png(width: int = 30, height: int = 20) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(out, format="PNG")
    return out.getvalue()


def upload(field: str, payload: bytes, **params: Any) -> dict[str, Any]:
    return {
        "chat_id": 5,
        "parse_mode": "HTML",
        "_files": {field: payload},
        "_file_names": {field: f"x.{field}"},
        **params,
    }


def test_a_photo_is_answered_with_its_size_and_parsed_caption() -> None:
    api = FakeBotApi()
    status, body = api.handle("sendPhoto", upload("photo", png(), caption="<b>hi</b> &amp; bye"))
    assert status == 200, body
    message = body["result"]
    assert message["caption"] == "hi & bye"
    (size,) = message["photo"]
    assert (size["width"], size["height"], size["file_size"]) == (30, 20, len(png()))


@pytest.mark.parametrize("method, field", [("sendPhoto", "photo"), ("sendDocument", "document")])
def test_a_caption_holds_1024_characters_after_entity_parsing(method: str, field: str) -> None:
    api = FakeBotApi()
    payload = png() if field == "photo" else b"{}"
    # Tags and entities do not count: 1024 visible characters pass.
    fits = "<b>" + "&amp;" * CAPTION_LIMIT + "</b>"
    assert api.handle(method, upload(field, payload, caption=fits))[0] == 200
    status, body = api.handle(method, upload(field, payload, caption="x" * (CAPTION_LIMIT + 1)))
    assert (status, body["description"]) == (400, "Bad Request: message caption is too long")
    status, body = api.handle(method, upload(field, payload, caption="<b>open"))
    assert status == 400 and "can't parse entities" in body["description"]


@pytest.mark.parametrize(
    "payload, error",
    [
        (b"GIF89a not a png", "IMAGE_PROCESS_FAILED"),
        (png(9000, 1100), "PHOTO_INVALID_DIMENSIONS"),  # width + height over 10000
        (png(2100, 100), "PHOTO_INVALID_DIMENSIONS"),  # more than 20:1
    ],
)
def test_a_photo_telegram_cannot_take_is_refused(payload: bytes, error: str) -> None:
    status, body = FakeBotApi().handle("sendPhoto", upload("photo", payload))
    assert status == 400 and error in body["description"]


def test_a_photo_must_be_uploaded() -> None:
    status, body = FakeBotApi().handle("sendPhoto", {"chat_id": 5, "photo": "some-file-id"})
    assert status == 400 and "no photo" in body["description"]


def test_the_loopback_server_reads_a_multipart_upload() -> None:
    picture = png()
    body = (
        b'--B\r\nContent-Disposition: form-data; name="chat_id"\r\n\r\n5\r\n'
        b'--B\r\nContent-Disposition: form-data; name="photo"; filename="p.png"\r\n'
        b"Content-Type: image/png\r\n\r\n" + picture + b"\r\n--B--\r\n"
    )
    params = _multipart("multipart/form-data; boundary=B", body)
    assert params["chat_id"] == 5
    assert params["_files"] == {"photo": picture} and params["_file_names"] == {"photo": "p.png"}
    assert struct.unpack(">II", params["_files"]["photo"][16:24]) == (30, 20)
