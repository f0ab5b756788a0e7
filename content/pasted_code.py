"""Pasted code and configuration, and the learner's own words around it.

Learners paste a few lines of their code (a view, a serializer, a Dockerfile, a
workflow) and ask about it in a line or two: "why is this slow", "is this safe".
The entries' phrasings are questions in words, so the code's identifiers and
symbols pull a message's scores down and spread them over many entries: on a blind
split of such messages (tests/eval/blind/tune17.yaml) the right entry came first
for 0.85 of them but was answered for 0.56, the rest being "did you mean".

`learners_words` finds the learner's lines in such a message. The matcher reads a
message it would not answer as it is a second time, as the words alone
(content/matcher.py): when both readings put the same entry first, the surer of the
two says how sure the answer is. The whole message still chooses the entries, since
the code is often what says what the problem is. Taking the surer reading outright,
whichever entry it put first, answered more questions right on tune17, but on tune18,
written blind to check it, it also answered two more wrongly.

Program output is not code: tracebacks, logs, test reports and shell sessions
(content/log_lines.py, content/tracebacks.py) keep their own handling, and a
message that holds any of them is left whole. Telling a line of code from a line of
words is a heuristic: a line of words shaped like `note: ...` counts as code, which
only leaves it out of the second reading.
"""

from __future__ import annotations

import re

# Program output rather than code: an exception's name, a log level, a test
# report's rule, a shell prompt or the interpreter's.
_OUTPUT = re.compile(
    r"Traceback|\w(?:Error|Exception|Warning)\b|\berror:|\b(?:ERROR|WARNING|CRITICAL|FAILED)\b"
    r"|={5,}|^[ \t]*\$ |^[ \t]*>>> ",
    re.MULTILINE,
)
# How a line of code or configuration starts: a Python statement or decorator, a
# comment, SQL, a Dockerfile instruction, a YAML key or list item, an assignment, a
# call on its own, a bracket, an ellipsis.
_CODE_START = re.compile(
    r"(?:def |class |import |from [\w.]+ import|return\b|(?:if|elif|for|while|with) .*:$"
    r"|else:|try:|except\b|finally:|async def|await |@\w|#|//|--"
    r"|(?:SELECT|INSERT|UPDATE|DELETE|CREATE|ALTER|DROP|FROM|WHERE|JOIN|LEFT|GROUP BY"
    r"|ORDER BY|HAVING|LIMIT|VALUES|SET)\b"
    r"|(?:RUN|COPY|ADD|ENV|CMD|EXPOSE|WORKDIR|ENTRYPOINT|ARG|USER|HEALTHCHECK)\b"
    r"|- |\w[\w.-]*:\s*$|\w[\w.-]*:\s+\S"
    r"|[\w.\[\]'\"]+\s*[-+*/]?=\s*\S"
    r"|[\w.]+\(.*\)[,;]?\s*$"
    r"|[)\]}{(]"
    r"|\.\.\.)"
)
_SYMBOLS = frozenset("=(){}[]<>;:_.'\"/\\")
# A line whose characters are this much symbols is code whatever it starts with.
_SYMBOL_SHARE = 0.12


def is_code_line(line: str) -> bool:
    """Whether one line of a message reads as code or configuration."""
    if not line.strip():
        return False
    if line[0] in " \t":  # indented: prose is not
        return True
    if _CODE_START.match(line):
        return True
    return sum(c in _SYMBOLS for c in line) / len(line) > _SYMBOL_SHARE


def learners_words(text: str) -> str | None:
    """The lines of a pasted-code message that are not code, joined by spaces; None
    for a message that is not words and code both (one line, no code, only code) or
    that holds program output."""
    lines = [line for line in text.split("\n") if line.strip()]
    if len(lines) < 2 or _OUTPUT.search(text):
        return None
    words = [line.strip() for line in lines if not is_code_line(line)]
    if not words or len(words) == len(lines):
        return None
    return " ".join(words)
