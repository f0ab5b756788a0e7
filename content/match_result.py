"""What the matcher answers: a band and the entries behind it. Plain values with no
numpy, so the bot can import them (and render answers) before the matcher's own
modules are loaded in the thread that builds it (bot/app.py)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from content.model import Entry, SmalltalkIntent

MAX_SUGGESTIONS = 3


class MatchStatus(StrEnum):
    ANSWERED = "answered"
    AMBIGUOUS = "ambiguous"
    NO_MATCH = "no_match"
    SMALLTALK = "smalltalk"


@dataclass(frozen=True)
class Candidate:
    entry: Entry
    score: float  # the ranking model's share for this entry, 0..100


@dataclass(frozen=True)
class MatchResult:
    """`candidates`: for ANSWERED the answer then close runners-up; for AMBIGUOUS the
    choices; for NO_MATCH the nearest entries (for authors), best first.
    `confidence`: the estimated probability that the first candidate is right."""

    status: MatchStatus
    query: str
    candidates: tuple[Candidate, ...] = ()
    smalltalk: SmalltalkIntent | None = None
    confidence: float = 0.0

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None
