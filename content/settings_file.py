"""Read content/data/matcher.yaml: the matcher's calibrated settings. Anything
missing, unreadable or out of range is a content error (a NaN threshold would make
every question a "did you mean")."""

from __future__ import annotations

import math
from dataclasses import fields
from pathlib import Path

import yaml

from content.model import MatcherSettings
from content.problems import Problem

# libyaml's C loader when PyYAML was built with it: the same safe subset of YAML,
# about 15x faster than the pure-Python loader on the bundled content.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_matcher_settings(root: Path, problems: list[Problem]) -> MatcherSettings:
    """The matcher's settings, with every problem found appended to `problems`."""

    def problem(field: str, message: str) -> MatcherSettings:
        problems.append(Problem("matcher.yaml", "thresholds", field, message))
        return MatcherSettings()

    path = root / "matcher.yaml"
    if not path.is_file():
        problems.append(
            Problem("matcher.yaml", "-", "-", "missing: write it with bench/calibrate_matcher.py")
        )
        return MatcherSettings()
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
    except UnicodeDecodeError as error:
        problems.append(Problem("matcher.yaml", "-", "-", f"not UTF-8 text (byte {error.start})"))
        return MatcherSettings()
    except (OSError, yaml.YAMLError) as error:
        problems.append(Problem("matcher.yaml", "-", "-", f"cannot read YAML: {error}"))
        return MatcherSettings()
    if not isinstance(raw, dict):
        problems.append(Problem("matcher.yaml", "-", "-", "expected a top-level 'thresholds:' map"))
        return MatcherSettings()
    thresholds = raw.get("thresholds")
    if not isinstance(thresholds, dict) or not thresholds:
        return problem("thresholds", "expected a map of setting: number")
    known = {f.name for f in fields(MatcherSettings)}
    values: dict[str, float] = {}
    for name, value in thresholds.items():
        if name not in known:
            problem(str(name), "unknown setting")
        elif isinstance(value, bool) or not isinstance(value, (int, float)):
            problem(name, f"expected a number, got {value!r}")
        elif not math.isfinite(value):
            problem(name, f"expected a finite number, got {value}")
        elif (low_high := _SETTING_RANGES.get(_range_key(name))) and not (
            low_high[0] <= value <= low_high[1]
        ):
            problem(name, f"expected {low_high[0]:g} to {low_high[1]:g}, got {value:g}")
        else:
            values[name] = float(value)
    settings = MatcherSettings(**values)
    if settings.suggest_probability > settings.answer_probability:
        problem("suggest_probability", "must not be above answer_probability")
    return settings


# Allowed ranges of the settings with a meaning of their own (the model weights,
# rank_* and confidence_*, may take any finite value).
_SETTING_RANGES = {
    "probability": (0.0, 1.0),
    "similarity": (0.0, 1.0),
    "weight": (0.0, 1.0),
    "margin": (0.0, 100.0),
}


def _range_key(name: str) -> str:
    if name.endswith("_probability"):
        return "probability"
    if name.startswith("smalltalk_"):
        return "similarity"
    if name.endswith("_weight"):
        return "weight"
    return name
