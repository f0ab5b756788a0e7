"""Load the YAML knowledge base into domain objects, collecting every problem found.

A parse step turns each YAML item into a dataclass (type and required-field errors),
then `content.validation` checks what spans items (ids, links, limits, HTML).
"""

from __future__ import annotations

import math
from dataclasses import fields
from pathlib import Path
from typing import Any

import yaml

from content.model import (
    Entry,
    KnowledgeBase,
    MatcherSettings,
    QuizItem,
    SmalltalkIntent,
    Tip,
    Topic,
)
from content.overlap import near_duplicate_phrasings
from content.problems import ContentError, Problem
from content.validation import validate

# libyaml's C loader when PyYAML was built with it: the same safe subset of YAML,
# about 15x faster than the pure-Python loader on the bundled content.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

BUNDLED_CONTENT_DIR = Path(__file__).parent / "data"


class _Reader:
    """Reads one file's items, recording problems with file/item/field context."""

    def __init__(
        self, root: Path, path: Path, problems: list[Problem], origins: dict[str, str]
    ) -> None:
        self.name = path.relative_to(root).as_posix()
        self.path = path
        self.problems = problems
        self.origins = origins

    def load(self, key: str) -> list[Any]:
        try:
            with self.path.open(encoding="utf-8") as handle:
                data = yaml.load(handle, Loader=SAFE_LOADER)
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


def _read_topics(reader: _Reader) -> list[Topic]:
    topics = []
    for item, raw in _items(reader, "topics"):
        reader.unknown_fields(raw, item, {"id", "title", "description", "min_entries"})
        minimum = raw.get("min_entries", 0)
        topics.append(
            Topic(
                id=item,
                title=reader.text(raw, item, "title"),
                description=reader.text(raw, item, "description", required=False),
                min_entries=minimum if isinstance(minimum, int) else 0,
            )
        )
    return topics


def _read_entries(reader: _Reader) -> list[Entry]:
    entries = []
    for item, raw in _items(reader, "entries"):
        reader.unknown_fields(raw, item, {f.name for f in fields(Entry)})
        entries.append(
            Entry(
                id=item,
                topic=reader.text(raw, item, "topic"),
                title=reader.text(raw, item, "title"),
                questions=reader.texts(raw, item, "questions"),
                keywords=reader.texts(raw, item, "keywords", required=False),
                answer=reader.text(raw, item, "answer"),
                related=reader.texts(raw, item, "related", required=False),
            )
        )
    return entries


def _read_quizzes(reader: _Reader) -> list[QuizItem]:
    quizzes = []
    for item, raw in _items(reader, "quizzes"):
        reader.unknown_fields(raw, item, {f.name for f in fields(QuizItem)})
        quizzes.append(
            QuizItem(
                id=item,
                entry=reader.text(raw, item, "entry"),
                difficulty=reader.integer(raw, item, "difficulty"),
                question=reader.text(raw, item, "question"),
                options=reader.texts(raw, item, "options"),
                correct=reader.integer(raw, item, "correct"),
                explanation=reader.text(raw, item, "explanation"),
            )
        )
    return quizzes


def _read_tips(reader: _Reader) -> list[Tip]:
    tips = []
    for item, raw in _items(reader, "tips"):
        reader.unknown_fields(raw, item, {"id", "entry", "text"})
        tips.append(
            Tip(id=item, entry=reader.text(raw, item, "entry"), text=reader.text(raw, item, "text"))
        )
    return tips


def _read_smalltalk(reader: _Reader) -> list[SmalltalkIntent]:
    intents = []
    for item, raw in _items(reader, "smalltalk"):
        reader.unknown_fields(raw, item, {"id", "phrases", "reply"})
        intents.append(
            SmalltalkIntent(
                id=item,
                phrases=reader.texts(raw, item, "phrases"),
                reply=reader.text(raw, item, "reply"),
            )
        )
    return intents


def _read_synonyms(reader: _Reader) -> dict[str, tuple[str, ...]]:
    synonyms: dict[str, tuple[str, ...]] = {}
    for item, raw in _items(reader, "synonyms"):
        reader.unknown_fields(raw, item, {"id", "variants"})
        synonyms[item] = reader.texts(raw, item, "variants")
    return synonyms


def _read_matcher_settings(root: Path, problems: list[Problem]) -> MatcherSettings:
    """The matcher's settings; anything missing, unreadable or out of range is an error
    (a NaN threshold would make every question a "did you mean")."""

    def problem(field: str, message: str) -> MatcherSettings:
        problems.append(Problem("matcher.yaml", "thresholds", field, message))
        return MatcherSettings()

    path = root / "matcher.yaml"
    if not path.is_file():
        problems.append(
            Problem("matcher.yaml", "-", "-", "missing: write it with bench/calibrate_matcher.py")
        )
        return MatcherSettings()
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
    except UnicodeDecodeError as error:
        problems.append(Problem("matcher.yaml", "-", "-", f"not UTF-8 text (byte {error.start})"))
        return MatcherSettings()
    except (OSError, yaml.YAMLError) as error:
        problems.append(Problem("matcher.yaml", "-", "-", f"cannot read YAML: {error}"))
        return MatcherSettings()
    if not isinstance(raw, dict):
        problems.append(Problem("matcher.yaml", "-", "-", "expected a top-level 'thresholds:' map"))
        return MatcherSettings()
    thresholds = raw.get("thresholds")
    if not isinstance(thresholds, dict) or not thresholds:
        return problem("thresholds", "expected a map of setting: number")
    known = {f.name for f in fields(MatcherSettings)}
    values: dict[str, float] = {}
    for name, value in thresholds.items():
        if name not in known:
            problem(str(name), "unknown setting")
        elif isinstance(value, bool) or not isinstance(value, (int, float)):
            problem(name, f"expected a number, got {value!r}")
        elif not math.isfinite(value):
            problem(name, f"expected a finite number, got {value}")
        elif (low_high := _SETTING_RANGES.get(_range_key(name))) and not (
            low_high[0] <= value <= low_high[1]
        ):
            problem(name, f"expected {low_high[0]:g} to {low_high[1]:g}, got {value:g}")
        else:
            values[name] = float(value)
    settings = MatcherSettings(**values)
    if settings.suggest_probability > settings.answer_probability:
        problem("suggest_probability", "must not be above answer_probability")
    return settings


# Allowed ranges of the settings with a meaning of their own (the model weights,
# rank_* and confidence_*, may take any finite value).
_SETTING_RANGES = {
    "probability": (0.0, 1.0),
    "similarity": (0.0, 1.0),
    "weight": (0.0, 1.0),
    "margin": (0.0, 100.0),
}


def _range_key(name: str) -> str:
    if name.endswith("_probability"):
        return "probability"
    if name.startswith("smalltalk_"):
        return "similarity"
    if name.endswith("_weight"):
        return "weight"
    return name


def _required_files(root: Path) -> list[Problem]:
    """The parts every content folder needs, each with at least one item file."""
    return [
        Problem(f"{folder}/", "-", "-", "missing or empty: at least one .yaml file is needed")
        for folder in ("entries", "quizzes", "tips")
        if not _files(root, folder)
    ]


def _files(root: Path, folder: str) -> list[Path]:
    return sorted((root / folder).glob("*.yaml")) if (root / folder).is_dir() else []


def read_content(root: Path, thorough: bool = False) -> tuple[KnowledgeBase, list[Problem]]:
    """Parse and validate everything under `root`; never raises for bad content.

    `thorough` adds the slower authoring checks (near-duplicate phrasings), for
    `nexus-bot content check` rather than every start.
    """
    problems: list[Problem] = []
    origins: dict[str, str] = {}
    if not (root / "topics.yaml").is_file():
        problems.append(Problem(str(root), "-", "-", "no topics.yaml: is this a content folder?"))
        return KnowledgeBase(topics=(), entries=()), problems

    def read(path: Path, reader_fn: Any) -> Any:
        return reader_fn(_Reader(root, path, problems, origins))

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
        matcher_settings=_read_matcher_settings(root, problems),
    )
    problems.extend(validate(kb, origins))
    if thorough:
        problems.extend(near_duplicate_phrasings(kb, origins))
    return kb, problems


def load_knowledge_base(root: Path | None = None) -> KnowledgeBase:
    """The validated knowledge base; raises ContentError listing every error (not warnings)."""
    kb, problems = read_content(root or BUNDLED_CONTENT_DIR)
    errors = [p for p in problems if not p.warning]
    if errors:
        raise ContentError(errors)
    return kb
