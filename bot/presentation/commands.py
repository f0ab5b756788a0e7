"""Every command the bot knows: the one list behind /help, setMyCommands and the
docs contract test."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Command:
    name: str
    description: str
    usage: str = ""


COMMANDS: tuple[Command, ...] = (
    Command("start", "Welcome and what I can do"),
    Command("help", "Every command, and how to ask"),
    Command("topics", "Browse everything I know by topic"),
    Command("quiz", "A round of quiz questions (e.g. /quiz sql)", "[topic]"),
    Command("path", "The program's topics in order, with your progress in each"),
    Command("next", "The next concept to learn on your path, with a quiz"),
    Command(
        "leaderboard", "A group's quiz points; in private, hide or show your name", "[hide|show]"
    ),
    Command("progress", "Your accuracy, mastery per topic, streak and reviews due"),
    Command("reset", "Clear your quiz progress (asks first)"),
    Command("tips", "Daily tip on or off (/tips on, /tips off)", "[on|off]"),
    Command("tiptime", "When your daily tip arrives, e.g. /tiptime 08:30", "HH:MM"),
    Command("timezone", "Your time zone, e.g. /timezone Europe/Berlin or +3", "Zone"),
    Command("digest", "Weekly digest on Sundays on or off (/digest on, /digest off)", "[on|off]"),
    Command("mydata", "Everything Nexus stores about you, as a JSON file"),
    Command("forget", "Delete everything Nexus stores about you (asks first)"),
)

# Only for the user ids in NEXUS_ADMIN_IDS; not in the public command menu.
ADMIN_COMMANDS: tuple[Command, ...] = (
    Command("unanswered", "Recent questions I could not answer, grouped, with counts"),
    Command("stats", "Users, questions, quizzes, tips and feedback at a glance"),
    Command("reload", "Re-read the content; invalid content keeps the old one live"),
    Command("teach", "Teach /unanswered group N an entry: /teach 2 caching-etag", "N entry-id"),
)

# For a group's administrators, in the group (any admin, not only NEXUS_ADMIN_IDS).
GROUP_ADMIN_COMMANDS: tuple[Command, ...] = (
    Command(
        "grouptip",
        "The group's daily tip: /grouptip 08:00 Africa/Lagos, /grouptip off",
        "[HH:MM [Zone]|off]",
    ),
)
