"""Shape functions of stateful and structural ops: variables, training updates, control flow,
save/restore, summaries, TensorLists and functional ops."""

from __future__ import annotations

import numpy as np
from ortflow.graph.ops.registry import shape_fn
from ortflow.graph.ops.schema import num_outputs, shape_from_proto
from ortflow.graph.ops.shapes_array import _gather
from ortflow.graph.ops.shapes_common import attr, merge_shapes, same_as, shape_from_value

__all__ = ["HANDLE_PASSTHROUGH_OPS", "HANDLE_SOURCES", "RESOURCE_SHAPE_FNS", "TRAINING_OPS"]

#: Optimizer updates on reference variables: their output is the updated variable.
TRAINING_OPS = (
    "ApplyGradientDescent", "ApplyAdam", "ApplyMomentum", "ApplyKerasMomentum", "ApplyRMSProp",
    "ApplyCenteredRMSProp", "ApplyAdagrad", "ApplyAdagradV2", "ApplyAdagradDA", "ApplyAdadelta",
    "ApplyFtrl", "ApplyFtrlV2", "ApplyProximalGradientDescent", "ApplyProximalAdagrad",
    "ApplyAdaMax", "ApplyAddSign", "ApplyPowerSign", "SparseApplyAdagrad", "SparseApplyAdagradV2",
    "SparseApplyMomentum", "SparseApplyKerasMomentum", "SparseApplyRMSProp",
    "SparseApplyCenteredRMSProp", "SparseApplyFtrl", "SparseApplyFtrlV2", "SparseApplyAdadelta",
    "SparseApplyProximalAdagrad", "SparseApplyProximalGradientDescent", "SparseApplyAdagradDA",
)

shape_fn(*TRAINING_OPS, "Exit", "RefExit", "NextIteration",
         "RefNextIteration", "AssignAdd", "AssignSub")(same_as(0))


@shape_fn("VariableV2", "Variable", "TemporaryVariable")
def _variable(node_def, shapes, values):
    return [shape_from_proto(node_def.attr["shape"].shape) if "shape" in node_def.attr else None]


@shape_fn("VarHandleOp", "VarIsInitializedOp", "IsVariableInitialized", "LoopCond",
          "ShardedFilename", "ShardedFilespec", "ScalarSummary", "HistogramSummary",
          "ImageSummary", "AudioSummary", "AudioSummaryV2", "TensorSummary", "TensorSummaryV2",
          "MergeSummary", "EmptyTensorList", "TensorListReserve", "TensorListFromTensor",
          "TensorListSetItem", "TensorListPushBack", "TensorListLength", "TensorArraySizeV3",
          "TensorArrayWriteV3", "TensorArrayScatterV3", "TensorArraySplitV3", "TensorListScatter",
          "TensorListScatterV2", "TensorListScatterIntoExistingList", "TensorListResize")
def _scalar(node_def, shapes, values):
    return [()]


@shape_fn("Assign")
def _assign(node_def, shapes, values):
    if attr(node_def, "validate_shape", True):
        return [merge_shapes(shapes[0], shapes[1])]
    return [shapes[1]]


@shape_fn("Switch", "RefSwitch")
def _switch(node_def, shapes, values):
    return [shapes[0], shapes[0]]


@shape_fn("Merge", "RefMerge")
def _merge(node_def, shapes, values):
    # A Merge fed by a while loop's back edge sees that input as unknown (it comes later in
    # topological order), so loop variables get unknown shapes, as in TensorFlow.
    if not shapes or any(s is None for s in shapes):
        return [None, ()]
    first = shapes[0]
    if any(len(s) != len(first) for s in shapes):
        return [None, ()]
    dims = tuple(d if all(s[i] == d for s in shapes) else None for i, d in enumerate(first))
    return [dims, ()]


@shape_fn("If", "StatelessIf", "While", "StatelessWhile", "IteratorGetNext", "IteratorGetNextSync",
          "IteratorGetNextAsOptional")
def _functional(node_def, shapes, values):
    # Functional control flow and tf.data iterators declare their outputs' shapes in an attr.
    out = [shape_from_proto(s) for s in node_def.attr["output_shapes"].list.shape] \
        if "output_shapes" in node_def.attr else []
    n = num_outputs(node_def)
    return out if len(out) == n else [None] * n


@shape_fn("TensorArrayV3")
def _tensor_array(node_def, shapes, values):
    return [(2,), ()]


def _element_shape_attr(node_def, name: str = "element_shape"):
    return shape_from_proto(node_def.attr[name].shape) if name in node_def.attr else None


def _element_shape_input(value, shape):
    # TensorList ops take the element shape as a tensor; a scalar -1 means unknown rank.
    if value is None or np.ndim(value) == 0:
        return None
    return shape_from_value(value, shape)


@shape_fn("TensorArrayGatherV3")
def _tensor_array_gather(node_def, shapes, values):
    return [_leading(shapes[1], _element_shape_attr(node_def))]


@shape_fn("TensorArrayConcatV3")
def _tensor_array_concat(node_def, shapes, values):
    rest = _element_shape_attr(node_def, "element_shape_except0")
    return [None if rest is None else (None,) + tuple(rest), (None,)]


def _leading(indices_shape, element_shape):
    if element_shape is None:
        return None
    lead = (None,) if indices_shape is None or len(indices_shape) != 1 else tuple(indices_shape)
    return lead + tuple(element_shape)


@shape_fn("TensorListStack")
def _tensor_list_stack(node_def, shapes, values):
    element = _element_shape_input(values[1], shapes[1])
    n = attr(node_def, "num_elements", -1)
    return [_leading((None if n < 0 else n,), element)]


@shape_fn("TensorListGather")
def _tensor_list_gather(node_def, shapes, values):
    return [_leading(shapes[1], _element_shape_input(values[2], shapes[2]))]


@shape_fn("TensorListGetItem")
def _tensor_list_get_item(node_def, shapes, values):
    return [_element_shape_input(values[2], shapes[2])]


@shape_fn("TensorListPopBack")
def _tensor_list_pop_back(node_def, shapes, values):
    return [(), _element_shape_input(values[1], shapes[1])]


def _read_variable(node_def, handle_shape, shapes, values):
    return [handle_shape]


def _resource_gather(node_def, handle_shape, shapes, values):
    batch_dims = attr(node_def, "batch_dims", 0)
    return [_gather(handle_shape, shapes[1], 0, batch_dims)]


def _tensor_array_gather_handle(node_def, handle_shape, shapes, values):
    element = merge_shapes(handle_shape, _element_shape_attr(node_def))
    return [_leading(shapes[1], element)]


#: Shape functions of ops that read through a resource handle: f(node_def, the shape the
#: handle's source declares (VarHandleOp's `shape`, TensorArrayV3's `element_shape`), followed
#: through the handle, shapes, values).
RESOURCE_SHAPE_FNS = {
    "ReadVariableOp": _read_variable,
    "ResourceGather": _resource_gather,
    "TensorArrayReadV3": _read_variable,
    "TensorArrayGatherV3": _tensor_array_gather_handle,
}

#: Ops that create a handle, and the attr that holds the shape of what it refers to.
HANDLE_SOURCES = {"VarHandleOp": "shape", "TensorArrayV3": "element_shape"}

#: Ops whose output 0 is their input 0's resource handle.
HANDLE_PASSTHROUGH_OPS = frozenset({"Identity", "Enter", "Exit", "Switch", "NextIteration"})


def _slice_spec_shape(spec: bytes):
    # "d0 d1 ... slice" where slice is "-" (whole dim) or "start,length" per dim, ':'-joined.
    if not spec:
        return None
    parts = spec.decode().split(" ")
    full = [int(p) for p in parts[:-1]]
    dims = parts[-1].split(":")
    if len(dims) != len(full):
        return None
    return tuple(f if d == "-" else int(d.split(",")[1]) for f, d in zip(full, dims))


@shape_fn("RestoreV2")
def _restore_v2(node_def, shapes, values):
    n = num_outputs(node_def)
    specs = values[2]
    if specs is None or getattr(specs, "size", 0) != n:
        return [None] * n
    return [_slice_spec_shape(bytes(s)) for s in specs.reshape(-1)]


@shape_fn("RestoreSlice")
def _restore_slice(node_def, shapes, values):
    spec = values[2]
    return [None if spec is None else _slice_spec_shape(bytes(spec.reshape(-1)[0]))]


@shape_fn("StringFormat")
def _string_format(node_def, shapes, values):
    # tf.strings.format (and tf.print's message) renders its inputs into one scalar string.
    return [()]
