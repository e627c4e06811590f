"""Export the run-time embedder's graph to ONNX, without its weights.

    .venv/bin/python -m eval.export_onnx            # writes interviewer/weights/onnx/minilm-l6.onnx
    .venv/bin/python -m eval.export_onnx --check    # exits 1 when the committed graph is stale
    .venv/bin/python -m eval.export_onnx --verifier [--check]   # the NLI verifier's graph
    .venv/bin/python -m eval.export_onnx --verifier --int8 [--check]   # its int8 model (shipped)

The graph is the packaged MiniLM (a BERT encoder: input ids, attention mask and token type ids in,
the last hidden state out). Every weight is an initializer named exactly as its key in the state
dict (`embeddings.word_embeddings.weight`, `encoder.layer.0.attention.self.query.weight`, ...), and
the committed file keeps only the names and shapes: `interviewer.adapters.onnx_embedder` hands the
values to onnxruntime at load time, from the package's `model.safetensors` and our tuned
`layers.safetensors`. So no second copy of 90 MB of weights is committed, and retraining the layers
needs no new export. Pooling and normalising stay in numpy.

`--verifier` does the same for the entailment verifier (a BERT sequence classifier: the pair's ids,
mask and token type ids in, three logits out), whose weights come from its own fp16
`model.safetensors` and, for the word embeddings, the package's (`interviewer.adapters.onnx_verifier`).

`--verifier --int8` writes the model the product runs (issue 17): the verifier's graph with its
weights filled in, fused by onnxruntime's transformer optimizer (attention, GELU, layer norms) and
dynamically quantised to int8, per output channel, for every matrix product. Only the word
embeddings stay stripped (fp32, the package's, shared with the embedder at load time), so the file
holds our trained weights alone, in int8 (12 MB). It runs about twice as fast as the fp32 graph on
a 2-core machine; held out, the grade is the same (eval/README.md, "The verifier in int8").

The export is deterministic: the same torch, transformers and onnxruntime give the same bytes
(`--check`).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from interviewer.adapters.onnx_embedder import (
    GRAPH_FILE,
    GRAPH_INT8,
    STRIPPED_LOCATION,
    TRANSPOSED,
    WORD_EMBEDDINGS,
    OnnxEmbedder,
    supplied_value,
    weight_files,
)
from interviewer.adapters.onnx_verifier import (
    VERIFIER_DIR,
    VERIFIER_GRAPH,
    VERIFIER_INT8,
    OnnxNliVerifier,
)

OPSET = 17
WEIGHTS_SHA256 = "weights_sha256"  # an int8 model's record of the trained weights it was made from


def export(target: Path) -> dict[str, Any]:
    """Writes the embedder's stripped graph to `target`; returns what it stripped."""
    import torch
    from safetensors.numpy import load_file
    from transformers import BertModel

    from interviewer.adapters.embedder import offline_environment, packaged_model_path

    offline_environment()
    model = BertModel.from_pretrained(
        str(packaged_model_path()), attn_implementation="eager", add_pooling_layer=False
    ).eval()

    class Encoder(torch.nn.Module):
        """The model's embeddings and encoder under their state-dict names, called positionally."""

        def __init__(self, bert: Any) -> None:
            super().__init__()
            self.embeddings, self.encoder = bert.embeddings, bert.encoder
            self.__dict__["bert"] = bert  # not a submodule: its parameters keep the names above

        def forward(self, ids: Any, mask: Any, types: Any) -> Any:
            out = self.bert(input_ids=ids, attention_mask=mask, token_type_ids=types)
            return out.last_hidden_state

    supplied: dict[str, Any] = {}
    for path in weight_files(None):
        supplied.update(load_file(str(path)))
    return _export(Encoder(model), "last_hidden_state", supplied, target)


def export_verifier(target: Path, directory: Path = VERIFIER_DIR) -> dict[str, Any]:
    """Writes the NLI verifier's stripped graph to `target`; returns what it stripped."""
    import torch
    from transformers import BertConfig, BertForSequenceClassification

    from interviewer.adapters.embedder import offline_environment

    offline_environment()
    config = BertConfig.from_pretrained(str(directory), local_files_only=True)
    config._attn_implementation = "eager"
    model = BertForSequenceClassification(config).eval()
    supplied = OnnxNliVerifier(directory, graph=VERIFIER_GRAPH)._tensors()
    model.load_state_dict(
        {k: torch.from_numpy(v).float() for k, v in supplied.items()}, strict=False
    )

    class Classifier(torch.nn.Module):
        def __init__(self, inner: Any) -> None:
            super().__init__()
            self.bert, self.classifier = inner.bert, inner.classifier
            self.__dict__["inner"] = inner

        def forward(self, ids: Any, mask: Any, types: Any) -> Any:
            return self.inner(input_ids=ids, attention_mask=mask, token_type_ids=types).logits

    return _export(Classifier(model), "logits", supplied, target)


def export_verifier_int8(target: Path, directory: Path = VERIFIER_DIR) -> dict[str, Any]:
    """Writes the shipped int8 verifier to `target`; returns what it stripped and kept."""
    config = json.loads((directory / "config.json").read_text(encoding="utf-8"))
    supplied = OnnxNliVerifier(directory, graph=VERIFIER_GRAPH)._tensors()
    source = directory / "model.safetensors"
    return _int8(
        lambda to: export_verifier(to, directory), supplied, config, "bert.", target, source
    )


def export_int8(target: Path) -> dict[str, Any]:
    """Writes the embedder's int8 model (the package's MiniLM with our tuned layers) to `target`."""
    from interviewer.adapters.embedder import packaged_model_path

    config = json.loads((packaged_model_path() / "config.json").read_text(encoding="utf-8"))
    embedder = OnnxEmbedder(graph=GRAPH_FILE)
    supplied = embedder._tensors()
    assert embedder.layers is not None
    return _int8(export, supplied, config, "", target, embedder.layers)


def _int8(
    write_stripped: Callable[[Path], Any],
    supplied: dict[str, Any],
    config: dict[str, Any],
    prefix: str,
    target: Path,
    source: Path,
) -> dict[str, Any]:
    """The stripped fp32 graph filled with its weights, fused, quantised, and its word embeddings
    stripped again (shared at load time). The model records the sha256 of `source`, our trained
    weights it holds, so a test can tell when it is stale."""
    import numpy as np
    import onnx
    from onnx import numpy_helper
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.transformers import optimizer

    vocabulary = f"{prefix}{WORD_EMBEDDINGS}"
    with tempfile.TemporaryDirectory() as tmp:
        stripped, full, fused = (Path(tmp) / n for n in ("stripped", "full", "fused"))
        write_stripped(stripped)
        graph = onnx.load(str(stripped), load_external_data=False)
        for tensor in graph.graph.initializer:
            if tensor.data_location == onnx.TensorProto.EXTERNAL:
                value = supplied_value(supplied, tensor.name).astype(np.float32)
                tensor.CopyFrom(numpy_helper.from_array(value, tensor.name))
        onnx.save(graph, str(full))
        model = optimizer.optimize_model(
            str(full),
            model_type="bert",
            num_heads=int(config["num_attention_heads"]),
            hidden_size=int(config["hidden_size"]),
            opt_level=1,  # onnxruntime's basic passes: constant folding
        )
        fusions = {k: v for k, v in model.get_fused_operator_statistics().items() if v}
        if fusions.get("Attention", 0) != int(config["num_hidden_layers"]):
            raise SystemExit(f"the optimizer did not fuse every attention layer: {fusions}")
        model.save_model_to_file(str(fused))
        quantize_dynamic(
            str(fused),
            str(target),
            weight_type=QuantType.QInt8,
            per_channel=True,
            op_types_to_quantize=["MatMul", "Attention"],  # not the embeddings: they stay shared
            extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
        )
    quantised = onnx.load(str(target))
    if vocabulary not in {t.name for t in quantised.graph.initializer}:
        raise SystemExit(f"{vocabulary}: not in the quantised graph")
    strip(quantised, {vocabulary: supplied[vocabulary]})
    quantised.producer_version = ""
    quantised.doc_string = ""
    del quantised.metadata_props[:]
    entry = quantised.metadata_props.add()
    entry.key, entry.value = WEIGHTS_SHA256, hashlib.sha256(source.read_bytes()).hexdigest()
    target.write_bytes(quantised.SerializeToString(deterministic=True))
    kept = [
        (t.name, int(t.ByteSize())) for t in quantised.graph.initializer if t.name != vocabulary
    ]
    return {"stripped": [vocabulary], "kept": kept, "fusions": fusions}


def strip(graph: Any, supplied: dict[str, Any]) -> list[str]:
    """Turns each initializer `supplied` names into an external reference to a file that never
    exists (the session is handed the value itself); returns the names stripped."""
    import onnx

    stripped = []
    for tensor in graph.graph.initializer:
        if tensor.name in supplied:
            value = supplied[tensor.name]
            if tuple(tensor.dims) != value.shape:
                raise SystemExit(
                    f"{tensor.name}: graph shape {tuple(tensor.dims)} != {value.shape}"
                )
            del tensor.external_data[:]
            tensor.ClearField("raw_data")
            for field in ("float_data", "int64_data", "int32_data"):
                tensor.ClearField(field)  # type: ignore[arg-type]
            tensor.data_location = onnx.TensorProto.EXTERNAL
            entry = tensor.external_data.add()
            entry.key, entry.value = "location", STRIPPED_LOCATION
            stripped.append(tensor.name)
    return stripped


def pre_transpose(graph: Any, stripped: set[str]) -> set[str]:
    """Each stripped weight read only by a 2-D Transpose (a Linear layer's weight before its
    MatMul) becomes `<name>^T`, fed to the MatMul directly and handed over transposed at load time.
    Otherwise onnxruntime folds the Transpose into a copy of its own while we keep the original
    alive for the session: the embedder's 42 MB twice. A Transpose whose output leaves the graph,
    or a weight read by anything else, is left as it is. Returns the names it renamed."""
    readers: dict[str, int] = {}
    for node in graph.graph.node:
        for name in node.input:
            readers[name] = readers.get(name, 0) + 1
    outputs = {o.name for o in graph.graph.output}
    taken = {t.name for t in graph.graph.initializer} | {i.name for i in graph.graph.input}
    renamed: dict[str, str] = {}  # the Transpose's output -> the new initializer's name
    done, keep = set(), []
    for node in graph.graph.node:
        perm = [list(a.ints) for a in node.attribute if a.name == "perm"]
        source = node.input[0] if node.input else ""
        wanted = source in stripped and readers[source] == 1 and node.output[0] not in outputs
        if node.op_type == "Transpose" and perm == [[1, 0]] and wanted:
            if f"{source}{TRANSPOSED}" in taken:
                raise SystemExit(f"{source}{TRANSPOSED}: the graph already has that name")
            renamed[node.output[0]] = f"{source}{TRANSPOSED}"
            done.add(source)
            continue
        keep.append(node)
    del graph.graph.node[:]
    for node in keep:
        for i, name in enumerate(node.input):
            node.input[i] = renamed.get(name, name)
        graph.graph.node.append(node)
    for tensor in graph.graph.initializer:
        if tensor.name in done:
            tensor.name = f"{tensor.name}{TRANSPOSED}"
            tensor.dims[:] = list(reversed(tensor.dims))
    return done


def _export(module: Any, output: str, supplied: dict[str, Any], target: Path) -> dict[str, Any]:
    import onnx
    import torch

    sample = torch.ones((2, 8), dtype=torch.int64)
    with tempfile.TemporaryDirectory() as tmp:
        full = Path(tmp) / "full.onnx"
        torch.onnx.export(
            module,
            (sample, sample, torch.zeros_like(sample)),
            str(full),
            dynamo=False,
            do_constant_folding=False,  # keeps each parameter an initializer under its own name
            export_params=True,
            opset_version=OPSET,
            input_names=["input_ids", "attention_mask", "token_type_ids"],
            output_names=[output],
            dynamic_axes={
                "input_ids": {0: "batch", 1: "tokens"},
                "attention_mask": {0: "batch", 1: "tokens"},
                "token_type_ids": {0: "batch", 1: "tokens"},
                output: {0: "batch", 1: "tokens"}
                if output == "last_hidden_state"
                else {0: "batch"},
            },
        )
        graph = onnx.load(str(full))
    stripped = strip(graph, supplied)
    transposed = pre_transpose(graph, set(stripped))
    stripped = [f"{name}{TRANSPOSED}" if name in transposed else name for name in stripped]
    kept = [(t.name, int(t.ByteSize())) for t in graph.graph.initializer if t.name not in stripped]
    big = [name for name, size in kept if size > 64 * 1024]
    if big:
        raise SystemExit(f"weights the safetensors files do not supply: {', '.join(big)}")
    graph.producer_version = ""  # the same bytes from any torch build of the same graph
    graph.doc_string = ""
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(graph.SerializeToString(deterministic=True))
    return {"stripped": stripped, "kept": kept}


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--verifier", action="store_true", help="the NLI verifier's graph")
    parser.add_argument(
        "--int8", action="store_true", help="the fused int8 model (the verifier's ships)"
    )
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if the committed graph differs"
    )
    args = parser.parse_args()
    write, default = {
        (False, False): (export, GRAPH_FILE),
        (False, True): (export_int8, GRAPH_INT8),
        (True, False): (export_verifier, VERIFIER_GRAPH),
        (True, True): (export_verifier_int8, VERIFIER_INT8),
    }[(args.verifier, args.int8)]
    if args.out is None:
        args.out = default
    if args.check:
        with tempfile.TemporaryDirectory() as tmp:
            fresh = Path(tmp) / "graph.onnx"
            write(fresh)
            same = args.out.exists() and fresh.read_bytes() == args.out.read_bytes()
        print(f"{args.out}: {'up to date' if same else 'stale: run python -m eval.export_onnx'}")
        return 0 if same else 1
    report = write(args.out)
    digest = hashlib.sha256(args.out.read_bytes()).hexdigest()[:12]
    print(
        f"wrote {args.out} ({args.out.stat().st_size / 1024:.0f} KiB, sha256 {digest}): "
        f"{len(report['stripped'])} weights stripped, {len(report['kept'])} initializers kept in the file"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
