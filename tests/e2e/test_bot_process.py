"""The e2e harness itself: a process that outlives SIGTERM fails its test with what it
was doing, so a slow stop in CI leaves something to read."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from tests.e2e.conftest import BotProcess

# Ignores SIGTERM, says it is ready, then waits in a named function on a second thread
# and on the main one: the stacks in the failure must show both.
STUBBORN = """
import signal, threading, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
def building_the_matcher():
    time.sleep(60)
threading.Thread(target=building_the_matcher, daemon=True).start()
print("ready", flush=True)
time.sleep(60)
"""


def test_a_process_that_ignores_sigterm_fails_with_every_threads_stack(tmp_path: Path) -> None:
    script = tmp_path / "stubborn.py"
    script.write_text(STUBBORN)
    process = BotProcess(
        [str(script)], dict(os.environ), tmp_path / "stubborn.log", program=sys.executable
    )
    try:
        process.wait_for_output("ready", timeout=30)
        with pytest.raises(pytest.fail.Exception) as failure:
            process.terminate(timeout=0.5)
        message = str(failure.value)
        assert "did not exit within 0.5 s of SIGTERM" in message
        assert "ready" in message  # the process's own output comes first
        assert "building_the_matcher" in message  # then every thread's stack: the helper's
        assert 'stubborn.py", line 8 in <module>' in message  # and the main thread's
        assert process.process.poll() is not None  # and it is gone
    finally:
        process.kill()
