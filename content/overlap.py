"""Phrasings of different entries that are near-duplicates steal each other's
matches; `nexus-bot content check` warns about them."""

from __future__ import annotations

from rapidfuzz import fuzz, process

from content.model import KnowledgeBase
from content.normalize import Normalizer
from content.problems import Problem

NEAR_DUPLICATE = 95.0


def near_duplicate_phrasings(
    kb: KnowledgeBase, origins: dict[str, str], cutoff: float = NEAR_DUPLICATE
) -> list[Problem]:
    normalizer = Normalizer(kb.synonyms)
    texts: list[str] = []
    owners: list[tuple[str, int]] = []
    for entry in kb.entries:
        for index, phrasing in enumerate(entry.questions):
            normalized = " ".join(normalizer.content_tokens(phrasing))
            if normalized:
                texts.append(normalized)
                owners.append((entry.id, index))
    warnings = []
    for i, text in enumerate(texts):
        entry_a, index_a = owners[i]
        for _, score, j in process.extract(
            text, texts, scorer=fuzz.token_sort_ratio, score_cutoff=cutoff, limit=None
        ):
            entry_b, index_b = owners[j]
            if i < j and entry_a != entry_b:
                warnings.append(
                    Problem(
                        origins.get(f"entries:{entry_a}", "entries"),
                        entry_a,
                        f"questions[{index_a}]",
                        f"near-duplicate of {entry_b} questions[{index_b}] "
                        f"({score:.0f}%): make each phrasing specific to its entry",
                        warning=True,
                    )
                )
    return warnings
