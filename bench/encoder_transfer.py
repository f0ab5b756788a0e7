"""Does training the encoder on learners' own questions help on learners' questions it
never saw? A transfer test of the embedding search alone (build time; needs torch).

    python bench/encoder_transfer.py anchors OUT.yaml --splits tune9 tune11 ...
    python -m content.models.finetune_minilm SOURCE OUT_DIR --extra-anchors OUT.yaml ...
    python bench/encoder_transfer.py score DIR [DIR ...] --splits tune8 tune10 ...

`anchors` writes the covered questions of the named tune splits with their first
labelled entry, for `finetune_minilm.py --extra-anchors`. `score` ranks every entry for
each covered question of the named splits by its nearest title or phrasing, the way the
matcher's phrasing signal does (the question rewritten as the matcher rewrites it), with
each model folder's weights at full precision (model.safetensors and tokenizer.json, as
finetune_minilm.py writes them), and prints how often a first-labelled entry ranks first
and among the first three. No matcher, no confidence model: it compares encoders only,
and says nothing about the bot's replies (bench/blind_quality.py does).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).parents[1]))

from bench.blind import load_split, readable_splits
from content import load_knowledge_base
from content.learner_english import LearnerEnglish
from content.matcher import question_as_read
from content.semantic import SemanticIndex

MAX_TOKENS = 128  # what the index encodes (content/encoder.py)
BATCH = 64


def write_anchors(out: Path, splits: list[str]) -> int:
    pairs = [
        {"entry": q.entries[0], "q": q.text}
        for name in readable_splits(splits)
        for q in load_split(name).covered
    ]
    out.write_text(yaml.safe_dump(pairs, allow_unicode=True, sort_keys=False), encoding="utf-8")
    print(f"wrote {len(pairs)} questions from {len(splits)} splits to {out}")
    return 0


def encode(model: Any, tokenizer: Any, texts: list[str]) -> Any:
    """Sentence vectors of `texts` in batches, without gradients (numpy)."""
    import numpy as np
    import torch

    from content.models.finetune_minilm import sentence_vectors

    with torch.no_grad():
        return np.vstack(
            [
                sentence_vectors(model, tokenizer, texts[i : i + BATCH]).numpy()
                for i in range(0, len(texts), BATCH)
            ]
        )


def score(models: list[Path], splits: list[str]) -> int:
    import numpy as np
    import torch

    from content.models.finetune_minilm import load_minilm

    torch.set_num_threads(2)
    kb = load_knowledge_base()
    plain = LearnerEnglish(kb.learner_words)
    texts = SemanticIndex.phrasing_texts(kb.entries)
    # The entry each text belongs to, by position (phrasing_texts goes entry by entry).
    owners = np.repeat(np.arange(len(kb.entries)), [1 + len(e.questions) for e in kb.entries])
    entry_ids = [e.id for e in kb.entries]
    questions = [q for name in readable_splits(splits) for q in load_split(name).covered]
    queries = [question_as_read(plain, q.text) or q.text for q in questions]

    def rank(phrasing_vectors: Any, query_vectors: Any) -> tuple[str, str]:
        first = top3 = 0
        for question, vector in zip(questions, query_vectors, strict=True):
            similarity = phrasing_vectors @ vector
            best = np.full(len(entry_ids), -1.0)
            np.maximum.at(best, owners, similarity)
            ranked = [entry_ids[i] for i in np.argsort(-best)[:3]]
            first += ranked[0] in question.entries
            top3 += any(e in question.entries for e in ranked)
        n = len(questions)
        return f"{first / n:.3f} ({first})", f"{top3 / n:.3f} ({top3})"

    print(f"{len(questions)} covered questions from {len(splits)} splits; {len(texts)} phrasings")
    print("| model | right entry first | among the first three |")
    print("| --- | --- | --- |")
    for folder in models:
        if (folder / "model.int8.onnx").exists():
            # A built int8 folder (content/models/minilm/, or build_minilm.py's output):
            # encoded as the bot encodes, by onnxruntime.
            from content.encoder import SentenceEncoder

            onnx = SentenceEncoder(folder, threads=2)
            ranked_first, in_top3 = rank(onnx.encode(texts), onnx.encode(queries))
            print(f"| {folder} (int8) | {ranked_first} | {in_top3} |", flush=True)
            continue
        model, tokenizer, _ = load_minilm(folder, MAX_TOKENS)
        model.eval()
        ranked_first, in_top3 = rank(
            encode(model, tokenizer, texts), encode(model, tokenizer, queries)
        )
        print(f"| {folder} | {ranked_first} | {in_top3} |", flush=True)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    anchors = commands.add_parser("anchors", help="write covered questions for training")
    anchors.add_argument("out", type=Path)
    anchors.add_argument("--splits", nargs="+", required=True)
    scoring = commands.add_parser("score", help="rank entries by nearest phrasing per model")
    scoring.add_argument("models", nargs="+", type=Path)
    scoring.add_argument("--splits", nargs="+", required=True)
    args = parser.parse_args()
    if args.command == "anchors":
        return write_anchors(args.out, args.splits)
    return score(args.models, args.splits)


if __name__ == "__main__":
    raise SystemExit(main())
