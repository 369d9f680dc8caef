"""Each numpy kernel against TensorFlow running the same NodeDef on the same constant inputs."""

from __future__ import annotations

import numpy as np
import pytest
from ortflow.formats.dtypes import as_dtype
from ortflow.graph import ops
from ortflow.proto import GraphDef

RNG = np.random.default_rng(0)
f32 = RNG.standard_normal((2, 3, 4)).astype(np.float32)
pos = (np.abs(f32) + 0.1).astype(np.float32)
unit = np.tanh(f32).astype(np.float32) * 0.9
ints = RNG.integers(-9, 10, (3, 4)).astype(np.int32)
nonzero = np.where(ints == 0, 3, ints).astype(np.int32)
i64 = ints.astype(np.int64)
bools = RNG.random((3, 4)) > 0.5


def c(*v, dtype=np.int32):
    return np.array(v, dtype)


def s(v, dtype=np.int32):
    return np.array(v, dtype)


UNARY_FLOAT = ["Abs", "Neg", "Exp", "Expm1", "Sin", "Cos", "Tanh", "Sigmoid", "Relu", "Relu6", "Elu",
               "Selu", "Softplus", "Softsign", "Floor", "Ceil", "Round", "Rint", "Sign", "Square",
               "Erf", "Erfc", "Atan", "Sinh", "Cosh", "Asinh", "IsNan", "IsFinite", "ZerosLike",
               "OnesLike", "Softmax", "LogSoftmax", "LeakyRelu"]
UNARY_POS = ["Log", "Log1p", "Sqrt", "Rsqrt", "Reciprocal", "Lgamma", "Acosh_"]
UNARY_UNIT = ["Asin", "Acos", "Atanh", "Tan"]
BINARY_FLOAT = ["Add", "AddV2", "Sub", "Mul", "RealDiv", "Div", "FloorDiv", "FloorMod", "Maximum",
                "Minimum", "Pow", "SquaredDifference", "Equal", "NotEqual", "Less", "LessEqual",
                "Greater", "GreaterEqual", "Atan2", "DivNoNan"]
BINARY_INT = ["Add", "Sub", "Mul", "Div", "FloorDiv", "FloorMod", "TruncateDiv", "TruncateMod",
              "Maximum", "Minimum", "SquaredDifference", "BitwiseAnd", "BitwiseOr", "BitwiseXor"]

CASES = (
    [(op, {"T": "float32"}, [f32]) for op in UNARY_FLOAT]
    + [(op, {"T": "float32"}, [pos]) for op in UNARY_POS if not op.endswith("_")]
    + [(op, {"T": "float32"}, [unit]) for op in UNARY_UNIT]
    + [(op, {"T": "float32"}, [pos, f32[0]]) for op in BINARY_FLOAT]
    + [(op, {"T": "int32"}, [ints, nonzero[0]]) for op in BINARY_INT]
    + [(op, {"T": "int64"}, [i64, nonzero[1].astype(np.int64)]) for op in ["FloorDiv", "FloorMod"]]
    + [("Pow", {"T": "int32"}, [ints, np.abs(nonzero[2])])]
    + [(op, {}, [bools, bools[::-1]]) for op in ["LogicalAnd", "LogicalOr"]]
    + [("LogicalNot", {}, [bools])]
    + [(op, {"T": "float32", "keep_dims": keep}, [f32, c(*axes)])
       for op in ["Sum", "Mean", "Max", "Min", "Prod"] for keep in (False, True)
       for axes in [(1,), (0, -1), ()]]
    + [(op, {"T": "int32", "keep_dims": False}, [ints, c(0)]) for op in ["Sum", "Mean", "Prod", "Max"]]
    + [(op, {"keep_dims": True}, [bools, c(1)]) for op in ["All", "Any"]]
    + [("ArgMax", {"T": "float32"}, [f32, s(2)]), ("ArgMin", {"T": "int32", "output_type": "int32"},
                                                   [ints, s(0)])]
    + [("Cast", {"SrcT": "float32", "DstT": dst}, [f32 * 3]) for dst in ["int32", "int64", "bool", "float16"]]
    + [("Cast", {"SrcT": "int32", "DstT": dst}, [ints]) for dst in ["float32", "bool", "uint8"]]
    + [("Shape", {"T": "float32"}, [f32]), ("Shape", {"T": "float32", "out_type": "int64"}, [f32]),
       ("Size", {"T": "float32"}, [f32]), ("Rank", {"T": "float32"}, [f32]),
       ("Reshape", {"T": "float32"}, [f32, c(4, -1)]), ("Squeeze", {"T": "float32"}, [f32[:1]]),
       ("ExpandDims", {"T": "float32"}, [f32, s(-2)]), ("Fill", {"T": "float32"}, [c(2, 3), np.float32(1.5)]),
       ("Tile", {"T": "int32"}, [ints, c(2, 1)]),
       ("Pad", {"T": "float32"}, [f32, c(0, 1, 2, 0, 1, 1).reshape(3, 2)]),
       ("PadV2", {"T": "int32"}, [ints, c(1, 1, 0, 2).reshape(2, 2), np.int32(-5)]),
       ("MirrorPad", {"T": "int32", "mode": "SYMMETRIC"}, [ints, c(1, 2, 2, 1).reshape(2, 2)]),
       ("MirrorPad", {"T": "int32", "mode": "REFLECT"}, [ints, c(1, 2, 2, 1).reshape(2, 2)]),
       ("ConcatV2", {"T": "float32", "N": 2}, [f32, f32, s(1)]),
       ("Pack", {"T": "int32", "N": 2, "axis": -1}, [ints, ints]),
       ("Unpack", {"T": "int32", "num": 4, "axis": 1}, [ints]),
       ("Split", {"T": "float32", "num_split": 2}, [s(2), f32]),
       ("SplitV", {"T": "float32", "num_split": 3, "Tlen": "int32"}, [f32, c(1, -1, 1), s(2)]),
       ("Slice", {"T": "float32", "Index": "int32"}, [f32, c(0, 1, 1), c(-1, 2, 2)]),
       ("GatherV2", {"Tparams": "float32", "Tindices": "int32", "Taxis": "int32"}, [f32, c(3, 0), s(2)]),
       ("GatherNd", {"Tparams": "float32", "Tindices": "int32"}, [f32, c(1, 2, 0, 1).reshape(2, 2)]),
       ("Transpose", {"T": "float32"}, [f32, c(2, 0, 1)]),
       ("ReverseV2", {"T": "float32", "Tidx": "int32"}, [f32, c(0, 2)]),
       ("Range", {"Tidx": "float32"}, [np.float32(0.5), np.float32(3), np.float32(0.7)]),
       ("Range", {"Tidx": "int32"}, [np.int32(10), np.int32(1), np.int32(-3)]),
       ("OneHot", {"T": "float32", "TI": "int32", "axis": 1}, [c(0, 3, 1), np.int32(4), np.float32(2), np.float32(-1)]),
       ("Where", {"T": "bool"}, [bools]),
       ("Select", {"T": "int32"}, [bools[:, 0], ints, -ints]),
       ("SelectV2", {"T": "int32"}, [bools[0], ints, np.int32(0)]),
       ("ClipByValue", {"T": "float32"}, [f32, np.float32(-0.5), np.float32(0.5)]),
       ("AddN", {"T": "float32", "N": 3}, [f32, f32, f32]),
       ("MatMul", {"T": "float32", "transpose_a": True}, [f32[0], f32[1]]),
       ("BatchMatMulV2", {"T": "float32", "adj_y": True}, [f32, f32[:1]]),
       ("Einsum", {"T": "float32", "N": 2, "equation": "bij,bkj->bik"}, [f32, f32]),
       ("BiasAdd", {"T": "float32"}, [f32, f32[0, 0]]),
       ("Cumsum", {"T": "float32", "Tidx": "int32", "exclusive": True}, [f32, s(1)]),
       ("Cumprod", {"T": "int32", "Tidx": "int32", "reverse": True}, [ints, s(1)]),
       ("BroadcastTo", {"T": "int32", "Tidx": "int32"}, [ints[0], c(2, 4)]),
       ("BroadcastArgs", {"T": "int32"}, [c(3, 1), c(5)]),
       ("BroadcastGradientArgs", {"T": "int32"}, [c(3, 1, 5), c(4, 1)]),
       ("InvertPermutation", {"T": "int32"}, [c(2, 0, 3, 1)]),
       ("MatrixBandPart", {"T": "float32", "Tindex": "int64"}, [f32, np.int64(1), np.int64(0)]),
       ("StridedSlice", {"T": "float32", "Index": "int32", "shrink_axis_mask": 1, "new_axis_mask": 4},
        [f32, c(1, 0, 0, 1), c(2, 3, 0, 4), c(1, 2, 1, -1)]),
       ("StridedSlice", {"T": "float32", "Index": "int32", "ellipsis_mask": 1, "end_mask": 2},
        [f32, c(0, 1), c(0, 0), c(1, 2)]),
       ("Identity", {"T": "float32"}, [f32]), ("StopGradient", {"T": "float32"}, [f32]),
       ("IdentityN", {"T": ["float32", "int32"]}, [f32, ints]),
       ("TopKV2", {"T": "int32"}, [ints, s(3)]),
       ("TopKV2", {"T": "float32"}, [f32, s(2)]),
       ("Unique", {"T": "int32"}, [ints.reshape(-1)]),
       ("Unique", {"T": "int64", "out_idx": "int64"}, [i64[0]]),
       ("ConcatOffset", {"N": 3}, [s(1), c(2, 3, 4), c(2, 5, 4), c(2, 1, 4)]),
       ]
)


def _attrs(attrs):
    out = {}
    for k, v in attrs.items():
        if isinstance(v, str) and k not in ("mode", "equation"):
            v = as_dtype(v)
        elif isinstance(v, list) and v and isinstance(v[0], str):
            v = [as_dtype(x) for x in v]
        out[k] = v
    return out


@pytest.mark.interop
@pytest.mark.parametrize("op, attrs, inputs", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_kernel_matches_tensorflow(tf, op, attrs, inputs):
    gd = GraphDef()
    names = []
    for i, value in enumerate(inputs):
        value = np.asarray(value)
        gd.node.append(ops.make_node_def("Const", f"in{i}", dtype=as_dtype(value.dtype), value=value))
        names.append(f"in{i}")
    node = ops.make_node_def(op, "op", names, **_attrs(attrs))
    gd.node.append(node)
    ours = ops.evaluate(node, [np.asarray(v) for v in inputs])
    assert ours is not None, f"no kernel for {op}"
    graph = tf.Graph()
    with graph.as_default():
        tf.import_graph_def(tf.GraphDef.FromString(gd.SerializeToString()), name="")
    tf_op = graph.get_operation_by_name("op")
    with tf.Session(graph=graph) as sess:
        theirs = sess.run(list(tf_op.outputs))
    assert len(ours) == len(theirs)
    # The registry's shape functions agree with the values, too.
    shapes = ops.infer_shapes(node, [np.shape(v) for v in inputs], [np.asarray(v) for v in inputs])
    for a, b, s in zip(ours, theirs, shapes):
        assert a.dtype == b.dtype and a.shape == b.shape
        # Shape functions see input values but not data-dependent sizes (Where): None is fine.
        assert s is not None and len(s) == b.ndim and all(d in (None, e) for d, e in zip(s, b.shape))
        if a.dtype.kind in "fc":
            # numpy's and Eigen's float functions may differ by a few ulp (vectorised exp, erf...).
            np.testing.assert_allclose(a, b, rtol=2e-6, atol=1e-7)
        else:
            np.testing.assert_array_equal(a, b)
