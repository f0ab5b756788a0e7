"""Pasted logs and terminal output, reduced to what says what went wrong.

Learners paste what their terminal shows: docker compose's `web-1  | ` before every
line, Celery's `[2025-03-02 10:15:04,221: ERROR/ForkPoolWorker-2]`, gunicorn's
`[2025-03-02 10:15:04 +0000] [1] [CRITICAL]`, GitHub Actions' timestamps and
`##[error]`, task ids, container hashes. Those prefixes are the same whatever went
wrong: their words and numbers point at no entry, and the encoder reads only a
message's first 128 word pieces (content/encoder.py), so thirty lines of services
starting up can leave it no room for the one line that failed.

Two steps, each only where it applies:

1. `without_log_prefixes`: every line loses the prefixes and identifiers above. A
   line of the learner's own words has none and is left as it is.
2. `failures_of_long_paste`: a paste still too long for the encoder's window keeps
   its first and last line (where learners write their own words) and the lines
   that name a failure, in their order, each once. A message that fits the window,
   however many lines it has, is left whole.

A message without line breaks goes through step 1 only (timestamps, bracketed log
levels, ids); step 2 needs the lines. `what_failed` runs both, with a traceback's
frames dropped in between (content/tracebacks.py), in the only order that works.
"""

from __future__ import annotations

import re

from content.encoder import MAX_TOKENS
from content.tracebacks import without_stack_frames


def what_failed(text: str) -> str:
    """A pasted message reduced to what says what went wrong; other messages as they are.

    Prefixes go first: a compose prefix hides the indentation that tells a traceback's
    source lines from its frames. The long-paste cut comes last, on what is left."""
    return failures_of_long_paste(without_stack_frames(without_log_prefixes(text)))


# -- step 1: prefixes and identifiers ---------------------------------------------------

# At the start of a line: removed outright, so an indented line keeps its indent (a
# traceback's source lines are told from its frames by it, content/tracebacks.py).
_LINE_PREFIXES = [
    # docker compose: "web-1  | ", "db_1 | " (v1 used "_1")
    re.compile(r"^[ \t]*[\w.]+(?:-[\w.]+)*[-_]\d+[ \t]+\|[ \t]?", re.MULTILINE),
    # kubectl logs --prefix: "[pod/web-7d9c-abcde/web] "
    re.compile(r"^[ \t]*\[pod/[^\]\n]+\][ \t]?", re.MULTILINE),
    # BuildKit's step numbers and seconds: "#8 0.512 "
    re.compile(r"^[ \t]*#\d+(?:[ \t]+\d+\.\d+)?[ \t]+", re.MULTILINE),
]
# Anywhere: replaced by a space.
_NOISE = [
    # Celery: "[2025-03-02 10:15:04,221: ERROR/ForkPoolWorker-2]"
    re.compile(r"\[[^\]\n]*?:[ \t]*(?:DEBUG|INFO|WARNING|ERROR|CRITICAL)/[\w.-]+\]"),
    # GitHub Actions' workflow commands: "##[error]", "##[group]"
    re.compile(r"##\[(?:error|warning|notice|debug|group|endgroup)\]", re.IGNORECASE),
    # timestamps: "2025-03-02T10:15:04.1234567Z", "2025-03-02 10:15:04,221 +0000", "... UTC"
    re.compile(
        r"\d{4}[-/]\d{2}[-/]\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?"
        r"(?:Z|[ \t]?[+-]\d{2}:?\d{2}|[ \t]UTC|[ \t]GMT)?"
    ),
    # access logs: "[02/Mar/2025:10:15:04 +0000]"
    re.compile(r"\[\d{2}/[A-Za-z]{3}/\d{4}:\d{2}:\d{2}:\d{2}[ \t]*[+-]\d{4}\]"),
    # a process id or a level in brackets: "[1]", "[CRITICAL]", "[pid 23]"
    re.compile(
        r"(?<!\w)\[(?:pid[ \t]*)?\d+\]|\[(?:DEBUG|INFO|WARNING|WARN|ERROR|CRITICAL|FATAL)\]",
        re.IGNORECASE,
    ),
    # ids: a UUID, a long hex hash or digest, a memory address
    re.compile(
        r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b"
        r"|\b(?:sha256:)?(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{12,}\b"  # digits and letters
        r"|\b0x[0-9a-f]{6,}\b",
        re.IGNORECASE,
    ),
    # what the above leave: "[ ]", "( )"
    re.compile(r"\[[ \t]+\]|\([ \t]+\)"),
]


def without_log_prefixes(text: str) -> str:
    """`text` without log prefixes, timestamps and ids; the same object if it has none."""
    kept = text
    for prefix in _LINE_PREFIXES:
        kept = prefix.sub("", kept)
    for noise in _NOISE:
        kept = noise.sub(" ", kept)
    if kept == text:
        return text
    return "\n".join(line.rstrip() for line in kept.splitlines() if line.strip())


# -- step 2: a long paste's failing lines -------------------------------------------------

# The encoder's tokenizer cuts words into pieces and every symbol into one: a
# message with more of these than its window is cut (content/encoder.py).
_PIECE = re.compile(r"\w+|[^\w\s]")

_FAILURE = re.compile(
    r"error|exception|fail|fatal|refused|denied|timed?[ \t-]?out|cannot|can't|could ?n[o']t"
    r"|unable|not found|no such|does not exist|doesn't exist|invalid|forbidden"
    r"|unauthori[sz]ed|back-?off|oomkilled|killed|crash|panic|traceback|warning|assert"
    r"|clash|conflict|exceed|already exists|missing|required|not allowed|violat|deadlock"
    r"|unregistered|mismatch|\(\w+\.[EW]\d{3}\)"  # Django's system checks: (fields.E304)
    r"|exit(?:ed)? (?:with )?code [1-9]|HTTP/[\d.]+\"?[ \t]+[45]\d\d",
    re.IGNORECASE,
)


def failures_of_long_paste(text: str) -> str:
    """A paste too long for the encoder's window: its first and last line and the
    lines that name a failure, once each. Anything that fits is returned as it is."""
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) <= 3 or len(_PIECE.findall(text)) <= MAX_TOKENS:
        return text
    last = len(lines) - 1
    chosen = (line for i, line in enumerate(lines) if i in (0, last) or _FAILURE.search(line))
    return "\n".join(dict.fromkeys(chosen))
