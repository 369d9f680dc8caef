"""Greedy seq2seq decoding: an LSTM encoder, then a decoder cell called inside tf.while_loop."""

import numpy as np


def build_and_run(tf):
    vocab, units, max_len, go, eos = 7, 5, 6, 1, 2
    with tf.Graph().as_default():
        src = tf.placeholder(tf.int32, [None, None], name="src")
        src_len = tf.placeholder(tf.int32, [None], name="src_len")
        emb = tf.get_variable("emb", [vocab, units])
        with tf.variable_scope("encoder"):
            enc_cell = tf.nn.rnn_cell.LSTMCell(units)
            _, enc_state = tf.nn.dynamic_rnn(enc_cell, tf.nn.embedding_lookup(emb, src),
                                             sequence_length=src_len, dtype=tf.float32)
        batch = tf.shape(src)[0]
        with tf.variable_scope("decoder"):
            dec_cell = tf.nn.rnn_cell.LSTMCell(units)
            proj = tf.layers.Dense(vocab, name="proj")
            # build the variables once outside the loop, as tutorials do
            dec_cell(tf.zeros([1, units]), dec_cell.zero_state(1, tf.float32))
            proj(tf.zeros([1, units]))

            def step(t, tokens, state, out_ta, finished):
                output, new_state = dec_cell(tf.nn.embedding_lookup(emb, tokens), state)
                logits = proj(output)
                next_tokens = tf.argmax(logits, axis=-1, output_type=tf.int32)
                next_tokens = tf.where(finished, tf.fill([batch], eos), next_tokens)
                out_ta = out_ta.write(t, next_tokens)
                return t + 1, next_tokens, new_state, out_ta, tf.logical_or(finished,
                                                                             tf.equal(next_tokens, eos))

            def keep_going(t, tokens, state, out_ta, finished):
                return tf.logical_and(t < max_len, tf.logical_not(tf.reduce_all(finished)))

            ta = tf.TensorArray(tf.int32, size=max_len, element_shape=[None])
            _, _, final_state, ta, done = tf.while_loop(
                keep_going, step,
                [tf.constant(0), tf.fill([batch], go), enc_state, ta, tf.zeros([batch], tf.bool)])
            decoded = tf.transpose(ta.stack(), [1, 0])
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for i, v in enumerate(tf.trainable_variables()):
                shape = v.get_shape().as_list()
                vals = np.sin(np.arange(int(np.prod(shape))) * (0.29 + 0.07 * i) + i) * 0.8
                v.load(vals.reshape(shape).astype(np.float32), sess)
            feed = {src: [[3, 4, 5, 6], [6, 5, 0, 0]], src_len: [4, 2]}
            tokens, state, fin = sess.run([decoded, final_state, done], feed)
            return {"tokens": tokens, "c": state.c, "h": state.h, "done": fin,
                    "vars": [v.name for v in tf.trainable_variables()]}
