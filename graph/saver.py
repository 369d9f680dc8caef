"""`Saver`: TensorFlow 1.x's `tf.compat.v1.train.Saver` over ortflow's graph and checkpoints.

A Saver built here adds TensorFlow's save/restore nodes to the graph (`save/Const` filename,
`save/SaveV2`, `save/RestoreV2`, one assignment per variable, `save/restore_all`), so that a
`.meta` it writes imports and restores in TensorFlow. `sharded=True` builds one save and one
restore per device holding variables, as TensorFlow does, and `save` writes one data file per
device (shard i = the i-th device name in sorted order, "" first). The values themselves move without
running those nodes: `save` asks the session for them (`sess.variable_values(names)`) and
writes a TensorBundle checkpoint; `restore` reads the checkpoint and hands the values to the
session (`sess.assign_variables({name: value})`). Retention (`max_to_keep`, the `checkpoint`
state file) is `formats.checkpoint_management.CheckpointKeeper`'s.
"""

from __future__ import annotations

import dataclasses
import os

import numpy as np
from ortflow.errors import GraphError, InvalidArgumentError, NotFoundError
from ortflow.formats import checkpoint_management as _cm
from ortflow.formats import dtypes as _dtypes
from ortflow.formats.tensors import make_tensor_proto
from ortflow.graph.core import Graph, GraphKeys, Operation, Tensor, get_default_graph
from ortflow.graph.freeze import CheckpointKey, _keys_from_restore_ops, read_variable_value
from ortflow.graph.naming import canonical_device
from ortflow.graph.tensor_shape import TensorShape
from ortflow.graph.variables import Variable
from ortflow.proto import SaverDef

__all__ = ["Saver", "SaveEntry"]


@dataclasses.dataclass(frozen=True)
class SaveEntry:
    """One checkpoint entry: the key, the slice (for a partition), and the variable op behind it."""

    key: str
    slice_spec: str
    op_name: str
    dtype: _dtypes.DType
    tensor: Tensor | None = None  # what SaveV2 reads (the reference, or the snapshot read)


def _entries_from_var_list(graph: Graph, var_list) -> list[SaveEntry]:
    if var_list is None:
        var_list = graph.get_collection(GraphKeys.GLOBAL_VARIABLES) + graph.get_collection(
            GraphKeys.SAVEABLE_OBJECTS)
    if isinstance(var_list, dict):
        pairs = []
        for key, value in var_list.items():
            for var in (value if isinstance(value, (list, tuple)) else [value]):
                pairs.append((key, var))
    else:
        pairs = [(None, var) for var in var_list]
    entries = {}
    for key, var in pairs:
        entry = _entry_for(graph, key, var)
        ident = (entry.key, entry.slice_spec)
        if ident in entries and entries[ident].op_name != entry.op_name:
            raise ValueError(f"At least two variables have the same name: {entry.key}")
        entries[ident] = entry
    return [entries[k] for k in sorted(entries)]


def _entry_for(graph: Graph, key, var) -> SaveEntry:
    if isinstance(var, Variable):
        info = var.save_slice_info
        name = key or (info.full_name if info is not None else var.op.name)
        spec = info.spec if info is not None else ""
        tensor = var.snapshot if var.is_resource and var.snapshot is not None else var.handle
        return SaveEntry(name, spec, var.op.name, var.dtype.base_dtype, tensor)
    element = graph.as_graph_element(var)
    op = element.op if isinstance(element, Tensor) else element
    if op.type not in ("VariableV2", "Variable", "VarHandleOp"):
        raise TypeError(f"Saver var_list entries must be variables; {op.name!r} is a {op.type}")
    dtype = _dtypes.as_dtype(op.node_def.attr["dtype"].type)
    return SaveEntry(key or op.name, "", op.name, dtype, op.outputs[0])


class Saver:
    """Saves and restores variables, as `tf.compat.v1.train.Saver`.

    Example:
        >>> saver = Saver(max_to_keep=2)                          # doctest: +SKIP
        >>> prefix = saver.save(sess, "/tmp/run/model.ckpt", global_step=10)
        >>> saver.restore(sess, prefix)
    """

    def __init__(self, var_list=None, reshape: bool = False, sharded: bool = False, max_to_keep: int = 5,
                 keep_checkpoint_every_n_hours: float = 10000.0, name: str | None = None,
                 restore_sequentially: bool = False, saver_def: SaverDef | None = None, builder=None,
                 defer_build: bool = False, allow_empty: bool = False, write_version: int = 2,
                 pad_step_number: bool = False, save_relative_paths: bool = False, filename: str | None = None):
        del builder, restore_sequentially
        if write_version != 2:
            raise ValueError("ortflow writes V2 checkpoints only (write_version=2)")
        if defer_build and var_list is not None:
            raise ValueError("If `var_list` is provided then build cannot be deferred. Either set "
                             "defer_build=False or var_list=None.")
        self._graph = get_default_graph()
        self._var_list = var_list
        self._reshape = reshape
        self._sharded = sharded
        self._name = name
        self._allow_empty = allow_empty
        self._pad_step_number = pad_step_number
        self._filename = filename
        self._entries: list[SaveEntry] | None = None
        self._keeper = _cm.CheckpointKeeper(max_to_keep, keep_checkpoint_every_n_hours,
                                            save_relative_paths=save_relative_paths)
        self.saver_def = saver_def
        if saver_def is not None and name:
            # As TensorFlow: with a SaverDef, `name` is the import scope its names live under.
            self.saver_def = _scoped_saver_def(saver_def, name)
        if saver_def is not None:
            self._keeper = _cm.CheckpointKeeper(saver_def.max_to_keep, saver_def.keep_checkpoint_every_n_hours,
                                                save_relative_paths=save_relative_paths)
        elif not defer_build:
            self.build()

    # -- graph construction -----------------------------------------------------------------------
    def build(self) -> None:
        """Adds the save/restore nodes to the graph and sets `saver_def`."""
        if self.saver_def is not None:
            return
        entries = _entries_from_var_list(self._graph, self._var_list)
        if not entries:
            if self._allow_empty:
                self._entries = []
                return
            raise ValueError("No variables to save")
        self._entries = entries
        groups = _group_by_device(self._graph, entries) if self._sharded else None
        self.saver_def = _build_save_restore_ops(self._graph, entries, self._name or "save",
                                                 self._filename or "model", self._keeper, groups)
        self.saver_def.sharded = bool(self._sharded)

    def as_saver_def(self) -> SaverDef:
        return self.saver_def

    def to_proto(self, export_scope=None) -> SaverDef:
        return self.saver_def

    # -- what is saved -------------------------------------------------------------------------
    def _saver_entries(self) -> list[SaveEntry]:
        if self._entries is not None:
            return self._entries
        if self.saver_def is None:
            self.build()
            return self._entries or []
        self._entries = self._entries_from_saver_def()
        return self._entries

    def _entries_from_saver_def(self) -> list[SaveEntry]:
        # A Saver rebuilt from a SaverDef learns key -> variable from the restore ops it names.
        restore = self.saver_def.restore_op_name
        scope = restore.rsplit("/", 1)[0] + "/" if "/" in restore else None
        graph_def = self._graph.as_graph_def()
        keys = _keys_from_restore_ops(graph_def, scope)
        entries = []
        for op_name, key in sorted(keys.items(), key=lambda kv: (kv[1].key, kv[1].slice_spec)):
            op = self._graph.get_operation_by_name(op_name)
            entries.append(SaveEntry(key.key, key.slice_spec, op_name,
                                     _dtypes.as_dtype(op.node_def.attr["dtype"].type), op.outputs[0]))
        return entries

    # -- bookkeeping ----------------------------------------------------------------------------
    @property
    def last_checkpoints(self) -> list[str]:
        return self._keeper.last_checkpoints

    def set_last_checkpoints(self, last_checkpoints) -> None:
        """Deprecated in TensorFlow, kept for old scripts: sets the tracked list (times = 0)."""
        if not isinstance(last_checkpoints, list):
            raise TypeError("last_checkpoints must be a list of paths")
        self._keeper.set_last_checkpoints_with_time([(p, 0.0) for p in last_checkpoints])

    @classmethod
    def from_proto(cls, saver_def: SaverDef, import_scope: str | None = None) -> Saver:
        """A Saver over the current default graph's save/restore nodes named by `saver_def`."""
        return cls(saver_def=saver_def, name=import_scope)

    def set_last_checkpoints_with_time(self, last_checkpoints_with_time) -> None:
        self._keeper.set_last_checkpoints_with_time(last_checkpoints_with_time)

    def recover_last_checkpoints(self, checkpoint_paths) -> None:
        self._keeper.recover_last_checkpoints(checkpoint_paths)

    # -- save / restore -------------------------------------------------------------------------
    def save(self, sess, save_path, global_step=None, latest_filename: str | None = None,
             meta_graph_suffix: str = "meta", write_meta_graph: bool = True, write_state: bool = True,
             strip_default_attrs: bool = False, save_debug_info: bool = False) -> str:
        """Writes the variables' values (from `sess.variable_values`) as a checkpoint.

        Returns:
            The checkpoint prefix written (`save_path` or `save_path-STEP`).

        Raises:
            ValueError: the directory holding the checkpoint's directory does not exist
                (the checkpoint's own directory is created, as TensorFlow does).
        """
        del strip_default_attrs, save_debug_info
        save_path = os.fspath(save_path)
        if latest_filename is not None and os.path.basename(latest_filename) != latest_filename:
            raise ValueError("'latest_filename' collides with 'save_path': 'latest_filename' must be a "
                             "file name, not a path")
        if global_step is not None and not isinstance(global_step, (int, np.integer)):
            global_step = int(np.asarray(sess.run(global_step)))
        prefix = _cm.checkpoint_prefix(save_path, global_step, pad_step_number=self._pad_step_number)
        entries = self._saver_entries()
        if not entries and self._allow_empty:
            # As TensorFlow: nothing to save; only the meta graph is written, and no path returned.
            if write_meta_graph:
                self.export_meta_graph(_cm.meta_graph_filename(prefix, meta_graph_suffix))
            return None
        parent = os.path.dirname(os.path.abspath(prefix))
        if not os.path.isdir(parent):
            # TensorFlow's save creates the checkpoint's own directory, but not missing parents of it.
            if not os.path.isdir(os.path.dirname(parent)):
                raise ValueError(f"Parent directory of {save_path} doesn't exist, can't save.")
            os.makedirs(parent, exist_ok=True)
        values = sess.variable_values([e.op_name for e in entries]) if entries else {}
        sharded = self._sharded or (self.saver_def is not None and self.saver_def.sharded)
        _write_entries(prefix, entries, values, _group_by_device(self._graph, entries) if sharded else None)
        if write_state:
            self._keeper.latest_filename = latest_filename
            self._keeper.meta_graph_suffix = meta_graph_suffix
            self._keeper.record(prefix)
        if write_meta_graph:
            self.export_meta_graph(_cm.meta_graph_filename(prefix, meta_graph_suffix))
        return prefix

    def restore(self, sess, save_path) -> None:
        """Reads the checkpoint at `save_path` and assigns the values (`sess.assign_variables`).

        Raises:
            ValueError: `save_path` is None or not a checkpoint.
            NotFoundError: a variable's key is missing from the checkpoint.
            InvalidArgumentError: a stored tensor's dtype or shape does not fit its variable.
        """
        from ortflow.api.train_checkpoint import load_checkpoint
        if save_path is None:
            raise ValueError("Can't load save_path when it is None.")
        save_path = os.fspath(save_path)
        if not _cm.checkpoint_exists(save_path):
            raise ValueError(f"The passed save_path is not a valid checkpoint: {save_path}")
        entries = self._saver_entries()
        values = {}
        with load_checkpoint(save_path) as reader:
            for e in entries:
                if not reader.has_tensor(e.key):
                    raise NotFoundError(None, None, _restore_failure(
                        "a Variable name or other graph key that is missing",
                        f"Key {e.key} not found in checkpoint"))
                value = read_variable_value(reader, CheckpointKey(e.key, e.slice_spec), e.op_name)
                self._check_restored(e, value)
                values[e.op_name] = value
        if values:
            sess.assign_variables(values)

    def _check_restored(self, entry: SaveEntry, value: np.ndarray) -> None:
        # As TF's restore: a stored dtype or shape that the variable cannot take is an error.
        if entry.dtype is not None and value.dtype != np.dtype(entry.dtype.base_dtype.as_numpy_dtype):
            raise InvalidArgumentError(None, None, _restore_failure(
                "a mismatch between the current graph and the graph from the checkpoint",
                f"tensor_name = {entry.key}; expected dtype {_tf_type_name(entry.dtype)} does not "
                f"equal original dtype {_tf_type_name(_dtypes.as_dtype(value.dtype))}"))
        shape = _variable_shape(self._graph, entry.op_name)
        if shape is not None and shape.is_fully_defined() and list(value.shape) != shape.as_list():
            raise InvalidArgumentError(None, None, _restore_failure(
                "a mismatch between the current graph and the graph from the checkpoint",
                f"Assign requires shapes of both tensors to match. lhs shape= {shape.as_list()} "
                f"rhs shape= {list(value.shape)}"))

    def export_meta_graph(self, filename=None, collection_list=None, as_text: bool = False,
                          export_scope=None, clear_devices: bool = False, clear_extraneous_savers: bool = False,
                          strip_default_attrs: bool = False, save_debug_info: bool = False):
        """Writes (or returns) a MetaGraphDef of this Saver's graph with its SaverDef."""
        from ortflow.graph.meta_graph import export_meta_graph
        return export_meta_graph(filename=filename, graph=self._graph, saver_def=self.saver_def,
                                 collection_list=collection_list, as_text=as_text, export_scope=export_scope,
                                 clear_devices=clear_devices)


def _restore_failure(cause: str, detail: str) -> str:
    return (f"Restoring from checkpoint failed. This is most likely due to {cause}. Please ensure that "
            f"you have not altered the graph expected based on the checkpoint. Original error:\n\n{detail}")


def _tf_type_name(dtype) -> str:
    # TF's C++ name of a dtype, as its error messages write it ("float", "double", "int32").
    from ortflow.proto import types_pb2

    return types_pb2.DataType.Name(dtype.base_dtype.as_datatype_enum)[3:].lower()


def _variable_shape(graph: Graph, op_name: str) -> TensorShape | None:
    # The declared shape of a variable op (VariableV2 / VarHandleOp), or None when not declared.
    try:
        op = graph.get_operation_by_name(op_name)
        shape = op.get_attr("shape")
    except (KeyError, ValueError):
        return None
    shape = TensorShape(shape)
    return shape if shape.rank is not None else None


def _scoped_saver_def(saver_def: SaverDef, scope: str) -> SaverDef:
    out = SaverDef()
    out.CopyFrom(saver_def)
    prefix = scope.rstrip("/") + "/"
    for field in ("filename_tensor_name", "save_tensor_name", "restore_op_name"):
        value = getattr(out, field)
        if value and not value.startswith(prefix):
            setattr(out, field, prefix + value)
    return out


def _group_by_device(graph: Graph, entries: list[SaveEntry]) -> list[tuple[str, list[SaveEntry]]]:
    """(device, entries) per device of the variables, devices sorted by name: TF's shard order."""
    groups: dict[str, list[SaveEntry]] = {}
    for e in entries:
        device = canonical_device(graph.get_operation_by_name(e.op_name).device)
        groups.setdefault(device, []).append(e)
    return sorted(groups.items(), key=lambda item: item[0])


def _write_entries(prefix: str, entries: list[SaveEntry], values: dict,
                   groups: list[tuple[str, list[SaveEntry]]] | None = None) -> None:
    from ortflow.formats.bundle import BundleWriter
    if groups is None:
        groups = [("", entries)]
    writer = BundleWriter(prefix, num_shards=len(groups))
    try:
        for shard, (_, group) in enumerate(groups):
            for e in group:
                if e.op_name not in values:
                    raise GraphError(f"The session returned no value for variable {e.op_name!r}")
                value = np.asarray(values[e.op_name])
                if e.slice_spec:
                    parts = e.slice_spec.split()
                    writer.add_slice(e.key, [int(p) for p in parts[:-1]], parts[-1], value, shard=shard)
                else:
                    writer.add(e.key, value, shard=shard)
        writer.finish()
    except BaseException:
        writer.abort()
        raise


# -- the TensorFlow-shaped nodes ---------------------------------------------------------------

def _string_const(graph: Graph, values, name: str) -> Tensor:
    array = np.array([v.encode() if isinstance(v, str) else v for v in values], dtype=object) \
        if isinstance(values, (list, tuple)) else np.array(values.encode() if isinstance(values, str) else values,
                                                          dtype=object)
    proto = make_tensor_proto(array, dtype=_dtypes.string)
    return graph.create_op("Const", [], attrs={"dtype": _dtypes.string, "value": proto}, name=name).outputs[0]


def _build_save_restore_ops(graph: Graph, entries: list[SaveEntry], name: str, filename: str,
                            keeper, groups: list[tuple[str, list[SaveEntry]]] | None = None) -> SaverDef:
    with graph.as_default(), graph.name_scope(name):
        with graph.name_scope("filename") as exact:
            default = _string_const(graph, filename, "input")
            fname = graph.create_op("PlaceholderWithDefault", [default],
                                    attrs={"dtype": _dtypes.string, "shape": TensorShape([])}, name=exact)
        prefix = graph.create_op("PlaceholderWithDefault", [fname.outputs[0]],
                                 attrs={"dtype": _dtypes.string, "shape": TensorShape([])}, name="Const").outputs[0]
        if groups is None:
            save_tensor = _build_save(graph, entries, prefix)
            restore_op = _build_restore(graph, entries, prefix)
        else:
            save_tensor = _build_sharded_save(graph, groups, prefix)
            restore_op = _build_sharded_restore(graph, groups, prefix)
    return SaverDef(filename_tensor_name=prefix.name, save_tensor_name=save_tensor.name,
                    restore_op_name=restore_op.name, max_to_keep=keeper.max_to_keep,
                    keep_checkpoint_every_n_hours=keeper.keep_checkpoint_every_n_hours,
                    version=SaverDef.V2)


def _build_save(graph: Graph, entries: list[SaveEntry], prefix: Tensor) -> Tensor:
    with graph.name_scope("SaveV2") as exact:
        names = _string_const(graph, [e.key for e in entries], "tensor_names")
        slices = _string_const(graph, [e.slice_spec for e in entries], "shape_and_slices")
        tensors = [e.tensor for e in entries]
        save = graph.create_op("SaveV2", [prefix, names, slices, *tensors],
                               attrs={"dtypes": [e.dtype for e in entries]}, name=exact)
    with graph.colocate_with(prefix.op):
        done = graph.create_op("Identity", [prefix], attrs={"T": _dtypes.string}, name="control_dependency",
                               control_inputs=[save])
    return done.outputs[0]


def _cpu0(device: str) -> str:
    # The CPU:0 of the device's job/task: where TF puts a shard's file operations.
    head = device.split("/device:", 1)[0] if device else ""
    return head + "/device:CPU:0"


def _scalar_const(graph: Graph, value, dtype, name: str) -> Tensor:
    proto = make_tensor_proto(np.array(value, dtype=dtype.as_numpy_dtype), dtype=dtype)
    return graph.create_op("Const", [], attrs={"dtype": dtype, "value": proto}, name=name).outputs[0]


def _build_sharded_save(graph: Graph, groups, prefix: Tensor) -> Tensor:
    # As TF: each shard is saved to "<prefix>_temp/part-0000i-of-0000n", then merged into prefix.
    with graph.device("/device:CPU:*"):
        is_s3 = graph.create_op("StaticRegexFullMatch", [prefix], attrs={"pattern": b"^s3://.*"},
                                name="StaticRegexFullMatch").outputs[0]
        s3_suffix = _string_const(graph, ".part", "Const")
        temp_suffix = _string_const(graph, "_temp/part", "Const")
        suffix = graph.create_op("Select", [is_s3, s3_suffix, temp_suffix], attrs={"T": _dtypes.string},
                                 name="Select").outputs[0]
        temp_prefix = graph.create_op("StringJoin", [prefix, suffix], attrs={"N": 2, "separator": b""},
                                      name="StringJoin").outputs[0]
    for t in (is_s3, s3_suffix, temp_suffix, suffix, temp_prefix):
        t.op._node_def.device = "/device:CPU:*"  # TF's spelling ("any CPU"); canonical form drops ":*"
    num_shards = _scalar_const(graph, len(groups), _dtypes.int32, "num_shards")
    shard_files, done = [], []
    for shard, (device, group) in enumerate(groups):
        with graph.device(_cpu0(device)):
            with graph.name_scope("ShardedFilename") as exact:
                index = _scalar_const(graph, shard, _dtypes.int32, "shard")
                shard_file = graph.create_op("ShardedFilename", [temp_prefix, index, num_shards],
                                             name=exact).outputs[0]
            shard_files.append(shard_file)
            done.append(_build_save(graph, group, shard_file).op)
    with graph.device(_cpu0(groups[-1][0])):
        with graph.name_scope("MergeV2Checkpoints") as exact:
            packed = graph.create_op("Pack", shard_files, attrs={"N": len(shard_files), "T": _dtypes.string,
                                                                 "axis": 0},
                                     name="checkpoint_prefixes", control_inputs=done).outputs[0]
            merge = graph.create_op("MergeV2Checkpoints", [packed, prefix], attrs={"delete_old_dirs": True},
                                    name=exact)
        return graph.create_op("Identity", [prefix], attrs={"T": _dtypes.string}, name="Identity",
                               control_inputs=[merge, *done]).outputs[0]


def _build_sharded_restore(graph: Graph, groups, prefix: Tensor) -> Operation:
    shard_ops = []
    for device, group in groups:
        with graph.device(device):
            shard_ops.append(_build_restore(graph, group, prefix, name="restore_shard"))
    with graph.name_scope("restore_all") as exact:
        waits = []
        for (device, _), shard_op in zip(groups, shard_ops):
            with graph.device(device):
                waits.append(graph.create_op("NoOp", [], name="NoOp", control_inputs=[shard_op]))
        return graph.create_op("NoOp", [], name=exact, control_inputs=waits)


def _build_restore(graph: Graph, entries: list[SaveEntry], prefix: Tensor,
                   name: str = "restore_all") -> Operation:
    with graph.device("/device:CPU:0"):
        with graph.name_scope("RestoreV2") as exact:
            names = _string_const(graph, [e.key for e in entries], "tensor_names")
            slices = _string_const(graph, [e.slice_spec for e in entries], "shape_and_slices")
            restore = graph.create_op("RestoreV2", [prefix, names, slices],
                                      attrs={"dtypes": [e.dtype for e in entries]}, name=exact)
    assigns = []
    for i, e in enumerate(entries):
        var = graph.get_operation_by_name(e.op_name)
        value = restore.outputs[i]
        if var.type == "VarHandleOp":
            ident = graph.create_op("Identity", [value], attrs={"T": e.dtype}, name="Identity")
            assigns.append(graph.create_op("AssignVariableOp", [var.outputs[0], ident.outputs[0]],
                                           attrs={"dtype": e.dtype}, name="AssignVariableOp"))
        else:
            with graph.colocate_with(var):
                assigns.append(graph.create_op("Assign", [var.outputs[0], value],
                                               attrs={"T": e.dtype, "validate_shape": True, "use_locking": True},
                                               name="Assign"))
    return graph.create_op("NoOp", [], name=name, control_inputs=assigns)
