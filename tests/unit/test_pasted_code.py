"""content/pasted_code.py: a message of code and words is also read as its words."""

from __future__ import annotations

import pytest

from content import Matcher, MatchStatus, load_knowledge_base
from content.pasted_code import is_code_line, learners_words
from content.ranking import rank_signals

CELERY = """abeg why my celery task no dey run at all, no error

@shared_task
def send_welcome(user_id):
    ...

send_welcome.delay(user.id)"""

FIXTURE = """my tests are slow, every test waits on this

@pytest.fixture
def catalog(db):
    for i in range(3000):
        Product.objects.create(name=f'p{i}')"""


@pytest.mark.parametrize(
    "line",
    [
        "def send_welcome(user_id):",
        "    return render(request, 'orders.html')",
        "@shared_task",
        "class Booking(models.Model):",
        "from django.db import models",
        "SELECT name FROM users WHERE id = 1;",
        "FROM python:3.12-slim",
        "RUN pip install -r requirements.txt",
        "services:",
        "runs-on: ubuntu-latest",
        "- uses: actions/checkout@v4",
        "SECRET_KEY = 'django-insecure'",
        "send_welcome.delay(user.id)",
        "{% for o in orders %}",
        "# urls look like /api/bookings/1043/",
        "cache.set(f'cat:{cat_id}:page:{page}', data, 600)",
    ],
)
def test_code_and_configuration_lines_are_code(line: str) -> None:
    assert is_code_line(line)


@pytest.mark.parametrize(
    "line",
    [
        "why is this so slow?",
        "abeg why my celery task no dey run at all, no error",
        "sasa bana, user mmoja ameona dashboard ya user mwingine 😱",
        "my reviewer said this is insecure, what's wrong with it",
        "is it fine to deploy with these? it was the only way the site would load",
        "",
    ],
)
def test_a_learners_own_lines_are_not_code(line: str) -> None:
    assert not is_code_line(line)


def test_the_words_of_a_message_with_code_are_its_lines_that_are_not_code() -> None:
    assert learners_words(CELERY) == "abeg why my celery task no dey run at all, no error"
    two_lines = "is this safe?\n\nDEBUG = True\n\nthe site is live already"
    assert learners_words(two_lines) == "is this safe? the site is live already"


@pytest.mark.parametrize(
    "text",
    [
        "why is my celery task stuck in pending",  # one line
        "why is this slow\nthe page takes 4 seconds\nonly 300 orders",  # no code
        "def f():\n    return 1",  # only code
        # Program output keeps its own handling (content/log_lines.py, tracebacks.py).
        'my view fails\n\nTraceback (most recent call last):\n  File "views.py", line 3\n'
        "ValueError: bad",
        "the build fails\n\nERROR: failed to solve: process did not complete",
        "what does this mean\n\n$ kubectl get pods\nweb-1   0/1   CrashLoopBackOff",
        "tests fail in ci\n\n==================== FAILURES ====================\nassert 1 == 2",
    ],
)
def test_messages_that_are_not_words_and_code_both_have_no_second_reading(text: str) -> None:
    assert learners_words(text) is None


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(load_knowledge_base())


@pytest.mark.parametrize("message", [CELERY, FIXTURE])
def test_the_surer_of_the_two_readings_decides(matcher: Matcher, message: str) -> None:
    words = learners_words(message)
    assert words is not None
    whole = rank_signals(matcher.signals(message), matcher.settings)
    alone = rank_signals(matcher.signals(words), matcher.settings)
    ranking = matcher.ranking(message)
    surer = alone if alone.confidence > whole.confidence else whole
    assert ranking.confidence == surer.confidence
    assert [c[0].id for c in ranking.candidates] == [c[0].id for c in surer.candidates]


def test_a_pasted_task_is_answered_by_what_the_learner_says_of_it(matcher: Matcher) -> None:
    # The whole message, code included, was a "did you mean" (probability 0.46 on the
    # shipped content); the learner's words alone are sure of the entry (0.97).
    whole = rank_signals(matcher.signals(CELERY), matcher.settings)
    assert whole.confidence < matcher.settings.answer_probability
    result = matcher.match(CELERY)
    assert result.status is MatchStatus.ANSWERED
    assert result.candidates[0].entry.id == "async-celery-task-stuck-pending"
    assert result.query == CELERY.strip()  # the learner's message, as sent, is what is logged
