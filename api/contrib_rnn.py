"""`tf.contrib.rnn` (TF 1.x): the RNN cells and static RNN functions ortflow has, by contrib's names,
plus contrib's own `LayerNormBasicLSTMCell`."""

from __future__ import annotations

from ortflow.api import array_ops, math_ops, nn
from ortflow.api import initializers as _init
from ortflow.api import variable_scope as _vs
from ortflow.api.contrib_layers import layer_norm
from ortflow.api.rnn import static_bidirectional_rnn, static_rnn
from ortflow.api.rnn_cell import (
    BasicLSTMCell,
    BasicRNNCell,
    DeviceWrapper,
    DropoutWrapper,
    GRUCell,
    LayerRNNCell,
    LSTMCell,
    LSTMStateTuple,
    MultiRNNCell,
    ResidualWrapper,
    RNNCell,
)

__all__ = [
    "BasicLSTMCell",
    "BasicRNNCell",
    "DeviceWrapper",
    "DropoutWrapper",
    "GRUCell",
    "LSTMCell",
    "LSTMStateTuple",
    "LayerNormBasicLSTMCell",
    "LayerRNNCell",
    "MultiRNNCell",
    "RNNCell",
    "ResidualWrapper",
    "static_bidirectional_rnn",
    "static_rnn",
]


class LayerNormBasicLSTMCell(RNNCell):
    """A basic LSTM with layer normalization of each gate and of the new cell state, and recurrent
    dropout of the candidate (contrib's cell, TF 1.15).

    Variables, in the cell's scope: `kernel` [input + units, 4 * units] (gates i, j, f, o);
    `bias` [4 * units] only when `layer_norm` is False; and, with `layer_norm`, `gamma` and
    `beta` [units] under `input`, `transform`, `forget`, `output` and `state`.
    """

    def __init__(self, num_units, forget_bias=1.0, input_size=None, activation=math_ops.tanh, layer_norm=True,
                 norm_gain=1.0, norm_shift=0.0, dropout_keep_prob=1.0, dropout_prob_seed=None, reuse=None):
        super().__init__(_reuse=reuse)
        self._num_units = int(num_units)
        self._activation = activation
        self._forget_bias = forget_bias
        self._keep_prob = dropout_keep_prob
        self._seed = dropout_prob_seed
        self._layer_norm = layer_norm
        self._norm_gain, self._norm_shift = norm_gain, norm_shift

    @property
    def state_size(self):
        return LSTMStateTuple(self._num_units, self._num_units)

    @property
    def output_size(self):
        return self._num_units

    def _norm(self, x, scope: str):
        # The gain and shift are made first with this cell's initial values, then layer_norm
        # picks them up by reusing the scope (as contrib does).
        shape = x.shape.as_list()[-1:]
        dtype = x.dtype.base_dtype
        with _vs.variable_scope(scope):
            _vs.get_variable("gamma", shape=shape, dtype=dtype, initializer=_init.Constant(self._norm_gain))
            _vs.get_variable("beta", shape=shape, dtype=dtype, initializer=_init.Constant(self._norm_shift))
        return layer_norm(x, reuse=True, scope=scope)

    def _gates(self, args):
        dtype = args.dtype.base_dtype
        kernel = _vs.get_variable("kernel", [args.shape.as_list()[-1], 4 * self._num_units], dtype=dtype)
        out = math_ops.matmul(args, kernel)
        if not self._layer_norm:
            out = nn.bias_add(out, _vs.get_variable("bias", [4 * self._num_units], dtype=dtype))
        return out

    def call(self, inputs, state):
        c, h = state
        i, j, f, o = array_ops.split(self._gates(array_ops.concat([inputs, h], 1)), 4, axis=1)
        if self._layer_norm:
            i, j = self._norm(i, "input"), self._norm(j, "transform")
            f, o = self._norm(f, "forget"), self._norm(o, "output")
        candidate = self._activation(j)
        if not isinstance(self._keep_prob, float) or self._keep_prob < 1:
            candidate = nn.dropout(candidate, self._keep_prob, seed=self._seed)
        new_c = c * math_ops.sigmoid(f + self._forget_bias) + math_ops.sigmoid(i) * candidate
        if self._layer_norm:
            new_c = self._norm(new_c, "state")
        new_h = self._activation(new_c) * math_ops.sigmoid(o)
        return new_h, LSTMStateTuple(new_c, new_h)
