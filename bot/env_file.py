"""`.env`: settings kept in a file beside the bot, read the way most tools read it.

Lines are `NAME=value` (an `export ` prefix is allowed), `#` starts a comment line,
blank lines are skipped. A value may be wrapped in single quotes (taken as written)
or double quotes (`\\n`, `\\"` and `\\\\` unescaped); an unquoted value ends at ` #`.
The environment wins: a variable already set is never replaced, so a container's or
a shell's settings override the file. Only the standard library, on purpose: the
format is small, and every `nexus-bot` command reads it before anything else.
"""

from __future__ import annotations

import os
import re
from collections.abc import MutableMapping
from pathlib import Path

ENV_FILE_VARIABLE = "NEXUS_ENV_FILE"  # another file than ./.env
_LINE = re.compile(r"^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$")
_ESCAPES = {"n": "\n", '"': '"', "\\": "\\"}


class EnvFileError(ValueError):
    """A line the file format does not allow: names the file and the line."""


def parse_env_file(text: str, name: str = ".env") -> dict[str, str]:
    values: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _LINE.match(line)
        if match is None:
            raise EnvFileError(f"{name}, line {number}: expected NAME=value, got {raw!r}")
        values[match[1]] = _value(match[2], f"{name}, line {number}")
    return values


def _value(text: str, where: str) -> str:
    if text[:1] in ("'", '"'):
        quote = text[0]
        end = text.find(quote, 1) if quote == "'" else _closing_double_quote(text)
        if end < 0:
            raise EnvFileError(f"{where}: the value's {quote} quote is not closed")
        inner = text[1:end]
        if quote == '"':
            inner = re.sub(r"\\(.)", lambda m: _ESCAPES.get(m[1], "\\" + m[1]), inner)
        return inner
    return re.split(r"\s+#", text, maxsplit=1)[0].strip()


def _closing_double_quote(text: str) -> int:
    index = 1
    while index < len(text):
        if text[index] == "\\":
            index += 2
            continue
        if text[index] == '"':
            return index
        index += 1
    return -1


def load_env_file(environ: MutableMapping[str, str] = os.environ) -> list[str]:
    """Put the `.env` file's settings into `environ` where not set already; the names
    taken from the file. No file, nothing to do; NEXUS_ENV_FILE names another one
    (which must then exist)."""
    named = environ.get(ENV_FILE_VARIABLE)
    path = Path(named) if named else Path(".env")
    if not path.is_file():
        if named:
            raise EnvFileError(f"{ENV_FILE_VARIABLE} names {path}, which is not a file")
        return []
    taken = []
    for key, value in parse_env_file(path.read_text(encoding="utf-8"), str(path)).items():
        if key not in environ:
            environ[key] = value
            taken.append(key)
    return taken
