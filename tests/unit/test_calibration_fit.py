"""bench/calibrate_matcher.py's confidence fit: fitted on standardised features, the
weights it writes apply to the raw features the matcher computes."""

from __future__ import annotations

import numpy as np

from bench.calibrate_matcher import CONFIDENCE_USED, fit_confidence, fit_logistic
from content.ranking import CONFIDENCE_FEATURES


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
