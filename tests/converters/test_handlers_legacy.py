"""Hand-built GraphDefs for converters/legacy.py (older and rarer TF ops), checked against numpy.

Same scheme as test_handlers_small.py, whose helpers this module reuses; the coverage meta-test
(test_handler_coverage.py) reads `CASES` from here too.
"""

from __future__ import annotations

import numpy as np
import pytest
from handler_cases import case_params, case_table, check_case, small_module
from ortflow.formats import dtypes


_small = small_module()
Case, op, placeholder, const, run, compare = (_small.Case, _small.op, _small.placeholder, _small.const,
                                             _small.run, _small._compare)
F32, I32, U8 = dtypes.float32, dtypes.int32, dtypes.uint8
RNG = np.random.RandomState(2)

CASES, case = case_table()


@case
def batch_norm_with_global_normalization():
    x = RNG.standard_normal((2, 3, 3, 4)).astype(np.float32)
    mean, beta, gamma = (RNG.standard_normal(4).astype(np.float32) for _ in range(3))
    var = RNG.uniform(0.5, 2.0, 4).astype(np.float32)
    nodes = [placeholder("x", F32, [None, 3, 3, 4]), const("m", mean), const("v", var), const("b", beta),
             const("g", gamma)]
    for name, scaled in (("scaled", True), ("plain", False)):
        nodes.append(op(name, "BatchNormWithGlobalNormalization", ["x", "m", "v", "b", "g"], T=F32,
                        variance_epsilon=0.001, scale_after_normalization=scaled))
    norm = lambda f: (f["x:0"] - mean) / np.sqrt(var + 0.001)  # noqa: E731
    return Case(nodes, {"x:0": x}, ["scaled:0", "plain:0"],
                lambda f: [norm(f) * gamma + beta, norm(f) + beta])


@case
def accumulate_n_v2():
    a, b, c = (RNG.standard_normal((2, 3)).astype(np.float32) for _ in range(3))
    nodes = [placeholder("a", F32, [2, 3]), placeholder("b", F32, [2, 3]), placeholder("c", F32, [2, 3]),
             op("acc", "AccumulateNV2", ["a", "b", "c"], T=F32, N=3, shape=_small.Dims([2, 3]))]
    return Case(nodes, {"a:0": a, "b:0": b, "c:0": c}, ["acc:0"], lambda f: [f["a:0"] + f["b:0"] + f["c:0"]])


@case
def matrix_diag_v1():
    d = RNG.standard_normal((2, 3)).astype(np.float32)
    m = RNG.standard_normal((2, 4, 3)).astype(np.float32)
    nodes = [placeholder("d", F32, [None, 3]), placeholder("dyn", F32, [None, None]),
             placeholder("m", F32, [None, 4, 3]),
             op("diag", "MatrixDiag", ["d"], T=F32), op("diag_dyn", "BatchMatrixDiag", ["dyn"], T=F32),
             placeholder("mdyn", F32, [None, None, None]),
             op("part", "MatrixDiagPart", ["m"], T=F32), op("part_dyn", "BatchMatrixDiagPart", ["mdyn"], T=F32)]
    parts = np.stack([np.diagonal(x) for x in m])
    return Case(nodes, {"d:0": d, "dyn:0": d, "m:0": m, "mdyn:0": m}, ["diag:0", "diag_dyn:0", "part:0", "part_dyn:0"],
                lambda f: [np.stack([np.diag(r) for r in d])] * 2 + [parts, parts])


@case
def conjugate_transpose_real():
    x = RNG.standard_normal((2, 3, 4)).astype(np.float32)
    nodes = [placeholder("x", F32, [2, 3, 4]), const("perm", np.array([2, 0, 1], np.int32)),
             op("t", "ConjugateTranspose", ["x", "perm"], T=F32, Tperm=I32)]
    return Case(nodes, {"x:0": x}, ["t:0"], lambda f: [np.transpose(f["x:0"], (2, 0, 1))])


@case
def approximate_equal():
    x = np.array([1.0, 2.0, 3.0, 4.0], np.float32)
    y = np.array([1.05, 2.5, 2.99, 4.0], np.float32)
    nodes = [placeholder("x", F32, [4]), placeholder("y", F32, [4]),
             op("eq", "ApproximateEqual", ["x", "y"], T=F32, tolerance=0.1)]
    return Case(nodes, {"x:0": x, "y:0": y}, ["eq:0"], lambda f: [np.abs(f["x:0"] - f["y:0"]) < 0.1])


@case
def bitwise():
    x = np.array([0b1100, 7, -3, 0], np.int32)
    y = np.array([0b1010, 1, 5, -1], np.int32)
    nodes = [placeholder("x", I32, [4]), placeholder("y", I32, [4]),
             op("and", "BitwiseAnd", ["x", "y"], T=I32), op("or", "BitwiseOr", ["x", "y"], T=I32),
             op("xor", "BitwiseXor", ["x", "y"], T=I32), op("inv", "Invert", ["x"], T=I32)]
    return Case(nodes, {"x:0": x, "y:0": y}, ["and:0", "or:0", "xor:0", "inv:0"],
                lambda f: [f["x:0"] & f["y:0"], f["x:0"] | f["y:0"], f["x:0"] ^ f["y:0"], ~f["x:0"]])
    # (per-bit arithmetic before opset 18, ONNX's Bitwise* ops from it)


@case
def shifts_unsigned():
    x = np.array([1, 6, 128, 255], np.uint8)
    y = np.array([1, 2, 1, 4], np.uint8)
    nodes = [placeholder("x", U8, [4]), placeholder("y", U8, [4]),
             op("left", "LeftShift", ["x", "y"], T=U8), op("right", "RightShift", ["x", "y"], T=U8)]
    return Case(nodes, {"x:0": x, "y:0": y}, ["left:0", "right:0"],
                lambda f: [np.left_shift(f["x:0"], f["y:0"]), np.right_shift(f["x:0"], f["y:0"])])


@pytest.mark.parametrize(("name", "opset"), case_params(CASES))
def test_legacy_case(name, opset):
    check_case(CASES, name, opset)
