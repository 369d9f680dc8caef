"""Variables in a Session: initialisation, Assign/AssignAdd/AssignSub (reference and resource), state."""

from __future__ import annotations

import numpy as np
import pytest
from ortflow.api import ops_builder as b
from ortflow.errors import FailedPreconditionError, InvalidArgumentError, NotFoundError
from ortflow.formats import dtypes
from ortflow.graph import Graph
from ortflow.runtime import Session, report_uninitialized_variables


def _ref_graph():
    """VariableV2 'w' [4], initialised to ones by 'w/Assign', read by 'w/read', y = x * w."""
    g = Graph()
    with g.as_default():
        x = b.placeholder(dtypes.float32, [None, 4], name="x")
        w = b.apply_op_output("VariableV2", [], {"dtype": dtypes.float32, "shape": b.shape_attr([4])}, name="w")
        b.apply_op_output("Assign", [w, b.constant(np.ones(4, np.float32), name="w/init")], name="w/Assign")
        read = b.apply_op_output("Identity", [w], name="w/read")
        b.apply_op_output("Mul", [x, read], name="y")
        b.apply_op_output("AssignAdd", [w, b.constant(np.full(4, 2, np.float32))], name="inc")
        b.apply_op_output("AssignSub", [w, b.constant(np.full(4, 0.5, np.float32))], name="dec")
        b.apply_op_output("Assign", [w, b.placeholder(dtypes.float32, [4], name="new")], name="set")
        b.apply_op_output("IsVariableInitialized", [w], name="w/IsInit")
        b.apply_op("NoOp", [], name="init", control_inputs=[g.get_operation_by_name("w/Assign")])
    return g


def _resource_graph():
    """VarHandleOp 'v' [2, 3] with AssignVariableOp init, ReadVariableOp, add/sub and a gather."""
    g = Graph()
    with g.as_default():
        v = b.apply_op_output("VarHandleOp", [], {"dtype": dtypes.float32, "shape": b.shape_attr([2, 3]),
                                                   "shared_name": "v"}, name="v")
        init_value = b.constant(np.arange(6, dtype=np.float32).reshape(2, 3), name="v/init")
        init = b.apply_op("AssignVariableOp", [v, init_value], {"dtype": dtypes.float32}, name="v/Assign")
        b.apply_op_output("ReadVariableOp", [v], {"dtype": dtypes.float32}, name="v/Read")
        b.apply_op("AssignAddVariableOp", [v, b.constant(np.ones((2, 3), np.float32))],
                   {"dtype": dtypes.float32}, name="v/add")
        b.apply_op("AssignSubVariableOp", [v, b.constant(np.full((2, 3), 3, np.float32))],
                   {"dtype": dtypes.float32}, name="v/sub")
        b.apply_op_output("VarIsInitializedOp", [v], name="v/IsInit")
        b.apply_op_output("ResourceGather", [v, b.constant(np.array([1, 1, 0], np.int32))],
                          {"dtype": dtypes.float32}, name="v/gather")
        assert init is not None
    return g


def test_reading_an_uninitialized_variable_names_it():
    with Session(graph=_ref_graph(), providers="cpu") as sess:
        with pytest.raises(FailedPreconditionError, match="Attempting to use uninitialized value w"):
            sess.run("y:0", {"x:0": np.ones((1, 4))})


def test_init_noop_runs_the_control_dependency_closure():
    with Session(graph=_ref_graph(), providers="cpu") as sess:
        assert sess.run("init") is None
        np.testing.assert_array_equal(sess.run("y:0", {"x:0": [[1, 2, 3, 4]]}), [[1, 2, 3, 4]])


def test_assign_add_sub_update_the_state_as_tensorflow():
    with Session(graph=_ref_graph(), providers="cpu") as sess:
        sess.run("w/Assign")
        np.testing.assert_array_equal(sess.run("inc:0"), np.full(4, 3, np.float32))
        np.testing.assert_array_equal(sess.run("w/read:0"), np.full(4, 3, np.float32))
        sess.run("dec")
        np.testing.assert_array_equal(sess.run("w:0"), np.full(4, 2.5, np.float32))
        sess.run("set", {"new:0": [9, 8, 7, 6]})
        np.testing.assert_array_equal(sess.variable_values(["w"])["w"], [9, 8, 7, 6])


def test_is_variable_initialized_reflects_the_state():
    with Session(graph=_ref_graph(), providers="cpu") as sess:
        assert sess.run("w/IsInit:0") == np.False_
        sess.run("w/Assign")
        assert sess.run("w/IsInit:0") == np.True_


def test_two_sessions_on_one_graph_have_separate_values():
    g = _ref_graph()
    with Session(graph=g, providers="cpu") as a, Session(graph=g, providers="cpu") as b_:
        a.run("init")
        b_.run("init")
        a.run("inc")
        np.testing.assert_array_equal(a.run("w:0"), np.full(4, 3, np.float32))
        np.testing.assert_array_equal(b_.run("w:0"), np.ones(4, np.float32))


def test_assign_variables_and_variable_values_round_trip():
    with Session(graph=_ref_graph(), providers="cpu") as sess:
        sess.assign_variables({"w": [1, 2, 3, 4]})  # ints: converted to the variable's float32
        values = sess.variable_values(["w"])
        assert values["w"].dtype == np.float32
        np.testing.assert_array_equal(values["w"], [1, 2, 3, 4])
        with pytest.raises(InvalidArgumentError, match="shapes of both tensors to match"):
            sess.assign_variables({"w": np.ones(5)})
        with pytest.raises(NotFoundError, match="'nope'"):
            sess.assign_variables({"nope": np.ones(4)})
        with pytest.raises(FailedPreconditionError):
            Session(graph=sess.graph, providers="cpu").variable_values(["w"])


def test_report_uninitialized_variables():
    g = _ref_graph()
    with Session(graph=g, providers="cpu") as sess:
        report = report_uninitialized_variables()
        assert list(sess.run(report)) == [b"w"]
        sess.run("init")
        assert list(sess.run(report)) == []


def test_resource_variables_assign_read_add_sub_gather():
    with Session(graph=_resource_graph(), providers="cpu") as sess:
        with pytest.raises(FailedPreconditionError, match="uninitialized value v"):
            sess.run("v/Read:0")
        assert sess.run("v/IsInit:0") == np.False_
        sess.run("v/Assign")
        assert sess.run("v/IsInit:0") == np.True_
        base = np.arange(6, dtype=np.float32).reshape(2, 3)
        np.testing.assert_array_equal(sess.run("v/Read:0"), base)
        sess.run("v/add")
        np.testing.assert_array_equal(sess.run("v/Read:0"), base + 1)
        sess.run("v/sub")
        np.testing.assert_array_equal(sess.run("v/Read:0"), base - 2)
        np.testing.assert_array_equal(sess.run("v/gather:0"), (base - 2)[[1, 1, 0]])


def test_random_initializer_differs_per_run_unless_seeded():
    g = Graph()
    with g.as_default():
        shape = b.constant(np.array([3, 5], np.int32), name="shape")
        b.apply_op_output("RandomStandardNormal", [shape], {"dtype": dtypes.float32, "seed": 7,
                                                          "seed2": 3}, name="seeded")
        b.apply_op_output("RandomUniform", [shape], {"dtype": dtypes.float32}, name="unseeded")
    first = Session(graph=g, providers="cpu").run("seeded:0")
    second = Session(graph=g, providers="cpu").run("seeded:0")
    np.testing.assert_array_equal(first, second)  # same sequence in every new session
    sess = Session(graph=g, providers="cpu")
    u1, u2 = sess.run("unseeded:0"), sess.run("unseeded:0")
    assert not np.array_equal(u1, u2)
    assert u1.shape == (3, 5) and ((u1 >= 0) & (u1 < 1)).all()


def test_read_ordered_after_an_assign_sees_the_new_value():
    g = Graph()
    with g.as_default():
        w = b.apply_op_output("VariableV2", [], {"dtype": dtypes.float32, "shape": b.shape_attr([2])},
                              name="w")
        b.apply_op_output("Assign", [w, b.constant(np.zeros(2, np.float32))], name="w/Assign")
        inc = b.apply_op_output("AssignAdd", [w, b.constant(np.ones(2, np.float32))], name="inc")
        b.apply_op("Identity", [w], name="after", control_inputs=[inc.op])
        v = b.apply_op_output("VarHandleOp", [], {"dtype": dtypes.float32, "shape": b.shape_attr([]),
                                                   "shared_name": "v"}, name="v")
        set_v = b.apply_op("AssignVariableOp", [v, b.constant(np.float32(5))], name="set_v")
        b.apply_op("ReadVariableOp", [v], {"dtype": dtypes.float32}, name="v_after",
                   control_inputs=[set_v])
    with Session(graph=g, providers="cpu") as sess:
        sess.run("w/Assign")
        np.testing.assert_array_equal(sess.run("after:0"), [1, 1])
        np.testing.assert_array_equal(sess.run("after:0"), [2, 2])
        assert sess.run("v_after:0") == 5.0


def test_report_eval_uses_the_default_session():
    g = _ref_graph()
    sess = Session(graph=g, providers="cpu")
    report = report_uninitialized_variables(["w"])
    with pytest.raises(ValueError, match="no default session"):
        report.eval()
    with sess.as_default():
        assert list(report.eval()) == [b"w"]


@pytest.mark.parametrize("resource", [False, True])
def test_scatter_update(resource):
    g = Graph()
    with g.as_default():
        init = b.constant(np.zeros((4, 2), np.float32), name="zeros")
        indices = b.constant(np.array([3, 1], np.int32), name="indices")
        updates = b.constant(np.array([[1, 2], [3, 4]], np.float32), name="updates")
        if resource:
            v = b.apply_op_output("VarHandleOp", [], {"dtype": dtypes.float32,
                                                       "shape": b.shape_attr([4, 2]), "shared_name": "v"},
                                  name="v")
            b.apply_op("AssignVariableOp", [v, init], name="init")
            b.apply_op("ResourceScatterUpdate", [v, indices, updates], {"dtype": dtypes.float32},
                       name="scatter")
        else:
            v = b.apply_op_output("VariableV2", [], {"dtype": dtypes.float32, "shape": b.shape_attr([4, 2])},
                                  name="v")
            b.apply_op_output("Assign", [v, init], name="init")
            b.apply_op_output("ScatterUpdate", [v, indices, updates], name="scatter")
    with Session(graph=g, providers="cpu") as sess:
        sess.run("init")
        sess.run("scatter")
        np.testing.assert_array_equal(sess.variable_values(["v"])["v"],
                                      [[0, 0], [3, 4], [0, 0], [1, 2]])


def test_running_a_variable_op_as_a_target_needs_no_value():
    with Session(graph=_ref_graph(), providers="cpu") as sess:
        assert sess.run("w") is None


def test_io_binding_path_keeps_state_as_ort_values():
    """The CUDA code path (IOBinding, OrtValue state) exercised on the CPU provider."""
    with Session(graph=_ref_graph(), providers="cpu") as sess:
        sess.run("init")
        sess.run("inc")  # compiles the signature
        runner = next(sig.runner for sig in sess._signatures.values()
                      if sig.plan.updates and sig.plan.variable_inputs)
        runner.on_device = True  # as on CUDA, with outputs kept on the runner's device (cpu)
        sess.run("inc")
        sess.run("inc")
        stored = sess._state.get("w")
        assert not isinstance(stored, np.ndarray)
        np.testing.assert_array_equal(sess.variable_values(["w"])["w"], np.full(4, 7, np.float32))
        np.testing.assert_array_equal(sess.run("inc:0"), np.full(4, 9, np.float32))
        # a signature without binding reads the OrtValue state too
        np.testing.assert_array_equal(sess.run("y:0", {"x:0": np.ones((1, 4))}), np.full((1, 4), 9))


def test_variable_initialized_from_anothers_initialized_value():
    """The TF 1.x guide's `tf.Variable(w.initialized_value())`: one global initializer run
    initializes both (the read is guarded by w's IsVariableInitialized); an explicit read of
    an uninitialized variable still raises."""
    import numpy as np
    import ortflow as tf

    with tf.Graph().as_default():
        weights = tf.Variable(np.arange(6, dtype=np.float32).reshape(2, 3), name="weights")
        copy = tf.Variable(weights.initialized_value(), name="copy")
        twice = tf.Variable(weights.initialized_value() * 2.0, name="twice")
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            np.testing.assert_array_equal(sess.run(copy), np.arange(6).reshape(2, 3))
            np.testing.assert_array_equal(sess.run(twice), 2 * np.arange(6).reshape(2, 3))
            sess.run(weights.assign(tf.ones([2, 3])))
            sess.run(copy.initializer)
            np.testing.assert_array_equal(sess.run(copy), np.ones((2, 3)))
        with tf.Session() as sess:
            np.testing.assert_array_equal(sess.run(weights.initialized_value()), np.arange(6).reshape(2, 3))
            with pytest.raises(tf.errors.FailedPreconditionError, match="weights"):
                sess.run(weights.read_value())


def test_variable_made_from_another_variables_value_is_guarded_as_tensorflow():
    """`tf.Variable(w * 0.5 + 1.0)`: TF 1.x rewrites the read of w into w's initialized_value()
    (a cond in the new variable's scope) and copies the ops after it as `<op>_<variable>`; the
    names below are TF 2.21's (v1 mode). One global initializer run then works."""
    import numpy as np
    import ortflow as tf

    with tf.Graph().as_default() as g:
        w = tf.Variable(np.ones((2, 3), np.float32), name="weights")
        with tf.name_scope("sc"):
            plain = tf.Variable(w * 0.5 + 1.0, name="plain")
        nodes = {n.name: (n.op, list(n.input)) for n in g.as_graph_def().node}
        assert plain.initial_value.name == "sc/add:0"
        assert nodes["sc/plain/Assign"] == ("Assign", ["sc/plain", "sc/add_sc/plain"])
        assert nodes["sc/mul_sc/plain"] == ("Mul", ["weights/read_sc/plain", "sc/mul/y"])
        assert nodes["weights/read_sc/plain"] == ("Identity", ["sc/plain/cond/Merge"])
        assert nodes["sc/plain/cond/read/Switch"] == ("RefSwitch", ["weights", "sc/plain/cond/pred_id"])
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            np.testing.assert_array_equal(sess.run(plain), np.full((2, 3), 1.5, np.float32))
