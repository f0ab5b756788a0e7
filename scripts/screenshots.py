"""The README's pictures of the bot, made from the real bot's output.

    python scripts/screenshots.py            # writes docs/images/*.png (needs chromium)
    python scripts/screenshots.py --html-only  # writes only the HTML pages beside them

Each picture is a short conversation run through the real bot in-process: the same
`bot.app.Nexus` (PTB application, handlers, matcher, bundled content, a throwaway
SQLite database) that `nexus-bot chat` runs, against the in-memory fake Bot API.
What the bot sent (HTML text and inline buttons, edits applied in place) is
rendered as a chat view in an HTML page, and headless Chromium (Debian's
`chromium` package) captures the page as a PNG.

It lives in scripts/ because it is a maintenance tool, not a benchmark (bench/) nor
a page (docs/ holds only what it writes). tests/unit/test_screenshots.py runs the
recording and rendering steps, so they cannot rot without CI noticing; only the
capture needs Chromium.
"""

from __future__ import annotations

import argparse
import asyncio
import html
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from bot.app import Nexus
from bot.fake_telegram import FakeBotApi, InMemoryRequest
from bot.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
OUT_DIR = ROOT / "docs" / "images"
USER_ID = 1001
WIDTH = 480  # CSS pixels: about a phone's width


@dataclass(frozen=True)
class Say:
    """The learner types this."""

    text: str


@dataclass(frozen=True)
class Press:
    """The learner presses the button whose label contains `label` on the newest
    message that has one (None: that message's first button)."""

    label: str | None = None


Step = Say | Press


@dataclass
class Bubble:
    """One message in the chat: the learner's (plain text) or the bot's (Telegram
    HTML and its inline keyboard's labels, row by row)."""

    from_bot: bool
    text: str
    buttons: list[list[str]] = field(default_factory=list)
    message_id: int | None = None
    edited: bool = False
    payload: dict[str, Any] | None = None  # the bot's Message, to press its buttons


@dataclass(frozen=True)
class Picture:
    name: str
    title: str
    steps: tuple[Step, ...]


PICTURES = (
    Picture(
        "answer",
        "Asking in plain words, typos and all",
        (Say("hi"), Say("wat is an etag")),
    ),
    Picture(
        "quiz",
        "A quiz question, answered",
        (Say("/quiz caching"), Press()),
    ),
)


async def record(settings: Settings, steps: Sequence[Step]) -> list[Bubble]:
    """Run `steps` through the real bot; the chat as the learner's app shows it after."""
    api = FakeBotApi()
    nexus = Nexus(replace(settings, telegram_bot_token=None), request=InMemoryRequest(api))
    chat: list[Bubble] = []
    seen = 0
    async with nexus:
        for step in steps:
            if isinstance(step, Say):
                chat.append(Bubble(from_bot=False, text=step.text))
                update = api.message_update(USER_ID, step.text, first_name="you")
            else:
                message, data = _button(chat, step.label)
                update = api.callback_update(USER_ID, message, data)
            await nexus.feed(update)
            calls = api.sent()
            for call in calls[seen:]:
                _apply(chat, call.method, call.params, call.result)
            seen = len(calls)
    return chat


def _apply(chat: list[Bubble], method: str, params: dict[str, Any], result: Any) -> None:
    if method not in ("sendMessage", "editMessageText") or not isinstance(result, dict):
        return
    rows = (params.get("reply_markup") or {}).get("inline_keyboard") or []
    labels = [[str(button["text"]) for button in row] for row in rows]
    bubble = Bubble(True, str(params["text"]), labels, result["message_id"], payload=result)
    if method == "editMessageText":
        for index, old in enumerate(chat):
            if old.from_bot and old.message_id == bubble.message_id:
                chat[index] = replace(bubble, edited=True)
                return
    chat.append(bubble)


def _button(chat: list[Bubble], label: str | None) -> tuple[dict[str, Any], str]:
    for bubble in reversed(chat):
        if not bubble.buttons or bubble.payload is None:
            continue
        rows = bubble.payload["reply_markup"]["inline_keyboard"]
        for row in rows:
            for button in row:
                if "callback_data" in button and (label is None or label in button["text"]):
                    return bubble.payload, str(button["callback_data"])
        raise LookupError(f"no button {label!r} on the newest message with buttons")
    raise LookupError("no message with buttons to press")


class _TelegramHtml(HTMLParser):
    """Telegram's HTML subset to safe HTML: the tags it formats are kept (links with
    their href only), any other tag is dropped with its text kept, text is escaped."""

    KEEP = frozenset(
        [
            "b",
            "strong",
            "i",
            "em",
            "u",
            "ins",
            "s",
            "strike",
            "del",
            "code",
            "pre",
            "blockquote",
            "a",
            "tg-spoiler",
        ]
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href") or ""
            self.out.append(f'<a href="{html.escape(href)}">')
        elif tag == "tg-spoiler":
            self.out.append('<span class="spoiler">')
        elif tag in self.KEEP:
            self.out.append(f"<{tag}>")

    def handle_endtag(self, tag: str) -> None:
        if tag == "tg-spoiler":
            self.out.append("</span>")
        elif tag in self.KEEP:
            self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        self.out.append(html.escape(data, quote=False))


def telegram_html(text: str) -> str:
    parser = _TelegramHtml()
    parser.feed(text)
    parser.close()
    return "".join(parser.out)


STYLE = """
* { box-sizing: border-box; }
body { margin: 0; width: %(width)dpx; background: #dfe7d3;
  font: 15px/1.4 "Noto Sans", "DejaVu Sans", sans-serif; color: #111; }
header { background: #517da2; color: #fff; padding: 10px 14px; font-weight: 600; }
header small { display: block; font-weight: 400; opacity: .8; }
main { padding: 10px 10px 14px; }
.row { display: flex; margin: 6px 0; }
.me { justify-content: flex-end; }
.bubble { max-width: 86%%; padding: 7px 10px; border-radius: 12px; white-space: pre-wrap;
  overflow-wrap: anywhere; box-shadow: 0 1px 1px rgba(0,0,0,.15); }
.me .bubble { background: #effdde; border-bottom-right-radius: 4px; }
.bot .bubble { background: #fff; border-bottom-left-radius: 4px; }
.bot .msg { max-width: 86%%; }
.bot .msg .bubble { max-width: 100%%; }
.edited { color: #8a9; font-size: 12px; float: right; margin: 4px 0 0 8px; }
code, pre { font-family: "DejaVu Sans Mono", monospace; font-size: 13px; }
code { color: #b0306a; }
pre { background: #f3f4f6; padding: 6px 8px; border-radius: 6px; margin: 4px 0;
  white-space: pre-wrap; }
blockquote { margin: 4px 0; padding-left: 8px; border-left: 3px solid #517da2; }
a { color: #2a7ab0; text-decoration: none; }
.keys { display: flex; gap: 4px; margin-top: 4px; }
.key { flex: 1; text-align: center; background: rgba(81,125,162,.55); color: #fff;
  border-radius: 8px; padding: 7px 6px; font-size: 14px; }
"""


def render(chat: Sequence[Bubble], title: str) -> str:
    """The chat as a self-contained HTML page (no scripts, no external files)."""
    rows: list[str] = []
    for bubble in chat:
        if not bubble.from_bot:
            text = html.escape(bubble.text, quote=False)
            rows.append(f'<div class="row me"><div class="bubble">{text}</div></div>')
            continue
        edited = '<span class="edited">edited</span>' if bubble.edited else ""
        keys = "".join(
            '<div class="keys">'
            + "".join(f'<div class="key">{html.escape(label)}</div>' for label in row)
            + "</div>"
            for row in bubble.buttons
        )
        rows.append(
            '<div class="row bot"><div class="msg">'
            f'<div class="bubble">{telegram_html(bubble.text)}{edited}</div>{keys}'
            "</div></div>"
        )
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{STYLE % {'width': WIDTH}}</style>"
        f"</head><body><header>Nexus<small>{html.escape(title)}</small></header>"
        f"<main>\n{chr(10).join(rows)}\n</main></body></html>\n"
    )


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if path := shutil.which(name):
            return path
    raise SystemExit("screenshots: no chromium on PATH (Debian: apt-get install -y chromium)")


def _chromium(*args: str) -> str:
    command = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"]
    done = subprocess.run([*command, *args], capture_output=True, text=True, check=True)
    return done.stdout


def capture(page: Path, png: Path) -> None:
    """Screenshot `page` at WIDTH, exactly as tall as its content."""
    # A first load measures the page: the script puts its height into the DOM dump.
    probe = page.with_suffix(".probe.html")
    script = (
        "<script>document.title = 'h=' + "
        "Math.ceil(document.querySelector('main').getBoundingClientRect().bottom)</script>"
    )
    probe.write_text(page.read_text().replace("</body>", script + "</body>"))
    try:
        dom = _chromium(f"--window-size={WIDTH},600", "--dump-dom", probe.as_uri())
    finally:
        probe.unlink()
    height = int(dom.split("<title>h=", 1)[1].split("<", 1)[0])
    _chromium(
        f"--window-size={WIDTH},{height}",
        f"--screenshot={png}",
        "--force-device-scale-factor=1",
        page.as_uri(),
    )


async def conversations(data_dir: Path) -> dict[str, list[Bubble]]:
    """Each picture's conversation, each on a fresh database in `data_dir`."""
    chats: dict[str, list[Bubble]] = {}
    for picture in PICTURES:
        folder = data_dir / picture.name
        settings = Settings.from_env({"NEXUS_DATA_DIR": str(folder), "NEXUS_SEND_RATE": "1000"})
        chats[picture.name] = await record(settings, picture.steps)
    return chats


def make(out_dir: Path, html_only: bool) -> list[Path]:
    """Write each picture's page to `out_dir` and, unless `html_only`, its PNG (the
    page is then removed)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as data_dir:
        chats = asyncio.run(conversations(Path(data_dir)))
    written: list[Path] = []
    for picture in PICTURES:
        page = out_dir / f"{picture.name}.html"
        page.write_text(render(chats[picture.name], picture.title))
        if html_only:
            written.append(page)
            continue
        png = out_dir / f"{picture.name}.png"
        try:
            capture(page, png)
        finally:
            page.unlink()
        written.append(png)
    return written


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="default: docs/images")
    parser.add_argument("--html-only", action="store_true", help="write the pages, no PNGs")
    args = parser.parse_args(argv)
    for path in make(args.out, args.html_only):
        print(
            f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: "
            f"{path.stat().st_size:,} bytes"
        )


if __name__ == "__main__":
    main()
