"""Cache files are replaced whole: a failed write keeps the old file and leaves no
temporary file behind."""

from __future__ import annotations

from pathlib import Path
from typing import IO

import pytest

from content.atomic_file import write_atomically


def test_a_file_is_written_and_replaced_whole(tmp_path: Path) -> None:
    target = tmp_path / "folder" / "cache.json"
    write_atomically(target, lambda out: out.write(b"first"))
    write_atomically(target, lambda out: out.write(b"second"))
    assert target.read_bytes() == b"second"
    assert sorted(p.name for p in target.parent.iterdir()) == ["cache.json"]


def test_a_failed_write_keeps_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "cache.json"
    target.write_bytes(b"old")

    def half_then_full_disk(out: IO[bytes]) -> None:
        out.write(b"half of the new")
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space left"):
        write_atomically(target, half_then_full_disk)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["cache.json"]
