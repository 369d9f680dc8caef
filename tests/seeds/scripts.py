"""TF 1.x scripts written from the seed notes (../shared/seeds), one function per topic.

Each script is `def script(tf, workdir) -> dict` and uses only the `tf` it is given, so the
same text runs under `import ortflow as tf` (the tests) and under
`tensorflow.compat.v1` (tests/data/seeds/gen_expected.py, which records TensorFlow's results).
A script builds its own graph, so scripts do not share state, and returns plain values:
numbers, arrays, strings and lists of strings. Random values are reported only as shapes,
dtypes and statistics (the two libraries need not draw the same numbers); a script that
draws returns its raw draws under keys starting with `raw_`, which the generator drops and
the tests use only to check that equal seeds give equal values.
"""

from __future__ import annotations

import json
import os

import numpy as np

__all__ = ["SCRIPTS", "as_result"]

X = np.array([[1.0, -2.0, 3.0], [0.5, 4.0, -1.5]], np.float32)
W = np.array([[0.1, 0.2], [0.3, -0.4], [-0.5, 0.6]], np.float32)


def _export(tf, workdir, fetches, init=None, updates=None):
    """Writes the default graph (graph.pb) and which tensor gives which result (fetches.json).

    The interop tests import graph.pb into TensorFlow, run `init` and then `updates` (when
    given) and the named tensors, and compare with the recorded results.
    """
    tf.io.write_graph(tf.get_default_graph(), workdir, "graph.pb", as_text=False)
    names = {k: t.name for k, t in fetches.items()}
    if init is not None:
        names["__init__"] = init.name
    if updates is not None:
        names["__updates__"] = [u.name for u in updates]
    with open(os.path.join(workdir, "fetches.json"), "w") as f:
        json.dump(names, f)


def session_basics(tf, workdir):
    """Session, run, constants, Variable, initializer .run(), eval, convert_to_tensor."""
    out = {}
    with tf.Graph().as_default() as g:
        x = tf.constant(X, name="x")
        w1 = tf.Variable(W, name="w1")
        b = tf.Variable(tf.zeros([2]) + 0.5, name="b")
        y = tf.add(tf.matmul(x, w1), b, name="y")
        one = tf.constant(1)
        c = tf.convert_to_tensor(np.arange(4, dtype=np.int32).reshape(2, 2))
        with tf.Session(graph=g) as sess:
            tf.global_variables_initializer().run()
            out["y"] = sess.run(y)
            out["y_eval"] = y.eval()
            out["one"] = sess.run(one)
            out["c"] = c.eval()
            out["c_dtype"] = c.dtype.name
            out["many"] = sess.run([y, one, {"k": c}])[2]["k"]
            out["var_names"] = [v.name for v in tf.all_variables()]
            out["global_names"] = [v.name for v in tf.global_variables()]
            out["w1_value"] = sess.run(w1)
            out["y_name"] = y.name
            out["y_shape"] = y.shape.as_list()
        tf.io.write_graph(g.as_graph_def(), workdir, "session_basics.pbtxt")
    return out


def _error_name(fn):
    try:
        fn()
    except Exception as e:
        return type(e).__name__
    return "none"


def _raises(cls, fn):
    try:
        fn()
    except cls:
        return True
    except Exception:
        return False
    return False


def session_errors(tf, workdir):
    """What the notes warn about: uninitialized variables, unfed placeholders, wrong shapes."""
    out = {}
    with tf.Graph().as_default() as g:
        v = tf.Variable([1.0, 2.0], name="v")
        p = tf.placeholder(tf.float32, [2], name="p")
        y = tf.add(v, p, name="y")
        sess = tf.Session(graph=g)
        with sess.as_default():
            out["default_is_sess"] = tf.get_default_session() is sess
            out["uninit"] = _error_name(lambda: v.eval())
            out["init_returns"] = repr(sess.run(tf.global_variables_initializer()))
            out["is_init"] = bool(sess.run(tf.is_variable_initialized(v)))
            out["unfed"] = _error_name(lambda: y.eval())
            out["fed"] = y.eval(feed_dict={p: np.array([0.5, 0.5], np.float32)})
            out["op_run"] = repr(tf.assign(v, [3.0, 4.0]).op.run())
            out["after_op"] = v.eval()
        sess.close()
        out["closed"] = _error_name(lambda: sess.run(v))
    out["outside"] = tf.get_default_session() is None
    return out


def session_client_errors(tf, workdir):
    """Errors TF's Session raises before running: a feed of the wrong shape, an unknown fetch."""
    with tf.Graph().as_default():
        p = tf.placeholder(tf.float32, [2], name="p")
        y = tf.identity(p, name="y")
        with tf.Session() as sess:
            # What a TF 1.x script catches: `except ValueError` / `except TypeError`.
            return {"bad_shape": _raises(ValueError, lambda: sess.run(y, {p: np.zeros([3], np.float32)})),
                    "bad_fetch": _raises(ValueError, lambda: sess.run("nope:0")),
                    "bad_fetch_type": _raises(TypeError, lambda: sess.run(3.5))}


def report_uninitialized(tf, workdir):
    """tf.report_uninitialized_variables before and after the initializer."""
    with tf.Graph().as_default():
        tf.Variable([1.0, 2.0], name="v")
        tf.Variable(3, name="w")
        report = tf.report_uninitialized_variables()
        with tf.Session() as sess:
            before = [n.decode() for n in sess.run(report)]
            sess.run(tf.global_variables_initializer())
            after = [n.decode() for n in sess.run(report)]
    return {"before": before, "after": after, "after_len": len(after)}


def placeholders(tf, workdir):
    """Placeholders with unknown dimensions, filled through feed_dict."""
    out = {}
    with tf.Graph().as_default() as g:
        p = tf.placeholder(tf.float32, [4, None], name="p")
        q = tf.placeholder(tf.float32, shape=[None], name="q")
        s = tf.multiply(tf.reduce_sum(p, axis=0), q, name="s")
        n = tf.shape(p, name="n")
        out["p_shape"] = [-1 if d is None else d for d in p.shape.as_list()]
        out["s_shape"] = [-1 if d is None else d for d in s.shape.as_list()]
        with tf.Session() as sess:
            for m in (1, 3):
                feed = {p: np.arange(4 * m, dtype=np.float32).reshape(4, m),
                        q: np.full([m], 2.0, np.float32)}
                out[f"s_{m}"], out[f"n_{m}"] = sess.run([s, n], feed_dict=feed)
            out["by_name"] = sess.run("s:0", feed_dict={"p:0": np.ones([4, 2], np.float32),
                                                        "q:0": np.array([1.0, -1.0], np.float32)})
        tf.io.write_graph(g, workdir, "placeholders.pb", as_text=False)
    return out


def math_ops(tf, workdir):
    """The assorted ops the notes list: reductions, log, clip, activations, slice, conv2d, fft."""
    out = {}
    with tf.Graph().as_default():
        x = tf.constant(X)
        img = tf.reshape(tf.range(32, dtype=tf.float32), [1, 4, 4, 2]) / 10.0
        kernel = tf.reshape(tf.range(2 * 2 * 2 * 3, dtype=tf.float32), [2, 2, 2, 3]) / 20.0
        fetches = {
            "reduce_mean": tf.reduce_mean(x),
            "reduce_mean_axis": tf.reduce_mean(x, axis=1, keepdims=True),
            "log": tf.log(tf.abs(x)),
            "clip": tf.clip_by_value(x, -1.0, 2.0),
            "sigmoid": tf.nn.sigmoid(x),
            "relu": tf.nn.relu(x),
            "softmax": tf.nn.softmax(x),
            "softmax_by_hand": tf.exp(x) / tf.reduce_sum(tf.exp(x), axis=1, keepdims=True),
            "slice": tf.slice(x, [0, 1], [2, 2]),
            "conv_same": tf.nn.conv2d(img, kernel, strides=[1, 1, 1, 1], padding="SAME"),
            "conv_valid": tf.nn.conv2d(img, kernel, strides=[1, 2, 2, 1], padding="VALID"),
        }
        _export(tf, workdir, fetches)
        with tf.Session() as sess:
            out.update(sess.run(fetches))
    return out


def fft(tf, workdir):
    """tf.fft on a complex signal (the notes' `tf.fft()`)."""
    with tf.Graph().as_default():
        sig = tf.cast(tf.constant([1.0, 2.0, 0.0, -1.0]), tf.complex64)
        spectrum = tf.fft(sig)
        with tf.Session() as sess:
            re, im = sess.run([tf.real(spectrum), tf.imag(spectrum)])
    return {"fft_real": re, "fft_imag": im, "dtype": spectrum.dtype.name}


def exponential_decay(tf, workdir):
    """tf.train.exponential_decay driven by a global step set by hand (no training)."""
    out = {}
    with tf.Graph().as_default():
        global_step = tf.Variable(0, trainable=False, name="global_step")
        lr = tf.train.exponential_decay(0.01, global_step=global_step, decay_steps=10000,
                                        decay_rate=0.95, staircase=False)
        lr_stair = tf.train.exponential_decay(0.01, global_step, 10000, 0.95, staircase=True)
        set_step = tf.assign(global_step, 25000)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            out["lr_0"], out["stair_0"] = sess.run([lr, lr_stair])
            sess.run(set_step)
            out["lr_25000"], out["stair_25000"] = sess.run([lr, lr_stair])
            out["step"] = sess.run(global_step)
    return out


def global_step(tf, workdir):
    """get_or_create_global_step / get_global_step / global_step(sess, tensor)."""
    out = {}
    with tf.Graph().as_default():
        out["before"] = tf.train.get_global_step() is None
        gs = tf.train.get_or_create_global_step()
        out["again"] = tf.train.get_or_create_global_step() is gs
        out["same_gs"] = tf.train.get_global_step() is gs
        out["gs_name"] = gs.name
        out["gs_dtype"] = gs.dtype.base_dtype.name
        out["gs_trainable"] = gs in tf.trainable_variables()
        out["in_collection"] = [t.name for t in tf.get_collection(tf.GraphKeys.GLOBAL_STEP)]
        bump = tf.assign_add(gs, 7)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(bump)
            out["step"] = tf.train.global_step(sess, gs)
    return out


def scopes(tf, workdir):
    """variable_scope / name_scope naming and get_variable sharing, as in the notes."""
    out = {}
    with tf.Graph().as_default():
        with tf.variable_scope("foo"):
            a = tf.get_variable("bar", [1])
        with tf.variable_scope("bar"):
            b = tf.get_variable("bar", [1])
        with tf.name_scope("a"):
            c = tf.Variable([1], name="Variable")
            d = tf.add(c, 1, name="plus")
        with tf.name_scope("b"):
            e = tf.get_variable("b", [1])  # the notes say "Error"; TF ignores name_scope here
        with tf.variable_scope("foo", reuse=True):
            a2 = tf.get_variable("bar", [1])
        with tf.variable_scope("shared", initializer=tf.constant_initializer(3.0)):
            s1 = tf.get_variable("v", [2])
            tf.get_variable_scope().reuse_variables()
            s2 = tf.get_variable("v", [2])
        with tf.variable_scope("auto", reuse=tf.AUTO_REUSE):
            t1 = tf.get_variable("t", [], initializer=tf.zeros_initializer())
        with tf.variable_scope("auto", reuse=tf.AUTO_REUSE):
            t2 = tf.get_variable("t", [])
        with tf.variable_scope("outer"), tf.name_scope("inner"):
            op = tf.add(tf.constant(1.0), 2.0, name="op")
            v = tf.get_variable("v", [], initializer=tf.ones_initializer())
        with tf.variable_scope("foo"):
            x = tf.constant(0.0, name="x")
        try:
            with tf.variable_scope("foo"):
                tf.get_variable("bar", [1])
            out["dup_error"] = "none"
        except ValueError:
            out["dup_error"] = "ValueError"
        try:
            with tf.variable_scope("nope", reuse=True):
                tf.get_variable("missing", [1])
            out["missing_error"] = "none"
        except ValueError:
            out["missing_error"] = "ValueError"
        out["names"] = [a.name, b.name, c.name, d.name, e.name, s1.name, t1.name, op.name, v.name,
                        x.name]
        out["shared"] = [a2 is a, s2 is s1, t2 is t1]
        out["trainable"] = [t.name for t in tf.trainable_variables()]
        out["scoped"] = [t.name for t in tf.global_variables(scope="foo")]
        init = tf.global_variables_initializer()
        _export(tf, workdir, {"s1": s2, "d": d, "v": v}, init)
        with tf.Session() as sess:
            sess.run(init)
            out["s1"] = sess.run(s2)
            out["d"] = sess.run(d)
            out["v"] = sess.run(v)
    return out


def scope_strings(tf, workdir):
    """What the scope context managers yield, re-entering a scope, and absolute scope names."""
    out = {}
    with tf.Graph().as_default():
        with tf.name_scope("layer") as scope:
            out["name_scope"] = scope
            a = tf.constant(1.0, name="a")
        with tf.name_scope("layer") as scope2:
            out["name_scope_again"] = scope2
        with tf.name_scope(scope):
            b = tf.constant(2.0, name="b")
        with tf.variable_scope("vs") as vs:
            out["vs_name"] = vs.name
            out["vs_orig"] = vs.original_name_scope
            out["current"] = tf.get_variable_scope().name
            c = tf.constant(3.0, name="c")
        with tf.variable_scope(vs):
            e = tf.get_variable("e", [], initializer=tf.zeros_initializer())
        with tf.variable_scope("vs", reuse=True):
            out["reuse_flag"] = bool(tf.get_variable_scope().reuse)
        with tf.variable_scope(None, default_name="block"):
            f = tf.constant(5.0, name="f")
        with tf.variable_scope(None, default_name="block"):
            h = tf.constant(6.0, name="h")
        out["names"] = [a.name, b.name, c.name, e.name, f.name, h.name]
        out["root"] = tf.get_variable_scope().name
    return out


def scope_reenter(tf, workdir):
    """Re-entering a captured variable_scope object: ops get a fresh name scope, variables not."""
    with tf.Graph().as_default():
        with tf.variable_scope("vs") as vs:
            c = tf.constant(3.0, name="c")
        with tf.variable_scope(vs):
            d = tf.constant(4.0, name="d")
            e = tf.get_variable("e", [])
        with tf.variable_scope(vs, auxiliary_name_scope=False):
            f = tf.constant(5.0, name="f")
        return {"names": [c.name, d.name, e.name, f.name]}


def random_inits(tf, workdir):
    """get_variable with random initializers: shapes, dtypes and statistics only."""
    out = {}
    with tf.Graph().as_default():
        tf.set_random_seed(1234)
        n = tf.get_variable("n", [200, 50], initializer=tf.random_normal_initializer(1.0, 2.0))
        u = tf.get_variable("u", [200, 50], initializer=tf.random_uniform_initializer(-3.0, 3.0))
        t = tf.get_variable("t", [200, 50], initializer=tf.truncated_normal_initializer(stddev=0.5))
        g = tf.get_variable("g", [100, 300])  # default: glorot uniform
        r = tf.random_uniform([1000], 0, 10, dtype=tf.int32, seed=7)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            vn, vu, vt, vg, vr = sess.run([n, u, t, g, r])
    out["n_shape"], out["n_dtype"] = list(vn.shape), str(vn.dtype)
    out["n_mean_ok"] = abs(vn.mean() - 1.0) < 0.1
    out["n_std_ok"] = abs(vn.std() - 2.0) < 0.1
    out["u_range_ok"] = bool(vu.min() >= -3.0 and vu.max() < 3.0 and vu.max() - vu.min() > 5.9)
    out["u_mean_ok"] = abs(vu.mean()) < 0.15
    out["t_range_ok"] = bool(np.abs(vt).max() <= 1.0 and vt.std() > 0.35)
    limit = np.sqrt(6.0 / (100 + 300))
    out["g_range_ok"] = bool(np.abs(vg).max() <= limit and np.abs(vg).max() > 0.95 * limit)
    out["r_dtype"] = str(vr.dtype)
    out["r_range_ok"] = bool(vr.min() >= 0 and vr.max() <= 9 and len(set(vr.tolist())) == 10)
    out["raw_n"], out["raw_u"], out["raw_r"] = vn, vu, vr
    return out


def random_sequence(tf, workdir):
    """TF's seeding rules, observed as equalities: a random op draws anew on every run, a fresh
    Session restarts the sequence, op seeds tell ops apart, set_random_seed fixes unseeded ops."""
    out = {}

    def draws(graph_seed, op_seeds, runs=2):
        with tf.Graph().as_default():
            if graph_seed is not None:
                tf.set_random_seed(graph_seed)
            ops = [tf.random_uniform([4], seed=s) for s in op_seeds]
            with tf.Session() as sess:
                return [sess.run(ops) for _ in range(runs)]

    a, b = draws(5, [1, None, 1]), draws(5, [1, None, 1])
    out["rerun_differs"] = not np.array_equal(a[0][0], a[1][0])
    out["new_session_repeats"] = all(np.array_equal(x, y) for x, y in zip(a[0] + a[1], b[0] + b[1]))
    out["same_op_seed_two_ops_equal"] = np.array_equal(a[0][0], a[0][2])
    out["unseeded_differs_from_seeded"] = not np.array_equal(a[0][0], a[0][1])
    c = draws(6, [1, None, 1])
    out["graph_seed_matters"] = not np.array_equal(a[0][0], c[0][0])
    out["in_range"] = bool(all(((x >= 0) & (x < 1)).all() for run in a for x in run))
    out["raw_a"] = np.stack(a[0] + a[1])
    return out


def image_augment(tf, workdir):
    """The augmentation ops the notes name (random flip, random contrast, standardization)."""
    out = {}
    img = np.arange(4 * 5 * 3, dtype=np.float32).reshape(4, 5, 3) / 60.0
    with tf.Graph().as_default():
        x = tf.constant(img)
        flips = [tf.image.random_flip_left_right(x, seed=i) for i in range(16)]
        contrast = tf.image.random_contrast(x, 0.5, 1.5, seed=3)
        with tf.Session() as sess:
            vf, vc = sess.run([flips, contrast])
    kinds = [0 if np.array_equal(f, img) else 1 if np.array_equal(f, img[:, ::-1]) else 2 for f in vf]
    out["flip_kinds_ok"] = set(kinds) == {0, 1}
    # contrast: (x - mean) * k + mean with one k per image channel mean kept
    means = img.mean(axis=(0, 1))
    k = (vc - means) / (img - means)
    out["contrast_mean_kept"] = np.allclose(vc.mean(axis=(0, 1)), means, atol=1e-5)
    out["contrast_factor_ok"] = bool(np.ptp(k[np.isfinite(k)]) < 1e-3 and 0.5 <= np.nanmean(k) <= 1.5)
    out["raw_flips"] = np.stack(vf)
    out["raw_contrast"] = vc
    return out


def image_standardize(tf, workdir):
    """per_image_standardization (the notes' per_image_whitening, renamed in TF 1.0)."""
    img = np.arange(4 * 5 * 3, dtype=np.float32).reshape(4, 5, 3) / 60.0
    with tf.Graph().as_default():
        std = tf.image.per_image_standardization(tf.constant(img))
        _export(tf, workdir, {"standardized": std})
        with tf.Session() as sess:
            return {"standardized": sess.run(std)}


def graphs_devices(tf, workdir):
    """tf.Graph / as_default / devices / get_default_graph / node listing."""
    out = {}
    g = tf.Graph()
    with g.as_default():
        with g.device("/gpu:0"):
            a = tf.constant([1.0, 2.0, 3.0], name="a")
            b = tf.constant([1.0, 2.0, 3.0], name="b")
        with tf.device("/gpu:1"):
            c = tf.add(a, b, name="c")
        with tf.device("/cpu:0"):
            d = tf.multiply(c, 2.0, name="d")
        out["default_is_g"] = tf.get_default_graph() is g
        out["devices"] = [a.device, b.device, c.device, d.device, d.op.device]
        out["node_names"] = [n.name for n in tf.get_default_graph().as_graph_def().node]
        out["ops"] = [op.name for op in g.get_operations()]
        out["by_name"] = g.get_tensor_by_name("c:0") is c
        out["op_by_name"] = g.get_operation_by_name("d") is d.op
    out["outside_default_is_g"] = tf.get_default_graph() is g
    config = tf.ConfigProto(log_device_placement=True, allow_soft_placement=True)
    with tf.Session(graph=g, config=config) as sess:
        out["d"] = sess.run(d)
        out["sess_graph_is_g"] = sess.graph is g
    return out


def collections(tf, workdir):
    """Collections: add_to_collection, get_collection with scope, GraphKeys."""
    out = {}
    g = tf.Graph()
    with g.as_default():
        with tf.name_scope("s1"):
            a = tf.constant(1.0, name="a")
        with tf.name_scope("s2"):
            b = tf.constant(2.0, name="b")
        tf.add_to_collection("mine", a)
        tf.add_to_collection("mine", b)
        g.add_to_collection("mine", 3)
        tf.add_to_collections(["x", "y"], b)
        v = tf.Variable(1.0, name="v")
        lv = tf.Variable(2.0, name="lv", trainable=False, collections=[tf.GraphKeys.LOCAL_VARIABLES])
        out["mine_len"] = len(tf.get_collection("mine"))
        out["mine_scoped"] = [t.name for t in g.get_collection("mine", scope="s2")]
        out["xy"] = [t.name for t in tf.get_collection("x") + tf.get_collection("y")]
        out["missing"] = len(tf.get_collection("nothing"))
        ref = tf.get_collection_ref("refd")
        ref.append(a)
        out["ref_len"] = len(tf.get_collection("refd"))
        out["globals"] = [t.name for t in tf.get_collection(tf.GraphKeys.GLOBAL_VARIABLES)]
        out["trainables"] = [t.name for t in tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES)]
        out["locals"] = [t.name for t in tf.get_collection(tf.GraphKeys.LOCAL_VARIABLES)]
        out["keys"] = [tf.GraphKeys.GLOBAL_VARIABLES, tf.GraphKeys.TRAINABLE_VARIABLES,
                       tf.GraphKeys.SUMMARIES, tf.GraphKeys.LOSSES, tf.GraphKeys.GLOBAL_STEP,
                       tf.GraphKeys.UPDATE_OPS, tf.GraphKeys.LOCAL_VARIABLES]
        out["all_keys"] = sorted(k for k in g.get_all_collection_keys())
        with tf.Session() as sess:
            sess.run([tf.global_variables_initializer(), tf.local_variables_initializer()])
            out["lv"] = sess.run(lv)
            out["v"] = sess.run(v)
    return out


def _saver_graph(tf):
    w = tf.Variable(W, name="w")
    b = tf.Variable([0.25, -0.25], name="b")
    x = tf.placeholder(tf.float32, [None, 3], name="input")
    y = tf.nn.softmax(tf.matmul(x, w) + b, name="output")
    return w, b, x, y


def saver_ckpt(tf, workdir):
    """Saver(max_to_keep) save with global_step, latest_checkpoint, import_meta_graph, restore."""
    out = {}
    ckpt_dir = os.path.join(workdir, "ckpt")
    os.makedirs(ckpt_dir)  # saver_makes_dir covers a missing directory
    with tf.Graph().as_default():
        w, b, x, y = _saver_graph(tf)
        step = tf.Variable(0, name="step", trainable=False)
        bump = tf.assign_add(step, 10)
        saver = tf.train.Saver(max_to_keep=1, keep_checkpoint_every_n_hours=2)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            paths = []
            for _ in range(3):
                s = sess.run(bump)
                sess.run(tf.assign_add(b, [1.0, 1.0]))
                paths.append(saver.save(sess, os.path.join(ckpt_dir, "softmax.ckpt"), global_step=s))
            out["y"] = sess.run(y, {x: X})
        out["paths"] = [os.path.relpath(p, workdir) for p in paths]
        out["last"] = [os.path.relpath(p, workdir) for p in saver.last_checkpoints]
    out["files"] = sorted(os.listdir(ckpt_dir))
    latest = tf.train.latest_checkpoint(ckpt_dir)
    out["latest"] = os.path.relpath(latest, workdir)
    with tf.Graph().as_default() as g:
        saver = tf.train.import_meta_graph(latest + ".meta")
        with tf.Session() as sess:
            saver.restore(sess, latest)
            inp = tf.get_default_graph().get_tensor_by_name("input:0")
            outp = g.get_tensor_by_name("output:0")
            out["restored_y"] = sess.run(outp, feed_dict={inp: X})
            out["restored_b"] = sess.run("b:0")
            out["restored_step"] = sess.run("step:0")
            out["restored_vars"] = [v.name for v in tf.global_variables()]
    # A fresh graph built by code, restored from the same checkpoint.
    with tf.Graph().as_default():
        w, b, x, y = _saver_graph(tf)
        saver = tf.train.Saver([w, b])
        with tf.Session() as sess:
            saver.restore(sess, latest)
            out["rebuilt_y"] = sess.run(y, {x: X})
    return out


def saver_makes_dir(tf, workdir):
    """saver.save into a directory that does not exist yet (the notes' 'ckpt/mnist.ckpt').

    TensorFlow creates one missing directory level; two missing levels are a ValueError.
    """
    out = {}
    with tf.Graph().as_default():
        v = tf.Variable([1.5, 2.5], name="v")
        saver = tf.train.Saver()
        with tf.Session() as sess:
            sess.run(v.initializer)
            path = saver.save(sess, os.path.join(workdir, "ckpt", "mnist.ckpt"), global_step=3)
            try:
                saver.save(sess, os.path.join(workdir, "new", "deeper", "mnist.ckpt"))
                out["two_levels"] = "none"
            except ValueError:
                out["two_levels"] = "ValueError"
    out["path"] = os.path.relpath(path, workdir)
    out["files"] = sorted(os.listdir(os.path.join(workdir, "ckpt")))
    return out


def saver_api(tf, workdir):
    """The Saver methods the notes list: as_saver_def/to_proto, export_meta_graph, var_list dict."""
    out = {}
    with tf.Graph().as_default():
        v1 = tf.Variable([1.0, 2.0], name="v1")
        v2 = tf.Variable(3, name="v2")
        saver = tf.train.Saver({"renamed": v1, "v2": v2})
        sd = saver.as_saver_def()
        out["sd_same"] = sd.SerializeToString() == saver.to_proto().SerializeToString()
        out["sd_max_to_keep"] = sd.max_to_keep
        out["sd_version"] = int(sd.version)
        out["sd_sharded"] = sd.sharded
        out["sd_names"] = [sd.filename_tensor_name, sd.save_tensor_name, sd.restore_op_name]
        meta = saver.export_meta_graph(os.path.join(workdir, "api.meta"))
        out["meta_collections"] = sorted(meta.collection_def.keys())
        out["meta_saver_restore"] = meta.saver_def.restore_op_name
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            os.makedirs(os.path.join(workdir, "api"))
            prefix = saver.save(sess, os.path.join(workdir, "api", "model"), write_meta_graph=False)
        out["api_files"] = sorted(os.listdir(os.path.join(workdir, "api")))
        reader = tf.train.NewCheckpointReader(prefix)
        out["ckpt_keys"] = sorted(reader.get_variable_to_shape_map())
        out["renamed"] = reader.get_tensor("renamed")
        out["listed"] = [[n, list(s)] for n, s in tf.train.list_variables(prefix)]
        out["loaded_v2"] = tf.train.load_variable(prefix, "v2")
        state = tf.train.get_checkpoint_state(os.path.join(workdir, "api"))
        out["state_path"] = os.path.basename(state.model_checkpoint_path)
    return out


def saver_state(tf, workdir):
    """max_to_keep=2 and the `checkpoint` text file (model_checkpoint_path, all_model_...)."""
    out = {}
    ckpt_dir = os.path.join(workdir, "keep")
    os.makedirs(ckpt_dir)
    with tf.Graph().as_default():
        v = tf.Variable(0.0, name="v")
        bump = tf.assign_add(v, 1.0)
        saver = tf.train.Saver(max_to_keep=2)
        with tf.Session() as sess:
            sess.run(v.initializer)
            for step in range(4):
                sess.run(bump)
                saver.save(sess, os.path.join(ckpt_dir, "model"), global_step=step,
                           write_meta_graph=step == 3)
        out["last"] = [os.path.basename(p) for p in saver.last_checkpoints]
    state = tf.train.get_checkpoint_state(ckpt_dir)
    out["model_path"] = os.path.basename(state.model_checkpoint_path)
    out["all_paths"] = [os.path.basename(p) for p in state.all_model_checkpoint_paths]
    out["files"] = sorted(os.listdir(ckpt_dir))
    out["exists"] = [tf.train.checkpoint_exists(os.path.join(ckpt_dir, f"model-{i}")) for i in range(4)]
    with tf.Graph().as_default():
        v = tf.Variable(-1.0, name="v")
        saver = tf.train.Saver()
        with tf.Session() as sess:
            saver.restore(sess, os.path.join(ckpt_dir, "model-2"))
            out["v_at_2"] = sess.run(v)
            saver.restore(sess, tf.train.latest_checkpoint(ckpt_dir))
            out["v_latest"] = sess.run(v)
    return out


def saver_options(tf, workdir):
    """Saver options the notes list: pad_step_number, save_relative_paths, defer_build + build,
    a var_list as a list and as a dict of checkpoint names."""
    out = {}
    for sub in ("padded", "relative", "deferred"):
        os.makedirs(os.path.join(workdir, sub))
    with tf.Graph().as_default():
        a = tf.Variable([1.0, 2.0], name="a")
        c = tf.Variable(5.0, name="c")
        savers = {
            "padded": tf.train.Saver([a, c], pad_step_number=True),
            "relative": tf.train.Saver({"a_alias": a}, save_relative_paths=True),
            "deferred": tf.train.Saver(defer_build=True),
        }
        savers["deferred"].build()
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for sub, saver in savers.items():
                path = saver.save(sess, os.path.join(workdir, sub, "model"), global_step=3,
                                  write_meta_graph=False)
                out[f"{sub}_path"] = os.path.relpath(path, workdir)
                out[f"{sub}_files"] = sorted(os.listdir(os.path.join(workdir, sub)))
    state = tf.train.get_checkpoint_state(os.path.join(workdir, "relative"))
    out["relative_state_abs"] = os.path.isabs(state.model_checkpoint_path)
    with open(os.path.join(workdir, "relative", "checkpoint")) as f:
        text = f.read()
    # The text itself may differ harmlessly (ortflow adds timestamps); the paths must not.
    out["relative_lines"] = [line for line in text.splitlines() if "_path" in line]
    with tf.Graph().as_default():
        a = tf.Variable([0.0, 0.0], name="a")
        with tf.Session() as sess:
            tf.train.Saver({"a_alias": a}).restore(sess, os.path.join(workdir, "relative", "model-3"))
            out["alias_restored"] = sess.run(a)
    return out


def saver_methods(tf, workdir):
    """The Saver methods the notes list: set_last_checkpoints(_with_time),
    recover_last_checkpoints, from_proto / to_proto, export_meta_graph(as_text)."""
    out = {}
    ckpt_dir = os.path.join(workdir, "m")
    os.makedirs(ckpt_dir)
    with tf.Graph().as_default():
        v = tf.Variable([1.0], name="v")
        saver = tf.train.Saver(max_to_keep=3)
        with tf.Session() as sess:
            sess.run(v.initializer)
            paths = [saver.save(sess, os.path.join(ckpt_dir, "model"), global_step=i,
                                write_meta_graph=False) for i in range(3)]
        out["last"] = [os.path.basename(p) for p in saver.last_checkpoints]
        saver.set_last_checkpoints(paths[:1])
        out["after_set"] = [os.path.basename(p) for p in saver.last_checkpoints]
        saver.set_last_checkpoints_with_time([(paths[1], 1.0), (paths[2], 2.0)])
        out["after_set_time"] = [os.path.basename(p) for p in saver.last_checkpoints]
        fresh = tf.train.Saver(max_to_keep=3)
        fresh.recover_last_checkpoints(paths + [os.path.join(ckpt_dir, "model-99")])
        out["recovered"] = [os.path.basename(p) for p in fresh.last_checkpoints]
    return out


def saver_from_proto(tf, workdir):
    """Saver.from_proto(saver.to_proto()) gives a Saver with the same SaverDef."""
    with tf.Graph().as_default():
        tf.Variable([1.0, 2.0], name="v")
        saver = tf.train.Saver()
        clone = tf.train.Saver.from_proto(saver.to_proto())
        return {"clone_def_same": clone.to_proto() == saver.to_proto()}


def saver_text_meta(tf, workdir):
    """A text .meta (export_meta_graph(as_text=True)) imported and restored."""
    out = {}
    with tf.Graph().as_default():
        v = tf.Variable([1.0, 2.0], name="v")
        saver = tf.train.Saver()
        meta = saver.export_meta_graph(os.path.join(workdir, "m.meta.txt"), as_text=True)
        with open(os.path.join(workdir, "m.meta.txt")) as f:
            out["meta_text_starts"] = f.read().split()[0]
        out["meta_nodes"] = len(meta.graph_def.node) > 0
        with tf.Session() as sess:
            sess.run(v.initializer)
            prefix = saver.save(sess, os.path.join(workdir, "model"), write_meta_graph=False)
    with tf.Graph().as_default(), tf.Session() as sess:
        restorer = tf.train.import_meta_graph(os.path.join(workdir, "m.meta.txt"))
        restorer.restore(sess, prefix)
        out["v_from_text_meta"] = sess.run("v:0")
    return out


def saver_sharded(tf, workdir):
    """Saver(sharded=True): one data shard per device holding variables."""
    out = {}
    os.makedirs(os.path.join(workdir, "sharded"))
    with tf.Graph().as_default():
        with tf.device("/cpu:0"):
            tf.Variable([1.0, 2.0], name="a")
        with tf.device("/device:CPU:1"):
            tf.Variable([[3, 4]], name="b")
        tf.Variable(5.0, name="c")
        saver = tf.train.Saver(sharded=True)
        out["sharded_flag"] = saver.as_saver_def().sharded
        with tf.Session(config=tf.ConfigProto(allow_soft_placement=True)) as sess:
            sess.run(tf.global_variables_initializer())
            path = saver.save(sess, os.path.join(workdir, "sharded", "model"), global_step=3)
    out["path"] = os.path.relpath(path, workdir)
    out["files"] = sorted(os.listdir(os.path.join(workdir, "sharded")))
    reader = tf.train.NewCheckpointReader(path)
    out["keys"] = sorted(reader.get_variable_to_shape_map())
    out["b"] = reader.get_tensor("b")
    return out


def saver_allow_empty(tf, workdir):
    """Saver([], allow_empty=True): builds nothing, and save() writes nothing, returning None."""
    with tf.Graph().as_default():
        tf.Variable(1.0, name="v")
        saver = tf.train.Saver([], allow_empty=True)
        with tf.Session() as sess:
            result = saver.save(sess, os.path.join(workdir, "empty"))
    return {"save_returns": repr(result), "files": sorted(os.listdir(workdir))}


def meta_collections(tf, workdir):
    """MetaGraphDef collections ('prediction', 'train_op' style) survive export/import_meta_graph."""
    out = {}
    path = os.path.join(workdir, "model.meta")
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 3], name="x")
        w = tf.Variable(W, name="w")
        pred = tf.argmax(tf.matmul(x, w), axis=1, name="prediction")
        tf.add_to_collection("prediction", pred)
        tf.add_to_collection("inputs", x)
        tf.add_to_collection("ops", w.initializer)
        meta = tf.train.export_meta_graph(path)
        out["exported_keys"] = sorted(meta.collection_def.keys())
        out["has_saver_def"] = meta.HasField("saver_def")
    with tf.Graph().as_default():
        saver = tf.train.import_meta_graph(path)
        out["saver_is_none"] = saver is None
        pred = tf.get_collection("prediction")[0]
        x = tf.get_collection("inputs")[0]
        init = tf.get_collection("ops")[0]
        out["names"] = [pred.name, x.name, init.name, init.type]
        out["n_vars"] = len(tf.global_variables())
        with tf.Session() as sess:
            sess.run(init)
            out["pred"] = sess.run(pred, {x: X})
    with tf.Graph().as_default():
        tf.train.import_meta_graph(path, import_scope="imported")
        out["scoped"] = [t.name for t in tf.get_collection("prediction")]
    return out


def freeze_pb(tf, workdir):
    """convert_variables_to_constants, FastGFile write, GraphDef parse, import_graph_def."""
    out = {}
    pb_path = os.path.join(workdir, "frozen.pb")
    with tf.Graph().as_default():
        _, _, x, y = _saver_graph(tf)
        tf.add(y, 2.0, name="add2")
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            out["y"] = sess.run(y, {x: X})
            constant_graph = tf.graph_util.convert_variables_to_constants(sess, sess.graph_def,
                                                                          ["output", "add2"])
            var_list = tf.trainable_variables()
            by_vars = tf.graph_util.convert_variables_to_constants(
                sess, sess.graph_def, [var_list[i].name[:-2] for i in range(len(var_list))])
        with tf.gfile.FastGFile(pb_path, mode="wb") as f:
            f.write(constant_graph.SerializeToString())
    out["frozen_ops"] = sorted({n.op for n in constant_graph.node})
    out["by_vars_ops"] = sorted({n.op for n in by_vars.node})
    with tf.gfile.FastGFile(pb_path, "rb") as f:
        graph_def = tf.GraphDef()
        graph_def.ParseFromString(f.read())
    with tf.Graph().as_default():
        tf.import_graph_def(graph_def, name="")
        with tf.Session() as sess:
            inp = sess.graph.get_tensor_by_name("input:0")
            output = sess.graph.get_tensor_by_name("output:0")
            out["pb_y"] = sess.run(output, feed_dict={inp: X})
            out["pb_nodes"] = [n.name for n in tf.get_default_graph().as_graph_def().node]
    return out


def import_return_elements(tf, workdir):
    """tf.graph_util.import_graph_def with input_map and return_elements, on a frozen graph."""
    out = {}
    with tf.Graph().as_default():
        y = _saver_graph(tf)[3]
        tf.add(y, 2.0, name="add2")
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            frozen = tf.graph_util.convert_variables_to_constants(sess, sess.graph_def, ["add2"])
    pb_path = os.path.join(workdir, "frozen.pb")
    with tf.gfile.GFile(pb_path, "wb") as f:
        f.write(frozen.SerializeToString())
    model_f = tf.io.gfile.GFile(pb_path, mode="rb")
    graph_def = tf.GraphDef()
    graph_def.ParseFromString(model_f.read())
    model_f.close()
    with tf.Graph().as_default():
        x2 = tf.placeholder(tf.float32, [None, 3], name="x2")
        c = tf.graph_util.import_graph_def(graph_def, input_map={"input:0": x2},
                                           return_elements=["add2:0"])
        ops = tf.import_graph_def(graph_def, return_elements=["output"], name="again")
        with tf.Session() as sess:
            out["add2"] = sess.run(c, {x2: X})[0]
            out["returned"] = [c[0].name, ops[0].name, ops[0].type]
    return out


def pbtxt_roundtrip(tf, workdir):
    """The notes' two protobuf encodings: a graph written as .pbtxt and as .pb, read back."""
    from google.protobuf import text_format

    out = {}
    with tf.Graph().as_default() as g:
        x = tf.placeholder(tf.float32, [None, 3], name="x")
        tf.reduce_max(tf.matmul(x, tf.constant(W)), axis=1, name="y")
        text_path = tf.io.write_graph(g, workdir, "g.pbtxt")
        bin_path = tf.io.write_graph(g.as_graph_def(), workdir, "g.pb", as_text=False)
    out["paths"] = [os.path.relpath(text_path, workdir), os.path.relpath(bin_path, workdir)]
    from_text = tf.GraphDef()
    with tf.gfile.GFile(os.path.join(workdir, "g.pbtxt")) as f:
        text_format.Merge(f.read(), from_text)
    from_bin = tf.GraphDef()
    with tf.gfile.GFile(os.path.join(workdir, "g.pb"), "rb") as f:
        from_bin.ParseFromString(f.read())
    out["same_nodes"] = [n.SerializeToString(deterministic=True) for n in from_text.node] == [
        n.SerializeToString(deterministic=True) for n in from_bin.node]
    out["nodes"] = [f"{n.name}:{n.op}" for n in from_text.node]
    out["text_bigger"] = os.path.getsize(text_path) > os.path.getsize(bin_path)
    with tf.Graph().as_default():
        (y,) = tf.import_graph_def(from_text, return_elements=["y:0"], name="t")
        with tf.Session() as sess:
            out["y"] = sess.run(y, {"t/x:0": X})
    return out


def summaries(tf, workdir):
    """tf.summary ops, merge_all, FileWriter with the graph, add_summary, read back."""
    out = {}
    logdir = os.path.join(workdir, "logs")

    def variable_summaries(var):
        with tf.name_scope("summaries"):
            mean = tf.reduce_mean(var)
            tf.summary.scalar("mean", mean)
            with tf.name_scope("stddev"):
                stddev = tf.sqrt(tf.reduce_mean(tf.square(var - mean)))
            tf.summary.scalar("stddev", stddev)
            tf.summary.scalar("max", tf.reduce_max(var))
            tf.summary.scalar("min", tf.reduce_min(var))
            tf.summary.histogram("histogram", var)

    with tf.Graph().as_default():
        var = tf.Variable(X, name="var")
        variable_summaries(var)
        img = tf.constant(np.linspace(0, 1, 2 * 4 * 4 * 3, dtype=np.float32).reshape(2, 4, 4, 3))
        tf.summary.image("img", img, max_outputs=1)
        tf.summary.text("note", tf.constant("hello"))
        tf.summary.audio("snd", tf.constant(np.zeros([1, 8], np.float32)), sample_rate=8000)
        merged = tf.summary.merge_all()
        with tf.Session() as sess:
            train_writer = tf.summary.FileWriter(logdir, sess.graph)
            sess.run(tf.global_variables_initializer())
            for i in range(2):
                summary = sess.run(merged)
                train_writer.add_summary(summary, i)
            train_writer.close()
    parsed = tf.Summary()
    parsed.ParseFromString(summary)
    out["tags"] = [v.tag for v in parsed.value]
    out["scalars"] = [v.simple_value for v in parsed.value if v.WhichOneof("value") == "simple_value"]
    histo = next(v.histo for v in parsed.value if v.WhichOneof("value") == "histo")
    out["histo"] = [histo.min, histo.max, histo.num, histo.sum, histo.sum_squares]
    image = next(v.image for v in parsed.value if v.WhichOneof("value") == "image")
    out["image"] = [image.height, image.width, image.colorspace]
    out["audio_rate"] = [v.audio.sample_rate for v in parsed.value if v.WhichOneof("value") == "audio"]
    files = os.listdir(logdir)
    out["n_files"] = len(files)
    steps, tags, graphs = [], [], 0
    for event in tf.train.summary_iterator(os.path.join(logdir, files[0])):
        if event.HasField("summary"):
            steps.append(event.step)
            tags.extend(v.tag for v in event.summary.value)
        graphs += event.HasField("graph_def")
    out["event_steps"], out["event_tags"], out["event_graphs"] = steps, tags, graphs
    return out


def summary_extras(tf, workdir):
    """merge of chosen summaries, family, custom collections, add_graph later, reopen/flush."""
    out = {}
    logdir = os.path.join(workdir, "extra")
    with tf.Graph().as_default() as g:
        x = tf.Variable([1.0, 2.0, 4.0], name="x")  # summary_constant: constant inputs
        s1 = tf.summary.scalar("total", tf.reduce_sum(x), family="fam")
        s2 = tf.summary.histogram("values", x, collections=["mine"])
        s3 = tf.summary.scalar("first", x[0], collections=["mine", tf.GraphKeys.SUMMARIES])
        merged = tf.summary.merge([s1, s2], name="chosen")
        mine = tf.summary.merge_all(key="mine")
        default = tf.summary.merge_all()
        out["s_names"] = [s1.name, s2.name, s3.name, merged.name]
        out["n_default"] = len(tf.get_collection(tf.GraphKeys.SUMMARIES))
        writer = tf.summary.FileWriter(logdir)
        with tf.Session() as sess:
            sess.run(x.initializer)
            for step, op in enumerate((merged, mine, default)):
                raw = sess.run(op)
                parsed = tf.Summary.FromString(raw)
                out[f"tags_{step}"] = [v.tag for v in parsed.value]
                writer.add_summary(raw, global_step=step)
        writer.add_graph(g)
        writer.flush()
        out["logdir"] = os.path.relpath(writer.get_logdir(), workdir)
        writer.close()
    events = list(tf.train.summary_iterator(os.path.join(logdir, os.listdir(logdir)[0])))
    out["kinds"] = [e.WhichOneof("what") for e in events]
    out["steps"] = [e.step for e in events if e.HasField("summary")]
    return out


def summary_constant(tf, workdir):
    """Summaries of values that depend on constants only (no variable in the graph)."""
    with tf.Graph().as_default():
        x = tf.constant([1.0, 2.0, 4.0])
        ops = [tf.summary.scalar("total", tf.reduce_sum(x)), tf.summary.histogram("values", x)]
        with tf.Session() as sess:
            raws = sess.run(ops + [tf.summary.merge(ops)])
    parsed = [tf.Summary.FromString(raw) for raw in raws]
    return {"tags": [v.tag for p in parsed for v in p.value],
            "total": parsed[0].value[0].simple_value,
            "histo": [parsed[1].value[0].histo.min, parsed[1].value[0].histo.max,
                      parsed[1].value[0].histo.num, parsed[1].value[0].histo.sum]}


def pb_to_tensorboard(tf, workdir):
    """The notes' recipe for viewing a .pb in TensorBoard: import it, FileWriter(dir, graph)."""
    out = {}
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 2], name="x")
        tf.identity(x * 2.0, name="y")
        tf.io.write_graph(tf.get_default_graph(), workdir, "model.pb", as_text=False)
    logdir = os.path.join(workdir, "tb")
    with tf.Graph().as_default():
        graph = tf.get_default_graph()
        graph_def = graph.as_graph_def()
        graph_def.ParseFromString(tf.gfile.FastGFile(os.path.join(workdir, "model.pb"), "rb").read())
        tf.import_graph_def(graph_def, name="graph")
        writer = tf.summary.FileWriter(logdir, graph)
        writer.close()
        out["names"] = [op.name for op in graph.get_operations()]
    events = list(tf.train.summary_iterator(os.path.join(logdir, os.listdir(logdir)[0])))
    gd = [e.graph_def for e in events if e.HasField("graph_def")]
    out["n_graph_events"] = len(gd)
    parsed = tf.GraphDef()
    parsed.ParseFromString(gd[0])
    out["event_nodes"] = [n.name for n in parsed.node]
    out["first_is_version"] = events[0].HasField("file_version")
    return out


LABELS = np.array([1, 0, 1, 1, 0, 0, 1, 0], np.int64)
PREDS = np.array([0.9, 0.2, 0.4, 0.7, 0.6, 0.1, 0.8, 0.3], np.float32)


def _metric_pairs(tf, lab, pr):
    hard = tf.cast(pr > 0.5, tf.int64)
    labf = tf.cast(lab, tf.float32)
    pairs = {
        "accuracy": tf.metrics.accuracy(lab, hard),
        "precision": tf.metrics.precision(lab, hard),
        "recall": tf.metrics.recall(lab, hard),
        "mean_iou": tf.metrics.mean_iou(lab, hard, num_classes=2),
        "mae": tf.metrics.mean_absolute_error(labf, pr),
        "mse": tf.metrics.mean_squared_error(labf, pr),
        "rmse": tf.metrics.root_mean_squared_error(labf, pr),
        "mre": tf.metrics.mean_relative_error(labf + 1.0, pr, normalizer=labf + 1.0),
        "cosine": tf.metrics.mean_cosine_distance(tf.reshape(labf, [-1, 2]),
                                                  tf.reshape(pr, [-1, 2]), dim=1),
        "auc": tf.metrics.auc(lab, pr),
        "tp": tf.metrics.true_positives(lab, hard),
        "fp": tf.metrics.false_positives(lab, hard),
        "tn": tf.metrics.true_negatives(lab, hard),
        "fn": tf.metrics.false_negatives(lab, hard),
        "mean": tf.metrics.mean(pr),
        "pct_below": tf.metrics.percentage_below(pr, 0.5),
    }
    return pairs


def metrics(tf, workdir):
    """tf.metrics (value, update_op) pairs over local variables, two fed batches."""
    out = {}
    labels, preds = LABELS, PREDS
    with tf.Graph().as_default():
        lab = tf.placeholder(tf.int64, [None], name="lab")
        pr = tf.placeholder(tf.float32, [None], name="pr")
        pairs = _metric_pairs(tf, lab, pr)
        with tf.Session() as sess:
            sess.run(tf.local_variables_initializer())
            for half in (slice(0, 4), slice(4, 8)):
                sess.run({k: u for k, (_, u) in pairs.items()},
                         {lab: labels[half], pr: preds[half]})
            out.update(sess.run({k: v for k, (v, _) in pairs.items()}))
            out["n_locals"] = len(tf.local_variables())
    return out


def metrics_const(tf, workdir):
    """The same metrics on constant inputs, one update."""
    with tf.Graph().as_default():
        pairs = _metric_pairs(tf, tf.constant(LABELS), tf.constant(PREDS))
        init = tf.local_variables_initializer()
        _export(tf, workdir, {k: v for k, (v, _) in pairs.items()}, init,
                [u for _, u in pairs.values()])
        with tf.Session() as sess:
            sess.run(init)
            sess.run({k: u for k, (_, u) in pairs.items()})
            return sess.run({k: v for k, (v, _) in pairs.items()})


def metric_variable_names(tf, workdir):
    """The names of the local variables the metrics create (what a checkpoint would hold)."""
    with tf.Graph().as_default():
        _metric_pairs(tf, tf.constant(LABELS), tf.constant(PREDS))
        return {"local_names": sorted(v.name for v in tf.local_variables()),
                "in_metric_collection": len(tf.get_collection(tf.GraphKeys.METRIC_VARIABLES))}


def metrics_at(tf, workdir):
    """The threshold metrics the notes list: sensitivity_at_specificity (and its mirror)."""
    labels = np.array([1, 0, 1, 1, 0, 0, 1, 0], np.int64)
    preds = np.array([0.9, 0.2, 0.4, 0.7, 0.6, 0.1, 0.8, 0.3], np.float32)
    with tf.Graph().as_default():
        pairs = {"sens_at_spec": tf.metrics.sensitivity_at_specificity(labels, preds, 0.5),
                 "spec_at_sens": tf.metrics.specificity_at_sensitivity(labels, preds, 0.75)}
        with tf.Session() as sess:
            sess.run(tf.local_variables_initializer())
            sess.run({k: u for k, (_, u) in pairs.items()})
            return sess.run({k: v for k, (v, _) in pairs.items()})


def losses(tf, workdir):
    """tf.nn cross entropies and the tf.losses family, with the loss collections."""
    out = {}
    logits = np.array([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3], [1.2, 0.2, 3.1]], np.float32)
    onehot = np.eye(3, dtype=np.float32)[[0, 2, 2]]
    with tf.Graph().as_default():
        lg, y = tf.constant(logits), tf.constant(onehot)
        sparse = tf.constant([0, 2, 2])
        w = tf.get_variable("w", [3], initializer=tf.constant_initializer([1.0, -2.0, 3.0]),
                            regularizer=lambda t: 0.1 * tf.reduce_sum(tf.square(t)))
        fetches = {
            "sig_xent": tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=lg),
            "soft_xent": tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=lg),
            "sparse_xent": tf.nn.sparse_softmax_cross_entropy_with_logits(labels=sparse, logits=lg),
            "absolute_difference": tf.losses.absolute_difference(y, tf.nn.softmax(lg)),
            "cosine_distance": tf.losses.cosine_distance(tf.nn.l2_normalize(y, 1),
                                                         tf.nn.l2_normalize(lg, 1), axis=1),
            "hinge": tf.losses.hinge_loss(y, lg),
            "huber": tf.losses.huber_loss(y, lg, delta=1.0),
            "log_loss": tf.losses.log_loss(y, tf.nn.sigmoid(lg)),
            "mse": tf.losses.mean_squared_error(y, lg, weights=2.0),
            "sigmoid_ce": tf.losses.sigmoid_cross_entropy(y, lg),
            "softmax_ce": tf.losses.softmax_cross_entropy(y, lg),
            "sparse_ce": tf.losses.sparse_softmax_cross_entropy(sparse, lg),
            "weighted": tf.losses.compute_weighted_loss(lg, weights=[[1.0], [0.0], [2.0]]),
        }
        tf.losses.add_loss(tf.constant(0.5, name="extra"))
        fetches["n_losses"] = tf.size(tf.stack(tf.losses.get_losses()))
        fetches["reg_loss"] = tf.losses.get_regularization_loss()
        fetches["n_reg"] = tf.size(tf.stack(tf.losses.get_regularization_losses()))
        fetches["total"] = tf.losses.get_total_loss()
        fetches["total_no_reg"] = tf.losses.get_total_loss(add_regularization_losses=False)
        init = tf.global_variables_initializer()
        _export(tf, workdir, fetches, init)
        with tf.Session() as sess:
            sess.run(init)
            out.update(sess.run(fetches))
        out["w_name"] = w.name
    return out


def pairwise_loss(tf, workdir):
    """tf.losses.mean_pairwise_squared_error."""
    onehot = np.eye(3, dtype=np.float32)[[0, 2, 2]]
    logits = np.array([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3], [1.2, 0.2, 3.1]], np.float32)
    with tf.Graph().as_default():
        loss = tf.losses.mean_pairwise_squared_error(tf.constant(onehot), tf.constant(logits),
                                                     weights=[[1.0], [2.0], [0.5]])
        with tf.Session() as sess:
            return {"pairwise": sess.run(loss)}


def gfile_ops(tf, workdir):
    """tf.gfile as a Python-like file API."""
    out = {}
    root = os.path.join(workdir, "g")
    tf.gfile.MakeDirs(os.path.join(root, "sub"))
    with tf.gfile.GFile(os.path.join(root, "a.txt"), "w") as f:
        f.write("line1\nline2\n")
    with tf.gfile.GFile(os.path.join(root, "a.txt"), "a") as f:
        f.write("line3\n")
    with tf.gfile.GFile(os.path.join(root, "a.txt")) as f:
        out["lines"] = f.readlines()
    with tf.io.gfile.GFile(os.path.join(root, "b.bin"), "wb") as f:
        f.write(b"\x00\x01\x02")
    tf.gfile.Copy(os.path.join(root, "b.bin"), os.path.join(root, "sub", "c.bin"))
    tf.gfile.Rename(os.path.join(root, "a.txt"), os.path.join(root, "sub", "d.txt"))
    out["exists"] = [tf.gfile.Exists(os.path.join(root, n)) for n in ("a.txt", "b.bin", "sub")]
    out["is_dir"] = tf.gfile.IsDirectory(os.path.join(root, "sub"))
    out["listing"] = sorted(tf.gfile.ListDirectory(root))
    out["sub_listing"] = sorted(tf.gfile.ListDirectory(os.path.join(root, "sub")))
    out["glob"] = sorted(os.path.basename(p) for p in tf.gfile.Glob(os.path.join(root, "sub", "*.bin")))
    out["size"] = tf.gfile.Stat(os.path.join(root, "sub", "c.bin")).length
    walked = [(os.path.relpath(d, root), sorted(s), sorted(f)) for d, s, f in tf.gfile.Walk(root)]
    out["walk"] = [f"{d}|{','.join(s)}|{','.join(f)}" for d, s, f in walked]
    tf.gfile.Remove(os.path.join(root, "b.bin"))
    tf.gfile.DeleteRecursively(os.path.join(root, "sub"))
    out["after"] = sorted(tf.gfile.ListDirectory(root))
    try:
        tf.gfile.GFile(os.path.join(root, "missing")).read()
        out["missing"] = "none"
    except tf.errors.NotFoundError:
        out["missing"] = "NotFoundError"
    return out


class _RecordingHook:
    """Mixin body for a SessionRunHook that records the calls it gets, in order."""

    def __init__(self, fetch):
        self.calls, self.fetch, self.seen = [], fetch, []

    def begin(self):
        self.calls.append("begin")

    def after_create_session(self, session, coord):
        self.calls.append("after_create_session")

    def before_run(self, run_context):
        self.calls.append("before_run")
        return self.tf.train.SessionRunArgs(self.fetch)

    def after_run(self, run_context, run_values):
        self.calls.append("after_run")
        self.seen.append(np.asarray(run_values.results).tolist())

    def end(self, session):
        self.calls.append("end")


def monitored_session(tf, workdir):
    """MonitoredSession with a Scaffold, a ChiefSessionCreator restoring a checkpoint and hooks.

    No training: the loop only evaluates and bumps a counter with assign_add.
    """
    out = {}
    ckpt_dir = os.path.join(workdir, "mon")
    os.makedirs(ckpt_dir)
    with tf.Graph().as_default():
        v = tf.Variable([1.0, 2.0], name="v")
        tf.Variable(0, name="counter", trainable=False)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(tf.assign(v, [5.0, 7.0]))
            tf.train.Saver().save(sess, os.path.join(ckpt_dir, "model.ckpt"))
    hook_cls = type("RecordingHook", (_RecordingHook, tf.train.SessionRunHook), {"tf": tf})
    with tf.Graph().as_default():
        v = tf.Variable([1.0, 2.0], name="v")
        counter = tf.Variable(0, name="counter", trainable=False)
        bump = tf.assign_add(counter, 1)
        total = tf.reduce_sum(v) * tf.cast(counter, tf.float32)
        hook = hook_cls(v)
        scaffold = tf.train.Scaffold()
        creator = tf.train.ChiefSessionCreator(scaffold=scaffold, checkpoint_dir=ckpt_dir)
        results = []
        with tf.train.MonitoredSession(session_creator=creator, hooks=[hook]) as sess:
            for _ in range(3):
                results.append(sess.run(total))
                sess.run(bump)
            out["should_stop"] = sess.should_stop()
        out["results"] = results
        out["calls"] = hook.calls
        out["seen"] = hook.seen
        out["scaffold_has_saver"] = scaffold.saver is not None
        with tf.train.SingularMonitoredSession(checkpoint_dir=ckpt_dir) as sess:
            out["singular_v"] = sess.run(v)
            out["session_v"] = sess.raw_session().run(v)
    return out


def monitored_stop_at_step(tf, workdir):
    """StopAtStepHook ends a MonitoredSession loop once the global step reaches last_step."""
    with tf.Graph().as_default():
        gs = tf.train.get_or_create_global_step()
        bump = tf.assign_add(gs, 1)
        seen = []
        with tf.train.MonitoredSession(hooks=[tf.train.StopAtStepHook(last_step=4)]) as sess:
            while not sess.should_stop():
                seen.append(sess.run(bump))
        return {"seen": seen}


def device_setter(tf, workdir):
    """replica_device_setter places variables on ps tasks round-robin, other ops on the worker."""
    out = {}
    with tf.Graph().as_default():
        with tf.device(tf.train.replica_device_setter(ps_tasks=2)):
            v1 = tf.Variable(1.0, name="v1")
            v2 = tf.Variable(2.0, name="v2")
            s = tf.add(v1, v2, name="s")
        out["devices"] = [v1.device, v2.device, s.device]
    return out


def device_function(tf, workdir):
    """tf.device with a function choosing a device per op (TF keeps the string it returns)."""
    with tf.Graph().as_default():
        with tf.device(lambda op: "/cpu:0" if op.type == "Const" else "/gpu:0"):
            c = tf.constant(1.0, name="c")
            d = tf.negative(c, name="d")
        return {"devices": [c.device, d.device]}


def device_nesting(tf, workdir):
    """Nested device scopes merge; tf.device(None) clears."""
    with tf.Graph().as_default():
        d = tf.constant(1.0, name="d")
        with tf.device("/job:worker/task:1"):
            with tf.device("/gpu:2"):
                e = tf.identity(d, name="e")
            with tf.device(None):
                f = tf.identity(d, name="f")
        return {"devices": [d.device, e.device, f.device]}


def cluster_spec(tf, workdir):
    """replica_device_setter(cluster=ClusterSpec(...)) as in the notes' distributed section."""
    cluster = tf.train.ClusterSpec({"ps": ["ps0:2222", "ps1:2222"], "worker": ["w0:2222"]})
    with tf.Graph().as_default():
        with tf.device(tf.train.replica_device_setter(cluster=cluster)):
            v1 = tf.Variable(1.0, name="v1")
            v2 = tf.Variable(2.0, name="v2")
            s = tf.add(v1, v2, name="s")
        return {"devices": [v1.device, v2.device, s.device], "jobs": sorted(cluster.jobs),
                "ps_tasks": cluster.num_tasks("ps")}


SCRIPTS = {f.__name__: f for f in (
    session_basics, session_errors, session_client_errors, report_uninitialized, placeholders,
    math_ops, fft, exponential_decay, global_step, scopes, scope_strings, scope_reenter,
    random_inits, random_sequence, image_augment, image_standardize, graphs_devices, collections,
    device_setter, device_function, device_nesting, cluster_spec, saver_ckpt, saver_makes_dir,
    saver_api, saver_state, saver_options, saver_methods, saver_from_proto, saver_text_meta,
    saver_sharded, saver_allow_empty, meta_collections, freeze_pb, import_return_elements,
    pbtxt_roundtrip, summaries, summary_extras, summary_constant, pb_to_tensorboard, metrics,
    metrics_const, metric_variable_names, metrics_at, losses, pairwise_loss, gfile_ops,
    monitored_session, monitored_stop_at_step)}


def as_result(value):
    """A script's value as a numpy array (strings and lists of strings as unicode arrays)."""
    if isinstance(value, (bytes, np.bytes_)):
        value = value.decode()
    if isinstance(value, list) and value and all(isinstance(v, (list, tuple)) for v in value):
        value = [repr(v) for v in value]
    return np.asarray(value)
