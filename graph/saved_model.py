"""SavedModels: pick a MetaGraphDef by tags, restore variables, list signatures.

Two kinds are read. TF1-style ones (`tf.compat.v1.saved_model.builder`, `simple_save`) key
their checkpoint by variable op name and restore through their SaverDef. TF2 ones
(`tf.saved_model.save`, Keras `model.export`) reach their variables through function calls:
a signature's output is a StatefulPartitionedCall whose trailing inputs are VarHandleOps
captured by the function, and the checkpoint keys variables by object path
(`layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE`). For those, the MetaGraphDef's
object graph gives each concrete function's captured object ids (`bound_inputs`), and the
checkpoint's own object graph (`_CHECKPOINTABLE_OBJECT_GRAPH`, same ids) gives each object's
checkpoint key; `tf2_variable_keys` joins the two. (Running the SaverDef's restore op, as
TensorFlow's v1 loader does, is not enough: Keras 3 exports capture handles that the restore
function never assigns, and TensorFlow's own v1 loader then fails on them.)
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable

import numpy as np
from ortflow.errors import FormatError, GraphError, NotFoundError
from ortflow.graph.tensor_shape import TensorShape
from ortflow.proto import MetaGraphDef, SavedModel

__all__ = [
    "SignatureTensor",
    "checkpoint_object_graph",
    "is_tf2",
    "load",
    "meta_graph_by_tags",
    "name_call_outputs",
    "object_graph",
    "read_saved_model",
    "signature_constants",
    "signatures",
    "tag_constants",
    "tf2_meta_graph",
    "tf2_variables",
    "tf2_variable_keys",
    "tf2_variable_values",
    "variables_prefix",
]


class tag_constants:
    """Standard MetaGraphDef tags."""

    SERVING = "serve"
    TRAINING = "train"
    GPU = "gpu"
    TPU = "tpu"


class signature_constants:
    """Standard SignatureDef keys and method names."""

    DEFAULT_SERVING_SIGNATURE_DEF_KEY = "serving_default"
    PREDICT_METHOD_NAME = "tensorflow/serving/predict"
    CLASSIFY_METHOD_NAME = "tensorflow/serving/classify"
    REGRESS_METHOD_NAME = "tensorflow/serving/regress"
    PREDICT_INPUTS = "inputs"
    PREDICT_OUTPUTS = "outputs"


@dataclasses.dataclass(frozen=True)
class SignatureTensor:
    """One input or output of a signature: its key, tensor name, dtype and static shape."""

    key: str
    name: str
    dtype: object
    shape: TensorShape


def read_saved_model(export_dir: str | os.PathLike) -> SavedModel:
    """Reads `saved_model.pb` (or `.pbtxt`) from `export_dir`.

    Raises:
        NotFoundError: neither file exists.
        FormatError: the file is malformed.
    """
    from ortflow.formats.graphs import read_graph
    export_dir = os.fspath(export_dir)
    if not any(os.path.exists(os.path.join(export_dir, f)) for f in ("saved_model.pb", "saved_model.pbtxt")):
        raise NotFoundError(None, None, f"SavedModel file does not exist at: {export_dir}/"
                                        "{saved_model.pbtxt|saved_model.pb}")
    return read_graph(export_dir, expected="SavedModel")


def meta_graph_by_tags(saved_model: SavedModel, tags: Iterable[str] | str | None, where: str = "") -> MetaGraphDef:
    """The MetaGraphDef whose tag set equals `tags` (a single meta graph is taken when tags is None).

    Raises:
        GraphError: no meta graph has those tags; the message lists the tag sets there are.
    """
    available = [sorted(m.meta_info_def.tags) for m in saved_model.meta_graphs]
    if tags is None:
        if len(saved_model.meta_graphs) == 1:
            return saved_model.meta_graphs[0]
        tags = [tag_constants.SERVING]
    wanted = {tags} if isinstance(tags, str) else set(tags)
    for meta in saved_model.meta_graphs:
        if set(meta.meta_info_def.tags) == wanted:
            return meta
    place = f" in {where}" if where else ""
    raise GraphError(f"MetaGraphDef associated with tags {sorted(wanted)!r} could not be found{place}. "
                     f"Available tag sets: {available!r}")


def variables_prefix(export_dir: str | os.PathLike) -> str:
    """The checkpoint prefix of a SavedModel's variables: `export_dir/variables/variables`."""
    return os.path.join(os.fspath(export_dir), "variables", "variables")


def signatures(meta: MetaGraphDef) -> dict[str, dict[str, list[SignatureTensor]]]:
    """Signature key -> {"inputs": [...], "outputs": [...]} with tensor names, dtypes, shapes."""
    from ortflow.formats import dtypes
    out = {}
    for key, sig in meta.signature_def.items():
        entry = {}
        for side in ("inputs", "outputs"):
            entry[side] = [
                SignatureTensor(k, info.name, dtypes.as_dtype(info.dtype) if info.dtype else None,
                                TensorShape(info.tensor_shape) if info.HasField("tensor_shape") else TensorShape(None))
                for k, info in sorted(getattr(sig, side).items())]
        out[key] = entry
    return out


def load(sess, tags, export_dir: str | os.PathLike, import_scope: str | None = None, **saver_kwargs) -> MetaGraphDef:
    """Loads a SavedModel's graph into the default graph and, with a session, its variables.

    Args:
        sess: a session exposing `assign_variables({op_name: value})`, or None to only import
            the graph (variables are then left to the caller).
        tags: the tag set of the MetaGraphDef to load (e.g. `[tag_constants.SERVING]`).
        export_dir: the SavedModel directory.
        import_scope: a name prefix for the imported nodes.

    Returns:
        The MetaGraphDef that was loaded.

    Raises:
        NotFoundError: no SavedModel in `export_dir`.
        GraphError: no MetaGraphDef with those tags (the message lists the tag sets there are).
    """
    from ortflow.graph.meta_graph import import_meta_graph
    saved = read_saved_model(export_dir)
    meta = meta_graph_by_tags(saved, tags, os.fspath(export_dir))
    prefix = variables_prefix(export_dir)
    if is_tf2(meta, os.fspath(export_dir)):
        import_meta_graph(tf2_meta_graph(meta, where=os.fspath(export_dir), allow_writes=True),
                          import_scope=import_scope,
                          **saver_kwargs)
        if sess is not None and os.path.exists(prefix + ".index"):
            values = tf2_variable_values(meta, prefix, os.fspath(export_dir))
            scope = f"{import_scope}/" if import_scope else ""
            sess.assign_variables({scope + name: value for name, value in values.items()})
        return meta
    saver = import_meta_graph(meta, import_scope=import_scope, **saver_kwargs)
    if sess is not None and os.path.exists(prefix + ".index"):
        if saver is None:
            raise GraphError(f"{export_dir}: the SavedModel has a variables checkpoint but its graph has "
                             "no saver and no variables to restore")
        saver.restore(sess, prefix)
    return meta


# -- TF2 SavedModels ---------------------------------------------------------------------------

#: Ops that call a library function; a TF2 signature's outputs come from one of these.
CALL_OPS = ("StatefulPartitionedCall", "PartitionedCall")
#: The checkpoint entry holding a TrackableObjectGraph.
OBJECT_GRAPH_KEY = "_CHECKPOINTABLE_OBJECT_GRAPH"
#: The attribute name under which an object's variable value is checkpointed.
VARIABLE_VALUE = "VARIABLE_VALUE"


def object_graph(meta: MetaGraphDef, where: str = ""):
    """The MetaGraphDef's SavedObjectGraph (field 7), parsed as a `SavedObjectGraphView`.

    Raises:
        FormatError: the bytes are not a SavedObjectGraph.
    """
    from google.protobuf.message import DecodeError
    from ortflow.proto.saved_object_graph_pb2 import SavedObjectGraphView
    try:
        return SavedObjectGraphView.FromString(meta.object_graph_def.SerializeToString())
    except DecodeError as e:
        raise FormatError(f"{where or 'MetaGraphDef'}: its object graph (object_graph_def) is "
                          f"malformed: {e}") from e


def is_tf2(meta: MetaGraphDef, where: str = "") -> bool:
    """Whether `meta` was written by `tf.saved_model.save` (it has an object graph)."""
    if not meta.HasField("object_graph_def"):
        return False
    return len(object_graph(meta, where).nodes) > 0


def checkpoint_object_graph(reader, where: str = ""):
    """The TrackableObjectGraph stored in a TF2 checkpoint (a `BundleReader`).

    Raises:
        GraphError: the checkpoint has no object graph (it is not object-based).
        FormatError: the entry does not parse.
    """
    from google.protobuf.message import DecodeError
    from ortflow.proto import TrackableObjectGraph
    if not reader.has_tensor(OBJECT_GRAPH_KEY):
        raise GraphError(f"{where}: the SavedModel's checkpoint {reader.prefix} has no "
                         f"{OBJECT_GRAPH_KEY} entry, so its TF2 variables cannot be found")
    raw = np.asarray(reader.get_tensor(OBJECT_GRAPH_KEY)).reshape(-1)
    if raw.size != 1 or not isinstance(raw[0], bytes):
        raise FormatError(f"{where}: the checkpoint entry {OBJECT_GRAPH_KEY} is not one string")
    try:
        return TrackableObjectGraph.FromString(raw[0])
    except DecodeError as e:
        raise FormatError(f"{where}: the checkpoint entry {OBJECT_GRAPH_KEY} is not a "
                          f"TrackableObjectGraph: {e}") from e


def _data_inputs(node) -> list[str]:
    return [i for i in node.input if not i.startswith("^")]


def _captured_variables(meta: MetaGraphDef, graph, where: str):
    """(VarHandleOp name, object id, function name) for each variable a call captures, once each.

    A call to a concrete function takes the function's captures as its trailing inputs, in the
    order of the function's `bound_inputs` (object ids shared by the SavedObjectGraph and the
    checkpoint's TrackableObjectGraph). Calls to functions outside the object graph (the saver's
    save/restore functions) are skipped.
    """
    by_name = {n.name: n for n in meta.graph_def.node}
    seen: set[str] = set()
    for node in meta.graph_def.node:
        if node.op not in CALL_OPS:
            continue
        function = node.attr["f"].func.name
        concrete = graph.concrete_functions.get(function)
        if concrete is None or not concrete.bound_inputs:
            continue
        inputs = _data_inputs(node)
        bound = list(concrete.bound_inputs)
        if len(bound) > len(inputs):
            raise GraphError(f"{where}: call {node.name!r} passes {len(inputs)} inputs but its function "
                             f"{function!r} captures {len(bound)} objects")
        for tensor, object_id in zip(inputs[len(inputs) - len(bound):], bound):
            source = by_name.get(tensor.split(":")[0])
            if source is None or source.op != "VarHandleOp" or source.name in seen:
                continue
            seen.add(source.name)
            yield source.name, object_id, function


def tf2_variable_keys(meta: MetaGraphDef, checkpoint_graph, where: str = "") -> dict[str, str]:
    """VarHandleOp name in the main graph -> its checkpoint key, for every variable a call captures.

    The captured object's VARIABLE_VALUE attribute in the checkpoint's object graph names the key.

    Raises:
        GraphError: a captured variable has no checkpointed value (an unsupported variant).
    """
    graph = object_graph(meta, where)
    return {name: _variable_key(checkpoint_graph, graph, object_id, function, where)
            for name, object_id, function in _captured_variables(meta, graph, where)}


def tf2_variables(meta: MetaGraphDef, where: str = "") -> dict:
    """VarHandleOp name -> its SavedVariable (name, dtype, shape, trainable), for captured variables.

    A TF2 SavedModel's graph holds more VarHandleOps than the model has variables (the loader's
    restore functions make their own); these are the ones the signatures' calls capture.
    """
    graph = object_graph(meta, where)
    out = {}
    for name, object_id, _ in _captured_variables(meta, graph, where):
        if 0 <= object_id < len(graph.nodes) and graph.nodes[object_id].WhichOneof("kind") == "variable":
            out[name] = graph.nodes[object_id].variable
    return out


def _variable_key(checkpoint_graph, graph, object_id: int, function: str, where: str) -> str:
    if not 0 <= object_id < len(checkpoint_graph.nodes):
        raise GraphError(f"{where}: function {function!r} captures object {object_id}, which the "
                         f"checkpoint's object graph ({len(checkpoint_graph.nodes)} objects) lacks")
    for attr in checkpoint_graph.nodes[object_id].attributes:
        if attr.name == VARIABLE_VALUE:
            return attr.checkpoint_key
    kind = graph.nodes[object_id].WhichOneof("kind") if object_id < len(graph.nodes) else None
    raise GraphError(f"{where}: function {function!r} captures object {object_id} (a {kind or 'unknown'} "
                     "object) that has no checkpointed variable value; only captured variables are "
                     "supported")


def tf2_variable_values(meta: MetaGraphDef, checkpoint, where: str = "") -> dict[str, np.ndarray]:
    """VarHandleOp name -> value read from the checkpoint, for a TF2 SavedModel.

    Args:
        meta: the TF2 MetaGraphDef (as read, before `tf2_meta_graph`).
        checkpoint: a checkpoint prefix (`variables/variables`) or an open `BundleReader`.
        where: the SavedModel directory, for messages.

    Raises:
        GraphError: a key is missing from the checkpoint or a value's shape does not fit the
            variable.
    """
    from ortflow.formats.bundle import BundleReader
    if isinstance(checkpoint, (str, os.PathLike)):
        with BundleReader(os.fspath(checkpoint)) as reader:
            return tf2_variable_values(meta, reader, where)
    reader = checkpoint
    by_name = {n.name: n for n in meta.graph_def.node}
    values = {}
    keys = tf2_variable_keys(meta, checkpoint_object_graph(reader, where), where)
    for name, key in keys.items():
        if not reader.has_tensor(key):
            raise GraphError(f"{where}: variable {name!r}: key {key!r} is not in checkpoint {reader.prefix}")
        value = np.array(reader.get_tensor(key), copy=True)
        _check_shape(by_name[name], value, key, where)
        values[name] = value
    return values


def _check_shape(node, value: np.ndarray, key: str, where: str) -> None:
    shape = node.attr["shape"].shape if "shape" in node.attr else None
    if shape is None or shape.unknown_rank:
        return
    dims = [d.size for d in shape.dim]
    if len(dims) != value.ndim or any(d >= 0 and d != v for d, v in zip(dims, value.shape)):
        raise GraphError(f"{where}: variable {node.name!r} has shape {dims} but checkpoint key {key!r} "
                         f"holds shape {list(value.shape)}")


def name_call_outputs(graph_def, tensors: Iterable[str]):
    """A copy of `graph_def` in which call ops whose outputs are in `tensors` are followed by an
    IdentityN under the call's own name (the call moves to `<name>/call`), so that a signature's
    output tensor names stay valid fetches once the converter inlines the call."""
    from ortflow.proto import GraphDef
    wanted = {t.lstrip("^").split(":")[0] for t in tensors}
    names = {n.name for n in graph_def.node}
    out = GraphDef()
    out.CopyFrom(graph_def)
    del out.node[:]
    for node in graph_def.node:
        if node.op not in CALL_OPS or node.name not in wanted or not node.attr["Tout"].list.type:
            out.node.add().CopyFrom(node)
            continue
        renamed = f"{node.name}/call"
        while renamed in names:
            renamed += "_"
        names.add(renamed)
        call = out.node.add()
        call.CopyFrom(node)
        call.name = renamed
        identity = out.node.add(name=node.name, op="IdentityN", device=node.device)
        types = list(node.attr["Tout"].list.type)
        identity.input.extend(f"{renamed}:{k}" for k in range(len(types)))
        identity.attr["T"].list.type.extend(types)
    return out


def tf2_meta_graph(meta: MetaGraphDef, inline: bool = True, where: str = "",
                   allow_writes: bool = False) -> MetaGraphDef:
    """A copy of a TF2 MetaGraphDef ready to import and run.

    It has no SaverDef and no save/restore calls (their functions read keys that
    `tf2_variable_values` resolves instead); every signature output is named by an IdentityN
    after its call (see `name_call_outputs`); with `inline`, the function calls are replaced by
    their bodies, so that a Session sees the captured VarHandleOps read by plain
    ReadVariableOps in the main graph; the functions' control edges (TF2's order of variable
    reads and writes) are kept, and a control input on a call still waits for its whole body.

    Args:
        meta: the TF2 MetaGraphDef.
        inline: inline the function calls (and lower their control flow).
        where: the SavedModel directory, for messages.
        allow_writes: accept signatures that assign variables (a Session runs them with their
            side effects, as calling the TF2 function does); freezing and converting need
            stateless signatures, since a constant cannot change between runs.

    Raises:
        GraphError: without `allow_writes`, a signature's function assigns variables.
    """
    out = MetaGraphDef()
    out.CopyFrom(meta)
    saver_nodes = {meta.saver_def.restore_op_name.split(":")[0],
                   meta.saver_def.save_tensor_name.split(":")[0]} - {""}
    out.ClearField("saver_def")
    tensors = [info.name for sig in meta.signature_def.values() for info in sig.outputs.values()]
    graph_def = name_call_outputs(meta.graph_def, tensors)
    kept = [n for n in graph_def.node if n.name not in saver_nodes]
    del graph_def.node[:]
    graph_def.node.extend(kept)
    if inline:
        if not allow_writes:
            _check_stateless_signatures(meta, tensors, where)
        from ortflow.converters.passes_tf import inline_functions
        ends = _call_ends(graph_def)
        inlined, changed = inline_functions(graph_def, tensors)
        if changed:
            graph_def = inlined.as_graph_def()
            _rewire_call_controls(graph_def, ends)
    out.graph_def.CopyFrom(graph_def)
    return out


#: Op name prefixes of ops that write variables.
_STATE_CHANGING = ("Assign", "ResourceScatter", "ResourceApply", "ResourceSparseApply",
                   "ResourceStridedSliceAssign")


def _functions_of(node) -> list[str]:
    names = []
    for value in node.attr.values():
        if value.HasField("func"):
            names.append(value.func.name)
        elif value.HasField("list"):
            names.extend(f.name for f in value.list.func)
    return names


def _check_stateless_signatures(meta: MetaGraphDef, tensors: list[str], where: str) -> None:
    library = {f.signature.name: f for f in meta.graph_def.library.function}
    wanted = {t.split(":")[0] for t in tensors}
    stack = [name for n in meta.graph_def.node if n.name in wanted for name in _functions_of(n)]
    seen: set[str] = set()
    while stack:
        name = stack.pop()
        if name in seen or name not in library:
            continue
        seen.add(name)
        for node in library[name].node_def:
            if node.op.startswith(_STATE_CHANGING):
                raise GraphError(f"{where or 'SavedModel'}: function {name!r} of a signature writes a "
                                 f"variable ({node.op} {node.name!r}); a signature that changes "
                                 "variables cannot be frozen or converted (a constant cannot change "
                                 "between runs); run it in a Session instead")
            stack.extend(_functions_of(node))


def _call_ends(graph_def) -> dict[str, list[str]]:
    """Call node name -> the nodes its inlined body will end in (results and control outputs)."""
    library = {f.signature.name: f for f in graph_def.library.function}
    ends = {}
    for node in graph_def.node:
        fdef = library.get(node.attr["f"].func.name) if node.op in CALL_OPS else None
        if fdef is None:
            continue
        inner = [t.split(":")[0] for t in fdef.ret.values()] + list(fdef.control_ret.values())
        ends[node.name] = [f"{node.name}/{n}" for n in dict.fromkeys(inner)]
    return ends


def _rewire_call_controls(graph_def, ends: dict[str, list[str]]) -> None:
    """Replaces control inputs on inlined calls (`^call`) by control inputs on their body's ends."""
    names = {n.name for n in graph_def.node}
    for node in graph_def.node:
        if not any(i.startswith("^") and i[1:] in ends and i[1:] not in names for i in node.input):
            continue
        inputs = []
        for i in node.input:
            if i.startswith("^") and i[1:] in ends and i[1:] not in names:
                inputs.extend(f"^{e}" for e in ends[i[1:]] if e in names)
            else:
                inputs.append(i)
        del node.input[:]
        node.input.extend(dict.fromkeys(inputs))
