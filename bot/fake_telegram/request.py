"""A PTB request backend that talks to a FakeBotApi in the same process."""

from __future__ import annotations

import json
from typing import Any

import httpx
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from bot.fake_telegram.api import FakeBotApi, NetworkFault


class InMemoryRequest(BaseRequest):
    def __init__(self, api: FakeBotApi) -> None:
        self.api = api

    @property
    def read_timeout(self) -> float | None:
        return 5.0

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> tuple[int, bytes]:
        params = dict(request_data.parameters) if request_data is not None else {}
        if request_data is not None and request_data.contains_files:
            # Uploaded files, by field name, as bytes: what a test may want to read.
            params["_files"] = {
                name: value[1] for name, value in request_data.multipart_data.items()
            }
            params["_file_names"] = {
                name: value[0] for name, value in request_data.multipart_data.items()
            }
        try:
            # Never block the event loop: getUpdates answers with what is queued now.
            status, body = self.api.handle(url.rsplit("/", 1)[-1], params, wait=False)
        except NetworkFault as fault:
            # Raised the way PTB's HTTPXRequest raises them, cause included.
            if fault.kind == "connect":
                raise NetworkError("httpx.ConnectError: refused") from httpx.ConnectError("refused")
            raise TimedOut() from httpx.ReadTimeout("read timed out")
        return status, json.dumps(body).encode()
