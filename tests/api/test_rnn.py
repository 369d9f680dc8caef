"""`tf.nn.rnn_cell` and `tf.nn.static_rnn` / `dynamic_rnn` without TensorFlow.

Values are checked against a numpy version of each cell's math (TF 1.x gate order `i, j, f, o`
for the LSTMs, `r, u` for the GRU), with weights loaded into the variables; names and shapes of
the variables are the ones TensorFlow 2.21 gives the same code (`test_rnn_interop.py` checks
them, and the values, against TF itself).
"""

from __future__ import annotations

import numpy as np
import ortflow as tf
import pytest
from ortflow.api import rnn_cell as rc_module

rc = tf.nn.rnn_cell
RNG = np.random.default_rng(3)
BATCH, TIME, DEPTH = 3, 4, 5
X = RNG.standard_normal((BATCH, TIME, DEPTH)).astype(np.float32)


@pytest.fixture(autouse=True)
def fresh_graph():
    g = tf.Graph()
    with g.as_default():
        yield g


def sigmoid(v):
    return 1 / (1 + np.exp(-v))


def _random_weights(sess):
    # Every variable gets reproducible random values (biases too, so their math is exercised).
    values = {}
    for v in tf.global_variables():
        value = RNG.uniform(-0.6, 0.6, v.shape.as_list()).astype(np.float32)
        v.load(value, sess)
        values[v.op.name] = value
    return values


def _run(fetches, feed=None):
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        weights = _random_weights(sess)
        return weights, sess.run(fetches, feed)


# -- numpy references -----------------------------------------------------------------------------

def np_basic_rnn(w, prefix, x, h, act=np.tanh):
    return act(np.concatenate([x, h], 1) @ w[f"{prefix}/kernel"] + w[f"{prefix}/bias"])


def np_gru(w, prefix, x, h):
    gates = sigmoid(np.concatenate([x, h], 1) @ w[f"{prefix}/gates/kernel"] + w[f"{prefix}/gates/bias"])
    r, u = np.split(gates, 2, axis=1)
    c = np.tanh(np.concatenate([x, r * h], 1) @ w[f"{prefix}/candidate/kernel"] + w[f"{prefix}/candidate/bias"])
    return u * h + (1 - u) * c


def np_lstm(w, prefix, x, c, h, forget_bias=1.0, peep=False, cell_clip=None, proj=False, proj_clip=None):
    i, j, f, o = np.split(np.concatenate([x, h], 1) @ w[f"{prefix}/kernel"] + w[f"{prefix}/bias"], 4, axis=1)
    if peep:
        new_c = (sigmoid(f + forget_bias + w[f"{prefix}/w_f_diag"] * c) * c
                 + sigmoid(i + w[f"{prefix}/w_i_diag"] * c) * np.tanh(j))
    else:
        new_c = sigmoid(f + forget_bias) * c + sigmoid(i) * np.tanh(j)
    if cell_clip is not None:
        new_c = np.clip(new_c, -cell_clip, cell_clip)
    out_gate = sigmoid(o + w[f"{prefix}/w_o_diag"] * new_c) if peep else sigmoid(o)
    m = out_gate * np.tanh(new_c)
    if proj:
        m = m @ w[f"{prefix}/projection/kernel"]
        if proj_clip is not None:
            m = np.clip(m, -proj_clip, proj_clip)
    return new_c, m


def _vars():
    return [(v.op.name, v.shape.as_list()) for v in tf.global_variables()]


# -- cells through static_rnn ---------------------------------------------------------------------

def test_basic_lstm_static_rnn_values_and_names():
    x = tf.placeholder(tf.float32, [None, TIME, DEPTH], name="x")
    outputs, state = tf.nn.static_rnn(rc.BasicLSTMCell(6, forget_bias=0.5), tf.unstack(x, axis=1),
                                      dtype=tf.float32)
    assert _vars() == [("rnn/basic_lstm_cell/kernel", [DEPTH + 6, 24]), ("rnn/basic_lstm_cell/bias", [24])]
    assert outputs[0].name == "rnn/basic_lstm_cell/Mul_2:0" and outputs[1].name == "rnn/basic_lstm_cell/Mul_5:0"
    assert isinstance(state, rc.LSTMStateTuple) and state.c.shape.as_list() == [None, 6]
    w, (outs, st) = _run([outputs, state], {x: X})
    c = h = np.zeros((BATCH, 6), np.float32)
    for t in range(TIME):
        c, h = np_lstm(w, "rnn/basic_lstm_cell", X[:, t], c, h, forget_bias=0.5)
        np.testing.assert_allclose(outs[t], h, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(st.c, c, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(st.h, h, rtol=1e-5, atol=1e-5)


def test_multi_cell_variables_and_values():
    x = tf.placeholder(tf.float32, [BATCH, TIME, DEPTH], name="x")
    cell = rc.MultiRNNCell([rc.BasicRNNCell(4), rc.GRUCell(3)])
    outputs, state = tf.nn.static_rnn(cell, tf.unstack(x, axis=1), dtype=tf.float32)
    assert _vars() == [
        ("rnn/multi_rnn_cell/cell_0/basic_rnn_cell/kernel", [DEPTH + 4, 4]),
        ("rnn/multi_rnn_cell/cell_0/basic_rnn_cell/bias", [4]),
        ("rnn/multi_rnn_cell/cell_1/gru_cell/gates/kernel", [7, 6]),
        ("rnn/multi_rnn_cell/cell_1/gru_cell/gates/bias", [6]),
        ("rnn/multi_rnn_cell/cell_1/gru_cell/candidate/kernel", [7, 3]),
        ("rnn/multi_rnn_cell/cell_1/gru_cell/candidate/bias", [3]),
    ]
    # As in TF, the MultiRNNCell re-enters the `rnn` scope: its ops sit under rnn/rnn/.
    assert outputs[0].op.name == "rnn/rnn/multi_rnn_cell/cell_1/gru_cell/add"
    w, (outs, st) = _run([outputs, state], {x: X})
    h0, h1 = np.zeros((BATCH, 4), np.float32), np.zeros((BATCH, 3), np.float32)
    for t in range(TIME):
        h0 = np_basic_rnn(w, "rnn/multi_rnn_cell/cell_0/basic_rnn_cell", X[:, t], h0)
        h1 = np_gru(w, "rnn/multi_rnn_cell/cell_1/gru_cell", h0, h1)
        np.testing.assert_allclose(outs[t], h1, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(st[0], h0, rtol=1e-5, atol=1e-5)


def test_initializers_zero_bias_and_gru_gate_bias_one():
    x = tf.placeholder(tf.float32, [2, DEPTH])
    rc.GRUCell(3)(x, tf.zeros([2, 3]))
    rc.BasicLSTMCell(2)(x, rc.LSTMStateTuple(tf.zeros([2, 2]), tf.zeros([2, 2])))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        values = {v.op.name: sess.run(v) for v in tf.global_variables()}
    np.testing.assert_array_equal(values["gru_cell/gates/bias"], np.ones(6))
    np.testing.assert_array_equal(values["gru_cell/candidate/bias"], np.zeros(3))
    np.testing.assert_array_equal(values["basic_lstm_cell/bias"], np.zeros(8))
    limit = np.sqrt(6 / (DEPTH + 2 + 8))  # glorot uniform over the kernel's fans
    kernel = values["basic_lstm_cell/kernel"]
    assert kernel.shape == (DEPTH + 2, 8) and np.abs(kernel).max() <= limit and np.abs(kernel).max() > 0


@pytest.mark.parametrize("kwargs", [
    {},
    {"use_peepholes": True},
    {"cell_clip": 0.2, "forget_bias": 0.3},
    {"num_proj": 2, "proj_clip": 0.1, "use_peepholes": True},
])
def test_lstm_cell_options(kwargs):
    x = tf.placeholder(tf.float32, [None, TIME, DEPTH], name="x")
    outputs, state = tf.nn.static_rnn(rc.LSTMCell(4, **kwargs), tf.unstack(x, axis=1), dtype=tf.float32)
    proj = kwargs.get("num_proj")
    names = dict(_vars())
    assert names["rnn/lstm_cell/kernel"] == [DEPTH + (proj or 4), 16]
    assert ("rnn/lstm_cell/w_f_diag" in names) == bool(kwargs.get("use_peepholes"))
    assert names.get("rnn/lstm_cell/projection/kernel") == ([4, proj] if proj else None)
    w, (outs, st) = _run([outputs, state], {x: X})
    c, h = np.zeros((BATCH, 4), np.float32), np.zeros((BATCH, proj or 4), np.float32)
    for t in range(TIME):
        c, h = np_lstm(w, "rnn/lstm_cell", X[:, t], c, h, forget_bias=kwargs.get("forget_bias", 1.0),
                       peep=kwargs.get("use_peepholes", False), cell_clip=kwargs.get("cell_clip"),
                       proj=bool(proj), proj_clip=kwargs.get("proj_clip"))
        np.testing.assert_allclose(outs[t], h, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(st.c, c, rtol=1e-5, atol=1e-5)


def test_concatenated_state_and_sequence_length():
    x = tf.placeholder(tf.float32, [None, TIME, DEPTH], name="x")
    lengths = tf.placeholder(tf.int32, [None], name="lengths")
    cell = rc.BasicLSTMCell(3, state_is_tuple=False)
    assert cell.state_size == 6
    outputs, state = tf.nn.static_rnn(cell, tf.unstack(x, axis=1), dtype=tf.float32, sequence_length=lengths)
    seq = np.array([4, 1, 0], np.int32)
    w, (outs, st) = _run([outputs, state], {x: X, lengths: seq})
    c = h = np.zeros((BATCH, 3), np.float32)
    for t in range(TIME):
        nc, nh = np_lstm(w, "rnn/basic_lstm_cell", X[:, t], c, h)
        live = (t < seq)[:, None]
        np.testing.assert_allclose(outs[t], np.where(live, nh, 0), rtol=1e-5, atol=1e-5)
        c, h = np.where(live, nc, c), np.where(live, nh, h)
    np.testing.assert_allclose(st, np.concatenate([c, h], 1), rtol=1e-5, atol=1e-5)


def test_static_bidirectional_rnn():
    x = tf.placeholder(tf.float32, [None, TIME, DEPTH], name="x")
    outputs, fw_state, bw_state = tf.nn.static_bidirectional_rnn(
        rc.GRUCell(2), rc.BasicRNNCell(3), tf.unstack(x, axis=1), dtype=tf.float32)
    assert [name for name, _ in _vars()] == [
        "bidirectional_rnn/fw/gru_cell/gates/kernel", "bidirectional_rnn/fw/gru_cell/gates/bias",
        "bidirectional_rnn/fw/gru_cell/candidate/kernel", "bidirectional_rnn/fw/gru_cell/candidate/bias",
        "bidirectional_rnn/bw/basic_rnn_cell/kernel", "bidirectional_rnn/bw/basic_rnn_cell/bias"]
    w, (outs, fw, bw) = _run([outputs, fw_state, bw_state], {x: X})
    h_fw, h_bw = np.zeros((BATCH, 2), np.float32), np.zeros((BATCH, 3), np.float32)
    fw_out, bw_out = [], [None] * TIME
    for t in range(TIME):
        h_fw = np_gru(w, "bidirectional_rnn/fw/gru_cell", X[:, t], h_fw)
        fw_out.append(h_fw)
    for t in reversed(range(TIME)):
        h_bw = np_basic_rnn(w, "bidirectional_rnn/bw/basic_rnn_cell", X[:, t], h_bw)
        bw_out[t] = h_bw
    for t in range(TIME):
        np.testing.assert_allclose(outs[t], np.concatenate([fw_out[t], bw_out[t]], 1), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(fw, h_fw, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(bw, h_bw, rtol=1e-5, atol=1e-5)


# -- dynamic_rnn ------------------------------------------------------------------------------------

def _np_lstm_sequence(w, prefix, xs, lengths, units):
    # Time-major numpy run with TF's length semantics: zeros out, state carried, past a row's end.
    c = h = np.zeros((xs.shape[1], units), np.float32)
    outs = []
    for t, x in enumerate(xs):
        nc, nh = np_lstm(w, prefix, x, c, h)
        live = (t < lengths)[:, None]
        outs.append(np.where(live, nh, 0))
        c, h = np.where(live, nc, c), np.where(live, nh, h)
    return np.stack(outs), c, h


def test_dynamic_rnn_lengths_and_unknown_time():
    x = tf.placeholder(tf.float32, [None, None, DEPTH], name="x")
    lengths = tf.placeholder(tf.int32, [None], name="lengths")
    outputs, state = tf.nn.dynamic_rnn(rc.BasicLSTMCell(3), x, sequence_length=lengths, dtype=tf.float32)
    assert _vars() == [("rnn/basic_lstm_cell/kernel", [DEPTH + 3, 12]), ("rnn/basic_lstm_cell/bias", [12])]
    assert outputs.shape.as_list() == [None, None, 3]
    seq = np.array([4, 2, 0], np.int32)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        w = _random_weights(sess)
        for steps in (TIME, 2):  # the loop runs min(time, max(lengths)) steps
            lens = np.minimum(seq, steps)
            outs, st = sess.run([outputs, state], {x: X[:, :steps], lengths: lens})
            ref, c, h = _np_lstm_sequence(w, "rnn/basic_lstm_cell", X[:, :steps].transpose(1, 0, 2), lens, 3)
            np.testing.assert_allclose(outs, ref.transpose(1, 0, 2), rtol=1e-5, atol=1e-5)
            np.testing.assert_allclose(st.c, c, rtol=1e-5, atol=1e-5)
            np.testing.assert_allclose(st.h, h, rtol=1e-5, atol=1e-5)


def test_dynamic_rnn_static_batch_with_lengths():
    x = tf.placeholder(tf.float32, [BATCH, TIME, DEPTH], name="x")
    outputs, _ = tf.nn.dynamic_rnn(rc.BasicRNNCell(2), x, sequence_length=[4, 2, 0], dtype=tf.float32)
    w, outs = _run(outputs, {x: X})
    h = np.zeros((BATCH, 2), np.float32)
    for t in range(TIME):
        new = np_basic_rnn(w, "rnn/basic_rnn_cell", X[:, t], h)
        live = (t < np.array([4, 2, 0]))[:, None]
        np.testing.assert_allclose(outs[:, t], np.where(live, new, 0), rtol=1e-5, atol=1e-5)
        h = np.where(live, new, h)


def test_dynamic_rnn_time_major_initial_state_and_scope():
    x = tf.placeholder(tf.float32, [TIME, None, DEPTH], name="x")
    h0 = tf.placeholder(tf.float32, [None, 2], name="h0")
    outputs, state = tf.nn.dynamic_rnn(rc.GRUCell(2), x, initial_state=h0, time_major=True, scope="enc")
    assert _vars()[0][0] == "enc/gru_cell/gates/kernel"
    assert outputs.shape.as_list() == [TIME, None, 2]
    start = RNG.standard_normal((BATCH, 2)).astype(np.float32)
    xs = X.transpose(1, 0, 2)
    w, (outs, st) = _run([outputs, state], {x: xs, h0: start})
    h = start
    for t in range(TIME):
        h = np_gru(w, "enc/gru_cell", xs[t], h)
        np.testing.assert_allclose(outs[t], h, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(st, h, rtol=1e-5, atol=1e-5)


def test_bidirectional_dynamic_rnn_reverses_within_lengths():
    x = tf.placeholder(tf.float32, [None, TIME, DEPTH], name="x")
    lengths = tf.placeholder(tf.int32, [None], name="lengths")
    (out_fw, out_bw), (st_fw, st_bw) = tf.nn.bidirectional_dynamic_rnn(
        rc.BasicLSTMCell(2), rc.BasicLSTMCell(3), x, sequence_length=lengths, dtype=tf.float32)
    names = [name for name, _ in _vars()]
    assert names == ["bidirectional_rnn/fw/basic_lstm_cell/kernel", "bidirectional_rnn/fw/basic_lstm_cell/bias",
                     "bidirectional_rnn/bw/basic_lstm_cell/kernel", "bidirectional_rnn/bw/basic_lstm_cell/bias"]
    seq = np.array([3, 4, 1], np.int32)
    w, (fw, bw, sfw, sbw) = _run([out_fw, out_bw, st_fw, st_bw], {x: X, lengths: seq})
    xs = X.transpose(1, 0, 2)
    ref_fw, c_fw, _ = _np_lstm_sequence(w, "bidirectional_rnn/fw/basic_lstm_cell", xs, seq, 2)
    rev = np.stack([np.concatenate([X[b, :n][::-1], X[b, n:]]) for b, n in enumerate(seq)]).transpose(1, 0, 2)
    ref_bw, c_bw, _ = _np_lstm_sequence(w, "bidirectional_rnn/bw/basic_lstm_cell", rev, seq, 3)
    ref_bw = np.stack([np.concatenate([ref_bw[:n, b][::-1], ref_bw[n:, b]]) for b, n in enumerate(seq)])
    np.testing.assert_allclose(fw, ref_fw.transpose(1, 0, 2), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(bw, ref_bw, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(sfw.c, c_fw, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(sbw.c, c_bw, rtol=1e-5, atol=1e-5)


class _GetVariableCell(rc.RNNCell):
    # A user cell in the TF 1.x style: no build, tf.get_variable inside call.
    state_size = output_size = 3

    def call(self, inputs, state):
        w = tf.get_variable("w", [DEPTH + 3, 3])
        out = tf.tanh(tf.matmul(tf.concat([inputs, state], 1), w))
        return out, out


def _run_get_variable_cell(build):
    x = tf.placeholder(tf.float32, [None, TIME, DEPTH], name="x")
    state = build(_GetVariableCell(), x)
    assert _vars() == [("rnn/private__get_variable_cell/w", [DEPTH + 3, 3])]
    w, st = _run(state, {x: X})
    h = np.zeros((BATCH, 3), np.float32)
    for t in range(TIME):
        h = np.tanh(np.concatenate([X[:, t], h], 1) @ w["rnn/private__get_variable_cell/w"])
    np.testing.assert_allclose(st, h, rtol=1e-5, atol=1e-5)


def test_custom_cell_with_get_variable_in_static_rnn():
    _run_get_variable_cell(lambda cell, x: tf.nn.static_rnn(cell, tf.unstack(x, axis=1), dtype=tf.float32)[1])


def test_custom_cell_with_get_variable_in_dynamic_rnn():
    # The variable is made inside the while body: as in TF it must land outside the loop frame.
    _run_get_variable_cell(lambda cell, x: tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)[1])


def test_raw_rnn_emits_until_every_row_finished():
    x = tf.placeholder(tf.float32, [None, TIME, DEPTH], name="x")
    lengths = tf.placeholder(tf.int32, [None], name="lengths")
    inputs_ta = tf.TensorArray(tf.float32, size=TIME).unstack(tf.transpose(x, [1, 0, 2]))
    cell = rc.BasicLSTMCell(3)

    def loop_fn(time, cell_output, cell_state, loop_state):
        state = cell.zero_state(tf.shape(x)[0], tf.float32) if cell_output is None else cell_state
        next_input = tf.cond(time >= TIME, lambda: tf.zeros_like(x[:, 0]), lambda: inputs_ta.read(time))
        return time >= lengths, next_input, state, cell_output, loop_state + 1 if cell_output is not None \
            else tf.constant(0)

    emit_ta, final_state, steps = tf.nn.raw_rnn(cell, loop_fn)
    seq = np.array([3, 1, 2], np.int32)
    w, (emits, st, n) = _run([emit_ta.stack(), final_state, steps], {x: X, lengths: seq})
    ref, c, h = _np_lstm_sequence(w, "rnn/basic_lstm_cell", X.transpose(1, 0, 2)[:3], seq, 3)
    assert emits.shape == (3, BATCH, 3) and n == 3  # the loop stops once every row has finished
    np.testing.assert_allclose(emits, ref, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(st.c, c, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(st.h, h, rtol=1e-5, atol=1e-5)


def test_dynamic_rnn_errors():
    with pytest.raises(ValueError, match="dtype"):
        tf.nn.dynamic_rnn(rc.GRUCell(2), tf.placeholder(tf.float32, [None, TIME, DEPTH]))
    with pytest.raises(ValueError, match="depth of inputs"):
        tf.nn.dynamic_rnn(rc.GRUCell(2), tf.placeholder(tf.float32, [None, TIME, None]), dtype=tf.float32)
    with pytest.raises(ValueError, match="vector"):
        tf.nn.dynamic_rnn(rc.GRUCell(2), tf.placeholder(tf.float32, [None, TIME, DEPTH]),
                          sequence_length=tf.placeholder(tf.int32, [2, 2]), dtype=tf.float32)


def test_cell_reuse_and_unique_scopes():
    x = tf.placeholder(tf.float32, [2, DEPTH])
    h = tf.zeros([2, 3])
    cell = rc.BasicRNNCell(3)
    cell(x, h)
    cell(x, h)  # the second call reuses the variables
    rc.BasicRNNCell(3)(x, h)  # a second cell gets a scope of its own
    rc.BasicRNNCell(3, name="named")(x, h)
    assert [name for name, _ in _vars()] == [
        "basic_rnn_cell/kernel", "basic_rnn_cell/bias", "basic_rnn_cell_1/kernel", "basic_rnn_cell_1/bias",
        "named/kernel", "named/bias"]
    assert cell.scope_name == "basic_rnn_cell" and len(cell.trainable_weights) == 2


def test_dropout_and_residual_wrappers():
    x = tf.placeholder(tf.float32, [None, DEPTH], name="x")
    keep = tf.placeholder_with_default(1.0, [], name="keep")
    inner = rc.BasicRNNCell(DEPTH)
    cell = rc.ResidualWrapper(rc.DropoutWrapper(inner, output_keep_prob=keep, seed=5))
    out, state = cell(x, cell.zero_state(tf.shape(x)[0], tf.float32))
    assert [name for name, _ in _vars()] == ["basic_rnn_cell/kernel", "basic_rnn_cell/bias"]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        w = _random_weights(sess)
        ref = np_basic_rnn(w, "basic_rnn_cell", X[:, 0], np.zeros((BATCH, DEPTH), np.float32))
        full, st = sess.run([out, state], {x: X[:, 0]})
        np.testing.assert_allclose(full, X[:, 0] + ref, rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(st, ref, rtol=1e-5, atol=1e-5)  # the state is not dropped
        dropped = sess.run(out, {x: X[:, 0], keep: 0.5}) - X[:, 0]
    kept = ~np.isclose(dropped, 0, atol=1e-6)
    np.testing.assert_allclose(dropped[kept], 2 * ref[kept], rtol=1e-5, atol=1e-5)
    assert 0 < kept.sum() < kept.size


def test_variational_dropout_keeps_one_mask_for_all_steps():
    x = tf.placeholder(tf.float32, [None, TIME, DEPTH], name="x")
    cell = rc.DropoutWrapper(rc.BasicRNNCell(8), output_keep_prob=0.5, variational_recurrent=True,
                             dtype=tf.float32, seed=1)
    outputs, _ = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        _random_weights(sess)
        for _ in range(3):
            out = sess.run(outputs, {x: X})
            dropped = np.isclose(out, 0, atol=1e-7)
            # One noise draw of shape [1, units] per run: the same units are zero everywhere.
            assert (dropped == dropped[0, 0]).all()
            if 0 < dropped[0, 0].sum() < 8:
                return
    pytest.fail("three runs never dropped some but not all of 8 units at keep_prob 0.5")


def test_dropout_seeds_and_state_filter():
    cell = rc.DropoutWrapper(rc.GRUCell(3), seed=3)
    # Values TensorFlow's DropoutWrapper gives for seed=3.
    assert cell._gen_seed("input", 0) == 371649270
    assert cell._gen_seed("state", 1) == 602375191
    state = (rc.LSTMStateTuple("c0", "h0"), "s1")
    assert rc_module._traverse_shallow(rc_module._default_dropout_filter, state) == (
        rc.LSTMStateTuple(False, True), True)
    with pytest.raises(ValueError, match="input_keep_prob must be between 0 and 1"):
        rc.DropoutWrapper(rc.GRUCell(3), input_keep_prob=1.5)


def test_zero_state_shapes_and_names(fresh_graph):
    cell = rc.MultiRNNCell([rc.LSTMCell(4, num_proj=2), rc.GRUCell(3)])
    state = cell.zero_state(7, tf.float32)
    assert state[0].c.shape.as_list() == [7, 4] and state[0].h.shape.as_list() == [7, 2]
    assert state[1].op.name == "MultiRNNCellZeroState/GRUCellZeroState/zeros"
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(state[1]), np.zeros((7, 3)))


def test_nest_helpers():
    s = (rc.LSTMStateTuple(1, 2), [3, {"b": 5, "a": 4}])
    assert rc_module.flatten(s) == [1, 2, 3, 4, 5]
    packed = rc_module.pack_sequence_as(s, [10, 20, 30, 40, 50])
    assert packed == (rc.LSTMStateTuple(10, 20), [30, {"a": 40, "b": 50}])
    assert isinstance(packed[0], rc.LSTMStateTuple)
    assert rc_module.map_structure(lambda a, b: a + b, s, s)[0].h == 4
    with pytest.raises(ValueError, match="3 elements"):
        rc_module.pack_sequence_as((1, 2, 3), [1])


def test_errors_name_the_problem():
    x = tf.placeholder(tf.float32, [None, DEPTH])
    with pytest.raises(ValueError, match="dtype"):
        tf.nn.static_rnn(rc.GRUCell(2), [x])
    with pytest.raises(TypeError, match="must be a sequence"):
        tf.nn.static_rnn(rc.GRUCell(2), x, dtype=tf.float32)
    with pytest.raises(ValueError, match="must not be empty"):
        tf.nn.static_rnn(rc.GRUCell(2), [], dtype=tf.float32)
    with pytest.raises(TypeError, match="is not an RNNCell"):
        tf.nn.static_rnn(object(), [x], dtype=tf.float32)
    with pytest.raises(ValueError, match="must be accessible via shape inference"):
        tf.nn.static_rnn(rc.GRUCell(2), [tf.placeholder(tf.float32, [None, None])], dtype=tf.float32)
    with pytest.raises(ValueError, match="floating point"):
        rc.GRUCell(2)(tf.placeholder(tf.int32, [2, 3]), tf.zeros([2, 2], tf.int32))
    with pytest.raises(ValueError, match="Must specify at least one cell"):
        rc.MultiRNNCell([])


def test_compat_v1_namespace():
    assert tf.compat.v1.nn.rnn_cell.LSTMCell is rc.LSTMCell
    assert tf.compat.v1.nn.static_rnn is tf.nn.static_rnn
    assert tf.nn.dynamic_rnn is not None and tf.nn.bidirectional_dynamic_rnn is not None
