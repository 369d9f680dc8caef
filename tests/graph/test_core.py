"""Graph, Operation, Tensor, TensorShape and naming: TensorFlow 1.x behaviour without TensorFlow."""

from __future__ import annotations

import numpy as np
import pytest
from ortflow.errors import GraphError
from ortflow.formats import dtypes
from ortflow.formats.tensors import make_tensor_proto
from ortflow.graph import Graph, GraphKeys, TensorShape, core, get_default_graph, get_default_session
from ortflow.graph.graph_util import topological_order
from ortflow.graph.naming import Namespace, canonical_device
from ortflow.proto import GraphDef, MetaGraphDef


def _placeholder(g, name, shape=None, dtype=dtypes.float32):
    attrs = {"dtype": dtype}
    if shape is not None:
        attrs["shape"] = TensorShape(shape)
    return g.create_op("Placeholder", [], attrs=attrs, name=name).outputs[0]


def _const(g, value, name="Const"):
    proto = make_tensor_proto(np.asarray(value, dtype=np.float32))
    return g.create_op("Const", [], attrs={"dtype": dtypes.float32, "value": proto}, name=name).outputs[0]


def _load_meta_graph(path) -> Graph:
    meta = MetaGraphDef()
    meta.ParseFromString(path.read_bytes())
    g = Graph()
    ops = [g._add_node_def(n, resolve=False) for n in meta.graph_def.node]
    for op in ops:
        g._resolve_inputs(op)
    return g


# -- naming ----------------------------------------------------------------------------------

def test_unique_names_follow_tensorflow_suffix_rules():
    ns = Namespace()
    assert [ns.unique("x") for _ in range(3)] == ["x", "x_1", "x_2"]
    assert ns.unique("X") == "X_3"  # the collision check ignores case
    ns2 = Namespace()
    ns2.mark_used("a_1")
    assert ns2.unique("a") == "a"
    assert ns2.unique("a") == "a_2"  # a_1 is taken, so the next free suffix is used


def test_name_scopes_nest_uniquify_and_reuse():
    g = Graph()
    with g.name_scope("layer") as s1:
        assert s1 == "layer/"
        op = g.create_op("NoOp", [], name="n")
        with g.name_scope("inner") as s2:
            assert s2 == "layer/inner/"
    with g.name_scope("layer") as s3:
        assert s3 == "layer_1/"
    with g.name_scope(s1) as s4:  # ending in "/" re-enters exactly
        assert s4 == "layer/"
        assert g.create_op("NoOp", [], name="n").name == "layer/n_1"
    with g.name_scope("layer"), g.name_scope(None) as top:
        assert top == ""
    assert op.name == "layer/n"
    assert g.create_op("NoOp", [], name="exact/").name == "exact"
    with pytest.raises(ValueError):
        with g.name_scope("bad name!"):
            pass


@pytest.mark.parametrize("spec,canonical", [
    ("/gpu:0", "/device:GPU:0"),
    ("/cpu:1", "/device:CPU:1"),
    ("/device:GPU:3", "/device:GPU:3"),
    ("/job:worker/task:1/gpu:2", "/job:worker/task:1/device:GPU:2"),
    ("/task:0/job:ps", "/job:ps/task:0"),
    ("", ""),
])
def test_device_specs_are_canonicalized(spec, canonical):
    assert canonical_device(spec) == canonical


def test_device_scopes_record_canonical_device_on_nodes():
    g = Graph()
    with g.device("/gpu:3"):
        a = g.create_op("NoOp", [], name="a")
        with g.device("/cpu:1"):
            b = g.create_op("NoOp", [], name="b")
        with g.device(None):
            c = g.create_op("NoOp", [], name="c")
    assert (a.device, b.device, c.device) == ("/device:GPU:3", "/device:CPU:1", "")
    # A device function's string is stored as returned, as TensorFlow does (seen with TF 2.21).
    with g.device(lambda op: "/gpu:1" if op.type == "NoOp" else ""):
        assert g.create_op("NoOp", [], name="d").device == "/gpu:1"


# -- building and lookup -----------------------------------------------------------------------

def test_create_op_fills_defaults_and_links_inputs():
    g = Graph()
    x = _placeholder(g, "x", [None, 3])
    w = _const(g, np.ones((3, 2)), name="w")
    mm = g.create_op("MatMul", [x, w], attrs={"T": dtypes.float32}, name="mm")
    assert mm.get_attr("transpose_a") is False and mm.get_attr("transpose_b") is False
    assert mm.inputs == (x, w)
    assert x.consumers() == [mm] and w.consumers() == [mm]
    assert mm.outputs[0].dtype == dtypes.float32
    assert g.get_tensor_by_name("mm:0") is mm.outputs[0]
    assert g.get_operation_by_name("mm") is mm
    assert g.as_graph_element("w:0") is w
    assert g.get_operations() == [x.op, w.op, mm]
    assert g.version == 3


def test_lookup_errors_match_tensorflow():
    g = Graph()
    _placeholder(g, "x")
    with pytest.raises(ValueError, match="refers to an Operation, not a Tensor"):
        g.get_tensor_by_name("x")
    with pytest.raises(KeyError, match="does not exist in the graph"):
        g.get_tensor_by_name("y:0")
    with pytest.raises(KeyError, match="only has 1 outputs"):
        g.get_tensor_by_name("x:1")
    with pytest.raises(ValueError, match="appears to refer to a Tensor"):
        g.get_operation_by_name("x:0")
    with pytest.raises(KeyError, match="not in the graph"):
        g.get_operation_by_name("nope")


def test_get_attr_python_types():
    g = Graph()
    x = _placeholder(g, "x", [None, 4])
    op = g.create_op("Conv2D", [x, x], attrs={"T": dtypes.float32, "strides": [1, 2, 2, 1],
                                             "padding": "SAME"}, name="conv")
    assert op.get_attr("padding") == b"SAME"
    assert op.get_attr("strides") == [1, 2, 2, 1]
    assert op.get_attr("T") is dtypes.float32
    assert op.get_attr("use_cudnn_on_gpu") is True
    assert x.op.get_attr("shape") == TensorShape([None, 4])
    with pytest.raises(ValueError, match="no attr named"):
        op.get_attr("nope")


def test_control_dependencies_and_colocation():
    g = Graph()
    a = g.create_op("NoOp", [], name="a")
    x = _placeholder(g, "x")
    with g.control_dependencies([a]):
        b = g.create_op("Identity", [x], attrs={"T": dtypes.float32}, name="b")
        with g.control_dependencies(None):
            c = g.create_op("NoOp", [], name="c")
    assert b.control_inputs == [a] and list(b.node_def.input) == ["x", "^a"]
    assert c.control_inputs == []
    with g.colocate_with(x.op):
        d = g.create_op("Identity", [x], attrs={"T": dtypes.float32}, name="d")
    assert d.get_attr("_class") == [b"loc:@x"]
    assert d.colocation_groups() == [b"loc:@x"]  # a method, as in TF


def test_update_input_keeps_consumers_in_sync():
    g = Graph()
    x, y = _placeholder(g, "x"), _placeholder(g, "y")
    op = g.create_op("Identity", [x], attrs={"T": dtypes.float32}, name="id")
    op._update_input(0, y)
    assert x.consumers() == [] and y.consumers() == [op]
    assert list(op.node_def.input) == ["y"]
    op._add_control_input(x.op)
    assert list(op.node_def.input) == ["y", "^x"]
    op._remove_all_control_inputs()
    assert list(op.node_def.input) == ["y"]


def test_collections_scope_filter_and_refs():
    g = Graph()
    x, y = _placeholder(g, "scope/x"), _placeholder(g, "other/y")
    g.add_to_collection(GraphKeys.ACTIVATIONS, x)
    g.add_to_collections(["a", GraphKeys.ACTIVATIONS], y)
    g.add_to_collection("numbers", 3)
    assert g.get_collection(GraphKeys.ACTIVATIONS) == [x, y]
    assert g.get_collection("activations", scope="scope") == [x]
    assert g.get_collection("numbers", scope="s") == []  # items without .name are skipped
    assert g.get_collection("missing") == []
    ref = g.get_collection_ref("numbers")
    ref.append(4)
    assert g.get_collection("numbers") == [3, 4]
    assert sorted(g.get_all_collection_keys()) == ["a", "activations", "numbers"]
    assert GraphKeys.GLOBAL_VARIABLES == "variables" and GraphKeys.TRAINABLE_VARIABLES == "trainable_variables"


def test_finalize_blocks_new_ops():
    g = Graph()
    g.finalize()
    assert g.finalized
    with pytest.raises(RuntimeError, match="finalized"):
        g.create_op("NoOp", [])


def test_default_graph_stack():
    outer = get_default_graph()
    g = Graph()
    with g.as_default():
        assert get_default_graph() is g
    assert get_default_graph() is outer
    with pytest.raises(AssertionError):
        with g.as_default():
            core.reset_default_graph()


def test_default_session_stack_and_eval():
    g = Graph()
    x = _placeholder(g, "x")

    class RecordingSession:  # the runtime's Session pushes itself the same way
        graph = g

        def __init__(self):
            self.calls = []

        def run(self, fetches, feed_dict=None):
            self.calls.append((fetches, feed_dict))
            return 7

    sess = RecordingSession()
    assert get_default_session() is None
    with pytest.raises(ValueError, match="no default session"):
        x.eval()
    with core.default_session_stack.get_controller(sess):
        assert get_default_session() is sess
        assert x.eval(feed_dict={x: 1}) == 7
    assert sess.calls == [(x, {x: 1})]


# -- GraphDef round trip and unknown ops --------------------------------------------------------

def test_as_graph_def_gives_untouched_nodes_back_unchanged(data_dir):
    meta = MetaGraphDef()
    meta.ParseFromString((data_dir / "mlp/ckpt/model.ckpt-30.meta").read_bytes())
    g = _load_meta_graph(data_dir / "mlp/ckpt/model.ckpt-30.meta")
    out = g.as_graph_def()
    assert len(out.node) == len(meta.graph_def.node)
    for a, b in zip(out.node, meta.graph_def.node):
        assert a.SerializeToString(deterministic=True) == b.SerializeToString(deterministic=True)


def test_ref_and_resource_dtypes_from_registry(data_dir):
    mlp = _load_meta_graph(data_dir / "mlp/ckpt/model.ckpt-30.meta")
    assert mlp.get_tensor_by_name("layer0/weights:0").dtype == dtypes.float32._as_ref
    assert mlp.get_tensor_by_name("layer0/weights/read:0").dtype == dtypes.float32
    cnn = _load_meta_graph(data_dir / "cnn/ckpt/cnn.meta")
    assert cnn.get_tensor_by_name("conv0/kernel:0").dtype == dtypes.resource
    assert cnn.get_tensor_by_name("save/RestoreV2:13").dtype == dtypes.float32


def test_unknown_op_imports_and_fails_only_on_dtype_or_shape():
    gd = GraphDef()
    node = gd.node.add(name="mystery", op="NotARealOp", device="/gpu:3")
    node.attr["k"].i = 1
    gd.node.add(name="user", op="Identity", input=["mystery:1"]).attr["T"].type = 1
    g = Graph()
    ops = [g._add_node_def(n) for n in gd.node]
    t = g.get_tensor_by_name("mystery:1")
    assert t.consumers() == [ops[1]]
    with pytest.raises(GraphError, match="NotARealOp"):
        _ = t.dtype
    with pytest.raises(GraphError, match="NotARealOp"):
        _ = t.shape
    assert ops[0].device == "/gpu:3"
    assert g.as_graph_def().node[0] == gd.node[0]


def test_tensor_shape_api():
    s = TensorShape([None, 3])
    assert s.rank == 2 and s.as_list() == [None, 3] and not s.is_fully_defined()
    assert s.merge_with([2, None]) == TensorShape([2, 3])
    assert s.concatenate([4]).as_list() == [None, 3, 4]
    assert s[1] == 3 and s[0:1] == TensorShape([None])
    unknown = TensorShape(None)
    assert unknown.rank is None and unknown.dims is None
    with pytest.raises(ValueError):
        unknown.as_list()
    with pytest.raises(ValueError):
        s.merge_with([2, 4])
    assert TensorShape(s.as_proto()) == s and TensorShape(unknown.as_proto()) == unknown
    assert TensorShape([2, 3]).num_elements() == 6


def test_set_shape_refines_static_shape():
    g = Graph()
    x = _placeholder(g, "x")
    x.set_shape([None, 5])
    assert x.shape.as_list() == [None, 5]
    with pytest.raises(ValueError):
        x.set_shape([3, 4])


# -- traversal -------------------------------------------------------------------------------

def test_topological_order_allows_loops_only_through_next_iteration():
    gd = GraphDef()
    gd.node.add(name="merge", op="Merge", input=["enter", "next"])
    gd.node.add(name="enter", op="Enter", input=["x"])
    gd.node.add(name="x", op="Const")
    gd.node.add(name="next", op="NextIteration", input=["merge"])
    order = [gd.node[i].name for i in topological_order(gd.node)]
    assert order == ["x", "enter", "merge", "next"]
    gd.node[3].op = "Identity"
    with pytest.raises(GraphError, match="cycle"):
        topological_order(gd.node)
    gd.node.add(name="bad", op="Identity", input=["ghost"])
    with pytest.raises(GraphError, match="ghost"):
        topological_order(gd.node)


def test_static_shapes_match_tensorflow_output_shapes(data_dir):
    # The .meta files carry TensorFlow's own `_output_shapes`; resource reads take the shape of
    # their VarHandleOp (TensorFlow's handle data).
    meta = MetaGraphDef()
    meta.ParseFromString((data_dir / "cnn/ckpt/cnn.meta").read_bytes())
    g = _load_meta_graph(data_dir / "cnn/ckpt/cnn.meta")
    recorded = {n.name: n.attr["_output_shapes"].list.shape for n in meta.graph_def.node}
    for name in ["images", "conv0/Conv2D/ReadVariableOp", "conv0/Conv2D", "conv0/FusedBatchNormV3",
                 "conv1/AvgPool2D", "flatten", "fc/add", "probs"]:
        assert g.get_tensor_by_name(name + ":0").shape == TensorShape(recorded[name][0]), name


def test_control_dependencies_follow_tensorflows_domination_rule_and_sort():
    """An op whose data input was created inside the same block gets no control inputs from
    it (it already waits for them); control inputs are serialised sorted by name, as TF does."""
    from ortflow.api import tf_v1 as tf

    with Graph().as_default() as g:
        a = tf.constant(1.0, name="a")
        z = tf.constant(0.0, name="z")
        with tf.control_dependencies([z, a]):
            b = tf.identity(a, name="b")
            c = tf.add(b, 1.0, name="c")
            d = tf.constant(2.0, name="d")
            with tf.control_dependencies(None):
                e = tf.constant(3.0, name="e")
    assert list(b.op.node_def.input) == ["a", "^z"]  # a is a data input: not repeated
    assert list(c.op.node_def.input) == ["b", "c/y"]  # b was made inside the block
    assert list(d.op.node_def.input) == ["^a", "^z"]
    assert list(e.op.node_def.input) == []
    assert list(g.as_graph_def().node[-2].input) == ["^a", "^z"]


def test_read_value_and_resource_updates_are_named_as_tensorflow_names_them():
    from ortflow.api import tf_v1 as tf

    with Graph().as_default() as g:
        v = tf.get_variable("v", [2], use_resource=True, initializer=tf.zeros_initializer())
        tf.assign_add(v, [1.0, 2.0])
        v.read_value()
        r = tf.get_variable("r", [2], initializer=tf.zeros_initializer())
        r.read_value()
    names = [(n.name, n.op) for n in g.as_graph_def().node]
    assert ("Const", "Const") in names and ("AssignAddVariableOp", "AssignAddVariableOp") in names
    assert ("Read/ReadVariableOp", "ReadVariableOp") in names and ("Identity", "Identity") in names
    # the reference variable's read_value, in the caller's scope; "read_1" as in TF, whose
    # names are unique ignoring case and "Read/" is taken
    assert ("read_1", "Identity") in names
