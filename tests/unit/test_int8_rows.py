"""content/semantic.py's Int8Rows: the matcher's vectors held as int8 with a scale per
row, a quarter of float32's memory, with products close to float32's."""

from __future__ import annotations

import numpy as np
import pytest

from content import semantic
from content.semantic import Int8Rows


def _unit_rows(count: int, dimension: int = 384, seed: int = 7) -> np.ndarray:
    rows = np.random.default_rng(seed).standard_normal((count, dimension)).astype(np.float32)
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    return rows


def test_products_stay_within_a_few_thousandths_of_float32() -> None:
    rows = _unit_rows(3000)
    query = _unit_rows(1, seed=8)[0]
    held = Int8Rows(rows)
    assert held.values.dtype == np.int8
    assert held.values.nbytes == rows.nbytes // 4
    exact = rows @ query
    assert np.abs(held.dot(query) - exact).max() < 0.003
    assert np.argmax(held.dot(query)) == np.argmax(exact)
    picked = np.array([2999, 0, 17, 17], dtype=np.int64)
    np.testing.assert_allclose(held.dot_rows(picked, query), held.dot(query)[picked], atol=1e-6)


def test_a_row_is_quantized_the_same_whichever_block_it_falls_in(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rows = _unit_rows(50)
    whole = Int8Rows(rows)
    monkeypatch.setattr(semantic, "PRODUCT_ROWS", 7)  # blocks that split the rows unevenly
    blocks = Int8Rows(rows)
    np.testing.assert_array_equal(blocks.values, whole.values)
    np.testing.assert_array_equal(blocks.scales, whole.scales)
    query = rows[3]
    np.testing.assert_allclose(blocks.dot(query), whole.dot(query), atol=1e-6)
    assert blocks.dot(query)[3] == pytest.approx(1.0, abs=0.003)


def test_zero_and_empty_rows_do_not_divide_by_zero() -> None:
    rows = np.zeros((3, 4), dtype=np.float32)
    rows[1] = [0.6, 0.8, 0.0, 0.0]
    held = Int8Rows(rows)
    query = np.array([0.6, 0.8, 0.0, 0.0], dtype=np.float32)
    scores = held.dot(query)
    assert np.isfinite(scores).all()
    assert scores[0] == 0.0 and scores[2] == 0.0
    assert scores[1] == pytest.approx(1.0, abs=0.01)
    empty = Int8Rows(np.zeros((0, 4), dtype=np.float32))
    assert len(empty) == 0 and empty.dot(query).shape == (0,)
