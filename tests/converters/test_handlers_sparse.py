"""Hand-built GraphDefs for the handlers of converters/sparse.py, run in onnxruntime vs numpy.

Same scheme as test_handlers_small.py (whose helpers this module reuses); the coverage
meta-test (test_handler_coverage.py) reads `CASES` from here too. The segment, matmul and add
handlers need ScatterND's reduction (opset 16): at opset 13 conversion is refused.
"""

from __future__ import annotations

import numpy as np
import pytest
from handler_cases import case_params, case_table, check_case, small_module
from ortflow.converters import convert_with_report
from ortflow.formats import dtypes


_small = small_module()
Case, op, placeholder, const, run, compare = (_small.Case, _small.op, _small.placeholder, _small.const,
                                             _small.run, _small._compare)
F32, I32, I64 = dtypes.float32, dtypes.int32, dtypes.int64
RNG = np.random.RandomState(3)

CASES, case = case_table()


def _segments(data, ids, seg, count, kind):
    out = np.zeros((count,) + data.shape[1:], np.float32)
    sizes = np.zeros(count, np.float32)
    for i, s in zip(ids, seg):
        out[s] += data[i]
        sizes[s] += 1
    scale = {"sum": np.ones(count), "mean": np.maximum(sizes, 1), "sqrtn": np.sqrt(np.maximum(sizes, 1))}[kind]
    return (out / scale.reshape(-1, *([1] * (data.ndim - 1)))).astype(np.float32)


@case
def sparse_segments():
    data = RNG.normal(size=(6, 2, 3)).astype(np.float32)
    nodes = [placeholder("data", F32, [None, 2, 3]), placeholder("ids", I32, [None]),
             placeholder("seg", I64, [None]), const("n", np.int32(5))]
    for kind, op_type in (("sum", "SparseSegmentSum"), ("mean", "SparseSegmentMean"), ("sqrtn", "SparseSegmentSqrtN")):
        nodes.append(op(kind, op_type, ["data", "ids", "seg"], T=F32, Tidx=I32, Tsegmentids=I64))
        nodes.append(op(f"{kind}_n", f"{op_type}WithNumSegments", ["data", "ids", "seg", "n"], T=F32, Tidx=I32,
                        Tnumsegments=I32, Tsegmentids=I64))
    feeds = {"data:0": data, "ids:0": np.array([0, 5, 2, 2, 3], np.int32), "seg:0": np.array([0, 0, 1, 3, 3], np.int64)}

    def expected(f):
        out = []
        for kind in ("sum", "mean", "sqrtn"):
            out += [_segments(f["data:0"], f["ids:0"], f["seg:0"], 4, kind),
                    _segments(f["data:0"], f["ids:0"], f["seg:0"], 5, kind)]
        return out
    outputs = [f"{k}{s}:0" for k in ("sum", "mean", "sqrtn") for s in ("", "_n")]
    return Case(nodes, feeds, outputs, expected)  # one-hot MatMul before opset 16, ScatterND add from it


def _sparse_a():
    a = np.zeros((3, 4), np.float32)
    a[0, 1], a[2, 0], a[2, 3] = 2.0, 0.5, -1.0
    idx = np.argwhere(a).astype(np.int64)
    return a, idx, a[tuple(idx.T)]


@case
def sparse_tensor_dense_mat_mul():
    a, idx, vals = _sparse_a()
    b = RNG.normal(size=(4, 5)).astype(np.float32)
    bt = RNG.normal(size=(3, 5)).astype(np.float32)
    nodes = [placeholder("idx", I64, [None, 2]), placeholder("vals", F32, [None]), const("shape", np.array([3, 4])),
             placeholder("b", F32, [4, 5]), placeholder("bt", F32, [3, 5]),
             op("plain", "SparseTensorDenseMatMul", ["idx", "vals", "shape", "b"], T=F32, Tindices=I64,
                adjoint_a=False, adjoint_b=False),
             op("adj_a", "SparseTensorDenseMatMul", ["idx", "vals", "shape", "bt"], T=F32, Tindices=I64,
                adjoint_a=True, adjoint_b=False),
             op("adj_b", "SparseTensorDenseMatMul", ["idx", "vals", "shape", "b_t"], T=F32, Tindices=I64,
                adjoint_a=False, adjoint_b=True),
             const("perm", np.array([1, 0], np.int32)), op("b_t", "Transpose", ["b", "perm"], T=F32, Tperm=I32)]
    feeds = {"idx:0": idx, "vals:0": vals, "b:0": b, "bt:0": bt}
    return Case(nodes, feeds, ["plain:0", "adj_a:0", "adj_b:0"], lambda f: [a @ b, a.T @ bt, a @ b], min_opset=16)


@case
def sparse_tensor_dense_add():
    a, idx, vals = _sparse_a()
    b = RNG.normal(size=(3, 4)).astype(np.float32)
    nodes = [placeholder("idx", I64, [None, 2]), placeholder("vals", F32, [None]), const("shape", np.array([3, 4])),
             placeholder("b", F32, [3, 4]),
             op("sum", "SparseTensorDenseAdd", ["idx", "vals", "shape", "b"], T=F32, Tindices=I64)]
    return Case(nodes, {"idx:0": idx, "vals:0": vals, "b:0": b}, ["sum:0"], lambda f: [a + b], min_opset=16)


@case
def sparse_to_dense():
    a, idx, vals = _sparse_a()
    nodes = [placeholder("idx", I64, [None, 2]), placeholder("vals", F32, [None]), const("shape", np.array([3, 4])),
             const("zero", np.float32(0)), const("fill", np.float32(7)),
             const("cidx", np.array([1, 3], np.int32)), const("cshape", np.array([5], np.int32)),
             op("unchecked", "SparseToDense", ["idx", "shape", "vals", "zero"], T=F32, Tindices=I64,
                validate_indices=False),
             op("checked", "SparseToDense", ["cidx", "cshape", "fill", "zero"], T=F32, Tindices=I32,
                validate_indices=True)]
    return Case(nodes, {"idx:0": idx, "vals:0": vals}, ["unchecked:0", "checked:0"],
                lambda f: [a, np.array([0, 7, 0, 7, 0], np.float32)])


def test_sparse_to_dense_with_run_time_validation_is_left_to_numpy():
    # Fed indices with validate_indices: ONNX cannot raise TF's errors, so the op is refused.
    nodes = [placeholder("idx", I64, [None, 2]), placeholder("vals", F32, [None]), const("shape", np.array([3, 4])),
             const("zero", np.float32(0)),
             op("d", "SparseToDense", ["idx", "shape", "vals", "zero"], T=F32, Tindices=I64, validate_indices=True)]
    graph = Case(nodes, {}, ["d:0"]).graph_def()
    with pytest.raises(Exception, match="validate_indices"):
        convert_with_report(graph, inputs=["idx:0", "vals:0"], outputs=["d:0"])


@pytest.mark.parametrize(("name", "opset"), case_params(CASES))
def test_sparse_case(name, opset):
    check_case(CASES, name, opset)
