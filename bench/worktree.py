"""A temporary git worktree of another revision, for benchmarks that compare with it."""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).parents[1]


@contextmanager
def checked_out(rev: str) -> Iterator[Path]:
    """`rev` checked out in a temporary folder; removed again afterwards."""
    with tempfile.TemporaryDirectory() as folder:
        tree = Path(folder) / "tree"
        subprocess.run(
            ["git", "worktree", "add", "--detach", str(tree), rev],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        try:
            yield tree
        finally:
            subprocess.run(
                ["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT, check=True
            )


def descends_from(rev: str, ancestor: str) -> bool:
    """Whether `ancestor` is `rev` or one of its ancestors (what a benchmark asks to
    know whether an older revision has a feature)."""
    found = subprocess.run(
        ["git", "merge-base", "--is-ancestor", ancestor, rev],
        cwd=ROOT,
        capture_output=True,
        check=False,
    )
    if found.returncode not in (0, 1):
        raise RuntimeError(f"git merge-base: {found.stderr.decode().strip()}")
    return found.returncode == 0
