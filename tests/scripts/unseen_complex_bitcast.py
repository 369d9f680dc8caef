"""Complex arithmetic and dtype plumbing in signal code: complex/real/imag/angle/conj, bitcast, string casts."""

import numpy as np


def build_and_run(tf):
    out = {}
    with tf.Graph().as_default():
        re = tf.placeholder(tf.float32, [None])
        im = tf.placeholder(tf.float32, [None])
        z = tf.complex(re, im)
        w = z * tf.conj(z)
        res = {
            "real": tf.real(z), "imag": tf.imag(z), "angle": tf.angle(z), "abs": tf.abs(z),
            "conj_prod": w, "mag2_real": tf.real(w), "exp": tf.exp(z), "div": z / tf.complex(2.0, -1.0),
            "matmul": tf.matmul(tf.reshape(z, [1, -1]), tf.reshape(tf.conj(z), [-1, 1])),
            "sum": tf.reduce_sum(z), "square": tf.square(z), "sqrt": tf.sqrt(z),
            "cast_real": tf.cast(tf.real(z), tf.complex64),
            "phase_rot": tf.real(z * tf.exp(tf.complex(0.0, np.pi / 2))),
        }
        z128 = tf.complex(tf.constant([1.0, -2.0], tf.float64), tf.constant([0.5, 0.0], tf.float64))
        res["z128_abs"] = tf.abs(z128)
        res["z128_angle"] = tf.angle(z128)
        f = tf.constant([1.0, -2.0, 0.5], tf.float32)
        res["bits"] = tf.bitcast(f, tf.int32)
        res["back"] = tf.bitcast(tf.bitcast(f, tf.uint32), tf.float32)
        res["bytes"] = tf.bitcast(tf.constant([258, -1], tf.int32), tf.uint8)
        res["i16"] = tf.bitcast(tf.constant([[1, 0], [255, 127]], tf.uint8), tf.int16)
        res["as_string"] = tf.as_string(f, precision=2)
        res["as_string_sci"] = tf.as_string(f, scientific=True, precision=3)
        res["as_string_int"] = tf.as_string(tf.constant([7, -12]), width=5, fill="0")
        res["as_string_c"] = tf.as_string(tf.constant([1 + 2j], tf.complex64))
        res["to_number"] = tf.string_to_number(tf.constant(["1.5", "-3e2", "42"]))
        res["to_int"] = tf.strings.to_number(tf.constant(["17", "-4"]), out_type=tf.int64)
        with tf.Session() as sess:
            out.update(sess.run(res, {re: [1.0, 0.0, -3.0], im: [1.0, 2.0, -4.0]}))
            try:
                sess.run(tf.string_to_number(tf.constant(["abc"])))
                out["bad_number"] = "no error"
            except tf.errors.InvalidArgumentError as e:
                out["bad_number"] = type(e).__name__
        out["dtypes"] = sorted(f"{k}:{v.dtype.name}" for k, v in res.items())
    return out
