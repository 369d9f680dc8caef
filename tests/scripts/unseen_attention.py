"""A transformer encoder block from raw ops: tensordot, einsum, masked softmax, layer norm."""

import numpy as np


def _layer_norm(tf, x, scope):
    with tf.variable_scope(scope):
        gamma = tf.get_variable("gamma", [x.get_shape()[-1]], initializer=tf.ones_initializer())
        beta = tf.get_variable("beta", [x.get_shape()[-1]], initializer=tf.zeros_initializer())
        mean, var = tf.nn.moments(x, axes=[-1], keep_dims=True)
        return gamma * (x - mean) * tf.rsqrt(var + 1e-6) + beta


def _const_init(shape, k):
    return np.sin(np.arange(int(np.prod(shape))) * k).reshape(shape).astype(np.float32) * 0.3


def build_and_run(tf):
    d_model, heads, seq = 8, 2, 5
    rng = np.random.RandomState(4)
    data = rng.randn(2, seq, d_model).astype(np.float32)
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, None, d_model], name="x")
        lengths = tf.placeholder(tf.int32, [None], name="lengths")
        with tf.variable_scope("attn"):
            wq = tf.get_variable("wq", initializer=_const_init([d_model, d_model], 0.3))
            wk = tf.get_variable("wk", initializer=_const_init([d_model, d_model], 0.5))
            wv = tf.get_variable("wv", initializer=_const_init([d_model, d_model], 0.7))
            q = tf.tensordot(x, wq, axes=[[2], [0]])
            k = tf.tensordot(x, wk, axes=1)
            v = tf.einsum("bsd,de->bse", x, wv)
            b, t = tf.shape(x)[0], tf.shape(x)[1]

            def split(y):
                return tf.transpose(tf.reshape(y, [b, t, heads, d_model // heads]), [0, 2, 1, 3])

            q, k, v = split(q), split(k), split(v)
            scores = tf.matmul(q, k, transpose_b=True) / tf.sqrt(float(d_model // heads))
            mask = tf.sequence_mask(lengths, maxlen=t)
            bias = (1.0 - tf.cast(mask[:, None, None, :], tf.float32)) * -1e9
            causal = tf.linalg.band_part(tf.ones([t, t]), -1, 0)
            weights = tf.nn.softmax(scores + bias + (1.0 - causal) * -1e9, axis=-1)
            ctx = tf.einsum("bhqk,bhkd->bhqd", weights, v)
            ctx = tf.reshape(tf.transpose(ctx, [0, 2, 1, 3]), [b, t, d_model])
        h = _layer_norm(tf, x + ctx, "ln1")
        with tf.variable_scope("ffn"):
            w1 = tf.get_variable("w1", initializer=_const_init([d_model, 16], 0.11))
            ff = tf.tensordot(h, w1, [[2], [0]])
            gelu = 0.5 * ff * (1.0 + tf.tanh(np.sqrt(2 / np.pi) * (ff + 0.044715 * tf.pow(ff, 3))))
            w2 = tf.get_variable("w2", initializer=_const_init([16, d_model], 0.23))
            out = _layer_norm(tf, h + tf.einsum("bsf,fd->bsd", gelu, w2), "ln2")
        valid = tf.boolean_mask(out, mask)
        pooled = tf.reduce_max(tf.where(tf.tile(mask[:, :, None], [1, 1, d_model]), out,
                                        tf.fill(tf.shape(out), -np.inf)), axis=1)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            feed = {x: data, lengths: [5, 3]}
            res = sess.run({"out": out, "weights": weights, "valid": valid, "pooled": pooled},
                           feed)
            res["valid_shape"] = str(valid.get_shape().as_list())
            res["q_shape"] = str(q.get_shape().as_list())
            return res
