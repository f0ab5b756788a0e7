"""Fresh questions reach the entries written for what blind splits found unanswered:
studying, projects and careers and the technical problems of tune23 and tune24 (then
tune24's last eight), and the team projects' git, development setup and first deploys
(tune27, tune28). Worded afresh: none of these is within rapidfuzz ratio 70 of a phrasing
or a blind message."""

from __future__ import annotations

import pytest

from content import KnowledgeBase, Matcher, MatchStatus


@pytest.fixture(scope="module")
def matcher(bundled_kb: KnowledgeBase) -> Matcher:
    return Matcher(bundled_kb)


@pytest.mark.parametrize(
    ("question", "entry_id"),
    [
        (
            "i work full time and only have an hour each night, how do i plan my study week",
            "program-study-plan",
        ),
        ("after django what should i learn next", "program-what-to-learn-next"),
        (
            "my celery worker keeps eating more ram every day until it crashes",
            "async-celery-worker-memory-growth",
        ),
        (
            "how do i cancel a celery reminder task after the user pays",
            "async-celery-cancel-scheduled-task",
        ),
        (
            "filter(email=...) misses rows when the case is different",
            "django-case-insensitive-lookups",
        ),
        # The eight entries written later for tune24's uncovered messages.
        (
            "my weekly backup script slows the whole api to a crawl while it runs on the same vps",
            "scalability-heavy-job-same-server",
        ),
        (
            "i edited my celery task but it keeps behaving like before, do i need to restart something",
            "async-celery-worker-old-code",
        ),
        (
            "my computer hangs every time i start docker desktop, it has only 4gb of ram",
            "docker-low-ram-laptop",
        ),
        (
            "my mentor has been silent for three weeks and the deadline is close",
            "program-mentor-not-responding",
        ),
        (
            "how should i name my git commits so a reviewer understands them",
            "cicd-git-commit-messages",
        ),
        (
            "for job hunting, is one large project better than many small ones",
            "program-portfolio-one-big-or-many-small",
        ),
        (
            "how do i describe in my readme a difficult bug i solved",
            "program-writing-up-a-hard-bug",
        ),
        (
            "django says no module named after i created a new app with startapp",
            "django-app-module-not-found",
        ),
        # Git, a development setup and a first deploy (tune27's and tune28's gaps).
        ("how do i fix a merge conflict in my views file", "git-merge-conflicts"),
        (
            "github keeps refusing my password when i push from the terminal",
            "git-https-token-credentials",
        ),
        (
            "i reset my branch by accident and lost two days of commits, can i get them back",
            "git-recover-lost-commits-reflog",
        ),
        (
            "my teammate merged a broken change to main, how do we undo it safely when "
            "everyone has pulled",
            "git-undo-pushed-commit-revert",
        ),
        (
            "db.sqlite3 is in my .gitignore yet every commit still includes it",
            "git-untrack-ignored-files",
        ),
        ("how do i see who last edited a line in a file", "git-blame-and-log-history"),
        (
            "vscode is not using my virtual environment's python",
            "python-vscode-select-interpreter",
        ),
        (
            "runserver fails because something is already using port 8000",
            "django-runserver-port-in-use",
        ),
        (
            "pythonanywhere keeps serving its sample page, not my django project",
            "cicd-pythonanywhere-wsgi",
        ),
    ],
)
def test_the_question_is_answered_with_its_entry(
    matcher: Matcher, question: str, entry_id: str
) -> None:
    result = matcher.match(question)
    assert result.status is MatchStatus.ANSWERED, (question, result.candidates[:2])
    assert result.candidates[0].entry.id == entry_id


@pytest.mark.parametrize(
    ("question", "entry_id"),
    [
        (
            "bots keep hammering my django admin login page",
            "security-django-admin-login-protection",
        ),
        (
            "my teammate has not done anything and our project is due soon",
            "program-team-inactive-member",
        ),
        ("what should i show on demo day if my project is only an api", "program-demo-day"),
        # Git, a development setup and a first deploy.
        (
            "git says my push was rejected because github has commits i don't have locally",
            "git-push-rejected-fetch-first",
        ),
        (
            "installed python on my windows laptop but the terminal doesn't know the command",
            "python-windows-not-recognized",
        ),
        (
            "build is fine on the free host but the start step can't find gunicorn",
            "cicd-paas-gunicorn-port",
        ),
    ],
)
def test_the_entry_is_offered_first(matcher: Matcher, question: str, entry_id: str) -> None:
    # Answered or a "did you mean", by machine (the int8 encoder's kernels differ
    # between CPUs); either way the entry written for it comes first.
    result = matcher.match(question)
    assert result.status is not MatchStatus.NO_MATCH, question
    assert result.candidates[0].entry.id == entry_id, (question, result.candidates[:2])


def test_git_is_a_topic_of_its_own(bundled_kb: KnowledgeBase) -> None:
    # Learners browse /topics: the git entries are found there under their own name.
    git = next(t for t in bundled_kb.topics if t.id == "git")
    assert git.title == "Git and GitHub"
    assert len(bundled_kb.entries_in("git")) >= 20
