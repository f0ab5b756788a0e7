"""Fine-tune all-MiniLM-L6-v2 on the knowledge base's own phrasings (build time only).

    python -m content.models.finetune_minilm SOURCE_DIR OUT_DIR [--steps 250] [--seed 7]
    python -m content.models.build_minilm OUT_DIR --fine-tuned

SOURCE_DIR holds the official sentence-transformers files (see build_minilm.py for
where they come from); OUT_DIR receives model.safetensors (same tensor names) and
tokenizer.json, which build_minilm.py turns into the shipped int8 ONNX file.

Why: the stock encoder knows English, not this knowledge base. Trained so that a
learner's phrasing lands nearest the other phrasings and answer passages of its
own entry, and away from the other entries of the same topics (contrastive,
in-batch negatives: a batch takes its entries from a few topics, so the
negatives are the look-alikes that matter), questions worded in ways no phrasing
uses still reach the right entry. Trained only on content (titles, phrasings,
answer passages); the blind set's calibration and frozen splits are never read.
`--extra-anchors` adds learners' questions from tune splits (the transfer test in
bench/encoder_transfer.py, which refuses the frozen split and unread checks); the
shipped file was trained without them.
Anchors are rewritten as the matcher rewrites a question (learner English to
plain English, openers and symbols dropped), positives are encoded as they are
indexed.

Needs torch and transformers at build time (`pip install torch==2.13.0
transformers safetensors`); the bot never imports this file.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import time
from pathlib import Path
from typing import Any

SCALE = 20.0  # cosine similarities times this are the logits (sentence-transformers' default)
# Questions are short; answer passages are cut here (the index encodes up to 128 tokens).
MAX_TOKENS = 64


def training_texts(
    content_dir: Path | None = None, extra_anchors: Path | None = None
) -> dict[str, tuple[list[str], list[str]]]:
    """Per entry: anchors (its phrasings, rewritten as a question would be) and
    positives (title, phrasings and answer passages, as the index encodes them).

    `extra_anchors`: a YAML list of {entry, q} (learners' questions and the entry that
    answers them, written by bench/encoder_transfer.py), added to their entries'
    anchors after the phrasings, so each may pair with any of the entry's positives."""
    import yaml

    from content import BUNDLED_CONTENT_DIR, load_knowledge_base
    from content.learner_english import LearnerEnglish
    from content.matcher import question_as_read
    from content.semantic import passages
    from content.smalltalk import without_opener, without_symbols

    kb = load_knowledge_base(content_dir or BUNDLED_CONTENT_DIR)
    plain = LearnerEnglish(kb.learner_words)
    texts = {}
    for entry in kb.entries:
        phrasings = [entry.title, *entry.questions]
        anchors = [plain.rewrite(without_opener(without_symbols(p))) or p for p in phrasings]
        texts[entry.id] = (anchors, [*phrasings, *passages(entry)])
    if extra_anchors is not None:
        for item in yaml.safe_load(extra_anchors.read_text(encoding="utf-8")):
            if item["entry"] in texts:
                question = question_as_read(plain, item["q"])
                texts[item["entry"]][0].append(question or item["q"])
    return texts


def topic_batches(
    kb_texts: dict[str, tuple[list[str], list[str]]],
    topic_of: dict[str, str],
    size: int,
    rng: random.Random,
) -> list[tuple[str, str]]:
    """One batch of (anchor, positive) pairs, one pair per entry, the entries drawn
    from a few topics so that the other pairs are hard negatives."""
    by_topic: dict[str, list[str]] = {}
    for entry_id in kb_texts:
        by_topic.setdefault(topic_of[entry_id], []).append(entry_id)
    chosen: list[str] = []
    topics = list(by_topic)
    rng.shuffle(topics)
    for topic in topics:
        entries = by_topic[topic][:]
        rng.shuffle(entries)
        chosen.extend(entries[: size - len(chosen)])
        if len(chosen) >= size:
            break
    batch = []
    for entry_id in chosen:
        anchors, positives = kb_texts[entry_id]
        anchor_index = rng.randrange(len(anchors))
        choices = [i for i in range(len(positives)) if i != anchor_index]
        batch.append((anchors[anchor_index], positives[rng.choice(choices)]))
    return batch


def load_minilm(folder: Path, max_tokens: int) -> tuple[Any, Any, dict[str, Any]]:
    """all-MiniLM-L6-v2's BERT encoder (no pooler) with `folder`'s model.safetensors, its
    tokenizer (padding, cut at `max_tokens`) and every tensor of the file."""
    from safetensors.torch import load_file
    from tokenizers import Tokenizer
    from transformers import BertConfig, BertModel

    config = BertConfig(
        vocab_size=30522,
        hidden_size=384,
        num_hidden_layers=6,
        num_attention_heads=12,
        intermediate_size=1536,
        max_position_embeddings=512,
        type_vocab_size=2,
        layer_norm_eps=1e-12,
    )
    model = BertModel(config, add_pooling_layer=False)
    source = load_file(str(folder / "model.safetensors"))
    trainable = {k: v for k, v in source.items() if not k.startswith("pooler.")}
    model.load_state_dict(trainable, strict=False)
    tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    tokenizer.enable_truncation(max_tokens)
    tokenizer.enable_padding()
    return model, tokenizer, source


def sentence_vectors(model: Any, tokenizer: Any, texts: list[str]) -> Any:
    """Mean-pooled, L2-normalised vectors of `texts`, as the shipped graph computes them."""
    import torch

    encoded = tokenizer.encode_batch(texts)
    ids = torch.tensor([e.ids for e in encoded])
    mask = torch.tensor([e.attention_mask for e in encoded])
    hidden = model(input_ids=ids, attention_mask=mask).last_hidden_state
    weights = mask.unsqueeze(-1).float()
    pooled = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
    return torch.nn.functional.normalize(pooled, dim=-1)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("source", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--steps", type=int, default=250)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--learning-rate", type=float, default=3e-5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--extra-anchors", type=Path, help="YAML of {entry, q}: learners' questions to train on"
    )
    args = parser.parse_args()

    import numpy as np
    import torch
    from safetensors.torch import save_file

    from content import load_knowledge_base

    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    torch.set_num_threads(2)
    rng = random.Random(args.seed)

    model, tokenizer, source = load_minilm(args.source, MAX_TOKENS)

    def embed(texts: list[str]) -> torch.Tensor:
        return sentence_vectors(model, tokenizer, texts)

    kb = load_knowledge_base()
    texts = training_texts(extra_anchors=args.extra_anchors)
    topic_of = {e.id: e.topic for e in kb.entries}
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.learning_rate, weight_decay=0.01)
    warmup = max(1, args.steps // 10)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer,
        lambda step: min(
            (step + 1) / warmup, max(0.0, (args.steps - step) / (args.steps - warmup))
        ),
    )
    model.train()
    started = time.monotonic()
    labels = torch.arange(args.batch)
    for step in range(args.steps):
        batch = topic_batches(texts, topic_of, args.batch, rng)
        anchors = embed([a for a, _ in batch])
        positives = embed([p for _, p in batch])
        logits = anchors @ positives.T * SCALE
        target = labels[: len(batch)]
        loss = (
            torch.nn.functional.cross_entropy(logits, target)
            + torch.nn.functional.cross_entropy(logits.T, target)
        ) / 2
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        schedule.step()
        if step % 10 == 0 or step == args.steps - 1:
            print(
                f"step {step}: loss {loss.item():.4f} ({time.monotonic() - started:.0f} s)",
                flush=True,
            )

    tuned = {k: v.detach().contiguous() for k, v in model.state_dict().items()}
    # Keep every tensor of the source file (position ids, the unused pooler) so the
    # file has the layout build_minilm.py reads.
    merged = {k: tuned.get(k, v) for k, v in source.items()}
    args.out.mkdir(parents=True, exist_ok=True)
    save_file(merged, str(args.out / "model.safetensors"))
    shutil.copyfile(args.source / "tokenizer.json", args.out / "tokenizer.json")
    print(f"wrote {args.out / 'model.safetensors'}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parents[2]))
    raise SystemExit(main())
