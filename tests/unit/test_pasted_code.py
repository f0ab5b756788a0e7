"""content/pasted_code.py: a message of code and words is also read as its words."""

from __future__ import annotations

import pytest

from content import Matcher, MatchStatus, load_knowledge_base
from content.pasted_code import is_code_line, learners_words
from content.ranking import Ranking, rank_signals

CELERY = """abeg why my celery task no dey run at all, no error

@shared_task
def send_welcome(user_id):
    ...

send_welcome.delay(user.id)"""

WORKFLOW = """how do i add a postgres service to this github actions job for my tests

name: ci
on: [push, pull_request]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: '3.12'
      - run: pip install -r requirements.txt
      - run: pytest"""

COMPOSE = """web container starts before the database is ready so django crashes on boot

services:
  web:
    build: .
    command: gunicorn shop.wsgi:application --bind 0.0.0.0:8000
    env_file: .env
    ports:
      - '8000:8000'
    depends_on:
      - db
  db:
    image: postgres:16
    volumes:
      - pgdata:/var/lib/postgresql/data"""


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


def readings(matcher: Matcher, message: str) -> tuple[Ranking, Ranking]:
    words = learners_words(message)
    assert words is not None
    whole = rank_signals(matcher.signals(message), matcher.settings)
    return whole, rank_signals(matcher.signals(words), matcher.settings)


@pytest.mark.parametrize(
    ("message", "entry"),
    [(WORKFLOW, "cicd-db-services"), (COMPOSE, "docker-healthchecks")],
)
def test_when_both_readings_agree_the_surer_one_says_how_sure(
    matcher: Matcher, message: str, entry: str
) -> None:
    whole, alone = readings(matcher, message)
    # The code pulls the whole message's probability under the answer band (0.60 and
    # 0.67 on the shipped content); the words alone are sure of the same entry (0.94,
    # 0.97).
    assert whole.candidates[0][0].id == alone.candidates[0][0].id == entry
    assert whole.confidence < matcher.settings.answer_probability < alone.confidence
    ranking = matcher.ranking(message)
    assert ranking.confidence == alone.confidence
    assert ranking.candidates == whole.candidates  # the choices stay the whole message's
    result = matcher.match(message)
    assert result.status is MatchStatus.ANSWERED
    assert result.candidates[0].entry.id == entry
    assert result.query == message.strip()  # the message as sent is what is logged


def test_when_the_readings_disagree_the_whole_message_decides(matcher: Matcher) -> None:
    whole, alone = readings(matcher, CELERY)
    assert whole.candidates[0][0].id != alone.candidates[0][0].id
    assert alone.confidence > whole.confidence  # the words alone are surer, of another entry
    ranking = matcher.ranking(CELERY)
    assert ranking.confidence == whole.confidence
    assert ranking.candidates == whole.candidates


def test_a_message_answered_as_it_is_is_not_read_twice(matcher: Matcher) -> None:
    message = (
        "how do i make this docker image smaller abeg, its 1.2GB\n\n"
        "FROM python:3.12\nCOPY . /app\nRUN pip install -r requirements.txt"
    )
    whole, alone = readings(matcher, message)
    # Answered either way (0.94 whole, 0.98 the words alone, the same entry): a second
    # reading would only take the runner-up ("Or: ...") off the answer.
    assert whole.candidates[0][0].id == alone.candidates[0][0].id == "docker-image-size"
    assert matcher.settings.answer_probability <= whole.confidence < alone.confidence
    assert matcher.ranking(message) == whole
