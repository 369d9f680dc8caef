"""RNN cell options: peepholes + projection + clipping, concatenated (non-tuple) state, raw TensorArray loops."""

import numpy as np


def build_and_run(tf):
    rng = np.random.RandomState(16)
    seq = rng.randn(2, 5, 3).astype(np.float32)
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, None, 3])
        keep = tf.placeholder_with_default(1.0, [])
        with tf.variable_scope("peep"):
            cell = tf.nn.rnn_cell.LSTMCell(4, use_peepholes=True, num_proj=2, cell_clip=0.5, proj_clip=0.3)
            peep_out, peep_state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32, swap_memory=True,
                                                     parallel_iterations=4)
        with tf.variable_scope("concat_state"):
            cells = [tf.nn.rnn_cell.BasicLSTMCell(3, state_is_tuple=False),
                     tf.nn.rnn_cell.DropoutWrapper(tf.nn.rnn_cell.BasicRNNCell(3, activation=tf.nn.relu),
                                                   input_keep_prob=keep)]
            multi = tf.nn.rnn_cell.MultiRNNCell(cells, state_is_tuple=False)
            multi_out, multi_state = tf.nn.dynamic_rnn(multi, x, dtype=tf.float32)
        with tf.variable_scope("manual"):
            gru = tf.nn.rnn_cell.GRUCell(2, kernel_initializer=tf.constant_initializer(0.3))
            inputs_ta = tf.TensorArray(tf.float32, size=tf.shape(x)[1]).unstack(tf.transpose(x, [1, 0, 2]))
            outputs_ta = tf.TensorArray(tf.float32, size=tf.shape(x)[1], clear_after_read=False)

            def body(t, state, out_ta):
                out, new_state = gru(inputs_ta.read(t), state)
                return t + 1, new_state, out_ta.write(t, out)

            _, manual_state, outputs_ta = tf.while_loop(
                lambda t, *_: t < tf.shape(x)[1], body,
                [tf.constant(0), gru.zero_state(tf.shape(x)[0], tf.float32), outputs_ta])
            manual_out = outputs_ta.stack()
            picked = outputs_ta.gather([0, 4])
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for i, v in enumerate(tf.trainable_variables()):
                shape = v.get_shape().as_list()
                vals = np.cos(np.arange(int(np.prod(shape))) * 0.23 + 0.5 * i) * 0.7
                v.load(vals.reshape(shape).astype(np.float32), sess)
            res = sess.run({"peep_out": peep_out, "peep_c": peep_state.c, "peep_h": peep_state.h,
                            "multi_out": multi_out, "multi_state": multi_state, "manual_out": manual_out,
                            "manual_state": manual_state, "picked": picked}, {x: seq})
            res["vars"] = [v.name for v in tf.trainable_variables()]
            res["shapes"] = [str(t.get_shape().as_list()) for t in (peep_out, multi_state, manual_out)]
            return res
