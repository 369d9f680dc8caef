"""The op registry against TensorFlow itself: output counts, dtypes and attr defaults per node."""

from __future__ import annotations

import pathlib

import pytest

from ortflow.graph import ops
from ortflow.proto import GraphDef, MetaGraphDef, SavedModel

DATA = pathlib.Path(__file__).resolve().parent.parent / "data"


def _graph_files() -> list[pathlib.Path]:
    files = sorted(DATA.glob("*/frozen.pb")) + sorted(DATA.glob("ops/*/frozen.pb"))
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
