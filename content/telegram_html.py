"""Telegram's HTML subset: validation (catch "can't parse entities" before runtime)
and splitting long texts on safe boundaries (4096-character message limit)."""

from __future__ import annotations

import html
import re

MESSAGE_LIMIT = 4096
ALLOWED_TAGS = frozenset({"b", "i", "u", "s", "code", "pre", "a", "blockquote"})
# Telegram accepts these named entities; anything else must be numeric.
NAMED_ENTITIES = frozenset({"amp", "lt", "gt", "quot"})
_TOKEN = re.compile(r"<[^<>]*>|&[^;\s<>&]*;?|[<>&]")
# Inside a tag Telegram separates with these only (a no-break space or form feed
# after a tag name makes it part of the name).
_TAG_SPACE = " \t\n\r\v"
_TAG = re.compile(rf"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:[{_TAG_SPACE}]+[^<>]*)?)[{_TAG_SPACE}]*(/?)>$")
_HREF = re.compile(r"""^\s*href\s*=\s*("[^"]*"|'[^']*')\s*$""")
_CODE_CLASS = re.compile(r"""^\s*class\s*=\s*("language-[\w+#-]+"|'language-[\w+#-]+')\s*$""")
_ENTITY = re.compile(r"&(#[0-9]{1,7}|#x[0-9a-fA-F]{1,6}|[a-zA-Z]+);$")


def escape(text: str) -> str:
    """Escape user or plain text for Telegram HTML (quotes need no escaping there)."""
    return html.escape(text, quote=False)


# An entity or one of ALLOWED_TAGS, in text that is shown as plain text (quiz options and
# explanations), where either would reach the learner as typed.
_MARKUP = re.compile(
    r"&(?:#[0-9]{1,7}|#x[0-9a-fA-F]{1,6}|[a-zA-Z]+);"
    rf"|</?(?:{'|'.join(sorted(ALLOWED_TAGS))})\b[^<>]*>"
)


def has_markup(text: str) -> bool:
    """Whether plain text holds an HTML entity or a Telegram tag."""
    return _MARKUP.search(text) is not None


def strip_tags(text: str) -> str:
    """Plain text of an HTML fragment, for search indexing and length checks."""
    return html.unescape(re.sub(r"<[^<>]*>", "", text))


# The tags most answers are made of, with no attributes: checked without a regex
# (validation runs at every start; these are most of the 14,000 tags).
_PLAIN_OPEN = {f"<{tag}>": tag for tag in ALLOWED_TAGS if tag != "a"}  # <a> needs its href
_PLAIN_CLOSE = {f"</{tag}>": tag for tag in ALLOWED_TAGS}


def validate(text: str) -> list[str]:
    """Problems that would make Telegram reject `text` with parse_mode=HTML."""
    problems: list[str] = []
    stack: list[str] = []
    for match in _TOKEN.finditer(text):
        token = match.group(0)
        if (closed := _PLAIN_CLOSE.get(token)) is not None and stack and stack[-1] == closed:
            stack.pop()
            continue
        opened = _PLAIN_OPEN.get(token)
        if opened is not None and _may_open(opened, stack):
            stack.append(opened)
            continue
        where = f"at character {match.start()}"
        if token in ("<", ">"):
            problems.append(f"unescaped '{token}' {where} (write {escape(token)})")
        elif token.startswith("&"):
            entity = _ENTITY.match(token)
            if not entity or (entity.group(1)[0] != "#" and entity.group(1) not in NAMED_ENTITIES):
                problems.append(f"unescaped '&' or unknown entity {token!r} {where} (write &amp;)")
            elif _is_surrogate(entity.group(1)):
                problems.append(f"entity {token!r} {where} is half a UTF-16 surrogate pair")
        else:
            problems.extend(_check_tag(token, where, stack))
    if stack:
        problems.append("unclosed tag(s): " + ", ".join(f"<{t}>" for t in stack))
    return problems


def _may_open(name: str, stack: list[str]) -> bool:
    """Whether tag `name` may open inside the open tags `stack`: code blocks hold plain
    text, except the <code> of a <pre><code class=...> block."""
    return not stack or stack[-1] not in ("code", "pre") or (stack[-1], name) == ("pre", "code")


def _is_surrogate(reference: str) -> bool:
    """Whether a numeric reference names a UTF-16 surrogate, which Telegram refuses."""
    if reference.startswith("#x"):
        return 0xD800 <= int(reference[2:], 16) <= 0xDFFF
    return reference.startswith("#") and 0xD800 <= int(reference[1:]) <= 0xDFFF


def _check_tag(token: str, where: str, stack: list[str]) -> list[str]:
    tag = _TAG.match(token)
    if not tag:
        return [f"malformed tag {token!r} {where}"]
    closing, name, attrs, self_closing = (
        tag.group(1),
        tag.group(2).lower(),
        tag.group(3),
        tag.group(4),
    )
    if name not in ALLOWED_TAGS:
        return [f"tag <{name}> is not in Telegram's HTML subset {where}"]
    if self_closing:
        return [f"self-closing tag {token!r} {where}"]
    if closing:
        if attrs.strip(_TAG_SPACE):
            return [f"end tag {token!r} takes no attributes {where}"]
        if not stack or stack[-1] != name:
            expected = f"</{stack[-1]}>" if stack else "no closing tag"
            return [f"unbalanced </{name}> {where} (expected {expected})"]
        stack.pop()
        return []
    problems = _check_attributes(name, attrs, where)
    if not _may_open(name, stack):
        problems.append(f"<{name}> inside <{stack[-1]}> {where} (code blocks hold plain text)")
    stack.append(name)
    return problems


def _check_attributes(name: str, attrs: str, where: str) -> list[str]:
    if name == "a":
        return [] if _HREF.match(attrs) else [f"<a> needs exactly one href attribute {where}"]
    if name == "code" and attrs.strip():
        return [] if _CODE_CLASS.match(attrs) else [f"<code> allows only class=language-x {where}"]
    if name == "blockquote" and attrs.strip() in ("", "expandable"):
        return []
    return [f"<{name}> takes no attributes {where}"] if attrs.strip() else []


def visible_length(text: str) -> int:
    return len(strip_tags(text))


def split_message(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Split valid HTML into chunks of at most `limit` characters.

    Splits at paragraph breaks, then line breaks, outside any tag; a block that is
    still too long (a huge <pre>) is cut at line breaks and its open tags are closed
    and reopened around the cut, so every chunk stays valid HTML.
    """
    if len(text) <= limit:
        return [text]
    chunks: list[str] = []
    current = ""
    for piece in _pieces(text, limit):
        if current and len(current) + len(piece) > limit:
            chunks.append(current.rstrip("\n"))
            current = ""
        current += piece
    if current.strip():
        chunks.append(current.rstrip("\n"))
    return chunks


def paragraphs(text: str) -> list[str]:
    """Valid HTML cut at its blank lines outside any tag (a <pre> block with blank
    lines stays whole): each paragraph valid HTML on its own, stripped."""
    found: list[str] = []
    stack: list[tuple[str, str]] = []
    current = ""
    for line in text.splitlines(keepends=True):
        if not line.strip() and not stack:
            if current.strip():
                found.append(current.strip())
            current = ""
            continue
        _track(line, stack)
        current += line
    if current.strip():
        found.append(current.strip())
    return found


def _pieces(text: str, limit: int) -> list[str]:
    """Lines (with their newline) grouped so no piece ends inside a tag pair."""
    pieces: list[str] = []
    stack: list[tuple[str, str]] = []  # (tag name, the opening tag as written)
    current = ""
    for line in _short_lines(text, limit // 2):
        opened_before = list(stack)
        _track(line, stack)
        if current and len(current) + len(line) > limit - 128:
            # Too long to keep together: close what is open, reopen it on the next piece.
            pieces.append(current + "".join(f"</{n}>" for n, _ in reversed(opened_before)) + "\n")
            current = "".join(tag for _, tag in opened_before)
        current += line
        if not stack:
            pieces.append(current)
            current = ""
    if current:
        pieces.append(current)
    return pieces


def _short_lines(text: str, width: int) -> list[str]:
    """Lines of text, with any line longer than `width` broken at spaces outside tags."""
    lines: list[str] = []
    for line in text.splitlines(keepends=True):
        while len(line) > width:
            cut = _safe_space(line, width)
            lines.append(line[:cut] + "\n")
            line = line[cut:].lstrip(" ")
        lines.append(line)
    return lines


def _safe_space(line: str, width: int) -> int:
    """The last space before `width` that is not inside a tag or entity (else `width`)."""
    inside = False
    best = width
    for i, char in enumerate(line[:width]):
        if char in "<&":
            inside = True
        elif char in ">;":
            inside = False
        elif char == " " and not inside:
            best = i
    return best


def _track(line: str, stack: list[tuple[str, str]]) -> None:
    for tag in re.finditer(r"<(/?)([a-z]+)[^<>]*>", line):
        if tag.group(1):
            if stack and stack[-1][0] == tag.group(2):
                stack.pop()
        else:
            stack.append((tag.group(2), tag.group(0)))
