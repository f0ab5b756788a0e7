"""Telegram's HTML parse mode as the Bot API applies it, written apart from the
product's own validator (content/telegram_html.py) so the fake can catch its mistakes.

The rules are those of the Bot API docs ("Formatting options > HTML style") as the Bot
API server enforces them (its HTML parser is TDLib's `parse_html`), byte for byte:

- Tags: b, strong, i, em, u, ins, s, strike, del, span class="tg-spoiler", tg-spoiler,
  a href, code (class="language-..." inside pre), pre, blockquote (optionally
  `expandable`), tg-emoji emoji-id. Names are case-insensitive; any other name, and a
  `<` that does not start one (`a < b`), is "Unsupported start tag". Every tag must be
  closed in order; `</>` closes the innermost one.
- Attributes: `name`, `name=token` or `name="..."`/`name='...'`; unknown ones are
  ignored, a malformed one is an error. span needs class="tg-spoiler"; a non-empty
  tg-emoji needs a non-zero 64-bit emoji-id. An end tag takes no attributes.
- Entities: &lt; &gt; &amp; &quot; (the `;` may be left out) and numeric ones
  (&#65; &#x41;). The docs ask for every other `&` and `>` to be escaped, but the
  server keeps them as text (`fish & chips`, `&nbsp;`, `&#0;`, `a > b`); only a
  numeric entity naming a UTF-16 surrogate is refused.

Nesting that Telegram repairs silently (bold inside code, a blockquote in a blockquote)
is not an error here either, and links whose URL is invalid are dropped, not refused.
"""

from __future__ import annotations

# TDLib's is_space: NUL counts (it ends a C string), form feed does not.
_SPACE = frozenset(b" \t\r\n\v\0")
_DIGITS = frozenset(b"0123456789")
_HEX_DIGITS = frozenset(b"0123456789abcdefABCDEF")
_LETTERS = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_TOKEN_CHARACTERS = _LETTERS | _DIGITS | frozenset(b".-")
_ATTRIBUTE_NAME_ENDS = _SPACE | frozenset(b"=>/\"'")
_NAMED_ENTITIES = {b"lt": "<", b"gt": ">", b"amp": "&", b"quot": '"'}
TAGS = frozenset(
    {
        b"a",
        b"b",
        b"strong",
        b"i",
        b"em",
        b"s",
        b"strike",
        b"del",
        b"u",
        b"ins",
        b"tg-spoiler",
        b"tg-emoji",
        b"span",
        b"pre",
        b"code",
        b"blockquote",
    }
)
_INT64 = 2**63
_LT, _GT, _AMP, _SLASH, _EQUALS, _SEMICOLON, _HASH = b"<>&/=;#"
_QUOTES = frozenset(b"\"'")


class HtmlParseError(ValueError):
    """Telegram's reason, as it follows "Bad Request: can't parse entities: "."""


def parse(text: str) -> str:
    """The text Telegram shows for `text` sent with parse_mode=HTML (tags dropped,
    entities decoded); raises HtmlParseError where Telegram refuses the message."""
    return _Parser(text).run()


def problem(text: str) -> str | None:
    """Why Telegram would refuse `text` with parse_mode=HTML, or None."""
    try:
        parse(text)
    except HtmlParseError as error:
        return str(error)
    return None


def _decode_entity(data: bytes, at: int) -> tuple[str, int] | None:
    """The character of the entity at data[at] == '&' and where it ends, or None when
    Telegram keeps the '&' as text."""
    end = at + 1
    if data[end] == _HASH:
        end += 1
        hexadecimal = data[end] == ord("x")
        end += hexadecimal
        digits = _HEX_DIGITS if hexadecimal else _DIGITS
        start = end
        while data[end] in digits:
            end += 1
        if end - at >= 10 or end == start:
            return None
        code = int(data[start:end], 16 if hexadecimal else 10)
        if code == 0 or code >= 0x10FFFF:
            return None
        character = chr(code)
    else:
        while data[end] in _LETTERS:
            end += 1
        named = _NAMED_ENTITIES.get(data[at + 1 : end])
        if named is None:
            return None
        character = named
    return character, end + (data[end] == _SEMICOLON)


def _is_emoji_id(argument: bytes) -> bool:
    """A non-zero int64 written as Telegram prints one (no plus, leading zero or space)."""
    digits = argument.removeprefix(b"-")
    if not digits.isdigit() or digits.startswith(b"0"):
        return False
    return -_INT64 <= int(argument) < _INT64


def _show(name: bytes) -> str:
    return name.decode("utf-8", "replace")


class _Parser:
    def __init__(self, text: str) -> None:
        # Telegram's reasons give offsets in UTF-8 bytes; a NUL ends the text, as in C.
        encoded = text.encode("utf-8", "surrogatepass")
        self.size = len(encoded)
        self.data = encoded + b"\0"
        self.out = bytearray()
        self.open: list[tuple[bytes, bytes, int]] = []  # tag, argument, where its text starts
        self.surrogate = False

    def run(self) -> str:
        data, i = self.data, 0
        while i < self.size:
            if data[i] == _AMP and (decoded := _decode_entity(data, i)):
                character, i = decoded
                self.surrogate |= 0xD800 <= ord(character) <= 0xDFFF
                self.out += character.encode("utf-8", "surrogatepass")
            elif data[i] != _LT:
                self.out.append(data[i])
                i += 1
            elif data[i + 1] == _SLASH:
                i = self._end_tag(i)
            else:
                i = self._start_tag(i)
        if self.open:
            tag = _show(self.open[-1][0])
            raise HtmlParseError(f'Can\'t find end tag corresponding to start tag "{tag}"')
        if self.surrogate:
            raise HtmlParseError(
                "Text contains invalid Unicode characters after decoding HTML entities, "
                "check for unmatched surrogate code units"
            )
        return self.out.decode("utf-8", "surrogatepass")

    def _start_tag(self, begin: int) -> int:
        data, i = self.data, begin + 1
        while data[i] not in _SPACE and data[i] != _GT:
            i += 1
        if data[i] == 0:
            raise HtmlParseError(f"Unclosed start tag at byte offset {begin}")
        tag = data[begin + 1 : i].lower()
        if tag not in TAGS:
            raise HtmlParseError(f'Unsupported start tag "{_show(tag)}" at byte offset {begin}')
        argument = b""
        while data[i] != _GT:
            i = self._skip_spaces(i)
            if data[i] == _GT:
                break
            name_begin = i
            while data[i] not in _ATTRIBUTE_NAME_ENDS:
                i += 1
            name = data[name_begin:i]
            if not name:
                raise HtmlParseError(
                    f'Empty attribute name in the tag "{_show(tag)}" at byte offset {begin}'
                )
            i = self._skip_spaces(i)
            if data[i] != _EQUALS:
                if data[i] == 0:
                    raise HtmlParseError(
                        f'Unclosed start tag "{_show(tag)}" at byte offset {begin}'
                    )
                if tag == b"blockquote" and name == b"expandable":
                    argument = b"1"
                continue
            i = self._skip_spaces(i + 1)
            if data[i] == 0:
                raise HtmlParseError(f'Unclosed start tag "{_show(tag)}" at byte offset {begin}')
            value, i = self._attribute_value(i)
            if data[i] == 0:
                raise HtmlParseError(f"Unclosed start tag at byte offset {begin}")
            argument = _argument(tag, name, value, argument)
        if tag == b"span" and argument != b"spoiler":
            raise HtmlParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {begin}')
        self.open.append((tag, argument, len(self.out)))
        return i + 1

    def _attribute_value(self, i: int) -> tuple[bytes, int]:
        data = self.data
        if data[i] not in _QUOTES:
            # A name token: letters, digits, periods and hyphens, not case-sensitive.
            begin = i
            while data[i] in _TOKEN_CHARACTERS:
                i += 1
            if data[i] not in _SPACE and data[i] != _GT:
                raise HtmlParseError(f"Unexpected end of name token at byte offset {begin}")
            return data[begin:i].lower(), i
        quote, i = data[i], i + 1
        value = bytearray()
        while data[i] != quote and data[i] != 0:
            if data[i] == _AMP and (decoded := _decode_entity(data, i)):
                character, i = decoded
                value += character.encode("utf-8", "surrogatepass")
            else:
                value.append(data[i])
                i += 1
        return bytes(value), i + (data[i] == quote)

    def _end_tag(self, begin: int) -> int:
        if not self.open:
            raise HtmlParseError(f"Unexpected end tag at byte offset {begin}")
        data, i = self.data, begin + 1
        while data[i] not in _SPACE and data[i] != _GT:
            i += 1
        name = data[begin + 2 : i].lower()
        i = self._skip_spaces(i)
        if data[i] != _GT:
            raise HtmlParseError(f"Unclosed end tag at byte offset {begin}")
        tag, argument, text_begin = self.open.pop()
        if name and name != tag:
            raise HtmlParseError(
                f'Unmatched end tag at byte offset {begin}, expected "</{_show(tag)}>", '
                f'found "</{_show(name)}>"'
            )
        if tag == b"tg-emoji" and len(self.out) > text_begin and not _is_emoji_id(argument):
            raise HtmlParseError("Invalid custom emoji identifier specified")
        return i + 1

    def _skip_spaces(self, i: int) -> int:
        while self.data[i] != 0 and self.data[i] in _SPACE:
            i += 1
        return i


def _argument(tag: bytes, name: bytes, value: bytes, argument: bytes) -> bytes:
    """What a start tag keeps of one attribute (attribute names are case-sensitive)."""
    if tag == b"a" and name == b"href":
        return value
    if tag == b"code" and name == b"class" and value.startswith(b"language-"):
        return value.removeprefix(b"language-")
    if tag == b"span" and name == b"class" and value.startswith(b"tg-"):
        return value.removeprefix(b"tg-")
    if tag == b"tg-emoji" and name == b"emoji-id":
        return value
    if tag == b"blockquote" and name == b"expandable":
        return b"1"
    return argument
