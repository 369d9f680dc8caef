"""Freezing: ortflow's session-free freeze against the frozen graphs TensorFlow wrote."""

from __future__ import annotations

import numpy as np
import pytest
from ortflow.errors import GraphError, NotFoundError
from ortflow.formats.tensors import make_ndarray
from ortflow.graph import graph_util
from ortflow.graph.freeze import (
    CheckpointKey,
    convert_variables_to_constants,
    freeze,
    freeze_graph,
    variable_checkpoint_keys,
)
from ortflow.proto import FunctionDef, GraphDef, MetaGraphDef

pytestmark = pytest.mark.filterwarnings("ignore::Warning")  # the fixtures' state files name the TF machine's paths


def _graph_def(path) -> GraphDef:
    g = GraphDef()
    g.ParseFromString(path.read_bytes())
    return g


def _meta(path) -> MetaGraphDef:
    m = MetaGraphDef()
    m.ParseFromString(path.read_bytes())
    return m


def _strip_export_shapes(func: FunctionDef) -> FunctionDef:
    # export_meta_graph adds `_output_shapes` to function nodes and `_input_shapes` to the
    # function; the fixture's frozen.pb was frozen in the writing process, before export.
    out = FunctionDef()
    out.CopyFrom(func)
    for node in out.node_def:
        if "_output_shapes" in node.attr:
            del node.attr["_output_shapes"]
    if "_input_shapes" in out.attr:
        del out.attr["_input_shapes"]
    return out


def assert_same_frozen(ours: GraphDef, theirs: GraphDef) -> None:
    assert [n.name for n in ours.node] == [n.name for n in theirs.node]
    for a, b in zip(ours.node, theirs.node):
        assert (a.op, list(a.input), a.device) == (b.op, list(b.input), b.device), a.name
        assert sorted(a.attr) == sorted(b.attr), a.name
        for key in a.attr:
            if key == "value":
                va, vb = make_ndarray(a.attr[key].tensor), make_ndarray(b.attr[key].tensor)
                assert va.dtype == vb.dtype and va.shape == vb.shape, a.name
                np.testing.assert_array_equal(va, vb, err_msg=a.name)
            else:
                assert a.attr[key] == b.attr[key], (a.name, key)
        assert a == b, a.name  # and the protos are equal as a whole (value encoding included)


@pytest.mark.parametrize("meta,checkpoint,outputs,frozen", [
    ("mlp/ckpt/model.ckpt-30.meta", "mlp/ckpt", ["output"], "mlp/frozen.pb"),
    ("cnn/ckpt/cnn.meta", "cnn/ckpt/cnn", ["probs"], "cnn/frozen.pb"),
])
def test_freeze_matches_tensorflow_frozen_graph(data_dir, meta, checkpoint, outputs, frozen):
    ours = freeze(data_dir / meta, data_dir / checkpoint, outputs)
    theirs = _graph_def(data_dir / frozen)
    assert_same_frozen(ours, theirs)
    assert ours.versions == theirs.versions
    assert [_strip_export_shapes(f) for f in ours.library.function] == list(theirs.library.function)


def test_freeze_accepts_messages_graph_defs_and_comma_lists(data_dir):
    meta = _meta(data_dir / "mlp/ckpt/model.ckpt-30.meta")
    theirs = _graph_def(data_dir / "mlp/frozen.pb")
    assert_same_frozen(freeze(meta, data_dir / "mlp/ckpt/model.ckpt-30", "output"), theirs)
    # A bare GraphDef (no SaverDef): variables are found under their op names.
    assert_same_frozen(freeze(data_dir / "mlp/graph.pb", data_dir / "mlp/ckpt", ["output"]), theirs)


def test_freeze_report(data_dir):
    result = freeze_graph(data_dir / "cnn/ckpt/cnn.meta", data_dir / "cnn/ckpt", ["probs"])
    assert len(result.variables) == 14 and "fc/weights" in result.variables
    assert result.constant_bytes == sum(
        make_ndarray(n.attr["value"].tensor).nbytes for n in result.graph_def.node if n.name in result.variables)
    assert "save/RestoreV2" in result.pruned and "probs" not in result.pruned


def test_partitioned_resource_variables_and_resource_gather(data_dir):
    result = freeze_graph(data_dir / "ckpt_sharded/ckpt/sharded.meta", data_dir / "ckpt_sharded/ckpt/sharded",
                          ["looked_up"])
    values = np.load(data_dir / "ckpt_sharded/values.npz")
    nodes = {n.name: n for n in result.graph_def.node}
    parts = [make_ndarray(nodes[f"embedding/part_{i}"].attr["value"].tensor) for i in range(3)]
    np.testing.assert_array_equal(np.concatenate(parts), values["embedding"])
    gather = nodes["embedding_lookup/Gather_1"]
    assert gather.op == "GatherV2"
    assert list(gather.input) == ["embedding/part_1", "embedding_lookup/DynamicPartition:1",
                                  "embedding_lookup/Gather_1/axis"]
    assert make_ndarray(nodes["embedding_lookup/Gather_1/axis"].attr["value"].tensor) == 0
    assert result.graph_def.node[-1].name == "embedding_lookup/Gather_2/axis"  # appended, as TensorFlow


def test_checkpoint_keys_from_restore_ops(data_dir):
    meta = _meta(data_dir / "ckpt_sharded/ckpt/sharded.meta")
    keys = variable_checkpoint_keys(meta.graph_def, meta.collection_def)
    assert keys["embedding/part_1"] == CheckpointKey("embedding", "10 6 4,3:0,6")
    assert keys["dense_b"] == CheckpointKey("dense_b", "")


def test_freeze_errors(data_dir, tmp_path):
    with pytest.raises(GraphError, match="nope"):
        freeze(data_dir / "mlp/ckpt/model.ckpt-30.meta", data_dir / "mlp/ckpt", ["nope"])
    with pytest.raises(NotFoundError):
        freeze(data_dir / "mlp/ckpt/model.ckpt-30.meta", tmp_path / "missing", ["output"])
    with pytest.raises(GraphError, match="layer0/weights.*not in checkpoint"):
        freeze(data_dir / "mlp/ckpt/model.ckpt-30.meta", data_dir / "cnn/ckpt/cnn", ["output"])


class DictVariableStore:
    """Stand-in for a Session's variable state (the runtime's `Session` exposes the same two
    methods); it lets the session-side freezing path be tested before the runtime exists."""

    def __init__(self, values):
        self.values = dict(values)
        self.asked = []

    def variable_values(self, names):
        self.asked.append(list(names))
        return {n: self.values[n] for n in names}

    def assign_variables(self, values):
        self.values.update(values)


def test_convert_variables_to_constants_with_session_values(data_dir):
    meta = _meta(data_dir / "mlp/ckpt/model.ckpt-30.meta")
    variables = dict(np.load(data_dir / "mlp/variables.npz"))
    store = DictVariableStore(variables)
    from ortflow.graph.freeze import _as_imported
    graph_def = _as_imported(meta.graph_def, meta)
    ours = convert_variables_to_constants(store, graph_def, ["output"])
    assert store.asked == [["layer0/weights", "layer0/biases", "layer1/weights", "layer1/biases",
                            "logits/weights", "logits/biases"]]
    assert_same_frozen(ours, _graph_def(data_dir / "mlp/frozen.pb"))
    partial = convert_variables_to_constants(store, graph_def, ["output"],
                                             variable_names_blacklist=["layer0/weights"])
    ops = {n.name: n.op for n in partial.node}
    assert ops["layer0/weights"] == "VariableV2" and ops["layer0/biases"] == "Const"
    only = convert_variables_to_constants(store, graph_def, ["output"], variable_names_whitelist=["logits/biases"])
    assert [n.name for n in only.node if n.op == "Const" and "/" in n.name and "biases" in n.name] == ["logits/biases"]


def test_resource_handles_through_switch_are_retyped():
    # A v1 tf.cond reading a resource variable: VarHandleOp -> Switch -> ReadVariableOp.
    gd = GraphDef()
    var = gd.node.add(name="v", op="VarHandleOp")
    var.attr["dtype"].type = 1
    var.attr["shape"].shape.dim.add().size = 2
    gd.node.add(name="p", op="Placeholder").attr["dtype"].type = 10
    sw = gd.node.add(name="cond/Switch", op="Switch", input=["v", "p"])
    sw.attr["T"].type = 20
    sw.attr["_output_shapes"].list.shape.add()
    rd = gd.node.add(name="cond/read", op="ReadVariableOp", input=["cond/Switch:1"])
    rd.attr["dtype"].type = 1
    rd.attr["_class"].list.s.append(b"loc:@v")
    rd.device = "/device:CPU:0"
    gd.node.add(name="out", op="Identity", input=["cond/read"]).attr["T"].type = 1
    out = convert_variables_to_constants(DictVariableStore({"v": np.array([1, 2], np.float32)}), gd, ["out"])
    nodes = {n.name: n for n in out.node}
    assert nodes["v"].op == "Const" and set(nodes["v"].attr) == {"dtype", "value"}
    assert nodes["cond/Switch"].attr["T"].type == 1 and "_output_shapes" not in nodes["cond/Switch"].attr
    read = nodes["cond/read"]
    assert (read.op, list(read.input), read.device) == ("Identity", ["cond/Switch:1"], "")
    assert read.attr["T"].type == 1 and list(read.attr["_class"].list.s) == [b"loc:@v"]


def test_extract_sub_graph_and_remove_training_nodes(data_dir):
    gd = _graph_def(data_dir / "mlp/frozen.pb")
    sub = graph_util.extract_sub_graph(gd, ["layer0/Relu"])
    assert [n.name for n in sub.node] == [n.name for n in gd.node][:8]
    with pytest.raises(TypeError):
        graph_util.extract_sub_graph(gd, "output")
    with pytest.raises(GraphError):
        graph_util.extract_sub_graph(gd, ["nope"])
    stripped = graph_util.remove_training_nodes(gd)
    names = {n.name for n in stripped.node}
    assert "layer0/weights/read" not in names
    mm = next(n for n in stripped.node if n.name == "layer0/MatMul")
    assert list(mm.input) == ["input", "layer0/weights"]
    kept = graph_util.remove_training_nodes(gd, protected_nodes=["layer0/weights/read"])
    assert "layer0/weights/read" in {n.name for n in kept.node}


def test_likely_outputs(data_dir):
    assert graph_util.likely_outputs(_meta(data_dir / "mlp/ckpt/model.ckpt-30.meta").graph_def) == ["output"]
    assert graph_util.likely_outputs(_meta(data_dir / "cnn/ckpt/cnn.meta").graph_def) == ["probs"]


def test_tensor_shape_from_node_def_name_and_must_run_on_cpu(data_dir):
    from ortflow.graph import Graph
    from ortflow.graph.importer import import_graph_def
    gd = _graph_def(data_dir / "mlp/frozen.pb")
    g = Graph()
    with g.as_default():
        import_graph_def(gd, name="")
    assert graph_util.tensor_shape_from_node_def_name(g, "layer0/MatMul").as_list() == [None, 32]
    assert graph_util.tensor_shape_from_node_def_name(g, "output:0").as_list() == [None, 5]
    variable = _meta(data_dir / "mlp/ckpt/model.ckpt-30.meta").graph_def.node
    var = next(n for n in variable if n.op == "VariableV2")
    assert graph_util.must_run_on_cpu(var, pin_variables_on_cpu=True)
    assert not graph_util.must_run_on_cpu(var)
    assert not graph_util.must_run_on_cpu(next(n for n in gd.node if n.op == "MatMul"))


def _without_frozen_numbers(text: str) -> str:
    import re
    return re.sub(r"_frozen_\d+", "_frozen_N", text)


def _strip_meta_export_additions(func: FunctionDef) -> FunctionDef:
    # What export_meta_graph adds to library functions and an in-process freeze never sees:
    # `_output_shapes` on body nodes, `_input_shapes`/`_output_shapes` function attrs and the
    # arguments' and results' `handle_data`.
    out = _strip_export_shapes(func)
    for key in ("_output_shapes",):
        if key in out.attr:
            del out.attr[key]
    for arg in list(out.signature.input_arg) + list(out.signature.output_arg):
        del arg.handle_data[:]
    return out


def test_resource_variables_read_inside_if_and_while_functions(data_dir):
    # tests/data/cond_v2_resource/make.py: resource variables read in v2 tf.cond and tf.while_loop
    # bodies; frozen_tf.pb is TensorFlow's convert_variables_to_constants in the writing process.
    d = data_dir / "cond_v2_resource"
    ours = freeze(d / "model.meta", d / "model", ["out"])
    theirs = _graph_def(d / "frozen_tf.pb")
    assert [n.name for n in ours.node] == [n.name for n in theirs.node]
    for a, b in zip(ours.node, theirs.node):
        assert _without_frozen_numbers(str(a)) == _without_frozen_numbers(str(b)), a.name
    ours_funcs = {_without_frozen_numbers(f.signature.name): f for f in ours.library.function}
    their_funcs = {_without_frozen_numbers(f.signature.name): f for f in theirs.library.function}
    assert sorted(ours_funcs) == sorted(their_funcs) == [
        "cond_false_frozen_N", "cond_true_frozen_N", "loop_body_frozen_N", "loop_cond_frozen_N"]
    for name, func in their_funcs.items():
        assert _without_frozen_numbers(str(_strip_meta_export_additions(ours_funcs[name]))) == \
            _without_frozen_numbers(str(func)), name
    body = ours_funcs["cond_true_frozen_N"]
    assert [a.type for a in body.signature.input_arg][-2:] == [1, 1]  # resource -> float
    assert not any(n.op == "ReadVariableOp" for f in ours.library.function for n in f.node_def)


def test_resource_reads_through_v1_switch_and_enter_match_tensorflow(data_dir):
    # tests/data/cond_v1_resource/make.py: v1 tf.cond (Switch on the handle) and tf.while_loop
    # (Enter of the handle). Every node equals TensorFlow's; the order differs in one place: the
    # .meta lists `loop/Read/ReadVariableOp` before its input `.../Enter` (TensorFlow rewired it
    # after creation), and importing puts the input first, as TensorFlow's own import does
    # (the interop tier checks the full order against TensorFlow freezing the same .meta).
    d = data_dir / "cond_v1_resource"
    ours = freeze(d / "model.meta", d / "model", ["out"])
    theirs = _graph_def(d / "frozen_tf.pb")
    ours_by_name = {n.name: n for n in ours.node}
    assert sorted(ours_by_name) == sorted(n.name for n in theirs.node)
    for node in theirs.node:
        assert ours_by_name[node.name] == node, node.name
    switch = ours_by_name["cond/MatMul/ReadVariableOp/Switch"]
    assert switch.attr["T"].type == 1 and list(switch.input) == ["w", "cond/pred_id"]
    assert ours_by_name["loop/Read/ReadVariableOp/Enter"].attr["T"].type == 1
    assert ours_by_name["loop/Read/ReadVariableOp"].op == "Identity"
