"""Learner English to plain English, before a question is matched.

Many of the program's learners mix English technical words with Nigerian Pidgin,
Swahili and Sheng, or Ghanaian English ("celery task yangu inakaa pending,
nifanye aje?"). The sentence encoder only knows English, so the question's
learner words are rewritten with the lexicon in `learner_words.yaml` (whole words,
case-insensitive, longest phrase first) before both the encoder and the word
index see it. Technical words are never in the lexicon, so they pass unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import yaml

from content.problems import Problem
from content.settings_file import SAFE_LOADER

FILE_NAME = "learner_words.yaml"


class LearnerEnglish:
    def __init__(self, phrases: Mapping[str, str]) -> None:
        self._plain = {" ".join(k.lower().split()): v.strip() for k, v in phrases.items()}
        keys = sorted(self._plain, key=len, reverse=True)
        # A phrase's words may be separated by any run of spaces; never inside a word.
        alternatives = "|".join(r"\s+".join(map(re.escape, k.split())) for k in keys if k)
        self._pattern = (
            re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE) if keys else None
        )

    def rewrite(self, text: str) -> str:
        if self._pattern is None:
            return text
        plain = self._pattern.sub(lambda m: self._plain[" ".join(m.group(0).lower().split())], text)
        return " ".join(plain.split())


def read_learner_words(root: Path, problems: list[Problem]) -> dict[str, str]:
    """The lexicon of a content folder (empty when it has none); problems are appended."""
    path = root / FILE_NAME
    if not path.exists():
        return {}
    try:
        with path.open(encoding="utf-8") as handle:
            data = yaml.load(handle, Loader=SAFE_LOADER)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        problems.append(Problem(FILE_NAME, "-", "-", f"cannot read: {error}".replace("\n", " ")))
        return {}
    phrases = data.get("phrases") if isinstance(data, dict) else None
    if not isinstance(phrases, dict):
        problems.append(Problem(FILE_NAME, "-", "phrases", "expected a 'phrases:' mapping"))
        return {}
    found: dict[str, str] = {}
    for key, value in phrases.items():
        if not isinstance(key, str) or not key.strip():
            problems.append(Problem(FILE_NAME, str(key), "-", "expected a word or phrase"))
        elif value is not None and not isinstance(value, str):
            problems.append(Problem(FILE_NAME, key, "-", "expected plain English text or ''"))
        else:
            found[key] = value or ""
    return found
