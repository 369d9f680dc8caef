"""Char-RNN sampling: embedding + MultiRNNCell(LSTM) + dynamic_rnn, state fed back step by step."""

import numpy as np


def build_and_run(tf):
    vocab, hidden, layers = 12, 8, 2
    with tf.Graph().as_default():
        inputs = tf.placeholder(tf.int32, [None, None], name="inputs")
        embedding = tf.get_variable("embedding", [vocab, hidden])
        emb = tf.nn.embedding_lookup(embedding, inputs)
        cells = [tf.nn.rnn_cell.BasicLSTMCell(hidden, state_is_tuple=True) for _ in range(layers)]
        cell = tf.nn.rnn_cell.MultiRNNCell(cells, state_is_tuple=True)
        state_in = []
        for i in range(layers):
            c = tf.placeholder(tf.float32, [None, hidden], name=f"c{i}")
            h = tf.placeholder(tf.float32, [None, hidden], name=f"h{i}")
            state_in.append(tf.nn.rnn_cell.LSTMStateTuple(c, h))
        state_in = tuple(state_in)
        outputs, final_state = tf.nn.dynamic_rnn(cell, emb, initial_state=state_in, dtype=tf.float32)
        with tf.variable_scope("softmax"):
            w = tf.get_variable("w", [hidden, vocab])
            b = tf.get_variable("b", [vocab])
        logits = tf.matmul(tf.reshape(outputs, [-1, hidden]), w) + b
        probs = tf.nn.softmax(logits)
        zero = cell.zero_state(1, tf.float32)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for i, v in enumerate(tf.trainable_variables()):
                shape = v.get_shape().as_list()
                vals = np.sin(np.arange(int(np.prod(shape))) * (0.13 + 0.01 * i)) * 0.5
                sess.run(v.assign(vals.reshape(shape).astype(np.float32)))
            state = sess.run(zero)
            prime = np.array([[1, 5, 7]], np.int32)
            feed = {inputs: prime}
            for (c, h), (cv, hv) in zip(state_in, state):
                feed[c], feed[h] = cv, hv
            p, state = sess.run([probs, final_state], feed)
            sampled = []
            for _ in range(5):
                nxt = int(np.argmax(p[-1]))
                sampled.append(nxt)
                feed = {inputs: [[nxt]]}
                for (c, h), s in zip(state_in, state):
                    feed[c], feed[h] = s.c, s.h
                p, state = sess.run([probs, final_state], feed)
            return {
                "sampled": np.array(sampled), "last_probs": p, "c1": state[1].c, "h0": state[0].h,
                "var_names": [v.name for v in tf.trainable_variables()],
                "out_shape": str(outputs.get_shape().as_list()),
                "state_type": type(state[0]).__name__,
            }
