"""Kim-style CNN for sentence classification: embedding, conv2d per filter size, max-over-time, dropout."""

import numpy as np


def build_and_run(tf):
    out = {}
    vocab, emb, seq_len, n_filters, n_classes = 30, 8, 9, 4, 3
    rng = np.random.RandomState(5)
    sentences = rng.randint(0, vocab, size=(4, seq_len)).astype(np.int32)
    with tf.Graph().as_default():
        input_x = tf.placeholder(tf.int32, [None, seq_len], name="input_x")
        dropout_keep_prob = tf.placeholder(tf.float32, name="dropout_keep_prob")
        with tf.device("/cpu:0"), tf.name_scope("embedding"):
            W = tf.Variable(rng.uniform(-1.0, 1.0, (vocab, emb)).astype(np.float32), name="W")
            embedded_chars = tf.nn.embedding_lookup(W, input_x)
            embedded_expanded = tf.expand_dims(embedded_chars, -1)
        pooled_outputs = []
        for i, filter_size in enumerate([2, 3, 4]):
            with tf.name_scope(f"conv-maxpool-{filter_size}"):
                filter_shape = [filter_size, emb, 1, n_filters]
                Wf = tf.Variable(rng.randn(*filter_shape).astype(np.float32) * 0.1, name="W")
                bf = tf.Variable(tf.constant(0.1, shape=[n_filters]), name="b")
                conv = tf.nn.conv2d(embedded_expanded, Wf, strides=[1, 1, 1, 1], padding="VALID", name="conv")
                h = tf.nn.relu(tf.nn.bias_add(conv, bf), name="relu")
                pooled = tf.nn.max_pool(h, ksize=[1, seq_len - filter_size + 1, 1, 1],
                                        strides=[1, 1, 1, 1], padding="VALID", name="pool")
                pooled_outputs.append(pooled)
        num_filters_total = n_filters * 3
        h_pool = tf.concat(pooled_outputs, 3)
        h_pool_flat = tf.reshape(h_pool, [-1, num_filters_total])
        with tf.name_scope("dropout"):
            h_drop = tf.nn.dropout(h_pool_flat, dropout_keep_prob)
        with tf.name_scope("output"):
            Wo = tf.Variable(rng.randn(num_filters_total, n_classes).astype(np.float32) * 0.3, name="W")
            bo = tf.Variable(tf.constant(0.1, shape=[n_classes]), name="b")
            scores = tf.nn.xw_plus_b(h_drop, Wo, bo, name="scores")
            predictions = tf.argmax(scores, 1, name="predictions")
        # max-over-time done the other way: reduce_max of a conv1d
        conv1d = tf.layers.conv1d(embedded_chars, 5, 3, kernel_initializer=tf.constant_initializer(0.05),
                                  name="conv1d")
        over_time = tf.reduce_max(conv1d, axis=1)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            feed = {input_x: sentences, dropout_keep_prob: 1.0}
            s, p, hp = sess.run([scores, predictions, h_pool_flat], feed)
            out["scores"], out["predictions"], out["h_pool_flat"] = s, p, hp
            dropped = sess.run(h_drop, {input_x: sentences, dropout_keep_prob: 0.5})
            out["dropout_scaled"] = bool(np.allclose(dropped[dropped != 0], 2 * hp[dropped != 0], rtol=1e-6))
            out["over_time"] = sess.run(over_time, {"input_x:0": sentences[:2]})
            out["names"] = [t.name for t in (embedded_chars, h_pool, scores, predictions)]
            out["pool_shapes"] = [t.get_shape().as_list()[1:] for t in pooled_outputs]
    return out
