"""An in-memory storage.ports.UnitOfWork for unit tests of the services.

It keeps the protocol's promises that the use cases rely on (commit or nothing,
one tip per learner and local day, one answer per round position) with plain
Python values; the SQL promises (constraints, SKIP LOCKED, concurrency) are tested
on SQLite and PostgreSQL in tests/integration.
"""

from __future__ import annotations

import copy
from abc import ABC, abstractmethod
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from types import TracebackType
from typing import Any, Self

from storage.records import (
    SEEN_LIKE,
    AskedQuestion,
    DeliveryResult,
    DeliveryStatus,
    GroupChat,
    LearnedPhrasing,
    LearnerProfile,
    Lease,
    LoggedQuestion,
    ProgressCard,
    QuizRound,
    Review,
    RoundAnswer,
    RoundStatus,
    TipSchedule,
)
from tests.fakes_group_quiz import FakeGroupQuizzes, GroupState


@dataclass
class Delivery:
    id: int
    user_id: int
    local_date: date
    tip_id: str
    status: DeliveryStatus
    claimed_at: datetime
    message_id: int | None = None
    error: str | None = None


@dataclass
class State:
    """Everything stored; a unit of work edits a copy and commit swaps it in."""

    users: dict[int, LearnerProfile] = field(default_factory=dict)
    questions: list[tuple[LoggedQuestion, str | None]] = field(default_factory=list)
    rounds: dict[int, QuizRound] = field(default_factory=dict)
    answers: dict[tuple[int, int], tuple[int, RoundAnswer]] = field(default_factory=dict)
    cards: dict[tuple[int, str], tuple[ProgressCard, datetime]] = field(default_factory=dict)
    deliveries: dict[int, Delivery] = field(default_factory=dict)
    feedback: dict[tuple[int, str], bool] = field(default_factory=dict)
    updates: dict[int, datetime] = field(default_factory=dict)
    agreed: dict[str, str] = field(default_factory=dict)
    leases: dict[str, Lease] = field(default_factory=dict)
    learned: list[LearnedPhrasing] = field(default_factory=list)
    digests: dict[int, Delivery] = field(default_factory=dict)  # local_date: the week's Sunday
    round_created: dict[int, datetime] = field(default_factory=dict)
    groups: dict[int, GroupChat] = field(default_factory=dict)
    group_tips: dict[int, Delivery] = field(default_factory=dict)  # user_id: the chat id
    next_id: int = 1
    group: GroupState = field(default_factory=GroupState)  # group quizzes

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id - 1


class InMemoryStore:
    """What `Database.unit_of_work` is to the services: call it for a unit of work."""

    def __init__(self) -> None:
        self.state = State()
        self.commits = 0

    def __call__(self) -> FakeUnitOfWork:
        return FakeUnitOfWork(self)


class _Repository:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow

    @property
    def s(self) -> State:
        return self._uow.state


class FakeUsers(_Repository):
    async def arrive(
        self, user_id: int, chat_id: int | None, language: str | None, now: datetime
    ) -> LearnerProfile:
        known = self.s.users.get(user_id)
        if known is None:
            known = LearnerProfile(user_id, user_id if chat_id is None else chat_id, now, now)
        known = replace(known, language=language, last_seen_at=now)
        if chat_id is not None:
            known = replace(known, chat_id=chat_id)
        self.s.users[user_id] = known
        return known

    async def get(self, user_id: int) -> LearnerProfile | None:
        return self.s.users.get(user_id)

    async def count(self) -> int:
        return len(self.s.users)


class FakeQuestions(_Repository):
    async def add(self, asked: AskedQuestion) -> int:
        logged = LoggedQuestion(
            self.s.new_id(), asked.user_id, asked.text, asked.status, asked.entry_id, asked.asked_at
        )
        self.s.questions.append((logged, None))
        return logged.id

    async def record_choice(self, log_id: int, user_id: int, entry_id: str) -> bool:
        for index, (logged, _) in enumerate(self.s.questions):
            if logged.id == log_id and logged.user_id == user_id:
                self.s.questions[index] = (logged, entry_id)
                return True
        return False

    async def last_answered(self, user_id: int) -> tuple[str, str | None] | None:
        answered = [
            q for q, _ in self.s.questions if q.user_id == user_id and q.status == "answered"
        ]
        return (answered[-1].text, answered[-1].entry_id) if answered else None

    async def recent(self, limit: int = 100) -> list[LoggedQuestion]:
        return [q for q, _ in reversed(self.s.questions)][:limit]


class FakeQuizzes(_Repository):
    async def abandon_active(self, user_id: int, now: datetime) -> None:
        for round_id, round_ in self.s.rounds.items():
            if round_.user_id == user_id and round_.status is RoundStatus.ACTIVE:
                self.s.rounds[round_id] = replace(
                    round_, status=RoundStatus.ABANDONED, finished_at=now
                )

    async def create_round(
        self, user_id: int, quiz_ids: Sequence[str], mastery_before: dict[str, float], now: datetime
    ) -> QuizRound:
        round_ = QuizRound(self.s.new_id(), user_id, tuple(quiz_ids), dict(mastery_before))
        self.s.rounds[round_.id] = round_
        self.s.round_created[round_.id] = now
        return round_

    async def round_for_update(self, round_id: int) -> QuizRound | None:
        return self.s.rounds.get(round_id)

    async def save_round(self, round_: QuizRound) -> None:
        self.s.rounds[round_.id] = round_

    async def record_answer(self, user_id: int, round_id: int, answer: RoundAnswer) -> bool:
        if (round_id, answer.position) in self.s.answers:
            return False
        self.s.answers[(round_id, answer.position)] = (user_id, answer)
        return True

    async def answers_of_round(self, round_id: int) -> list[RoundAnswer]:
        found = [a for (r, _), (_, a) in self.s.answers.items() if r == round_id]
        return sorted(found, key=lambda a: a.position)

    async def answer_times(self, user_id: int) -> list[datetime]:
        return [a.answered_at for owner, a in self.s.answers.values() if owner == user_id]

    async def answer_totals(self, user_id: int) -> tuple[int, int]:
        mine = [a for owner, a in self.s.answers.values() if owner == user_id]
        return len(mine), sum(a.correct for a in mine)

    async def progress(
        self, user_id: int, quiz_ids: Collection[str] | None = None
    ) -> dict[str, ProgressCard]:
        return {
            quiz: card
            for (owner, quiz), (card, _) in self.s.cards.items()
            if owner == user_id and (quiz_ids is None or quiz in quiz_ids)
        }

    async def save_progress(self, user_id: int, review: Review) -> None:
        old, first_seen = self.s.cards.get((user_id, review.quiz_id), (None, review.reviewed_at))
        right = (old.correct_count if old else 0) + int(review.correct)
        wrong = (old.wrong_count if old else 0) + int(not review.correct)
        card = ProgressCard(review.quiz_id, review.memory, right, wrong)
        self.s.cards[(user_id, review.quiz_id)] = (card, first_seen)

    async def due(self, user_id: int, until: datetime) -> list[str]:
        cards = [c for c in (await self.progress(user_id)).values() if c.due_at <= until]
        return [c.quiz_id for c in sorted(cards, key=lambda c: (c.due_at, c.quiz_id))]

    async def new_since(self, user_id: int, since: datetime) -> int:
        return sum(
            owner == user_id and first >= since for (owner, _), (_, first) in self.s.cards.items()
        )

    async def reset(self, user_id: int) -> None:
        self.s.answers = {k: v for k, v in self.s.answers.items() if v[0] != user_id}
        self.s.rounds = {k: r for k, r in self.s.rounds.items() if r.user_id != user_id}
        self.s.cards = {k: v for k, v in self.s.cards.items() if k[0] != user_id}


class _DeliveryRows(_Repository, ABC):
    """What tip and digest delivery rows share: finish, lease expiry, release."""

    @abstractmethod
    def _rows(self) -> dict[int, Any]:
        """The kind's rows, by delivery id."""

    async def finish(self, delivery_id: int, result: DeliveryResult, now: datetime) -> None:
        delivery = self._rows()[delivery_id]
        delivery.status, delivery.message_id, delivery.error = (
            result.status,
            result.message_id,
            result.error,
        )

    async def expire_stale(self, claimed_before: datetime, now: datetime) -> int:
        stale = [
            d
            for d in self._rows().values()
            if d.status is DeliveryStatus.SENDING and d.claimed_at < claimed_before
        ]
        for delivery in stale:
            delivery.status = DeliveryStatus.UNKNOWN
        return len(stale)

    async def release(self, delivery_id: int) -> None:
        del self._rows()[delivery_id]


class FakeTips(_DeliveryRows):
    def _rows(self) -> dict[int, Any]:
        return self.s.deliveries

    async def save_schedule(self, user_id: int, schedule: TipSchedule) -> None:
        user = self.s.users[user_id]
        self.s.users[user_id] = replace(
            user,
            tips_enabled=schedule.enabled,
            tip_minute=schedule.minute,
            timezone=schedule.timezone,
            next_tip_at=schedule.next_tip_at,
            tips_blocked_at=None if schedule.enabled else user.tips_blocked_at,
        )

    async def set_next_tip(self, user_id: int, at: datetime | None) -> None:
        self.s.users[user_id] = replace(self.s.users[user_id], next_tip_at=at)

    async def mark_blocked(self, user_id: int, now: datetime) -> None:
        self.s.users[user_id] = replace(
            self.s.users[user_id], tips_enabled=False, tips_blocked_at=now, next_tip_at=None
        )

    async def forget_timezone(self, user_id: int, stored: str) -> None:
        if self.s.users[user_id].timezone == stored:
            self.s.users[user_id] = replace(self.s.users[user_id], timezone=None)

    async def next_due(self, now: datetime) -> LearnerProfile | None:
        due = [
            u
            for u in self.s.users.values()
            if u.tips_enabled and u.next_tip_at is not None and u.next_tip_at <= now
        ]
        return min(due, key=lambda u: u.next_tip_at or now) if due else None

    async def claim(self, user_id: int, local_date: date, tip_id: str, now: datetime) -> int | None:
        if await self.has_delivery(user_id, local_date):
            return None
        delivery_id = self.s.new_id()
        self.s.deliveries[delivery_id] = Delivery(
            delivery_id, user_id, local_date, tip_id, DeliveryStatus.SENDING, now
        )
        return delivery_id

    async def has_delivery(self, user_id: int, local_date: date) -> bool:
        return any(
            d.user_id == user_id and d.local_date == local_date for d in self.s.deliveries.values()
        )

    async def received(self, user_id: int) -> list[tuple[str, datetime]]:
        seen = [d for d in self.s.deliveries.values() if d.user_id == user_id]
        return [(d.tip_id, d.claimed_at) for d in seen if d.status in SEEN_LIKE]


class FakeDigests(_DeliveryRows):
    def _rows(self) -> dict[int, Any]:
        return self.s.digests

    async def save_choice(
        self, user_id: int, choice: bool | None, next_at: datetime | None
    ) -> None:
        self.s.users[user_id] = replace(
            self.s.users[user_id], digest=choice, next_digest_at=next_at
        )

    async def set_next(self, user_id: int, at: datetime | None) -> None:
        self.s.users[user_id] = replace(self.s.users[user_id], next_digest_at=at)

    async def next_due(self, now: datetime) -> LearnerProfile | None:
        due = [
            u
            for u in self.s.users.values()
            if u.next_digest_at is not None and u.next_digest_at <= now
        ]
        return min(due, key=lambda u: u.next_digest_at or now) if due else None

    async def claim(self, user_id: int, week_of: date, now: datetime) -> int | None:
        if await self.has_digest(user_id, week_of):
            return None
        delivery_id = self.s.new_id()
        self.s.digests[delivery_id] = Delivery(
            delivery_id, user_id, week_of, "", DeliveryStatus.SENDING, now
        )
        return delivery_id

    async def has_digest(self, user_id: int, week_of: date) -> bool:
        return any(
            d.user_id == user_id and d.local_date == week_of for d in self.s.digests.values()
        )

    async def asked(self, user_id: int, since: datetime, until: datetime) -> list[str | None]:
        return [
            chosen or q.entry_id
            for q, chosen in self.s.questions
            if q.user_id == user_id and since <= q.created_at < until and q.status != "smalltalk"
        ]

    async def answers_since(self, user_id: int, since: datetime) -> list[RoundAnswer]:
        found = [a for u, a in self.s.answers.values() if u == user_id and a.answered_at >= since]
        return sorted(found, key=lambda a: a.answered_at)

    async def mastery_before_rounds(self, user_id: int, since: datetime) -> dict[str, float]:
        first: dict[str, float] = {}
        rounds = [
            r
            for r in self.s.rounds.values()
            if r.user_id == user_id and self.s.round_created[r.id] >= since
        ]
        for round_ in sorted(
            rounds, key=lambda r: (self.s.round_created[r.id], r.id), reverse=True
        ):
            first.update(round_.mastery_before)
        return first


class FakeOps(_Repository):
    async def vote(self, user_id: int, entry_id: str, helpful: bool, now: datetime) -> None:
        self.s.feedback[(user_id, entry_id)] = helpful

    async def feedback_by_entry(self) -> list[tuple[str, int, int]]:
        entries = sorted({entry for _, entry in self.s.feedback})
        votes = [
            (
                e,
                *[
                    sum(h is want for (_, x), h in self.s.feedback.items() if x == e)
                    for want in (True, False)
                ],
            )
            for e in entries
        ]
        return sorted(votes, key=lambda v: (-v[2], v[1], v[0]))

    async def unanswered(self, since: datetime, limit: int | None = None) -> list[LoggedQuestion]:
        found = [
            q
            for q, _ in self.s.questions
            if q.status in ("no_match", "ambiguous") and q.created_at >= since
        ]
        return found[-limit:] if limit else found

    async def picked_suggestions(self, since: datetime) -> list[tuple[str, str]]:
        return [(q.text, c) for q, c in self.s.questions if c and q.created_at >= since]

    async def user_counts(self, active_since: list[datetime]) -> list[int]:
        users = self.s.users.values()
        return [len(users), *(sum(u.last_seen_at >= m for u in users) for m in active_since)]

    async def question_statuses(self, since: datetime) -> dict[str, int]:
        counts: dict[str, int] = {}
        for q, _ in self.s.questions:
            if q.created_at >= since:
                counts[q.status] = counts.get(q.status, 0) + 1
        return counts

    async def top_entries(self, since: datetime, limit: int = 5) -> list[tuple[str, int]]:
        counts: dict[str, int] = {}
        for q, _ in self.s.questions:
            if q.status == "answered" and q.entry_id and q.created_at >= since:
                counts[q.entry_id] = counts.get(q.entry_id, 0) + 1
        return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]

    async def quiz_totals(self, since: datetime) -> tuple[int, int]:
        recent = [a for _, a in self.s.answers.values() if a.answered_at >= since]
        return len(recent), sum(a.correct for a in recent)

    async def tip_statuses(self, since: datetime) -> dict[str, int]:
        counts: dict[str, int] = {}
        for d in self.s.deliveries.values():
            if d.claimed_at >= since:
                counts[d.status.value] = counts.get(d.status.value, 0) + 1
        return counts

    async def purge_questions(self, before: datetime) -> int:
        kept = [(q, c) for q, c in self.s.questions if q.created_at >= before]
        removed = len(self.s.questions) - len(kept)
        self.s.questions = kept
        return removed


class FakePrivacy(_Repository):
    async def export(self, user_id: int) -> dict[str, list[dict[str, Any]]]:
        user = self.s.users.get(user_id)
        return {"users": [vars(user)] if user else []}

    async def forget(self, user_id: int) -> int:
        removed = int(self.s.users.pop(user_id, None) is not None)
        kept = [(q, c) for q, c in self.s.questions if q.user_id != user_id]
        removed += len(self.s.questions) - len(kept)
        self.s.questions = kept
        digests = {k: d for k, d in self.s.digests.items() if d.user_id != user_id}
        removed += len(self.s.digests) - len(digests)
        self.s.digests = digests
        removed += self.s.group.forget(user_id)
        return removed


class FakeReplicas(_Repository):
    async def take_update(self, update_id: int, now: datetime) -> bool:
        if update_id in self.s.updates:
            return False
        self.s.updates[update_id] = now
        return True

    async def forget_updates_before(self, moment: datetime) -> int:
        old = [u for u, at in self.s.updates.items() if at < moment]
        for update_id in old:
            del self.s.updates[update_id]
        return len(old)

    async def agree(self, key: str, proposal: str) -> str:
        return self.s.agreed.setdefault(key, proposal)

    async def take_lease(self, name: str, holder: str, now: datetime, until: datetime) -> Lease:
        current = self.s.leases.get(name)
        if current is None or current.holder == holder or current.until <= now:
            current = self.s.leases[name] = Lease(holder, until)
        return current

    async def drop_lease(self, name: str, holder: str) -> None:
        if name in self.s.leases and self.s.leases[name].holder == holder:
            del self.s.leases[name]


class FakeLearned(_Repository):
    async def teach(
        self, entry_id: str, texts: Sequence[str], taught_by: int | None, now: datetime
    ) -> int:
        others = [p for p in self.s.learned if not (p.text in texts and p.entry_id != entry_id)]
        known = {p.text for p in others if p.entry_id == entry_id}
        new = [LearnedPhrasing(entry_id, t, taught_by, now) for t in texts if t not in known]
        self.s.learned = others + new
        return len(new)

    async def all(self) -> list[LearnedPhrasing]:
        return list(self.s.learned)


class FakeGroups(_DeliveryRows):
    def _rows(self) -> dict[int, Any]:
        return self.s.group_tips

    async def get(self, chat_id: int) -> GroupChat | None:
        return self.s.groups.get(chat_id)

    async def save(self, group: GroupChat, now: datetime) -> None:
        self.s.groups[group.chat_id] = replace(group, title=group.title[:255])

    async def set_next(self, chat_id: int, at: datetime | None) -> None:
        if chat_id in self.s.groups:
            self.s.groups[chat_id] = replace(self.s.groups[chat_id], next_tip_at=at)

    async def next_due(self, now: datetime) -> GroupChat | None:
        due = [
            g
            for g in self.s.groups.values()
            if g.tips_enabled and g.active and g.next_tip_at is not None and g.next_tip_at <= now
        ]
        return min(due, key=lambda g: g.next_tip_at or now) if due else None

    async def claim(self, chat_id: int, local_date: date, tip_id: str, now: datetime) -> int | None:
        if await self.has_delivery(chat_id, local_date):
            return None
        delivery_id = self.s.new_id()
        self.s.group_tips[delivery_id] = Delivery(
            delivery_id, chat_id, local_date, tip_id, DeliveryStatus.SENDING, now
        )
        return delivery_id

    async def has_delivery(self, chat_id: int, local_date: date) -> bool:
        return any(
            d.user_id == chat_id and d.local_date == local_date for d in self.s.group_tips.values()
        )

    async def received(self, chat_id: int) -> list[str]:
        seen = sorted(self.s.group_tips.values(), key=lambda d: d.claimed_at)
        return [d.tip_id for d in seen if d.user_id == chat_id and d.status in SEEN_LIKE]

    async def move(self, old: int, new: int, now: datetime) -> bool:
        moved = self.s.groups.get(old)
        if moved is None or moved.migrated_to == new:
            return False
        target = self.s.groups.get(new)
        title = target.title if target is not None and target.title else moved.title
        self.s.groups[new] = replace(moved, chat_id=new, title=title, active=True, migrated_to=None)
        taken = {d.local_date for d in self.s.group_tips.values() if d.user_id == new}
        for delivery in self.s.group_tips.values():
            if delivery.user_id == old and delivery.local_date not in taken:
                delivery.user_id = new
        self.s.groups[old] = replace(
            moved, migrated_to=new, tips_enabled=False, active=False, next_tip_at=None
        )
        return True


class FakeUnitOfWork:
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store
        self.state = State()

    async def __aenter__(self) -> Self:
        self.state = copy.deepcopy(self._store.state)
        self.users = FakeUsers(self)
        self.questions = FakeQuestions(self)
        self.quizzes = FakeQuizzes(self)
        self.tips = FakeTips(self)
        self.digests = FakeDigests(self)
        self.ops = FakeOps(self)
        self.privacy = FakePrivacy(self)
        self.replicas = FakeReplicas(self)
        self.learned = FakeLearned(self)
        self.groups = FakeGroups(self)
        self.group_quizzes = FakeGroupQuizzes(self)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Uncommitted changes are simply dropped with the copy."""

    async def commit(self) -> None:
        self._store.state = copy.deepcopy(self.state)
        self._store.commits += 1
