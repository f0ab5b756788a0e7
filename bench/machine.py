"""One line describing the machine a benchmark ran on, printed with its tables."""

from __future__ import annotations

import os
import platform
from datetime import date
from pathlib import Path


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def machine_line(*details: str) -> str:
    """`details`: versions that matter to the benchmark ("numpy 2.4.6")."""
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"machine: {os.cpu_count()} vCPU {cpu_model()} ({platform.machine()}), "
        f"{memory:.0f} GiB RAM, {platform.system()} {platform.release()}, "
        f"{platform.python_implementation()} {platform.python_version()}, "
        + "".join(f"{d}, " for d in details)
        + f"measured {date.today()}; shared and noisy: compare figures from the same run only"
    )


def load_line(when: str) -> str:
    """The 1/5/15-minute load averages: other work on the machine shows here."""
    one, five, fifteen = os.getloadavg()
    return f"load average {when}: {one:.2f} {five:.2f} {fifteen:.2f} ({os.cpu_count()} vCPU)"
