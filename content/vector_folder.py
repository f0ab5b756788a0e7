"""Where the vector cache lives, and the signal that an encoding run was stopped:
what the bot needs before it loads the encoder's modules (numpy, onnxruntime) in
the thread that builds the matcher (bot/app.py)."""

from __future__ import annotations

import os
from pathlib import Path


class EncodingStopped(Exception):
    """An encoding run was asked to stop (see SentenceEncoder.encode)."""


def cache_folder() -> Path:
    """Where vectors are kept: NEXUS_CACHE_DIR, else the user's cache folder."""
    configured = os.environ.get("NEXUS_CACHE_DIR")
    if configured:
        return Path(configured).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "nexus"
