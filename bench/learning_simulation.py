"""Leitner boxes against FSRS on simulated learners: reviews per day and the recall
they buy.

    python bench/learning_simulation.py [--learners 1000] [--days 60] [--seed 1] [--smoke]

Every learner studies once a day: all due reviews, then new questions up to the
bot's daily cap (NEXUS_QUIZ_NEW_PER_DAY, 10), from a pool the size of the bundled
content (372 questions). The same learners meet the same questions with the same
random stream under both schedulers; only the scheduling differs. FSRS is the
bot's own (bot/services/repetition.py: Good for a right answer, Again for a wrong
one, desired retention 0.9); Leitner is the old schedule (1, 3, 7, 16, 35 days,
back to box 1 on a miss).

The learner's memory, which neither scheduler sees (see docs/benchmarks.md):

- recall follows exponential forgetting, p = exp(-t / S), with a true stability S
  per learner and question (not FSRS's power-law curve);
- each question has a difficulty d in [0, 1]: after the first meeting S = S0 =
  4 (1 - 0.6 d) days times the learner's ability a (log-normal, sigma 0.25), so
  a day later a typical learner recalls 70% (78% of the easiest, 53% of the hardest);
- a recall multiplies S by 1 + (E - 1) min(1, (1 - p) / 0.2), E = 1 + (3 - 1.5 d) a:
  the full gain once recall has fallen to 80%, less for an earlier review
  (the spacing effect);
- a question not recalled is re-learned from the answer the bot shows:
  S = max(S0, 0.3 S);
- questions are multiple choice with 4 options (`--options`): a learner who does
  not recall one guesses right a quarter of the time, the scheduler sees a right
  answer, and the memory is re-learned as for a miss;
- before the first meeting a learner knows a question with probability 0.3 (1 - d).

Measured recall at the end is the true p on the last day, averaged over every
question a learner has met.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1]))

from importlib.metadata import version

from bench.machine import machine_line
from bot.services.repetition import Scheduler
from storage.records import Memory

LEITNER_DAYS = (1, 3, 7, 16, 35)  # the boxes FSRS replaced
NEW_PER_DAY = 10  # the bot's NEXUS_QUIZ_NEW_PER_DAY default
BUNDLED_QUESTIONS = 372  # quiz questions in content/data
OPTIONS = 4
START = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)


@dataclass
class Truth:
    """What the learner really remembers of one question."""

    stability: float
    first: float  # S0: the stability after meeting it once
    ease: float  # E: the stability factor of a recall at or below 80%
    last_day: int


class Learner:
    def __init__(
        self,
        ability: float,
        difficulties: list[float],
        rng: random.Random,
        options: int,
        first_memory: float = 1.0,
        power: bool = False,
    ) -> None:
        self.first_memory = first_memory
        self.power = power
        self.ability = ability
        self.guess = 1 / options if options else 0.0
        self.difficulties = difficulties
        self.rng = rng
        self.memory: dict[int, Truth] = {}

    def recall(self, item: int, day: int) -> float:
        truth = self.memory[item]
        t = day - truth.last_day
        if self.power:  # FSRS-4.5's curve shape: 90% at t = S, a long tail
            return float((1 + 19 / 81 * t / truth.stability) ** -0.5)
        return math.exp(-t / truth.stability)

    def answer(self, item: int, day: int) -> bool:
        """Answer a question (met or new); the memory changes; True if right."""
        d = self.difficulties[item]
        truth = self.memory.get(item)
        if truth is None:
            recalled = self.rng.random() < 0.3 * (1 - d)
            first = 4 * (1 - 0.6 * d) * self.ability * self.first_memory
            ease = 1 + (3 - 1.5 * d) * self.ability
            self.memory[item] = Truth(first, first, ease, day)
        else:
            p = self.recall(item, day)
            recalled = self.rng.random() < p
            if recalled:
                truth.stability *= 1 + (truth.ease - 1) * min(1.0, (1 - p) / 0.2)
            else:
                truth.stability = max(truth.first, 0.3 * truth.stability)
            truth.last_day = day
        return recalled or self.rng.random() < self.guess


# A schedule takes (state or None, right, day) and returns (new state, due day).
Schedule = Callable[[object, bool, int], tuple[object, int]]


def leitner(state: object, right: bool, day: int) -> tuple[object, int]:
    box = min((state if isinstance(state, int) else 0) + 1, len(LEITNER_DAYS)) if right else 1
    return box, day + LEITNER_DAYS[box - 1]


def fsrs_schedule(retention: float) -> Schedule:
    scheduler = Scheduler(retention)

    def review(state: object, right: bool, day: int) -> tuple[object, int]:
        memory = state if isinstance(state, Memory) else None
        after = scheduler.review(memory, right, START + timedelta(days=day))
        return after, (after.due_at - START).days

    return review


@dataclass
class Outcome:
    reviews: int = 0  # answers to questions met before
    new: int = 0  # first meetings
    right: int = 0
    recall_sum: float = 0.0
    met: int = 0


def simulate(
    schedule: Schedule,
    learners: int,
    days: int,
    items: int,
    seed: int,
    options: int = OPTIONS,
    first_memory: float = 1.0,
    power: bool = False,
) -> Outcome:
    world = random.Random(seed)
    difficulties = [world.random() for _ in range(items)]
    abilities = [math.exp(world.gauss(0, 0.25)) for _ in range(learners)]
    outcome = Outcome()
    for number, ability in enumerate(abilities):
        rng = random.Random(seed * 1_000_003 + number)
        learner = Learner(ability, difficulties, rng, options, first_memory, power)
        order = random.Random(seed * 7_919 + number).sample(range(items), items)
        state: dict[int, object] = {}
        due: dict[int, list[int]] = defaultdict(list)
        for day in range(days):
            todays = due.pop(day, [])
            fresh = order[:NEW_PER_DAY]
            del order[:NEW_PER_DAY]
            for item in todays + fresh:
                right = learner.answer(item, day)
                state[item], due_day = schedule(state.get(item), right, day)
                due[max(due_day, day + 1)].append(item)
                outcome.right += right
            outcome.reviews += len(todays)
            outcome.new += len(fresh)
        outcome.recall_sum += sum(learner.recall(item, days) for item in learner.memory)
        outcome.met += len(learner.memory)
    return outcome


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=1000)
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--items", type=int, default=BUNDLED_QUESTIONS, help="question pool")
    parser.add_argument(
        "--retention",
        type=float,
        nargs="+",
        default=[0.95, 0.9, 0.8],
        help="FSRS desired retentions to run (the bot's default is 0.9)",
    )
    parser.add_argument(
        "--options", type=int, default=OPTIONS, help="choices per question; 0: no guessing"
    )
    parser.add_argument(
        "--first-memory",
        type=float,
        default=1.0,
        help="scale of the stability after a first meeting (a sensitivity check)",
    )
    parser.add_argument(
        "--curve",
        choices=("exponential", "power"),
        default="exponential",
        help="the learner's forgetting curve (power: FSRS-4.5's shape, a sensitivity check)",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--smoke", action="store_true", help="20 learners, 20 days: a quick check")
    args = parser.parse_args(argv)
    if args.smoke:
        args.learners, args.days = 20, 20
    print(machine_line(f"fsrs {version('fsrs')}"))
    print(
        f"{args.learners} learners, {args.days} days, {args.items} questions, "
        f"{NEW_PER_DAY} new a day, {args.options or 'no'} options to guess from, "
        f"first-memory scale {args.first_memory}, {args.curve} forgetting, seed {args.seed}\n"
    )
    print(
        "| scheduler | reviews/day | new/day | answers right | recall at the end "
        "| questions met | reviews per met question | seconds |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    schedules: dict[str, Schedule] = {"Leitner 1/3/7/16/35": leitner}
    for retention in args.retention:
        schedules[f"FSRS, retention {retention}"] = fsrs_schedule(retention)
    for name, schedule in schedules.items():
        began = time.perf_counter()
        out = simulate(
            schedule,
            args.learners,
            args.days,
            args.items,
            args.seed,
            args.options,
            args.first_memory,
            args.curve == "power",
        )
        seconds = time.perf_counter() - began
        per_day = args.learners * args.days
        answers = out.reviews + out.new
        print(
            f"| {name} | {out.reviews / per_day:.2f} | {out.new / per_day:.2f} "
            f"| {out.right / answers:.3f} | {out.recall_sum / out.met:.3f} "
            f"| {out.met / args.learners:.0f} | {out.reviews / out.met:.2f} | {seconds:.0f} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
