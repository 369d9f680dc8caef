"""Regression tests for converter bugs reported by its earlier authors (one test per fix)."""

from __future__ import annotations

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

from ortflow.converters import passes_onnx
from ortflow.converters.context import ONode, _Namespace
from ortflow.formats import dtypes


def _session(model):
    return ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])


def test_folding_a_reshape_to_a_scalar_keeps_it_zero_dimensional():
    # y = x + Reshape([5.0], [])  with x a scalar input: the folded constant must stay 0-d,
    # or y becomes [1] and disagrees with the declared scalar output
    nodes = [ONode("Reshape", ["c:0", "s:0"], ["r:0"], {}, "r"),
             ONode("Add", ["x:0", "r:0"], ["y:0"], {}, "y")]
    inits = {"c:0": np.array([5.0], np.float32), "s:0": np.zeros(0, np.int64)}
    graph = passes_onnx.OGraph(nodes, dict(inits), [("x:0", dtypes.float32, [])],
                               [("y:0", dtypes.float32, [])],
                               _Namespace(["c:0", "s:0", "r:0", "x:0", "y:0"]), 17)
    passes_onnx.run_onnx_passes(graph)
    folded = [v for k, v in graph.initializers.items() if k not in inits]
    assert [v.shape for v in folded] == [()]
    model = passes_onnx.infer_value_info(graph.to_model(17))
    (y,) = _session(model).run(None, {"x:0": np.array(1.0, np.float32)})
    assert y.shape == () and y == 6.0


def test_every_handler_family_is_imported_by_name_in_the_package():
    # a family registered only because another module happens to import it is one refactor
    # away from silently losing its handlers
    import ast
    import pathlib

    import ortflow.converters as package

    root = pathlib.Path(package.__file__).parent
    tree = ast.parse((root / "__init__.py").read_text())
    listed = {alias.name for node in tree.body if isinstance(node, ast.ImportFrom)
              and node.module == "ortflow.converters" for alias in node.names}
    families = {p.stem for p in root.glob("*.py") if "\n@handler(" in p.read_text()}
    assert families and families <= listed, sorted(families - listed)


@pytest.mark.parametrize("shape", [(3, 3, 200, 130), (1, 1, 1024, 300), (5, 5, 1, 4), (2, 3)])
def test_blocked_filter_transpose_equals_numpy(shape):
    from ortflow.converters.nn import transposed

    value = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    perm = [3, 2, 0, 1] if len(shape) == 4 else [1, 0]
    got = transposed(value, perm)
    assert got.flags.c_contiguous
    np.testing.assert_array_equal(got, np.transpose(value, perm))
