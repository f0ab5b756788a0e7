"""callback_data formats (at most 64 bytes): short, versionless, parsed defensively.

Buttons outlive the content they point at (a reload, a restart), so every parse
may return None and the handler answers politely. Anyone can send any callback
data, so numbers are read strictly: ASCII digits only, ids within 1..MAX_INT and
positions, choices and pages within 0..MAX_INT, so a forged button is a stale
button rather than an overflow in the database. Confirmations (/forget, /reset)
carry the id of the user they were shown to: nobody else's press counts.
"""

from __future__ import annotations

from dataclasses import dataclass

LIMIT = 64
MAX_INT = 2**31 - 1  # the largest INTEGER both SQLite and PostgreSQL hold
_MAX_DIGITS = len(str(MAX_INT))
OWNER_MAX = 2**63 - 1  # Telegram user ids fit in 52 bits; this is BIGINT's ceiling


@dataclass(frozen=True)
class ShowEntry:
    short_id: str


@dataclass(frozen=True)
class PickSuggestion:
    short_id: str
    log_id: int


@dataclass(frozen=True)
class ShowTopics:
    page: int


@dataclass(frozen=True)
class ShowTopic:
    topic_id: str
    page: int


@dataclass(frozen=True)
class QuizAnswer:
    round_id: int
    position: int
    choice: int


@dataclass(frozen=True)
class QuizNext:
    round_id: int
    position: int


@dataclass(frozen=True)
class QuizTopic:
    topic_id: str  # "" = all topics


@dataclass(frozen=True)
class QuizEntry:
    short_id: str


@dataclass(frozen=True)
class ResetProgress:
    confirmed: bool
    owner: int | None = None  # who was asked; None only on prompts from before owners


@dataclass(frozen=True)
class TipsSwitch:
    on: bool
    edit: bool = True  # replace the pressed message (a settings view) or reply anew


@dataclass(frozen=True)
class Feedback:
    short_id: str
    helpful: bool


@dataclass(frozen=True)
class Forget:
    confirmed: bool
    owner: int | None = None  # who was asked; None only on prompts from before owners


@dataclass(frozen=True)
class TeachGroup:
    """Open the teach card of an inbox group (named by its key, not its position)."""

    group_key: str


@dataclass(frozen=True)
class TeachEntry:
    group_key: str
    short_id: str


@dataclass(frozen=True)
class OpenPath:
    """/path: the program's topics in order, with the learner's progress."""


@dataclass(frozen=True)
class OpenNext:
    """/next: the next concept on the learner's path."""


@dataclass(frozen=True)
class GroupQuiz:
    """ "Quiz the group" under a group tip: the tip's entry ("" if none)."""

    short_id: str


@dataclass(frozen=True)
class GroupQuizAnswer:
    """A member's option on a group quiz question."""

    round_id: int
    position: int
    choice: int


@dataclass(frozen=True)
class GroupQuizReveal:
    """Reveal a group quiz question now (only its round's starter may)."""

    round_id: int
    position: int


Callback = (
    ShowEntry
    | PickSuggestion
    | ShowTopics
    | ShowTopic
    | QuizAnswer
    | QuizNext
    | QuizTopic
    | QuizEntry
    | ResetProgress
    | TipsSwitch
    | Feedback
    | Forget
    | TeachGroup
    | TeachEntry
    | OpenPath
    | OpenNext
    | GroupQuiz
    | GroupQuizAnswer
    | GroupQuizReveal
)
# The prefixes the quiz and tip handlers own (registered before the general handler).
QUIZ_PATTERN = r"^(qa|qn|qt|qe|rs):"
TIPS_PATTERN = r"^tp:"
OPS_PATTERN = r"^(fb|fg):"
TEACH_PATTERN = r"^(tc|te):"
PATH_PATTERN = r"^(pt|nx)$"
GROUP_PATTERN = r"^gq:"
GROUP_QUIZ_PATTERN = r"^(ga|gr):"


def encode(callback: Callback) -> str:
    match callback:
        case ShowEntry(short_id):
            data = f"e:{short_id}"
        case PickSuggestion(short_id, log_id):
            data = f"m:{short_id}:{log_id}"
        case ShowTopics(page):
            data = f"ts:{page}"
        case ShowTopic(topic_id, page):
            data = f"t:{topic_id}:{page}"
        case QuizAnswer(round_id, position, choice):
            data = f"qa:{round_id}:{position}:{choice}"
        case QuizNext(round_id, position):
            data = f"qn:{round_id}:{position}"
        case QuizTopic(topic_id):
            data = f"qt:{topic_id}"
        case QuizEntry(short_id):
            data = f"qe:{short_id}"
        case ResetProgress(confirmed, owner):
            data = f"rs:{'y' if confirmed else 'n'}{_owned(owner)}"
        case Feedback(short_id, helpful):
            data = f"fb:{short_id}:{int(helpful)}"
        case Forget(confirmed, owner):
            data = f"fg:{'y' if confirmed else 'n'}{_owned(owner)}"
        case TipsSwitch(on, edit):
            data = f"tp:{int(on)}:{'e' if edit else 'n'}"
        case TeachGroup(group_key):
            data = f"tc:{group_key}"
        case TeachEntry(group_key, short_id):
            data = f"te:{group_key}:{short_id}"
        case OpenPath():
            data = "pt"
        case OpenNext():
            data = "nx"
        case GroupQuiz(short_id):
            data = f"gq:{short_id}"
        case GroupQuizAnswer(round_id, position, choice):
            data = f"ga:{round_id}:{position}:{choice}"
        case GroupQuizReveal(round_id, position):
            data = f"gr:{round_id}:{position}"
    if len(data.encode()) > LIMIT:
        raise ValueError(f"callback_data over {LIMIT} bytes: {data!r}")
    return data


def _owned(owner: int | None) -> str:
    return "" if owner is None else f":{owner}"


def _owner(text: str) -> int:
    """A confirmation's owner: a user id, which may exceed MAX_INT (never stored from here)."""
    if not (text.isascii() and text.isdigit() and 1 <= len(text) <= 19):
        raise ValueError(f"not a user id: {text!r}")
    owner = int(text)
    if not 1 <= owner <= OWNER_MAX:
        raise ValueError(f"not a user id: {text!r}")
    return owner


def _number(text: str, low: int = 0) -> int:
    """`text` as an int in low..MAX_INT; unlike int(), no signs, spaces, "_" or other scripts."""
    readable = text.isascii() and text.isdigit() and len(text) <= _MAX_DIGITS
    if not (readable and low <= int(text) <= MAX_INT):
        raise ValueError(f"not a number the bot writes: {text!r}")
    return int(text)


def _id(text: str) -> int:
    return _number(text, low=1)


def decode(data: str | None) -> Callback | None:
    parts = (data or "").split(":")
    try:
        match parts:
            case ["e", short_id]:
                return ShowEntry(short_id)
            case ["m", short_id, log_id]:
                return PickSuggestion(short_id, _id(log_id))
            case ["ts", page]:
                return ShowTopics(_number(page))
            case ["t", topic_id, page]:
                return ShowTopic(topic_id, _number(page))
            case ["qa", round_id, position, choice]:
                return QuizAnswer(_id(round_id), _number(position), _number(choice))
            case ["qn", round_id, position]:
                return QuizNext(_id(round_id), _number(position))
            case ["qt", topic_id]:
                return QuizTopic(topic_id)
            case ["qe", short_id]:
                return QuizEntry(short_id)
            case ["rs", answer] if answer in ("y", "n"):
                return ResetProgress(answer == "y")
            case ["rs", answer, owner] if answer in ("y", "n"):
                return ResetProgress(answer == "y", _owner(owner))
            case ["fb", short_id, helpful] if helpful in ("0", "1"):
                return Feedback(short_id, helpful == "1")
            case ["fg", answer] if answer in ("y", "n"):
                return Forget(answer == "y")
            case ["fg", answer, owner] if answer in ("y", "n"):
                return Forget(answer == "y", _owner(owner))
            case ["tp", on, mode] if on in ("0", "1") and mode in ("e", "n"):
                return TipsSwitch(on == "1", mode == "e")
            case ["tc", group_key] if group_key:
                return TeachGroup(group_key)
            case ["te", group_key, short_id] if group_key and short_id:
                return TeachEntry(group_key, short_id)
            case ["pt"]:
                return OpenPath()
            case ["nx"]:
                return OpenNext()
            case ["gq", short_id]:
                return GroupQuiz(short_id)
            case ["ga", round_id, position, choice]:
                return GroupQuizAnswer(_id(round_id), _number(position), _number(choice))
            case ["gr", round_id, position]:
                return GroupQuizReveal(_id(round_id), _number(position))
    except ValueError:
        return None
    return None
