"""Export the run-time embedder's graph to ONNX, without its weights.

    .venv/bin/python -m eval.export_onnx            # writes interviewer/weights/onnx/minilm-l6.onnx
    .venv/bin/python -m eval.export_onnx --check    # exits 1 when the committed graph is stale

The graph is the packaged MiniLM (a BERT encoder: input ids, attention mask and token type ids in,
the last hidden state out). Every weight is an initializer named exactly as its key in the state
dict (`embeddings.word_embeddings.weight`, `encoder.layer.0.attention.self.query.weight`, ...), and
the committed file keeps only the names and shapes: `interviewer.adapters.onnx_embedder` hands the
values to onnxruntime at load time, from the package's `model.safetensors` and our tuned
`layers.safetensors`. So no second copy of 90 MB of weights is committed, and retraining the layers
needs no new export. Pooling and normalising stay in numpy.

The export is deterministic: the same torch and transformers give the same bytes (`--check`).
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
from pathlib import Path
from typing import Any

from interviewer.adapters.onnx_embedder import GRAPH_FILE, STRIPPED_LOCATION, weight_files

OPSET = 17


def export(target: Path) -> dict[str, Any]:
    """Writes the stripped graph to `target`; returns what it stripped."""
    import onnx
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

    sample = torch.ones((2, 8), dtype=torch.int64)
    with tempfile.TemporaryDirectory() as tmp:
        full = Path(tmp) / "full.onnx"
        torch.onnx.export(
            Encoder(model),
            (sample, sample, torch.zeros_like(sample)),
            str(full),
            dynamo=False,
            do_constant_folding=False,  # keeps each parameter an initializer under its own name
            export_params=True,
            opset_version=OPSET,
            input_names=["input_ids", "attention_mask", "token_type_ids"],
            output_names=["last_hidden_state"],
            dynamic_axes={
                "input_ids": {0: "batch", 1: "tokens"},
                "attention_mask": {0: "batch", 1: "tokens"},
                "token_type_ids": {0: "batch", 1: "tokens"},
                "last_hidden_state": {0: "batch", 1: "tokens"},
            },
        )
        graph = onnx.load(str(full))
    supplied: dict[str, Any] = {}
    for path in weight_files(None):
        supplied.update(load_file(str(path)))
    stripped, kept = [], []
    for tensor in graph.graph.initializer:
        if tensor.name in supplied:
            value = supplied[tensor.name]
            if tuple(tensor.dims) != value.shape:
                raise SystemExit(
                    f"{tensor.name}: graph shape {tuple(tensor.dims)} != {value.shape}"
                )
            # an external reference to a file that never exists: the session gets the value itself
            del tensor.external_data[:]
            tensor.ClearField("raw_data")
            for field in ("float_data", "int64_data", "int32_data"):
                tensor.ClearField(field)  # type: ignore[arg-type]
            tensor.data_location = onnx.TensorProto.EXTERNAL
            entry = tensor.external_data.add()
            entry.key, entry.value = "location", STRIPPED_LOCATION
            stripped.append(tensor.name)
        else:
            kept.append((tensor.name, int(tensor.ByteSize())))
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
    parser.add_argument("--out", type=Path, default=GRAPH_FILE)
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if the committed graph differs"
    )
    args = parser.parse_args()
    if args.check:
        with tempfile.TemporaryDirectory() as tmp:
            fresh = Path(tmp) / "graph.onnx"
            export(fresh)
            same = args.out.exists() and fresh.read_bytes() == args.out.read_bytes()
        print(f"{args.out}: {'up to date' if same else 'stale: run python -m eval.export_onnx'}")
        return 0 if same else 1
    report = export(args.out)
    digest = hashlib.sha256(args.out.read_bytes()).hexdigest()[:12]
    print(
        f"wrote {args.out} ({args.out.stat().st_size / 1024:.0f} KiB, sha256 {digest}): "
        f"{len(report['stripped'])} weights stripped, {len(report['kept'])} small constants kept"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
