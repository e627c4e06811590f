"""Experiment: the embedder in int8, measured like the shipped one (issue 17). Not shipped.

    .venv/bin/python -m eval.int8_embedder [eval options, e.g. --no-verifier]

Writes the embedder's fused int8 model (`python -m eval.export_onnx --int8`, to
`interviewer/weights/onnx/minilm-l6-int8.onnx`, which git ignores), then runs `interviewer eval
--no-record` with it in a fresh user directory, so the rubric statements are embedded by the int8
model too (its name, and so its statement cache, ends in `-int8`). Compare with `interviewer eval`.

Measured (2026-12-06, with the int8 verifier; fp32 in brackets): kp ROC-AUC 0.826-0.827 (0.829),
Spearman 0.685-0.691 (0.693), verdict QWK 0.567-0.569 (0.578), messy Spearman 0.428-0.441 (0.446);
one answer's sentences 38 -> 21 ms. The two runs differ only in how the texts were batched: dynamic
int8 quantises a run's activations with one scale for the whole batch, so a sentence's vector
depends on the sentences run with it (0.992 cosine of the fp32 vector on average). The grade does
not hold, and would depend on batching: the fp32 embedder ships.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    from eval.export_onnx import export_int8
    from interviewer.adapters import onnx_embedder
    from interviewer.cli import main as cli

    target = onnx_embedder.GRAPH_INT8
    report = export_int8(target)
    print(f"wrote {target}: fused {report['fusions']}", file=sys.stderr)
    defaults = onnx_embedder.OnnxEmbedder.__init__.__kwdefaults__
    assert defaults is not None
    defaults["graph"] = target  # every embedder the CLI builds runs the int8 model
    with tempfile.TemporaryDirectory() as home:
        os.environ["INTERVIEWER_HOME"] = home  # a statement cache of its own
        return cli(["eval", "--no-record", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    sys.exit(main())
