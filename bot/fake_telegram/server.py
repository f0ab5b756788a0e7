"""The fake Bot API served over loopback HTTP, for tests of the real bot process
(`TELEGRAM_API_BASE_URL=http://127.0.0.1:PORT/bot`)."""

from __future__ import annotations

import json
import threading
from email.parser import BytesParser
from email.policy import default
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

from bot.fake_telegram.api import FakeBotApi, NetworkFault


def _decode(value: str) -> Any:
    """PTB sends form fields: strings as-is, everything else JSON-encoded."""
    if value[:1] in "{[" or value in ("true", "false") or value.lstrip("-").isdigit():
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _multipart(content_type: str, body: bytes) -> dict[str, Any]:
    """A file upload (sendDocument, sendPhoto): fields as form fields, files under
    `_files` and `_file_names` by field name, as InMemoryRequest passes them."""
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = BytesParser(policy=default).parsebytes(head + body)
    params: dict[str, Any] = {"_files": {}, "_file_names": {}}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        if not isinstance(name, str) or not isinstance(payload, bytes):
            continue
        if part.get_filename() is not None:
            params["_files"][name] = payload
            params["_file_names"][name] = part.get_filename()
        else:
            params[name] = _decode(payload.decode())
    return params


class LoopbackBotApiServer:
    """`with LoopbackBotApiServer() as server:` ... `server.base_url`, `server.api`."""

    def __init__(self, api: FakeBotApi | None = None, host: str = "127.0.0.1") -> None:
        self.api = api or FakeBotApi()
        api_ref = self.api

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                kind = self.headers.get("Content-Type") or ""
                if "json" in kind:
                    params = json.loads(raw.decode() or "{}")
                elif kind.startswith("multipart/form-data"):
                    params = _multipart(kind, raw)
                else:
                    pairs = parse_qsl(raw.decode(), keep_blank_values=True)
                    params = {k: _decode(v) for k, v in pairs}
                method = self.path.rstrip("/").rsplit("/", 1)[-1]
                try:
                    status, body = api_ref.handle(method, params)
                except NetworkFault:
                    self.close_connection = True  # hang up without an answer
                    return
                payload = json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the bot went away mid-request (a stop or a kill): nothing to answer

            do_GET = do_POST

            def log_message(self, format: str, *args: Any) -> None:
                return None

        self._server = ThreadingHTTPServer((host, 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        host = host.decode() if isinstance(host, bytes) else host
        return f"http://{host}:{port}/bot"

    def start(self) -> LoopbackBotApiServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> LoopbackBotApiServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
