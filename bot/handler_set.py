"""Build every Telegram handler object from the services they call (used by bot/app.py)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.observability import Observer
from bot.services.chat_moves import ChatMoves
from bot.services.context import ServiceContext
from bot.services.digest import DigestService
from bot.services.group_quizzes import GroupQuizService
from bot.services.groups import GroupService
from bot.services.inline import InlineService
from bot.services.leaderboard import LeaderboardService
from bot.services.learners import LearnerService
from bot.services.operations import OpsService
from bot.services.path import PathService
from bot.services.questions import QuestionService
from bot.services.quizzes import QuizService
from bot.services.teaching import TeachingService
from bot.services.tips import TipService
from bot.settings import Settings
from bot.telegram.application import AllHandlers
from bot.telegram.flood import FloodLimiter
from bot.telegram.group_handlers import GroupHandlers
from bot.telegram.group_quiz_handlers import GroupQuizHandlers
from bot.telegram.group_tip_sender import GroupTipSender
from bot.telegram.guard import FloodGuard
from bot.telegram.handlers import Handlers
from bot.telegram.inline_handlers import InlineHandlers
from bot.telegram.leaderboard_handlers import LeaderboardHandlers
from bot.telegram.ops_handlers import OpsHandlers
from bot.telegram.path_handlers import PathHandlers
from bot.telegram.quiz_handlers import QuizHandlers
from bot.telegram.send import FollowUps
from bot.telegram.start_handlers import StartHandlers
from bot.telegram.teach_handlers import TeachHandlers
from bot.telegram.tip_handlers import TipHandlers


@dataclass(frozen=True)
class Groups:
    """Groups: the group tip's service and sender, and every feature's ChatMover
    (a feature keyed by chat id adds its own to `moves`)."""

    service: GroupService
    moves: ChatMoves
    sender: GroupTipSender
    handlers: GroupHandlers


def build_groups(context: ServiceContext, limiter: FloodLimiter, observer: Observer) -> Groups:
    service = GroupService(context)
    moves = ChatMoves([service])
    # build_handlers plugs the group quiz round in (start_group_quiz, moves).
    handlers = GroupHandlers(service, moves)
    sender = GroupTipSender(context, limiter, observer, moves, service)
    return Groups(service, moves, sender, handlers)


@dataclass(frozen=True)
class Services:
    """The services the app keeps a handle on (jobs and tests use them too)."""

    quizzes: QuizService
    tips: TipService
    ops: OpsService
    teaching: TeachingService
    groups: Groups


def build_handlers(
    context: ServiceContext,
    settings: Settings,
    services: Services,
    observer: Observer,
    guard: FloodGuard,
    followups: FollowUps,
) -> AllHandlers:
    library = context.library
    quiz = QuizHandlers(library, services.quizzes, observer, followups)
    tips = TipHandlers(services.tips, DigestService(context))
    ops = OpsHandlers(library, services.ops, observer, services.teaching)
    path = PathHandlers(library, PathService(context))
    group_quiz = group_quiz_handlers(context, settings, services, observer, followups)
    # "Quiz the group" under a group tip starts a group round, and an upgraded
    # group's rounds and leaderboard move with its settings.
    services.groups.handlers.start_group_quiz = group_quiz.start_in_chat
    services.groups.handlers.topic_of_entry = lambda short_id: (
        entry.topic if (entry := library.kb.entry_by_short_id(short_id)) else None
    )
    services.groups.moves.add(group_quiz.service)
    return AllHandlers(
        general=Handlers(library, QuestionService(context), observer, settings.admin_ids),
        start=StartHandlers(library, LearnerService(context), quiz, tips, ops, path, observer),
        quiz=quiz,
        path=path,
        tips=tips,
        ops=ops,
        teach=TeachHandlers(library, services.teaching, observer, settings.admin_ids),
        inline=InlineHandlers(InlineService(context), observer),
        guard=guard,
        observer=observer,
        admin_ids=settings.admin_ids,
        groups=services.groups.handlers,
        group_quiz=group_quiz,
        leaderboard=LeaderboardHandlers(LeaderboardService(context)),
    )


def group_quiz_handlers(
    context: ServiceContext,
    settings: Settings,
    services: Services,
    observer: Observer,
    followups: FollowUps,
) -> GroupQuizHandlers:
    group_quizzes = GroupQuizService(
        context,
        seconds=settings.group_quiz_seconds,
        round_size=settings.group_quiz_round_size,
        desired_retention=settings.quiz_retention,
    )
    return GroupQuizHandlers(group_quizzes, services.quizzes.find_topic, observer, followups)
