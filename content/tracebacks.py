"""Pasted Python tracebacks, reduced to what says what went wrong.

Learners paste whole tracebacks: 10 to 40 lines of frames (library paths, line
numbers, source lines) around the one line that names the error. The frames'
words (django, db, backends, models, query, rest_framework, ...) point at every
entry a little and the exception at one entry a lot, so a whole traceback looked
like nothing in particular: "I don't know" where its last line alone was answered.

The frames are left out (each 'File "...", line N, in name' line and the source
line under it, the ~~~^^^ markers under that), and so are the fixed sentences
Python prints between chained exceptions. Everything else stays: the learner's
own words, the exception lines and anything the frames do not match. Works on a
message as sent (line breaks kept) and on one flattened to a single line (a plain
stdin line of `nexus-bot ask --json`; a JSON-string line keeps the breaks), where a
frame's source line cannot be told from what follows it and stays.
"""

from __future__ import annotations

import re

# A frame and, on the next line, its source line and the markers Python 3.11+ puts
# under it. Only in a message with line breaks.
_FRAME_LINES = re.compile(
    r'^[ \t]*File "[^"\n]*", line \d+(?:, in [^\n]*)?\n'
    r"(?:[ \t]+(?!File \")[^\n]*\n)?"  # the source line, indented
    r"(?:[ \t]*[~^]+[ \t~^]*\n)?",  # ~~~~^^^^ under it
    re.MULTILINE,
)
# A frame's header anywhere (a flattened message, or a frame with no source line).
_FRAME_HEADER = re.compile(r'File "[^"\n]*", line \d+(?:, in [\w<>.]+)?')
_MARKERS = re.compile(r"(?<!\S)[~^]{3,}(?!\S)")
_CHAINING = re.compile(
    r"Traceback \(most recent call last\):"
    r"|The above exception was the direct cause of the following exception:"
    r"|During handling of the above exception, another exception occurred:"
)


def has_traceback(text: str) -> bool:
    return bool(_FRAME_HEADER.search(text))


def without_stack_frames(text: str) -> str:
    """`text` without a pasted traceback's frames; unchanged if it holds none."""
    if not has_traceback(text):
        return text
    kept = _FRAME_LINES.sub("", text if text.endswith("\n") else text + "\n")
    kept = _CHAINING.sub(" ", _FRAME_HEADER.sub(" ", kept))
    kept = _MARKERS.sub(" ", kept)
    lines = (" ".join(line.split()) for line in kept.splitlines())
    return "\n".join(line for line in lines if line)
