"""Small talk and questions about the bot itself, as intents of their own.

Each intent in smalltalk.yaml has example phrases. A message is matched to an
intent by, in turn: its emoji alone (👋, 🙏🏾, 👍), the exact words of an example
(case, punctuation, emoji and words that only address the bot never matter), a
near spelling of one ("thnks"), and finally closeness in meaning to the examples
("much appreciated, boss").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process

from content.encoder import Vectors
from content.model import SmalltalkIntent
from content.normalize import Normalizer

SPELLING_CUTOFF = 90.0
SPELLING_SIMILARITY = 0.95  # what a near spelling counts as, on the cosine scale
# What an emoji-only message means; any other emoji-only message is a friendly nod.
EMOJI_INTENTS = {
    "👋": "greeting",
    "🙋": "greeting",
    "🤝": "greeting",
    "🙏": "thanks",
    "❤": "thanks",
    "💯": "thanks",
    "🥰": "thanks",
    "😍": "thanks",
    "🤗": "thanks",
    "👎": "complaint",
    "😡": "complaint",
    "🤦": "complaint",
    "😤": "complaint",
    "✌": "farewell",
    "💤": "farewell",
    "😴": "farewell",
}
DEFAULT_EMOJI_INTENT = "acknowledgement"
# The bot's name, except in "Project Nexus" (or "my nexus project"): the program's
# capstone project, which a learner names to ask about it, not to address the bot.
_BOT_NAME = r"(?<!project )(?<!project-)nexus(?![\s-]+project)"
# Openers that leave a question behind them: "hi, what's an etag" asks about ETags.
_OPENER = re.compile(
    r"^\s*(?:(?:hi|hello|hey|heya|hiya|yo|good\s+(?:morning|afternoon|evening|day)|"
    rf"how\s+far|sasa|chale|abeg|please|pls|plz|bro|boss|sir|ma|{_BOT_NAME})\b[\s,.!:;-]*)+",
    re.IGNORECASE,
)


def is_symbol(char: str) -> bool:
    """Emoji, their skin tones and joiners, and other pictographs."""
    return unicodedata.category(char) in {"So", "Sk", "Cs"} or char in "\u200d\ufe0f\ufe0e"


def without_symbols(text: str) -> str:
    return "".join(" " if is_symbol(c) else c for c in text).strip()


# The bot's own name says nothing about the question ("thanks nexus", "nexus, what is ...").
_NAME = re.compile(rf"\b{_BOT_NAME}\b[\s,.!?:;-]*", re.IGNORECASE)


def without_name(text: str) -> str:
    rest = _NAME.sub(" ", text).strip()
    return rest if any(c.isalnum() for c in rest) else text


# Words that address the reader or set the tone, in the learners' English, say nothing
# about what a message is for: "chale, thank you oo" thanks, "oshey nexus" praises.
# Without them, "chale i get it" is not taken for the greeting "chale".
_ADDRESS = re.compile(
    rf"\b(?:{_BOT_NAME}|chale|boss|bro|sir|ma|madam|msee|my\s+guy|o+|jare|sef|abeg)\b"
    r"[\s,.!?:;-]*",
    re.IGNORECASE,
)


def without_address(text: str) -> str:
    """The message without words that only address the reader, when something is left."""
    rest = _ADDRESS.sub(" ", text).strip()
    return rest if any(c.isalnum() for c in rest) else text


def without_opener(text: str) -> str:
    """The message without a leading greeting or the bot's name, when something is left."""
    rest = _OPENER.sub("", without_name(text), count=1).strip()
    return rest if any(c.isalnum() for c in rest) else text


@dataclass(frozen=True)
class IntentMatch:
    intent: SmalltalkIntent
    similarity: float  # 0..1, cosine-like; 1.0 for emoji and exact examples


class SmalltalkClassifier:
    def __init__(
        self,
        intents: Sequence[SmalltalkIntent],
        normalizer: Normalizer,
        vectors: Vectors,
    ) -> None:
        """`vectors`: one per example phrase, in intents' and phrases' order."""
        self._normalizer = normalizer
        self._by_id = {intent.id: intent for intent in intents}
        self._owners = [intent for intent in intents for _ in intent.phrases]
        self._keys = [self.key(p) for intent in intents for p in intent.phrases]
        self._exact = {
            key: owner for key, owner in zip(self._keys, self._owners, strict=True) if key
        }
        self._vectors = vectors

    @staticmethod
    def phrases(intents: Sequence[SmalltalkIntent]) -> list[str]:
        return [p for intent in intents for p in intent.phrases]

    def key(self, text: str) -> str:
        return " ".join(self._normalizer.tokens(without_address(without_symbols(text))))

    def classify(self, text: str, vector: Vectors | None) -> IntentMatch | None:
        """The intent of `text` (its vector from the same encoder, if it has words)."""
        if not self._owners:
            return None
        if not any(c.isalnum() for c in text):
            symbols = [c for c in text if is_symbol(c) and c not in "\u200d\ufe0f\ufe0e"]
            if not symbols:
                return None  # "??" or "..." says nothing
            intent_id = next(
                (EMOJI_INTENTS[c] for c in symbols if c in EMOJI_INTENTS), DEFAULT_EMOJI_INTENT
            )
            intent = self._by_id.get(intent_id)
            return IntentMatch(intent, 1.0) if intent else None
        key = self.key(text)
        if key in self._exact:
            return IntentMatch(self._exact[key], 1.0)
        best: IntentMatch | None = None
        if key:
            found = process.extractOne(
                key, self._keys, scorer=fuzz.ratio, score_cutoff=SPELLING_CUTOFF
            )
            if found is not None:
                best = IntentMatch(self._owners[found[2]], SPELLING_SIMILARITY)
        if vector is not None and len(self._vectors):
            similarities = self._vectors @ vector
            top = int(np.argmax(similarities))
            if best is None or similarities[top] > best.similarity:
                best = IntentMatch(self._owners[top], float(similarities[top]))
        return best
