"""`ortflow.saved_model`: reading and writing TF 1.x builder-format SavedModels, as `tf.compat.v1.saved_model`.

Writing follows TensorFlow's `SavedModelBuilder`: the export directory gets `saved_model.pb`
(or `saved_model.pbtxt`), `variables/variables.index` + `variables.data-00000-of-00001`
written by a sharded V2 Saver named like TensorFlow's, and `assets/` with copies of the asset
files; each file is written through a temporary name and renamed. TensorFlow's own loader
reads the result (`tests/api/test_saved_model_builder.py` checks it).

Loading (`loader.load`) restores the variables and then, as TensorFlow's loader, runs the
meta graph's main op (or legacy init op) with the asset tensors fed the copied files' paths.
"""

from __future__ import annotations

import os
import types
from collections.abc import Iterable, Mapping

from ortflow.graph.saved_model import load as _load_graph_and_variables
from ortflow.graph.saved_model import signature_constants as _graph_signature_constants
from ortflow.graph.saved_model import signatures, variables_prefix
from ortflow.graph.saved_model import tag_constants as _graph_tag_constants

__all__ = [
    "ASSETS_DIRECTORY",
    "ASSETS_KEY",
    "CLASSIFY_INPUTS",
    "CLASSIFY_METHOD_NAME",
    "CLASSIFY_OUTPUT_CLASSES",
    "CLASSIFY_OUTPUT_SCORES",
    "DEFAULT_SERVING_SIGNATURE_DEF_KEY",
    "GPU",
    "LEGACY_INIT_OP_KEY",
    "MAIN_OP_KEY",
    "PREDICT_INPUTS",
    "PREDICT_METHOD_NAME",
    "PREDICT_OUTPUTS",
    "REGRESS_INPUTS",
    "REGRESS_METHOD_NAME",
    "REGRESS_OUTPUTS",
    "SAVED_MODEL_FILENAME_PB",
    "SAVED_MODEL_FILENAME_PBTXT",
    "SAVED_MODEL_SCHEMA_VERSION",
    "SERVING",
    "TPU",
    "TRAINING",
    "VARIABLES_DIRECTORY",
    "VARIABLES_FILENAME",
    "Builder",
    "SavedModelBuilder",
    "build_signature_def",
    "build_tensor_info",
    "builder",
    "classification_signature_def",
    "constants",
    "contains_saved_model",
    "get_tensor_from_tensor_info",
    "is_valid_signature",
    "load",
    "loader",
    "main_op",
    "main_op_with_restore",
    "maybe_saved_model_directory",
    "predict_signature_def",
    "regression_signature_def",
    "signature_constants",
    "signature_def_utils",
    "signatures",
    "simple_save",
    "tag_constants",
    "utils",
]


# -- constants (the values are TensorFlow's, checked against TF 2.21) ---------------------------
class tag_constants(_graph_tag_constants):
    """Standard MetaGraphDef tags (`tf.saved_model.tag_constants`)."""


class signature_constants(_graph_signature_constants):
    """Standard SignatureDef keys and method names (`tf.saved_model.signature_constants`)."""

    CLASSIFY_INPUTS = "inputs"
    CLASSIFY_OUTPUT_CLASSES = "classes"
    CLASSIFY_OUTPUT_SCORES = "scores"
    REGRESS_INPUTS = "inputs"
    REGRESS_OUTPUTS = "outputs"


class constants:
    """File names and collection keys of a SavedModel (`tf.saved_model.constants`)."""

    ASSETS_DIRECTORY = "assets"
    ASSETS_KEY = "saved_model_assets"
    DEBUG_DIRECTORY = "debug"
    DEBUG_INFO_FILENAME_PB = "saved_model_debug_info.pb"
    LEGACY_INIT_OP_KEY = "legacy_init_op"
    MAIN_OP_KEY = "saved_model_main_op"
    SAVED_MODEL_FILENAME_PB = "saved_model.pb"
    SAVED_MODEL_FILENAME_PBTXT = "saved_model.pbtxt"
    SAVED_MODEL_SCHEMA_VERSION = 1
    VARIABLES_DIRECTORY = "variables"
    VARIABLES_FILENAME = "variables"


# `tf.compat.v1.saved_model` also carries every constant at its top level.
SERVING, TRAINING, GPU, TPU = (tag_constants.SERVING, tag_constants.TRAINING, tag_constants.GPU,
                               tag_constants.TPU)
DEFAULT_SERVING_SIGNATURE_DEF_KEY = signature_constants.DEFAULT_SERVING_SIGNATURE_DEF_KEY
PREDICT_METHOD_NAME = signature_constants.PREDICT_METHOD_NAME
CLASSIFY_METHOD_NAME = signature_constants.CLASSIFY_METHOD_NAME
REGRESS_METHOD_NAME = signature_constants.REGRESS_METHOD_NAME
PREDICT_INPUTS = signature_constants.PREDICT_INPUTS
PREDICT_OUTPUTS = signature_constants.PREDICT_OUTPUTS
CLASSIFY_INPUTS = signature_constants.CLASSIFY_INPUTS
CLASSIFY_OUTPUT_CLASSES = signature_constants.CLASSIFY_OUTPUT_CLASSES
CLASSIFY_OUTPUT_SCORES = signature_constants.CLASSIFY_OUTPUT_SCORES
REGRESS_INPUTS = signature_constants.REGRESS_INPUTS
REGRESS_OUTPUTS = signature_constants.REGRESS_OUTPUTS
ASSETS_DIRECTORY = constants.ASSETS_DIRECTORY
ASSETS_KEY = constants.ASSETS_KEY
LEGACY_INIT_OP_KEY = constants.LEGACY_INIT_OP_KEY
MAIN_OP_KEY = constants.MAIN_OP_KEY
SAVED_MODEL_FILENAME_PB = constants.SAVED_MODEL_FILENAME_PB
SAVED_MODEL_FILENAME_PBTXT = constants.SAVED_MODEL_FILENAME_PBTXT
SAVED_MODEL_SCHEMA_VERSION = constants.SAVED_MODEL_SCHEMA_VERSION
VARIABLES_DIRECTORY = constants.VARIABLES_DIRECTORY
VARIABLES_FILENAME = constants.VARIABLES_FILENAME

# Signature keys TensorFlow reserves for its own init and train ops.
_RESERVED_SIGNATURE_KEYS = ("__saved_model_init_op", "__saved_model_train_op")
_ASSET_FILEPATHS = "asset_filepaths"  # GraphKeys.ASSET_FILEPATHS
_ASSET_TYPE_URL = "type.googleapis.com/tensorflow.AssetFileDef"


# -- TensorInfo and SignatureDef -----------------------------------------------------------------
def build_tensor_info(tensor):
    """The TensorInfo (name, dtype, static shape) of a graph tensor (`tf.saved_model.build_tensor_info`).

    Raises:
        TypeError: `tensor` is not a graph tensor (a Variable is taken through its value).
    """
    from ortflow.graph import Tensor
    from ortflow.graph.sparse_tensor import SparseTensor, sparse_tensor_info
    from ortflow.proto import TensorInfo
    if isinstance(tensor, SparseTensor):
        return sparse_tensor_info(tensor)
    if not isinstance(tensor, Tensor) and hasattr(tensor, "_as_graph_element"):
        tensor = tensor._as_graph_element()
    if not isinstance(tensor, Tensor):
        raise TypeError(f"build_tensor_info needs a graph Tensor, got {tensor!r}")
    info = TensorInfo(name=tensor.name, dtype=tensor.dtype.as_datatype_enum)
    info.tensor_shape.CopyFrom(tensor.shape.as_proto())
    return info


def get_tensor_from_tensor_info(tensor_info, graph=None, import_scope=None):
    """The tensor a TensorInfo names, in `graph` (default: the default graph); a SparseTensor for
    a `coo_sparse` TensorInfo.

    Raises:
        NotImplementedError: the TensorInfo describes a composite tensor.
        KeyError: the graph has no such tensor.
    """
    from ortflow.graph import get_default_graph
    graph = graph or get_default_graph()
    encoding = tensor_info.WhichOneof("encoding")
    if encoding == "coo_sparse":
        from ortflow.graph.sparse_tensor import sparse_from_tensor_info

        return sparse_from_tensor_info(tensor_info, graph, import_scope.rstrip("/") if import_scope else None)
    if encoding != "name":
        raise NotImplementedError(f"ortflow reads TensorInfo by name only; this one is encoded as {encoding!r}")
    name = f"{import_scope.rstrip('/')}/{tensor_info.name}" if import_scope else tensor_info.name
    return graph.get_tensor_by_name(name)


def build_signature_def(inputs=None, outputs=None, method_name=None, defaults=None):
    """A SignatureDef from key -> TensorInfo maps (`tf.saved_model.build_signature_def`).

    Raises:
        ValueError: a default is not the output of a Const op.
    """
    from ortflow.proto import SignatureDef
    sig = SignatureDef()
    for key, info in (inputs or {}).items():
        sig.inputs[key].CopyFrom(info)
    for key, info in (outputs or {}).items():
        sig.outputs[key].CopyFrom(info)
    if method_name is not None:
        sig.method_name = method_name
    for key, default in (defaults or {}).items():
        if getattr(getattr(default, "op", None), "type", None) != "Const":
            raise ValueError(f"Unable to convert object {default!r} to TensorProto: signature defaults "
                             "must be constants")
        sig.defaults[key].CopyFrom(default.op.node_def.attr["value"].tensor)
    return sig


def predict_signature_def(inputs: Mapping, outputs: Mapping):
    """A `tensorflow/serving/predict` SignatureDef over key -> tensor maps.

    Raises:
        ValueError: `inputs` or `outputs` is None or empty.
    """
    if not inputs:
        raise ValueError("Prediction `inputs` cannot be None or empty.")
    if not outputs:
        raise ValueError("Prediction `outputs` cannot be None or empty.")
    return build_signature_def({k: build_tensor_info(t) for k, t in inputs.items()},
                               {k: build_tensor_info(t) for k, t in outputs.items()},
                               signature_constants.PREDICT_METHOD_NAME)


def _require_dtype(info, enum: int, what: str) -> None:
    from ortflow.formats import dtypes
    if info.dtype != enum:
        raise ValueError(f"{what} must be of type {dtypes.as_dtype(enum).name}; tensor {info.name!r} "
                         f"has type {dtypes.as_dtype(info.dtype).name}.")


def _examples_info(examples, kind: str):
    from ortflow.formats import dtypes
    from ortflow.graph import Tensor
    if examples is None:
        raise ValueError(f"{kind} `examples` cannot be None.")
    if not isinstance(examples, Tensor):  # ValueError, not TypeError: TensorFlow's choice
        raise ValueError(f"{kind} `examples` must be a string Tensor, got {type(examples).__name__}.")
    info = build_tensor_info(examples)
    _require_dtype(info, dtypes.string.as_datatype_enum, f"{kind} input tensors")
    return info


def classification_signature_def(examples, classes, scores):
    """A `tensorflow/serving/classify` SignatureDef: string examples -> string classes / float scores.

    Raises:
        ValueError: a missing or wrongly typed tensor, as TensorFlow checks them.
    """
    from ortflow.formats import dtypes
    inputs = {signature_constants.CLASSIFY_INPUTS: _examples_info(examples, "Classification")}
    if classes is None and scores is None:
        raise ValueError("Classification `classes` and `scores` cannot both be None.")
    outputs = {}
    if classes is not None:
        outputs[signature_constants.CLASSIFY_OUTPUT_CLASSES] = info = build_tensor_info(classes)
        _require_dtype(info, dtypes.string.as_datatype_enum, "Classification classes")
    if scores is not None:
        outputs[signature_constants.CLASSIFY_OUTPUT_SCORES] = info = build_tensor_info(scores)
        _require_dtype(info, dtypes.float32.as_datatype_enum, "Classification scores")
    return build_signature_def(inputs, outputs, signature_constants.CLASSIFY_METHOD_NAME)


def regression_signature_def(examples, predictions):
    """A `tensorflow/serving/regress` SignatureDef: string examples -> float predictions.

    Raises:
        ValueError: a missing or wrongly typed tensor, as TensorFlow checks them.
    """
    from ortflow.formats import dtypes
    inputs = {signature_constants.REGRESS_INPUTS: _examples_info(examples, "Regression")}
    if predictions is None:
        raise ValueError("Regression `predictions` cannot be None.")
    info = build_tensor_info(predictions)
    _require_dtype(info, dtypes.float32.as_datatype_enum, "Regression output tensors")
    return build_signature_def(inputs, {signature_constants.REGRESS_OUTPUTS: info},
                               signature_constants.REGRESS_METHOD_NAME)


def is_valid_signature(signature_def) -> bool:
    """Whether a SignatureDef is well formed for its (standard) method name, as TensorFlow judges."""
    from ortflow.formats import dtypes
    if signature_def is None or not signature_def.method_name:
        return False
    method = signature_def.method_name
    string, floating = dtypes.string.as_datatype_enum, dtypes.float32.as_datatype_enum
    if method == signature_constants.PREDICT_METHOD_NAME:
        return bool(signature_def.inputs) and bool(signature_def.outputs)
    if method == signature_constants.CLASSIFY_METHOD_NAME:
        ins, outs = signature_def.inputs, signature_def.outputs
        if set(ins) != {CLASSIFY_INPUTS} or ins[CLASSIFY_INPUTS].dtype != string:
            return False
        if not outs or set(outs) - {CLASSIFY_OUTPUT_CLASSES, CLASSIFY_OUTPUT_SCORES}:
            return False
        return ((CLASSIFY_OUTPUT_CLASSES not in outs or outs[CLASSIFY_OUTPUT_CLASSES].dtype == string)
                and (CLASSIFY_OUTPUT_SCORES not in outs or outs[CLASSIFY_OUTPUT_SCORES].dtype == floating))
    if method == signature_constants.REGRESS_METHOD_NAME:
        ins, outs = signature_def.inputs, signature_def.outputs
        return (set(ins) == {REGRESS_INPUTS} and ins[REGRESS_INPUTS].dtype == string
                and set(outs) == {REGRESS_OUTPUTS} and outs[REGRESS_OUTPUTS].dtype == floating)
    return True  # TensorFlow accepts any other method name


def _validate_signature_def_map(signature_def_map: Mapping) -> None:
    for key, sig in signature_def_map.items():
        for side in (sig.inputs, sig.outputs):
            for name, info in side.items():
                if info.WhichOneof("encoding") is None:
                    raise AssertionError(f"Signature {key!r}: TensorInfo {name!r} names no tensor; every "
                                         "TensorInfo used in a SignatureDef needs its name and dtype set.")
                if info.WhichOneof("encoding") == "name" and info.dtype == 0:
                    raise AssertionError(f"Signature {key!r}: TensorInfo {name!r} has no dtype; every "
                                         "TensorInfo used in a SignatureDef needs its name and dtype set.")
    for reserved in _RESERVED_SIGNATURE_KEYS:
        if reserved in signature_def_map:
            raise KeyError(f"SignatureDef map key {reserved!r} is reserved by TensorFlow; use another key.")


# -- the builder ---------------------------------------------------------------------------------
def _asset_source_path(tensor) -> str:
    # An asset is a scalar string Const whose value is the file's path (TensorFlow's rule too).
    from ortflow.formats import dtypes
    from ortflow.formats.tensors import make_ndarray
    from ortflow.graph import Tensor
    if not isinstance(tensor, Tensor):
        raise TypeError(f"Asset path tensor {tensor!r} must be a Tensor.")
    if tensor.op.type != "Const":
        raise TypeError(f"Asset path tensor {tensor.name!r} must be a Const, not a {tensor.op.type}.")
    if tensor.dtype != dtypes.string:
        raise TypeError(f"Asset path tensor {tensor.name!r} must be of dtype string, not {tensor.dtype.name}.")
    value = make_ndarray(tensor.op.node_def.attr["value"].tensor)
    if value.size != 1:
        raise TypeError(f"Asset path tensor {tensor.name!r} must be a scalar.")
    path = value.reshape(-1)[0]
    return path.decode() if isinstance(path, bytes) else str(path)


def _same_file_contents(a: str, b: str) -> bool:
    try:
        with open(a, "rb") as fa, open(b, "rb") as fb:
            return fa.read() == fb.read()
    except OSError:
        return False


def _asset_filename(source: str, taken: dict[str, str]) -> str:
    # The basename; a different file with the same basename gets `name_1`, `name_2`, ...
    name = os.path.basename(source)
    if name not in taken or taken[name] == source or _same_file_contents(source, taken[name]):
        return name
    i, unique = 1, name
    while unique in taken:
        unique, i = f"{name}_{i}", i + 1
    return unique


def _strip_default_attrs(meta) -> None:
    # TensorFlow's strip_default_attrs: drop attrs holding their OpDef default (loaders, TF's and
    # ortflow's importer, fill them back in) and say so in meta_info_def.
    from ortflow.graph.ops import get_op_def
    for node in meta.graph_def.node:
        op_def = get_op_def(node.op)
        if op_def is None:
            continue
        for attr_def in op_def.attr:
            if attr_def.HasField("default_value") and attr_def.name in node.attr \
                    and node.attr[attr_def.name] == attr_def.default_value:
                del node.attr[attr_def.name]
    meta.meta_info_def.stripped_default_attrs = True


class SavedModelBuilder:
    """Writes a TF 1.x SavedModel, as `tf.compat.v1.saved_model.builder.SavedModelBuilder`.

    Example:
        >>> b = SavedModelBuilder("/tmp/export/1")                      # doctest: +SKIP
        >>> b.add_meta_graph_and_variables(sess, [tag_constants.SERVING],
        ...     signature_def_map={"serving_default": predict_signature_def({"x": x}, {"y": y})})
        >>> b.save()
    """

    def __init__(self, export_dir):
        """Creates `export_dir` (and its parents).

        Raises:
            AssertionError: `export_dir` exists and is not empty (TensorFlow raises the same).
        """
        from ortflow.proto import SavedModel
        self._export_dir = os.fspath(export_dir)
        if os.path.exists(self._export_dir):
            if not os.path.isdir(self._export_dir) or os.listdir(self._export_dir):
                raise AssertionError(f"Export directory {self._export_dir} already exists, and isn't empty. "
                                     "Please choose a different export directory, or delete all the "
                                     "contents of the specified directory.")
        else:
            os.makedirs(self._export_dir)
        self._saved_model = SavedModel(saved_model_schema_version=SAVED_MODEL_SCHEMA_VERSION)
        self._has_saved_variables = False
        self._copied_assets: set[str] = set()

    # -- collections the meta graph carries ------------------------------------------------------
    def _save_assets(self, assets_collection) -> None:
        from google.protobuf.any_pb2 import Any
        from ortflow.formats.files import write_bytes_atomic
        from ortflow.graph import get_default_graph
        from ortflow.proto import AssetFileDef
        if not assets_collection:
            return
        taken: dict[str, str] = {}
        for tensor in assets_collection:
            source = _asset_source_path(tensor)
            name = _asset_filename(source, taken)
            taken[name] = source
            # Any.Pack would name ortflow's proto package; TensorFlow unpacks only its own type name.
            asset_def = AssetFileDef(filename=name, tensor_info={"name": tensor.name})
            packed = Any(type_url=_ASSET_TYPE_URL, value=asset_def.SerializeToString(deterministic=True))
            get_default_graph().add_to_collection(ASSETS_KEY, packed)
        assets_dir = os.path.join(self._export_dir, ASSETS_DIRECTORY)
        os.makedirs(assets_dir, exist_ok=True)
        for name, source in taken.items():
            target = os.path.join(assets_dir, name)
            if os.path.isfile(source) and target not in self._copied_assets:
                with open(source, "rb") as f:
                    write_bytes_atomic(target, f.read())
                self._copied_assets.add(target)

    @staticmethod
    def _add_main_op(main_op) -> None:
        from ortflow.graph import Operation, get_default_graph
        if main_op is None:
            return
        if not isinstance(main_op, Operation):
            raise TypeError(f"Expected main_op {main_op!r} to be an Operation, got {type(main_op).__name__}.")
        graph = get_default_graph()
        for key in (MAIN_OP_KEY, LEGACY_INIT_OP_KEY):
            if graph.get_collection(key):
                raise ValueError(f"Graph already contains one or more main ops under the collection {key!r}.")
        graph.add_to_collection(MAIN_OP_KEY, main_op)

    def _prepare(self, signature_def_map, assets_collection, main_op, legacy_init_op) -> dict:
        signature_def_map = signature_def_map or {}
        _validate_signature_def_map(signature_def_map)
        self._save_assets(assets_collection)
        self._add_main_op(main_op if main_op is not None else legacy_init_op)
        return signature_def_map

    @staticmethod
    def _saver(saver):
        from ortflow.graph.saver import Saver
        # TensorFlow's builder saves through a sharded V2 Saver that tolerates no variables.
        return saver if saver is not None else Saver(sharded=True, allow_empty=True)

    def _add(self, saver, tags, signature_def_map, clear_devices: bool, strip_default_attrs: bool) -> None:
        from google.protobuf.any_pb2 import Any
        from ortflow.graph import get_default_graph
        meta = saver.export_meta_graph(clear_devices=clear_devices)
        if strip_default_attrs:
            _strip_default_attrs(meta)
        if saver.saver_def is None:  # an empty Saver: TensorFlow's meta graph then has no saver_def
            meta.ClearField("saver_def")
        packed = [a for a in get_default_graph().get_collection(ASSETS_KEY) if isinstance(a, Any)]
        if packed:  # the generic exporter leaves protobuf items out; TensorFlow stores them as any_list
            meta.collection_def[ASSETS_KEY].any_list.value.extend(packed)
        meta.meta_info_def.tags.extend([tags] if isinstance(tags, str) else list(tags))
        for key, sig in signature_def_map.items():
            meta.signature_def[key].CopyFrom(sig)
        self._saved_model.meta_graphs.add().CopyFrom(meta)

    def add_meta_graph_and_variables(self, sess, tags: Iterable[str], signature_def_map=None,
                                     assets_collection=None, legacy_init_op=None, clear_devices: bool = False,
                                     main_op=None, strip_default_attrs: bool = False, saver=None) -> None:
        """Saves the session's variables and adds the default graph as the first MetaGraphDef.

        Args:
            sess: the Session holding the variables' values.
            tags: the meta graph's tag set (e.g. `[tag_constants.SERVING]`).
            signature_def_map: signature key -> SignatureDef.
            assets_collection: scalar string Const tensors naming files to copy into `assets/`.
            legacy_init_op: an older name for `main_op`.
            clear_devices: drop node devices from the stored graph.
            main_op: an Operation the loader runs after restoring the variables.
            strip_default_attrs: leave out attrs that hold their OpDef default (smaller files;
                loaders fill them back in).
            saver: the Saver to save with (default: a sharded Saver over all saveable variables).

        Raises:
            AssertionError: called twice, or a SignatureDef's TensorInfo lacks a name or dtype.
            KeyError: a reserved signature key is used.
        """
        if self._has_saved_variables:
            raise AssertionError("Graph state including variables and assets has already been saved. "
                                 "Please invoke `add_meta_graph()` instead.")
        signature_def_map = self._prepare(signature_def_map, assets_collection, main_op, legacy_init_op)
        os.makedirs(os.path.join(self._export_dir, VARIABLES_DIRECTORY), exist_ok=True)
        saver = self._saver(saver)
        saver.save(sess, variables_prefix(self._export_dir), write_meta_graph=False, write_state=False)
        self._add(saver, tags, signature_def_map, clear_devices, strip_default_attrs)
        self._has_saved_variables = True

    def add_meta_graph(self, tags: Iterable[str], signature_def_map=None, assets_collection=None,
                       legacy_init_op=None, clear_devices: bool = False, main_op=None,
                       strip_default_attrs: bool = False, saver=None) -> None:
        """Adds another MetaGraphDef (of the default graph) over the variables already saved.

        Raises:
            AssertionError: `add_meta_graph_and_variables` has not been called yet.
        """
        if not self._has_saved_variables:
            raise AssertionError("Graph state including variables and assets has not been saved yet. "
                                 "Please invoke `add_meta_graph_and_variables()` first.")
        signature_def_map = self._prepare(signature_def_map, assets_collection, main_op, legacy_init_op)
        self._add(self._saver(saver), tags, signature_def_map, clear_devices, strip_default_attrs)

    def save(self, as_text: bool = False) -> str:
        """Writes `saved_model.pb` (or `saved_model.pbtxt` with `as_text`) and returns its path."""
        from ortflow.formats.graphs import write_message
        os.makedirs(self._export_dir, exist_ok=True)
        name = SAVED_MODEL_FILENAME_PBTXT if as_text else SAVED_MODEL_FILENAME_PB
        path = os.path.join(self._export_dir, name)
        write_message(path, self._saved_model, as_text=as_text)
        return path


Builder = SavedModelBuilder


def simple_save(session, export_dir, inputs: Mapping, outputs: Mapping, legacy_init_op=None) -> None:
    """Writes a serving SavedModel with one predict signature (`tf.saved_model.simple_save`).

    As TensorFlow: tag `serve`, signature `serving_default`, devices cleared, the graph's
    `asset_filepaths` collection as assets, `legacy_init_op` as the main op.
    """
    from ortflow.graph import get_default_graph
    signature_map = {DEFAULT_SERVING_SIGNATURE_DEF_KEY: predict_signature_def(inputs, outputs)}
    b = SavedModelBuilder(export_dir)
    b.add_meta_graph_and_variables(session, tags=[SERVING], signature_def_map=signature_map,
                                   assets_collection=get_default_graph().get_collection(_ASSET_FILEPATHS),
                                   main_op=legacy_init_op, clear_devices=True)
    b.save()


# -- main ops ---------------------------------------------------------------------------------
def _main_op():
    """`tf.saved_model.main_op.main_op()`: one op initializing global and local variables and tables."""
    from ortflow.api.array_ops import group
    from ortflow.api.tf_misc import tables_initializer
    from ortflow.api.variable_scope import global_variables_initializer, local_variables_initializer
    return group(global_variables_initializer(), local_variables_initializer(), tables_initializer())


def main_op_with_restore(restore_op_name):
    """`main_op()`, then the op named `restore_op_name` (`tf.saved_model.main_op_with_restore`)."""
    from ortflow.api.array_ops import group
    from ortflow.graph import get_default_graph
    graph = get_default_graph()
    with graph.control_dependencies([_main_op()]):
        return group(graph.as_graph_element(restore_op_name, allow_tensor=False, allow_operation=True))


# -- loading ----------------------------------------------------------------------------------
def _asset_feeds(export_dir: str, meta, import_scope: str | None) -> dict[str, str]:
    from ortflow.errors import GraphError
    from ortflow.proto import AssetFileDef
    protos = list(meta.asset_file_def)
    if not protos and ASSETS_KEY in meta.collection_def:
        for packed in meta.collection_def[ASSETS_KEY].any_list.value:
            if packed.type_url.rsplit("/", 1)[-1] != "tensorflow.AssetFileDef":
                raise GraphError(f"{export_dir}: collection {ASSETS_KEY!r} holds a {packed.type_url!r}, "
                                 "not an AssetFileDef")
            protos.append(AssetFileDef.FromString(packed.value))
    feeds = {}
    for proto in protos:
        name = f"{import_scope}/{proto.tensor_info.name}" if import_scope else proto.tensor_info.name
        feeds[name] = os.path.join(export_dir, ASSETS_DIRECTORY, proto.filename)
    return feeds


def _main_op_name(meta, import_scope: str | None) -> str | None:
    from ortflow.errors import GraphError
    for key in (MAIN_OP_KEY, LEGACY_INIT_OP_KEY):
        if key in meta.collection_def:
            names = list(meta.collection_def[key].node_list.value)
            if len(names) != 1:
                raise GraphError(f"Expected exactly one SavedModel init op under {key!r}, found {names!r}.")
            return f"{import_scope}/{names[0]}" if import_scope else names[0]
    return None


def load(sess, tags, export_dir, import_scope: str | None = None, **saver_kwargs):
    """Loads a SavedModel into `sess`'s graph, restores its variables and runs its main op.

    Args:
        sess: the Session to restore into (its graph should be the default graph).
        tags: the tag set of the MetaGraphDef to load.
        export_dir: the SavedModel directory.
        import_scope: a name prefix for the imported nodes.

    Returns:
        The MetaGraphDef that was loaded.

    Raises:
        NotFoundError: no SavedModel in `export_dir`.
        GraphError: no MetaGraphDef with those tags.
    """
    export_dir = os.fspath(export_dir)
    meta = _load_graph_and_variables(sess, tags, export_dir, import_scope=import_scope, **saver_kwargs)
    op_name = _main_op_name(meta, import_scope)
    if sess is not None and op_name is not None:
        sess.run(op_name, feed_dict=_asset_feeds(export_dir, meta, import_scope) or None)
    return meta


def contains_saved_model(export_dir) -> bool:
    """Whether `export_dir` holds `saved_model.pb` or `saved_model.pbtxt`."""
    export_dir = os.fspath(export_dir)
    return any(os.path.isfile(os.path.join(export_dir, n))
               for n in (SAVED_MODEL_FILENAME_PB, SAVED_MODEL_FILENAME_PBTXT))


maybe_saved_model_directory = contains_saved_model

# Sub-namespaces, as `tf.compat.v1.saved_model.<name>`.
loader = types.SimpleNamespace(load=load, maybe_saved_model_directory=maybe_saved_model_directory)
builder = types.SimpleNamespace(SavedModelBuilder=SavedModelBuilder)
utils = types.SimpleNamespace(build_tensor_info=build_tensor_info,
                              get_tensor_from_tensor_info=get_tensor_from_tensor_info)
signature_def_utils = types.SimpleNamespace(
    build_signature_def=build_signature_def, predict_signature_def=predict_signature_def,
    classification_signature_def=classification_signature_def,
    regression_signature_def=regression_signature_def, is_valid_signature=is_valid_signature)
main_op = types.SimpleNamespace(main_op=_main_op, main_op_with_restore=main_op_with_restore)
