"""bench/calibrate_matcher.py's confidence fit: fitted on standardised features, the
weights it writes apply to the raw features the matcher computes; the bands'
probabilities come from the out-of-fold rankings; the tune splits join every fold's
fit, measured on the content without their own phrasings."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

import numpy as np

from bench.blind import TUNE_SPLITS, UNREAD_CHECK_SPLITS
from bench.calibrate_matcher import (
    CONFIDENCE_USED,
    Message,
    fit_confidence,
    fit_logistic,
    fitted_tune_splits,
    held_out_content,
    out_of_fold,
)
from content.model import Entry, KnowledgeBase, MatcherSettings, Topic
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


def _message(i: int, top_is_right: bool, informative: bool, rng: np.random.RandomState) -> Any:
    share = CONFIDENCE_FEATURES.index("share")
    features = rng.normal(size=len(CONFIDENCE_FEATURES))
    if informative:
        features[share] = (1.0 if top_is_right else -1.0) + rng.normal(scale=0.3)
    top = SimpleNamespace(id="right" if top_is_right else "wrong")
    message = Message(f"q{i}", "question", frozenset({"right"}), cast(Any, ["signals"]), None)
    return message, Ranking(cast(Any, ((top, None, 1.0),)), 0.5, tuple(features))


def test_the_tune_splits_join_every_folds_fit() -> None:
    """Ten calibration questions teach the model little; 400 tune questions whose
    share tells right from wrong teach it, in every fold, and get no probability."""
    rng = np.random.RandomState(5)
    calibration = [_message(i, i % 2 == 0, True, rng) for i in range(10)]
    tune = [_message(i, i % 2 == 0, True, rng) for i in range(400)]
    messages, rankings = [m for m, _ in calibration], [r for _, r in calibration]
    extra = ([m for m, _ in tune], [r for _, r in tune])

    alone = out_of_fold(messages, rankings)
    taught = out_of_fold(messages, rankings, extra=extra)

    assert taught.shape == (10,)
    right = np.arange(10) % 2 == 0
    gap_alone = alone[right].mean() - alone[~right].mean()
    gap_taught = taught[right].mean() - taught[~right].mean()
    assert gap_taught > 0.5
    assert gap_taught > gap_alone + 0.2


def test_a_tune_split_is_measured_without_its_own_phrasings() -> None:
    """A phrasing made from a tune message (or within ratio 85 of it) is held out;
    every other phrasing, and every entry, stays."""
    entries = (
        Entry(
            "python-decorators",
            "python",
            "Decorators",
            ("what is a decorator", "please explain python decorators to me abeg"),
            ("decorator",),
            "A decorator wraps a function.",
        ),
        Entry(
            "sql-joins",
            "sql",
            "SQL joins",
            ("inner join vs left join", "why does my left join return nulls"),
            ("join",),
            "A join combines rows.",
        ),
    )
    topics = (Topic("python", "Python", "Python"), Topic("sql", "SQL", "SQL"))
    kb = KnowledgeBase(topics, entries)

    held = held_out_content(
        kb, ["Please explain Python decorators to me, abeg", "why my left join dey return nulls"]
    )

    assert [e.id for e in held.entries] == ["python-decorators", "sql-joins"]
    assert held.entries[0].questions == ("what is a decorator",)
    assert held.entries[1].questions == ("inner join vs left join",)
    assert held_out_content(kb, []).entries == kb.entries


def _ranked(top: str, rest: tuple[str, ...], share: float, rng: np.random.RandomState) -> Any:
    features = rng.normal(scale=0.05, size=len(CONFIDENCE_FEATURES))
    features[CONFIDENCE_FEATURES.index("share")] = share
    signals = SimpleNamespace(phrasing=0.5)
    candidates = tuple(
        (SimpleNamespace(id=entry), signals, score)
        for entry, score in zip((top, *rest), (60.0, 25.0, 15.0), strict=False)
    )
    return Ranking(cast(Any, candidates), 0.5, tuple(features))


def test_the_bands_keep_i_dont_know_under_its_limit() -> None:
    """Many off-topic messages as unsure as the questions whose first entry is wrong (but
    whose right entry is second) make a higher "did you mean" band look better; the
    band search may not buy that with more "I don't know" than MAX_DONT_KNOW."""
    import bench.calibrate_matcher as calibrate

    rng = np.random.RandomState(3)
    messages, rankings = [], []
    for i in range(400):
        top_is_right = i % 5 != 0
        share = rng.normal(2.0, 0.2) if top_is_right else rng.normal(0.8, 0.15)
        top, rest = ("right", ("other", "third")) if top_is_right else ("wrong", ("right", "x"))
        messages.append(
            Message(f"q{i}", "question", frozenset({"right"}), cast(Any, ["signals"]), None)
        )
        rankings.append(_ranked(top, rest, share, rng))
    for i in range(800):
        messages.append(Message(f"o{i}", "off_topic", frozenset(), cast(Any, ["signals"]), None))
        rankings.append(_ranked("wrong", ("x", "y"), rng.normal(0.7, 0.15), rng))
    questions = np.array([m.kind == "question" for m in messages])

    def dont_know(settings: Any) -> float:
        p = calibrate.out_of_fold(messages, rankings)
        unsure = p < settings.suggest_probability
        return float((unsure & questions).sum() / questions.sum())

    capped = calibrate.bands(messages, rankings, MatcherSettings())
    assert dont_know(capped) <= calibrate.MAX_DONT_KNOW

    uncapped_limit = calibrate.MAX_DONT_KNOW
    try:
        calibrate.MAX_DONT_KNOW = 1.0
        uncapped = calibrate.bands(messages, rankings, MatcherSettings())
    finally:
        calibrate.MAX_DONT_KNOW = uncapped_limit
    assert dont_know(uncapped) > calibrate.MAX_DONT_KNOW
    assert uncapped.suggest_probability > capped.suggest_probability


def test_the_confidence_model_never_learns_from_an_unread_check_split() -> None:
    fitted = fitted_tune_splits(unread=("tune38", "tune39"))
    assert "tune38" not in fitted and "tune39" not in fitted
    assert set(fitted) | {"tune38", "tune39"} == set(TUNE_SPLITS)
    # The default leaves out exactly the checks waiting now (tune45 and tune54, rounds 15's and 21's).
    assert set(fitted_tune_splits()).isdisjoint(UNREAD_CHECK_SPLITS)
    assert set(fitted_tune_splits()) | set(UNREAD_CHECK_SPLITS) == set(TUNE_SPLITS)
