"""What the int8 encoder's quantized activations cost in understanding, and what
restoring their precision costs in speed and memory.

    pip install -e '.[model-build]'                    # onnx and onnx-ir, build time only
    python bench/encoder_precision.py                  # fidelity, speed, memory
    python bench/encoder_precision.py --quality        # also refit the matcher per model

The shipped model (content/models/minilm/model.int8.onnx) is onnxruntime's dynamic
int8 quantization: weights int8 per output channel, and every matrix product's input
quantized to uint8 with one scale per run. Built from it, in a temporary folder, with
the same weights (so any difference comes from how the products are computed):

- `float`: the int8 weights turned back into float32, float products. The reference.
- `blocks-128`, `blocks-32`: those weights quantized again to 8 bits in blocks of 128
  or 32 along the input (onnxruntime's MatMulNBits, accuracy level 4: each product's
  input is quantized per block too, so an outlier costs only its block's precision).

Measured for each: fidelity (1 - cosine to `float`'s vector, over 600 development and
calibration questions); speed (encoding every development message one at a time,
median of three processes run in turn, p50 and p99) and the session's memory (VmRSS
growth from creating it and encoding 20 messages). `--quality` also encodes the
knowledge base with each model (into a temporary vector cache) and refits the ranking
model, the confidence model and the bands on the calibration split exactly as
bench/calibrate_matcher.py does, printing its out-of-fold figures, then scores tune8 to
tune12 (never fitted on) with the models fitted on all of it. The frozen split is not
read.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parents[1]))

from bench.machine import load_line, machine_line

ROOT = Path(__file__).parents[1]
SHIPPED = ROOT / "content" / "models" / "minilm"
MODEL_FILE = "model.int8.onnx"
VARIANTS = ("shipped", "float", "blocks-128", "blocks-32")
SPEED_ROUNDS = 3
QUALITY_TUNE_SPLITS = ("tune8", "tune9", "tune10", "tune11", "tune12")


def float_products(source: Path, target: Path) -> None:
    """Replace every DynamicQuantizeLinear -> MatMulInteger -> Cast -> Mul chain by a
    float MatMul on the dequantized weights ((q - zero point) * scale)."""
    import onnx
    from onnx import helper, numpy_helper

    model = onnx.load(source)
    graph = model.graph
    initializers = {i.name: i for i in graph.initializer}
    producer = {out: n for n in graph.node for out in n.output}
    consumers: dict[str, list[onnx.NodeProto]] = {}
    for n in graph.node:
        for name in n.input:
            consumers.setdefault(name, []).append(n)
    replaced: dict[int, onnx.NodeProto] = {}
    dropped: set[int] = set()
    for n in graph.node:
        if n.op_type != "MatMulInteger":
            continue
        quantized_input, weight, _, weight_zero = n.input
        quantize = producer[quantized_input]
        cast = consumers[n.output[0]][0]
        rescale = consumers[cast.output[0]][0]
        scales = producer[next(i for i in rescale.input if i != cast.output[0])]
        weight_scale = next(i for i in scales.input if i != quantize.output[1])
        q = numpy_helper.to_array(initializers[weight]).astype(np.float32)
        zero = numpy_helper.to_array(initializers[weight_zero]).astype(np.float32)
        scale = numpy_helper.to_array(initializers[weight_scale]).astype(np.float32)
        graph.initializer.append(numpy_helper.from_array((q - zero) * scale, f"{weight}_float"))
        replaced[id(rescale)] = helper.make_node(
            "MatMul", [quantize.input[0], f"{weight}_float"], [rescale.output[0]], name=rescale.name
        )
        dropped.update({id(n), id(cast), id(scales), id(quantize)})
    nodes = [
        replaced.get(id(n), n) for n in graph.node if id(n) not in dropped or id(n) in replaced
    ]
    del graph.node[:]
    graph.node.extend(nodes)
    used = {name for n in graph.node for name in n.input}
    kept = [i for i in graph.initializer if i.name in used]
    del graph.initializer[:]
    graph.initializer.extend(kept)
    onnx.checker.check_model(model)
    onnx.save(model, target)


def blocks(source: Path, target: Path, block_size: int) -> None:
    import logging

    import onnx
    from onnxruntime.quantization.matmul_nbits_quantizer import MatMulNBitsQuantizer

    # It logs a line per node at INFO.
    logging.getLogger("onnxruntime.quantization.matmul_nbits_quantizer").setLevel(logging.WARNING)
    quantizer = MatMulNBitsQuantizer(
        onnx.load(source), bits=8, block_size=block_size, is_symmetric=True, accuracy_level=4
    )
    quantizer.process()
    quantizer.model.save_model_to_file(str(target), False)


def build(folder: Path) -> dict[str, Path]:
    """Each variant's model folder (model file and tokenizer)."""
    dirs = {"shipped": SHIPPED}
    for name in VARIANTS[1:]:
        (folder / name).mkdir()
        (folder / name / "tokenizer.json").write_bytes((SHIPPED / "tokenizer.json").read_bytes())
        dirs[name] = folder / name
    float_products(SHIPPED / MODEL_FILE, dirs["float"] / MODEL_FILE)
    for size in (128, 32):
        blocks(dirs["float"] / MODEL_FILE, dirs[f"blocks-{size}"] / MODEL_FILE, size)
    return dirs


def fidelity_texts() -> list[str]:
    from bench.blind import load_split
    from bench.evaluation import load_dev_set

    dev = load_dev_set()
    return [q.text for q in dev.questions][:300] + [
        q.text for q in load_split("calibration").covered
    ][:300]


def fidelity(dirs: dict[str, Path]) -> dict[str, tuple[float, float]]:
    """Per variant: mean and largest 1 - cosine to the float model's vectors."""
    from content.encoder import SentenceEncoder

    texts = fidelity_texts()
    reference = SentenceEncoder(dirs["float"]).encode(texts)
    out = {}
    for name, folder in dirs.items():
        cosine = (SentenceEncoder(folder).encode(texts) * reference).sum(axis=1)
        out[name] = (float(1 - cosine.mean()), float(1 - cosine.min()))
    return out


def speed_once(folder: Path) -> dict[str, float]:
    """Run in its own process: session memory, then every development message encoded."""
    import onnxruntime  # noqa: F401  (imported before the baseline: not the session's cost)
    import tokenizers  # noqa: F401

    from bench.evaluation import load_dev_set, percentile
    from bench.matcher_latency import memory_mib
    from content.encoder import SentenceEncoder

    dev = load_dev_set()
    messages = [q.text for q in dev.questions] + list(dev.off_topic)
    before = memory_mib("VmRSS")
    encoder = SentenceEncoder(folder)
    for text in messages[:20]:
        encoder.encode_one(text)
    memory = memory_mib("VmRSS") - before
    times = []
    for text in messages:
        start = time.perf_counter()
        encoder.encode_one(text)
        times.append(time.perf_counter() - start)
    return {
        "p50_ms": 1000 * percentile(times, 50),
        "p99_ms": 1000 * percentile(times, 99),
        "memory_mib": memory,
        "messages": len(times),
    }


def speed(dirs: dict[str, Path]) -> dict[str, dict[str, float]]:
    """Medians of SPEED_ROUNDS processes per variant, the variants run in turn."""
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in dirs}
    for _ in range(SPEED_ROUNDS):
        for name, folder in dirs.items():
            out = subprocess.run(
                [sys.executable, __file__, "--speed-once", str(folder)],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            runs[name].append(json.loads(out.strip().splitlines()[-1]))
    return {
        name: {key: statistics.median(r[key] for r in results) for key in results[0]}
        for name, results in runs.items()
    }


def quality(name: str, folder: Path, cache_folder: Path) -> dict[str, float]:
    """Refit on the calibration split with this model's vectors (as
    bench/calibrate_matcher.py does); out-of-fold figures, then tune8-12 pooled."""
    import bench.calibrate_matcher as calibrate
    from bench.blind import load_split
    from content import Matcher, MatcherSettings, load_knowledge_base
    from content.encoder import MODEL_ID, SentenceEncoder, VectorCache
    from content.ranking import rank_signals

    kb = load_knowledge_base()
    cache = VectorCache(cache_folder, model_id=f"{MODEL_ID}-{name}")
    matcher = Matcher(kb, MatcherSettings(), SentenceEncoder(folder), cache)
    messages = calibrate.measure(matcher, load_split("calibration", topics=kb.entry_topics))
    settings, rankings = calibrate.fit(messages, matcher.settings, quiet=True)
    ranked_first = [
        bool(r.candidates) and r.candidates[0][0].id in m.right
        for m, r in zip(messages, rankings, strict=True)
        if m.kind == "question"
    ]
    tune = [
        m
        for split in QUALITY_TUNE_SPLITS
        for m in calibrate.measure(matcher, load_split(split, topics=kb.entry_topics))
        if m.kind == "question"
    ]
    right = wrong = 0
    for m in tune:
        ranking = rank_signals(m.signals, settings)
        if ranking.candidates and ranking.confidence >= settings.answer_probability:
            if ranking.candidates[0][0].id in m.right:
                right += 1
            else:
                wrong += 1
    return {
        "calibration_first": sum(ranked_first) / len(ranked_first),
        "tune_right": right / len(tune),
        "tune_wrong": wrong / len(tune),
        "tune_questions": len(tune),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quality", action="store_true", help="also refit per model (minutes)")
    parser.add_argument("--speed-once", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.speed_once:
        print(json.dumps(speed_once(args.speed_once)))
        return 0
    print(machine_line())
    print(load_line("at the start"))
    with tempfile.TemporaryDirectory(prefix="nexus-precision-") as tmp:
        dirs = build(Path(tmp))
        close = fidelity(dirs)
        timed = speed(dirs)
        base = timed["shipped"]
        print(
            "\n| model | 1 - cosine to float (mean / largest) | encode p50 | p99 | "
            "p50 / shipped | session memory |"
        )
        print("| --- | --- | --- | --- | --- | --- |")
        for name in dirs:
            t = timed[name]
            print(
                f"| {name} | {close[name][0]:.5f} / {close[name][1]:.5f} | {t['p50_ms']:.2f} ms "
                f"| {t['p99_ms']:.2f} ms | {t['p50_ms'] / base['p50_ms']:.2f}x "
                f"| {t['memory_mib']:.0f} MiB |"
            )
        print(f"({int(base['messages'])} development messages; medians of {SPEED_ROUNDS} runs)")
        if args.quality:
            for name, folder in dirs.items():
                print(f"\n== {name}")
                figures = quality(name, folder, Path(tmp) / "vectors")
                print(
                    f"calibration ranked first (out of fold) {figures['calibration_first']:.3f}; "
                    f"tune8-12 pooled ({figures['tune_questions']:.0f} questions, models fitted "
                    f"on the calibration split): answered right {figures['tune_right']:.3f}, "
                    f"wrong {figures['tune_wrong']:.3f}"
                )
    print(load_line("at the end"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
