"""bench/calibrate_matcher.py's confidence fit: fitted on standardised features, the
weights it writes apply to the raw features the matcher computes; the bands'
probabilities come from the out-of-fold rankings."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

import numpy as np

from bench.calibrate_matcher import (
    CONFIDENCE_USED,
    Message,
    fit_confidence,
    fit_logistic,
    out_of_fold,
)
from content.ranking import CONFIDENCE_FEATURES, Ranking


def test_folded_weights_give_the_standardised_models_probabilities() -> None:
    rng = np.random.RandomState(7)
    x = rng.normal(
        loc=3.0,
        scale=[0.1 * (i + 1) for i in range(len(CONFIDENCE_FEATURES))],
        size=(400, len(CONFIDENCE_FEATURES)),
    )
    phrasing = CONFIDENCE_FEATURES.index("phrasing")
    y = (x[:, phrasing] + rng.normal(scale=0.2, size=400) > x[:, phrasing].mean()).astype(float)

    weights = fit_confidence(x, y)

    used = [CONFIDENCE_FEATURES.index(n) for n in CONFIDENCE_USED]
    unused = [i for i in range(len(CONFIDENCE_FEATURES)) if i not in used]
    assert np.all(weights[[1 + i for i in unused]] == 0)
    z = (x[:, used] - x[:, used].mean(axis=0)) / (x[:, used].std(axis=0) + 1e-9)
    standard = fit_logistic(z, y, l2=10.0)
    expected = 1 / (1 + np.exp(-(standard[0] + z @ standard[1:])))
    folded = 1 / (1 + np.exp(-(weights[0] + x @ weights[1:])))
    np.testing.assert_allclose(folded, expected, rtol=1e-6, atol=1e-9)
    # The informative feature carries the model: right and wrong are told apart.
    assert folded[y == 1].mean() > folded[y == 0].mean() + 0.3


def test_out_of_fold_probabilities_come_from_the_rankings_given() -> None:
    """The bands are chosen on the out-of-fold rankings' probabilities, never on a
    re-ranking by the model fitted on every question (surer than on new ones)."""
    rng = np.random.RandomState(11)
    share = CONFIDENCE_FEATURES.index("share")
    right_entry, wrong_entry = SimpleNamespace(id="right"), SimpleNamespace(id="wrong")
    messages, rankings = [], []
    for i in range(300):
        top_is_right = i % 2 == 0
        features = rng.normal(size=len(CONFIDENCE_FEATURES))
        features[share] = (1.0 if top_is_right else -1.0) + rng.normal(scale=0.3)
        top = right_entry if top_is_right else wrong_entry
        # Signals the old code re-ranked from: they put the right entry first every time.
        messages.append(
            Message(f"q{i}", "question", frozenset({"right"}), cast(Any, ["signals"]), None)
        )
        rankings.append(Ranking(cast(Any, ((top, None, 1.0),)), 0.5, tuple(features)))

    p = out_of_fold(messages, rankings)

    tops_right = np.arange(300) % 2 == 0
    assert p[tops_right].mean() > 0.7
    assert p[~tops_right].mean() < 0.3
