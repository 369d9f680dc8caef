"""Numerically tricky ops: logsumexp, softplus, top_k/argmax ties, integer division of negatives."""

import numpy as np


def build_and_run(tf):
    with tf.Graph().as_default():
        big = tf.constant([[1000.0, 1000.0, -1000.0], [-5.0, 0.0, 5.0]])
        ties = tf.constant([[1.0, 3.0, 3.0, 2.0], [7.0, 7.0, 7.0, 7.0]])
        a = tf.constant([7, -7, 7, -7, 0, -1])
        b = tf.constant([2, 2, -2, -2, 3, 3])
        af = tf.constant([7.5, -7.5, 7.5, -7.5])
        bf = tf.constant([2.0, 2.0, -2.0, -2.0])
        halves = tf.constant([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.7, -2.7])
        nan = tf.constant([1.0, np.nan, -np.inf, np.inf, 0.0])
        values, indices = tf.nn.top_k(ties, k=3)
        with tf.Session() as sess:
            out = sess.run({
                "lse": tf.reduce_logsumexp(big, axis=1),
                "lse_keep": tf.reduce_logsumexp(big, axis=0, keepdims=True),
                "softplus": tf.nn.softplus(big),
                "softsign": tf.nn.softsign(big),
                "log_softmax": tf.nn.log_softmax(big),
                "sigmoid": tf.sigmoid(big),
                "log_sigmoid": tf.log_sigmoid(big),
                "topk_values": values, "topk_indices": indices,
                "argmax": tf.argmax(ties, axis=1), "argmin": tf.argmin(ties, axis=1, output_type=tf.int32),
                "floordiv": tf.floordiv(a, b), "floormod": tf.floormod(a, b),
                "truncdiv": tf.truncatediv(a, b), "truncmod": tf.truncatemod(a, b),
                "div_op": a // b, "mod_op": a % b, "div": tf.div(a, b),
                "float_floordiv": af // bf, "float_mod": af % bf,
                "realdiv": tf.truediv(a, b),
                "cast_int": tf.cast(halves, tf.int32), "round": tf.round(halves), "rint": tf.rint(halves),
                "floor": tf.floor(halves), "ceil": tf.ceil(halves),
                "cast_uint8": tf.cast(tf.constant([1.7, 255.2, 3.9]), tf.uint8),
                "is_nan": tf.is_nan(nan), "is_finite": tf.is_finite(nan), "is_inf": tf.is_inf(nan),
                "nan_to_zero": tf.where(tf.is_nan(nan), tf.zeros_like(nan), nan),
                "maximum_nan": tf.maximum(nan, 0.5), "minimum_nan": tf.minimum(nan, 0.5),
                "div_no_nan": tf.div_no_nan(tf.constant([1.0, 2.0]), tf.constant([0.0, 4.0])),
                "inf_div": tf.constant([1.0, -1.0, 0.0]) / 0.0,
                "log0": tf.log(tf.constant([0.0, 1.0])),
                "sqrt_neg": tf.sqrt(tf.constant([-1.0, 4.0])),
                "l2norm": tf.nn.l2_normalize(tf.constant([[3.0, 4.0], [0.0, 0.0]]), axis=1),
                "clip_norm": tf.clip_by_norm(tf.constant([3.0, 4.0]), 1.0),
                "global_norm": tf.global_norm([tf.constant([3.0]), tf.constant([4.0])]),
                "cumsum_ex_rev": tf.cumsum(tf.constant([1, 2, 3, 4]), exclusive=True, reverse=True),
                "cumprod": tf.cumprod(tf.constant([1.0, 2.0, 3.0, 4.0])),
                "segment_sum": tf.segment_sum(tf.constant([1, 2, 3, 4]), tf.constant([0, 0, 1, 1])),
                "unsorted_max": tf.unsorted_segment_max(tf.constant([1.0, 5.0, 3.0]), tf.constant([1, 1, 0]), 3),
                "squared_diff": tf.squared_difference(tf.constant([1.0, 2.0]), tf.constant([3.0, -1.0])),
                "int_pow": tf.pow(tf.constant([2, 3, -2]), tf.constant([3, 2, 3])),
                "abs_int": tf.abs(tf.constant([-3, 4], tf.int64)),
                "sign": tf.sign(tf.constant([-2.0, 0.0, 3.0])),
                "reciprocal": tf.reciprocal(tf.constant([2.0, -4.0])),
                "bitwise": tf.bitwise.bitwise_and(tf.constant([12, 10]), tf.constant([10, 6])),
                "mean_int": tf.reduce_mean(tf.constant([1, 2, 4])),
                "prod": tf.reduce_prod(tf.constant([[1.0, 2.0], [3.0, 4.0]]), axis=0),
                "any": tf.reduce_any(tf.constant([[True, False], [False, False]]), axis=1),
                "erf": tf.erf(tf.constant([0.0, 0.5, -1.0])),
                "lgamma": tf.lgamma(tf.constant([0.5, 3.0, 10.0])),
                "expm1": tf.expm1(tf.constant([1e-8, 1.0])), "log1p": tf.log1p(tf.constant([1e-8, 1.0])),
                "atan2": tf.atan2(tf.constant([1.0, -1.0]), tf.constant([-1.0, -1.0])),
            })
            out["unique"], out["unique_idx"], out["unique_count"] = sess.run(
                list(tf.unique_with_counts(tf.constant([4, 1, 4, 2, 1, 4]))))
            return out
