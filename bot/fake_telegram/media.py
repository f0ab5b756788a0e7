"""Sending files: sendDocument and sendPhoto with a multipart upload, with
Telegram's checks on the caption (HTML, at most 1024 characters once parsed) and,
for a photo, on the picture itself (a PNG it can read, within its size limits)."""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import Any

from bot.fake_telegram.checks import ApiError, check_caption

NewMessage = Callable[..., dict[str, Any]]  # FakeBotApi._new_message(params, **content)

PHOTO_BYTES_LIMIT = 10 * 1024 * 1024
PHOTO_SIDES_LIMIT = 10_000  # width + height
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _upload(params: dict[str, Any], field: str) -> tuple[bytes | None, str | None]:
    """The uploaded file of `field` and its name (None, None: not uploaded)."""
    return params.get("_files", {}).get(field), params.get("_file_names", {}).get(field)


def _captioned(params: dict[str, Any]) -> dict[str, Any]:
    caption = check_caption(params)
    content: dict[str, Any] = {"caption": caption} if caption else {}
    if params.get("reply_markup"):
        content["reply_markup"] = params["reply_markup"]
    return content


def send_document(new_message: NewMessage, params: dict[str, Any]) -> dict[str, Any]:
    content = _captioned(params)
    document: dict[str, Any] = {"file_id": "doc", "file_unique_id": "doc"}
    payload, name = _upload(params, "document")
    # What Telegram reports of an uploaded file: its name and size.
    if payload is not None:
        document["file_size"] = len(payload)
    if name:
        document["file_name"] = name
    return new_message(params, document=document, **content)


def png_size(payload: bytes) -> tuple[int, int]:
    """A PNG's (width, height) from its header; ApiError as Telegram's for anything else."""
    if not payload.startswith(PNG_SIGNATURE) or payload[12:16] != b"IHDR":
        raise ApiError(400, "Bad Request: IMAGE_PROCESS_FAILED")
    width, height = struct.unpack(">II", payload[16:24])
    return int(width), int(height)


def send_photo(new_message: NewMessage, params: dict[str, Any]) -> dict[str, Any]:
    """Only uploaded PNGs (what Nexus sends); Telegram answers with the sizes it made,
    reduced here to the original."""
    content = _captioned(params)
    payload, _ = _upload(params, "photo")
    if payload is None:
        raise ApiError(400, "Bad Request: there is no photo in the request")
    if len(payload) > PHOTO_BYTES_LIMIT:
        raise ApiError(400, "Bad Request: PHOTO_INVALID_DIMENSIONS")
    width, height = png_size(payload)
    if width + height > PHOTO_SIDES_LIMIT or max(width, height) > 20 * min(width, height):
        raise ApiError(400, "Bad Request: PHOTO_INVALID_DIMENSIONS")
    size = {"width": width, "height": height, "file_size": len(payload)}
    photo = [{"file_id": "photo", "file_unique_id": "photo", **size}]
    return new_message(params, photo=photo, **content)
