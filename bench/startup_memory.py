"""Start-up time and memory of `nexus-bot run`, beside a bare python-telegram-bot echo
bot (bench/echo_bot.py) as the floor.

    python bench/startup_memory.py [--runs 5] [--settle 0.5] [--restart] [--questions 300]

Each run starts one process against its own loopback fake Bot API
(bot/fake_telegram/server.py, on 127.0.0.1) with the same token, a fresh temporary
NEXUS_DATA_DIR (SQLite) and one shared NEXUS_CACHE_DIR, warmed first by one
`nexus-bot run` whose figures are not counted. Runs alternate Nexus / echo, `--runs`
of each. With `--restart`, Nexus starts on a copy of the database the warm-up run
created (migrated, as at every restart of a deployed bot) instead of a new one.
Per run:

- start → first getUpdates: from just before the process is spawned to its first
  getUpdates request reaching the fake server (the bot is then ready for updates);
- VmRSS at first getUpdates: /proc/<pid>/status as that request arrives;
- first reply: one text message (a question, or `--message`) is queued as that
  first getUpdates arrives, until the bot's sendMessage that answers it arrives (a
  note that the question waits for the matcher does not count). Nexus builds its
  matcher after it starts polling, so a question sent at once waits for it: start →
  first answer (the two added) is what a learner who writes at once waits;
- VmRSS and VmHWM (peak) `--settle` seconds after that reply (the running bot's
  memory: at first getUpdates Nexus's matcher may still be building);
- with `--questions N`: VmRSS after N more questions of the development set
  (tests/eval/dev), each from a user of its own, all answered (what a bot that has
  run a while holds);
then SIGTERM, and the time until the process has exited.

Nexus's own modules are compiled to bytecode first (`compileall`; up-to-date files are
left alone), as `pip install` does for an installed package, the Docker image's
included. A checkout installed with `pip install -e` in a shell that sets
PYTHONDONTWRITEBYTECODE=1 (as the Dockerfile does for run time) would otherwise compile
about 120 modules from source at every start, which no deployed bot does and the echo
bot, whose python-telegram-bot was compiled when it was installed, never does either.

Every wait is bounded; a process that does not stop after SIGTERM is killed and
reported. The only network traffic is to the fake server on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parents[1]))

from bench.evaluation import load_dev_set
from bench.machine import load_line, machine_line
from bot.fake_telegram import ApiCall, FakeBotApi, LoopbackBotApiServer
from bot.presentation.views import WARMING_UP
from content.vector_folder import cache_folder

TOKEN = "123456:bench-startup-token"
USER = 424242
QUESTION = "what is an n+1 query"
START_TIMEOUT_S = 180.0
WARM_UP_TIMEOUT_S = 900.0  # the warm-up run encodes the whole knowledge base
REPLY_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 30.0


class WatchedApi(FakeBotApi):
    """The fake Bot API, noting when the first getUpdates request arrives (the fake
    records other calls in `calls`, but not getUpdates)."""

    def __init__(self) -> None:
        super().__init__()
        self.polling = threading.Event()
        self.first_poll_at = 0.0
        self.on_first_poll: Any = None  # called in the server's thread, as the request arrives

    def handle(
        self, method: str, params: dict[str, Any], *, wait: bool = True
    ) -> tuple[int, dict[str, Any]]:
        if method == "getUpdates" and not self.polling.is_set():
            self.first_poll_at = time.monotonic()
            if self.on_first_poll is not None:
                self.on_first_poll()
            self.polling.set()
        return super().handle(method, params, wait=wait)


@dataclass(frozen=True)
class Run:
    bot: str
    ready_s: float  # spawn → first getUpdates
    rss_ready_mib: float
    reply_s: float  # update queued → sendMessage
    rss_mib: float  # --settle after the reply
    hwm_mib: float
    stop_s: float  # SIGTERM → exited
    exit_code: int | None  # None: killed after STOP_TIMEOUT_S
    rss_more_mib: float = float("nan")  # --settle after the replies to --questions more

    @property
    def answered_s(self) -> float:
        """Spawn → the reply to a message sent as polling began."""
        return self.ready_s + self.reply_s


def development_questions(count: int) -> list[str]:
    """The first `count` questions of the development set, repeated if it has fewer."""
    if count <= 0:
        return []
    texts = [q.text for q in load_dev_set().questions]
    return [texts[i % len(texts)] for i in range(count)]


def memory_mib(pid: int) -> dict[str, float]:
    """VmRSS and VmHWM of a process, in MiB (empty if it has gone)."""
    found = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                found[key] = int(value.split()[0]) / 1024  # kB
    except OSError:
        pass
    return found


def is_reply(call: ApiCall) -> bool:
    """A message to the benchmark's user that answers it: not Nexus's note that a
    question waits for the matcher still being built after a start."""
    return (
        call.method == "sendMessage"
        and call.params.get("chat_id") == USER
        and call.params.get("text") != WARMING_UP.text
    )


def children(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []


def environment(server: LoopbackBotApiServer, data_dir: Path, cache_dir: Path) -> dict[str, str]:
    inherited = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("NEXUS_", "TELEGRAM_")) and "proxy" not in k.lower()
    }
    return {
        **inherited,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": server.base_url,
        "NEXUS_DATA_DIR": str(data_dir),
        "NEXUS_CACHE_DIR": str(cache_dir),
        "NEXUS_LOG_LEVEL": "WARNING",
        "NO_PROXY": "127.0.0.1",
        "no_proxy": "127.0.0.1",
    }


def command(bot: str) -> list[str]:
    if bot == "nexus":
        return [str(Path(sys.executable).parent / "nexus-bot"), "run"]
    return [sys.executable, str(Path(__file__).with_name("echo_bot.py"))]


def nexus_code() -> str:
    """Where `nexus-bot` imports the bot from, asked of the same interpreter from a neutral
    folder (an editable install, or PYTHONPATH when it is set)."""
    with tempfile.TemporaryDirectory() as neutral:
        found = subprocess.run(
            [
                sys.executable,
                "-c",
                "import bot, pathlib; print(pathlib.Path(bot.__file__).parent.parent)",
            ],
            cwd=neutral,
            capture_output=True,
            text=True,
            timeout=60,
        )
    return found.stdout.strip() or found.stderr.strip()


def compile_bytecode(code: Path) -> None:
    """Compile the bot's packages where `nexus-bot` imports them from, once, so every
    measured start reads bytecode (see the module's docstring)."""
    folders = [str(code / name) for name in ("bot", "content", "storage")]
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", *folders],
        check=True,
        timeout=300,
    )


def wait_until_polling(
    api: WatchedApi, process: subprocess.Popen[bytes], timeout: float, log: Path
) -> None:
    deadline = time.monotonic() + timeout
    while not api.polling.wait(0.1):
        if process.poll() is not None:
            raise RuntimeError(f"exited with {process.returncode} before polling:\n{tail(log)}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"no getUpdates within {timeout:.0f} s:\n{tail(log)}")


def tail(log: Path, lines: int = 20) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no output)"


def stop(process: subprocess.Popen[bytes]) -> tuple[float, int | None]:
    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    try:
        code: int | None = process.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=STOP_TIMEOUT_S)
        code = None
    return time.monotonic() - started, code


def run_once(
    bot: str,
    cache_dir: Path,
    settle: float,
    start_timeout: float,
    database_from: Path | None = None,
    keep_data_in: Path | None = None,
    message: str = QUESTION,
    more: Sequence[str] = (),
) -> Run:
    """`database_from`: a data folder copied in first (a restart: the database exists
    and is migrated); `keep_data_in`: where the run's data folder is left afterwards."""
    api = WatchedApi()
    with tempfile.TemporaryDirectory() as folder, LoopbackBotApiServer(api) as server:
        data_dir = Path(folder) / "data"
        if database_from is not None and bot == "nexus":
            shutil.copytree(database_from, data_dir)
        log = Path(folder) / "bot.log"
        with log.open("wb") as out:
            started = time.monotonic()
            process = subprocess.Popen(
                command(bot),
                env=environment(server, data_dir, cache_dir),
                stdout=out,
                stderr=subprocess.STDOUT,
            )
            try:
                ready_memory: dict[str, float] = {}
                api.on_first_poll = lambda: ready_memory.update(memory_mib(process.pid))
                wait_until_polling(api, process, start_timeout, log)
                ready_s = api.first_poll_at - started
                queued = time.monotonic()
                api.push_update(api.message_update(USER, message))
                calls = api.wait_for(
                    lambda calls: any(is_reply(c) for c in calls),
                    # A first start answers its question once the whole knowledge base
                    # is encoded (its "still reading my notes" note is not the reply).
                    timeout=max(REPLY_TIMEOUT_S, start_timeout),
                )
                reply = next(c for c in calls if is_reply(c))
                reply_s = reply.at - queued
                time.sleep(settle)
                memory = memory_mib(process.pid)
                more_memory = answer_more(api, more, settle, process.pid) if more else {}
                if children(process.pid):
                    print(f"note: {bot} has child processes, not counted", file=sys.stderr)
                stop_s, code = stop(process)
            finally:
                if process.poll() is None:
                    process.kill()
                    process.wait(timeout=STOP_TIMEOUT_S)
        if code != 0:
            print(f"note: {bot} exit code {code} after SIGTERM:\n{tail(log)}", file=sys.stderr)
        if keep_data_in is not None:
            shutil.copytree(data_dir, keep_data_in)
        return Run(
            bot,
            ready_s,
            ready_memory.get("VmRSS", float("nan")),
            reply_s,
            memory["VmRSS"],
            memory["VmHWM"],
            stop_s,
            code,
            more_memory.get("VmRSS", float("nan")),
        )


def answer_more(api: WatchedApi, texts: Sequence[str], settle: float, pid: int) -> dict[str, float]:
    """Send each text from a user of its own (no flood limit per user applies), wait until
    every one is answered, then read the process's memory."""
    users = {USER + 1 + i for i in range(len(texts))}
    for user, text in zip(sorted(users), texts, strict=True):
        api.push_update(api.message_update(user, text))
    api.wait_for(
        lambda calls: (
            users <= {c.params.get("chat_id") for c in calls if c.method == "sendMessage"}
        ),
        timeout=REPLY_TIMEOUT_S + len(texts),
    )
    time.sleep(settle)
    return memory_mib(pid)


def spread(values: list[float], unit: str, digits: int) -> str:
    return (
        f"{statistics.median(values):.{digits}f} {unit} "
        f"({min(values):.{digits}f}–{max(values):.{digits}f})"
    )


MEASURES = (
    ("start → first getUpdates", "ready_s", "s", 2),
    ("VmRSS at first getUpdates", "rss_ready_mib", "MiB", 0),
    ("first reply (update queued → sendMessage)", "reply_s", "s", 3),
    ("start → first reply (the two above)", "answered_s", "s", 2),
    ("VmRSS after the reply", "rss_mib", "MiB", 0),
    ("VmHWM (peak RSS) after the reply", "hwm_mib", "MiB", 0),
    ("SIGTERM → exited", "stop_s", "s", 2),
)
MORE_MEASURE = ("VmRSS after {n} more questions", "rss_more_mib", "MiB", 0)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each bot")
    parser.add_argument(
        "--settle", type=float, default=0.5, help="seconds after the reply before reading memory"
    )
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="one run of each on the user's vector cache, no warm-up: a few seconds once warm",
    )
    parser.add_argument(
        "--message",
        default=QUESTION,
        help=f"what the first update says (default: {QUESTION!r}; try /help)",
    )
    parser.add_argument(
        "--restart",
        action="store_true",
        help=(
            "start Nexus on a copy of the database the warm-up run created (a restart: "
            "migrated, with the warm-up's learner); default: a new database every run"
        ),
    )
    parser.add_argument(
        "--questions",
        type=int,
        default=0,
        help="after the first reply, send this many questions of the development set and "
        "read VmRSS once all are answered (default: 0, none)",
    )
    args = parser.parse_args()
    more = development_questions(args.questions)
    if args.smoke:
        args.runs, args.settle = 1, 0.1
    print(machine_line())
    print(load_line("at start"))
    code = nexus_code()
    print(f"nexus-bot: {command('nexus')[0]} (code in {code}); echo bot: {command('echo')[1]}")
    compile_bytecode(Path(code))
    print("bytecode: Nexus's modules compiled ahead, as an install does")
    print(
        "database: a copy of the warm-up run's (a restart)"
        if args.restart
        else "database: a new one every run (migrated at start)"
    )
    print(f"first message: {args.message!r}")
    runs: list[Run] = []
    caches = nullcontext(str(cache_folder())) if args.smoke else tempfile.TemporaryDirectory()
    with caches as cache, tempfile.TemporaryDirectory() as kept:
        warmed_data = Path(kept) / "data" if args.restart else None
        if not args.smoke or args.restart:
            warm = run_once(
                "nexus", Path(cache), args.settle, WARM_UP_TIMEOUT_S, keep_data_in=warmed_data
            )
            print(
                f"warm-up (empty vector cache, not counted): first getUpdates after "
                f"{warm.ready_s:.1f} s, first reply {warm.reply_s:.3f} s",
                flush=True,
            )
        for i in range(args.runs):
            for bot in ("nexus", "echo"):
                r = run_once(
                    bot,
                    Path(cache),
                    args.settle,
                    START_TIMEOUT_S,
                    warmed_data,
                    None,
                    args.message,
                    more,
                )
                runs.append(r)
                print(
                    f"run {i + 1} {bot}: ready {r.ready_s:.2f} s, VmRSS {r.rss_ready_mib:.0f} MiB; "
                    f"reply {r.reply_s:.3f} s, VmRSS {r.rss_mib:.0f} MiB, VmHWM "
                    f"{r.hwm_mib:.0f} MiB; stopped in {r.stop_s:.2f} s (exit {r.exit_code})",
                    flush=True,
                )
    by_bot = {bot: [r for r in runs if r.bot == bot] for bot in ("nexus", "echo")}
    print(
        f"\n{args.runs} runs of each, alternating; median (min–max); the ratio is of the medians\n"
    )
    print("| measure | nexus-bot run | echo bot (bare PTB) | nexus / echo |")
    print("| --- | --- | --- | --- |")
    label, field, unit, digits = MORE_MEASURE
    measures = [*MEASURES, (label.format(n=len(more)), field, unit, digits)] if more else MEASURES
    for label, field, unit, digits in measures:
        nexus = [getattr(r, field) for r in by_bot["nexus"]]
        echo = [getattr(r, field) for r in by_bot["echo"]]
        ratio = statistics.median(nexus) / statistics.median(echo)
        print(
            f"| {label} | {spread(nexus, unit, digits)} | {spread(echo, unit, digits)} | "
            f"{ratio:.1f}x |"
        )
    codes = sorted({str(r.exit_code) for r in runs})
    print(f"\nexit codes after SIGTERM: {', '.join(codes)} (None: killed after {STOP_TIMEOUT_S} s)")
    print(load_line("at the end"))
    return 0 if codes == ["0"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
