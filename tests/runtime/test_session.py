"""Session.run semantics on small graphs built with the op builder: fetches, feeds, errors, caching."""

from __future__ import annotations

import collections
import threading

import numpy as np
import pytest
from ortflow.api import ops_builder as b
from ortflow.errors import InvalidArgumentError, NotFoundError
from ortflow.formats import dtypes
from ortflow.graph import Graph, get_default_session
from ortflow.runtime import ConfigProto, InteractiveSession, Session


@pytest.fixture()
def affine():
    """y = x * 2 + 1 over a [?, 4] float placeholder, with the intermediate tensor named."""
    g = Graph()
    with g.as_default():
        x = b.placeholder(dtypes.float32, [None, 4], name="x")
        doubled = b.apply_op_output("Mul", [x, b.constant(np.float32(2.0), name="two")], name="doubled")
        y = b.apply_op_output("AddV2", [doubled, b.constant(np.float32(1.0), name="one")], name="y")
    return g, x, doubled, y


def test_fetch_by_tensor_and_by_name(affine):
    g, x, _, y = affine
    with Session(graph=g, providers="cpu") as sess:
        value = np.arange(8, dtype=np.float32).reshape(2, 4)
        np.testing.assert_array_equal(sess.run(y, {x: value}), value * 2 + 1)
        np.testing.assert_array_equal(sess.run("y:0", {"x:0": value}), value * 2 + 1)
        np.testing.assert_array_equal(sess.run("y:0", {"x": value}), value * 2 + 1)


def test_nested_fetch_structures(affine):
    g, x, doubled, y = affine
    Pair = collections.namedtuple("Pair", "a b")
    value = np.ones((1, 4), np.float32)
    with Session(graph=g, providers="cpu") as sess:
        out = sess.run({"p": Pair(y, [doubled, (y,)]), "op": y.op}, {x: value})
    assert isinstance(out["p"], Pair)
    np.testing.assert_array_equal(out["p"].a, np.full((1, 4), 3, np.float32))
    np.testing.assert_array_equal(out["p"].b[0], np.full((1, 4), 2, np.float32))
    assert isinstance(out["p"].b[1], tuple)
    assert out["op"] is None


def test_python_values_are_converted_to_the_placeholder_dtype(affine):
    g, x, _, y = affine
    with Session(graph=g, providers="cpu") as sess:
        out = sess.run(y, {x: [[1, 2, 3, 4]]})
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, [[3, 5, 7, 9]])


def test_scalar_fetch_is_a_numpy_scalar():
    g = Graph()
    with g.as_default():
        c = b.constant(np.float32(3.0), name="c")
        total = b.apply_op_output("AddV2", [c, c], name="total")
    with Session(graph=g, providers="cpu") as sess:
        out = sess.run(total)
    assert isinstance(out, np.float32) and out == 6.0


def test_feeding_an_intermediate_tensor_cuts_the_graph(affine):
    g, _, doubled, y = affine
    with Session(graph=g, providers="cpu") as sess:
        # x is not fed: the graph above `doubled` must not be needed.
        out = sess.run(y, {doubled: np.full((3, 4), 10, np.float32)})
    np.testing.assert_array_equal(out, np.full((3, 4), 11, np.float32))


def test_fetching_a_fed_tensor_returns_the_fed_value(affine):
    g, x, _, _ = affine
    value = np.ones((2, 4), np.float32)
    with Session(graph=g, providers="cpu") as sess:
        np.testing.assert_array_equal(sess.run(x, {x: value}), value)


def test_wrong_feed_shape_names_the_tensor(affine):
    g, x, _, y = affine
    with Session(graph=g, providers="cpu") as sess:
        with pytest.raises(InvalidArgumentError, match=r"Cannot feed value of shape \(2, 3\) for "
                           r"Tensor 'x:0', which has shape '\(\?, 4\)'"):
            sess.run(y, {x: np.ones((2, 3), np.float32)})


def test_unconvertible_feed_names_the_tensor(affine):
    g, x, _, y = affine
    with Session(graph=g, providers="cpu") as sess, pytest.raises(InvalidArgumentError, match="'x:0'"):
        sess.run(y, {x: [["a", "b", "c", "d"]]})


def test_missing_feed_names_the_placeholder(affine):
    g, _, _, y = affine
    with Session(graph=g, providers="cpu") as sess:
        with pytest.raises(InvalidArgumentError, match=r"You must feed a value for placeholder "
                           r"tensor 'x' with dtype float and shape \[\?,4\]"):
            sess.run(y)


def test_unknown_fetch_raises_not_found(affine):
    g, _, _, _ = affine
    with Session(graph=g, providers="cpu") as sess:
        with pytest.raises(NotFoundError, match="The name 'foo:0' refers to a Tensor which does not exist"):
            sess.run("foo:0")
        with pytest.raises(NotFoundError, match="'foo'"):
            sess.run("foo")


def test_none_fetch_is_a_type_error(affine):
    g, _, _, _ = affine
    with Session(graph=g, providers="cpu") as sess, pytest.raises(TypeError):
        sess.run(None)


def test_dynamic_batch_compiles_once(affine):
    g, x, _, y = affine
    with Session(graph=g, providers="cpu") as sess:
        for batch in (1, 5, 17):
            assert sess.run(y, {x: np.zeros((batch, 4), np.float32)}).shape == (batch, 4)
        assert len(sess._signatures) == 1
        # a different fetch structure over the same tensors reuses the compiled signature
        sess.run([y], {x: np.zeros((2, 4), np.float32)})
        assert len(sess._signatures) == 1


def test_default_session_eval_and_run(affine):
    g, x, _, y = affine
    sess = Session(graph=g, providers="cpu")
    with sess.as_default():
        assert get_default_session() is sess
        np.testing.assert_array_equal(y.eval({x: np.zeros((1, 4))}), np.ones((1, 4)))
        assert y.op.run({x: np.zeros((1, 4))}) is None
    assert get_default_session() is None
    np.testing.assert_array_equal(y.eval({x: np.zeros((1, 4))}, session=sess), np.ones((1, 4)))


def test_context_manager_installs_graph_and_session(affine):
    from ortflow.graph import get_default_graph

    g, _, _, _ = affine
    with Session(graph=g, providers="cpu") as sess:
        assert get_default_session() is sess
        assert get_default_graph() is g
    assert get_default_session() is None
    with pytest.raises(RuntimeError, match="closed"):
        sess.run("y:0", {"x:0": np.zeros((1, 4))})


def test_interactive_session_is_default_until_closed(affine):
    g, x, _, y = affine
    from ortflow.graph import get_default_graph

    sess = InteractiveSession(graph=g, providers="cpu")
    try:
        assert get_default_session() is sess and get_default_graph() is g
        assert y.eval({x: np.zeros((1, 4))}).shape == (1, 4)
    finally:
        sess.close()
    assert get_default_session() is None


def test_properties(affine):
    g, _, _, _ = affine
    sess = Session("", graph=g, providers="cpu")
    assert sess.graph is g and sess.sess_str == "" and sess.providers == ["CPUExecutionProvider"]


def test_runs_from_several_threads(affine):
    g, x, _, y = affine
    sess = Session(graph=g, providers="cpu")
    errors = []

    def worker(k):
        try:
            for _ in range(20):
                value = np.full((k + 1, 4), k, np.float32)
                np.testing.assert_array_equal(sess.run(y, {x: value}), value * 2 + 1)
        except Exception as e:
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_config_proto_threads_and_unknown_field(affine):
    g, x, _, y = affine
    config = ConfigProto(intra_op_parallelism_threads=1, inter_op_parallelism_threads=1,
                         allow_soft_placement=True)
    with Session(graph=g, config=config, providers="cpu") as sess:
        assert sess.run(y, {x: np.zeros((1, 4))}).shape == (1, 4)
    with pytest.raises(TypeError, match="no field 'bogus'"):
        ConfigProto(bogus=1)


def test_onnxruntime_failure_names_the_tf_node():
    g = Graph()
    with g.as_default():
        a = b.placeholder(dtypes.float32, [None, None], name="a")
        c = b.placeholder(dtypes.float32, [None, None], name="c")
        b.apply_op_output("AddV2", [a, c], name="sum")
    with Session(graph=g, providers="cpu") as sess, pytest.raises(InvalidArgumentError, match="sum"):
        sess.run("sum:0", {"a:0": np.ones((2, 3)), "c:0": np.ones((4, 5))})


def test_cuda_request_without_cuda_is_a_clear_error(affine):
    import onnxruntime as ort

    if "CUDAExecutionProvider" in ort.get_available_providers():
        pytest.skip("this onnxruntime has CUDA; the error path cannot be shown here")
    from ortflow.errors import UnavailableError

    g, _, _, _ = affine
    with pytest.raises(UnavailableError, match="onnxruntime-gpu"):
        Session(graph=g, providers="cuda")


def test_make_callable(affine):
    g, x, _, y = affine
    with Session(graph=g, providers="cpu") as sess:
        step = sess.make_callable([y], [x])
        np.testing.assert_array_equal(step(np.zeros((2, 4), np.float32))[0], np.ones((2, 4)))
        with pytest.raises(TypeError, match="1 positional feed"):
            step()


def test_ort_value_feeds_are_accepted(affine):
    import onnxruntime as ort

    g, x, _, y = affine
    value = ort.OrtValue.ortvalue_from_numpy(np.full((2, 4), 3, np.float32))
    with Session(graph=g, providers="cpu") as sess:
        np.testing.assert_array_equal(sess.run(y, {x: value}), np.full((2, 4), 7, np.float32))
        with pytest.raises(InvalidArgumentError, match="Cannot feed value of shape"):
            sess.run(y, {x: ort.OrtValue.ortvalue_from_numpy(np.ones((2, 3), np.float32))})


def test_control_input_on_a_fed_placeholder_is_satisfied_by_the_feed():
    g = Graph()
    with g.as_default():
        p = b.placeholder(dtypes.float32, b.shape_attr([2]), name="p")
        b.apply_op("Identity", [b.constant(np.float32(1), name="c")], name="after_p",
                   control_inputs=[p.op])
    with Session(graph=g, providers="cpu") as sess:
        assert sess.run("after_p:0", {p: [1, 2]}) == 1.0


def test_fetch_order_does_not_recompile(affine):
    g, x, doubled, y = affine
    with Session(graph=g, providers="cpu") as sess:
        value = np.ones((1, 4), np.float32)
        a, c = sess.run([y, doubled], {x: value})
        d, e = sess.run([doubled, y], {x: value})
        assert len(sess._signatures) == 1
        np.testing.assert_array_equal(a, e)
        np.testing.assert_array_equal(c, d)


def test_string_feeds_and_fetches_are_bytes():
    g = Graph()
    with g.as_default():
        s = b.placeholder(dtypes.string, b.shape_attr([None]), name="s")
        b.apply_op_output("Identity", [s], name="same")
        b.apply_op_output("Identity", [b.constant(b"const", name="c")], name="text")
    with Session(graph=g, providers="cpu") as sess:
        out = sess.run("same:0", {s: ["a", b"b"]})
        assert out.dtype == object and list(out) == [b"a", b"b"]
        assert sess.run("text:0") == b"const"


def test_list_devices(affine):
    g, _, _, _ = affine
    devices = Session(graph=g, providers="cpu").list_devices()
    assert [d.device_type for d in devices] == ["CPU"]


def test_unknown_rank_placeholder_compiles_per_fed_rank():
    g = Graph()
    with g.as_default():
        a = b.placeholder(dtypes.float32, None, name="a")
        b.apply_op_output("AddV2", [a, b.constant(np.float32(1), name="one")], name="inc")
    with Session(graph=g, providers="cpu") as sess:
        assert sess.run("inc:0", {a: 1.0}) == 2.0
        np.testing.assert_array_equal(sess.run("inc:0", {a: [[1, 2]]}), [[2, 3]])
        np.testing.assert_array_equal(sess.run("inc:0", {a: [[5], [6]]}), [[6], [7]])
        assert len(sess._signatures) == 2  # one per rank, not per shape
        assert sess.last_run_backend == "onnxruntime"


def test_unknown_names_are_also_value_errors_as_in_tensorflow(affine):
    g, _, _, _ = affine
    with Session(graph=g, providers="cpu") as sess:
        with pytest.raises(ValueError, match="'nope:0'"):
            sess.run("nope:0")
        with pytest.raises(ValueError, match="'nope:0'"):
            sess.run("y:0", {"nope:0": 1.0})
