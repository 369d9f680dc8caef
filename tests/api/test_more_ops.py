"""The less common TF 1.x functions of `import ortflow as tf`, run in a real Session, against numpy.

Sorting and search, unique, linspace/meshgrid/roll, tensordot and boolean_mask, scatter ops on
variables, diagonals and decompositions, strings, image crops, patches and non-max suppression.
Each value is computed by the Session (onnxruntime, or the numpy interpreter for ops ONNX has
no form for: strings, decompositions); `Session.last_run_backend` is checked where the backend
is the point.
"""

from __future__ import annotations

import numpy as np
import ortflow as tf
import pytest

RNG = np.random.RandomState(7)


@pytest.fixture(autouse=True)
def _fresh_graph():
    tf.reset_default_graph()
    yield
    tf.reset_default_graph()


def _run(fetches, feed=None):
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        return sess.run(fetches, feed)


# --------------------------------------------------------------------------- sort, search, unique

def test_sort_and_argsort_float_int_and_axes():
    xv = RNG.randint(-5, 5, size=(3, 6)).astype(np.float32)
    iv = RNG.randint(-5, 5, size=(3, 6)).astype(np.int32)
    uv = RNG.randint(0, 255, size=(6,)).astype(np.uint8)
    x = tf.placeholder(tf.float32, [None, 6])
    i = tf.placeholder(tf.int32, [3, 6])
    u = tf.placeholder(tf.uint8, [6])
    got = _run([tf.sort(x), tf.sort(x, direction="DESCENDING"), tf.argsort(x), tf.sort(i, axis=0),
                tf.argsort(i, axis=0, direction="DESCENDING"), tf.sort(u)], {x: xv, i: iv, u: uv})
    np.testing.assert_array_equal(got[0], np.sort(xv, axis=-1))
    np.testing.assert_array_equal(got[1], -np.sort(-xv, axis=-1))
    np.testing.assert_array_equal(got[2], np.argsort(xv, axis=-1, kind="stable"))
    np.testing.assert_array_equal(got[3], np.sort(iv, axis=0))
    np.testing.assert_array_equal(got[4], np.argsort(-iv, axis=0, kind="stable"))
    np.testing.assert_array_equal(got[5], np.sort(uv))
    assert got[2].dtype == np.int32


def test_sort_rejects_a_tensor_axis_and_a_bad_direction():
    x = tf.placeholder(tf.float32, [3])
    with pytest.raises(ValueError, match="axis"):
        tf.sort(x, axis=tf.constant(0))
    with pytest.raises(ValueError, match="direction"):
        tf.sort(x, direction="UP")


def test_unique_and_unique_with_counts_keep_first_appearance_order():
    x = tf.placeholder(tf.int32, [None])
    y, idx = tf.unique(x)
    y2, idx2, count = tf.unique_with_counts(x, out_idx=tf.int64)
    got = _run([y, idx, y2, idx2, count], {x: np.array([5, 2, 5, 7, 2, 2], np.int32)})
    np.testing.assert_array_equal(got[0], [5, 2, 7])
    np.testing.assert_array_equal(got[1], [0, 1, 0, 2, 1, 1])
    np.testing.assert_array_equal(got[4], [2, 3, 1])
    assert got[3].dtype == np.int64
    assert tf.unique(x).y is not None and tf.unique_with_counts(x).count is not None


def test_searchsorted_left_and_right_of_a_batch():
    seq = tf.placeholder(tf.float32, [2, 4])
    vals = tf.placeholder(tf.float32, [2, 3])
    sv = np.array([[1, 2, 2, 5], [0, 3, 6, 9]], np.float32)
    vv = np.array([[2, 0, 6], [3, 10, -1]], np.float32)
    left, right = _run([tf.searchsorted(seq, vals), tf.searchsorted(seq, vals, side="right")], {seq: sv, vals: vv})
    for row in range(2):
        np.testing.assert_array_equal(left[row], np.searchsorted(sv[row], vv[row], "left"))
        np.testing.assert_array_equal(right[row], np.searchsorted(sv[row], vv[row], "right"))


def test_histogram_fixed_width_clamps_to_the_end_bins():
    x = tf.placeholder(tf.float32, [None])
    h = tf.histogram_fixed_width(x, [0.0, 5.0], nbins=5)
    got = _run(h, {x: np.array([-1.0, 0.0, 1.5, 2.0, 5.0, 15.0, 4.99], np.float32)})
    np.testing.assert_array_equal(got, [2, 1, 1, 0, 3])
    assert got.dtype == np.int32


# --------------------------------------------------------------------------- grids and shifts

def test_linspace_meshgrid_roll_cumprod():
    a = tf.placeholder(tf.float32, [3])
    b = tf.placeholder(tf.float32, [4])
    x = tf.placeholder(tf.float32, [None, 5])
    av, bv = np.array([1, 2, 3], np.float32), np.array([4, 5, 6, 7], np.float32)
    xv = RNG.uniform(0.5, 2, size=(2, 5)).astype(np.float32)
    xy = tf.meshgrid(a, b)
    ij = tf.meshgrid(a, b, indexing="ij")
    got = _run([tf.linspace(0.0, 2.0, 5), tf.lin_space(-1.0, 1.0, 1), *xy, *ij, tf.roll(x, [1, -2], [0, 1]),
                tf.cumprod(x, axis=1), tf.cumprod(x, axis=1, exclusive=True, reverse=True)],
               {a: av, b: bv, x: xv})
    np.testing.assert_allclose(got[0], np.linspace(0, 2, 5), rtol=1e-6)
    np.testing.assert_array_equal(got[1], [-1.0])
    for want, have in zip(np.meshgrid(av, bv) + np.meshgrid(av, bv, indexing="ij"), got[2:6]):
        np.testing.assert_array_equal(have, want)
    np.testing.assert_array_equal(got[6], np.roll(xv, (1, -2), (0, 1)))
    np.testing.assert_allclose(got[7], np.cumprod(xv, axis=1), rtol=1e-6)
    rev = np.cumprod(xv[:, ::-1], axis=1)
    np.testing.assert_allclose(got[8], np.concatenate([np.ones((2, 1)), rev[:, :-1]], 1)[:, ::-1], rtol=1e-6)


def test_bitcast_float_to_int_and_back_to_bytes():
    x = tf.placeholder(tf.float32, [3])
    xv = np.array([1.0, -2.5, 0.0], np.float32)
    as_int, as_bytes = _run([tf.bitcast(x, tf.int32), tf.bitcast(x, tf.uint8)], {x: xv})
    np.testing.assert_array_equal(as_int, xv.view(np.int32))
    np.testing.assert_array_equal(as_bytes, xv.view(np.uint8).reshape(3, 4))


# --------------------------------------------------------------------------- tensordot, boolean_mask

def test_tensordot_static_dynamic_and_axis_pairs():
    a = RNG.uniform(size=(2, 3, 4)).astype(np.float32)
    b = RNG.uniform(size=(4, 5)).astype(np.float32)
    c = RNG.uniform(size=(3, 2, 6)).astype(np.float32)
    pa = tf.placeholder(tf.float32, [None, 3, 4])
    got = _run([tf.tensordot(tf.constant(a), tf.constant(b), 1), tf.tensordot(pa, b, axes=1),
                tf.tensordot(pa, c, axes=[[1, 0], [0, 1]]), tf.tensordot(pa, b, axes=[[-1], [0]])],
               {pa: a})
    np.testing.assert_allclose(got[0], np.tensordot(a, b, 1), rtol=1e-5)
    np.testing.assert_allclose(got[1], np.tensordot(a, b, 1), rtol=1e-5)
    np.testing.assert_allclose(got[2], np.tensordot(a, c, [[1, 0], [0, 1]]), rtol=1e-5)
    np.testing.assert_allclose(got[3], np.tensordot(a, b, 1), rtol=1e-5)


def test_boolean_mask_over_leading_and_inner_axes():
    t = RNG.uniform(size=(3, 4, 2)).astype(np.float32)
    m2 = RNG.uniform(size=(3, 4)) > 0.5
    m1 = np.array([True, False, True, True])
    pt = tf.placeholder(tf.float32, [None, 4, 2])
    pm = tf.placeholder(tf.bool, [None, 4])
    got = _run([tf.boolean_mask(pt, pm), tf.boolean_mask(pt, m1, axis=1)], {pt: t, pm: m2})
    np.testing.assert_array_equal(got[0], t[m2])
    np.testing.assert_array_equal(got[1], t[:, m1])
    with pytest.raises(ValueError, match="scalar"):
        tf.boolean_mask(pt, True)


# --------------------------------------------------------------------------- scatter into variables

def test_scatter_ops_update_the_variable():
    v = tf.get_variable("v", initializer=np.zeros((4, 3), np.float32), use_resource=False)
    ops = [tf.scatter_update(v, [1, 2], tf.ones([2, 3])), tf.scatter_add(v, [1, 1], tf.ones([2, 3])),
           tf.scatter_sub(v, 0, tf.ones([3])), tf.scatter_nd_update(v, [[3, 0]], [7.0]),
           tf.scatter_nd_add(v, [[3], [3]], tf.ones([2, 3])), tf.scatter_max(v, [0, 2], tf.fill([2, 3], 1.5)),
           tf.scatter_min(v, [3], -tf.ones([1, 3]))]
    want = np.zeros((4, 3), np.float32)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        got = [sess.run(o) for o in ops]
        final = sess.run(v)
    steps = [lambda w: w.__setitem__(slice(1, 3), 1), lambda w: w.__setitem__(1, w[1] + 2),
             lambda w: w.__setitem__(0, w[0] - 1), lambda w: w.__setitem__((3, 0), 7),
             lambda w: w.__setitem__(3, w[3] + 2), lambda w: w.__setitem__([0, 2], np.maximum(w[[0, 2]], 1.5)),
             lambda w: w.__setitem__(3, np.minimum(w[3], -1))]
    for step, have in zip(steps, got):
        step(want)
        np.testing.assert_array_equal(have, want)
    np.testing.assert_array_equal(final, want)


def test_scatter_ops_on_a_resource_variable():
    v = tf.get_variable("r", initializer=np.zeros((3, 2), np.float32), use_resource=True)
    ops = [tf.scatter_update(v, [0], [[1.0, 2.0]]), tf.scatter_add(v, [0, 2], tf.ones([2, 2])),
           tf.scatter_sub(v, [1], [[3.0, 3.0]]), tf.scatter_max(v, [2], [[0.5, 4.0]]),
           tf.scatter_min(v, [0], [[0.0, 9.0]]), tf.scatter_nd_update(v, [[1, 1]], [7.0]),
           tf.scatter_nd_add(v, [[2], [2]], tf.ones([2, 2])), tf.scatter_nd_sub(v, [[0, 0]], [5.0])]
    want = [[[1, 2], [0, 0], [0, 0]], [[2, 3], [0, 0], [1, 1]], [[2, 3], [-3, -3], [1, 1]],
            [[2, 3], [-3, -3], [1, 4]], [[0, 3], [-3, -3], [1, 4]], [[0, 3], [-3, 7], [1, 4]],
            [[0, 3], [-3, 7], [3, 6]], [[-5, 3], [-3, 7], [3, 6]]]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for op, expected in zip(ops, want):
            np.testing.assert_array_equal(sess.run(op), expected)
        np.testing.assert_array_equal(sess.run(v), want[-1])


# --------------------------------------------------------------------------- linalg

def _spd(n):
    a = RNG.uniform(-1, 1, size=(n, n))
    return (a @ a.T + n * np.eye(n)).astype(np.float32)


def test_inverse_determinant_solves_and_decompositions():
    m = _spd(3)
    rhs = RNG.uniform(size=(3, 2)).astype(np.float32)
    pm = tf.placeholder(tf.float32, [3, 3])
    pr = tf.placeholder(tf.float32, [3, 2])
    s, u, v = tf.svd(pm)
    e, vecs = tf.self_adjoint_eig(pm)
    sign, logabs = tf.linalg.slogdet(pm)
    chol = tf.linalg.cholesky(pm)
    fetches = [tf.matrix_inverse(pm), tf.matrix_determinant(pm), tf.matrix_solve(pm, pr),
               tf.linalg.triangular_solve(chol, pr), tf.linalg.cholesky_solve(chol, pr), s, u, v, e, vecs,
               sign, logabs, tf.linalg.logdet(pm), tf.linalg.eigvalsh(pm), tf.svd(pm, compute_uv=False)]
    with tf.Session() as sess:
        got = sess.run(fetches, {pm: m, pr: rhs})
        assert sess.last_run_backend == "numpy"  # no ONNX form for these: the interpreter ran them
    np.testing.assert_allclose(got[0], np.linalg.inv(m), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(got[1], np.linalg.det(m), rtol=1e-4)
    np.testing.assert_allclose(got[2], np.linalg.solve(m, rhs), rtol=1e-4, atol=1e-5)
    lower = np.linalg.cholesky(m)
    np.testing.assert_allclose(got[3], np.linalg.solve(lower, rhs), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(got[4], np.linalg.solve(m, rhs), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(got[6] @ np.diag(got[5]) @ got[7].T, m, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(got[8], np.linalg.eigvalsh(m), rtol=1e-4)
    np.testing.assert_allclose(got[9] @ np.diag(got[8]) @ got[9].T, m, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose([got[10], got[11], got[12]], [1.0, np.log(np.linalg.det(m)),
                                                             np.log(np.linalg.det(m))], rtol=1e-4)
    np.testing.assert_allclose(got[13], np.linalg.eigvalsh(m), rtol=1e-4)
    np.testing.assert_allclose(got[14], np.linalg.svd(m, compute_uv=False), rtol=1e-4)


def test_diagonals_band_part_and_tensor_diag():
    d = RNG.uniform(size=(2, 3)).astype(np.float32)
    m = RNG.uniform(size=(2, 4, 3)).astype(np.float32)
    pd = tf.placeholder(tf.float32, [None, 3])
    pm = tf.placeholder(tf.float32, [None, 4, 3])
    got = _run([tf.matrix_diag(pd), tf.matrix_diag_part(pm), tf.matrix_set_diag(pm, pd),
                tf.matrix_band_part(pm, 1, 0), tf.linalg.band_part(pm, -1, 0), tf.linalg.tensor_diag(pd),
                tf.linalg.tensor_diag_part(tf.linalg.tensor_diag(pd)), tf.linalg.set_diag(pm, pd)],
               {pd: d, pm: m})
    np.testing.assert_array_equal(got[0], np.stack([np.diag(r) for r in d]))
    np.testing.assert_array_equal(got[1], np.diagonal(m, axis1=1, axis2=2))
    want = m.copy()
    want[:, np.arange(3), np.arange(3)] = d
    np.testing.assert_array_equal(got[2], want)
    rows, cols = np.arange(4)[:, None], np.arange(3)[None, :]
    np.testing.assert_array_equal(got[3], np.where((rows - cols <= 1) & (cols <= rows), m, 0))
    np.testing.assert_array_equal(got[4], np.where(cols <= rows, m, 0))
    np.testing.assert_array_equal(got[5], np.diag(d.reshape(-1)).reshape(2, 3, 2, 3))
    np.testing.assert_array_equal(got[6], d)
    np.testing.assert_array_equal(got[7], want)


def test_linalg_helpers_normalize_matvec_adjoint_cross():
    x = RNG.uniform(-1, 1, size=(2, 3)).astype(np.float32)
    m = RNG.uniform(-1, 1, size=(3, 3)).astype(np.float32)
    px = tf.placeholder(tf.float32, [2, 3])
    normalized, norm = tf.linalg.normalize(px, axis=1)
    got = _run([normalized, norm, tf.linalg.matvec(m, px[0]), tf.linalg.adjoint(m),
                tf.linalg.cross(px, px[::-1]), tf.linalg.tensordot(px, m, 1)], {px: x})
    n = np.linalg.norm(x, axis=1, keepdims=True)
    np.testing.assert_allclose(got[0], x / n, rtol=1e-5)
    np.testing.assert_allclose(got[1], n, rtol=1e-5)
    np.testing.assert_allclose(got[2], m @ x[0], rtol=1e-5)
    np.testing.assert_array_equal(got[3], m.T)
    np.testing.assert_allclose(got[4], np.cross(x, x[::-1]), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got[5], x @ m, rtol=1e-5)


# --------------------------------------------------------------------------- math extras

def test_math_extras():
    xv = RNG.uniform(-3, 3, size=(2, 4)).astype(np.float32)
    x = tf.placeholder(tf.float32, [None, 4])
    ids = tf.constant([0, 2])
    got = _run([tf.math.log_sigmoid(x), tf.math.polyval([2.0, -1.0, 0.5], x), tf.math.cumprod(x, 1),
                tf.math.unsorted_segment_mean(x, ids, 3), tf.math.unsorted_segment_sqrt_n(x, [1, 1], 2),
                tf.confusion_matrix([0, 1, 2, 1], [0, 2, 2, 1]),
                tf.math.confusion_matrix([0, 1], [1, 1], num_classes=3, weights=[0.5, 2.0], dtype=tf.float32)],
               {x: xv})
    np.testing.assert_allclose(got[0], -np.log1p(np.exp(-xv)), rtol=1e-5)
    np.testing.assert_allclose(got[1], 2 * xv ** 2 - xv + 0.5, rtol=1e-5)
    np.testing.assert_allclose(got[2], np.cumprod(xv, 1), rtol=1e-5)
    np.testing.assert_allclose(got[3], np.stack([xv[0], np.zeros(4), xv[1]]), rtol=1e-6)
    np.testing.assert_allclose(got[4], np.stack([np.zeros(4), xv.sum(0) / np.sqrt(2)]), rtol=1e-5)
    np.testing.assert_array_equal(got[5], [[1, 0, 0], [0, 1, 1], [0, 0, 1]])
    np.testing.assert_array_equal(got[6], [[0, 0.5, 0], [0, 2.0, 0], [0, 0, 0]])


# --------------------------------------------------------------------------- strings

def test_strings_run_on_the_interpreter():
    s = tf.placeholder(tf.string, [None])
    sv = np.array([b"Hello ", b"wOrld"], dtype=object)
    fetches = [tf.strings.join([s, "x"], separator="-"), tf.string_join([s, s]), tf.strings.length(s),
               tf.strings.lower(s), tf.strings.upper(s), tf.strings.regex_replace(s, "[lo]", "_"),
               tf.regex_replace(s, "l", "L", replace_global=False), tf.string_strip(s), tf.substr(s, 1, 3),
               tf.strings.length(tf.constant(["h\u00e9"]), unit="UTF8_CHAR")]
    with tf.Session() as sess:
        got = sess.run(fetches, {s: sv})
        assert sess.last_run_backend == "numpy"
    assert got[0].tolist() == [b"Hello -x", b"wOrld-x"]
    assert got[1].tolist() == [b"Hello Hello ", b"wOrldwOrld"]
    assert got[2].tolist() == [6, 5] and got[2].dtype == np.int32
    assert got[3].tolist() == [b"hello ", b"world"]
    assert got[4].tolist() == [b"HELLO ", b"WORLD"]
    assert got[5].tolist() == [b"He___ ", b"wOr_d"]
    assert got[6].tolist() == [b"HeLlo ", b"wOrLd"]
    assert got[7].tolist() == [b"Hello", b"wOrld"]
    assert got[8].tolist() == [b"ell", b"Orl"]
    assert got[9].tolist() == [2]


def test_numbers_to_strings_and_back():
    s = tf.placeholder(tf.string, [None])
    f = tf.placeholder(tf.float32, [None])
    i = tf.placeholder(tf.int64, [None])
    got = _run([tf.string_to_number(s), tf.strings.to_number(s, out_type=tf.int32), tf.as_string(f),
                tf.as_string(f, precision=2), tf.as_string(i), tf.as_string(i, width=4, fill="0"),
                tf.strings.as_string(f, scientific=True, precision=1)],
               {s: np.array([b"12", b" -3 "], dtype=object), f: np.array([1.5, -0.25], np.float32),
                i: np.array([7, -42], np.int64)})
    np.testing.assert_array_equal(got[0], [12.0, -3.0])
    assert got[1].dtype == np.int32 and got[1].tolist() == [12, -3]
    assert got[2].tolist() == [b"1.500000", b"-0.250000"]
    assert got[3].tolist() == [b"1.50", b"-0.25"]
    assert got[4].tolist() == [b"7", b"-42"]
    assert got[5].tolist() == [b"0007", b"-042"]
    assert got[6].tolist() == [b"1.5e+00", b"-2.5e-01"]


def test_decode_raw_reads_little_and_big_endian():
    raw = np.array([1, 256, -2], np.int32).tobytes()
    s = tf.placeholder(tf.string, [None])
    little, big = _run([tf.decode_raw(s, tf.int32), tf.decode_raw(s, tf.int16, little_endian=False)],
                       {s: np.array([raw], dtype=object)})
    np.testing.assert_array_equal(little, [[1, 256, -2]])
    np.testing.assert_array_equal(big, np.frombuffer(raw, ">i2").astype(np.int16)[None])
    with pytest.raises(ValueError, match="Exactly one"):
        tf.decode_raw(s, tf.int32, bytes=s)


# --------------------------------------------------------------------------- images

def test_random_crop_is_a_window_of_the_input():
    img = np.arange(5 * 6 * 2, dtype=np.float32).reshape(5, 6, 2)
    x = tf.placeholder(tf.float32, [5, 6, 2])
    crops = [tf.random_crop(x, [3, 2, 2], seed=s) for s in range(4)] + [tf.image.random_crop(x, [5, 6, 2])]
    got = _run(crops, {x: img})
    for crop in got[:4]:
        assert crop.shape == (3, 2, 2)
        top, left = np.argwhere(img[..., 0] == crop[0, 0, 0])[0]
        np.testing.assert_array_equal(crop, img[top:top + 3, left:left + 2])
    np.testing.assert_array_equal(got[4], img)


def test_crop_and_resize_bilinear_and_nearest():
    img = RNG.uniform(size=(2, 5, 6, 1)).astype(np.float32)
    boxes = np.array([[0, 0, 1, 1], [0.25, 0.2, 0.75, 0.8], [0, 0, 2, 2]], np.float32)
    x = tf.placeholder(tf.float32, [None, 5, 6, 1])
    b = tf.placeholder(tf.float32, [None, 4])
    full, part, outside = (np.asarray(v) for v in _run(
        tf.image.crop_and_resize(x, b, [0, 1, 0], [5, 6], extrapolation_value=-1.0), {x: img, b: boxes}))
    np.testing.assert_allclose(full, img[0], rtol=1e-6)
    # Crop pixel (2, 2) of the box [0.25, 0.75] x [0.2, 0.8] samples source row 1 + 2 * 0.5 = 2,
    # column 1 + 2 * 0.6 = 2.2.
    np.testing.assert_allclose(part[2, 2], 0.8 * img[1, 2, 2] + 0.2 * img[1, 2, 3], rtol=1e-5)
    assert (outside[-1, -1] == -1.0).all()
    nearest = _run(tf.image.crop_and_resize(x, b[:1], [1], [5, 6], method="nearest"), {x: img, b: boxes})
    np.testing.assert_array_equal(nearest[0], img[1])


def test_non_max_suppression_keeps_the_best_non_overlapping_boxes():
    boxes = tf.placeholder(tf.float32, [None, 4])
    scores = tf.placeholder(tf.float32, [None])
    bv = np.array([[0, 0, 1, 1], [0, 0.1, 1, 1.1], [0, 10, 1, 11], [0, 20, 1, 21]], np.float32)
    sv = np.array([0.9, 0.95, 0.8, 0.1], np.float32)
    keep, keep_thresholded = _run([tf.image.non_max_suppression(boxes, scores, 10),
                                   tf.image.non_max_suppression(boxes, scores, 10, score_threshold=0.5)],
                                  {boxes: bv, scores: sv})
    assert keep.tolist() == [1, 2, 3] and keep.dtype == np.int32
    assert keep_thresholded.tolist() == [1, 2]


def test_extract_image_patches_and_resize_by_method_name():
    img = RNG.uniform(size=(1, 4, 4, 2)).astype(np.float32)
    x = tf.placeholder(tf.float32, [None, 4, 4, 2])
    patches, same_named, nearest = _run([
        tf.extract_image_patches(x, [1, 2, 2, 1], [1, 2, 2, 1], [1, 1, 1, 1], "VALID"),
        tf.image.extract_patches(x, [1, 2, 2, 1], [1, 2, 2, 1], [1, 1, 1, 1], "VALID"),
        tf.image.resize(x, [2, 2], method="nearest")], {x: img})
    assert patches.shape == (1, 2, 2, 8)
    np.testing.assert_array_equal(patches[0, 1, 0], img[0, 2:4, 0:2].reshape(-1))
    np.testing.assert_array_equal(same_named, patches)
    np.testing.assert_array_equal(nearest, img[:, ::2, ::2])


# --------------------------------------------------------------------------- second batch

def test_sequence_mask_where_v2_repeat_ensure_shape():
    lengths = tf.placeholder(tf.int32, [None])
    x = tf.placeholder(tf.float32, [None, 3])
    lv, xv = np.array([1, 3, 0], np.int32), np.arange(6, dtype=np.float32).reshape(2, 3)
    got = _run([tf.sequence_mask(lengths, 4), tf.sequence_mask(lengths), tf.sequence_mask(lengths, 2, tf.float32),
                tf.where_v2(x > 2, x, -1.0), tf.repeat(x, 2, axis=1), tf.repeat(x, [2, 1], axis=0), tf.repeat(x, 2),
                tf.ensure_shape(x, [None, 3])], {lengths: lv, x: xv})
    np.testing.assert_array_equal(got[0], np.arange(4) < lv[:, None])
    np.testing.assert_array_equal(got[1], np.arange(3) < lv[:, None])
    np.testing.assert_array_equal(got[2], (np.arange(2) < lv[:, None]).astype(np.float32))
    np.testing.assert_array_equal(got[3], np.where(xv > 2, xv, -1))
    np.testing.assert_array_equal(got[4], np.repeat(xv, 2, axis=1))
    np.testing.assert_array_equal(got[5], np.repeat(xv, [2, 1], axis=0))
    np.testing.assert_array_equal(got[6], np.repeat(xv, 2))
    np.testing.assert_array_equal(got[7], xv)


def test_tensor_scatters_and_segments():
    t = np.arange(12, dtype=np.float32).reshape(4, 3)
    x = tf.placeholder(tf.float32, [4, 3])
    ids = [0, 0, 2, 3]
    got = _run([tf.tensor_scatter_add(x, [[1], [1]], tf.ones([2, 3])), tf.tensor_scatter_nd_sub(x, [[0, 0]], [5.0]),
                tf.tensor_scatter_nd_max(x, [[0, 0], [3, 2]], [7.0, 1.0]),
                tf.tensor_scatter_nd_min(x, [[0, 0], [3, 2]], [7.0, 1.0]),
                tf.math.segment_mean(x, ids), tf.math.segment_max(x, ids), tf.math.segment_min(x, ids),
                tf.math.segment_prod(x, ids), tf.math.segment_sum(x, ids)], {x: t})
    add = t.copy()
    add[1] += 2
    np.testing.assert_array_equal(got[0], add)
    sub = t.copy()
    sub[0, 0] -= 5
    np.testing.assert_array_equal(got[1], sub)
    high, low = t.copy(), t.copy()
    high[0, 0], low[3, 2] = 7, 1
    np.testing.assert_array_equal(got[2], high)
    np.testing.assert_array_equal(got[3], low)
    rows = [t[:2], None, t[2:3], t[3:4]]
    for out, fn, empty in zip(got[4:], (np.mean, np.max, np.min, np.prod, np.sum), (0, 0, 0, 1, 0)):
        want = np.stack([fn(r, axis=0) if r is not None else np.full(3, empty, np.float32) for r in rows])
        np.testing.assert_allclose(out, want, rtol=1e-6)


def test_math_second_batch():
    xv = np.array([[0.0, 1.5, -2.0], [3.0, 0.0, 0.5]], np.float32)
    x = tf.placeholder(tf.float32, [None, 3])
    i = tf.placeholder(tf.int32, [None])
    iv = np.array([1, 4, 1, 0], np.int32)
    got = _run([tf.math.atan2(x, x - 1), tf.math.xlogy(x, tf.abs(x) + 1), tf.math.xdivy(x, x),
                tf.math.reciprocal_no_nan(x), tf.math.multiply_no_nan(x, x), tf.arg_max(x, 1), tf.arg_min(x, 1),
                tf.math.is_non_decreasing(i), tf.math.is_strictly_increasing([1, 2, 5]), tf.math.bincount(i),
                tf.math.bincount(i, weights=[0.5, 1.0, 2.0, 4.0]), tf.math.bincount(i, minlength=7, maxlength=7),
                tf.math.in_top_k(x, [1, 0], 1), tf.math.in_top_k(x, [2, 0], 2), tf.math.softsign(x),
                tf.math.rint(x * 1.5), tf.math.acosh(tf.abs(x) + 1)], {x: xv, i: iv})
    np.testing.assert_allclose(got[0], np.arctan2(xv, xv - 1), rtol=1e-6)
    with np.errstate(divide="ignore", invalid="ignore"):
        np.testing.assert_allclose(got[1], np.where(xv == 0, 0, xv * np.log(np.abs(xv) + 1)), rtol=1e-6)
        np.testing.assert_array_equal(got[2], np.where(xv == 0, 0, 1))
        np.testing.assert_allclose(got[3], np.where(xv == 0, 0, 1 / xv), rtol=1e-6)
    np.testing.assert_array_equal(got[4], xv * xv)
    np.testing.assert_array_equal(got[5], [1, 0])
    np.testing.assert_array_equal(got[6], [2, 1])
    assert not got[7] and got[8]
    np.testing.assert_array_equal(got[9], [1, 2, 0, 0, 1])
    np.testing.assert_array_equal(got[10], [4.0, 2.5, 0, 0, 1.0])
    np.testing.assert_array_equal(got[11], [1, 2, 0, 0, 1, 0, 0])
    np.testing.assert_array_equal(got[12], [True, True])
    np.testing.assert_array_equal(got[13], [False, True])
    np.testing.assert_allclose(got[14], xv / (1 + np.abs(xv)), rtol=1e-6)
    np.testing.assert_array_equal(got[15], np.rint(xv * 1.5))
    np.testing.assert_allclose(got[16], np.arccosh(np.abs(xv) + 1), rtol=1e-5)


def test_clipping_by_norms():
    xv = np.array([[3.0, 4.0], [0.0, 0.0]], np.float32)
    yv = np.array([12.0], np.float32)
    x = tf.placeholder(tf.float32, [2, 2])
    y = tf.placeholder(tf.float32, [1])
    (cx, cy), norm = tf.clip_by_global_norm([x, y], 6.5)
    got = _run([tf.clip_by_norm(x, 1.0), tf.clip_by_norm(x, 1.0, axes=[1]), cx, cy, norm, tf.global_norm([x, y]),
                tf.linalg.global_norm([y]), tf.clip_by_average_norm(x, 0.5)], {x: xv, y: yv})
    np.testing.assert_allclose(got[0], xv / 5, rtol=1e-6)
    np.testing.assert_allclose(got[1], [[0.6, 0.8], [0, 0]], rtol=1e-6)
    np.testing.assert_allclose(got[2], xv / 2, rtol=1e-6)
    np.testing.assert_allclose(got[3], yv / 2, rtol=1e-6)
    np.testing.assert_allclose([got[4], got[5], got[6]], [13.0, 13.0, 12.0], rtol=1e-6)
    np.testing.assert_allclose(got[7], xv * 0.5 * min(4 / 5, 1 / 0.5), rtol=1e-6)


def test_lstsq_tall_and_wide():
    a = RNG.uniform(-1, 1, size=(5, 3)).astype(np.float32)
    b = RNG.uniform(-1, 1, size=(5, 2)).astype(np.float32)
    pa, pb = tf.placeholder(tf.float32, [5, 3]), tf.placeholder(tf.float32, [5, 2])
    tall, wide, ridge = _run([tf.matrix_solve_ls(pa, pb), tf.linalg.lstsq(tf.transpose(pa), pb[:3]),
                              tf.linalg.lstsq(pa, pb, l2_regularizer=0.5)], {pa: a, pb: b})
    np.testing.assert_allclose(tall, np.linalg.lstsq(a, b, rcond=None)[0], rtol=1e-3, atol=1e-4)
    np.testing.assert_allclose(wide, np.linalg.lstsq(a.T, b[:3], rcond=None)[0], rtol=1e-3, atol=1e-4)
    np.testing.assert_allclose(ridge, np.linalg.solve(a.T @ a + 0.5 * np.eye(3), a.T @ b), rtol=1e-3, atol=1e-4)


def test_image_second_batch():
    img = RNG.uniform(size=(4, 5, 3)).astype(np.float32)
    x = tf.placeholder(tf.float32, [4, 5, 3])
    xb = tf.placeholder(tf.float32, [2, 4, 5, 3])
    got = _run([tf.image.rot90(x), tf.image.rot90(x, 2), tf.image.rot90(x, -1), tf.image.rot90(xb, 1),
                tf.image.grayscale_to_rgb(x[..., :1]), tf.image.resize_image_with_crop_or_pad(x, 2, 7),
                tf.image.resize_with_crop_or_pad(x, 6, 3), tf.image.adjust_gamma(x, 2.0, 0.5),
                tf.image.total_variation(x), tf.image.total_variation(xb), tf.image.psnr(x, x * 0.5, 1.0),
                tf.image.transpose(x)], {x: img, xb: np.stack([img, img[::-1]])})
    np.testing.assert_array_equal(got[0], np.rot90(img))
    np.testing.assert_array_equal(got[1], np.rot90(img, 2))
    np.testing.assert_array_equal(got[2], np.rot90(img, 3))
    np.testing.assert_array_equal(got[3][0], np.rot90(img))
    np.testing.assert_array_equal(got[4], np.repeat(img[..., :1], 3, axis=-1))
    np.testing.assert_array_equal(got[5], np.pad(img[1:3], [(0, 0), (1, 1), (0, 0)]))
    np.testing.assert_array_equal(got[6], np.pad(img[:, 1:4], [(1, 1), (0, 0), (0, 0)]))
    np.testing.assert_allclose(got[7], 0.5 * img ** 2, rtol=1e-6)
    tv = np.abs(np.diff(img, axis=0)).sum() + np.abs(np.diff(img, axis=1)).sum()
    np.testing.assert_allclose(got[8], tv, rtol=1e-5)
    np.testing.assert_allclose(got[9], [tv, tv], rtol=1e-5)
    np.testing.assert_allclose(got[10], 10 * np.log10(1 / np.mean((img * 0.5) ** 2)), rtol=1e-5)
    np.testing.assert_array_equal(got[11], img.transpose(1, 0, 2))


def test_reduce_join_orders_axes_as_tensorflow():
    a = tf.constant([["a", "b"], ["c", "d"]])
    got = _run([tf.reduce_join(a, 0), tf.reduce_join(a, 1, keep_dims=True), tf.reduce_join(a, [0, 1]),
                tf.reduce_join(a, [1, 0]), tf.strings.reduce_join(a, -1, separator=".")])
    assert got[0].tolist() == [b"ac", b"bd"]
    assert got[1].tolist() == [[b"ab"], [b"cd"]]
    assert got[2] == b"acbd" and got[3] == b"abcd"
    assert got[4].tolist() == [b"a.b", b"c.d"]


def test_small_inverses_run_in_onnx_and_float64_on_the_interpreter():
    m = _spd(4)
    rhs = RNG.uniform(size=(4, 2)).astype(np.float32)
    pm, pr = tf.placeholder(tf.float32, [4, 4]), tf.placeholder(tf.float32, [4, 2])
    pm64 = tf.placeholder(tf.float64, [4, 4])
    with tf.Session() as sess:
        inv, solved, tri, det = sess.run([tf.matrix_inverse(pm), tf.matrix_solve(pm, pr),
                                          tf.matrix_triangular_solve(pm, pr, lower=False), tf.matrix_determinant(pm)],
                                         {pm: m, pr: rhs})
        assert sess.last_run_backend == "onnxruntime"  # cofactor inverse and Det
        inv64 = sess.run(tf.matrix_inverse(pm64), {pm64: m.astype(np.float64)})
        assert sess.last_run_backend == "numpy"  # onnxruntime has no float64 Det
    np.testing.assert_allclose(inv, np.linalg.inv(m), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(solved, np.linalg.solve(m, rhs), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(tri, np.linalg.solve(np.triu(m), rhs), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(det, np.linalg.det(m), rtol=1e-4)
    np.testing.assert_allclose(inv64, np.linalg.inv(m.astype(np.float64)), rtol=1e-12)


def test_logdet_cholesky_solve_and_lstsq_run_in_onnx():
    m = _spd(5)
    rhs = RNG.uniform(size=(5, 2)).astype(np.float32)
    pm, pr = tf.placeholder(tf.float32, [5, 5]), tf.placeholder(tf.float32, [5, 2])
    with tf.Session() as sess:
        logdet, solved, ls = sess.run([tf.linalg.logdet(pm), tf.linalg.cholesky_solve(tf.cholesky(pm), pr),
                                       tf.linalg.lstsq(pm[:, :3], pr)], {pm: m, pr: rhs})
        assert sess.last_run_backend == "onnxruntime"
    np.testing.assert_allclose(logdet, np.linalg.slogdet(m)[1], rtol=1e-5)
    np.testing.assert_allclose(solved, np.linalg.solve(m, rhs), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(ls, np.linalg.lstsq(m[:, :3], rhs, rcond=None)[0], rtol=1e-3, atol=1e-4)


def test_colour_adjustments_match_colorsys():
    import colorsys

    img = RNG.uniform(size=(3, 4, 3)).astype(np.float32)
    x = tf.placeholder(tf.float32, [3, 4, 3])
    u8 = tf.placeholder(tf.uint8, [3, 4, 3])
    got = _run([tf.image.rgb_to_hsv(x), tf.image.hsv_to_rgb(tf.image.rgb_to_hsv(x)), tf.image.adjust_hue(x, -0.2),
                tf.image.adjust_saturation(x, 1.5), tf.image.random_hue(x, 0.1, seed=1),
                tf.image.random_saturation(x, 0.5, 1.5, seed=2), tf.image.adjust_hue(u8, 0.5)],
               {x: img, u8: (img * 255).astype(np.uint8)})

    def per_pixel(fn):
        return np.array([fn(*p) for p in img.reshape(-1, 3).astype(np.float64)], np.float32).reshape(img.shape)

    def hue(r, g, b):
        h, s, v = colorsys.rgb_to_hsv(r, g, b)
        return colorsys.hsv_to_rgb((h - 0.2) % 1.0, s, v)

    def saturation(r, g, b):
        h, s, v = colorsys.rgb_to_hsv(r, g, b)
        return colorsys.hsv_to_rgb(h, min(s * 1.5, 1.0), v)
    np.testing.assert_allclose(got[0], per_pixel(colorsys.rgb_to_hsv), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got[1], img, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got[2], per_pixel(hue), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(got[3], per_pixel(saturation), rtol=1e-5, atol=1e-5)
    for random in got[4:6]:  # a hue or saturation change keeps the value (max channel)
        np.testing.assert_allclose(random.max(-1), img.max(-1), rtol=1e-5)
    assert got[6].dtype == np.uint8 and got[6].shape == img.shape
    with pytest.raises(ValueError, match="max_delta"):
        tf.image.random_hue(x, 0.6)


def test_third_batch_small_functions():
    x = tf.placeholder(tf.float32, [None, 3])
    xv = np.array([[-1.5, 300.0, 7.7], [0.0, 255.5, -400.0]], np.float32)
    params = tf.placeholder(tf.float32, [2, 4, 3])
    pv = RNG.uniform(size=(2, 4, 3)).astype(np.float32)
    img = tf.placeholder(tf.float32, [1, 3, 4, 2])
    iv = RNG.uniform(size=(1, 3, 4, 2)).astype(np.float32)
    dy, dx = tf.image.image_gradients(img)
    # Fed, not constant: the converter cannot fetch a folded output of a multi-output node.
    a, b = tf.placeholder(tf.int32, [None]), tf.placeholder(tf.int32, [None])
    diff, idx = tf.setdiff1d(a, b)
    got = _run([tf.saturate_cast(x, tf.uint8), tf.saturate_cast(tf.constant([300, -5], tf.int32), tf.int8),
                tf.to_double(x), tf.batch_gather(params, [[3, 0], [1, 1]]), diff, idx,
                tf.unravel_index([0, 5, 11], [3, 4]), tf.math.invert_permutation([2, 0, 1]), dy, dx], {x: xv, params: pv, img: iv, a: [4, 1, 4, 8, 2], b: [4, 2]})
    np.testing.assert_array_equal(got[0], np.clip(xv, 0, 255).astype(np.uint8))
    np.testing.assert_array_equal(got[1], [127, -5])
    assert got[2].dtype == np.float64
    np.testing.assert_array_equal(got[3], np.stack([pv[0, [3, 0]], pv[1, [1, 1]]]))
    np.testing.assert_array_equal(got[4], [1, 8])
    np.testing.assert_array_equal(got[5], [1, 3])
    np.testing.assert_array_equal(got[6], [[0, 1, 2], [0, 1, 3]])
    np.testing.assert_array_equal(got[7], [1, 2, 0])
    np.testing.assert_allclose(got[8], np.concatenate([np.diff(iv, axis=1), np.zeros((1, 1, 4, 2))], 1), rtol=1e-6)
    np.testing.assert_allclose(got[9], np.concatenate([np.diff(iv, axis=2), np.zeros((1, 3, 1, 2))], 2), rtol=1e-6)
    from math import lgamma
    a = np.abs(xv) + 1
    want = np.array([sum(lgamma(v) for v in row) - lgamma(row.sum()) for row in a.astype(np.float64)])
    np.testing.assert_allclose(_run(tf.math.lbeta(tf.abs(x) + 1), {x: xv}), want, rtol=1e-4)
    assert tf.broadcast_static_shape(tf.TensorShape([None, 1, 3]), tf.TensorShape([4, 1])).as_list() == [None, 4, 3]
    assert tf.is_tensor(x) and not tf.is_tensor(xv)


def test_string_join_and_to_number_run_in_onnx_and_regex_full_match():
    s = tf.placeholder(tf.string, [None])
    sv = np.array([b"7", b" -2 "], dtype=object)
    with tf.Session() as sess:
        joined, number = sess.run([tf.string_join([s, "!"], separator="~"), tf.string_to_number(s)], {s: sv})
        assert sess.last_run_backend == "onnxruntime"
        matched = sess.run([tf.strings.regex_full_match(s, r"\d"), tf.strings.regex_full_match(s, tf.constant(".*2.*"))],
                           {s: sv})
    assert joined.tolist() == [b"7~!", b" -2 ~!"]
    np.testing.assert_array_equal(number, [7.0, -2.0])
    assert [m.tolist() for m in matched] == [[True, False], [False, True]]


def test_non_max_suppression_padded_and_with_scores():
    boxes = tf.placeholder(tf.float32, [None, 4])
    scores = tf.placeholder(tf.float32, [None])
    bv = np.array([[0, 0, 1, 1], [0, 0.1, 1, 1.1], [1, 1, 0, 0], [0, 10, 1, 11]], np.float32)
    sv = np.array([0.9, 0.95, 0.7, 0.6], np.float32)
    indices, valid = tf.image.non_max_suppression_padded(boxes, scores, 4, pad_to_max_output_size=True)
    kept, kept_scores = tf.image.non_max_suppression_with_scores(boxes, scores, 4)
    with tf.Session() as sess:
        got = sess.run([indices, valid, kept, kept_scores], {boxes: bv, scores: sv})
        assert sess.last_run_backend == "onnxruntime"
        soft = sess.run(tf.image.non_max_suppression_with_scores(boxes, scores, 4, soft_nms_sigma=0.5),
                        {boxes: bv, scores: sv})
        assert sess.last_run_backend == "onnxruntime"  # soft suppression converts to an ONNX Loop
    assert got[0].tolist() == [1, 3, 0, 0] and got[1] == 2  # box 2 is box 0 with its corners swapped
    assert got[2].tolist() == [1, 3]
    np.testing.assert_allclose(got[3], [0.95, 0.6])
    assert soft[0].tolist()[:2] == [1, 3] and len(soft[0]) == 4  # soft: overlapping boxes come back decayed
    assert (np.diff(soft[1]) <= 0).all() and soft[1][0] == np.float32(0.95)


def test_scatter_nd_max_min_nodes_update_the_variable():
    # No tf.compat.v1 function builds these, but imported graphs may hold them.
    from ortflow.api.ops_builder import apply_op_output

    v = tf.get_variable("w", initializer=np.zeros((2, 2), np.float32), use_resource=False)
    high = apply_op_output("ScatterNdMax", [v, [[0, 1]], [4.0]], name="ScatterNdMax")
    low = apply_op_output("ScatterNdMin", [v, [[1, 0]], [-4.0]], name="ScatterNdMin")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run([high])
        sess.run([low])
        np.testing.assert_array_equal(sess.run(v), [[0, 4], [-4, 0]])


def test_resize_image_with_pad_fits_then_pads():
    img = RNG.uniform(size=(4, 8, 3)).astype(np.float32)
    x = tf.placeholder(tf.float32, [4, 8, 3])
    wide, same = _run([tf.image.resize_image_with_pad(x, 8, 8, method=tf.image.ResizeMethod.NEAREST_NEIGHBOR),
                       tf.image.resize_image_with_pad(x, 4, 8)], {x: img})
    assert wide.shape == (8, 8, 3)
    np.testing.assert_array_equal(wide[:2], 0)
    np.testing.assert_array_equal(wide[6:], 0)
    np.testing.assert_array_equal(wide[2:6], img)  # the 4 x 8 image fits 8 x 8 unscaled, centred
    np.testing.assert_allclose(same, img, rtol=1e-6)


def test_base64_bins_cross_and_space_batch_wrappers():
    s = tf.placeholder(tf.string, [None])
    x = tf.placeholder(tf.float32, [None])
    img = np.arange(16, dtype=np.float32).reshape(1, 4, 4, 1)
    # Two runs: the string ops need the numpy interpreter, which has no SpaceToBatchND kernel.
    strings = _run([tf.encode_base64(s), tf.encode_base64(s, pad=True), tf.decode_base64(tf.encode_base64(s))],
                   {s: np.array([b"hi?>", b""], dtype=object)})
    got = _run([tf.histogram_fixed_width_bins(x, [0.0, 5.0], nbins=5), tf.cross([[1.0, 0, 0]], [[0, 1.0, 0]]),
                tf.batch_to_space(tf.space_to_batch(img, [[0, 0], [0, 0]], 2), [[0, 0], [0, 0]], 2)],
               {x: np.array([-1, 0.5, 2.4, 4.99, 7], np.float32)})
    assert strings[0].tolist() == [b"aGk_Pg", b""] and strings[1].tolist() == [b"aGk_Pg==", b""]
    assert strings[2].tolist() == [b"hi?>", b""]
    np.testing.assert_array_equal(got[0], [0, 0, 2, 4, 4])
    np.testing.assert_array_equal(got[1], [[0, 0, 1]])
    np.testing.assert_array_equal(got[2], img)


def test_pinv_and_matrix_rank():
    a = RNG.uniform(-1, 1, size=(4, 3)).astype(np.float32)
    low = np.outer(RNG.uniform(size=4), RNG.uniform(size=3)).astype(np.float32)
    pa, pl = tf.placeholder(tf.float32, [4, 3]), tf.placeholder(tf.float32, [4, 3])
    got = _run([tf.linalg.pinv(pa), tf.linalg.matrix_rank(pa), tf.linalg.matrix_rank(pl), tf.linalg.pinv(pl)],
               {pa: a, pl: low})
    np.testing.assert_allclose(got[0], np.linalg.pinv(a), rtol=1e-4, atol=1e-5)
    assert got[1] == 3 and got[2] == 1
    np.testing.assert_allclose(got[3], np.linalg.pinv(low, rcond=10 * 4 * np.finfo(np.float32).eps), rtol=1e-3,
                               atol=1e-4)
