"""`tf.nn.rnn_cell`: TF 1.x recurrent cells (BasicRNNCell, GRUCell, BasicLSTMCell, LSTMCell, ...).

The cells build the same variables as TensorFlow's legacy cells (same names under the cell's
variable scope, same shapes, gate order and initializers), so a checkpoint TensorFlow wrote for
an RNN restores into the graph ortflow builds. Each cell is a small "layer": on its first call it
captures a variable scope named after the class (`basic_lstm_cell`, made unique as TF does),
creates its variables in `build`, and later calls reuse them, with ops placed under the scope's
original name scope (`rnn/basic_lstm_cell/MatMul_1`, ...).

Nested state (an `LSTMStateTuple`, a tuple of states of a MultiRNNCell) is handled by the small
`flatten` / `pack_sequence_as` / `map_structure` helpers of `ortflow.api.rnn`.
"""

from __future__ import annotations

import collections
import hashlib
import numbers
import re

from ortflow.api import array_ops, math_ops
from ortflow.api import variable_scope as _vs
from ortflow.api.layers_base import _capture_scope
from ortflow.api.ops_builder import constant, convert_to_tensor
from ortflow.api.rnn import (
    _children,
    _rebuild,
    assert_same_structure,
    flatten,
    is_nested,
    map_structure,
    pack_sequence_as,
    zero_state_tensors,
)
from ortflow.formats import dtypes as _dtypes
from ortflow.graph import get_default_graph
from ortflow.graph.tensor_shape import TensorShape, as_shape

__all__ = [
    "BasicLSTMCell",
    "BasicRNNCell",
    "DeviceWrapper",
    "DropoutWrapper",
    "GRUCell",
    "LSTMCell",
    "LSTMStateTuple",
    "LayerRNNCell",
    "MultiRNNCell",
    "RNNCell",
    "ResidualWrapper",
]

_KERNEL = "kernel"
_BIAS = "bias"


# -- state tuples and zero states ----------------------------------------------------------------

_LSTMStateTupleBase = collections.namedtuple("LSTMStateTuple", ("c", "h"))


class LSTMStateTuple(_LSTMStateTupleBase):
    """An LSTM state `(c, h)`: the memory cell and the output, in that order."""

    __slots__ = ()

    @property
    def dtype(self):
        c, h = self
        if c.dtype != h.dtype:
            raise TypeError(f"Inconsistent dtypes for internal state: {c.dtype} vs {h.dtype}")
        return c.dtype


def _to_snake_case(name: str) -> str:
    # "BasicLSTMCell" -> "basic_lstm_cell", the layer-name rule of TF's layers (a leading
    # underscore gets a "private" prefix there too).
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    name = re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()
    return name if name[0] != "_" else "private" + name


_ACTIVATIONS = {
    "tanh": math_ops.tanh,
    "sigmoid": math_ops.sigmoid,
    "linear": lambda x: x,
}


def _activation(activation):
    if not activation:
        return math_ops.tanh
    if callable(activation):
        return activation
    if activation in _ACTIVATIONS:
        return _ACTIVATIONS[activation]
    from ortflow.api import nn

    fn = getattr(nn, activation, None)
    if fn is None:
        raise ValueError(f"Unknown activation function: {activation!r}.")
    return fn


def _check_float(dtype) -> None:
    if dtype is None:
        return
    dtype = _dtypes.as_dtype(dtype)
    if not (dtype.is_floating or dtype.is_complex):
        raise ValueError(f"RNN cell only supports floating point inputs, but received dtype: {dtype.name}")


# -- the cells -------------------------------------------------------------------------------------

class RNNCell:
    """An RNN cell: `(output, new_state) = cell(inputs, state)`.

    Subclasses give `state_size`, `output_size` and `call(inputs, state)`; cells with weights
    derive from `LayerRNNCell` and create them in `build(input_shape)` with `add_weight`.
    """

    def __init__(self, trainable=True, name=None, dtype=None, _reuse=None, **kwargs):
        self.trainable = trainable
        self._reuse = _reuse
        self._dtype = None if dtype is None else _dtypes.as_dtype(dtype)
        self._base_name = name.name if isinstance(name, _vs.VariableScope) else (
            name or _to_snake_case(type(self).__name__))
        self._name = self._base_name
        self._scope = None  # the variable scope captured on the first call
        self._rnncell_scope = None
        self.built = False
        self._trainable_weights: list = []
        self._non_trainable_weights: list = []

    @property
    def name(self) -> str:
        return self._name

    @property
    def dtype(self):
        return self._dtype

    @property
    def scope_name(self) -> str:
        if self._scope is None:
            raise ValueError(f"No name available for layer scope because the layer {self._name!r} has not "
                             f"been used yet; the scope is set on the first call.")
        return self._scope.name

    @property
    def state_size(self):
        raise NotImplementedError("Abstract method")

    @property
    def output_size(self):
        raise NotImplementedError("Abstract method")

    @property
    def trainable_weights(self) -> list:
        return list(self._trainable_weights) if self.trainable else []

    @property
    def non_trainable_weights(self) -> list:
        extra = [] if self.trainable else list(self._trainable_weights)
        return extra + list(self._non_trainable_weights)

    @property
    def weights(self) -> list:
        return self.trainable_weights + self.non_trainable_weights

    variables = weights
    trainable_variables = trainable_weights

    def __call__(self, inputs, state, scope=None):
        """Runs the cell on `inputs` from `state`; returns `(output, new_state)`.

        As TF's RNNCell: with no `scope`, the variable scope current at the first call is
        re-entered on every call (that opens a name scope after its last component).
        """
        if scope is not None:
            with _vs.variable_scope(scope) as opened:
                return self._layer_call(inputs, state, scope=opened)
        if self._rnncell_scope is None:
            self._rnncell_scope = _vs.get_variable_scope()
        with _vs.variable_scope(self._rnncell_scope):
            return self._layer_call(inputs, state)

    def _set_scope(self, scope=None) -> None:
        if self._scope is None:
            self._scope = _capture_scope(scope, self._base_name, self._reuse)

    def _layer_call(self, inputs, state, scope=None):
        # The layer part: a variable scope of the layer's own, built on the first call, reused
        # after; ops go under the scope's original name scope.
        self._set_scope(scope)
        inputs = convert_to_tensor(inputs) if not is_nested(inputs) else inputs
        reuse = True if self.built else self._reuse
        g = get_default_graph()
        with _vs.variable_scope(self._scope, reuse=reuse, auxiliary_name_scope=False) as current, \
                g.name_scope(self._scope.original_name_scope):
            self._current_scope = current
            if not self.built:
                first = flatten(inputs)[0]
                if self._dtype is None:
                    self._dtype = first.dtype.base_dtype
                if isinstance(self, LayerRNNCell):
                    _check_float(self._dtype)
                self.build(first.shape)
                self.built = True
            return self.call(inputs, state)

    def build(self, input_shape) -> None:
        self.built = True

    def call(self, inputs, state):
        raise NotImplementedError("Abstract method")

    def add_weight(self, name, shape, dtype=None, initializer=None, trainable=True, partitioner=None):
        """Gets or creates variable `name` in the cell's variable scope."""
        if partitioner is not None:
            raise NotImplementedError("partitioned RNN cell weights are not supported by ortflow")
        dtype = dtype or self._dtype or _dtypes.float32
        if initializer is None:
            initializer = self._current_scope.initializer
        # Made inside a cond or while body, the variable still lands outside it, as in TF:
        # variable creation opens control_dependencies(None), which leaves control-flow contexts.
        with _vs.variable_scope(self._scope, reuse=self.built or self._reuse, auxiliary_name_scope=False):
            var = _vs.get_variable(name, shape=shape, dtype=dtype, initializer=initializer,
                                   trainable=trainable and self.trainable)
        (self._trainable_weights if trainable and self.trainable else self._non_trainable_weights).append(var)
        return var

    add_variable = add_weight

    def get_initial_state(self, inputs=None, batch_size=None, dtype=None):
        """The zero state, its batch size and dtype taken from `inputs` when given."""
        if inputs is not None:
            inputs = convert_to_tensor(inputs, name="inputs")
            dims = inputs.shape.dims
            static = dims[0] if dims else None
            batch_size = static if static is not None else array_ops.shape(inputs)[0]
            dtype = inputs.dtype
        if batch_size is None or dtype is None:
            raise ValueError(f"batch_size and dtype cannot be None while constructing initial state: "
                             f"batch_size={batch_size}, dtype={dtype}")
        return self.zero_state(batch_size, dtype)

    def zero_state(self, batch_size, dtype):
        """Zero-filled state(s) `[batch_size, s]` for each `s` in `state_size`."""
        with get_default_graph().name_scope(type(self).__name__ + "ZeroState"):
            return zero_state_tensors(self.state_size, batch_size, dtype)


class LayerRNNCell(RNNCell):
    """A cell whose variables are made in `build`: calling it goes straight to the layer part."""

    def __call__(self, inputs, state, scope=None):
        return self._layer_call(inputs, state, scope=scope)


def _input_depth(input_shape) -> int:
    shape = as_shape(input_shape)
    depth = shape.dims[-1] if shape.rank else None
    if depth is None:
        raise ValueError(f"Expected inputs.shape[-1] to be known, received shape: {shape}")
    return int(depth)


def _check_rank2(inputs) -> None:
    rank = inputs.shape.rank
    if rank is not None and rank != 2:
        raise ValueError(f"RNN cell inputs must have rank 2 ([batch, depth]), got shape {inputs.shape}.")


class _SingleStateCell(LayerRNNCell):
    """A cell whose state and output are both one [batch, num_units] tensor."""

    def __init__(self, num_units, activation=None, reuse=None, name=None, dtype=None, **kwargs):
        super().__init__(_reuse=reuse, name=name, dtype=dtype, **kwargs)
        _check_float(self._dtype)
        self._num_units = int(num_units)
        self._activation = _activation(activation)

    @property
    def state_size(self):
        return self._num_units

    @property
    def output_size(self):
        return self._num_units


class BasicRNNCell(_SingleStateCell):
    """output = new_state = activation(concat([inputs, state]) @ kernel + bias).

    Variables: `kernel` [input_depth + num_units, num_units], `bias` [num_units] (zeros).
    """

    def build(self, input_shape):
        depth = _input_depth(input_shape)
        self._kernel = self.add_weight(_KERNEL, [depth + self._num_units, self._num_units])
        self._bias = self.add_weight(_BIAS, [self._num_units],
                                     initializer=_zeros_initializer(self._dtype))

    def call(self, inputs, state):
        _check_rank2(inputs)
        _check_float(inputs.dtype)
        gates = math_ops.matmul(array_ops.concat([inputs, state], 1), self._kernel)
        output = self._activation(math_ops.bias_add(gates, self._bias))
        return output, output


def _zeros_initializer(dtype):
    from ortflow.api.initializers import zeros_initializer

    return zeros_initializer(dtype=dtype or _dtypes.float32)


def _get_initializer(identifier):
    # An initializer instance, class or name ("orthogonal", ...), as the cells' arguments take.
    from ortflow.api.initializers import get

    return get(identifier)


def _constant_initializer(value, dtype):
    from ortflow.api.initializers import constant_initializer

    return constant_initializer(value, dtype=dtype or _dtypes.float32)


class GRUCell(_SingleStateCell):
    """Gated recurrent unit (Cho et al., 2014), TF 1.x variant.

    Variables: `gates/kernel` [depth + units, 2 * units] and `gates/bias` (ones unless
    `bias_initializer`), `candidate/kernel` [depth + units, units] and `candidate/bias` (zeros).
    Gates `r, u = split(sigmoid(...), 2)`; new_h = u * h + (1 - u) * act(candidate).
    """

    def __init__(self, num_units, activation=None, reuse=None, kernel_initializer=None,
                 bias_initializer=None, name=None, dtype=None, **kwargs):
        super().__init__(num_units, activation=activation, reuse=reuse, name=name, dtype=dtype, **kwargs)
        self._kernel_initializer = _get_initializer(kernel_initializer)
        self._bias_initializer = _get_initializer(bias_initializer)

    def build(self, input_shape):
        depth = _input_depth(input_shape)
        units = self._num_units
        bias_init = self._bias_initializer
        self._gate_kernel = self.add_weight(f"gates/{_KERNEL}", [depth + units, 2 * units],
                                            initializer=self._kernel_initializer)
        self._gate_bias = self.add_weight(f"gates/{_BIAS}", [2 * units], initializer=(
            bias_init if bias_init is not None else _constant_initializer(1.0, self._dtype)))
        self._candidate_kernel = self.add_weight(f"candidate/{_KERNEL}", [depth + units, units],
                                                 initializer=self._kernel_initializer)
        self._candidate_bias = self.add_weight(f"candidate/{_BIAS}", [units], initializer=(
            bias_init if bias_init is not None else _zeros_initializer(self._dtype)))

    def call(self, inputs, state):
        _check_rank2(inputs)
        _check_float(inputs.dtype)
        gates = math_ops.matmul(array_ops.concat([inputs, state], 1), self._gate_kernel)
        value = math_ops.sigmoid(math_ops.bias_add(gates, self._gate_bias))
        r, u = array_ops.split(value, 2, axis=1)
        candidate = math_ops.matmul(array_ops.concat([inputs, r * state], 1), self._candidate_kernel)
        c = self._activation(math_ops.bias_add(candidate, self._candidate_bias))
        new_h = u * state + (1 - u) * c
        return new_h, new_h


class BasicLSTMCell(LayerRNNCell):
    """LSTM without peepholes, clipping or projection (Zaremba et al., 2014).

    Variables: `kernel` [depth + units, 4 * units], `bias` [4 * units] (zeros). Gate order
    `i, j, f, o`: c' = c * sigmoid(f + forget_bias) + sigmoid(i) * act(j), h' = act(c') * sigmoid(o).
    """

    def __init__(self, num_units, forget_bias=1.0, state_is_tuple=True, activation=None, reuse=None,
                 name=None, dtype=None, **kwargs):
        super().__init__(_reuse=reuse, name=name, dtype=dtype, **kwargs)
        _check_float(self._dtype)
        self._num_units = int(num_units)
        self._forget_bias = forget_bias
        self._state_is_tuple = state_is_tuple
        self._activation = _activation(activation)

    @property
    def state_size(self):
        units = self._num_units
        return LSTMStateTuple(units, units) if self._state_is_tuple else 2 * units

    @property
    def output_size(self):
        return self._num_units

    def build(self, input_shape):
        depth = _input_depth(input_shape)
        self._kernel = self.add_weight(_KERNEL, [depth + self._num_units, 4 * self._num_units])
        self._bias = self.add_weight(_BIAS, [4 * self._num_units], initializer=_zeros_initializer(self._dtype))

    def call(self, inputs, state):
        _check_rank2(inputs)
        _check_float(inputs.dtype)
        one = constant(1, dtype=_dtypes.int32)
        if self._state_is_tuple:
            c, h = state
        else:
            c, h = array_ops.split(state, 2, axis=one)
        gates = math_ops.matmul(array_ops.concat([inputs, h], 1), self._kernel)
        gates = math_ops.bias_add(gates, self._bias)
        i, j, f, o = array_ops.split(gates, 4, axis=one)
        forget_bias = constant(self._forget_bias, dtype=f.dtype.base_dtype)
        sigmoid, add, multiply = math_ops.sigmoid, math_ops.add, math_ops.multiply
        new_c = add(multiply(c, sigmoid(add(f, forget_bias))), multiply(sigmoid(i), self._activation(j)))
        new_h = multiply(self._activation(new_c), sigmoid(o))
        new_state = LSTMStateTuple(new_c, new_h) if self._state_is_tuple else array_ops.concat([new_c, new_h], 1)
        return new_h, new_state


class LSTMCell(LayerRNNCell):
    """LSTM with optional peepholes, cell clipping and a projection layer (Hochreiter 1997; Sak 2014).

    Variables: `kernel` [depth + (num_proj or units), 4 * units], `bias` [4 * units] (zeros),
    with `use_peepholes` `w_f_diag`, `w_i_diag`, `w_o_diag` [units], with `num_proj`
    `projection/kernel` [units, num_proj]. Gate order `i, j, f, o`.
    """

    def __init__(self, num_units, use_peepholes=False, cell_clip=None, initializer=None, num_proj=None,
                 proj_clip=None, num_unit_shards=None, num_proj_shards=None, forget_bias=1.0,
                 state_is_tuple=True, activation=None, reuse=None, name=None, dtype=None, **kwargs):
        super().__init__(_reuse=reuse, name=name, dtype=dtype, **kwargs)
        _check_float(self._dtype)
        if num_unit_shards is not None or num_proj_shards is not None:
            raise NotImplementedError("LSTMCell: num_unit_shards/num_proj_shards (sharded weights) are not "
                                      "supported by ortflow; use a variable scope partitioner-free graph")
        self._num_units = int(num_units)
        self._use_peepholes = use_peepholes
        self._cell_clip = cell_clip
        self._initializer = _get_initializer(initializer)
        self._num_proj = num_proj
        self._proj_clip = proj_clip
        self._forget_bias = forget_bias
        self._state_is_tuple = state_is_tuple
        self._activation = _activation(activation)
        out = num_proj if num_proj else num_units
        self._state_size = LSTMStateTuple(num_units, out) if state_is_tuple else num_units + out
        self._output_size = out

    @property
    def state_size(self):
        return self._state_size

    @property
    def output_size(self):
        return self._output_size

    def build(self, input_shape):
        depth = _input_depth(input_shape)
        units = self._num_units
        h_depth = units if self._num_proj is None else self._num_proj
        init = self._initializer
        self._kernel = self.add_weight(_KERNEL, [depth + h_depth, 4 * units], initializer=init)
        self._bias = self.add_weight(_BIAS, [4 * units], initializer=_zeros_initializer(self._dtype))
        if self._use_peepholes:
            self._w_f_diag = self.add_weight("w_f_diag", [units], initializer=init)
            self._w_i_diag = self.add_weight("w_i_diag", [units], initializer=init)
            self._w_o_diag = self.add_weight("w_o_diag", [units], initializer=init)
        if self._num_proj is not None:
            self._proj_kernel = self.add_weight(f"projection/{_KERNEL}", [units, self._num_proj], initializer=init)

    def call(self, inputs, state):
        _check_rank2(inputs)
        _check_float(inputs.dtype)
        num_proj = self._num_units if self._num_proj is None else self._num_proj
        if self._state_is_tuple:
            c_prev, m_prev = state
        else:
            c_prev = array_ops.slice(state, [0, 0], [-1, self._num_units])
            m_prev = array_ops.slice(state, [0, self._num_units], [-1, num_proj])
        _input_depth(inputs.shape)
        lstm_matrix = math_ops.matmul(array_ops.concat([inputs, m_prev], 1), self._kernel)
        lstm_matrix = math_ops.bias_add(lstm_matrix, self._bias)
        i, j, f, o = array_ops.split(lstm_matrix, 4, axis=1)
        sigmoid, act = math_ops.sigmoid, self._activation
        if self._use_peepholes:
            c = (sigmoid(f + self._forget_bias + self._w_f_diag * c_prev) * c_prev
                 + sigmoid(i + self._w_i_diag * c_prev) * act(j))
        else:
            c = sigmoid(f + self._forget_bias) * c_prev + sigmoid(i) * act(j)
        if self._cell_clip is not None:
            c = math_ops.clip_by_value(c, -self._cell_clip, self._cell_clip)
        if self._use_peepholes:
            m = sigmoid(o + self._w_o_diag * c) * act(c)
        else:
            m = sigmoid(o) * act(c)
        if self._num_proj is not None:
            m = math_ops.matmul(m, self._proj_kernel)
            if self._proj_clip is not None:
                m = math_ops.clip_by_value(m, -self._proj_clip, self._proj_clip)
        new_state = LSTMStateTuple(c, m) if self._state_is_tuple else array_ops.concat([c, m], 1)
        return m, new_state


class MultiRNNCell(RNNCell):
    """Cells applied in sequence, each in variable scope `cell_<i>`; the state is a tuple of theirs."""

    def __init__(self, cells, state_is_tuple=True):
        super().__init__()
        if not cells:
            raise ValueError("Must specify at least one cell for MultiRNNCell.")
        if not is_nested(cells):
            raise TypeError(f"cells must be a list or tuple, but received: {cells!r}.")
        self._cells = list(cells)
        self._state_is_tuple = state_is_tuple
        if not state_is_tuple and any(is_nested(c.state_size) for c in self._cells):
            raise ValueError(f"Some cells return tuples of states, but the flag state_is_tuple is not set. "
                             f"State sizes are: {[c.state_size for c in self._cells]}")

    @property
    def state_size(self):
        if self._state_is_tuple:
            return tuple(cell.state_size for cell in self._cells)
        return sum(cell.state_size for cell in self._cells)

    @property
    def output_size(self):
        return self._cells[-1].output_size

    @property
    def trainable_weights(self) -> list:
        return [w for cell in self._cells for w in cell.trainable_weights] if self.trainable else []

    @property
    def non_trainable_weights(self) -> list:
        return [w for cell in self._cells for w in cell.non_trainable_weights]

    def zero_state(self, batch_size, dtype):
        with get_default_graph().name_scope(type(self).__name__ + "ZeroState"):
            if self._state_is_tuple:
                return tuple(cell.zero_state(batch_size, dtype) for cell in self._cells)
            return super().zero_state(batch_size, dtype)

    def call(self, inputs, state):
        position = 0
        current = inputs
        new_states = []
        for i, cell in enumerate(self._cells):
            with _vs.variable_scope(f"cell_{i}"):
                if self._state_is_tuple:
                    if not is_nested(state):
                        raise ValueError(f"Expected state to be a tuple of length {len(self.state_size)}, "
                                         f"but received: {state!r}")
                    cell_state = state[i]
                else:
                    cell_state = array_ops.slice(state, [0, position], [-1, cell.state_size])
                    position += cell.state_size
                current, new_state = cell(current, cell_state)
                new_states.append(new_state)
        return current, (tuple(new_states) if self._state_is_tuple else array_ops.concat(new_states, 1))


# -- wrappers --------------------------------------------------------------------------------------

class _Wrapper(RNNCell):
    """A cell around another: no scope of its own, the wrapped cell is called directly."""

    def __init__(self, cell, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not (hasattr(cell, "output_size") and hasattr(cell, "state_size") and callable(cell)):
            raise TypeError(f"The argument 'cell' ({cell!r}) is not an RNNCell: 'output_size' property "
                            f"is missing, 'state_size' property is missing or it is not callable.")
        self.cell = cell

    @property
    def wrapped_cell(self):
        return self.cell

    @property
    def state_size(self):
        return self.cell.state_size

    @property
    def output_size(self):
        return self.cell.output_size

    @property
    def trainable_weights(self) -> list:
        return self.cell.trainable_weights

    @property
    def non_trainable_weights(self) -> list:
        return self.cell.non_trainable_weights

    def zero_state(self, batch_size, dtype):
        with get_default_graph().name_scope(type(self).__name__ + "ZeroState"):
            return self.cell.zero_state(batch_size, dtype)

    def __call__(self, inputs, state, scope=None):
        return self._call_wrapped_cell(inputs, state, self.cell.__call__, scope=scope)

    def _call_wrapped_cell(self, inputs, state, cell_call_fn, **kwargs):
        raise NotImplementedError("Abstract method")


def _default_dropout_filter(substate):
    # Dropout never touches an LSTM's memory `c` (Gal & Ghahramani); TensorArrays are skipped.
    if isinstance(substate, LSTMStateTuple):
        return LSTMStateTuple(c=False, h=True)
    return type(substate).__name__ != "TensorArray"


class DropoutWrapper(_Wrapper):
    """Dropout on a cell's inputs, outputs and (filtered) new state.

    Keep probabilities are Python floats or scalar tensors; a constant 1 adds no op. With
    `variational_recurrent`, one noise draw per run is reused at every step (Gal & Ghahramani).
    Seeds per input/state/output component are derived from `seed` as TF derives them.
    """

    def __init__(self, cell, input_keep_prob=1.0, output_keep_prob=1.0, state_keep_prob=1.0,
                 variational_recurrent=False, input_size=None, dtype=None, seed=None,
                 dropout_state_filter_visitor=None, **kwargs):
        super().__init__(cell, dtype=dtype, **kwargs)
        if dropout_state_filter_visitor is not None and not callable(dropout_state_filter_visitor):
            raise TypeError(f"dropout_state_filter_visitor must be callable. "
                            f"Received: {dropout_state_filter_visitor!r}")
        self._dropout_state_filter = dropout_state_filter_visitor or _default_dropout_filter
        with get_default_graph().name_scope("DropoutWrapperInit"):
            for prob, attr in ((input_keep_prob, "input_keep_prob"), (state_keep_prob, "state_keep_prob"),
                               (output_keep_prob, "output_keep_prob")):
                setattr(self, f"_{attr}", _keep_prob(prob, attr))
        self._variational_recurrent = variational_recurrent
        self._seed = seed
        self._recurrent_input_noise = self._recurrent_state_noise = self._recurrent_output_noise = None
        if variational_recurrent:
            self._make_recurrent_noise(input_size, dtype)

    def _make_recurrent_noise(self, input_size, dtype) -> None:
        if dtype is None:
            raise ValueError("When variational_recurrent=True, dtype must be provided")
        from ortflow.api import random_ops

        def noise(salt):
            def draw(i, size):
                shape = array_ops.concat(([1], as_shape(size).as_list()), 0)
                return random_ops.random_uniform(shape, seed=self._gen_seed(salt, i), dtype=dtype)
            return draw

        if not isinstance(self._input_keep_prob, numbers.Real) or self._input_keep_prob < 1.0:
            if input_size is None:
                raise ValueError("When variational_recurrent=True and input_keep_prob < 1.0 or is unknown, "
                                 "input_size must be provided")
            self._recurrent_input_noise = _enumerated_map(input_size, noise("input"), input_size)
        self._recurrent_state_noise = _enumerated_map(self.cell.state_size, noise("state"), self.cell.state_size)
        self._recurrent_output_noise = _enumerated_map(self.cell.output_size, noise("output"),
                                                       self.cell.output_size)

    def _gen_seed(self, salt_prefix: str, index: int):
        # TF's rule: the first 8 hex digits of md5(str(seed) + salt), kept to 31 bits.
        if self._seed is None:
            return None
        digest = hashlib.md5(f"{self._seed}{salt_prefix}_{index}".encode()).hexdigest()
        return int(digest[:8], 16) & 0x7FFFFFFF

    def _dropout(self, values, salt, noise, keep_prob, filtered=None):
        filtered = values if filtered is None else filtered
        if not self._variational_recurrent:
            def one(i, do, v):
                if isinstance(do, bool) and not do:
                    return v
                from ortflow.api import nn

                return nn.dropout(v, rate=1.0 - keep_prob, seed=self._gen_seed(salt, i))
            return _enumerated_map(filtered, one, filtered, values)

        def variational(i, do, v, n):
            if isinstance(do, bool) and not do:
                return v
            binary = math_ops.floor(keep_prob + n)
            out = math_ops.divide(v, keep_prob) * binary
            out.set_shape(v.shape)
            return out
        return _enumerated_map(filtered, variational, filtered, values, noise)

    def _call_wrapped_cell(self, inputs, state, cell_call_fn, **kwargs):
        def should(p):
            return not isinstance(p, float) or p < 1

        if should(self._input_keep_prob):
            inputs = self._dropout(inputs, "input", self._recurrent_input_noise, self._input_keep_prob)
        output, new_state = cell_call_fn(inputs, state, **kwargs)
        if should(self._state_keep_prob):
            filtered = _traverse_shallow(self._dropout_state_filter, new_state)
            new_state = self._dropout(new_state, "state", self._recurrent_state_noise, self._state_keep_prob,
                                      filtered)
        if should(self._output_keep_prob):
            output = self._dropout(output, "output", self._recurrent_output_noise, self._output_keep_prob)
        return output, new_state


def _keep_prob(prob, attr: str):
    tensor = convert_to_tensor(prob)
    value = _constant_value(tensor)
    if value is None:
        return tensor
    if value < 0 or value > 1:
        raise ValueError(f"Parameter {attr} must be between 0 and 1. Received {value}")
    return float(value)


def _constant_value(tensor):
    if tensor.op.type != "Const":
        return None
    from ortflow.formats.tensors import make_ndarray

    return float(make_ndarray(tensor.op.get_attr("value")))


def _traverse_shallow(fn, structure):
    # The shallow structure of booleans saying where dropout applies. `fn` answers False (skip
    # this subtree), True (a leaf: apply; a structure: visit every child), or a one-level
    # structure of bools (visit the True children, skip the others).
    answer = fn(structure)
    if not is_nested(structure):
        if not isinstance(answer, bool):
            raise TypeError(f"The dropout state filter returned {answer!r} for the leaf {structure!r}; "
                            f"expected a bool.")
        return answer
    kids = _children(structure)
    if isinstance(answer, bool):
        if not answer:
            return False
        return _rebuild(structure, [_traverse_shallow(fn, k) for k in kids])
    flags = _children(answer) if is_nested(answer) else None
    if flags is None or len(flags) != len(kids) or not all(isinstance(f, bool) for f in flags):
        raise ValueError(f"The dropout state filter's answer {answer!r} does not match the structure "
                         f"{structure!r}: expected a bool or one bool per element.")
    return _rebuild(structure, [_traverse_shallow(fn, k) if flag else False for flag, k in zip(flags, kids)])


def _flatten_up_to(shallow, value) -> list:
    if not is_nested(shallow):
        return [value]
    out = []
    for s, v in zip(_children(shallow), _children(value)):
        out.extend(_flatten_up_to(s, v))
    return out


def _enumerated_map(shallow, fn, *structures):
    # fn(index, *leaves) over the leaves of `shallow` (deeper parts of the others stay whole).
    columns = [_flatten_up_to(shallow, s) for s in structures]
    results = [fn(i, *leaves) for i, leaves in enumerate(zip(*columns))]
    return pack_sequence_as(shallow, results) if is_nested(shallow) else results[0]


class ResidualWrapper(_Wrapper):
    """Adds the cell's inputs to its outputs (or applies `residual_fn(inputs, outputs)`)."""

    def __init__(self, cell, residual_fn=None, **kwargs):
        super().__init__(cell, **kwargs)
        self._residual_fn = residual_fn

    def _call_wrapped_cell(self, inputs, state, cell_call_fn, **kwargs):
        outputs, new_state = cell_call_fn(inputs, state, **kwargs)
        if self._residual_fn is not None:
            return self._residual_fn(inputs, outputs), new_state

        def add(inp, out):
            inp_shape, out_shape = TensorShape(inp.shape.dims), TensorShape(out.shape.dims)
            if not inp_shape.is_compatible_with(out_shape):
                raise ValueError(f"ResidualWrapper: the inputs' shape {inp_shape} does not match the "
                                 f"outputs' shape {out_shape}.")
            return inp + out

        assert_same_structure(inputs, outputs)
        return map_structure(add, inputs, outputs), new_state


class DeviceWrapper(_Wrapper):
    """Runs the wrapped cell (and builds its zero state) on `device`."""

    def __init__(self, cell, device, **kwargs):
        super().__init__(cell, **kwargs)
        self._device = device

    def zero_state(self, batch_size, dtype):
        g = get_default_graph()
        with g.name_scope(type(self).__name__ + "ZeroState"), g.device(self._device):
            return self.cell.zero_state(batch_size, dtype)

    def _call_wrapped_cell(self, inputs, state, cell_call_fn, **kwargs):
        with get_default_graph().device(self._device):
            return cell_call_fn(inputs, state, **kwargs)
