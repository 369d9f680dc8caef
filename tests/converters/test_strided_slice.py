"""StridedSlice against numpy basic indexing, over random index expressions.

Each random Python index (slices with any bounds and steps, integers, `...`, `None`) is
encoded the way TensorFlow's `tensor[...]` encodes it (begin/end/strides plus the five masks),
converted, and run in onnxruntime; numpy's `x[index]` is the reference. The encoding here is
written independently of the converter's dense-spec expansion, so the two check each other.
"""

from __future__ import annotations

import numpy as np
import pytest
from ortflow.converters import convert
from ortflow.converters.slicing import dense_strided_slice
from ortflow.formats import dtypes
from ortflow.formats.tensors import make_tensor_proto, shape_to_proto
from ortflow.proto import GraphDef, NodeDef

SHAPE = (4, 5, 6, 3)
MASKS = ("begin_mask", "end_mask", "ellipsis_mask", "new_axis_mask", "shrink_axis_mask")


def encode(index: tuple):
    """A Python index -> (begin, end, strides, masks) as TF's __getitem__ builds them."""
    begin, end, strides = [], [], []
    masks = dict.fromkeys(MASKS, 0)
    for i, item in enumerate(index):
        bit = 1 << i
        if item is Ellipsis or item is None:
            masks["ellipsis_mask" if item is Ellipsis else "new_axis_mask"] |= bit
            begin.append(0)
            end.append(0)
            strides.append(1)
        elif isinstance(item, int):
            masks["shrink_axis_mask"] |= bit
            begin.append(item)
            end.append(item + 1)
            strides.append(1)
        else:
            begin.append(0 if item.start is None else item.start)
            end.append(0 if item.stop is None else item.stop)
            strides.append(1 if item.step is None else item.step)
            if item.start is None:
                masks["begin_mask"] |= bit
            if item.stop is None:
                masks["end_mask"] |= bit
    return begin, end, strides, masks


def random_index(rng: np.random.RandomState) -> tuple:
    items: list = []
    used_dims, has_ellipsis = 0, False
    for _ in range(rng.randint(1, 6)):
        kind = rng.choice(["slice", "slice", "int", "none", "ellipsis"])
        if kind == "ellipsis" and not has_ellipsis:
            items.append(Ellipsis)
            has_ellipsis = True
        elif kind == "none":
            items.append(None)
        elif used_dims < len(SHAPE):
            size = SHAPE[used_dims]
            if kind == "int":
                items.append(int(rng.randint(-size, size)))
            else:
                bounds = [None if rng.rand() < 0.3 else int(rng.randint(-size - 2, size + 3)) for _ in range(2)]
                items.append(slice(bounds[0], bounds[1], int(rng.choice([1, 1, 2, 3, -1, -2]))))
            used_dims += 1
    return tuple(items)


def _node(name, op, inputs=(), **attrs):
    node = NodeDef(name=name, op=op, input=list(inputs))
    for key, value in attrs.items():
        if isinstance(value, dtypes.DType):
            node.attr[key].type = value.as_datatype_enum
        elif isinstance(value, np.ndarray):
            node.attr[key].tensor.CopyFrom(make_tensor_proto(value))
        elif isinstance(value, list):
            node.attr[key].shape.CopyFrom(shape_to_proto(value))
        else:
            node.attr[key].i = int(value)
    return node


def _graph(indices, dynamic: bool) -> GraphDef:
    graph = GraphDef()
    graph.node.append(_node("x", "Placeholder", dtype=dtypes.float32, shape=[None, *SHAPE[1:]]))
    for k, index in enumerate(indices):
        begin, end, strides, masks = encode(index)
        names = []
        for part, values in (("begin", begin), ("end", end), ("strides", strides)):
            name = f"s{k}/{part}"
            if dynamic and part != "strides":
                graph.node.append(_node(name, "Placeholder", dtype=dtypes.int32, shape=[len(values)]))
            else:
                graph.node.append(_node(name, "Const", dtype=dtypes.int32, value=np.array(values, np.int32)))
            names.append(name)
        graph.node.append(_node(f"s{k}", "StridedSlice", ["x", *names], T=dtypes.float32, Index=dtypes.int32,
                                **masks))
    return graph


def _run(indices, dynamic: bool, opset):
    import onnxruntime as ort

    x = np.arange(np.prod(SHAPE), dtype=np.float32).reshape(SHAPE)
    feeds = {"x:0": x}
    if dynamic:
        for k, index in enumerate(indices):
            begin, end, _, _ = encode(index)
            feeds[f"s{k}/begin:0"] = np.array(begin, np.int32)
            feeds[f"s{k}/end:0"] = np.array(end, np.int32)
    outputs = [f"s{k}:0" for k in range(len(indices))]
    model = convert(_graph(indices, dynamic), inputs=list(feeds), outputs=outputs, opset=opset)
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return x, session.run(outputs, feeds)


INDICES = [random_index(np.random.RandomState(seed)) for seed in range(60)]


@pytest.mark.parametrize("dynamic", [False, True], ids=["const_bounds", "runtime_bounds"])
@pytest.mark.parametrize("opset", [None, 13], ids=["default", "opset13"])
def test_random_strided_slices_match_numpy(dynamic, opset):
    x, results = _run(INDICES, dynamic, opset)
    for index, got in zip(INDICES, results):
        want = x[index]
        assert got.shape == want.shape, f"x{index!r}: shape {got.shape} != numpy {want.shape}"
        np.testing.assert_array_equal(got, want, err_msg=f"x{index!r}")


def test_dense_spec_rejects_two_ellipses():
    with pytest.raises(ValueError, match="one ellipsis"):
        dense_strided_slice(3, [1, 1, 1], ellipsis_mask=0b101)


def test_dense_spec_expands_ellipsis_between_new_axes():
    # x[None, ..., 1, None] on a rank-3 input: new, whole dims 0-1, dim 2 shrunk, new.
    spec = dense_strided_slice(3, [1, 1, 1, 1], ellipsis_mask=0b0010, new_axis_mask=0b1001,
                               shrink_axis_mask=0b0100)
    assert spec.layout == [None, 0, 1, None]
    assert [(d.axis, d.shrink) for d in spec.dims] == [(0, False), (1, False), (2, True)]
