"""The matcher's lexical index, kept on disk between starts.

Building it tokenizes every title, phrasing, keyword and answer of the knowledge
base: about half of a warm start (0.8 s of 1.6 s measured with 487 entries).
Reading it back takes a few hundredths of a second. The file is named by a hash
of everything the index is built from (the entries' texts, the synonyms and the
source of the code that tokenizes and weighs them), so changed content or code
never reads a stale index: it builds a new one (and keeps a few older ones, for
other content sharing the folder).

JSON, not pickle: the cache folder may be shared, and reading it must never run
code. An unreadable or foreign file is rebuilt, never a failed start.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from pathlib import Path

from content import lexical, normalize, stop_words, telegram_html
from content.atomic_file import remove_older, write_atomically
from content.lexical import LexicalIndex
from content.model import Entry
from content.normalize import Normalizer

FORMAT = 1  # of the file's contents; part of the hash
PREFIX = "lexical-"
# Indexes of other content kept beside the newest: a test run, or a staging and a
# production bot sharing a cache folder, would otherwise rebuild at every start.
KEEP_OTHERS = 3
# The modules whose code decides what the index holds.
_BUILDERS = (lexical, normalize, stop_words, telegram_html)

log = logging.getLogger(__name__)


def fingerprint(entries: Sequence[Entry], normalizer: Normalizer) -> str:
    """A hash of everything a LexicalIndex of `entries` is built from."""
    digest = hashlib.sha256(f"format {FORMAT}\n".encode())
    for module in _BUILDERS:
        digest.update(Path(str(module.__file__)).read_bytes())
    described = {
        "variants": sorted(normalizer.variants.items()),
        "entries": [[e.title, e.questions, e.keywords, e.answer] for e in entries],
    }
    digest.update(json.dumps(described, ensure_ascii=False).encode())
    return digest.hexdigest()[:32]


def lexical_index(
    entries: Sequence[Entry], normalizer: Normalizer, folder: Path | None
) -> LexicalIndex:
    """The index of `entries`: read from `folder` when built there before, else built
    (and stored there for the next start). `folder=None` always builds."""
    if folder is None:
        return LexicalIndex(entries, normalizer)
    try:
        path = folder / f"{PREFIX}{fingerprint(entries, normalizer)}.json"
    except OSError as error:  # the code's source unreadable (a frozen or zipped install)
        log.warning("Building the word index without a cache: %s", error)
        return LexicalIndex(entries, normalizer)
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
        return LexicalIndex(entries, normalizer, state=state)
    except FileNotFoundError:
        pass
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        log.warning("Rebuilding the word index: %s is unreadable (%s)", path, error)
    index = LexicalIndex(entries, normalizer)
    _store(path, index)
    return index


def _store(path: Path, index: LexicalIndex) -> None:
    """Write the index, and remove the indexes of other content beyond the
    KEEP_OTHERS most recently written."""
    state = json.dumps(index.state(), ensure_ascii=False, separators=(",", ":"))
    try:
        write_atomically(path, lambda out: out.write(state.encode("utf-8")))
    except OSError as error:
        # A read-only or full disk costs a rebuild at the next start, nothing more.
        log.warning("Could not save the word index in %s: %s", path.parent, error)
        return
    remove_older(path, f"{PREFIX}*.json", KEEP_OTHERS)
