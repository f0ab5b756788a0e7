"""The vector cache's file, read and written a chunk of rows at a time.

The file is an uncompressed .npz, as `np.savez` writes one: `keys` (one text hash
per row) and `vectors` (float32, one row per key). A warm start needs nearly every
stored vector, and `np.load` would hold the whole array (about 37 MiB for the
shipped content) beside the matcher's own copies of the rows it keeps, so the
start's peak memory held both. Here only the keys are held; rows are read from
the file straight into the caller's arrays, CHUNK_ROWS at a time, and a save
streams the old rows into the new file the same way.
"""

from __future__ import annotations

import struct
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO

import numpy as np
import numpy.typing as npt

CHUNK_ROWS = 1024  # 1.5 MiB of 384-float rows read or written at a time
KEYS = "keys.npy"
VECTORS = "vectors.npy"
_LOCAL_HEADER = struct.Struct("<4s5H3L2H")  # a zip member's local file header
_LOCAL_SIGNATURE = b"PK\x03\x04"

Vectors = npt.NDArray[np.float32]


class StoredVectors:
    """An open vector file: its keys in memory, its rows on disk.

    The file stays open until close(): a save by another process replaces the
    file (a rename), and the rows read here still come from the file the keys
    came from. Raises OSError, ValueError, KeyError or zipfile.BadZipFile for a
    file that is not such a cache (the caller rebuilds it)."""

    def __init__(self, path: Path) -> None:
        self._file = path.open("rb")
        try:
            with zipfile.ZipFile(self._file) as archive:
                with archive.open(KEYS) as member:
                    keys = np.lib.format.read_array(member, allow_pickle=False)
                info = archive.getinfo(VECTORS)
            if info.compress_type != zipfile.ZIP_STORED:
                raise ValueError("the vectors are compressed: rows cannot be read in place")
            self._start, shape, self._dtype = self._array_start(info)
            if len(shape) != 2 or shape[0] != len(keys):
                raise ValueError(f"{len(keys)} keys but vectors of shape {shape}")
            self.row_of: dict[str, int] = {str(key): row for row, key in enumerate(keys)}
            if len(self.row_of) != len(keys):  # chunks() pairs keys and rows by position
                raise ValueError("a key appears twice")
        except BaseException:
            self._file.close()
            raise
        self.dimension = int(shape[1])
        self._row_bytes = self.dimension * self._dtype.itemsize

    def _array_start(self, info: zipfile.ZipInfo) -> tuple[int, tuple[int, ...], np.dtype]:
        """Where the member's first row starts in the file, its shape and dtype."""
        self._file.seek(info.header_offset)
        header = _LOCAL_HEADER.unpack(self._file.read(_LOCAL_HEADER.size))
        if header[0] != _LOCAL_SIGNATURE:
            raise ValueError("not a zip member's local header")
        name_length, extra_length = header[-2:]
        self._file.seek(info.header_offset + _LOCAL_HEADER.size + name_length + extra_length)
        version = np.lib.format.read_magic(self._file)
        if version == (1, 0):
            shape, fortran_order, dtype = np.lib.format.read_array_header_1_0(self._file)
        else:
            shape, fortran_order, dtype = np.lib.format.read_array_header_2_0(self._file)
        if fortran_order or dtype.kind != "f":
            raise ValueError(f"unexpected vectors array ({dtype}, fortran order {fortran_order})")
        return self._file.tell(), shape, dtype

    def __len__(self) -> int:
        return len(self.row_of)

    def _read(self, first: int, count: int) -> Vectors:
        """Rows first .. first + count - 1, as float32."""
        self._file.seek(self._start + first * self._row_bytes)
        data = self._file.read(count * self._row_bytes)
        if len(data) != count * self._row_bytes:
            raise ValueError("the vector file is shorter than its header says")
        rows = np.frombuffer(data, dtype=self._dtype).reshape(count, self.dimension)
        return rows.astype(np.float32, copy=False)

    def read_into(self, out: Vectors, positions: Sequence[int], rows: Sequence[int]) -> None:
        """out[positions[i]] = stored row rows[i], reading the file in order, a chunk of
        at most CHUNK_ROWS rows at a time (rows not asked for inside a chunk are read
        and dropped: nearly every row is asked for at a start)."""
        if not rows:
            return
        wanted = np.asarray(rows, dtype=np.int64)
        order = np.argsort(wanted, kind="stable")
        wanted = wanted[order]
        targets = np.asarray(positions, dtype=np.int64)[order]
        begin = 0
        while begin < len(wanted):
            first = int(wanted[begin])
            end = int(np.searchsorted(wanted, first + CHUNK_ROWS, side="left"))
            chunk = self._read(first, int(wanted[end - 1]) - first + 1)
            out[targets[begin:end]] = chunk[wanted[begin:end] - first]
            begin = end

    def chunks(self) -> Iterable[tuple[Sequence[str], Vectors]]:
        """Every stored (key, row), in file order, CHUNK_ROWS rows at a time."""
        keys = list(self.row_of)
        for first in range(0, len(keys), CHUNK_ROWS):
            count = min(CHUNK_ROWS, len(keys) - first)
            yield keys[first : first + count], self._read(first, count)

    def close(self) -> None:
        self._file.close()


def write_vectors(
    out: IO[bytes], keys: Sequence[str], dimension: int, rows: Iterable[Vectors]
) -> None:
    """Write a vector file of `keys` and their rows, given as consecutive chunks in the
    keys' order, one chunk in memory at a time: a file `np.load` (and StoredVectors)
    reads as if np.savez had written it."""
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED, allowZip64=True) as archive:
        with archive.open(KEYS, "w", force_zip64=True) as member:
            np.lib.format.write_array(member, np.array(keys, dtype=str), allow_pickle=False)
        header = {"descr": "<f4", "fortran_order": False, "shape": (len(keys), dimension)}
        written = 0
        with archive.open(VECTORS, "w", force_zip64=True) as member:
            np.lib.format.write_array_header_1_0(member, header)
            for chunk in rows:
                if chunk.shape[1:] != (dimension,):
                    raise ValueError(f"rows of shape {chunk.shape[1:]}, not ({dimension},)")
                member.write(np.ascontiguousarray(chunk, dtype="<f4").tobytes())
                written += len(chunk)
        if written != len(keys):
            raise ValueError(f"{written} rows written for {len(keys)} keys")
