"""The op registry against TensorFlow itself: output counts, dtypes and attr defaults per node."""

from __future__ import annotations

import pathlib

import pytest
from ortflow.graph import ops
from ortflow.proto import GraphDef, MetaGraphDef, SavedModel

DATA = pathlib.Path(__file__).resolve().parent.parent / "data"


def _graph_files() -> list[pathlib.Path]:
    files = sorted(DATA.glob("*/frozen.pb")) + sorted(DATA.glob("ops/*/frozen.pb"))
    files += sorted(DATA.glob("control_flow/*/frozen.pb")) + sorted(DATA.glob("*/frozen_tf.pb"))
    files += sorted(DATA.glob("*/graph.pb")) + sorted(DATA.glob("**/*.meta"))
    files += sorted(DATA.glob("**/saved_model.pb"))
    return files


def _our_graph_defs(path: pathlib.Path) -> list[GraphDef]:
    data = path.read_bytes()
    if path.suffix == ".meta":
        return [MetaGraphDef.FromString(data).graph_def]
    if path.name == "saved_model.pb":
        return [m.graph_def for m in SavedModel.FromString(data).meta_graphs]
    return [GraphDef.FromString(data)]


def _tf_graphs(tf, graph_defs: list[GraphDef]):
    for gd in graph_defs:
        graph = tf.Graph()
        with graph.as_default():
            tf.import_graph_def(tf.GraphDef.FromString(gd.SerializeToString()), name="")
        yield gd, graph


GRAPH_FILES = _graph_files()


@pytest.mark.interop
@pytest.mark.parametrize("path", GRAPH_FILES, ids=[str(p.relative_to(DATA)) for p in GRAPH_FILES])
def test_outputs_and_defaults_match_tensorflow(tf, path):
    for gd, graph in _tf_graphs(tf, _our_graph_defs(path)):
        for node in gd.node:
            op = graph.get_operation_by_name(node.name)
            assert ops.num_outputs(node) == len(op.outputs), node.name
            assert [d.name for d in ops.output_dtypes(node)] == [t.dtype.name for t in op.outputs], node.name
            assert ops.is_stateful(node.op) == op.op_def.is_stateful, node.op
            layout = ops.input_arg_layout(node)
            assert sum(n for _, n in layout) == len(op.inputs), node.name
            filled = type(node)()
            filled.CopyFrom(node)
            ops.fill_defaults(filled)
            # TensorFlow's importer drops the `_output_shapes` annotation; it is no default.
            if "_output_shapes" in filled.attr and "_output_shapes" not in op.node_def.attr:
                del filled.attr["_output_shapes"]
            assert sorted(filled.attr) == sorted(op.node_def.attr), node.name
            for key in filled.attr:
                assert filled.attr[key].SerializeToString(deterministic=True) == \
                    op.node_def.attr[key].SerializeToString(deterministic=True), (node.name, key)


@pytest.mark.interop
def test_op_defs_equal_tensorflow_registry_facts(tf):
    from tensorflow.python.framework import op_def_registry

    names = ["Conv2D", "ConcatV2", "IdentityN", "VariableV2", "Switch", "FusedBatchNormV3",
             "ApplyAdam", "SaveV2", "RestoreV2", "TensorListReserve", "Einsum", "StridedSlice"]
    for name in names:
        theirs = op_def_registry.get(name)
        ours = ops.get_op_def(name)
        assert [a.name for a in ours.input_arg] == [a.name for a in theirs.input_arg]
        assert [a.name for a in ours.output_arg] == [a.name for a in theirs.output_arg]
        assert [(a.name, a.type, a.default_value.SerializeToString(deterministic=True))
                for a in ours.attr] == [(a.name, a.type, a.default_value.SerializeToString(
                    deterministic=True)) for a in theirs.attr]
        assert ours.is_stateful == theirs.is_stateful


@pytest.mark.interop
def test_generated_file_is_up_to_date(tf):
    import subprocess
    import sys

    tool = pathlib.Path(__file__).resolve().parents[2] / "tools" / "gen_op_defs.py"
    proc = subprocess.run([sys.executable, str(tool), "--check"], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr


# Tensors whose static shape TensorFlow knows better than ortflow, each with the reason.
# Empty: on every fixture graph ortflow knows every dim TensorFlow knows.
KNOWN_SHAPE_GAPS: dict[tuple[str, str], str] = {}


def _tf_shape(tensor):
    return None if tensor.shape.rank is None else tuple(tensor.shape.as_list())


@pytest.mark.interop
@pytest.mark.parametrize("path", GRAPH_FILES, ids=[str(p.relative_to(DATA)) for p in GRAPH_FILES])
def test_infer_graph_def_matches_tensorflow_static_shapes(tf, path):
    for gd, graph in _tf_graphs(tf, _our_graph_defs(path)):
        metas = ops.infer_graph_def(gd)
        for op in graph.get_operations():
            for i, out in enumerate(op.outputs):
                key = f"{op.name}:{i}"
                meta = metas[key]
                assert meta.dtype is not None and meta.dtype.name == out.dtype.name, key
                theirs, ours = _tf_shape(out), meta.shape
                if theirs is None:
                    continue
                reason = KNOWN_SHAPE_GAPS.get((path.parent.name, key))
                assert ours is not None and len(ours) == len(theirs), (key, op.type, ours, theirs, reason)
                for a, b in zip(ours, theirs):
                    assert b is None or a == b or (a is None and reason), (key, op.type, ours, theirs)


FROZEN = sorted(DATA.glob("*/frozen.pb")) + sorted(DATA.glob("ops/*/frozen.pb"))
FROZEN += sorted(DATA.glob("control_flow/*/frozen.pb")) + sorted(DATA.glob("*/frozen_tf.pb"))


@pytest.mark.interop
@pytest.mark.parametrize("path", FROZEN, ids=[str(p.relative_to(DATA)) for p in FROZEN])
def test_folded_values_match_tensorflow(tf, path):
    """Every value infer_graph_def folds equals what TensorFlow computes for that tensor."""
    import numpy as np

    gd = GraphDef.FromString(path.read_bytes())
    metas = ops.infer_graph_def(gd)
    (_, graph), = _tf_graphs(tf, [gd])
    feeds = {}
    for op in graph.get_operations():
        if op.type == "Placeholder":
            shape = _tf_shape(op.outputs[0])
            if shape is None:
                continue
            # Folded values never depend on the unknown dims, so any size fits them.
            shape = [1 if d is None else d for d in shape]
            feeds[op.outputs[0]] = np.zeros(shape, op.outputs[0].dtype.as_numpy_dtype)
    fetch = {k: graph.get_tensor_by_name(k) for k, m in metas.items()
             if m.value is not None and m.value.size <= 4096
             and graph.get_operation_by_name(k.rpartition(":")[0]).type != "Const"}
    if not fetch:
        return
    with tf.Session(graph=graph) as sess:
        got = sess.run(fetch, feeds)
    for key, theirs in got.items():
        ours = metas[key].value
        assert ours.dtype == np.asarray(theirs).dtype, key
        if ours.dtype.kind in "fc":
            # Eigen's vectorised float kernels (rsqrt, exp...) may differ from numpy's by an ulp.
            np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=0, err_msg=key)
        else:
            np.testing.assert_array_equal(ours, theirs, err_msg=key)
