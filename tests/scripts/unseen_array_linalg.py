"""Array and linear-algebra utilities from old model code: pad modes, split, one_hot, scatter, linalg."""

import numpy as np


def build_and_run(tf):
    rng = np.random.RandomState(14)
    m = rng.randn(3, 3).astype(np.float32)
    spd = (m @ m.T + 3 * np.eye(3)).astype(np.float32)
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [2, 3, 4], name="x")
        a = tf.constant(spd)
        seq = tf.constant([[1, 2, 3, 4], [5, 6, 7, 8]])
        parts = tf.split(x, [1, 3], axis=2)
        halves = tf.split(x, 2, axis=0)
        fetches = {
            "pad_reflect": tf.pad(x, [[0, 0], [1, 1], [2, 0]], mode="REFLECT"),
            "pad_symmetric": tf.pad(x, [[0, 0], [1, 2], [0, 0]], mode="SYMMETRIC"),
            "pad_const": tf.pad(x, [[0, 0], [0, 1], [0, 0]], constant_values=-1.0),
            "split0": parts[0], "split1": parts[1], "half1": halves[1],
            "unstack": tf.unstack(x, axis=1)[2],
            "one_hot": tf.one_hot([0, 2, -1, 3], 3, on_value=5.0, off_value=-1.0),
            "one_hot_axis": tf.one_hot([[0, 1], [2, 0]], 3, axis=1),
            "scatter_nd": tf.scatter_nd([[0], [2], [0]], [1.0, 2.0, 3.0], [4]),
            "gather_axis": tf.gather(x, [2, 0], axis=2),
            "gather_nd": tf.gather_nd(x, [[0, 1], [1, 2]]),
            "rev_seq": tf.reverse_sequence(seq, [2, 3], seq_axis=1, batch_axis=0),
            "reverse": tf.reverse(seq, [1]),
            "band": tf.matrix_band_part(a, 0, 1),
            "diag": tf.matrix_diag([[1.0, 2.0], [3.0, 4.0]]),
            "diag_part": tf.matrix_diag_part(a), "trace": tf.trace(a),
            "inverse": tf.matrix_inverse(a), "det": tf.matrix_determinant(a),
            "cholesky": tf.cholesky(a), "solve": tf.matrix_solve(a, tf.ones([3, 1])),
            "tri_solve": tf.matrix_triangular_solve(tf.cholesky(a), tf.ones([3, 1]), lower=True),
            "eigvals": tf.self_adjoint_eigvals(a),
            "norm": tf.norm(a), "norm1": tf.norm(a, ord=1, axis=[0, 1]),
            "s2d": tf.space_to_depth(tf.reshape(tf.range(32.0), [1, 4, 4, 2]), 2),
            "d2s": tf.depth_to_space(tf.reshape(tf.range(16.0), [1, 2, 2, 4]), 2),
            "tile": tf.tile(seq, [2, 1]), "squeeze": tf.squeeze(tf.ones([1, 3, 1]), [0]),
            "meshgrid": tf.meshgrid(tf.range(3), tf.range(2))[0],
            "to_float": tf.to_float(seq), "to_int": tf.to_int32(tf.constant([1.7, -1.7])),
            "arg_max": tf.arg_max(seq, 1), "in_top_k": tf.nn.in_top_k(tf.constant([[0.1, 0.9], [0.8, 0.2]]),
                                                                     tf.constant([1, 1]), 1),
            "setdiff": tf.setdiff1d([1, 2, 3, 4, 5], [2, 4])[0],
            "invert_perm": tf.invert_permutation([2, 0, 1]),
            "roll": tf.roll(seq, shift=1, axis=1),
            "sort": tf.sort(tf.constant([3, 1, 2]), direction="DESCENDING"),
            "argsort": tf.argsort(tf.constant([3.0, 1.0, 2.0])),
            "tensor_scatter": tf.tensor_scatter_update(seq, [[0, 0], [1, 3]], [-1, -2]),
            "broadcast": tf.broadcast_to(tf.constant([1, 2]), [3, 2]),
            "where3": tf.where(tf.constant([True, False]), tf.constant([1, 2]), tf.constant([3, 4])),
            "cross": tf.cross(tf.constant([1.0, 0.0, 0.0]), tf.constant([0.0, 1.0, 0.0])),
            "batch_matmul": tf.matmul(x, tf.transpose(x, [0, 2, 1])),
            "concat_neg": tf.concat([seq, seq], -1),
            "slice_neg": tf.strided_slice(seq, [0, -1], [2, -4], [1, -1]),
            "ellipsis": x[..., 1:3][:, None, 0],
        }
        with tf.Session() as sess:
            data = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
            out = sess.run(fetches, {x: data})
            out["static"] = [str(fetches[k].get_shape().as_list()) for k in sorted(fetches)]
            return out
