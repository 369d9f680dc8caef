"""Bidirectional GRU/LSTM tagger with sequence_length, last relevant output via gather_nd."""

import numpy as np


def build_and_run(tf):
    rng = np.random.RandomState(3)
    data = rng.randn(3, 5, 4).astype(np.float32)
    lengths = np.array([5, 2, 3], np.int32)
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, None, 4], name="x")
        seq_len = tf.placeholder(tf.int32, [None], name="seq_len")
        with tf.variable_scope("bi"):
            fw = tf.nn.rnn_cell.GRUCell(6)
            bw = tf.nn.rnn_cell.LSTMCell(6, use_peepholes=False, forget_bias=1.0)
            (out_fw, out_bw), (st_fw, st_bw) = tf.nn.bidirectional_dynamic_rnn(
                fw, bw, x, sequence_length=seq_len, dtype=tf.float32)
        outputs = tf.concat([out_fw, out_bw], axis=-1)
        batch = tf.shape(outputs)[0]
        idx = tf.stack([tf.range(batch), seq_len - 1], axis=1)
        last = tf.gather_nd(outputs, idx)
        mask = tf.sequence_mask(seq_len, tf.shape(x)[1], dtype=tf.float32)
        masked_mean = tf.reduce_sum(outputs * tf.expand_dims(mask, -1), 1) / tf.expand_dims(
            tf.reduce_sum(mask, 1), -1)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for i, v in enumerate(tf.global_variables()):
                shape = v.get_shape().as_list()
                vals = np.cos(np.arange(int(np.prod(shape))) * 0.17 + i) * 0.4
                sess.run(tf.assign(v, vals.reshape(shape).astype(np.float32)))
            got = sess.run({"outputs": outputs, "last": last, "st_fw": st_fw, "st_bw_h": st_bw.h,
                            "st_bw_c": st_bw.c, "mean": masked_mean},
                           feed_dict={x: data, seq_len: lengths})
            got["names"] = [v.name for v in tf.global_variables()]
            return got
