"""`tf.nn.static_rnn`, `dynamic_rnn` and their bidirectional forms, built as TF 1.x builds them.

`static_rnn` unrolls the cell once per input in a variable scope `rnn` (variables made on the
first step, reused after); `dynamic_rnn` runs it in a `while_loop` over TensorArrays (time major
inside, transposed back at the end). With `sequence_length`, steps past a row's length give zero
outputs and carry that row's state through unchanged, as in TensorFlow. `raw_rnn` runs the
loop a user's `loop_fn` drives.

The small nested-structure helpers (`flatten`, `pack_sequence_as`, `map_structure`, the part of
tf.nest the RNN code needs) and the zero-state builders live here too; `rnn_cell` imports them.
"""

from __future__ import annotations

from ortflow.api import array_ops, math_ops
from ortflow.api import variable_scope as _vs
from ortflow.api.ops_builder import constant, convert_to_tensor, mark_control_inputs
from ortflow.formats import dtypes as _dtypes
from ortflow.graph import Tensor, get_default_graph
from ortflow.graph.tensor_shape import as_shape

__all__ = [
    "bidirectional_dynamic_rnn",
    "dynamic_rnn",
    "raw_rnn",
    "static_bidirectional_rnn",
    "static_rnn",
]


# -- nested structures (the part of tf.nest the RNN code needs) -------------------------------

def is_nested(value) -> bool:
    """True for a list, tuple (namedtuples included) or dict, which `flatten` descends into."""
    return isinstance(value, (list, tuple, dict))


def _children(value) -> list:
    if isinstance(value, dict):
        return [value[k] for k in sorted(value)]
    return list(value)


def flatten(structure) -> list:
    """The leaves of a nested structure, depth first (dict values in sorted-key order)."""
    if not is_nested(structure):
        return [structure]
    out = []
    for child in _children(structure):
        out.extend(flatten(child))
    return out


def _rebuild(like, items: list):
    if isinstance(like, dict):
        return type(like)((k, v) for k, v in zip(sorted(like), items))
    if isinstance(like, tuple) and hasattr(like, "_fields"):  # a namedtuple
        return type(like)(*items)
    return type(like)(items)


def pack_sequence_as(structure, flat_sequence):
    """`flat_sequence` put back into the shape of `structure`.

    Raises:
        ValueError: the number of leaves differs.
    """
    flat_sequence = list(flat_sequence)
    count = len(flatten(structure))
    if count != len(flat_sequence):
        raise ValueError(f"Could not pack sequence: the structure has {count} elements, "
                         f"but flat_sequence has {len(flat_sequence)}.")
    packed, _ = _pack(structure, flat_sequence, 0)
    return packed


def _pack(structure, flat, index):
    if not is_nested(structure):
        return flat[index], index + 1
    items = []
    for child in _children(structure):
        item, index = _pack(child, flat, index)
        items.append(item)
    return _rebuild(structure, items), index


def map_structure(fn, *structures):
    """`fn` applied leaf-wise to structures of the same shape, in the shape of the first."""
    flat = [flatten(s) for s in structures]
    if any(len(f) != len(flat[0]) for f in flat):
        raise ValueError(f"The structures do not have the same number of elements: "
                         f"{[len(f) for f in flat]}.")
    return pack_sequence_as(structures[0], [fn(*leaves) for leaves in zip(*flat)])


def assert_same_structure(a, b) -> None:
    """Raises ValueError when `a` and `b` do not nest the same way."""
    if is_nested(a) != is_nested(b):
        raise ValueError(f"The two structures don't have the same nested structure: {a!r} and {b!r}.")
    if is_nested(a):
        ca, cb = _children(a), _children(b)
        if len(ca) != len(cb):
            raise ValueError(f"The two structures don't have the same sequence length: {a!r} and {b!r}.")
        for x, y in zip(ca, cb):
            assert_same_structure(x, y)


# -- shapes and zero states ------------------------------------------------------------------

def _shape_part(part):
    # A size as TF's zero-state helper spells it: a Tensor scalar expanded to a vector, a static
    # size as a Const (None when not fully known).
    if isinstance(part, Tensor):
        return array_ops.expand_dims(part, 0) if part.shape.rank == 0 else part
    shape = as_shape(part)
    return constant(shape.as_list(), dtype=_dtypes.int32) if shape.is_fully_defined() else None


def _shape_vector(prefix, suffix) -> Tensor:
    """`[prefix] + suffix` as an int32 vector (a ConcatV2 of the two parts)."""
    parts = [_shape_part(prefix), _shape_part(suffix)]
    if parts[0] is None or parts[1] is None:
        raise ValueError(f"Prefix or suffix can't be None. Received prefix = {prefix} and suffix = {suffix}")
    return array_ops.concat(parts, 0)


def _static_shape(prefix, suffix) -> list | None:
    # The static half: TF builds the same parts again (left unused), then joins what is known.
    _shape_part(prefix)
    _shape_part(suffix)
    if prefix is None or suffix is None:
        return None  # unknown rank, as TF's TensorShape(None)
    head = [None] if isinstance(prefix, Tensor) else list(prefix) if isinstance(prefix, list) \
        else as_shape(prefix).as_list()
    tail = [None] if isinstance(suffix, Tensor) else as_shape(suffix).as_list()
    return head + tail


_SAME = object()


def zero_state_tensors(state_size, batch_size, dtype, static_batch=_SAME):
    """Zeros of shape `[batch_size] + s` for each `s` in the (nested) `state_size`.

    `static_batch` (an int or None) is the batch size for the static shape when it is not
    `batch_size` itself (static_rnn passes the inputs' static batch dimension).
    """
    def one(size):
        zeros = array_ops.zeros(_shape_vector(batch_size, size), dtype=dtype)
        static = _static_shape(batch_size if static_batch is _SAME else static_batch, size)
        if static is not None:
            zeros.set_shape(static)
        return zeros
    return map_structure(one, state_size)


# -- static_rnn ---------------------------------------------------------------------------------

def _check_cell(name: str, cell) -> None:
    if not (hasattr(cell, "output_size") and hasattr(cell, "state_size") and callable(cell)):
        raise TypeError(f"The argument {name!r} ({cell!r}) is not an RNNCell: 'output_size' property is "
                        f"missing, 'state_size' property is missing or it is not callable.")


def _state_dtype(explicit, state):
    if explicit is not None:
        return _dtypes.as_dtype(explicit)
    found = [t.dtype.base_dtype for t in flatten(state)]
    if not found:
        raise ValueError(f"Unable to infer dtype from argument state={state!r}.")
    if any(d != found[0] for d in found):
        raise ValueError(f"Argument state={state!r} has tensors of different dtypes {found}; "
                         f"unable to infer a single representative dtype.")
    return found[0]


def _initial_state(cell, initial_state, batch_size, dtype):
    if initial_state is not None:
        return initial_state
    if not dtype:
        raise ValueError("If no initial_state is provided, argument `dtype` must be specified")
    if getattr(cell, "get_initial_state", None) is not None:
        return cell.get_initial_state(inputs=None, batch_size=batch_size, dtype=dtype)
    return cell.zero_state(batch_size, dtype)


def _rnn_step(time, sequence_length, zero_output, state, call_cell, min_length=None, max_length=None):
    """One RNN step with per-row lengths: rows whose length is reached give zeros and keep their state.

    With `min_length`/`max_length` (static_rnn) the step is TF's pair of conds: past the longest
    sequence the cell is skipped, before the shortest no row needs selecting. Without them
    (dynamic_rnn, TF's `skip_conditionals`) the cell always runs and rows are selected.
    """
    flat_state = flatten(state)
    flat_zero = flatten(zero_output)
    done = time >= sequence_length

    def keep_old(old, new):
        if old.shape.rank == 0:
            return new
        with get_default_graph().colocate_with(new.op):
            return array_ops.where(done, old, new)

    def select(flat_output, flat_new_state):
        return ([keep_old(z, o) for z, o in zip(flat_zero, flat_output)]
                + [keep_old(s, n) for s, n in zip(flat_state, flat_new_state)])

    def run_cell():
        new_output, new_state = call_cell()
        assert_same_structure(zero_output, new_output)
        assert_same_structure(state, new_state)
        return flatten(new_output), flatten(new_state)

    if min_length is None:
        result = select(*run_cell())
    else:
        from ortflow.api import control_flow_ops

        def maybe_select():
            flat_output, flat_new_state = run_cell()
            return control_flow_ops.cond(time < min_length, lambda: flat_output + flat_new_state,
                                         lambda: select(flat_output, flat_new_state))

        result = control_flow_ops.cond(time >= max_length, lambda: flat_zero + flat_state, maybe_select)
    for out, like in zip(result, flat_zero + flat_state):
        out.set_shape(like.shape)
    n = len(flat_zero)
    return pack_sequence_as(zero_output, result[:n]), pack_sequence_as(state, result[n:])


def _static_batch(first_input):
    dims = first_input.shape.dims
    return dims[0] if dims else None


def static_rnn(cell, inputs, initial_state=None, dtype=None, sequence_length=None, scope=None):
    """Unrolls `cell` over the list `inputs` (each `[batch, depth]`, or a nested structure).

    Returns:
        (outputs, state): the list of outputs, one per input, and the final state.

    Raises:
        TypeError: `cell` is not a cell, or `inputs` is not a sequence.
        ValueError: empty `inputs`, an input depth not known statically, or neither
            `initial_state` nor `dtype` given.
    """
    _check_cell("cell", cell)
    if not is_nested(inputs):
        raise TypeError(f"Argument `inputs` must be a sequence. Received: {inputs!r}")
    if not inputs:
        raise ValueError("Argument `inputs` must not be empty.")
    outputs = []
    with _vs.variable_scope(scope or "rnn") as varscope:
        first = inputs
        while is_nested(first):
            first = first[0]
        first = convert_to_tensor(first)
        _check_static_depths(inputs)
        static_batch = _static_batch(first)
        batch_size = static_batch if static_batch is not None else array_ops.shape(first)[0]
        state = _initial_state(cell, initial_state, batch_size, dtype)
        if sequence_length is not None:
            sequence_length = convert_to_tensor(sequence_length, name="sequence_length")
            if sequence_length.shape.rank not in (None, 1):
                raise ValueError(f"Argument `sequence_length` must be a vector of length {batch_size}. "
                                 f"Received sequence_length={sequence_length!r}.")
            zero_output = zero_state_tensors(cell.output_size, batch_size, _state_dtype(dtype, state), static_batch)
            sequence_length = math_ops.cast(sequence_length, _dtypes.int32)
            min_length = math_ops.reduce_min(sequence_length)
            max_length = math_ops.reduce_max(sequence_length)
        for time, input_ in enumerate(inputs):
            if time > 0:
                varscope.reuse_variables()
            step = (lambda x=input_, s=state: cell(x, s))
            if sequence_length is not None:
                output, state = _rnn_step(time, sequence_length, zero_output, state, step, min_length,
                                          max_length)
            else:
                output, state = step()
            outputs.append(output)
        return outputs, state


def _check_static_depths(inputs) -> None:
    for x in flatten(inputs):
        x = convert_to_tensor(x)
        dims = x.shape.dims
        if dims is None or len(dims) < 2:
            continue
        for i, size in enumerate(dims[1:]):
            if size is None:
                raise ValueError(f"Input size (dimension {i} of input {x.name!r}) must be accessible via "
                                 f"shape inference, but saw value None.")


def _reverse_seq(input_seq, lengths):
    # Reverses a list of steps; with lengths, each row only over its first `length` steps.
    if lengths is None:
        return list(reversed(input_seq))
    flat_steps = [flatten(x) for x in input_seq]
    columns = [[] for _ in input_seq]
    for sequence in zip(*flat_steps):
        joined = array_ops.stack(list(sequence))
        reversed_ = array_ops.reverse_sequence(joined, lengths, 0, 1)
        for t, column in zip(array_ops.unstack(reversed_, num=len(sequence)), columns):
            t.set_shape(sequence[0].shape)
            column.append(t)
    return [pack_sequence_as(x, col) for x, col in zip(input_seq, columns)]


def static_bidirectional_rnn(cell_fw, cell_bw, inputs, initial_state_fw=None, initial_state_bw=None,
                             dtype=None, sequence_length=None, scope=None):
    """A forward and a backward `static_rnn` (scopes `bidirectional_rnn/fw`, `/bw`).

    Returns:
        (outputs, output_state_fw, output_state_bw): each output is the forward and backward
        outputs of that step concatenated along axis 1.
    """
    _check_cell("cell_fw", cell_fw)
    _check_cell("cell_bw", cell_bw)
    if not is_nested(inputs):
        raise TypeError(f"Argument `inputs` must be a sequence. Received: {inputs!r}")
    if not inputs:
        raise ValueError("Argument `inputs` must not be empty.")
    with _vs.variable_scope(scope or "bidirectional_rnn"):
        with _vs.variable_scope("fw") as fw_scope:
            output_fw, state_fw = static_rnn(cell_fw, inputs, initial_state_fw, dtype, sequence_length,
                                             scope=fw_scope)
        with _vs.variable_scope("bw") as bw_scope:
            reversed_inputs = _reverse_seq(inputs, sequence_length)
            tmp, state_bw = static_rnn(cell_bw, reversed_inputs, initial_state_bw, dtype, sequence_length,
                                       scope=bw_scope)
    output_bw = _reverse_seq(tmp, sequence_length)
    flat = [array_ops.concat([fw, bw], 1) for fw, bw in zip(flatten(output_fw), flatten(output_bw))]
    return pack_sequence_as(output_fw, flat), state_fw, state_bw


# -- dynamic_rnn ----------------------------------------------------------------------------------

def _transpose_batch_time(x):
    # [batch, time, ...] <-> [time, batch, ...], keeping what is known of the static shape.
    static = x.shape
    if static.rank is not None and static.rank < 2:
        return x
    perm = array_ops.concat(([1, 0], array_ops.range(2, array_ops.rank(x))), axis=0)
    out = array_ops.transpose(x, perm)
    if static.rank is not None:
        dims = static.as_list()
        out.set_shape([dims[1], dims[0], *dims[2:]])
    return out


def _batch_size_of(flat_input):
    # The static batch size (axis 1 of time-major inputs) when known, else a shape tensor.
    for x in flat_input:
        rank = x.shape.rank
        if rank is None:
            continue
        if rank < 2:
            raise ValueError(f"Input tensor should have rank >= 2. Received input={x!r} of rank {rank}")
        size = x.shape.dims[1]
        if size is not None:
            return int(size)
    return array_ops.shape(flat_input[0])[1]


def _check_sequence_length(sequence_length, batch_size):
    # TF asserts shape(sequence_length) == [batch_size] before the loop reads it.
    from ortflow.api import control_flow_ops

    seq_shape = array_ops.shape(sequence_length)
    # TF's stack of a constant list is one Const (named after the stack), else a Pack.
    packed = constant([batch_size], name="stack") if isinstance(batch_size, int) else array_ops.stack([batch_size])
    check = control_flow_ops.Assert(
        math_ops.reduce_all(math_ops.equal(seq_shape, packed)),
        [f"Expected shape for Tensor {sequence_length.name} is ", packed, " but saw shape: ", seq_shape])
    mark_control_inputs([check])
    with get_default_graph().control_dependencies([check]):
        return array_ops.identity(sequence_length, name="CheckSeqLen")


def dynamic_rnn(cell, inputs, sequence_length=None, initial_state=None, dtype=None, parallel_iterations=None,
                swap_memory=False, time_major=False, scope=None):
    """Runs `cell` over the time axis of `inputs` in a `while_loop` (TF 1.x's dynamic_rnn).

    Args:
        cell: an RNNCell.
        inputs: `[batch, time, ...]` (`[time, batch, ...]` with `time_major`), or a nested
            structure of such tensors.
        sequence_length: optional int vector `[batch]`: past it a row's outputs are zeros and
            its state is carried through.
        initial_state: the state to start from; else the cell's zero state of `dtype`.
        time_major: whether inputs and outputs are time major.
        scope: the variable scope (default "rnn").

    Returns:
        (outputs, state): outputs shaped as the inputs' time and batch axes plus the cell's
        output size, and the final state.

    Raises:
        TypeError: `cell` is not a cell.
        ValueError: neither `initial_state` nor `dtype`, a non-vector `sequence_length`, or
            input depths not known statically.
    """
    _check_cell("cell", cell)
    with _vs.variable_scope(scope or "rnn"):
        flat_input = [convert_to_tensor(x) for x in flatten(inputs)]
        if not time_major:
            flat_input = [_transpose_batch_time(x) for x in flat_input]
        parallel_iterations = parallel_iterations or 32
        if sequence_length is not None:
            sequence_length = math_ops.cast(sequence_length, _dtypes.int32)
            if sequence_length.shape.rank not in (None, 1):
                raise ValueError(f"Argument sequence_length must be a vector of length batch_size. "
                                 f"Received sequence_length={sequence_length!r} of shape: "
                                 f"{sequence_length.shape}")
            sequence_length = array_ops.identity(sequence_length, name="sequence_length")
        batch_size = _batch_size_of(flat_input)
        state = _initial_state(cell, initial_state, batch_size, dtype)
        if sequence_length is not None:
            sequence_length = _check_sequence_length(sequence_length, batch_size)
        inputs = pack_sequence_as(inputs, flat_input)
        outputs, final_state = _dynamic_rnn_loop(cell, inputs, state, parallel_iterations, swap_memory,
                                                 sequence_length, dtype)
        if not time_major:
            outputs = map_structure(_transpose_batch_time, outputs)
        return outputs, final_state


def _loop_input_shapes(flat_input):
    shapes = []
    for x in flat_input:
        shape = x.shape
        if shape.rank is not None and shape.rank < 3:
            raise ValueError(f"Inputs of dynamic_rnn must have rank >= 3 ([time, batch, depth...]); "
                             f"{x.name!r} has shape {shape}.")
        if shape.rank is None or not as_shape(shape.as_list()[2:]).is_fully_defined():
            raise ValueError(f"Input size (depth of inputs) must be accessible via shape inference, but saw "
                             f"value None for input={x.name!r}.")
        shapes.append(shape)
    steps, batch = shapes[0].as_list()[:2]
    for x, shape in zip(flat_input, shapes):
        if shape.as_list()[0] != steps:
            raise ValueError(f"Time steps is not the same for all the elements in the input in a batch. "
                             f"Received time steps={shape.as_list()[0]} for input={x.name!r}.")
        if shape.as_list()[1] != batch:
            raise ValueError(f"Batch_size is not the same for all the elements in the input. Received "
                             f"batch size={shape.as_list()[1]} for input={x.name!r}.")
    return shapes, steps, batch


def _dynamic_rnn_loop(cell, inputs, initial_state, parallel_iterations, swap_memory, sequence_length, dtype):
    # The loop itself: inputs unstacked into TensorArrays, one cell step per iteration, outputs
    # written to TensorArrays and stacked after the loop. Inputs are time major here.
    from ortflow.api import control_flow_ops as cf

    state = initial_state
    flat_input = flatten(inputs)
    flat_output_size = flatten(cell.output_size)
    time_steps = array_ops.shape(flat_input[0])[0]
    batch_size = _batch_size_of(flat_input)
    shapes, const_time_steps, const_batch_size = _loop_input_shapes(flat_input)
    state_dtype = _state_dtype(dtype, state)
    flat_zero = [array_ops.zeros(_shape_vector(batch_size, size), state_dtype) for size in flat_output_size]
    zero_output = pack_sequence_as(cell.output_size, flat_zero)
    if sequence_length is not None:
        math_ops.reduce_min(sequence_length)  # TF builds both; the step only needs the max
        max_sequence_length = math_ops.reduce_max(sequence_length)
    else:
        max_sequence_length = time_steps
    time = constant(0, dtype=_dtypes.int32, name="time")
    g = get_default_graph()
    with g.name_scope("dynamic_rnn") as base_name:
        pass

    def make_array(name, element_shape, dtype):
        return cf.TensorArray(dtype=dtype, size=time_steps, element_shape=element_shape,
                              tensor_array_name=base_name + name)

    output_ta = tuple(make_array(f"output_{i}", [const_batch_size, *as_shape(size).as_list()], state_dtype)
                      for i, size in enumerate(flat_output_size))
    input_ta = tuple(make_array(f"input_{i}", x.shape.as_list()[1:], x.dtype.base_dtype)
                     for i, x in enumerate(flat_input))
    input_ta = tuple(ta.unstack(x) for ta, x in zip(input_ta, flat_input))

    def time_step(time, output_ta_t, state):
        input_t = tuple(ta.read(time) for ta in input_ta)
        for x, shape in zip(input_t, shapes):
            x.set_shape(shape.as_list()[1:])
        input_t = pack_sequence_as(inputs, list(input_t))

        def call_cell():
            return cell(input_t, state)

        if sequence_length is not None:
            output, new_state = _rnn_step(time, sequence_length, zero_output, state, call_cell)
        else:
            output, new_state = call_cell()
        output_ta_t = tuple(ta.write(time, out) for ta, out in zip(output_ta_t, flatten(output)))
        return time + 1, output_ta_t, new_state

    loop_bound = math_ops.minimum(time_steps, math_ops.maximum(1, max_sequence_length))
    _, final_ta, final_state = cf.while_loop(
        cond=lambda time, *_: time < loop_bound, body=time_step, loop_vars=(time, output_ta, state),
        parallel_iterations=parallel_iterations, maximum_iterations=time_steps, swap_memory=swap_memory)
    final_outputs = []
    for ta, size in zip(final_ta, flat_output_size):
        out = ta.stack()
        out.set_shape(_static_shape([const_time_steps, const_batch_size], size))
        final_outputs.append(out)
    return pack_sequence_as(cell.output_size, final_outputs), final_state


def bidirectional_dynamic_rnn(cell_fw, cell_bw, inputs, sequence_length=None, initial_state_fw=None,
                              initial_state_bw=None, dtype=None, parallel_iterations=None, swap_memory=False,
                              time_major=False, scope=None):
    """A forward and a backward `dynamic_rnn` (scopes `bidirectional_rnn/fw`, `/bw`).

    The backward one reads the inputs reversed along time (each row over its own length when
    `sequence_length` is given); its outputs are reversed back.

    Returns:
        ((output_fw, output_bw), (output_state_fw, output_state_bw)).
    """
    _check_cell("cell_fw", cell_fw)
    _check_cell("cell_bw", cell_bw)
    time_axis, batch_axis = (0, 1) if time_major else (1, 0)

    def reverse(x):
        if sequence_length is not None:
            return array_ops.reverse_sequence(x, sequence_length, seq_axis=time_axis, batch_axis=batch_axis)
        return array_ops.reverse(x, axis=[time_axis])

    with _vs.variable_scope(scope or "bidirectional_rnn"):
        with _vs.variable_scope("fw") as fw_scope:
            output_fw, state_fw = dynamic_rnn(cell_fw, inputs, sequence_length, initial_state_fw, dtype,
                                              parallel_iterations, swap_memory, time_major, scope=fw_scope)
        with _vs.variable_scope("bw") as bw_scope:
            reversed_inputs = map_structure(reverse, inputs)
            tmp, state_bw = dynamic_rnn(cell_bw, reversed_inputs, sequence_length, initial_state_bw, dtype,
                                        parallel_iterations, swap_memory, time_major, scope=bw_scope)
    output_bw = reverse(tmp)
    return (output_fw, output_bw), (state_fw, state_bw)


# -- raw_rnn --------------------------------------------------------------------------------------

def raw_rnn(cell, loop_fn, parallel_iterations=None, swap_memory=False, scope=None):
    """A `while_loop` over `cell` whose inputs, stopping and emits come from `loop_fn` (TF 1.x).

    `loop_fn(time, cell_output, cell_state, loop_state)` returns `(finished, next_input,
    next_cell_state, emit_output, next_loop_state)`; it is called once with
    `cell_output=None` to get the initial values (then `next_cell_state` is the initial state
    and `emit_output` the emit structure, or None for the cell's output size). Rows that have
    finished emit zeros and keep their state. The loop runs until every row has finished.

    Returns:
        (emit_ta, final_state, final_loop_state): TensorArrays of the emits (in the emit
        structure), the final cell state, and the final loop state (None when `loop_fn` gave
        none at the start).

    Raises:
        TypeError: `cell` is not a cell, or `loop_fn` is not callable.
    """
    from ortflow.api import control_flow_ops as cf

    _check_cell("cell", cell)
    if not callable(loop_fn):
        raise TypeError(f"Argument `loop_fn` must be a callable. Received: {loop_fn!r}.")
    parallel_iterations = parallel_iterations or 32
    with _vs.variable_scope(scope or "rnn"):
        time = constant(0, dtype=_dtypes.int32)
        finished, next_input, initial_state, emit_structure, init_loop_state = loop_fn(time, None, None, None)
        loop_state = init_loop_state if init_loop_state is not None else constant(0, dtype=_dtypes.int32)
        flat_input = flatten(next_input)
        const_batch_size = _static_batch(flat_input[0])
        batch_size = const_batch_size if const_batch_size is not None else array_ops.shape(flat_input[0])[0]
        assert_same_structure(initial_state, cell.state_size)
        state = pack_sequence_as(initial_state, [convert_to_tensor(s) for s in flatten(initial_state)])
        emit_structure, sizes, kinds = _emit_facts(cell, emit_structure, state)
        emit_ta = pack_sequence_as(emit_structure, [
            cf.TensorArray(dtype=kind, dynamic_size=True, size=0, name=f"rnn_output_{i}",
                           element_shape=_emit_element_shape(const_batch_size, size))
            for i, (kind, size) in enumerate(zip(kinds, sizes))])
        zero_emit = pack_sequence_as(emit_structure, [array_ops.zeros(_shape_vector(batch_size, size), kind)
                                                      for size, kind in zip(sizes, kinds)])

        def condition(unused_time, elements_finished, *_):
            return math_ops.logical_not(math_ops.reduce_all(elements_finished))

        def body(time, elements_finished, current_input, emit_ta, state, loop_state):
            next_output, cell_state = cell(current_input, state)
            assert_same_structure(state, cell_state)
            assert_same_structure(cell.output_size, next_output)
            next_time = time + 1
            next_finished, next_input, next_state, emit_output, next_loop_state = loop_fn(
                next_time, next_output, cell_state, loop_state)
            assert_same_structure(state, next_state)
            assert_same_structure(current_input, next_input)
            assert_same_structure(emit_ta, emit_output)
            loop_state = loop_state if next_loop_state is None else next_loop_state

            def keep_finished(current, candidate):
                if type(current).__name__ == "TensorArray" or current.shape.rank == 0:
                    return candidate
                with get_default_graph().colocate_with(candidate.op):
                    return array_ops.where(elements_finished, current, candidate)

            emit_output = map_structure(keep_finished, zero_emit, emit_output)
            next_state = map_structure(keep_finished, state, next_state)
            emit_ta = map_structure(lambda ta, emit: ta.write(time, emit), emit_ta, emit_output)
            elements_finished = math_ops.logical_or(elements_finished, next_finished)
            return next_time, elements_finished, next_input, emit_ta, next_state, loop_state

        returned = cf.while_loop(condition, body,
                                 loop_vars=[time, finished, next_input, emit_ta, state, loop_state],
                                 parallel_iterations=parallel_iterations, swap_memory=swap_memory)
        emit_ta, final_state, final_loop_state = returned[-3:]
        return emit_ta, final_state, (None if init_loop_state is None else final_loop_state)


def _emit_facts(cell, emit_structure, state):
    # The emit structure with each component's size (a static shape or a shape tensor) and dtype.
    if emit_structure is None:
        emit_structure = cell.output_size
        sizes = flatten(emit_structure)
        return emit_structure, sizes, [flatten(state)[0].dtype.base_dtype] * len(sizes)
    flat = flatten(emit_structure)
    sizes = [e.shape if e.shape.is_fully_defined() else array_ops.shape(e) for e in flat]
    return emit_structure, sizes, [e.dtype.base_dtype for e in flat]


def _emit_element_shape(const_batch_size, size):
    # A size known only at run time leaves the element shape unknown, as in TF.
    if isinstance(size, Tensor):
        return None
    return [const_batch_size, *as_shape(size).as_list()]
