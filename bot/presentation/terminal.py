"""How the bot's messages look in a terminal (`nexus-bot chat` and `nexus-bot ask`):
Telegram HTML as plain lines wrapped between words at the terminal's width, code
blocks kept line for line, inline buttons as numbered choices, a document as its
name, size and first lines. Pure functions, tested in tests/unit/test_terminal.py."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence

from content.telegram_html import strip_tags

BOLD, CYAN, RESET = "\033[1m", "\033[36m", "\033[0m"
CODE_INDENT = "  "
PREVIEW_LINES = 8
_PRE = re.compile(r"<pre>(.*?)</pre>", re.S)
# Bold survives wrapping as two characters that are not whitespace and not shown.
_BOLD_ON, _BOLD_OFF = "\x01", "\x02"
_LIST_ITEM = re.compile(r"(•|-|\d{1,2}\.) ")  # its lines wrap under its text


def text_lines(
    html_text: str, *, width: int | None = None, color: bool = False, indent: str = ""
) -> list[str]:
    """The plain lines of a Telegram HTML message, each starting with `indent`.

    Prose wraps at `width` columns (None: never) between words, never inside one (a
    long URL stays whole); a bullet's lines wrap under its text. <pre> blocks keep
    their lines as written (wrapping code would change it), indented a little."""
    parts = _PRE.split(html_text)
    lines: list[str] = []
    for index, part in enumerate(parts):
        if index % 2:
            code = strip_tags(part).strip("\n").split("\n")
            lines += [indent + CODE_INDENT + (CYAN + c + RESET if color else c) for c in code]
            continue
        if index > 0 and part.startswith("\n"):
            part = part[1:]  # the line break after a code block
        if index < len(parts) - 1 and part.endswith("\n"):
            part = part[:-1]  # the line break before one
        if not part and len(parts) > 1:
            continue
        if color:
            part = part.replace("<b>", _BOLD_ON).replace("</b>", _BOLD_OFF)
        for paragraph in strip_tags(part).split("\n"):
            lines += _wrap(paragraph, width, indent)
    if color:
        lines = [line.replace(_BOLD_ON, BOLD).replace(_BOLD_OFF, RESET) for line in lines]
    return lines


def _wrap(paragraph: str, width: int | None, indent: str) -> list[str]:
    if not paragraph.strip():
        return [""]
    if width is None:
        return [indent + paragraph]
    marker = _LIST_ITEM.match(paragraph)
    hanging = " " * len(marker.group(0)) if marker else ""
    wrapped = textwrap.wrap(
        paragraph,
        # One column spare: an emoji takes two columns but counts as one character.
        width=max(width - 1, len(indent) + 20),
        initial_indent=indent,
        subsequent_indent=indent + hanging,
        break_long_words=False,
        break_on_hyphens=False,
    )
    return wrapped or [indent]


def button_lines(labels: Sequence[str]) -> list[str]:
    """Inline buttons as the numbers to type (the console presses button N)."""
    return [f"   {number}. {text}" for number, text in enumerate(labels, start=1)]


def message_lines(
    html_text: str,
    labels: Sequence[str] = (),
    *,
    prefix: str = "",
    width: int | None = None,
    color: bool = False,
) -> list[str]:
    """One message: its text (the first line after `prefix`, the rest under it) and
    its buttons."""
    lines = text_lines(html_text, width=width, color=color, indent=" " * len(prefix))
    if lines and prefix:
        lines[0] = prefix + lines[0][len(prefix) :]
    return lines + button_lines(labels)


def document_lines(
    file_name: str,
    payload: bytes,
    caption_html: str = "",
    saved_to: str | None = None,
    *,
    width: int | None = None,
    indent: str = "",
    picture: bool = False,
) -> list[str]:
    """A sent file: its name and size, its caption, its first lines (code-like, so
    not wrapped) and where it was saved (a path stays whole on its own line). A
    `picture` shows no lines (a terminal cannot show it; it opens in an image viewer)
    and its size in KB."""
    if picture:
        lines = [f"{indent}🖼 {file_name} ({max(1, round(len(payload) / 1024))} KB)"]
    else:
        lines = [f"{indent}📎 {file_name} ({len(payload):,} bytes)"]
    if caption_html:
        lines += text_lines(caption_html, width=width, indent=indent)
    if picture:
        return lines + ([f"{indent}Saved to:", f"{indent}{saved_to}"] if saved_to else [])
    content = payload.decode("utf-8", errors="replace").splitlines()
    lines += [indent + CODE_INDENT + line for line in content[:PREVIEW_LINES]]
    if len(content) > PREVIEW_LINES:
        lines.append(f"{indent}{CODE_INDENT}… {len(content) - PREVIEW_LINES} more lines")
    if saved_to:
        lines += [f"{indent}Saved in full to:", f"{indent}{saved_to}"]
    return lines
