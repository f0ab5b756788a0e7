"""The running process's liveness, cheap to check from outside (Docker's HEALTHCHECK
runs `nexus-bot healthcheck` every 30 s): `nexus-bot run` pings its database every
HEARTBEAT seconds from its JobQueue and writes the outcome to NEXUS_DATA_DIR/heartbeat;
the check reads that file. Standard library only, so the check starts fast."""

from __future__ import annotations

import json
import os
import socket
import sys
import time
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path

HEARTBEAT_SECONDS = 10
STALE_AFTER = 6 * HEARTBEAT_SECONDS  # six missed beats: the process or its loop is stuck
HEARTBEAT_FILE = "heartbeat"


def heartbeat_path(environ: Mapping[str, str] = os.environ) -> Path:
    """NEXUS_DATA_DIR/heartbeat, read as bot.settings reads NEXUS_DATA_DIR."""
    data_dir = environ.get("NEXUS_DATA_DIR", "").strip() or "./data"
    return Path(data_dir).expanduser() / HEARTBEAT_FILE


async def beat(path: Path, ping: Callable[[], Awaitable[None]]) -> str | None:
    """Ping the database and record the outcome with the time; the error, if any."""
    try:
        await ping()
        error = None
    except Exception as failure:
        error = f"{type(failure).__name__}: {failure}".splitlines()[0]
    record = {"pid": os.getpid(), "at": time.time(), "database": error or "ok"}
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    partial.write_text(json.dumps(record))
    partial.replace(path)  # atomic: a reader never sees half a record
    return error


def verdict(path: Path, now: float) -> tuple[bool, str]:
    """(healthy, one line saying why) from the heartbeat at `path` at time `now`."""
    try:
        record = json.loads(path.read_text())
        age = now - float(record["at"])
        database = str(record["database"])
    except (OSError, ValueError, KeyError, TypeError):
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
    return True, f"ok: the bot (pid {record.get('pid')}) reached its database {age:.0f} s ago"


def healthcheck() -> int:
    """`nexus-bot healthcheck`: exit 0 while the bot's heartbeat is fresh and its last
    database ping answered; else 1 and one line saying why."""
    healthy, line = verdict(heartbeat_path(), time.time())
    print(line if healthy else f"nexus-bot: {line}", file=sys.stdout if healthy else sys.stderr)
    return 0 if healthy else 1


def process_id() -> str:
    """Who holds the poller lease: this host and process id. A container restarted by
    Docker keeps its host name (and its process id), so it takes its lease back at once."""
    return f"{socket.gethostname()}:{os.getpid()}"


def gone(holder: str) -> bool:
    """True when `holder` names a process on this host that no longer exists."""
    host, _, pid = holder.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, another user's
        return False
    return False
