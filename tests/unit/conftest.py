"""Fixtures shared by the unit tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

FIXTURE_CONTENT = Path(__file__).parent.parent / "fixtures" / "content"


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """A copy of the small test knowledge base, free to edit."""
    root = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, root)
    return root
