"""Build tests/eval/blind/{tune,frozen}.yaml from the writers' and labellers' files (run once).

    python bench/blind_split.py MERGED.yaml LABELS.yaml [LABELS.yaml ...]
    python bench/blind_split.py --whole calibration MERGED.yaml LABELS.yaml [...]

MERGED holds the writers' messages with ids (questions, off_topic, smalltalk);
each LABELS file lists `{id, entries: [...], gap?}` written by a labeller who
never wrote questions. The split is fixed by SEED and by the ids alone, never by
labels or by how the matcher does: 60% of each kind to tune, 40% frozen. The
frozen split is never used to fit or choose anything; its figures are reported.
With `--whole NAME` every message goes to one file, NAME.yaml (the calibration
set, written later by other writers in the same way).
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

import yaml

SEED = 20261130
TUNE_SHARE = 0.6
OUT = Path(__file__).parents[1] / "tests" / "eval" / "blind"


def split_ids(ids: list[str]) -> set[str]:
    """The ids that go to the tune split."""
    shuffled = sorted(ids)
    random.Random(SEED).shuffle(shuffled)
    return set(shuffled[: round(len(shuffled) * TUNE_SHARE)])


def main(merged_path: Path, label_paths: list[Path], whole: str | None = None) -> int:
    merged = yaml.safe_load(merged_path.read_text())
    labels = {item["id"]: item for path in label_paths for item in yaml.safe_load(path.read_text())}
    missing = [q["id"] for q in merged["questions"] if q["id"] not in labels]
    if missing:
        print(f"unlabelled: {missing}", file=sys.stderr)
        return 1
    names = [whole] if whole else ["tune", "frozen"]
    splits: dict[str, dict[str, list[dict[str, object]]]] = {name: {} for name in names}
    for kind in ("questions", "off_topic", "smalltalk"):
        items = merged.get(kind, [])
        tune = split_ids([item["id"] for item in items])
        for item in items:
            if kind == "questions":
                label = labels[item["id"]]
                item = {**item, "entries": list(label["entries"])}
                if label.get("gap"):
                    item["gap"] = label["gap"]
            name = whole or ("tune" if item["id"] in tune else "frozen")
            splits[name].setdefault(kind, []).append(item)
    for name, data in splits.items():
        header = f"# The {name} split of the blind evaluation set (see README.md here).\n" + (
            "# Frozen: nothing is ever fitted or chosen on it.\n" if name == "frozen" else ""
        )
        text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)
        (OUT / f"{name}.yaml").write_text(header + text, encoding="utf-8")
        print(name, {k: len(v) for k, v in data.items()})
    return 0


if __name__ == "__main__":
    arguments = sys.argv[1:]
    whole = None
    if arguments[:1] == ["--whole"] and len(arguments) > 1:
        whole, arguments = arguments[1], arguments[2:]
    if len(arguments) < 2:
        print(__doc__)
        raise SystemExit(2)
    raise SystemExit(main(Path(arguments[0]), [Path(p) for p in arguments[1:]], whole))
