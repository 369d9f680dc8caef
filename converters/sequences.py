"""Handlers of TF TensorArray (V3) and TensorList ops, lowered to ONNX sequences.

The "flow" value of a TensorArray and the variant handle of a TensorList both become one ONNX
sequence value; the TensorArray's resource handle is not lowered (its readers use the flow).
A write replaces the element at its index, after zeros have padded the sequence up to it, so
writes may come in any order (TF's RNN loops and unstack/scatter fill arrays in order); reads
of elements never written give zeros. The control-flow handlers ask `sequence_dtype` which values are sequences,
so Loop bodies and If branches can declare them with sequence types.
"""

from __future__ import annotations

import weakref

import numpy as np
from ortflow.converters.emit import INT64_MAX, const_i64, first, reduce, to_int64, to_scalar
from ortflow.converters.registry import handler, require
from ortflow.formats import dtypes

__all__ = ["mark_sequence", "sequence_dtype"]

# root ConversionContext -> {ONNX value name -> element DType}
_SEQUENCES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def mark_sequence(ctx, onnx_name: str, elem_dtype) -> None:
    """Records that ONNX value `onnx_name` is a sequence of `elem_dtype` tensors."""
    _SEQUENCES.setdefault(ctx.root(), {})[onnx_name] = dtypes.as_dtype(elem_dtype)


def sequence_dtype(ctx, onnx_name: str):
    """The element DType when `onnx_name` is a sequence value, else None."""
    return _SEQUENCES.get(ctx.root(), {}).get(onnx_name)


# --------------------------------------------------------------------------- TensorArray V3

def _elem_dtype(node, attr: str = "dtype"):
    return node.attr(attr)


def _new_sequence(ctx, node, output: str, elem) -> None:
    first(ctx, "SequenceEmpty", [], {"dtype": ctx.onnx_type(elem)}, output=output)
    mark_sequence(ctx, output, elem)


@handler("TensorArrayV3")
def convert_tensor_array(ctx, node):
    # TF:   handle, flow = TensorArrayV3(size, dtype: type, element_shape, ...)
    # ONNX: Flow = SequenceEmpty(dtype)   (the handle is not lowered: readers use the flow)
    _new_sequence(ctx, node, node.output(1), _elem_dtype(node))


@handler("TensorArrayScatterV3")
def convert_tensor_array_scatter(ctx, node):
    # TF:   flow_out = TensorArrayScatterV3(handle, indices, value, flow_in)
    # ONNX: Flow_out = SplitToSequence(Value, axis=0, keepdims=0)  (indices must be 0..n-1)
    _require_leading_range(ctx, node, 1)
    first(ctx, "SplitToSequence", [node.input(2)], {"axis": 0, "keepdims": 0}, output=node.output(0))
    mark_sequence(ctx, node.output(0), node.input_dtype(2))


def _require_leading_range(ctx, node, i: int) -> None:
    # Scatter/unstack into a fresh array writes rows 0..n-1 in order; anything else is rejected.
    value = node.input_value(i)
    if value is not None:
        require(np.array_equal(np.asarray(value).reshape(-1), np.arange(np.size(value))), node,
                "scatter indices other than 0..n-1 are not supported")
        return
    producer = ctx.tf_node(node.input_tensor(i))
    ok = producer is not None and producer.op == "Range"
    if ok:
        start, delta = producer.input_value(0), producer.input_value(2)
        ok = start is not None and delta is not None and int(start) == 0 and int(delta) == 1
    require(ok, node, "scatter indices must be a constant 0..n-1 or Range(0, n, 1)")


@handler("TensorArrayReadV3")
def convert_tensor_array_read(ctx, node):
    # TF:   value = TensorArrayReadV3(handle, index, flow_in, dtype: type)
    # ONNX: Value = SequenceAt(Flow, Index)
    first(ctx, "SequenceAt", [node.input(2), node.input(1)], output=node.output(0))


@handler("TensorArrayWriteV3")
def convert_tensor_array_write(ctx, node):
    # TF:   flow_out = TensorArrayWriteV3(handle, index, value, flow_in)
    # ONNX: Flow_out = SequenceInsert(SequenceErase(Pad(Flow), Index), Value, Index)
    # TF writes any index below the array's size in any order; the sequence holds the elements
    # up to the highest index written so far (and maybe trailing zeros). Zeros shaped like the
    # value pad it until the index is inside, and the element there is replaced. A loop that
    # writes element i of a fresh array in iteration i (RNNs, map_fn) never leaves a gap, so
    # one zero suffices; anything else pads in a Loop (about 20 us more per write). (No
    # subgraph reads an outer value: onnxruntime checks outer values' shapes strictly there,
    # and some handlers' values carry ranks it infers loosely.)
    flow, value = node.input(3), node.input(2)
    elem = node.input_dtype(2)
    index = to_scalar(ctx, to_int64(ctx, node.input(1)))
    zeros = first(ctx, "ConstantOfShape", [first(ctx, "Shape", [value])],
                  {"value": np.zeros(1, dtype=dtypes.as_dtype(elem).as_numpy_dtype)})
    if not _writes_in_order(ctx, node):
        flow = _pad_before(ctx, flow, index, zeros, elem)
    grown = first(ctx, "SequenceInsert", [flow, zeros])
    erased = first(ctx, "SequenceErase", [grown, index])
    first(ctx, "SequenceInsert", [erased, value, index], output=node.output(0))
    mark_sequence(ctx, node.output(0), elem)


def _loop_var(ctx, tensor: str):
    """(Enter, NextIteration) nodes of the while loop variable `tensor` reads, else None."""
    producer = ctx.tf_node(tensor)
    if producer is not None and producer.op == "Identity":
        tensor = producer.input_tensor(0)
        producer = ctx.tf_node(tensor)
    if producer is None or producer.op != "Switch" or not tensor.endswith(":1"):
        return None
    merge = ctx.tf_node(producer.input_tensor(0))
    if merge is None or merge.op != "Merge" or merge.num_inputs < 2:
        return None
    enter, following = (ctx.tf_node(merge.input_tensor(i)) for i in (0, 1))
    if enter is None or following is None or enter.op != "Enter" or following.op != "NextIteration":
        return None
    return enter, following


def _writes_in_order(ctx, node, index_input: int = 1, flow_input: int = 3) -> bool:
    """Whether `node` writes element i of a fresh TensorArray (or TensorList) in iteration i
    of its loop: the index is a loop counter from 0 by 1, and the flow a loop variable that
    starts at a new array and is this write's output in the next iteration."""
    counter = _loop_var(ctx, node.input_tensor(index_input))
    flow = _loop_var(ctx, node.input_tensor(flow_input))
    if counter is None or flow is None:
        return False
    start = ctx.tensor_value(counter[0].input_tensor(0))
    step = ctx.tf_node(counter[1].input_tensor(0))
    if start is None or np.size(start) != 1 or int(np.asarray(start).reshape(())) != 0:
        return False
    if step is None or step.op not in ("AddV2", "Add") or step.num_inputs != 2:
        return False
    one = [ctx.tensor_value(step.input_tensor(i)) for i in (0, 1)]
    if not any(v is not None and np.size(v) == 1 and int(np.asarray(v).reshape(())) == 1 for v in one):
        return False
    fresh_tensor = flow[0].input_tensor(0)
    fresh = ctx.tf_node(fresh_tensor)
    is_fresh = fresh is not None and (
        (fresh.op == "TensorArrayV3" and fresh_tensor.endswith(":1"))
        or fresh.op in ("TensorListReserve", "EmptyTensorList"))
    return is_fresh and flow[1].input_tensor(0) in (node.name, f"{node.name}:0")


def _pad_before(ctx, flow: str, index: str, zeros: str, elem) -> str:
    """`flow` with `zeros` appended until it has `index` elements (a Loop, usually 0 passes)."""
    from ortflow.converters.control_flow import loop_sequence_body

    length = first(ctx, "SequenceLength", [flow])
    count = first(ctx, "Max", [first(ctx, "Sub", [index, length]), const_i64(ctx, 0)])
    body = loop_sequence_body(ctx, f"{getattr(ctx, 'graph_name', None) or 'main'}/pad", elem)
    return ctx.make_node("Loop", [count, "", flow, zeros], {"body": body}, outputs=2)[0]


def _stack(ctx, seq: str) -> str:
    return first(ctx, "ConcatFromSequence", [seq], {"axis": 0, "new_axis": 1})


@handler("TensorArrayGatherV3")
def convert_tensor_array_gather(ctx, node):
    # TF:   value = TensorArrayGatherV3(handle, indices, flow_in, dtype: type, element_shape)
    # ONNX: Value = Gather(Concat(ConcatFromSequence(Flow, axis=0, new_axis=1), Zeros), Indices)
    # Elements never written read as zeros, as in TF (dynamic_rnn stops writing at the longest
    # sequence_length and stacks all time steps): zero rows extend the stack up to the highest
    # index gathered.
    stacked = _stack(ctx, node.input(2))
    indices = to_int64(ctx, node.input(1))
    shape = first(ctx, "Shape", [stacked])
    rows = first(ctx, "Slice", [shape, const_i64(ctx, [0]), const_i64(ctx, [1])])
    highest = reduce(ctx, "ReduceMax", first(ctx, "Reshape", [indices, const_i64(ctx, [-1])]), [0], True)
    missing = first(ctx, "Max", [first(ctx, "Sub", [first(ctx, "Add", [highest, const_i64(ctx, [1])]), rows]),
                                 const_i64(ctx, [0])])
    rest = first(ctx, "Slice", [shape, const_i64(ctx, [1]), const_i64(ctx, [INT64_MAX])])
    elem = np.zeros(1, dtype=dtypes.as_dtype(node.attr("dtype")).as_numpy_dtype)
    zeros = first(ctx, "ConstantOfShape", [first(ctx, "Concat", [missing, rest], {"axis": 0})], {"value": elem})
    full = first(ctx, "Concat", [stacked, zeros], {"axis": 0})
    first(ctx, "Gather", [full, node.input(1)], {"axis": 0}, output=node.output(0))


@handler("TensorArrayConcatV3")
def convert_tensor_array_concat(ctx, node):
    # TF:   value, lengths = TensorArrayConcatV3(handle, flow_in, dtype: type, element_shape_except0)
    # ONNX: Value = ConcatFromSequence(Flow, axis=0)   (lengths: each element's first dim)
    first(ctx, "ConcatFromSequence", [node.input(1)], {"axis": 0}, output=node.output(0))
    if _output_read(ctx, node, 1):
        firsts = _first_dims(ctx, node.input(1), f"{node.name}/lengths")
        first(ctx, "Identity", [firsts], output=node.output(1))


def _output_read(ctx, node, index: int) -> bool:
    wanted = node.output(index)
    return any(wanted in (c.input(i) for i in range(c.num_inputs)) for c in ctx.consumers(node.name))


def _first_dims(ctx, seq: str, name: str) -> str:
    """An int64 vector of the first dim of each element of sequence `seq` (a Loop's scan output)."""
    from ortflow.converters.control_flow import loop_scan_first_dims

    count = first(ctx, "SequenceLength", [seq])
    body = loop_scan_first_dims(ctx, name, seq)
    return ctx.make_node("Loop", [count, ""], {"body": body})[0]


@handler("TensorArraySplitV3")
def convert_tensor_array_split(ctx, node):
    # TF:   flow_out = TensorArraySplitV3(handle, value, lengths: int64, flow_in)
    # ONNX: Flow_out = SplitToSequence(Value, Lengths, axis=0)
    first(ctx, "SplitToSequence", [node.input(1), to_int64(ctx, node.input(2))], {"axis": 0},
          output=node.output(0))
    mark_sequence(ctx, node.output(0), node.input_dtype(1))


@handler("TensorArraySizeV3")
def convert_tensor_array_size(ctx, node):
    # TF:   size = TensorArraySizeV3(handle, flow_in)
    # ONNX: Size = Cast(SequenceLength(Flow), int32)
    length = first(ctx, "SequenceLength", [node.input(1)])
    first(ctx, "Cast", [length], {"to": ctx.onnx_type(dtypes.int32)}, output=node.output(0))


# --------------------------------------------------------------------------- TensorList

@handler("TensorListReserve", "EmptyTensorList")
def convert_tensor_list_reserve(ctx, node):
    # TF:   handle = TensorListReserve(element_shape, num_elements, element_dtype: type)
    # ONNX: Handle = SequenceEmpty(dtype)   (items are inserted in index order by SetItem)
    _new_sequence(ctx, node, node.output(0), node.attr("element_dtype"))


@handler("TensorListFromTensor")
def convert_tensor_list_from_tensor(ctx, node):
    # TF:   output_handle = TensorListFromTensor(tensor, element_shape)
    # ONNX: Handle = SplitToSequence(Tensor, axis=0, keepdims=0)
    first(ctx, "SplitToSequence", [node.input(0)], {"axis": 0, "keepdims": 0}, output=node.output(0))
    mark_sequence(ctx, node.output(0), node.input_dtype(0))


@handler("TensorListSetItem")
def convert_tensor_list_set_item(ctx, node):
    # TF:   output_handle = TensorListSetItem(input_handle, index, item)
    # ONNX: Handle = SequenceInsert(List, Item, Index)            (item i of a fresh list at step i)
    #       Handle = Trim(SequenceInsert(SequenceErase(SequenceInsert(Pad(List), Zeros), Index),
    #                                    Item, Index))                         (anything else)
    # The sequence holds the items up to the highest index set so far. Setting an index inside
    # it replaces the item there (Keras RNNs keeping only their last output overwrite item 0
    # of a one-item list at every step); setting the next index appends.
    handle, item = node.input(0), node.input(2)
    elem = node.input_dtype(2)
    if _writes_in_order(ctx, node, index_input=1, flow_input=0):
        first(ctx, "SequenceInsert", [handle, item, node.input(1)], output=node.output(0))
        mark_sequence(ctx, node.output(0), elem)
        return
    index = to_scalar(ctx, to_int64(ctx, node.input(1)))
    zeros = first(ctx, "ConstantOfShape", [first(ctx, "Shape", [item])],
                  {"value": np.zeros(1, dtype=dtypes.as_dtype(elem).as_numpy_dtype)})
    padded = _pad_before(ctx, handle, index, zeros, elem)
    length = first(ctx, "SequenceLength", [padded])
    replaced = first(ctx, "SequenceInsert", [first(ctx, "SequenceErase", [
        first(ctx, "SequenceInsert", [padded, zeros]), index]), item, index])
    # A replacement leaves the appended zero at the end: drop it (a Loop of 0 or 1 passes).
    inside = first(ctx, "Cast", [first(ctx, "Less", [index, length])], {"to": 7})
    body = _trim_body(ctx, f"{getattr(ctx, 'graph_name', None) or 'main'}/{node.name}/trim", elem)
    ctx.make_node("Loop", [inside, "", replaced], {"body": body}, outputs=[node.output(0)])
    mark_sequence(ctx, node.output(0), elem)


def _trim_body(ctx, name: str, elem):
    """A Loop body carrying one sequence, whose last item each pass removes."""
    from ortflow.converters.control_flow import _declared, _fresh, _retype

    iteration, cond_in = _fresh(ctx, f"{name}/iteration"), _fresh(ctx, f"{name}/cond_in")
    seq_in = _fresh(ctx, f"{name}/sequence")
    body = ctx.make_subgraph(name, [(iteration, dtypes.int64, ()), (cond_in, dtypes.bool, ()),
                                    (seq_in, _declared(elem, True), None)])
    trimmed = _fresh(body, f"{name}/trimmed")
    body.make_node("SequenceErase", [seq_in], outputs=[trimmed])
    graph = body.finish([(cond_in, dtypes.bool, ()), (trimmed, _declared(elem, True), None)])
    _retype(graph, {2: elem}, "input")
    _retype(graph, {1: elem}, "output")
    return graph


@handler("TensorListPushBack")
def convert_tensor_list_push_back(ctx, node):
    # TF:   output_handle = TensorListPushBack(input_handle, tensor)
    # ONNX: Handle = SequenceInsert(List, Tensor)
    first(ctx, "SequenceInsert", [node.input(0), node.input(1)], output=node.output(0))
    mark_sequence(ctx, node.output(0), node.input_dtype(1))


@handler("TensorListGetItem")
def convert_tensor_list_get_item(ctx, node):
    # TF:   item = TensorListGetItem(input_handle, index, element_shape, element_dtype: type)
    # ONNX: Item = SequenceAt(List, Index)
    first(ctx, "SequenceAt", [node.input(0), node.input(1)], output=node.output(0))


@handler("TensorListStack")
def convert_tensor_list_stack(ctx, node):
    # TF:   tensor = TensorListStack(input_handle, element_shape, element_dtype: type)
    # ONNX: Tensor = ConcatFromSequence(List, axis=0, new_axis=1)
    first(ctx, "ConcatFromSequence", [node.input(0)], {"axis": 0, "new_axis": 1}, output=node.output(0))


@handler("TensorListGather")
def convert_tensor_list_gather(ctx, node):
    # TF:   values = TensorListGather(input_handle, indices, element_shape, element_dtype: type)
    # ONNX: Values = Gather(ConcatFromSequence(List, axis=0, new_axis=1), Indices)
    first(ctx, "Gather", [_stack(ctx, node.input(0)), node.input(1)], {"axis": 0}, output=node.output(0))


@handler("TensorListLength")
def convert_tensor_list_length(ctx, node):
    # TF:   length = TensorListLength(input_handle)   (int32)
    # ONNX: Length = Cast(SequenceLength(List), int32)
    length = first(ctx, "SequenceLength", [node.input(0)])
    first(ctx, "Cast", [length], {"to": ctx.onnx_type(dtypes.int32)}, output=node.output(0))


@handler("TensorListElementShape")
def convert_tensor_list_element_shape(ctx, node):
    # TF:   element_shape = TensorListElementShape(input_handle, shape_type: type)
    # ONNX: Shape = Cast(Shape(SequenceAt(List, 0)), shape_type)   (the list must be non-empty)
    item = first(ctx, "SequenceAt", [node.input(0), to_scalar(ctx, const_i64(ctx, [0]))])
    shape = first(ctx, "Shape", [item])
    out = node.output_dtype(0) or dtypes.int32
    first(ctx, "Cast", [shape], {"to": ctx.onnx_type(out)}, output=node.output(0))
