"""Hand-built GraphDefs for the handlers of converters/array_extra.py, linalg.py and image.py.

Same scheme as test_handlers_small.py (whose helpers this module reuses): each case is a tiny
GraphDef, converted, run in onnxruntime and compared with a numpy reference. The coverage
meta-test (test_handler_coverage.py) reads `CASES` from here too.
"""

from __future__ import annotations

import numpy as np
import pytest
from handler_cases import case_params, case_table, check_case, small_module
from ortflow.formats import dtypes


_small = small_module()
Case, op, placeholder, const, run, compare = (_small.Case, _small.op, _small.placeholder, _small.const,
                                             _small.run, _small._compare)
F32, I32, I64, F64 = dtypes.float32, dtypes.int32, dtypes.int64, dtypes.float64
RNG = np.random.RandomState(1)

CASES, case = case_table()


# --------------------------------------------------------------------------- array_extra

@case
def roll():
    x = np.arange(12, dtype=np.float32).reshape(3, 4)
    nodes = [placeholder("x", F32, [None, 4]), const("shift", np.array([1, -5], np.int32)),
             const("axis", np.array([0, 1], np.int32)), const("shift1", np.int32(2)), const("axis1", np.int32(-1)),
             op("roll2", "Roll", ["x", "shift", "axis"], T=F32, Tshift=I32, Taxis=I32),
             op("roll1", "Roll", ["x", "shift1", "axis1"], T=F32, Tshift=I32, Taxis=I32)]
    return Case(nodes, {"x:0": x}, ["roll2:0", "roll1:0"],
                lambda f: [np.roll(f["x:0"], (1, -5), (0, 1)), np.roll(f["x:0"], 2, -1)])


def _cumprod(x, exclusive=False, reverse=False):
    if reverse:
        x = x[:, ::-1]
    out = np.cumprod(x, axis=1)
    if exclusive:
        out = np.concatenate([np.ones_like(out[:, :1]), out[:, :-1]], axis=1)
    return out[:, ::-1] if reverse else out


@case
def cumprod():
    x = RNG.uniform(-2, 2, size=(2, 7)).astype(np.float32)
    nodes = [placeholder("x", F32, [None, 7]), const("axis", np.int32(1)),
             op("plain", "Cumprod", ["x", "axis"], T=F32, Tidx=I32, exclusive=False, reverse=False),
             op("both", "Cumprod", ["x", "axis"], T=F32, Tidx=I32, exclusive=True, reverse=True)]
    return Case(nodes, {"x:0": x}, ["plain:0", "both:0"],
                lambda f: [_cumprod(f["x:0"]), _cumprod(f["x:0"], True, True)])


def _unique(x):
    values, first, inverse, counts = np.unique(x, return_index=True, return_inverse=True, return_counts=True)
    order = np.argsort(first)
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    return values[order], rank[inverse].astype(np.int32), counts[order].astype(np.int32)


@case
def unique():
    x = np.array([4, 1, 4, 9, 1, 1], np.int32)
    y = np.array([0.5, -1.0, 0.5, 2.0], np.float32)
    nodes = [placeholder("x", I32, [None]), placeholder("y", F32, [None]),
             op("u", "Unique", ["x"], T=I32, out_idx=I32),
             op("uc", "UniqueWithCounts", ["y"], T=F32, out_idx=I64)]

    def expected(f):
        xv, xi, _ = _unique(f["x:0"])
        yv, yi, yc = _unique(f["y:0"])
        return [xv, xi, yv, yi.astype(np.int64), yc.astype(np.int64)]
    return Case(nodes, {"x:0": x, "y:0": y}, ["u:0", "u:1", "uc:0", "uc:1", "uc:2"], expected, min_opset=11)


@case
def search_bounds():
    seq = np.array([[1, 3, 3, 5, 9], [0, 0, 2, 2, 4]], np.float32)
    values = np.array([[3, 0, 10], [2, -1, 4]], np.float32)
    nodes = [placeholder("seq", F32, [None, 5]), placeholder("v", F32, [None, 3]),
             op("lo", "LowerBound", ["seq", "v"], T=F32, out_type=I32),
             op("hi", "UpperBound", ["seq", "v"], T=F32, out_type=I64)]

    def expected(f):
        s, v = f["seq:0"], f["v:0"]
        lo = np.stack([np.searchsorted(s[i], v[i], "left") for i in range(2)]).astype(np.int32)
        hi = np.stack([np.searchsorted(s[i], v[i], "right") for i in range(2)]).astype(np.int64)
        return [lo, hi]
    return Case(nodes, {"seq:0": seq, "v:0": values}, ["lo:0", "hi:0"], expected)


@case
def histogram_fixed_width():
    x = np.array([-1.0, 0.0, 1.5, 2.0, 5.0, 12.0, 4.99], np.float32)
    nodes = [placeholder("x", F32, [None]), const("range", np.array([0.0, 5.0], np.float32)),
             const("nbins", np.int32(5)),
             op("hist", "HistogramFixedWidth", ["x", "range", "nbins"], T=F32, dtype=I32)]
    return Case(nodes, {"x:0": x}, ["hist:0"], lambda f: [np.array([2, 1, 1, 0, 3], np.int32)])


@case
def lin_space():
    nodes = [placeholder("start", F32, []), const("stop", np.float32(1.0)), const("num", np.int32(5)),
             const("one", np.int32(1)),
             op("lin", "LinSpace", ["start", "stop", "num"], T=F32, Tidx=I32),
             op("single", "LinSpace", ["start", "stop", "one"], T=F32, Tidx=I32)]
    return Case(nodes, {"start:0": np.array(-1.0, np.float32)}, ["lin:0", "single:0"],
                lambda f: [np.linspace(-1.0, 1.0, 5).astype(np.float32), np.array([-1.0], np.float32)],
                min_opset=11)


@case
def list_diff_and_unravel_index():
    x = np.array([5, 1, 7, 1, 9, 3], np.int32)
    y = np.array([1, 9], np.int32)
    flat = np.array([0, 5, 11, 7], np.int64)
    nodes = [placeholder("x", I32, [None]), placeholder("y", I32, [None]), placeholder("empty", I32, [None]),
             placeholder("flat", I64, [None]), const("dims", np.array([3, 4], np.int64)),
             op("diff", "ListDiff", ["x", "y"], T=I32, out_idx=I32),
             op("all", "ListDiff", ["x", "empty"], T=I32, out_idx=I64),
             op("coords", "UnravelIndex", ["flat", "dims"], Tidx=I64)]
    return Case(nodes, {"x:0": x, "y:0": y, "empty:0": np.zeros(0, np.int32), "flat:0": flat},
                ["diff:0", "diff:1", "all:0", "all:1", "coords:0"],
                lambda f: [np.array([5, 7, 3], np.int32), np.array([0, 2, 5], np.int32), x, np.arange(6, dtype=np.int64),
                           np.stack(np.unravel_index(flat, (3, 4))).astype(np.int64)])


@case
def tensor_scatter_add_sub():
    t = np.arange(12, dtype=np.float32).reshape(4, 3)
    idx = np.array([[1], [3], [1]], np.int32)
    upd = np.ones((3, 3), np.float32)
    nodes = [placeholder("t", F32, [4, 3]), placeholder("idx", I32, [None, 1]), placeholder("upd", F32, [None, 3]),
             op("add", "TensorScatterAdd", ["t", "idx", "upd"], T=F32, Tindices=I32),
             op("sub", "TensorScatterSub", ["t", "idx", "upd"], T=F32, Tindices=I32)]

    def expected(f):
        add, sub = f["t:0"].copy(), f["t:0"].copy()
        for i, u in zip(f["idx:0"][:, 0], f["upd:0"]):
            add[i] += u
            sub[i] -= u
        return [add, sub]
    return Case(nodes, {"t:0": t, "idx:0": idx, "upd:0": upd}, ["add:0", "sub:0"], expected)


# --------------------------------------------------------------------------- math_extra

@case
def xlogy_family_and_mul_no_nan():
    x = np.array([[0.0, 1.5, 2.0, 0.0]], np.float32)
    y = np.array([[0.0, 2.0, 0.5, np.inf]], np.float32)
    nodes = [placeholder("x", F32, [None, 4]), placeholder("y", F32, [None, 4])]
    nodes += [op(o, o, ["x", "y"], T=F32) for o in ("Xlogy", "Xdivy", "Xlog1py")]
    nodes += [op("MulNoNan", "MulNoNan", ["y", "x"], T=F32)]

    def expected(f):
        a, b = f["x:0"], f["y:0"]
        with np.errstate(divide="ignore", invalid="ignore"):
            return [np.where(a == 0, 0, a * np.log(b)), np.where(a == 0, 0, a / b),
                    np.where(a == 0, 0, a * np.log1p(b)), np.where(a == 0, 0, a * b)]
    return Case(nodes, {"x:0": x, "y:0": y}, ["Xlogy:0", "Xdivy:0", "Xlog1py:0", "MulNoNan:0"], expected)


@case
def atan2():
    y = np.array([1.0, 1.0, -1.0, -1.0, 0.0, 0.0, 2.0, -3.0, 0.0], np.float32)
    x = np.array([1.0, -1.0, -1.0, 1.0, -2.0, 0.0, 0.0, 0.0, 3.0], np.float32)
    nodes = [placeholder("y", F32, [None]), placeholder("x", F32, [None]), op("a", "Atan2", ["y", "x"], T=F32),
             placeholder("y64", F64, [None]), placeholder("x64", F64, [None]), op("b", "Atan2", ["y64", "x64"], T=F64)]
    return Case(nodes, {"y:0": y, "x:0": x, "y64:0": y.astype(np.float64), "x64:0": x.astype(np.float64)},
                ["a:0", "b:0"], lambda f: [np.arctan2(f["y:0"], f["x:0"]), np.arctan2(f["y64:0"], f["x64:0"])])


@case
def lgamma():
    from math import lgamma as reference

    x = np.array([0.1, 0.5, 1.0, 2.0, 3.7, 10.0, 40.0, -0.5, -2.3, 1e-4], np.float32)
    nodes = [placeholder("x", F32, [None]), op("lg", "Lgamma", ["x"], T=F32),
             placeholder("x64", F64, [None]), op("lg64", "Lgamma", ["x64"], T=F64)]
    want = np.array([reference(float(v)) for v in x])
    case_obj = Case(nodes, {"x:0": x, "x64:0": x.astype(np.float64)}, ["lg:0", "lg64:0"],
                    lambda f: [want.astype(np.float32), want])
    case_obj.atol = 2e-5
    return case_obj


@case
def in_top_k():
    p = np.array([[0.1, 0.8, 0.8, 0.0], [0.5, 0.2, 0.1, 0.9], [0.3, np.nan, 0.2, 0.1], [0.1, 0.2, 0.3, 0.4]],
                 np.float32)
    t = np.array([2, 0, 0, 7], np.int32)
    nodes = [placeholder("p", F32, [None, 4]), placeholder("t", I32, [None]), const("k", np.int32(1)),
             op("v2", "InTopKV2", ["p", "t", "k"], T=I32), op("v1", "InTopK", ["p", "t"], T=I32, k=2)]
    # Ties at the boundary count as in the top k; a NaN row or an out-of-range target is false.
    return Case(nodes, {"p:0": p, "t:0": t}, ["v2:0", "v1:0"],
                lambda f: [np.array([True, False, False, False]), np.array([True, True, False, False])])


def _segment_reference(data, ids, reduce, empty):
    n = int(ids.max()) + 1
    return np.stack([reduce(data[ids == s], axis=0) if (ids == s).any() else np.full(data.shape[1:], empty,
                                                                                       data.dtype)
                     for s in range(n)]).astype(data.dtype)


@case
def sorted_segments():
    data = RNG.uniform(-2, 2, size=(5, 3)).astype(np.float32)
    ids = np.array([0, 0, 2, 2, 3], np.int32)
    nodes = [placeholder("data", F32, [None, 3]), placeholder("ids", I32, [None])]
    nodes += [op(o, o, ["data", "ids"], T=F32, Tindices=I32)
              for o in ("SegmentMean", "SegmentMax", "SegmentMin", "SegmentProd")]

    def expected(f):
        d, i = f["data:0"], f["ids:0"]
        return [_segment_reference(d, i, np.mean, 0), _segment_reference(d, i, np.max, 0),
                _segment_reference(d, i, np.min, 0), _segment_reference(d, i, np.prod, 1)]
    return Case(nodes, {"data:0": data, "ids:0": ids},
                ["SegmentMean:0", "SegmentMax:0", "SegmentMin:0", "SegmentProd:0"], expected)


@case
def dense_bincount():
    arr = np.array([1, 3, 3, 0, 5], np.int32)
    w = np.array([0.5, 1.0, 2.0, 0.25, 4.0], np.float32)
    nodes = [placeholder("arr", I32, [None]), placeholder("w", F32, [None]), const("size", np.int32(5)),
             const("none", np.zeros(0, np.int32)), const("none_f", np.zeros(0, np.float32)),
             op("counts", "DenseBincount", ["arr", "size", "none"], Tidx=I32, T=I32, binary_output=False),
             op("sums", "DenseBincount", ["arr", "size", "w"], Tidx=I32, T=F32, binary_output=False),
             op("seen", "DenseBincount", ["arr", "size", "none_f"], Tidx=I32, T=F32, binary_output=True)]
    return Case(nodes, {"arr:0": arr, "w:0": w}, ["counts:0", "sums:0", "seen:0"],
                lambda f: [np.array([1, 1, 0, 2, 0], np.int32), np.array([0.25, 0.5, 0, 3.0, 0], np.float32),
                           np.array([1, 1, 0, 1, 0], np.float32)])


@case
def tensor_scatter_max_min():
    t = np.arange(6, dtype=np.float32).reshape(2, 3)
    nodes = [placeholder("t", F32, [2, 3]), const("idx", np.array([[0, 1], [1, 2], [0, 1]], np.int32)),
             const("upd", np.array([9.0, -1.0, 3.0], np.float32)),
             op("max", "TensorScatterMax", ["t", "idx", "upd"], T=F32, Tindices=I32),
             op("min", "TensorScatterMin", ["t", "idx", "upd"], T=F32, Tindices=I32)]
    return Case(nodes, {"t:0": t}, ["max:0", "min:0"],
                lambda f: [np.array([[0, 9, 2], [3, 4, 5]], np.float32), np.array([[0, 1, 2], [3, 4, -1]], np.float32)])


@case
def tensor_scatter_mul_div_own_ops():
    # ortflow's own ops for ScatterMul / ScatterDiv (runtime/lowering.py): repeated rows combine,
    # integers divide truncating as TF's ScatterDiv does (100 / 3 = 33, -100 / 3 / 2 = -16).
    t = np.arange(1, 9, dtype=np.float32).reshape(4, 2)
    idx = np.array([[0], [2], [0]], np.int32)
    upd = np.array([[2, 3], [4, 5], [10, 10]], np.float32)
    nodes = [placeholder("t", F32, [4, 2]), placeholder("idx", I32, [None, 1]), placeholder("upd", F32, [None, 2]),
             placeholder("it", I32, [4]), const("iidx", np.array([[0], [1], [1]], np.int32)),
             const("iupd", np.array([3, 3, 2], np.int32)),
             op("mul", "_OrtflowTensorScatterMul", ["t", "idx", "upd"], T=F32, Tindices=I32),
             op("div", "_OrtflowTensorScatterDiv", ["t", "idx", "upd"], T=F32, Tindices=I32),
             op("idiv", "_OrtflowTensorScatterDiv", ["it", "iidx", "iupd"], T=I32, Tindices=I32)]

    def expected(f):
        mul, div = f["t:0"].copy(), f["t:0"].copy()
        for i, u in zip(f["idx:0"][:, 0], f["upd:0"]):
            mul[i] *= u
            div[i] /= u
        return [mul, div, np.array([33, -16, 7, 9], np.int32)]
    return Case(nodes, {"t:0": t, "idx:0": idx, "upd:0": upd, "it:0": np.array([100, -100, 7, 9], np.int32)},
                ["mul:0", "div:0", "idiv:0"], expected)


# --------------------------------------------------------------------------- linalg

@case
def matrix_determinant():
    x = RNG.uniform(-1, 1, size=(2, 3, 3)).astype(np.float32)
    nodes = [placeholder("x", F32, [None, 3, 3]), op("det", "MatrixDeterminant", ["x"], T=F32)]
    return Case(nodes, {"x:0": x}, ["det:0"], lambda f: [np.linalg.det(f["x:0"]).astype(np.float32)], min_opset=11)


def _well_conditioned(batch, n):
    a = RNG.uniform(-1, 1, size=batch + (n, n))
    return (a + n * np.eye(n)).astype(np.float32)


@case
def inverse_and_solves():
    m1, m3, m5 = _well_conditioned((), 1), _well_conditioned((2,), 3), _well_conditioned((), 5)
    rhs3 = RNG.uniform(-1, 1, size=(2, 3, 2)).astype(np.float32)
    nodes = [placeholder("m1", F32, [1, 1]), placeholder("m3", F32, [None, 3, 3]), placeholder("m5", F32, [5, 5]),
             placeholder("rhs3", F32, [None, 3, 2]),
             op("inv1", "MatrixInverse", ["m1"], T=F32, adjoint=False),
             op("inv3", "MatrixInverse", ["m3"], T=F32, adjoint=True),
             op("inv5", "MatrixInverse", ["m5"], T=F32, adjoint=False),
             op("solve", "MatrixSolve", ["m3", "rhs3"], T=F32, adjoint=False),
             op("lower", "MatrixTriangularSolve", ["m3", "rhs3"], T=F32, lower=True, adjoint=False),
             op("upper_adj", "MatrixTriangularSolve", ["m3", "rhs3"], T=F32, lower=False, adjoint=True),
             op("logdet", "LogMatrixDeterminant", ["m5"], T=F32)]

    def expected(f):
        a1, a3, a5, b = f["m1:0"], f["m3:0"], f["m5:0"], f["rhs3:0"]
        sign, logabs = np.linalg.slogdet(a5)
        return [np.linalg.inv(a1), np.linalg.inv(a3.transpose(0, 2, 1)), np.linalg.inv(a5), np.linalg.solve(a3, b),
                np.linalg.solve(np.tril(a3), b), np.linalg.solve(np.triu(a3).transpose(0, 2, 1), b),
                np.float32(sign), np.float32(logabs)]
    case_obj = Case(nodes, {"m1:0": m1, "m3:0": m3, "m5:0": m5, "rhs3:0": rhs3},
                    ["inv1:0", "inv3:0", "inv5:0", "solve:0", "lower:0", "upper_adj:0", "logdet:0", "logdet:1"],
                    expected)
    case_obj.atol = 1e-3  # float32 cofactors
    return case_obj


@case
def cholesky():
    a = RNG.uniform(-1, 1, size=(2, 4, 4))
    spd = (a @ a.transpose(0, 2, 1) + 4 * np.eye(4)).astype(np.float32)
    spd_upper_garbage = spd.copy()
    spd_upper_garbage[:, 0, 3] = 99.0  # TF reads only the lower triangle
    nodes = [placeholder("a", F32, [None, 4, 4]), placeholder("b", F32, [2, 4, 4]),
             op("chol", "Cholesky", ["a"], T=F32), op("chol_lower", "Cholesky", ["b"], T=F32)]
    return Case(nodes, {"a:0": spd, "b:0": spd_upper_garbage}, ["chol:0", "chol_lower:0"],
                lambda f: [np.linalg.cholesky(f["a:0"]), np.linalg.cholesky(f["a:0"])])


@case
def cross_and_tensor_diag():
    a, b = RNG.uniform(-1, 1, size=(2, 4, 3)).astype(np.float32), RNG.uniform(-1, 1, size=(2, 4, 3)).astype(np.float32)
    d = RNG.uniform(-1, 1, size=(2, 3)).astype(np.float32)
    nodes = [placeholder("a", F32, [None, 4, 3]), placeholder("b", F32, [None, 4, 3]), placeholder("d", F32, [2, 3]),
             op("cross", "Cross", ["a", "b"], T=F32), op("diag", "Diag", ["d"], T=F32),
             op("part", "DiagPart", ["diag"], T=F32)]
    return Case(nodes, {"a:0": a, "b:0": b, "d:0": d}, ["cross:0", "diag:0", "part:0"],
                lambda f: [np.cross(f["a:0"], f["b:0"]), np.diag(f["d:0"].reshape(-1)).reshape(2, 3, 2, 3),
                           f["d:0"]])


def _diag_nodes(prefix, source, dtype, op_type="MatrixDiagV3"):
    return [const(f"{prefix}/k", np.int32(0)), const(f"{prefix}/rows", np.int32(-1)),
            const(f"{prefix}/cols", np.int32(-1)), const(f"{prefix}/pad", np.zeros((), dtype.as_numpy_dtype)),
            op(prefix, op_type, [source, f"{prefix}/k", f"{prefix}/rows", f"{prefix}/cols", f"{prefix}/pad"],
               T=dtype, align="RIGHT_LEFT")]


@case
def matrix_diag_family():
    d = RNG.uniform(-1, 1, size=(2, 3)).astype(np.float32)
    tall = RNG.uniform(-1, 1, size=(2, 4, 3)).astype(np.float32)
    wide = RNG.uniform(-1, 1, size=(3, 5)).astype(np.float32)
    nodes = [placeholder("d", F32, [2, 3]), placeholder("dyn", F32, [None, None]),
             placeholder("tall", F32, [2, 4, 3]), placeholder("wide", F32, [None, None]),
             const("k", np.int32(0)), const("zero", np.float32(0))]
    nodes += _diag_nodes("diag", "d", F32) + _diag_nodes("diag_dyn", "dyn", F32, "MatrixDiagV2")
    nodes += [op("part_tall", "MatrixDiagPartV3", ["tall", "k", "zero"], T=F32, align="RIGHT_LEFT"),
              op("part_wide", "MatrixDiagPartV2", ["wide", "k", "zero"], T=F32),
              op("set_tall", "MatrixSetDiagV3", ["tall", "d", "k"], T=F32, align="RIGHT_LEFT"),
              op("set_v1", "MatrixSetDiag", ["tall", "d"], T=F32),
              op("set_v2", "MatrixSetDiagV2", ["tall", "d", "k"], T=F32)]

    def expected(f):
        eye = np.eye(3, dtype=bool)
        diag = np.where(eye, f["d:0"][..., None], 0).astype(np.float32)
        set_tall = f["tall:0"].copy()
        set_tall[:, np.arange(3), np.arange(3)] = f["d:0"]
        return [diag, diag, np.diagonal(f["tall:0"], axis1=-2, axis2=-1), np.diagonal(f["wide:0"]),
                set_tall, set_tall, set_tall]
    return Case(nodes, {"d:0": d, "dyn:0": d, "tall:0": tall, "wide:0": wide},
                ["diag:0", "diag_dyn:0", "part_tall:0", "part_wide:0", "set_tall:0", "set_v1:0", "set_v2:0"], expected)


# --------------------------------------------------------------------------- image

@case
def non_max_suppression():
    boxes = np.array([[0, 0, 1, 1], [0, 0.1, 1, 1.1], [0, -0.1, 1, 0.9], [0, 10, 1, 11],
                      [1, 1, 0, 0], [0, 100, 1, 101]], np.float32)
    scores = np.array([0.9, 0.95, 0.75, 0.6, 0.5, 0.3], np.float32)
    nodes = [placeholder("boxes", F32, [None, 4]), placeholder("scores", F32, [None]),
             const("max", np.int32(10)), const("two", np.int32(2)), const("iou", np.float32(0.5)),
             const("score", np.float32(0.4)),
             op("v3", "NonMaxSuppressionV3", ["boxes", "scores", "max", "iou", "score"], T=F32, T_threshold=F32),
             op("v2", "NonMaxSuppressionV2", ["boxes", "scores", "two", "iou"], T=F32, T_threshold=F32)]
    # Box 1 (best) suppresses 0 and 2 (IoU > 0.5); 4 is box 0 with its corners swapped, also
    # suppressed; 5 falls below the score threshold.
    return Case(nodes, {"boxes:0": boxes, "scores:0": scores}, ["v3:0", "v2:0"],
                lambda f: [np.array([1, 3], np.int32), np.array([1, 3], np.int32)], min_opset=11)


@case
def non_max_suppression_padded_and_with_scores():
    boxes = np.array([[0, 0, 1, 1], [0, 0.1, 1, 1.1], [0, 10, 1, 11], [0, 20, 1, 21]], np.float32)
    scores = np.array([0.9, 0.95, 0.6, 0.3], np.float32)
    nodes = [placeholder("boxes", F32, [None, 4]), placeholder("scores", F32, [None]),
             const("max", np.int32(5)), const("iou", np.float32(0.5)), const("score", np.float32(0.4)),
             const("sigma", np.float32(0.0)),
             op("v4", "NonMaxSuppressionV4", ["boxes", "scores", "max", "iou", "score"], T=F32, T_threshold=F32,
                pad_to_max_output_size=True),
             op("v4_plain", "NonMaxSuppressionV4", ["boxes", "scores", "max", "iou", "score"], T=F32,
                T_threshold=F32, pad_to_max_output_size=False),
             op("v5", "NonMaxSuppressionV5", ["boxes", "scores", "max", "iou", "score", "sigma"], T=F32,
                pad_to_max_output_size=True)]
    return Case(nodes, {"boxes:0": boxes, "scores:0": scores},
                ["v4:0", "v4:1", "v4_plain:0", "v4_plain:1", "v5:0", "v5:1", "v5:2"],
                lambda f: [np.array([1, 2, 0, 0, 0], np.int32), np.int32(2), np.array([1, 2], np.int32), np.int32(2),
                           np.array([1, 2, 0, 0, 0], np.int32), np.array([0.95, 0.6, 0, 0, 0], np.float32),
                           np.int32(2)], min_opset=11)


def _patches(x, k, s, r, same):
    kh, kw = k
    n, h, w, c = x.shape
    outs = []
    for size, kk, ss, rr in ((h, kh, s[0], r[0]), (w, kw, s[1], r[1])):
        eff = (kk - 1) * rr + 1
        out = -(-size // ss) if same else (size - eff) // ss + 1
        total = max(0, (out - 1) * ss + eff - size) if same else 0
        outs.append((out, total // 2, total - total // 2))
    (oh, t, b), (ow, left, right) = outs
    p = np.pad(x, [(0, 0), (t, b), (left, right), (0, 0)])
    res = np.zeros((n, oh, ow, kh * kw * c), x.dtype)
    for i in range(oh):
        for j in range(ow):
            window = p[:, i * s[0]: i * s[0] + (kh - 1) * r[0] + 1: r[0], j * s[1]: j * s[1] + (kw - 1) * r[1] + 1: r[1]]
            res[:, i, j] = window.reshape(n, -1)
    return res


@case
def extract_image_patches():
    x = RNG.uniform(-1, 1, size=(2, 6, 7, 3)).astype(np.float32)
    xi = RNG.randint(0, 50, size=(1, 5, 5, 2)).astype(np.int32)
    nodes = [placeholder("x", F32, [None, 6, 7, 3]), placeholder("xi", I32, [None, 5, 5, 2]),
             op("valid", "ExtractImagePatches", ["x"], T=F32, ksizes=[1, 2, 3, 1], strides=[1, 2, 1, 1],
                rates=[1, 1, 2, 1], padding="VALID"),
             op("same", "ExtractImagePatches", ["x"], T=F32, ksizes=[1, 3, 2, 1], strides=[1, 2, 3, 1],
                rates=[1, 1, 1, 1], padding="SAME"),
             op("ints", "ExtractImagePatches", ["xi"], T=I32, ksizes=[1, 2, 2, 1], strides=[1, 1, 1, 1],
                rates=[1, 1, 1, 1], padding="VALID")]
    return Case(nodes, {"x:0": x, "xi:0": xi}, ["valid:0", "same:0", "ints:0"],
                lambda f: [_patches(f["x:0"], (2, 3), (2, 1), (1, 2), False),
                           _patches(f["x:0"], (3, 2), (2, 3), (1, 1), True),
                           _patches(f["xi:0"], (2, 2), (1, 1), (1, 1), False)], min_opset=11)


def _crop_reference(image, box, size, nearest, extrapolation):
    # TF's CropAndResize for one box, written out: sample points, then bilinear or nearest.
    h, w, _ = image.shape
    (y1, x1, y2, x2), (ch, cw) = box, size
    ys = [y1 * (h - 1) + i * (y2 - y1) * (h - 1) / (ch - 1) if ch > 1 else 0.5 * (y1 + y2) * (h - 1)
          for i in range(ch)]
    xs = [x1 * (w - 1) + j * (x2 - x1) * (w - 1) / (cw - 1) if cw > 1 else 0.5 * (x1 + x2) * (w - 1)
          for j in range(cw)]
    out = np.full((ch, cw, image.shape[2]), extrapolation, np.float32)
    for i, y in enumerate(ys):
        for j, x in enumerate(xs):
            if not (0 <= y <= h - 1 and 0 <= x <= w - 1):
                continue
            if nearest:
                out[i, j] = image[int(np.floor(y + 0.5)), int(np.floor(x + 0.5))]
                continue
            t, b, left, r = int(np.floor(y)), int(np.ceil(y)), int(np.floor(x)), int(np.ceil(x))
            dy, dx = y - t, x - left
            top = image[t, left] + (image[t, r] - image[t, left]) * dx
            bottom = image[b, left] + (image[b, r] - image[b, left]) * dx
            out[i, j] = top + (bottom - top) * dy
    return out


@case
def crop_and_resize():
    img = RNG.uniform(size=(2, 5, 6, 2)).astype(np.float32)
    boxes = np.array([[0, 0, 1, 1], [0.2, 0.1, 0.7, 0.9], [-0.5, 0.4, 1.5, 0.6], [0.9, 0.8, 0.1, 0.3]], np.float32)
    index = np.array([1, 0, 1, 0], np.int32)
    nodes = [placeholder("img", F32, [None, 5, 6, 2]), placeholder("boxes", F32, [None, 4]),
             placeholder("index", I32, [None]), const("size", np.array([4, 3], np.int32)),
             const("one", np.array([1, 1], np.int32)),
             op("bilinear", "CropAndResize", ["img", "boxes", "index", "size"], T=F32, method="bilinear",
                extrapolation_value=-1.0),
             op("nearest", "CropAndResize", ["img", "boxes", "index", "size"], T=F32, method="nearest",
                extrapolation_value=0.0),
             op("dot", "CropAndResize", ["img", "boxes", "index", "one"], T=F32, method="bilinear",
                extrapolation_value=0.0)]

    def expected(f):
        def crops(size, nearest, extrapolation):
            return np.stack([_crop_reference(f["img:0"][i], b, size, nearest, extrapolation)
                             for b, i in zip(f["boxes:0"], f["index:0"])])
        return [crops((4, 3), False, -1.0), crops((4, 3), True, 0.0), crops((1, 1), False, 0.0)]
    return Case(nodes, {"img:0": img, "boxes:0": boxes, "index:0": index}, ["bilinear:0", "nearest:0", "dot:0"],
                expected)


def _per_pixel(fn, x):
    flat = x.reshape(-1, 3).astype(np.float64)
    return np.array([fn(*p) for p in flat], np.float32).reshape(x.shape)


@case
def colour_spaces():
    import colorsys

    rgb = np.concatenate([RNG.uniform(size=(2, 4, 3)),
                          np.array([[[0.5, 0.5, 0.5], [1, 0, 0], [0, 0, 1], [0, 0, 0]]])]).astype(np.float32)
    nodes = [placeholder("rgb", F32, [None, 4, 3]), const("delta", np.float32(0.3)), const("scale", np.float32(0.5)),
             op("hsv", "RGBToHSV", ["rgb"], T=F32), op("back", "HSVToRGB", ["hsv"], T=F32),
             op("hue", "AdjustHue", ["rgb", "delta"], T=F32), op("sat", "AdjustSaturation", ["rgb", "scale"], T=F32)]

    def shifted(r, g, b):
        h, s_, v = colorsys.rgb_to_hsv(r, g, b)
        return colorsys.hsv_to_rgb((h + 0.3) % 1.0, s_, v)

    def desaturated(r, g, b):
        h, s_, v = colorsys.rgb_to_hsv(r, g, b)
        return colorsys.hsv_to_rgb(h, s_ * 0.5, v)
    return Case(nodes, {"rgb:0": rgb}, ["hsv:0", "back:0", "hue:0", "sat:0"],
                lambda f: [_per_pixel(colorsys.rgb_to_hsv, f["rgb:0"]), f["rgb:0"],
                           _per_pixel(shifted, f["rgb:0"]), _per_pixel(desaturated, f["rgb:0"])])


@case
def strings():
    s = np.array(["12", " -3 ", "1e2"], dtype=object)
    nodes = [placeholder("s", dtypes.string, [None]), const("x", np.array(b"x", dtype=object)),
             op("f", "StringToNumber", ["s"], out_type=F32),
             op("joined", "StringJoin", ["s", "x", "s"], N=3, separator="-"),
             op("plain", "StringJoin", ["s", "s"], N=2, separator=""),
             op("match", "StaticRegexFullMatch", ["s"], pattern=r"\s*-?\d+\s*")]
    return Case(nodes, {"s:0": s}, ["f:0", "joined:0", "plain:0", "match:0"],
                lambda f: [np.array([12, -3, 100], np.float32),
                           np.array(["12-x-12", " -3 -x- -3 ", "1e2-x-1e2"], dtype=object),
                           np.array(["1212", " -3  -3 ", "1e21e2"], dtype=object), np.array([True, True, False])],
                min_opset=20)


# --------------------------------------------------------------------------- segment and scatter lowerings

@case
def segments_of_matrix_ids_int():
    # ids of rank 2 flatten with the data's leading dims; int32 data; negative ids drop rows
    data = np.arange(24, dtype=np.int32).reshape(2, 3, 4) - 10
    ids = np.array([[0, 2, -1], [2, 0, 0]], np.int32)
    nodes = [placeholder("d", I32, [None, 3, 4]), placeholder("ids", I32, [None, 3]), const("n", np.int32(4))]
    nodes += [op(o, o, ["d", "ids", "n"], T=I32, Tindices=I32, Tnumsegments=I32)
              for o in ("UnsortedSegmentMax", "UnsortedSegmentMin", "UnsortedSegmentProd")]

    def expected(f):
        d, i = f["d:0"].reshape(6, 4), f["ids:0"].reshape(6)
        info = np.iinfo(np.int32)
        outs = [np.full((4, 4), info.min, np.int32), np.full((4, 4), info.max, np.int32), np.ones((4, 4), np.int32)]
        for row, seg in enumerate(i):
            if seg >= 0:
                outs[0][seg] = np.maximum(outs[0][seg], d[row])
                outs[1][seg] = np.minimum(outs[1][seg], d[row])
                outs[2][seg] *= d[row]
        return outs
    return Case(nodes, {"d:0": data, "ids:0": ids},
                ["UnsortedSegmentMax:0", "UnsortedSegmentMin:0", "UnsortedSegmentProd:0"], expected)


@case
def scatter_nd_slices_depth_two():
    # index depth 2 into a rank-3 shape: each index row names a [4] slice; duplicates add up
    idx = np.array([[[1, 0], [0, 2]], [[1, 0], [2, 1]]], np.int32)
    upd = RNG.uniform(-1, 1, (2, 2, 4)).astype(np.float32)
    t = RNG.uniform(-1, 1, (3, 3, 4)).astype(np.float32)
    nodes = [placeholder("idx", I32, [None, 2, 2]), placeholder("upd", F32, [None, 2, 4]),
             placeholder("t", F32, [None, 3, 4]), const("shape", np.array([3, 3, 4], np.int32)),
             op("nd", "ScatterNd", ["idx", "upd", "shape"], T=F32, Tindices=I32),
             op("add", "TensorScatterAdd", ["t", "idx", "upd"], T=F32, Tindices=I32),
             op("max", "TensorScatterMax", ["t", "idx", "upd"], T=F32, Tindices=I32)]

    def expected(f):
        nd = np.zeros((3, 3, 4), np.float32)
        best = f["t:0"].copy()
        for (a, b), u in zip(f["idx:0"].reshape(-1, 2), f["upd:0"].reshape(-1, 4)):
            nd[a, b] += u
            best[a, b] = np.maximum(best[a, b], u)
        return [nd, f["t:0"] + nd, best]
    return Case(nodes, {"idx:0": idx, "upd:0": upd, "t:0": t}, ["nd:0", "add:0", "max:0"], expected)


@case
def cumulative_logsumexp():
    # float64 inside: a term 300 below the slice's max still counts for the early prefix sums
    x = np.array([[-300.0, 0.5, 2.0, -1.0], [1.0, 1.0, -np.inf, 3.0]], np.float32)
    nodes = [placeholder("x", F32, [None, 4]), const("axis", np.int32(1)), const("axis0", np.int32(0))]
    nodes += [op(name, "CumulativeLogsumexp", ["x", axis], T=F32, Tidx=I32, exclusive=ex, reverse=rev)
              for name, axis, ex, rev in (("plain", "axis", False, False), ("ex", "axis", True, False),
                                          ("rev", "axis", False, True), ("both0", "axis0", True, True))]

    def ref(v, axis, exclusive, reverse):
        v = np.flip(v, axis) if reverse else v
        with np.errstate(divide="ignore"):
            out = np.log(np.cumsum(np.exp(v.astype(np.float64)), axis=axis))
        if exclusive:
            pad = np.full_like(np.take(out, [0], axis=axis), -np.inf)
            out = np.concatenate([pad, np.delete(out, -1, axis=axis)], axis=axis)
        out = np.flip(out, axis) if reverse else out
        return out.astype(np.float32)

    def expected(f):
        v = f["x:0"]
        return [ref(v, 1, False, False), ref(v, 1, True, False), ref(v, 1, False, True), ref(v, 0, True, True)]
    return Case(nodes, {"x:0": x}, ["plain:0", "ex:0", "rev:0", "both0:0"], expected)


# --------------------------------------------------------------------------- image

def _area_reference(img, out_h, out_w):
    # each output pixel averages the input area under it, pixel by pixel in 2-D: the overlap of
    # the output box [y*sy, (y+1)*sy) x [x*sx, (x+1)*sx) with every input pixel
    n, h, w, c = img.shape
    sy, sx = h / out_h, w / out_w
    out = np.zeros((n, out_h, out_w, c))
    for y in range(out_h):
        for x in range(out_w):
            for i in range(h):
                for j in range(w):
                    oy = min(i + 1, (y + 1) * sy) - max(i, y * sy)
                    ox = min(j + 1, (x + 1) * sx) - max(j, x * sx)
                    if oy > 0 and ox > 0:
                        out[:, y, x] += oy * ox * img[:, i, j]
    return (out / (sy * sx)).astype(np.float32)


@case
def resize_area_and_contrast():
    img = RNG.uniform(0, 1, (2, 5, 7, 3)).astype(np.float32)
    nodes = [placeholder("img", F32, [None, 5, 7, 3]), const("size", np.array([3, 4], np.int32)),
             const("up", np.array([8, 9], np.int32)), const("factor", np.float32(1.7)),
             op("area", "ResizeArea", ["img", "size"], T=F32, align_corners=False),
             op("area_up", "ResizeArea", ["img", "up"], T=F32, align_corners=False),
             op("contrast", "AdjustContrastv2", ["img", "factor"], T=F32)]

    def expected(f):
        x = f["img:0"]
        mean = x.mean(axis=(1, 2), keepdims=True)
        return [_area_reference(x, 3, 4), _area_reference(x, 8, 9), (x - mean) * np.float32(1.7) + mean]
    return Case(nodes, {"img:0": img}, ["area:0", "area_up:0", "contrast:0"], expected)


def _bicubic_taps_reference(size_in, size_out, align, half):
    # TF's ResizeBicubic along one axis: Keys kernel evaluated at the offset rounded to 1/1024,
    # a = -0.5 with half-pixel centers (outside taps dropped, weights renormalized), else
    # a = -0.75 with outside taps reading the edge pixel
    scale = (size_in - 1) / (size_out - 1) if align and size_out > 1 else size_in / size_out
    a = -0.5 if half else -0.75
    mat = np.zeros((size_out, size_in))
    for o in range(size_out):
        src = (o + 0.5) * scale - 0.5 if half else o * scale
        base = int(np.floor(src))
        t = np.rint((src - base) * 1024) / 1024
        row = np.zeros(size_in)
        for k, tap in enumerate(range(base - 1, base + 3)):
            d = abs(t - (k - 1))
            w = ((a + 2) * d ** 3 - (a + 3) * d ** 2 + 1) if d <= 1 else (a * d ** 3 - 5 * a * d ** 2 + 8 * a * d - 4 * a)
            if half and not 0 <= tap < size_in:
                continue
            row[min(size_in - 1, max(0, tap))] += w
        mat[o] = row / row.sum() if half else row
    return mat


@case
def resize_bicubic_legacy_and_align_corners():
    img = RNG.uniform(-1, 1, (1, 6, 5, 2)).astype(np.float32)
    nodes = [placeholder("img", F32, [None, 6, 5, 2]), const("up", np.array([9, 11], np.int32)),
             const("down", np.array([4, 3], np.int32)),
             op("legacy", "ResizeBicubic", ["img", "up"], T=F32, align_corners=False, half_pixel_centers=False),
             op("corners", "ResizeBicubic", ["img", "down"], T=F32, align_corners=True, half_pixel_centers=False)]

    def expected(f):
        x = f["img:0"].astype(np.float64)
        out = []
        for (oh, ow), align in (((9, 11), False), ((4, 3), True)):
            wy, wx = _bicubic_taps_reference(6, oh, align, False), _bicubic_taps_reference(5, ow, align, False)
            out.append(np.einsum("yh,nhwc,xw->nyxc", wy, x, wx).astype(np.float32))
        return out
    return Case(nodes, {"img:0": img}, ["legacy:0", "corners:0"], expected)


def _iou(a, b):
    ya, xa, yb, xb = min(a[0], a[2]), min(a[1], a[3]), max(a[0], a[2]), max(a[1], a[3])
    yc, xc, yd, xd = min(b[0], b[2]), min(b[1], b[3]), max(b[0], b[2]), max(b[1], b[3])
    inter = max(0.0, min(yb, yd) - max(ya, yc)) * max(0.0, min(xb, xd) - max(xa, xc))
    union = (yb - ya) * (xb - xa) + (yd - yc) * (xd - xc) - inter
    return inter / union if union > 0 else 0.0


def _combined_nms_reference(boxes, scores, per_class, total, iou, score_min, pad_per_class, clip):
    # greedy NMS per image and class (best score first, drop boxes overlapping a kept one by more
    # than `iou`), then each image's best `total` over its classes, zero-padded
    batch, _, q, _ = boxes.shape
    classes = scores.shape[-1]
    size = min(total, per_class * classes) if pad_per_class else total
    out = [np.zeros((batch, size, 4), np.float32), np.zeros((batch, size), np.float32),
           np.zeros((batch, size), np.float32), np.zeros(batch, np.int32)]
    for b in range(batch):
        found = []
        for c in range(classes):
            kept = []
            for n in sorted(range(boxes.shape[1]), key=lambda n: -scores[b, n, c]):
                box = boxes[b, n, 0 if q == 1 else c]
                if scores[b, n, c] > score_min and len(kept) < per_class and \
                        all(_iou(box, k) <= iou for k in kept):
                    kept.append(box)
                    found.append((scores[b, n, c], c, box))
        found = sorted(found, key=lambda f: -f[0])[:size]
        for i, (score, c, box) in enumerate(found):
            out[0][b, i] = np.clip(box, 0, 1) if clip else box
            out[1][b, i], out[2][b, i] = score, c
        out[3][b] = len(found)
    return out


@case
def combined_non_max_suppression():
    lo = RNG.uniform(-0.1, 0.7, (2, 9, 2, 2))
    boxes = np.concatenate([lo, lo + RNG.uniform(0.05, 0.5, (2, 9, 2, 2))], -1).astype(np.float32)
    scores = RNG.permutation(36).reshape(2, 9, 2).astype(np.float32) / 36.0
    nodes = [placeholder("boxes", F32, [None, None, 2, 4]), placeholder("scores", F32, [None, None, 2]),
             const("per_class", np.int32(3)), const("total", np.int32(8)), const("iou", np.float32(0.4)),
             const("score_min", np.float32(0.1)),
             op("nms", "CombinedNonMaxSuppression", ["boxes", "scores", "per_class", "total", "iou", "score_min"],
                pad_per_class=True, clip_boxes=True),
             op("unpadded", "CombinedNonMaxSuppression", ["boxes", "scores", "per_class", "total", "iou",
                                                          "score_min"], pad_per_class=False, clip_boxes=False)]

    def expected(f):
        b, sc = f["boxes:0"], f["scores:0"]
        return (_combined_nms_reference(b, sc, 3, 8, 0.4, 0.1, True, True)
                + _combined_nms_reference(b, sc, 3, 8, 0.4, 0.1, False, False))
    return Case(nodes, {"boxes:0": boxes, "scores:0": scores},
                [f"{n}:{k}" for n in ("nms", "unpadded") for k in range(4)], expected)


# --------------------------------------------------------------------------- quantization

def _dequantize_reference(q, low, high, mode, narrow=False):
    # TF's Dequantize formulas per mode, in float64
    info = np.iinfo(q.dtype)
    lowest, highest = float(info.min), float(info.max)
    v = q.astype(np.float64)
    if mode == "MIN_COMBINED":
        half = (highest - lowest + 1) / 2 if lowest < 0 else 0.0
        return (v + half) * (high - low) / (highest - lowest) + low
    if mode == "MIN_FIRST":
        step = (high - low) / (2.0 ** (8 * q.dtype.itemsize) - 1)
        return np.round(low / step) * step + (v - lowest) * step
    low_value = lowest + 1 if narrow else lowest
    scale = high / highest if lowest == 0 else max(low / low_value, high / highest)
    return v * scale


@case
def dequantize_modes():
    u8 = RNG.randint(0, 256, (3, 4)).astype(np.uint8)
    i8 = RNG.randint(-128, 128, (3, 4)).astype(np.int8)
    nodes = [placeholder("u8", dtypes.quint8, [None, 4]), placeholder("i8", dtypes.qint8, [None, 4]),
             const("lo", np.float32(-0.7)), const("hi", np.float32(1.3))]
    outs, refs = [], []
    for mode in ("MIN_COMBINED", "MIN_FIRST", "SCALED"):
        for name, dtype in (("u8", dtypes.quint8), ("i8", dtypes.qint8)):
            nodes.append(op(f"{name}_{mode}", "Dequantize", [name, "lo", "hi"], T=dtype, mode=mode,
                            narrow_range=mode == "SCALED" and name == "i8", axis=-1, dtype=F32))
            outs.append(f"{name}_{mode}:0")
            refs.append((name, mode))

    def expected(f):
        return [_dequantize_reference(f[f"{name}:0"], -0.7, 1.3, mode, narrow=mode == "SCALED" and name == "i8")
                .astype(np.float32) for name, mode in refs]
    return Case(nodes, {"u8:0": u8, "i8:0": i8}, outs, expected)


def _quantize_reference(x, low, high, lowest, highest, eps=0.01):
    # TF's QuantizeV2 MIN_COMBINED: widen the range to hold 0 and at least eps * magnitude,
    # scale to the type's steps, round half away from zero
    low2 = min(0.0, low)
    high2 = max(0.0, high, low2 + max(1.0, abs(low), abs(high)) * eps)
    v = (np.clip(x.astype(np.float64), low2, high2) - low2) * (highest - lowest) / (high2 - low2)
    if lowest < 0:
        v -= (highest - lowest + 1) / 2
    return np.sign(v) * np.floor(np.abs(v) + 0.5), low2, high2


@case
def quantize_v2_min_combined():
    x = RNG.uniform(-3, 3, (4, 5)).astype(np.float32)
    nodes = [placeholder("x", F32, [None, 5]), const("lo", np.float32(-2.0)), const("hi", np.float32(2.5)),
             const("lo_pos", np.float32(0.5)), const("hi_pos", np.float32(0.5)),
             op("q8", "QuantizeV2", ["x", "lo", "hi"], T=dtypes.quint8, mode="MIN_COMBINED", axis=-1,
                round_mode="HALF_AWAY_FROM_ZERO", ensure_minimum_range=0.01, narrow_range=False),
             op("qi8", "QuantizeV2", ["x", "lo", "hi"], T=dtypes.qint8, mode="MIN_COMBINED", axis=-1,
                round_mode="HALF_AWAY_FROM_ZERO", ensure_minimum_range=0.01, narrow_range=False),
             op("qtiny", "QuantizeV2", ["x", "lo_pos", "hi_pos"], T=dtypes.quint8, mode="MIN_COMBINED", axis=-1,
                round_mode="HALF_AWAY_FROM_ZERO", ensure_minimum_range=0.01, narrow_range=False)]

    def expected(f):
        v = f["x:0"]
        u, lo, hi = _quantize_reference(v, -2.0, 2.5, 0, 255)
        s8, _, _ = _quantize_reference(v, -2.0, 2.5, -128, 127)
        t, tlo, thi = _quantize_reference(v, 0.5, 0.5, 0, 255)
        return [u.astype(np.uint8), np.float32(lo), np.float32(hi), s8.astype(np.int8), t.astype(np.uint8),
                np.float32(tlo), np.float32(thi)]
    return Case(nodes, {"x:0": x}, ["q8:0", "q8:1", "q8:2", "qi8:0", "qtiny:0", "qtiny:1", "qtiny:2"], expected)


# --------------------------------------------------------------------------- the tests

@pytest.mark.parametrize(("name", "opset"), case_params(CASES))
def test_extra_case(name, opset):
    check_case(CASES, name, opset)
