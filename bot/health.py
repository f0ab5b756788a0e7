"""The running process's liveness, cheap to check from outside (Docker's HEALTHCHECK
runs `nexus-bot healthcheck` every 30 s): `nexus-bot run` pings its database every
HEARTBEAT seconds from its JobQueue and writes the outcome to NEXUS_DATA_DIR/heartbeat;
the check reads that file. It imports only `os`, `sys` and `time` (no pathlib, json
or socket), so the check costs little more than Python's own start."""

from __future__ import annotations

import os
import sys
import time

TYPE_CHECKING = False  # typing itself costs milliseconds to import
if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Mapping

HEARTBEAT_SECONDS = 10
STALE_AFTER = 6 * HEARTBEAT_SECONDS  # six missed beats: the process or its loop is stuck
HEARTBEAT_FILE = "heartbeat"


def heartbeat_path(environ: Mapping[str, str] | None = None) -> str:
    """NEXUS_DATA_DIR/heartbeat, read as bot.settings reads NEXUS_DATA_DIR."""
    data_dir = (os.environ if environ is None else environ).get("NEXUS_DATA_DIR", "").strip()
    data_dir = data_dir or "./data"
    return os.path.join(os.path.expanduser(data_dir), HEARTBEAT_FILE)


async def beat(
    path: str, ping: Callable[[], Awaitable[None]], redact: Callable[[str], str] = str
) -> str | None:
    """Ping the database and record the outcome with the time; the error, if any.
    The record is one line: "<unix time> <pid> <ok or the error's first line>", the
    error passed through `redact` (the process's secrets; the check prints it)."""
    try:
        await ping()
        error = None
    except Exception as failure:
        error = redact(f"{type(failure).__name__}: {failure}".splitlines()[0])
    record(path, f"{time.time():.3f} {os.getpid()} {error or 'ok'}")
    return error


def record(path: str, line: str) -> None:
    folder, name = os.path.split(path)
    os.makedirs(folder or ".", exist_ok=True)
    partial = os.path.join(folder, f".{name}.{os.getpid()}")
    with open(partial, "w", encoding="utf-8") as file:
        file.write(f"{line}\n")
    os.replace(partial, path)  # atomic: a reader never sees half a record


def verdict(path: str, now: float) -> tuple[bool, str]:
    """(healthy, one line saying why) from the heartbeat at `path` at time `now`."""
    try:
        with open(path, encoding="utf-8") as file:
            at, pid, database = file.read().strip().split(" ", 2)
        age = now - float(at)
    except (OSError, ValueError):
        return False, (
            f"no heartbeat at {path}: is `nexus-bot run` running with this NEXUS_DATA_DIR, "
            "and can it write there?"
        )
    if age > STALE_AFTER:
        return (
            False,
            f"the heartbeat at {path} is {age:.0f} s old (over {STALE_AFTER} s): the bot is stuck or stopped",
        )
    if database != "ok":
        return False, f"the database did not answer the bot {age:.0f} s ago: {database}"
    return True, f"ok: the bot (pid {pid}) reached its database {age:.0f} s ago"


def healthcheck() -> int:
    """`nexus-bot healthcheck`: exit 0 while the bot's heartbeat is fresh and its last
    database ping answered; else 1 and one line saying why."""
    healthy, line = verdict(heartbeat_path(), time.time())
    print(line if healthy else f"nexus-bot: {line}", file=sys.stdout if healthy else sys.stderr)
    return 0 if healthy else 1


def process_id() -> str:
    """Who holds the poller lease: this host and process id. A container restarted by
    Docker keeps its host name (and its process id), so it takes its lease back at once."""
    return f"{os.uname().nodename}:{os.getpid()}"


def gone(holder: str) -> bool:
    """True when `holder` names a process on this host that no longer exists."""
    host, _, pid = holder.rpartition(":")
    if host != os.uname().nodename or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, another user's
        return False
    return False
