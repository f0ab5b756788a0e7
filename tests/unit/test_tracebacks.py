"""content/tracebacks.py: a pasted traceback is matched by its error, not its frames."""

from __future__ import annotations

import pytest

from content import Matcher, MatchStatus, load_knowledge_base
from content.tracebacks import has_traceback, without_stack_frames

PASTED = """pls help, happens when i open the list
Internal Server Error: /api/profiles/
Traceback (most recent call last):
  File "/home/ada/.venv/lib/python3.12/site-packages/django/db/backends/utils.py", line 105, in _execute
    return self.cursor.execute(sql, params)
           ~~~~~~~~~~~~~~~~~~~^^^^^^^^^^^^^
sqlite3.OperationalError: no such column: profiles_profile.bio

The above exception was the direct cause of the following exception:

Traceback (most recent call last):
  File "/home/ada/.venv/lib/python3.12/site-packages/django/core/handlers/exception.py", line 55, in inner
    response = get_response(request)
  File "/home/ada/.venv/lib/python3.12/site-packages/django/core/handlers/base.py", line 197, in _get_response
    response = wrapped_callback(request, *callback_args, **callback_kwargs)
  File "/home/ada/.venv/lib/python3.12/site-packages/rest_framework/views.py", line 509, in dispatch
    response = self.handle_exception(exc)
  File "/home/ada/.venv/lib/python3.12/site-packages/django/db/models/query.py", line 400, in __iter__
    self._fetch_all()
  File "/home/ada/profiles/views.py", line 12, in list
    return Response(ProfileSerializer(rows, many=True).data)
django.db.utils.OperationalError: no such column: profiles_profile.bio
what do i do"""


def test_frames_and_chaining_sentences_go_and_the_words_and_errors_stay() -> None:
    assert without_stack_frames(PASTED) == (
        "pls help, happens when i open the list\n"
        "Internal Server Error: /api/profiles/\n"
        "sqlite3.OperationalError: no such column: profiles_profile.bio\n"
        "django.db.utils.OperationalError: no such column: profiles_profile.bio\n"
        "what do i do"
    )


def test_a_flattened_traceback_loses_its_frame_headers_and_keeps_its_errors() -> None:
    flat = without_stack_frames(PASTED.replace("\n", " "))
    assert "File " not in flat and "site-packages" not in flat
    assert "Traceback (most recent call last)" not in flat
    assert "The above exception" not in flat
    assert "django.db.utils.OperationalError: no such column: profiles_profile.bio" in flat
    assert flat.startswith("pls help, happens when i open the list")


@pytest.mark.parametrize(
    "text",
    [
        "what is a traceback",
        'KeyError: "name" when i read the File "data.csv"',
        "TypeError: 'NoneType' object is not subscriptable\n    return user['name']",
    ],
)
def test_a_message_without_frames_is_left_as_it_is(text: str) -> None:
    assert not has_traceback(text)
    assert without_stack_frames(text) is text


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(load_knowledge_base())


def test_a_whole_pasted_traceback_is_matched_like_its_error_line(matcher: Matcher) -> None:
    error_line = matcher.match(
        "django.db.utils.OperationalError: no such column: profiles_profile.bio"
    )
    assert error_line.status is MatchStatus.ANSWERED
    expected = error_line.candidates[0].entry.id
    # Before, the frames' words (django, db, backends, models, query, rest_framework)
    # spread the confidence so thin that both got "I don't know".
    bare = matcher.match(PASTED.split("\n", 1)[1].rsplit("\n", 1)[0])
    # Answered, or a "did you mean" with the entry first: its confidence sits near the
    # answer band (0.81 on an AVX-512 machine, 0.809 on an AVX2 one: the int8
    # encoder's kernels differ between CPUs). What must not come back is "I don't know".
    assert bare.status in (MatchStatus.ANSWERED, MatchStatus.AMBIGUOUS)
    assert bare.candidates[0].entry.id == expected
    with_words = matcher.match(PASTED)
    assert with_words.status in (MatchStatus.ANSWERED, MatchStatus.AMBIGUOUS)
    assert with_words.candidates[0].entry.id == expected
