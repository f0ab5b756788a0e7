"""Text normalisation shared by the matcher and the content checks.

Both the learner's question and the knowledge base go through the same steps, so
"DRF", "django-rest-framework" and "drf" become one token, "indexes" meets "index"
and "how do I" carries no weight.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from content.stop_words import STOP_WORDS

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "´": "'"})  # and "`", in fold()
_SPLIT = re.compile(r"[^a-z0-9]+")


_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def fold(text: str) -> str:
    """Lowercase, strip accents, unify apostrophes: 'Café’s' -> "cafe's"."""
    text = text.replace("`", "'")
    if not text.isascii():
        # Only the runs of non-ASCII characters need decomposing: an answer with one
        # arrow or emoji is otherwise walked character by character in Python
        # (measured: a sixth of the time to build the matcher's word index).
        text = _NON_ASCII.sub(_plain, text)
    return text.lower()


def _plain(run: re.Match[str]) -> str:
    """A run of non-ASCII characters, apostrophes unified and accents dropped."""
    decomposed = unicodedata.normalize("NFKD", run.group().translate(_APOSTROPHES))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=65536)
def stem(token: str) -> str:
    """A deliberately light suffix stripper: plural, -ing, -ed, final -e.

    Applied to both sides, it only has to be consistent, not linguistically right:
    "caching", "caches", "cached" and "cache" all become "cach".
    """
    if len(token) <= 3 or not token.isalpha():
        return token
    for suffix, replacement in (
        ("ies", "y"),
        ("sses", "ss"),
        ("xes", "x"),
        ("ches", "ch"),
        ("shes", "sh"),
    ):
        if token.endswith(suffix):
            return token[: -len(suffix)] + replacement
    if token.endswith("s") and not token.endswith(("ss", "us", "is")):
        token = token[:-1]
    if token.endswith("ing") and len(token) > 5:
        token = token[:-3]
    elif token.endswith("ed") and len(token) > 4:
        token = token[:-2]
    if token.endswith("e") and len(token) > 4:
        token = token[:-1]
    return token


class Normalizer:
    """Turns text into matcher tokens, folding synonyms to their canonical token."""

    def __init__(self, synonyms: dict[str, tuple[str, ...]] | None = None) -> None:
        variants: dict[str, str] = {}
        for canonical, forms in (synonyms or {}).items():
            for form in (*forms, canonical):
                variants[fold(form).strip()] = canonical
        # Longest first, so "django rest framework" wins over "django".
        ordered = sorted(variants, key=len, reverse=True)
        self._variants = variants
        self._pattern = (
            re.compile(
                r"(?<![a-z0-9])(" + "|".join(_flexible(v) for v in ordered) + r")(?![a-z0-9+])"
            )
            if ordered
            else None
        )

    @property
    def variants(self) -> dict[str, str]:
        """Each folded synonym form and the canonical token it becomes."""
        return dict(self._variants)

    def _canonical(self, match: re.Match[str]) -> str:
        found = re.sub(r"[\s_\-.]+", " ", match.group(1))
        return " " + self._variants.get(found, self._variants.get(match.group(1), found)) + " "

    def tokens(self, text: str) -> list[str]:
        """All tokens, stop words included (for smalltalk and display)."""
        folded = fold(text).replace("_", " ")
        if self._pattern is not None:
            folded = self._pattern.sub(self._canonical, folded)
        return [stem(token) for token in _SPLIT.split(folded) if token]

    def terms(self, text: str) -> list[str]:
        """Tokens that can tell concepts apart (no stop words), repeats kept."""
        return [token for token in self.tokens(text) if token not in STOP_WORDS]

    def content_tokens(self, text: str) -> list[str]:
        """`terms` without repeats, in order of first appearance."""
        return list(dict.fromkeys(self.terms(text)))


def _flexible(variant: str) -> str:
    """A regex for a variant that tolerates '-', '_', '.' or spaces between its words."""
    parts = [re.escape(p) for p in re.split(r"[\s_\-.]+", variant) if p]
    return r"[\s_\-.]*".join(parts)
