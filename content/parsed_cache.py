"""The content folder's parsed YAML, kept on disk between starts.

libyaml parses in C, but PyYAML still builds every value in Python: the shipped
content (2.5 MB of YAML) takes about 0.17 s to read at every start, and JSON of
the same values about a tenth of that. So a start keeps what each file parsed to,
under a hash of the file's bytes, in one JSON file per state of the content folder
(`parsed-<hash>.json` in the vector cache's folder); a changed file is parsed
again, and the next start writes a new state. Only values that survive a round
trip through JSON unchanged are kept (a YAML date or a number used as a key is
parsed each time), so what the loader sees is the same either way.

JSON, not pickle: the cache folder may be shared, and reading it must never run
code. An unreadable or foreign file is ignored, never a failed start.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import Any

from content.atomic_file import remove_older, write_atomically

FORMAT = 1  # of the file's contents; part of its name's hash
PREFIX = "parsed-"
KEEP_OTHERS = 3  # states of other content folders (tests, a staging bot) kept beside
_MISSING = object()

log = logging.getLogger(__name__)


class ParsedFiles:
    """What each YAML file of one content folder parsed to, by the hash of its bytes
    when `open` read them.

    `ParsedFiles(None)` keeps nothing: every file is parsed (the default of
    `read_content`, and what `nexus-bot content check` uses)."""

    def __init__(self, folder: Path | None) -> None:
        self._folder = folder
        self._digests: dict[Path, str] = {}  # each file's, as `open` read it
        self._known: dict[str, Any] = {}
        self._read: dict[str, Any] = {}  # this run's files: digest -> value
        self._path: Path | None = None

    def open(self, root: Path) -> None:
        """Look for the state of `root`'s YAML files as they are now."""
        if self._folder is None:
            return
        try:
            self._digests = {path: _digest(path.read_bytes()) for path in root.rglob("*.yaml")}
        except OSError:
            self._digests = {}
            return  # read as usual; the loader reports what it cannot read
        state = hashlib.sha256(f"format {FORMAT}\n".encode())
        state.update(
            "\n".join(
                sorted(f"{p.relative_to(root).as_posix()}\0{d}" for p, d in self._digests.items())
            ).encode()
        )
        self._path = self._folder / f"{PREFIX}{state.hexdigest()[:32]}.json"
        try:
            known = json.loads(self._path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return
        if isinstance(known, dict):
            self._known = known

    def value(self, path: Path) -> Any:
        """What `path` parsed to, if this state holds it; else _MISSING."""
        digest = self._digests.get(path)
        return _MISSING if digest is None else self._known.get(digest, _MISSING)

    def keep(self, path: Path, value: Any) -> None:
        """Remember what `path` parsed to, if JSON gives the same value back and the
        file is still what `open` read (an edit in between keeps nothing). Only a file
        that had to be parsed is read twice."""
        digest = self._digests.get(path)
        if self._path is None or digest is None:
            return
        try:
            if _digest(path.read_bytes()) != digest:
                return
        except OSError:
            return
        try:
            same = json.loads(json.dumps(value, ensure_ascii=False)) == value
        except (TypeError, ValueError):
            same = False
        if same:
            self._read[digest] = value

    def save(self) -> None:
        """Write this state, if some file had to be parsed (files whose value JSON
        cannot hold are left out, and parsed at every start)."""
        if self._path is None or not self._read or self._path.exists():
            return
        text = json.dumps({**self._known, **self._read}, ensure_ascii=False)
        try:
            write_atomically(self._path, lambda out: out.write(text.encode("utf-8")))
        except OSError as error:  # a read-only or full disk: parse again next time
            log.warning("Could not keep the parsed content in %s: %s", self._path.parent, error)
            return
        remove_older(self._path, f"{PREFIX}*.json", KEEP_OTHERS)


def is_missing(value: Any) -> bool:
    return value is _MISSING


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:32]
