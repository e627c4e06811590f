"""Stripped graphs hand each Linear weight over transposed (`pre_transpose`, `supplied_value`):
checked on small hand-made graphs, run by onnxruntime with the weights supplied as the product
supplies them (`new_session`), against numpy."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper

from eval.export_onnx import pre_transpose, strip
from interviewer.adapters.onnx_embedder import TRANSPOSED, new_session, supplied_value

W = np.arange(6, dtype=np.float32).reshape(2, 3) / 10  # a Linear weight: (out, in)
X = np.array([[1.0, 2.0, 3.0]], dtype=np.float32)


def linear(extra_reader: bool = False, transposed_out: bool = False) -> Any:
    """x @ W.T as the torch export writes it: Transpose(W) then MatMul."""
    nodes = [
        helper.make_node("Transpose", ["W"], ["Wt"], perm=[1, 0]),
        helper.make_node("MatMul", ["x", "Wt"], ["y"]),
    ]
    outputs = [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 2])]
    if extra_reader:
        nodes.append(helper.make_node("Identity", ["W"], ["w_copy"]))
        outputs.append(helper.make_tensor_value_info("w_copy", TensorProto.FLOAT, [2, 3]))
    if transposed_out:
        outputs.append(helper.make_tensor_value_info("Wt", TensorProto.FLOAT, [3, 2]))
    graph = helper.make_graph(
        nodes,
        "linear",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3])],
        outputs,
        [onnx.numpy_helper.from_array(W, "W")],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def run(model: Any, tmp_path: Path) -> np.ndarray[Any, Any]:
    path = tmp_path / "g.onnx"
    path.write_bytes(model.SerializeToString())
    keep: list[Any] = []
    session = new_session(path, lambda wanted: {"W": W}, 1, keep)
    return np.asarray(session.run(["y"], {"x": X})[0])


def test_a_weight_read_only_by_its_transpose_is_handed_over_transposed(tmp_path: Path) -> None:
    model = linear()
    assert strip(model, {"W": W}) == ["W"]
    assert pre_transpose(model, {"W"}) == {"W"}
    assert [n.op_type for n in model.graph.node] == ["MatMul"]
    assert [t.name for t in model.graph.initializer] == [f"W{TRANSPOSED}"]
    assert list(model.graph.initializer[0].dims) == [3, 2]
    assert np.array_equal(supplied_value({"W": W}, f"W{TRANSPOSED}"), W.T)
    assert np.allclose(run(model, tmp_path), X @ W.T)


@pytest.mark.parametrize("case", ["extra_reader", "transposed_out"])
def test_a_weight_read_twice_or_a_transpose_that_leaves_the_graph_is_kept(
    case: str, tmp_path: Path
) -> None:
    model = linear(**{case: True})
    strip(model, {"W": W})
    assert pre_transpose(model, {"W"}) == set()
    assert "Transpose" in [n.op_type for n in model.graph.node]
    assert np.allclose(run(model, tmp_path), X @ W.T)


def test_a_name_that_is_taken_stops_the_export() -> None:
    model = linear()
    model.graph.initializer.append(onnx.numpy_helper.from_array(W.T.copy(), f"W{TRANSPOSED}"))
    with pytest.raises(SystemExit, match="already has that name"):
        pre_transpose(model, {"W"})
