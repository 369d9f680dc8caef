"""import/export of MetaGraphDefs, Variables, Saver and SavedModel loading."""

from __future__ import annotations

import os

import numpy as np
import pytest
from ortflow.errors import GraphError, NotFoundError
from ortflow.formats import dtypes
from ortflow.formats.bundle import BundleReader
from ortflow.graph import Graph, GraphKeys, saved_model
from ortflow.graph.meta_graph import export_meta_graph, import_meta_graph
from ortflow.graph.saver import Saver
from ortflow.graph.variables import Variable
from ortflow.proto import MetaGraphDef

pytestmark = pytest.mark.filterwarnings("ignore::Warning")  # fixture state files name TF's paths


class DictVariableStore:
    """Stand-in for a Session's variable state: the runtime's `Session` exposes the same two
    methods (`variable_values`, `assign_variables`); only the session-side plumbing of Saver and
    SavedModel loading is exercised with it."""

    def __init__(self, graph, values=None):
        self.graph = graph
        self.values = dict(values or {})

    def variable_values(self, names):
        return {n: self.values[n] for n in names}

    def assign_variables(self, values):
        self.values.update({k: np.array(v) for k, v in values.items()})

    def run(self, fetches, feed_dict=None):
        raise AssertionError("the Saver must not need Session.run for plain saves")


def test_import_meta_graph_restores_collections_and_saver(data_dir):
    g = Graph()
    with g.as_default():
        saver = import_meta_graph(str(data_dir / "mlp/ckpt/model.ckpt-30.meta"))
    assert saver.saver_def.restore_op_name == "save/restore_all" and saver.saver_def.max_to_keep == 2
    variables = g.get_collection(GraphKeys.GLOBAL_VARIABLES)
    names = [v.name for v in variables]
    assert names[:2] == ["layer0/weights:0", "layer0/biases:0"] and "global_step:0" in names
    w = variables[0]
    assert w.op.type == "VariableV2" and w.dtype == dtypes.float32._as_ref and w.shape.as_list() == [20, 32]
    assert w.initializer.name == "layer0/weights/Assign" and w.value().name == "layer0/weights/read:0"
    assert w.initial_value.name == "layer0/weights/Initializer/random_normal:0"
    assert g.get_collection(GraphKeys.TRAINABLE_VARIABLES)[0] is w  # one object per variable
    assert g.get_collection("prediction")[0].name == "output:0"
    assert g.get_collection(GraphKeys.TRAIN_OP)[0].name == "train_op"
    assert g.get_collection(GraphKeys.GLOBAL_STEP)[0].name == "global_step:0"


def test_import_meta_graph_with_scope_and_clear_devices(data_dir):
    g = Graph()
    with g.as_default():
        import_meta_graph(str(data_dir / "ckpt_sharded/ckpt/sharded.meta"), import_scope="m", clear_devices=True)
    part = g.get_collection("variables", scope="m/embedding")[0]
    assert part.name == "m/embedding/part_0:0" and part.is_resource
    assert part.save_slice_info.full_name == "m/embedding" and part.save_slice_info.spec == "10 6 0,4:0,6"
    assert all(op.device == "" for op in g.get_operations())


def test_restore_from_tensorflow_checkpoint_through_saver_def(data_dir):
    g = Graph()
    with g.as_default():
        saver = import_meta_graph(str(data_dir / "ckpt_sharded/ckpt/sharded.meta"))
    store = DictVariableStore(g)
    saver.restore(store, str(data_dir / "ckpt_sharded/ckpt/sharded"))
    expected = np.load(data_dir / "ckpt_sharded/values.npz")
    np.testing.assert_array_equal(np.concatenate([store.values[f"embedding/part_{i}"] for i in range(3)]),
                                  expected["embedding"])
    np.testing.assert_array_equal(store.values["dense_a"], expected["dense_a"])
    with pytest.raises(ValueError, match="not a valid checkpoint"):
        saver.restore(store, str(data_dir / "nope"))


def _build_graph():
    g = Graph()
    with g.as_default():
        Variable._build_ref(np.ones((3, 2), np.float32), name="w")
        Variable._build_resource(lambda: np.zeros((2,), np.float32), name="r", dtype=dtypes.float32)
        with g.name_scope("frozen"):
            Variable._build_ref(np.float32(1.5), name="c", trainable=False)
    return g


def test_built_variables_have_tensorflow_op_names_and_protos():
    g = _build_graph()
    names = [(op.name, op.type) for op in g.get_operations()]
    assert names[:4] == [("w/initial_value", "Const"), ("w", "VariableV2"), ("w/Assign", "Assign"),
                         ("w/read", "Identity")]
    assert ("r/Initializer/initial_value", "Const") in names and ("r/Read/ReadVariableOp", "ReadVariableOp") in names
    r = g.get_collection(GraphKeys.GLOBAL_VARIABLES)[1]
    proto = r.to_proto()
    assert (proto.variable_name, proto.initializer_name, proto.snapshot_name, proto.is_resource) == (
        "r:0", "r/Assign", "r/Read/ReadVariableOp:0", True)
    again = Variable.from_proto(proto, graph=g)
    assert again.op is r.op and again._as_graph_element() is r.snapshot
    assert [v.op.name for v in g.get_collection(GraphKeys.TRAINABLE_VARIABLES)] == ["w", "r"]
    assert g.get_operation_by_name("w/Assign").get_attr("_class") == [b"loc:@w"]


def test_saver_save_restore_retention_and_meta(tmp_path):
    g = _build_graph()
    with g.as_default():
        saver = Saver(max_to_keep=2)
    assert saver.saver_def.filename_tensor_name == "save/Const:0"
    assert g.get_operation_by_name("save/RestoreV2").device == "/device:CPU:0"
    store = DictVariableStore(g, {"w": np.arange(6, dtype=np.float32).reshape(3, 2),
                                  "r": np.array([5, 6], np.float32), "frozen/c": np.float32(2.5)})
    prefixes = [saver.save(store, str(tmp_path / "model.ckpt"), global_step=step) for step in (1, 2, 3)]
    assert prefixes[-1] == str(tmp_path / "model.ckpt-3")
    assert saver.last_checkpoints == prefixes[1:]
    assert not os.path.exists(prefixes[0] + ".index") and os.path.exists(prefixes[2] + ".meta")
    with BundleReader(prefixes[2]) as reader:
        assert reader.tensor_names() == ["frozen/c", "r", "w"]
    h = Graph()
    with h.as_default():
        restored = import_meta_graph(prefixes[2] + ".meta")
    target = DictVariableStore(h)
    restored.restore(target, prefixes[2])
    assert sorted(target.values) == ["frozen/c", "r", "w"]
    np.testing.assert_array_equal(target.values["w"], store.values["w"])
    with pytest.raises(ValueError, match="doesn't exist"):
        saver.save(store, str(tmp_path / "no/such/dir/model"))


def test_saver_var_list_dict_and_empty(tmp_path):
    g = _build_graph()
    with g.as_default():
        w = g.get_collection(GraphKeys.GLOBAL_VARIABLES)[0]
        saver = Saver({"renamed": w}, name="custom")
        assert saver.saver_def.restore_op_name == "custom/restore_all"
        with pytest.raises(ValueError, match="No variables"):
            Saver([])
        assert Saver([], allow_empty=True).saver_def is None
    store = DictVariableStore(g, {"w": np.ones((3, 2), np.float32)})
    prefix = saver.save(store, str(tmp_path / "m"), write_meta_graph=False, write_state=False)
    with BundleReader(prefix) as reader:
        assert reader.tensor_names() == ["renamed"]
    assert not os.path.exists(tmp_path / "checkpoint")


def test_export_meta_graph_encodings(tmp_path):
    g = _build_graph()
    with g.as_default():
        g.add_to_collection("numbers", 3)
        g.add_to_collection("ratios", 0.5)
        g.add_to_collection("names", b"abc")
        g.add_to_collection("outputs", g.get_tensor_by_name("w/read:0"))
        g.add_to_collection("python_objects", object())
        meta = export_meta_graph(str(tmp_path / "m.meta"), graph=g)
    assert list(meta.collection_def["numbers"].int64_list.value) == [3]
    assert list(meta.collection_def["ratios"].float_list.value) == [0.5]
    assert list(meta.collection_def["names"].bytes_list.value) == [b"abc"]
    assert list(meta.collection_def["outputs"].node_list.value) == ["w/read:0"]
    assert "python_objects" not in meta.collection_def
    assert meta.meta_info_def.tensorflow_version
    ops = [op.name for op in meta.meta_info_def.stripped_op_list.op]
    assert ops == sorted({op.type for op in g.get_operations()})
    on_disk = MetaGraphDef()
    on_disk.ParseFromString((tmp_path / "m.meta").read_bytes())
    assert on_disk == meta


def test_saved_model_load_and_signatures(data_dir):
    export_dir = data_dir / "saved_model/saved_model"
    g = Graph()
    store = DictVariableStore(g)
    with g.as_default():
        meta = saved_model.load(store, [saved_model.tag_constants.SERVING], str(export_dir))
    assert list(meta.meta_info_def.tags) == ["serve"]
    assert store.values["w"].shape == (3, 2)
    sigs = saved_model.signatures(meta)
    default = sigs[saved_model.signature_constants.DEFAULT_SERVING_SIGNATURE_DEF_KEY]
    (x,), (y,) = default["inputs"], default["outputs"]
    assert (x.key, x.name, x.dtype, x.shape.as_list()) == ("x", "x:0", dtypes.float32, [None, 3])
    assert (y.key, y.name, y.shape.as_list()) == ("y", "y:0", [None, 2])
    with pytest.raises(GraphError, match=r"Available tag sets: \[\['serve'\]\]"):
        with Graph().as_default():
            saved_model.load(None, ["train"], str(export_dir))
    with pytest.raises(NotFoundError):
        saved_model.load(None, ["serve"], str(data_dir))


def test_import_scope_prefixes_the_saver_def_and_restore_still_maps(data_dir):
    g = Graph()
    with g.as_default():
        import_meta_graph(str(data_dir / "mlp/ckpt/model.ckpt-30.meta"))
        saver = import_meta_graph(str(data_dir / "mlp/ckpt/model.ckpt-30.meta"), import_scope="copy")
    assert saver.saver_def.restore_op_name == "copy/save/restore_all"
    assert saver.saver_def.filename_tensor_name == "copy/save/Const:0"
    store = DictVariableStore(g)
    saver.restore(store, str(data_dir / "mlp/ckpt/model.ckpt-30"))
    assert "copy/layer0/weights" in store.values and "layer0/weights" not in store.values
    expected = np.load(data_dir / "mlp/variables.npz")
    np.testing.assert_array_equal(store.values["copy/layer0/weights"], expected["layer0/weights"])


@pytest.mark.parametrize("meta_path", ["mlp/ckpt/model.ckpt-30.meta", "cnn/ckpt/cnn.meta",
                                       "ckpt_sharded/ckpt/sharded.meta"])
def test_meta_graph_round_trip_keeps_collections_saver_and_op_list(data_dir, meta_path):
    original = MetaGraphDef()
    original.ParseFromString((data_dir / meta_path).read_bytes())
    g = Graph()
    with g.as_default():
        saver = import_meta_graph(str(data_dir / meta_path))
        out = export_meta_graph(graph=g, saver_def=saver.saver_def)
    assert dict(out.collection_def) == dict(original.collection_def)
    assert out.saver_def == original.saver_def
    assert [op.name for op in out.meta_info_def.stripped_op_list.op] == \
        [op.name for op in original.meta_info_def.stripped_op_list.op]
    assert [n.name for n in out.graph_def.node] == [n.name for n in original.graph_def.node]
