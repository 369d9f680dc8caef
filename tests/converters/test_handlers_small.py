"""Tiny hand-built GraphDefs for handlers no TF-made fixture reaches, checked against numpy.

Each case builds NodeDefs with ortflow.proto, converts them, runs the model in onnxruntime and
compares with a numpy reference (floats within 1e-4, integers and booleans exactly). Random
ops have no reference values: their cases check shapes, dtypes, ranges and moments instead.
`test_handler_coverage.py` reads `CASES` to know which op types these graphs exercise.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable

import numpy as np
import pytest
from ortflow.converters import convert, default_opset
from ortflow.formats import dtypes
from ortflow.formats.tensors import make_tensor_proto, shape_to_proto
from ortflow.proto import AttrValue, GraphDef, NodeDef

RNG = np.random.RandomState(0)


# --------------------------------------------------------------------------- GraphDef building

class Dims(tuple):
    """A shape attr value (None = unknown dim); Dims(None) is an unknown rank."""

    def __new__(cls, dims=()):
        obj = super().__new__(cls, () if dims is None else dims)
        obj.unknown_rank = dims is None
        return obj


def _attr(value) -> AttrValue:
    attr = AttrValue()
    if isinstance(value, dtypes.DType):
        attr.type = value.as_datatype_enum
    elif isinstance(value, Dims):
        attr.shape.CopyFrom(shape_to_proto(None if value.unknown_rank else list(value)))
    elif isinstance(value, bool):
        attr.b = value
    elif isinstance(value, int):
        attr.i = value
    elif isinstance(value, float):
        attr.f = value
    elif isinstance(value, (str, bytes)):
        attr.s = value.encode() if isinstance(value, str) else value
    elif isinstance(value, np.ndarray):
        attr.tensor.CopyFrom(make_tensor_proto(value))
    elif isinstance(value, list):
        if value and isinstance(value[0], dtypes.DType):
            attr.list.type.extend(v.as_datatype_enum for v in value)
        else:
            attr.list.i.extend(int(v) for v in value)
    else:
        raise TypeError(f"no attr encoding for {value!r}")
    return attr


def op(name: str, op_type: str, inputs=(), **attrs) -> NodeDef:
    node = NodeDef(name=name, op=op_type, input=list(inputs))
    for key, value in attrs.items():
        node.attr[key].CopyFrom(_attr(value))
    return node


def placeholder(name: str, dtype, shape) -> NodeDef:
    return op(name, "Placeholder", dtype=dtype, shape=Dims(shape))


def const(name: str, value) -> NodeDef:
    value = np.asarray(value)
    return op(name, "Const", dtype=dtypes.as_dtype(value.dtype), value=value)


def with_shape(name: str, source: str, shape) -> list:
    """`source` reshaped to a constant `shape`, for outputs whose op has no static shape
    function in the graph registry: an ONNX graph output must declare a rank."""
    return [const(f"{name}/shape", np.array(shape, np.int32)),
            op(name, "Reshape", [source, f"{name}/shape"], T=F32, Tshape=I32)]


@dataclasses.dataclass
class Case:
    """One small graph: its nodes, feeds, fetched tensors and the numpy reference."""

    nodes: list
    feeds: dict
    outputs: list
    expected: Callable | None = None      # feeds -> list of arrays
    check: Callable | None = None         # (results, feeds) -> None, for random ops
    min_opset: int = 13
    atol: float = 1e-4

    def graph_def(self) -> GraphDef:
        graph = GraphDef()
        graph.node.extend(self.nodes)
        return graph


CASES: dict[str, Callable[[], Case]] = {}


def case(fn):
    CASES[fn.__name__] = fn
    return fn


F32, I32, I64 = dtypes.float32, dtypes.int32, dtypes.int64


def _x(shape, low=-1.0, high=1.0):
    return RNG.uniform(low, high, size=shape).astype(np.float32)


# --------------------------------------------------------------------------- math

_UNARY_REFS = {
    "Acos": np.arccos, "Asin": np.arcsin, "Atan": np.arctan, "Tan": np.tan, "Sinh": np.sinh,
    "Cosh": np.cosh, "Asinh": np.arcsinh, "Atanh": np.arctanh, "Expm1": np.expm1,
    "Inv": np.reciprocal,
}


@case
def unary_math():
    x = _x((2, 3), 0.1, 0.9)
    nodes = [placeholder("x", F32, [None, 3])]
    nodes += [op(f"{o}", o, ["x"], T=F32) for o in _UNARY_REFS]
    nodes += [const("one", np.float32(1.5)), op("shifted", "AddV2", ["x", "one"], T=F32),
              op("Acosh", "Acosh", ["shifted"], T=F32),
              const("ten", np.float32(10)), op("scaled", "Mul", ["x", "ten"], T=F32),
              op("Rint", "Rint", ["scaled"], T=F32)]
    outputs = [f"{o}:0" for o in _UNARY_REFS] + ["Acosh:0", "Rint:0"]

    def expected(f):
        v = f["x:0"]
        return [fn(v) for fn in _UNARY_REFS.values()] + [np.arccosh(v + 1.5), np.rint(v * 10)]
    return Case(nodes, {"x:0": x}, outputs, expected)


@case
def float64_and_integer_rounding():
    # onnxruntime has float32-only kernels for the trig family and Erf: float64 goes through float32.
    x = RNG.uniform(0.1, 0.9, size=(2, 3))
    i = np.array([[-3, 0, 7]], np.int32)
    f64 = dtypes.float64
    nodes = [placeholder("x", f64, [None, 3]), placeholder("i", I32, [None, 3]),
             op("tan", "Tan", ["x"], T=f64), op("asin", "Asin", ["x"], T=f64), op("erfc", "Erfc", ["x"], T=f64),
             op("round_int", "Round", ["i"], T=I32)]
    erfc = np.vectorize(math.erfc)
    return Case(nodes, {"x:0": x, "i:0": i}, ["tan:0", "asin:0", "erfc:0", "round_int:0"],
                lambda f: [np.tan(f["x:0"]), np.arcsin(f["x:0"]), erfc(f["x:0"]), f["i:0"]])


@case
def kernel_gaps_by_dtype():
    # Types onnxruntime lacks kernels for, lowered through other types: float16 CumSum before
    # opset 14, float16 segment sums (ScatterND add), bool Where, float64 NonZero, uint8 ReduceSum.
    f16, u8, b = dtypes.float16, dtypes.uint8, dtypes.bool
    h = RNG.uniform(-1, 1, size=(4, 3)).astype(np.float16)
    u = np.array([[3, 200, 7], [1, 0, 2]], np.uint8)
    d = np.array([[0.0, 1.5], [-2.0, 0.0]])
    flags = np.array([[True, False, True]])
    nodes = [placeholder("h", f16, [4, 3]), placeholder("u", u8, [None, 3]),
             placeholder("d", dtypes.float64, [None, 2]), placeholder("flags", b, [None, 3]),
             const("axis", np.int32(1)),
             op("cum", "Cumsum", ["h", "axis"], T=f16, Tidx=I32, exclusive=False, reverse=False),
             const("ids", np.array([1, 0, 1, 1], np.int32)), const("n", np.int32(2)),
             op("seg", "UnsortedSegmentSum", ["h", "ids", "n"], T=f16, Tindices=I32, Tnumsegments=I32),
             op("sel", "SelectV2", ["flags", "flags", "flags_not"], T=b), op("flags_not", "LogicalNot", ["flags"]),
             op("nz", "Where", ["d"], T=dtypes.float64),
             const("axes", np.array([1], np.int32)),
             op("usum", "Sum", ["u", "axes"], T=u8, Tidx=I32, keep_dims=False)]

    def expected(f):
        hh = f["h:0"].astype(np.float32)
        seg = np.stack([hh[1], np.sum(hh[[0, 2, 3]], axis=0)]).astype(np.float16)
        return [np.cumsum(hh, axis=1).astype(np.float16), seg, np.ones((1, 3), bool),
                np.argwhere(f["d:0"]).astype(np.int64), f["u:0"].astype(np.int64).sum(1).astype(np.uint8)]
    case_obj = Case(nodes, {"h:0": h, "u:0": u, "d:0": d, "flags:0": flags},
                    ["cum:0", "seg:0", "sel:0", "nz:0", "usum:0"], expected)
    case_obj.atol = 2e-3  # float16 sums
    return case_obj


@case
def nan_inf_checks():
    x = np.array([[1.0, np.nan, np.inf], [-np.inf, 0.0, -2.0]], dtype=np.float32)
    nodes = [placeholder("x", F32, [None, 3])] + [op(o, o, ["x"], T=F32) for o in ("IsNan", "IsInf", "IsFinite")]
    return Case(nodes, {"x:0": x}, ["IsNan:0", "IsInf:0", "IsFinite:0"],
                lambda f: [np.isnan(f["x:0"]), np.isinf(f["x:0"]), np.isfinite(f["x:0"])])


def _trunc_div(a, b):
    return (np.sign(a) * np.sign(b) * (np.abs(a) // np.abs(b))).astype(a.dtype)


@case
def integer_division():
    a = np.array([[7, -7, 7, -7, 0, 9]], dtype=np.int32)
    b = np.array([[2, 2, -2, -2, 3, 3]], dtype=np.int32)
    nodes = [placeholder("a", I32, [None, 6]), placeholder("b", I32, [None, 6])]
    for o in ("Div", "TruncateDiv", "TruncateMod", "FloorDiv", "FloorMod"):
        nodes.append(op(o, o, ["a", "b"], T=I32))
    outputs = ["Div:0", "TruncateDiv:0", "TruncateMod:0", "FloorDiv:0", "FloorMod:0"]
    return Case(nodes, {"a:0": a, "b:0": b}, outputs,
                lambda f: [_trunc_div(f["a:0"], f["b:0"]), _trunc_div(f["a:0"], f["b:0"]),
                           np.fmod(f["a:0"], f["b:0"]), f["a:0"] // f["b:0"], np.mod(f["a:0"], f["b:0"])])


@case
def float_division():
    a = np.array([[7.5, -7.5, 7.5, -7.5, 1.0, 0.0]], dtype=np.float32)
    b = np.array([[2.0, 2.0, -2.0, -2.0, 0.0, 0.0]], dtype=np.float32)
    nodes = [placeholder("a", F32, [None, 6]), placeholder("b", F32, [None, 6]),
             op("Mod", "Mod", ["a", "b"], T=F32), op("DivNoNan", "DivNoNan", ["a", "b"], T=F32),
             op("Add", "Add", ["a", "b"], T=F32), op("FloorDiv", "FloorDiv", ["a", "b"], T=F32)]

    def expected(f):
        a, b = f["a:0"], f["b:0"]
        with np.errstate(divide="ignore", invalid="ignore"):
            safe = np.where(b == 0, 0, a / np.where(b == 0, 1, b)).astype(np.float32)
            return [np.fmod(a, b), safe, a + b, np.floor(a / b)]
    return Case(nodes, {"a:0": a, "b:0": b}, ["Mod:0", "DivNoNan:0", "Add:0", "FloorDiv:0"], expected)


@case
def clip_and_l2_loss():
    x = _x((3, 4), -3, 3)
    lo = np.full((3, 4), -1.0, np.float32)
    hi = np.float32(0.5)
    nodes = [placeholder("x", F32, [None, 4]), placeholder("lo", F32, [None, 4]), const("hi", hi),
             op("clip", "ClipByValue", ["x", "lo", "hi"], T=F32), op("l2", "L2Loss", ["x"], T=F32)]
    return Case(nodes, {"x:0": x, "lo:0": lo}, ["clip:0", "l2:0"],
                lambda f: [np.clip(f["x:0"], -1.0, 0.5), np.float32((f["x:0"] ** 2).sum() / 2)])


@case
def batch_matmul_v1_v3():
    a, b, c = _x((2, 3, 4)), _x((2, 5, 4)), _x((2, 5, 3))
    nodes = [placeholder("a", F32, [None, 3, 4]), placeholder("b", F32, [None, 5, 4]),
             placeholder("c", F32, [None, 5, 3]),
             op("mm1", "BatchMatMul", ["a", "b"], T=F32, adj_x=False, adj_y=True),
             op("mm3", "BatchMatMulV3", ["b", "c"], Ta=F32, Tb=F32, Tout=F32, adj_x=True, adj_y=False)]
    nodes += with_shape("mm3_out", "mm3", [-1, 4, 3])
    return Case(nodes, {"a:0": a, "b:0": b, "c:0": c}, ["mm1:0", "mm3_out:0"],
                lambda f: [f["a:0"] @ f["b:0"].transpose(0, 2, 1), f["b:0"].transpose(0, 2, 1) @ f["c:0"]])


@case
def select_v1_vector_condition():
    x, y = _x((4, 2, 3)), _x((4, 2, 3))
    c = np.array([True, False, False, True])
    nodes = [placeholder("c", dtypes.bool, [None]), placeholder("x", F32, [None, 2, 3]),
             placeholder("y", F32, [None, 2, 3]), op("sel", "Select", ["c", "x", "y"], T=F32)]
    return Case(nodes, {"c:0": c, "x:0": x, "y:0": y}, ["sel:0"],
                lambda f: [np.where(f["c:0"][:, None, None], f["x:0"], f["y:0"])])


@case
def matrix_band_part_dynamic():
    x = _x((2, 4, 5))
    nodes = [placeholder("x", F32, [None, None, None]), placeholder("lower", I64, []),
             placeholder("upper", I64, []), op("band", "MatrixBandPart", ["x", "lower", "upper"], T=F32, Tindex=I64)]
    feeds = {"x:0": x, "lower:0": np.array(1, np.int64), "upper:0": np.array(-1, np.int64)}
    i, j = np.arange(4)[:, None], np.arange(5)[None, :]
    return Case(nodes, feeds, ["band:0"], lambda f: [np.where((i - j) <= 1, f["x:0"], 0)])


# --------------------------------------------------------------------------- array and slicing

@case
def array_misc():
    x = _x((2, 3))
    # `reshaped` has no static rank (its shape vector is fed), so Rank cannot be folded away.
    nodes = [placeholder("x", F32, [None, 3]), placeholder("target", I32, [None]),
             op("reshaped", "Reshape", ["x", "target"], T=F32, Tshape=I32),
             const("axis", np.int32(0)), op("concat", "Concat", ["axis", "x", "x"], T=F32, N=2),
             op("shapes", "ShapeN", ["x", "concat"], T=F32, N=2, out_type=I32),
             op("rank", "Rank", ["reshaped"], T=F32),
             placeholder("perm", I32, [3]), op("inverse", "InvertPermutation", ["perm"], T=I32),
             placeholder("s0", I32, [3]), placeholder("s1", I32, [2]),
             op("bcast", "BroadcastArgs", ["s0", "s1"], T=I32),
             op("stop", "StopGradient", ["x"], T=F32), op("pair", "IdentityN", ["x", "concat"], T=[F32, F32]),
             op("ensure", "EnsureShape", ["x"], T=F32, shape=Dims([None, 3])),
             op("snap", "Snapshot", ["x"], T=F32), op("prevent", "PreventGradient", ["x"], T=F32, message=""),
             op("checked", "CheckNumerics", ["x"], T=F32, message="bad")]
    outputs = ["concat:0", "shapes:0", "shapes:1", "rank:0", "inverse:0", "bcast:0", "ensure:0", "snap:0",
               "prevent:0", "checked:0", "stop:0", "pair:1"]

    def expected(f):
        v = f["x:0"]
        return [np.concatenate([v, v]), np.array(v.shape, np.int32), np.array([4, 3], np.int32),
                np.int32(3), np.array([1, 2, 0], np.int32), np.array([2, 4, 3], np.int32), v, v, v, v, v,
                np.concatenate([v, v])]
    feeds = {"x:0": x, "target:0": np.array([1, 2, 3], np.int32), "perm:0": np.array([2, 0, 1], np.int32),
             "s0:0": np.array([2, 1, 3], np.int32), "s1:0": np.array([4, 1], np.int32)}
    return Case(nodes, feeds, outputs, expected)


@case
def gather_v1_and_topk_v1():
    x = _x((4, 6))
    nodes = [placeholder("x", F32, [None, 6]), const("idx", np.array([3, 0, 3], np.int32)),
             op("g", "Gather", ["x", "idx"], Tparams=F32, Tindices=I32, validate_indices=True),
             op("top", "TopK", ["x"], T=F32, k=2, sorted=True)]

    def expected(f):
        v = f["x:0"]
        order = np.argsort(-v, axis=1, kind="stable")[:, :2]
        return [v[[3, 0, 3]], np.take_along_axis(v, order, 1), order.astype(np.int32)]
    return Case(nodes, {"x:0": x}, ["g:0", "top:0", "top:1"], expected)


def _strided(name, begin, end, strides, **masks):
    nodes = [const(f"{name}/b", np.array(begin, np.int32)), const(f"{name}/e", np.array(end, np.int32)),
             const(f"{name}/s", np.array(strides, np.int32)),
             op(name, "StridedSlice", ["x", f"{name}/b", f"{name}/e", f"{name}/s"], T=F32, Index=I32,
                **{k: masks.get(k, 0) for k in ("begin_mask", "end_mask", "ellipsis_mask", "new_axis_mask",
                                                "shrink_axis_mask")})]
    return nodes


@case
def strided_slice_variants():
    # numpy's basic indexing is the reference for each mask combination.
    x = _x((3, 4, 5, 6))
    specs = {
        "reverse": (([0, -1], [0, 0], [1, -1]), {"begin_mask": 1, "end_mask": 3}, lambda v: v[:, ::-1]),
        "ellipsis_new": (([0, 1], [0, 4], [1, 2]), {"ellipsis_mask": 1},
                         lambda v: v[..., 1:4:2]),
        "new_in_middle": (([1, 0, 2], [3, 0, 5], [1, 1, 1]), {"new_axis_mask": 2}, lambda v: v[1:3, None, 2:5]),
        "shrink_last": (([0, -1], [0, 0], [1, 1]), {"ellipsis_mask": 1, "shrink_axis_mask": 2},
                        lambda v: v[..., -1]),
        "neg_step_masked": (([-1, 2], [0, 0], [-2, 1]), {"end_mask": 1, "shrink_axis_mask": 2},
                            lambda v: v[::-2, 2]),
        "out_of_range": (([-10, 1], [10, 100], [1, 3]), {}, lambda v: v[-10:10, 1:100:3]),
    }
    nodes = [placeholder("x", F32, [None, 4, 5, 6])]
    for name, (args, masks, _) in specs.items():
        nodes += _strided(name, *args, **masks)
    return Case(nodes, {"x:0": x}, [f"{n}:0" for n in specs],
                lambda f: [fn(f["x:0"]) for _, _, fn in specs.values()])


@case
def strided_slice_dynamic_bounds():
    x = _x((4, 6))
    nodes = [placeholder("x", F32, [None, 6]), placeholder("begin", I32, [2]), placeholder("end", I32, [2]),
             const("strides", np.array([1, 2], np.int32)),
             op("ss", "StridedSlice", ["x", "begin", "end", "strides"], T=F32, Index=I32, begin_mask=0,
                end_mask=2, ellipsis_mask=0, new_axis_mask=0, shrink_axis_mask=1)]
    feeds = {"x:0": x, "begin:0": np.array([-1, 1], np.int32), "end:0": np.array([0, 0], np.int32)}
    return Case(nodes, feeds, ["ss:0"], lambda f: [f["x:0"][-1, 1::2]])


@case
def slice_dynamic_and_split_dynamic():
    x = _x((3, 8))
    nodes = [placeholder("x", F32, [None, None]), placeholder("begin", I32, [2]), placeholder("size", I32, [2]),
             op("sl", "Slice", ["x", "begin", "size"], T=F32, Index=I32),
             const("dim", np.int32(1)), op("sp", "Split", ["dim", "x"], T=F32, num_split=2),
             const("sizes", np.array([3, -1], np.int32)),
             op("spv", "SplitV", ["x", "sizes", "dim"], T=F32, Tlen=I32, num_split=2)]
    feeds = {"x:0": x, "begin:0": np.array([1, 2], np.int32), "size:0": np.array([-1, 3], np.int32)}
    return Case(nodes, feeds, ["sl:0", "sp:0", "sp:1", "spv:0", "spv:1"],
                lambda f: [f["x:0"][1:, 2:5], f["x:0"][:, :4], f["x:0"][:, 4:], f["x:0"][:, :3], f["x:0"][:, 3:]])


@case
def gather_batched_axis_after_batch():
    params = _x((2, 3, 4, 5))
    idx = np.array([[1, 0, 3], [2, 2, 0]], np.int32)
    nodes = [placeholder("p", F32, [None, 3, 4, 5]), const("idx", idx), const("axis", np.int32(2)),
             op("g", "GatherV2", ["p", "idx", "axis"], Tparams=F32, Tindices=I32, Taxis=I32, batch_dims=1)]

    def expected(f):
        p = f["p:0"]
        return [np.stack([p[b][:, idx[b]] for b in range(2)])]
    return Case(nodes, {"p:0": params}, ["g:0"], expected)


@case
def one_hot_axis0_and_negative_index():
    idx = np.array([[0, 2], [-1, 1]], np.int32)
    nodes = [placeholder("i", I32, [None, 2]), const("depth", np.int32(3)), const("on", np.float32(5)),
             const("off", np.float32(-1)),
             op("oh", "OneHot", ["i", "depth", "on", "off"], T=F32, TI=I32, axis=0)]

    def expected(f):
        hot = (f["i:0"][None] == np.arange(3)[:, None, None])
        return [np.where(hot, 5, -1).astype(np.float32)]
    return Case(nodes, {"i:0": idx}, ["oh:0"], expected)


@case
def segment_reductions_unsorted():
    data = _x((5, 3))
    ids = np.array([0, 2, 2, -1, 0], np.int32)
    nodes = [placeholder("d", F32, [None, 3]), const("ids", ids), const("n", np.int32(4))]
    nodes += [op(o, o, ["d", "ids", "n"], T=F32, Tindices=I32, Tnumsegments=I32)
              for o in ("UnsortedSegmentMax", "UnsortedSegmentMin", "UnsortedSegmentProd", "UnsortedSegmentSum")]
    nodes += [const("axes", np.array([1], np.int32)), op("norm", "EuclideanNorm", ["d", "axes"], T=F32, Tidx=I32,
                                                         keep_dims=False)]

    def expected(f):
        d = f["d:0"]
        lowest, highest = np.finfo(np.float32).min, np.finfo(np.float32).max
        outs = {k: np.full((4, 3), v, np.float32) for k, v in (("max", lowest), ("min", highest),
                                                               ("prod", 1.0), ("sum", 0.0))}
        for row, s in enumerate(ids):
            if s < 0:
                continue
            outs["max"][s] = np.maximum(outs["max"][s], d[row])
            outs["min"][s] = np.minimum(outs["min"][s], d[row])
            outs["prod"][s] *= d[row]
            outs["sum"][s] += d[row]
        return [outs["max"], outs["min"], outs["prod"], outs["sum"], np.sqrt((d ** 2).sum(1))]
    return Case(nodes, {"d:0": data}, ["UnsortedSegmentMax:0", "UnsortedSegmentMin:0", "UnsortedSegmentProd:0",
                                       "UnsortedSegmentSum:0", "norm:0"], expected)


@case
def partition_and_stitch():
    # The embedding_lookup pattern of a partitioned variable: route ids to partitions, gather
    # (a frozen ResourceGather is a two-input GatherV2), stitch back in the original order.
    data = _x((5, 2, 3))
    table = _x((4, 3))
    parts = np.array([[1, 0], [2, 1], [0, 0], [1, 2], [2, 2]], np.int32)
    nodes = [placeholder("d", F32, [None, 2, 3]), placeholder("p", I32, [None, 2]),
             op("part", "DynamicPartition", ["d", "p"], T=F32, num_partitions=3),
             op("pos", "Range", ["zero", "n", "one"], Tidx=I32), const("zero", np.int32(0)), const("one", np.int32(1)),
             op("n", "Size", ["p"], T=I32, out_type=I32),
             op("pos_parts", "DynamicPartition", ["pos", "p_flat"], T=I32, num_partitions=3),
             const("flat", np.array([-1], np.int32)), op("p_flat", "Reshape", ["p", "flat"], T=I32, Tshape=I32),
             const("table", table), const("ids", np.array([3, 0, 3], np.int32)),
             op("looked_up", "GatherV2", ["table", "ids"], Tparams=F32, Tindices=I32, Taxis=I32, batch_dims=0),
             op("d_flat", "Reshape", ["d", "rows"], T=F32, Tshape=I32), const("rows", np.array([-1, 3], np.int32)),
             op("d_parts", "DynamicPartition", ["d_flat", "p_flat"], T=F32, num_partitions=3),
             op("stitched", "ParallelDynamicStitch", ["pos_parts", "pos_parts:1", "pos_parts:2",
                                                      "d_parts", "d_parts:1", "d_parts:2"], T=F32, N=3),
             op("stitched1", "DynamicStitch", ["pos_parts:2", "pos_parts:1", "pos_parts", "d_parts:2",
                                               "d_parts:1", "d_parts"], T=F32, N=3)]

    def expected(f):
        d, p = f["d:0"], f["p:0"]
        flat = d.reshape(-1, 3)
        return [d[p == 0], d[p == 1], d[p == 2], table[[3, 0, 3]], flat, flat]
    return Case(nodes, {"d:0": data, "p:0": parts}, ["part:0", "part:1", "part:2", "looked_up:0", "stitched:0",
                                                    "stitched1:0"], expected)


def _space_to_batch_ref(x, block, pads):
    # TF's definition, element by element: out[(i1 * b2 + i2) * B + n, h, w] = padded[n, h*b1 + i1, w*b2 + i2]
    padded = np.pad(x, [(0, 0), tuple(pads[0]), tuple(pads[1]), (0, 0)])
    n, hp, wp, c = padded.shape
    b1, b2 = block
    out = np.zeros((n * b1 * b2, hp // b1, wp // b2, c), x.dtype)
    for i1 in range(b1):
        for i2 in range(b2):
            out[(i1 * b2 + i2) * n:(i1 * b2 + i2 + 1) * n] = padded[:, i1::b1, i2::b2]
    return out


@case
def space_batch_and_sequences():
    x = _x((2, 5, 4, 3))
    block, pads, crops = [2, 2], [[1, 0], [0, 2]], [[1, 0], [0, 2]]
    seq = _x((4, 2, 3))
    lengths = np.array([3, 1], np.int64)
    nodes = [placeholder("x", F32, [None, 5, 4, 3]), const("block", np.array(block, np.int32)),
             const("pads", np.array(pads, np.int32)), const("crops", np.array(crops, np.int32)),
             op("s2b", "SpaceToBatchND", ["x", "block", "pads"], T=F32, Tblock_shape=I32, Tpaddings=I32),
             op("b2s", "BatchToSpaceND", ["s2b", "block", "crops"], T=F32, Tblock_shape=I32, Tcrops=I32),
             placeholder("seq", F32, [4, None, 3]), placeholder("lengths", I64, [None]),
             op("rev", "ReverseSequence", ["seq", "lengths"], T=F32, Tlen=I64, seq_dim=0, batch_dim=1),
             const("where", np.array([[1], [3], [1]], np.int32)), const("shape", np.array([5, 2], np.int32)),
             const("updates", np.array([[1, 2], [3, 4], [5, 6]], np.float32)),
             op("scattered", "ScatterNd", ["where", "updates", "shape"], T=F32, Tindices=I32),
             op("updated", "TensorScatterUpdate", ["x2", "where2", "updates2"], T=F32, Tindices=I32),
             placeholder("x2", F32, [None, 2]), const("where2", np.array([[0], [1]], np.int32)),
             const("updates2", np.array([[9, 9], [8, 8]], np.float32))]

    def expected(f):
        v, sq = f["x:0"], f["seq:0"]
        rev = sq.copy()
        for b, n in enumerate(lengths):
            rev[:n, b] = sq[:n, b][::-1]
        scattered = np.zeros((5, 2), np.float32)
        scattered[1] += [1, 2]
        scattered[3] += [3, 4]
        scattered[1] += [5, 6]
        updated = f["x2:0"].copy()
        updated[[0, 1]] = [[9, 9], [8, 8]]
        return [_space_to_batch_ref(v, block, pads), v, rev, scattered, updated]
    feeds = {"x:0": x, "seq:0": seq, "lengths:0": lengths, "x2:0": _x((2, 2))}
    return Case(nodes, feeds, ["s2b:0", "b2s:0", "rev:0", "scattered:0", "updated:0"], expected)


# --------------------------------------------------------------------------- complex and FFT

@case
def complex_fft():
    re, im = _x((2, 8)), _x((2, 8))
    c64 = dtypes.complex64
    nodes = [placeholder("re", F32, [None, 8]), placeholder("im", F32, [None, 8]),
             op("z", "Complex", ["re", "im"], T=F32, Tout=c64),
             op("f", "FFT", ["z"], Tcomplex=c64), op("back", "IFFT", ["f"], Tcomplex=c64),
             op("f_re", "Real", ["f"], T=c64, Tout=F32), op("back_im", "Imag", ["back"], T=c64, Tout=F32),
             const("n", np.array([8], np.int32)), op("r", "RFFT", ["re", "n"], Treal=F32, Tcomplex=c64),
             op("r_abs", "ComplexAbs", ["r"], T=c64, Tout=F32),
             op("r_real", "Cast", ["r"], SrcT=c64, DstT=F32, Truncate=False)]

    def expected(f):
        z = f["re:0"] + 1j * f["im:0"]
        spectrum = np.fft.fft(z)
        half = np.fft.rfft(f["re:0"])
        return [spectrum.real, np.fft.ifft(spectrum).imag, np.abs(half), half.real]
    return Case(nodes, {"re:0": re, "im:0": im}, ["f_re:0", "back_im:0", "r_abs:0", "r_real:0"], expected)


# --------------------------------------------------------------------------- TensorArray / TensorList

@case
def tensor_list_ops():
    x = _x((3, 2))
    shape_i32 = np.array([2], np.int32)
    nodes = [placeholder("x", F32, [3, 2]), const("eshape", shape_i32), const("i0", np.int32(0)),
             const("i1", np.int32(1)), const("n", np.int32(2)),
             op("from", "TensorListFromTensor", ["x", "eshape"], element_dtype=F32, shape_type=I32),
             op("item", "TensorListGetItem", ["from", "i1", "eshape"], element_dtype=F32),
             op("length", "TensorListLength", ["from"]),
             op("eshape_of", "TensorListElementShape", ["from"], shape_type=I32),
             const("which", np.array([2, 0], np.int32)),
             op("gathered", "TensorListGather", ["from", "which", "eshape"], element_dtype=F32),
             op("reserved", "TensorListReserve", ["eshape", "n"], element_dtype=F32, shape_type=I32),
             op("row0", "TensorListGetItem", ["from", "i0", "eshape"], element_dtype=F32),
             op("set0", "TensorListSetItem", ["reserved", "i0", "item"], element_dtype=F32),
             op("set1", "TensorListSetItem", ["set0", "i1", "row0"], element_dtype=F32),
             op("stacked", "TensorListStack", ["set1", "eshape"], element_dtype=F32, num_elements=-1),
             op("empty", "EmptyTensorList", ["eshape", "n"], element_dtype=F32, shape_type=I32),
             op("pushed", "TensorListPushBack", ["empty", "row0"], element_dtype=F32),
             op("pushed_stack", "TensorListStack", ["pushed", "eshape"], element_dtype=F32, num_elements=-1)]
    for name, shape in (("item", [2]), ("gathered", [2, 2]), ("stacked", [2, 2]), ("pushed_stack", [1, 2])):
        nodes += with_shape(f"{name}_out", name, shape)
    nodes += [const("eshape_len", np.array([1], np.int32)),
              op("eshape_out", "Reshape", ["eshape_of", "eshape_len"], T=I32, Tshape=I32)]

    def expected(f):
        v = f["x:0"]
        return [v[1], np.int32(3), shape_i32, v[[2, 0]], np.stack([v[1], v[0]]), v[:1]]
    return Case(nodes, {"x:0": x}, ["item_out:0", "length:0", "eshape_out:0", "gathered_out:0", "stacked_out:0",
                                    "pushed_stack_out:0"], expected)


@case
def tensor_array_v3_straight():
    x = _x((4, 3))
    nodes = [placeholder("x", F32, [None, 3]), const("size", np.int32(4)),
             op("ta", "TensorArrayV3", ["size"], dtype=F32, element_shape=Dims(None), dynamic_size=False,
                clear_after_read=True, identical_element_shapes=True, tensor_array_name=""),
             op("shape", "Shape", ["x"], T=F32, out_type=I32), const("zero", np.int32(0)),
             const("one", np.int32(1)), const("sl_b", np.array([0], np.int32)),
             const("sl_e", np.array([1], np.int32)),
             op("rows", "StridedSlice", ["shape", "sl_b", "sl_e", "sl_e"], T=I32, Index=I32, shrink_axis_mask=1,
                begin_mask=0, end_mask=0, ellipsis_mask=0, new_axis_mask=0),
             op("range", "Range", ["zero", "rows", "one"], Tidx=I32),
             op("scatter", "TensorArrayScatterV3", ["ta", "range", "x", "ta:1"], T=F32),
             op("size_of", "TensorArraySizeV3", ["ta", "scatter"]),
             op("read", "TensorArrayReadV3", ["ta", "one", "scatter"], dtype=F32),
             const("which", np.array([3, 1], np.int32)),
             op("gather", "TensorArrayGatherV3", ["ta", "which", "scatter"], dtype=F32, element_shape=Dims(None))]
    return Case(nodes, {"x:0": x}, ["size_of:0", "read:0", "gather:0"],
                lambda f: [np.int32(4), f["x:0"][1], f["x:0"][[3, 1]]])


@case
def tensor_array_v3_any_order():
    # Writes out of index order (append, a gap, filling it), split/concat with lengths, and
    # Print passing its input through.
    x = _x((2, 3))
    nodes = [placeholder("x", F32, [2, 3]), const("size", np.int32(4)),
             op("ta", "TensorArrayV3", ["size"], dtype=F32, element_shape=Dims(None), dynamic_size=False,
                clear_after_read=True, identical_element_shapes=True, tensor_array_name="")]
    flow = "ta:1"
    for k, index in enumerate((2, 0, 3, 1)):
        nodes += [const(f"i{k}", np.int32(index)), const(f"s{k}", np.float32(index + 1)),
                  op(f"v{k}", "Mul", ["x", f"s{k}"], T=F32),
                  op(f"w{k}", "TensorArrayWriteV3", ["ta", f"i{k}", f"v{k}", flow], T=F32)]
        flow = f"w{k}"
    nodes += [const("all", np.arange(4, dtype=np.int32)),
              op("stacked", "TensorArrayGatherV3", ["ta", "all", flow], dtype=F32, element_shape=Dims(None)),
              const("size2", np.int32(2)),
              op("ta2", "TensorArrayV3", ["size2"], dtype=F32, element_shape=Dims(None), dynamic_size=False,
                 clear_after_read=True, identical_element_shapes=True, tensor_array_name=""),
              const("lengths", np.array([1, 1], np.int64)),
              op("split", "TensorArraySplitV3", ["ta2", "x", "lengths", "ta2:1"], T=F32),
              op("concat", "TensorArrayConcatV3", ["ta2", "split"], dtype=F32, element_shape_except0=Dims([3])),
              op("printed", "Print", ["x", "x"], T=F32, U=[F32], message="x", first_n=-1, summarize=3)]
    nodes += with_shape("stacked_out", "stacked", [4, 2, 3]) + with_shape("concat_out", "concat", [2, 3])
    nodes += [const("len_shape", np.array([2], np.int32)),
              op("lengths_out", "Reshape", ["concat:1", "len_shape"], T=I64, Tshape=I32)]

    def expected(f):
        v = f["x:0"]
        return [np.stack([v * k for k in (1, 2, 3, 4)]), v, np.array([1, 1], np.int64), v]
    return Case(nodes, {"x:0": x}, ["stacked_out:0", "concat_out:0", "lengths_out:0", "printed:0"], expected)


# --------------------------------------------------------------------------- nn odds and ends

@case
def nn_variants():
    x = _x((2, 4, 4, 4, 2))
    img = _x((2, 4, 4, 3))
    scale, offset = _x((3,), 0.5, 1.5), _x((3,))
    mean, var = _x((3,)), _x((3,), 0.5, 2.0)
    bias = _x((3,))
    nodes = [placeholder("x", F32, [None, 4, 4, 4, 2]), placeholder("img", F32, [None, 4, 4, 3]),
             op("avg3d", "AvgPool3D", ["x"], T=F32, ksize=[1, 2, 2, 2, 1], strides=[1, 2, 2, 2, 1],
                padding="VALID", data_format="NDHWC"),
             const("ksize", np.array([1, 2, 2, 1], np.int32)), const("kstrides", np.array([1, 2, 2, 1], np.int32)),
             op("maxv2", "MaxPoolV2", ["img", "ksize", "kstrides"], T=F32, padding="VALID", data_format="NHWC"),
             const("bias", bias), op("bias1", "BiasAddV1", ["img", "bias"], T=F32),
             const("scale", scale), const("offset", offset), const("mean", mean), const("var", var),
             op("bn", "FusedBatchNormV2", ["img", "scale", "offset", "fed_mean", "var"], T=F32, U=F32, epsilon=0.001,
                data_format="NHWC", is_training=False),
             # A fed mean keeps the TF-side batch-norm folding away, so the handlers run.
             placeholder("fed_mean", F32, [3]),
             op("bn1", "FusedBatchNorm", ["img", "scale", "offset", "fed_mean", "var"], T=F32, epsilon=0.001,
                data_format="NHWC", is_training=False),
             op("bn3", "FusedBatchNormV3", ["img", "scale", "offset", "fed_mean", "var"], T=F32, U=F32,
                epsilon=0.001, data_format="NHWC", is_training=False)]

    def expected(f):
        v, im = f["x:0"], f["img:0"]
        avg = v.reshape(2, 2, 2, 2, 2, 2, 2, 2).mean(axis=(2, 4, 6))
        mx = im.reshape(2, 2, 2, 2, 2, 3).max(axis=(2, 4))
        bn = (im - mean) / np.sqrt(var + 0.001) * scale + offset
        return [avg, mx, im + bias, bn, bn, bn]
    return Case(nodes, {"x:0": x, "img:0": img, "fed_mean:0": mean}, ["avg3d:0", "maxv2:0", "bias1:0", "bn:0",
                                                                     "bn1:0", "bn3:0"], expected)


def _bicubic_reference(img: np.ndarray, out_h: int, out_w: int) -> np.ndarray:
    # TF's ResizeBicubic with half_pixel_centers: Keys kernel (a = -0.5); taps outside the
    # image get no weight and the remaining weights are renormalized to sum to 1.
    def weights(in_size, out_size):
        scale = in_size / out_size
        mat = np.zeros((out_size, in_size))
        for o in range(out_size):
            src = (o + 0.5) * scale - 0.5
            base = int(np.floor(src))
            t = np.rint((src - base) * 1024) / 1024  # TF reads the weights from a 1024-step table
            row = np.zeros(in_size)
            for k, tap in enumerate(range(base - 1, base + 3)):
                d = abs(t - (k - 1))
                a = -0.5
                w = ((a + 2) * d ** 3 - (a + 3) * d ** 2 + 1) if d <= 1 else (a * d ** 3 - 5 * a * d ** 2
                                                                             + 8 * a * d - 4 * a)
                if 0 <= tap < in_size:
                    row[tap] += w
            mat[o] = row / row.sum()
        return mat
    wh, ww = weights(img.shape[1], out_h), weights(img.shape[2], out_w)
    return np.einsum("oh,bhwc,pw->bopc", wh, img.astype(np.float64), ww).astype(np.float32)


@case
def resize_bicubic():
    img = _x((1, 4, 5, 2))
    # Upsampling only: onnxruntime's cubic Resize rejects a downscaled dim on NHWC data.
    nodes = [placeholder("img", F32, [None, 4, 5, 2]), const("size", np.array([7, 8], np.int32)),
             op("resized", "ResizeBicubic", ["img", "size"], T=F32, align_corners=False, half_pixel_centers=True)]
    # Static sizes: the converter weighs the taps as TF does (its 1024-step kernel table).
    return Case(nodes, {"img:0": img}, ["resized:0"], lambda f: [_bicubic_reference(f["img:0"], 7, 8)])


@case
def resize_bicubic_dynamic_size():
    img = _x((1, 4, 5, 2))
    nodes = [placeholder("img", F32, [None, None, None, 2]), const("size", np.array([7, 8], np.int32)),
             op("resized", "ResizeBicubic", ["img", "size"], T=F32, align_corners=False, half_pixel_centers=True)]
    # Run-time spatial sizes take ONNX's cubic Resize, whose exact kernel differs from TF's
    # 1024-step table by up to ~1e-3: this case allows 2e-3.
    return Case(nodes, {"img:0": img}, ["resized:0"], lambda f: [_bicubic_reference(f["img:0"], 7, 8)],
                atol=2e-3)


def _conv_transpose_reference(x, w, out_spatial, strides, padding):
    """TF's conv backprop-input in numpy: x [N, *in, I], w [*k, O, I] -> [N, *out_spatial, O].

    Every input position scatters its kernel-weighted values to position * stride + offset of
    an unpadded output; TF then drops `pad_before` leading positions per dim (SAME: the
    forward conv's padding from the output to the input size, extra at the end).
    """
    kernel = w.shape[:-2]
    full = [(n - 1) * s + k for n, s, k in zip(x.shape[1:-1], strides, kernel)]
    acc = np.zeros((x.shape[0], *full, w.shape[-2]), np.float64)
    for pos in np.ndindex(*x.shape[1:-1]):
        for off in np.ndindex(*kernel):
            at = tuple(p * s + o for p, s, o in zip(pos, strides, off))
            acc[(slice(None),) + at] += x[(slice(None),) + pos] @ w[off].T
    begins = [max((n - 1) * s + k - o, 0) // 2 if padding == "SAME" else 0
              for n, s, k, o in zip(x.shape[1:-1], strides, kernel, out_spatial)]
    out = np.zeros((x.shape[0], *out_spatial, w.shape[-2]))
    region = tuple(slice(b, min(b + o, f)) for b, o, f in zip(begins, out_spatial, full))
    kept = acc[(slice(None),) + region]
    out[(slice(None),) + tuple(slice(0, k) for k in kept.shape[1:-1])] = kept
    return out.astype(np.float32)


@case
def conv_transpose_dynamic_sizes():
    # Keras' Conv2DTranspose/Conv3DTranspose pass input_sizes = stack([batch, h, w, c]) built
    # at run time: the spatial dims come from the Pack's constant entries.
    x2, w2 = _x((2, 3, 4, 2)), _x((3, 3, 5, 2))
    x3, w3 = _x((1, 2, 3, 2, 2)), _x((2, 2, 2, 3, 2))
    nodes = [placeholder("x2", F32, [None, 3, 4, 2]), placeholder("x3", F32, [None, 2, 3, 2, 2]),
             const("w2", w2), const("w3", w3),
             op("shape2", "Shape", ["x2"], T=F32, out_type=I32),
             const("b0", np.array([0], np.int32)), const("b1", np.array([1], np.int32)),
             op("batch", "StridedSlice", ["shape2", "b0", "b1", "b1"], T=I32, Index=I32, shrink_axis_mask=1),
             const("h", np.int32(6)), const("w", np.int32(8)), const("c", np.int32(5)),
             op("sizes2", "Pack", ["batch", "h", "w", "c"], T=I32, N=4, axis=0),
             op("deconv2", "Conv2DBackpropInput", ["sizes2", "w2", "x2"], T=F32, strides=[1, 2, 2, 1],
                padding="SAME"),
             const("sizes3", np.array([1, 4, 7, 4, 3], np.int32)),
             op("deconv3", "Conv3DBackpropInputV2", ["sizes3", "w3", "x3"], T=F32, Tshape=I32,
                strides=[1, 2, 2, 2, 1], padding="VALID")]
    return Case(nodes, {"x2:0": x2, "x3:0": x3}, ["deconv2:0", "deconv3:0"],
                lambda f: [_conv_transpose_reference(f["x2:0"], w2, (6, 8), (2, 2), "SAME"),
                           _conv_transpose_reference(f["x3:0"], w3, (4, 7, 4), (2, 2, 2), "VALID")])


@case
def bucketize():
    # Keras' Discretization layer; a value equal to a boundary goes to the bucket above it
    x = np.array([[-1.0, -0.5, 0.0, 0.2], [0.5, 0.7, -0.6, 3.0]], np.float32)
    i = np.array([[-7, 0, 3, 10, 11]], np.int64)
    nodes = [placeholder("x", F32, [None, 4]), placeholder("i", I64, [None, 5]),
             op("bx", "Bucketize", ["x"], T=F32), op("bi", "Bucketize", ["i"], T=I64),
             op("none", "Bucketize", ["x"], T=F32)]
    for node, bounds in zip(nodes[2:], ([-0.5, 0.0, 0.5], [0.0, 10.0], [])):
        node.attr["boundaries"].list.SetInParent()  # a float list attr (op() writes ints)
        node.attr["boundaries"].list.f.extend(bounds)
    return Case(nodes, {"x:0": x, "i:0": i}, ["bx:0", "bi:0", "none:0"],
                lambda f: [np.searchsorted([-0.5, 0.0, 0.5], f["x:0"], side="right").astype(np.int32),
                           np.searchsorted([0.0, 10.0], f["i:0"], side="right").astype(np.int32),
                           np.zeros((2, 4), np.int32)])


@case
def fake_quant():
    # Quantization-aware-trained TF 1.x graphs keep FakeQuant ops after freezing. Expected
    # values were computed by TF 2.21 (fake_quant_with_min_max_args / _vars / _vars_per_channel)
    # on these inputs; -1.0 and 0.29 sit on rounding ties, the zero channel outputs zeros.
    x = np.array([[-1.0, -1.3070866, 0.29, 0.87], [2.75, -0.004, 1.234567, 5.0], [0.5, -7.0, 0.0, 1.4499]],
                 np.float32)
    nodes = [placeholder("x", F32, [None, 4]), placeholder("xc", F32, [None, 3]),
             op("args", "FakeQuantWithMinMaxArgs", ["x"], min=-1.3, max=2.7, num_bits=8, narrow_range=True),
             const("lo", np.float32(0.1)), const("hi", np.float32(3.0)),
             op("vars", "FakeQuantWithMinMaxVars", ["x", "lo", "hi"], num_bits=4, narrow_range=False),
             const("clo", np.array([-1.0, 0.0, -2.5], np.float32)), const("chi", np.array([1.0, 0.0, 0.7], np.float32)),
             op("chan", "FakeQuantWithMinMaxVarsPerChannel", ["xc", "clo", "chi"], num_bits=8, narrow_range=False)]
    args = [[-0.992126, -1.3070866, 0.28346455, 0.86614174], [2.6929133, 0.0, 1.2283465, 2.6929133],
            [0.503937, -1.3070866, 0.0, 1.4488189]]
    var = [[0.0, 0.0, 0.19333334, 0.9666667], [2.7066667, 0.0, 1.1600001, 2.9], [0.58000004, 0.0, 0.0, 1.3533334]]
    chan = [[-0.9960785, 0.0, 0.50196075], [-0.9960785, 0.0, -2.4972548], [0.2901961, 0.0, 0.0],
            [0.8705883, 0.0, 0.7027451]]
    return Case(nodes, {"x:0": x, "xc:0": np.ascontiguousarray(x.T)}, ["args:0", "vars:0", "chan:0"],
                lambda f: [np.array(v, np.float32) for v in (args, var, chan)], atol=1e-6)


# --------------------------------------------------------------------------- random ops

def _check_random(results, feeds):
    normal, uniform, ints, truncated = results
    assert normal.shape == (4000,) and normal.dtype == np.float32
    assert abs(normal.mean()) < 0.1 and abs(normal.std() - 1.0) < 0.1
    assert uniform.shape == (4000,) and uniform.min() >= 0.0 and uniform.max() < 1.0
    assert abs(uniform.mean() - 0.5) < 0.05
    assert ints.dtype == np.int32 and ints.min() >= 3 and ints.max() < 9 and len(np.unique(ints)) == 6
    assert np.abs(truncated).max() <= 2.0 and abs(truncated.std() - 0.88) < 0.1


@case
def random_ops():
    nodes = [const("shape", np.array([4000], np.int32)), const("lo", np.int32(3)), const("hi", np.int32(9)),
             op("normal", "RandomStandardNormal", ["shape"], T=I32, dtype=F32, seed=1, seed2=2),
             op("uniform", "RandomUniform", ["shape"], T=I32, dtype=F32, seed=1, seed2=3),
             op("ints", "RandomUniformInt", ["shape", "lo", "hi"], T=I32, Tout=I32, seed=1, seed2=4),
             op("truncated", "TruncatedNormal", ["shape"], T=I32, dtype=F32, seed=1, seed2=5)]
    return Case(nodes, {}, ["normal:0", "uniform:0", "ints:0", "truncated:0"], check=_check_random)


def _check_shuffle_and_draws(results, feeds):
    shuffled, draws = results
    rows = feeds["x:0"]
    # a permutation of the rows: each row kept whole, every row once
    assert shuffled.shape == rows.shape
    assert sorted(map(tuple, shuffled.tolist())) == sorted(map(tuple, rows.tolist()))
    assert draws.shape == (2, 500) and draws.dtype == np.int64
    # row 0 never draws class 1 (log-probability -inf), row 1 mostly class 2
    assert set(draws[0].tolist()) <= {0, 2} and abs((draws[0] == 0).mean() - 0.25) < 0.08
    assert (draws[1] == 2).mean() > 0.9


@case
def random_shuffle_and_multinomial():
    logits = np.log(np.array([[0.25, 0.0, 0.75], [0.02, 0.02, 0.96]], np.float32))
    nodes = [placeholder("x", F32, [10, 2]), const("logits", logits), const("samples", np.int32(500)),
             op("shuffled", "RandomShuffle", ["x"], T=F32, seed=3, seed2=4),
             op("draws", "Multinomial", ["logits", "samples"], T=F32, output_dtype=I64, seed=5, seed2=6)]
    feeds = {"x:0": np.arange(20, dtype=np.float32).reshape(10, 2)}
    return Case(nodes, feeds, ["shuffled:0", "draws:0"], check=_check_shuffle_and_draws)


# --------------------------------------------------------------------------- the tests

def run(case_obj: Case, opset):
    import onnxruntime as ort

    model = convert(case_obj.graph_def(), inputs=list(case_obj.feeds), outputs=case_obj.outputs, opset=opset)
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(case_obj.outputs, case_obj.feeds)


def _compare(got, want, what, atol=1e-4):
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape, f"{what}: shape {got.shape} != {want.shape}"
    if want.dtype.kind == "f":
        np.testing.assert_allclose(got, want, rtol=atol, atol=atol, err_msg=what)
    else:
        assert got.dtype == want.dtype, f"{what}: dtype {got.dtype} != {want.dtype}"
        np.testing.assert_array_equal(got, want, err_msg=what)


#: (case, opset id) -> why it is known to fail; each must keep failing (strict) until fixed.
KNOWN_GAPS: dict[tuple[str, str], str] = {}


def _params():
    out = []
    for name in sorted(CASES):
        for opset, opset_id in ((None, "default"), (13, "opset13")):
            reason = KNOWN_GAPS.get((name, opset_id))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            out.append(pytest.param(name, opset, marks=marks, id=f"{name}-{opset_id}"))
    return out


@pytest.mark.parametrize(("name", "opset"), _params())
def test_small_case(name, opset):
    case_obj = CASES[name]()
    target = default_opset() if opset is None else opset
    if target < case_obj.min_opset:
        with pytest.raises(Exception, match="opset"):
            run(case_obj, opset)
        return
    results = run(case_obj, opset)
    if case_obj.check is not None:
        case_obj.check(results, case_obj.feeds)
        return
    for name_, got, want in zip(case_obj.outputs, results, case_obj.expected(case_obj.feeds)):
        _compare(got, want, f"{name} {name_}", case_obj.atol)
