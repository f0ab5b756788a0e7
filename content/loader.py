"""Load the YAML knowledge base into domain objects, collecting every problem found.

A parse step turns each YAML item into a dataclass (type and required-field errors),
then `content.validation` checks what spans items (ids, links, limits, HTML).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from content.duplicate_keys import duplicate_key_problems
from content.learner_english import read_learner_words
from content.model import (
    Entry,
    KnowledgeBase,
    QuizItem,
    SmalltalkIntent,
    Tip,
    Topic,
)
from content.overlap import near_duplicate_phrasings
from content.parsed_cache import ParsedFiles, is_missing
from content.problems import ContentError, Problem
from content.settings_file import SAFE_LOADER, read_matcher_settings
from content.validation import validate

BUNDLED_CONTENT_DIR = Path(__file__).parent / "data"


class _Reader:
    """Reads one file's items, recording problems with file/item/field context."""

    def __init__(
        self,
        root: Path,
        path: Path,
        problems: list[Problem],
        origins: dict[str, str],
        parsed: ParsedFiles,
    ) -> None:
        self.name = path.relative_to(root).as_posix()
        self.path = path
        self.problems = problems
        self.origins = origins
        self.parsed = parsed

    def load(self, key: str) -> list[Any]:
        try:
            data = self.parsed.value(self.path)
            if is_missing(data):
                # From the file, as before: YAML's error messages name it.
                with self.path.open(encoding="utf-8") as handle:
                    data = yaml.load(handle, Loader=SAFE_LOADER)
                self.parsed.keep(self.path, data)
        except UnicodeDecodeError as error:
            self.problem("-", "-", f"not UTF-8 text (byte {error.start}): save the file as UTF-8")
            return []
        except (OSError, yaml.YAMLError) as error:
            self.problem("-", "-", f"cannot read YAML: {error}".replace("\n", " "))
            return []
        if data is None:
            return []
        if not isinstance(data, dict) or not isinstance(data.get(key), list):
            self.problem("-", key, f"expected a top-level '{key}:' list")
            return []
        items: list[Any] = data[key]
        return items

    def problem(self, item: str, field: str, message: str) -> None:
        self.problems.append(Problem(self.name, item, field, message))

    def text(self, raw: dict[str, Any], item: str, name: str, required: bool = True) -> str:
        value = raw.get(name)
        if value is None:
            if required:
                self.problem(item, name, "missing")
            return ""
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            self.problem(item, name, f"expected text, got {type(value).__name__}")
            return ""
        return str(value).strip()

    def texts(
        self, raw: dict[str, Any], item: str, name: str, required: bool = True
    ) -> tuple[str, ...]:
        value = raw.get(name)
        if value is None:
            if required:
                self.problem(item, name, "missing")
            return ()
        if not isinstance(value, list):
            self.problem(item, name, f"expected a list, got {type(value).__name__}")
            return ()
        result = []
        for index, element in enumerate(value):
            if not isinstance(element, (str, int, float)) or isinstance(element, bool):
                self.problem(item, f"{name}[{index}]", "expected text")
                continue
            result.append(str(element).strip())
        return tuple(result)

    def integer(self, raw: dict[str, Any], item: str, name: str) -> int:
        value = raw.get(name)
        if not isinstance(value, int) or isinstance(value, bool):
            self.problem(item, name, "missing" if value is None else "expected a whole number")
            return -1
        return value

    def field(self, kind: str, raw: dict[str, Any], item: str, name: str, required: bool) -> Any:
        if kind == "integer":
            return self.integer(raw, item, name)
        if kind == "texts":
            return self.texts(raw, item, name, required)
        return self.text(raw, item, name, required)

    def unknown_fields(self, raw: dict[str, Any], item: str, allowed: set[str]) -> None:
        for name in sorted(set(raw) - allowed):
            self.problem(item, name, "unknown field (typo?)")


def _items(reader: _Reader, key: str) -> list[tuple[str, dict[str, Any]]]:
    result = []
    for index, raw in enumerate(reader.load(key)):
        if not isinstance(raw, dict):
            reader.problem(f"#{index + 1}", "-", "expected a mapping with an id")
            continue
        item_id = str(raw.get("id") or f"#{index + 1}")
        if not raw.get("id"):
            reader.problem(item_id, "id", "missing")
        reader.origins.setdefault(f"{key}:{item_id}", reader.name)
        result.append((item_id, raw))
    return result


# How each field of an item is read: "text", "texts" (a list of text) or "integer";
# a field marked optional may be left out. Every item also has an id.
_Spec = dict[str, tuple[str, bool]]
_TOPIC: _Spec = {"title": ("text", True), "description": ("text", False)}
_ENTRY: _Spec = {
    "topic": ("text", True),
    "title": ("text", True),
    "questions": ("texts", True),
    "keywords": ("texts", False),
    "answer": ("text", True),
    "related": ("texts", False),
    "replaces": ("texts", False),
}
_QUIZ: _Spec = {
    "entry": ("text", True),
    "difficulty": ("integer", True),
    "question": ("text", True),
    "options": ("texts", True),
    "correct": ("integer", True),
    "explanation": ("text", True),
}
_TIP: _Spec = {"entry": ("text", True), "text": ("text", True)}
_SMALLTALK: _Spec = {"phrases": ("texts", True), "reply": ("text", True)}


def _read_items(
    reader: _Reader, key: str, spec: _Spec, extra: frozenset[str] = frozenset()
) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(id, raw mapping, the spec's fields read) for each item of the file."""
    found = []
    for item, raw in _items(reader, key):
        reader.unknown_fields(raw, item, {"id", *spec, *extra})
        values = {
            name: reader.field(kind, raw, item, name, required)
            for name, (kind, required) in spec.items()
        }
        found.append((item, raw, values))
    return found


def _read_topics(reader: _Reader) -> list[Topic]:
    topics = []
    for item, raw, values in _read_items(reader, "topics", _TOPIC, frozenset({"min_entries"})):
        minimum = raw.get("min_entries", 0)
        topics.append(
            Topic(id=item, min_entries=minimum if isinstance(minimum, int) else 0, **values)
        )
    return topics


def _read_entries(reader: _Reader) -> list[Entry]:
    return [Entry(id=item, **values) for item, _, values in _read_items(reader, "entries", _ENTRY)]


def _read_quizzes(reader: _Reader) -> list[QuizItem]:
    found = _read_items(reader, "quizzes", _QUIZ)
    return [QuizItem(id=item, **values) for item, _, values in found]


def _read_tips(reader: _Reader) -> list[Tip]:
    return [Tip(id=item, **values) for item, _, values in _read_items(reader, "tips", _TIP)]


def _read_smalltalk(reader: _Reader) -> list[SmalltalkIntent]:
    found = _read_items(reader, "smalltalk", _SMALLTALK)
    return [SmalltalkIntent(id=item, **values) for item, _, values in found]


def _read_synonyms(reader: _Reader) -> dict[str, tuple[str, ...]]:
    synonyms: dict[str, tuple[str, ...]] = {}
    for item, raw in _items(reader, "synonyms"):
        reader.unknown_fields(raw, item, {"id", "variants"})
        synonyms[item] = reader.texts(raw, item, "variants")
    return synonyms


def _required_files(root: Path) -> list[Problem]:
    """The parts every content folder needs, each with at least one item file."""
    return [
        Problem(f"{folder}/", "-", "-", "missing or empty: at least one .yaml file is needed")
        for folder in ("entries", "quizzes", "tips")
        if not _files(root, folder)
    ]


def _files(root: Path, folder: str) -> list[Path]:
    return sorted((root / folder).glob("*.yaml")) if (root / folder).is_dir() else []


def read_content(
    root: Path, thorough: bool = False, cache_folder: Path | None = None
) -> tuple[KnowledgeBase, list[Problem]]:
    """Parse and validate everything under `root`; never raises for bad content.

    `thorough` adds the slower authoring checks (near-duplicate phrasings), for
    `nexus-bot content check` rather than every start. `cache_folder` keeps the
    parsed files there for the next start (content/parsed_cache.py).
    """
    problems: list[Problem] = []
    origins: dict[str, str] = {}
    if not (root / "topics.yaml").is_file():
        problems.append(Problem(str(root), "-", "-", "no topics.yaml: is this a content folder?"))
        return KnowledgeBase(topics=(), entries=()), problems
    parsed = ParsedFiles(cache_folder)
    parsed.open(root)

    def read(path: Path, reader_fn: Any) -> Any:
        return reader_fn(_Reader(root, path, problems, origins, parsed))

    problems.extend(_required_files(root))
    topics = read(root / "topics.yaml", _read_topics)
    entries = [e for p in _files(root, "entries") for e in read(p, _read_entries)]
    quizzes = [q for p in _files(root, "quizzes") for q in read(p, _read_quizzes)]
    tips = [t for p in _files(root, "tips") for t in read(p, _read_tips)]
    for folder, found in (("entries", entries), ("quizzes", quizzes), ("tips", tips)):
        if _files(root, folder) and not found:
            problems.append(Problem(f"{folder}/", "-", "-", "no items: at least one is needed"))
    synonyms = (
        read(root / "synonyms.yaml", _read_synonyms) if (root / "synonyms.yaml").exists() else {}
    )
    smalltalk = (
        read(root / "smalltalk.yaml", _read_smalltalk) if (root / "smalltalk.yaml").exists() else []
    )
    kb = KnowledgeBase(
        topics=tuple(topics),
        entries=tuple(entries),
        quizzes=tuple(quizzes),
        tips=tuple(tips),
        synonyms=synonyms,
        smalltalk=tuple(smalltalk),
        learner_words=read_learner_words(root, problems),
        matcher_settings=read_matcher_settings(root, problems),
    )
    parsed.save()
    problems.extend(validate(kb, origins))
    if thorough:
        problems.extend(duplicate_key_problems(root))
        problems.extend(near_duplicate_phrasings(kb, origins))
    return kb, problems


def load_knowledge_base(
    root: Path | None = None, cache_folder: Path | None = None
) -> KnowledgeBase:
    """The validated knowledge base; raises ContentError listing every error (not warnings).
    `cache_folder`: see read_content."""
    kb, problems = read_content(root or BUNDLED_CONTENT_DIR, cache_folder=cache_folder)
    errors = [p for p in problems if not p.warning]
    if errors:
        raise ContentError(errors)
    return kb
