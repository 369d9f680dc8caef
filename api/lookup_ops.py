"""`tf.lookup`: hash tables that map keys to values, held by the session like variables.

The tables build TensorFlow's nodes (`HashTableV2`, `LookupTableImportV2`,
`InitializeTableFromTextFileV2`, `LookupTableFindV2`, ...) with TensorFlow's names; a Session
runs them through `runtime/tables.py`, which turns each table into session state.
"""

from __future__ import annotations

import types as _types
import uuid

from ortflow.api.ops_builder import apply_op, apply_op_output, convert_to_tensor
from ortflow.formats import dtypes as _dtypes
from ortflow.graph import GraphKeys, get_default_graph

__all__ = [
    "DenseHashTable",
    "HashTable",
    "IdTableWithHashBuckets",
    "KeyValueTensorInitializer",
    "MutableDenseHashTable",
    "MutableHashTable",
    "StaticHashTable",
    "StaticVocabularyTable",
    "TextFileIndex",
    "TextFileInitializer",
    "experimental",
    "index_table_from_file",
    "index_table_from_tensor",
    "index_to_string_table_from_file",
    "index_to_string_table_from_tensor",
]



def _is_sparse(keys) -> bool:
    from ortflow.graph.sparse_tensor import SparseTensor, SparseTensorValue

    return isinstance(keys, (SparseTensor, SparseTensorValue))


def _sparse_lookup(table, keys, name):
    # As TensorFlow: the values are looked up, indices and dense_shape pass through.
    from ortflow.graph.sparse_tensor import SparseTensor, SparseTensorValue

    if isinstance(keys, SparseTensorValue):
        keys = SparseTensor.from_value(keys)
    return SparseTensor(keys.indices, table.lookup(keys.values, name=name), keys.dense_shape)

class KeyValueTensorInitializer:
    """Fills a table from a tensor of keys and a tensor of values (`tf.lookup.KeyValueTensorInitializer`).

    Args:
        keys: the keys, a tensor or a Python list (converted to a Const named "keys").
        values: the values, one per key.
        key_dtype, value_dtype: dtypes to convert `keys` / `values` to.
        name: the name scope of the initializer op (default "key_value_init").
    """

    def __init__(self, keys, values, key_dtype=None, value_dtype=None, name=None):
        self._keys = convert_to_tensor(keys, dtype=key_dtype, name="keys")
        self._values = convert_to_tensor(values, dtype=value_dtype, name="values")
        self._name = name if name is not None else "key_value_init"
        self.key_dtype = self._keys.dtype.base_dtype
        self.value_dtype = self._values.dtype.base_dtype

    def _shared_name(self) -> str:
        return f"hash_table_{uuid.uuid4()}"

    def initialize(self, table):
        """Adds the op filling `table` (also to the `table_initializer` collection); returns it."""
        g = get_default_graph()
        with g.name_scope(self._name):
            op = apply_op("LookupTableImportV2", [table.resource_handle, self._keys, self._values],
                          name="LookupTableImportV2")
        _mark_manual_control(op)
        g.add_to_collection(GraphKeys.TABLE_INITIALIZERS, op)
        return op


class TextFileIndex:
    """Column selectors of `TextFileInitializer`: the whole line, or the line number."""

    WHOLE_LINE = -2
    LINE_NUMBER = -1


class TextFileInitializer:
    """Fills a table from a text file, one entry per line (`tf.lookup.TextFileInitializer`).

    Args:
        filename: the file's path (a string or a scalar string tensor; a string becomes a Const
            named "asset_path", added to the `asset_filepaths` collection).
        key_dtype, key_index: the keys' dtype and column (`TextFileIndex.WHOLE_LINE`,
            `TextFileIndex.LINE_NUMBER` or a field number counted from 0).
        value_dtype, value_index: the same for the values.
        vocab_size: read only this many lines (None: all).
        delimiter: the field separator.
        name: the name scope of the initializer op (default "text_file_init").
        value_index_offset: added to line numbers.
    """

    def __init__(self, filename, key_dtype, key_index, value_dtype, value_index, vocab_size=None,
                 delimiter="\t", name=None, value_index_offset=0):
        self.key_dtype = _dtypes.as_dtype(key_dtype)
        self.value_dtype = _dtypes.as_dtype(value_dtype)
        _check_column("key", key_index, self.key_dtype)
        _check_column("value", value_index, self.value_dtype)
        if vocab_size is not None and vocab_size <= 0:
            raise ValueError(f"Invalid vocab_size value {vocab_size!r}: it must be positive.")
        self._filename_arg = filename
        self._key_index = key_index
        self._value_index = value_index
        self._vocab_size = vocab_size
        self._delimiter = delimiter
        self._offset = value_index_offset
        self._name = name if name is not None else "text_file_init"
        self._filename = convert_to_tensor(filename, dtype=_dtypes.string, name="asset_path")
        if self._filename.op.type == "Const":
            get_default_graph().add_to_collection(GraphKeys.ASSET_FILEPATHS, self._filename)

    def _shared_name(self) -> str:
        name = f"hash_table_{self._filename_arg}_{self._key_index}_{self._value_index}"
        if self._vocab_size is not None:
            name = f"hash_table_{self._filename_arg}_{self._vocab_size}_{self._key_index}_{self._value_index}"
        return name

    def initialize(self, table):
        """Adds the op filling `table` (also to the `table_initializer` collection); returns it."""
        g = get_default_graph()
        attrs = {"key_index": self._key_index, "value_index": self._value_index,
                 "vocab_size": -1 if self._vocab_size is None else self._vocab_size,
                 "delimiter": self._delimiter, "offset": self._offset}
        with g.name_scope(self._name):
            op = apply_op("InitializeTableFromTextFileV2", [table.resource_handle, self._filename], attrs,
                          name="InitializeTableFromTextFileV2")
        g.add_to_collection(GraphKeys.TABLE_INITIALIZERS, op)
        return op


def _check_column(what: str, index: int, dtype) -> None:
    if index == TextFileIndex.LINE_NUMBER and dtype != _dtypes.int64:
        raise ValueError(f"`{what}_dtype` must be int64 if `{what}_index` is {index}, received: {dtype.name}")
    if index == TextFileIndex.WHOLE_LINE and dtype != _dtypes.string and not (dtype.is_integer or dtype.is_floating):
        raise ValueError(f"`{what}_dtype` must be a string or a number if `{what}_index` is {index}, "
                         f"received: {dtype.name}")
    if index < TextFileIndex.WHOLE_LINE:
        raise ValueError(f"Invalid `{what}_index` {index!r}: it must be >= {TextFileIndex.WHOLE_LINE}.")


def _mark_manual_control(op) -> None:
    from ortflow.api.ops_builder import set_internal_attr

    set_internal_attr(op, "_has_manual_control_dependencies", True)


class _Table:
    """What every table exposes: its handle, name and dtypes, and the value of a missing key."""

    @property
    def resource_handle(self):
        """The table's handle tensor (the table op's output)."""
        return self._resource_handle

    @property
    def name(self) -> str:
        """The last component of the table op's name (TF names the table's ops after it)."""
        return self._resource_handle.op.name.split("/")[-1]

    @property
    def key_dtype(self):
        return self._key_dtype

    @property
    def value_dtype(self):
        return self._value_dtype

    @property
    def default_value(self):
        return self._default_value


class StaticHashTable(_Table):
    """A table filled once by its initializer and read-only after (`tf.lookup.StaticHashTable`).

    Args:
        initializer: a `KeyValueTensorInitializer` or `TextFileInitializer`.
        default_value: what `lookup` returns for a missing key.
        name: the table op's name (default "hash_table").

    Example:
        >>> init = KeyValueTensorInitializer(["a", "b"], [1, 2], value_dtype=int64)  # doctest: +SKIP
        >>> table = StaticHashTable(init, -1)                                       # doctest: +SKIP
        >>> ids = table.lookup(words)   # run tables_initializer() first             # doctest: +SKIP
    """

    def __init__(self, initializer, default_value, name=None):
        self._initializer = initializer
        self._key_dtype = initializer.key_dtype
        self._value_dtype = initializer.value_dtype
        self._default_value = convert_to_tensor(default_value, dtype=self._value_dtype)
        attrs = {"shared_name": initializer._shared_name(), "key_dtype": self._key_dtype,
                 "value_dtype": self._value_dtype, "container": "", "use_node_name_sharing": False}
        self._resource_handle = apply_op_output("HashTableV2", [], attrs, name=name or "hash_table")
        self._init_op = initializer.initialize(self)

    @property
    def initializer(self):
        """The op that fills the table."""
        return self._init_op

    def lookup(self, keys, name=None):
        """The value of each of `keys` (the default for missing ones), in the keys' shape.

        A SparseTensor of keys gives a SparseTensor of values at the same indices.
        """
        if _is_sparse(keys):
            return _sparse_lookup(self, keys, name)
        g = get_default_graph()
        with g.name_scope(name or f"{self.name}_Lookup"):
            keys = convert_to_tensor(keys, dtype=self._key_dtype, name="keys")
            return apply_op_output("LookupTableFindV2", [self._resource_handle, keys, self._default_value],
                                   name="LookupTableFindV2")

    def size(self, name=None):
        """The number of entries, an int64 scalar."""
        with get_default_graph().name_scope(name or f"{self.name}_Size"):
            return apply_op_output("LookupTableSizeV2", [self._resource_handle], name="LookupTableSizeV2")

    def export(self, name=None):
        """(keys, values): the table's contents."""
        with get_default_graph().name_scope(name or f"{self.name}_Export"):
            op = apply_op("LookupTableExportV2", [self._resource_handle],
                          {"Tkeys": self._key_dtype, "Tvalues": self._value_dtype},
                          name="LookupTableExportV2")
        return op.outputs[0], op.outputs[1]

    def __getitem__(self, keys):
        return self.lookup(keys)


HashTable = StaticHashTable  # tf.contrib.lookup.HashTable (TF 1.x) is the same table


class IdTableWithHashBuckets:
    """A string-to-id table whose unknown keys hash into `num_oov_buckets` ids past its size.

    Ids are the table's values for known keys and `size + StringToHashBucketFast(key, buckets)`
    for the others (integer keys are hashed as their decimal strings), as TensorFlow's
    `IdTableWithHashBuckets` and `StaticVocabularyTable`.
    """

    def __init__(self, table, num_oov_buckets, hasher_spec=None, name=None, key_dtype=None):
        if num_oov_buckets <= 0:
            raise ValueError(f"num_oov_buckets must be > 0, got {num_oov_buckets!r}.")
        if hasher_spec is not None:
            raise NotImplementedError("ortflow hashes unknown keys with StringToHashBucketFast only "
                                      "(hasher_spec=None, TensorFlow's default FastHashSpec).")
        if table.value_dtype != _dtypes.int64:
            raise TypeError(f"Invalid value dtype {table.value_dtype.name}: the table's values must be int64.")
        self._table = table
        self._num_oov_buckets = num_oov_buckets
        self._key_dtype = _dtypes.as_dtype(key_dtype) if key_dtype else table.key_dtype

    @property
    def name(self) -> str:
        return self._table.name

    @property
    def resource_handle(self):
        return self._table.resource_handle

    @property
    def key_dtype(self):
        return self._key_dtype

    @property
    def value_dtype(self):
        return _dtypes.int64

    @property
    def initializer(self):
        return self._table.initializer

    def size(self, name=None):
        """Vocabulary size plus the number of OOV buckets."""
        with get_default_graph().name_scope(name or f"{self.name}_Size"):
            size = self._table.size()
            return apply_op_output("AddV2", [size, convert_to_tensor(self._num_oov_buckets, _dtypes.int64,
                                                                     name="y")], name="Add")

    def lookup(self, keys, name=None):
        """Ids of `keys`: vocabulary ids, or hashed ids past the vocabulary for unknown keys.

        A SparseTensor of keys gives a SparseTensor of ids at the same indices.
        """
        if _is_sparse(keys):
            return _sparse_lookup(self, keys, name)
        g = get_default_graph()
        with g.name_scope(name or f"{self.name}_Lookup"):
            keys = convert_to_tensor(keys, dtype=self._key_dtype, name="keys")
            strings = keys
            if keys.dtype.base_dtype != _dtypes.string:
                strings = apply_op_output("AsString", [keys], name="AsString")
            buckets = apply_op_output("StringToHashBucketFast", [strings], {"num_buckets": self._num_oov_buckets},
                                      name="hash_bucket")
            ids = self._table.lookup(keys)
            buckets = apply_op_output("AddV2", [buckets, self._table.size()], name="Add")
            known = apply_op_output("NotEqual", [ids, self._table.default_value], name="NotEqual")
            return apply_op_output("SelectV2", [known, ids, buckets], name="SelectV2")


class StaticVocabularyTable(IdTableWithHashBuckets):
    """`tf.lookup.StaticVocabularyTable`: a vocabulary's ids, unknown keys hashed into
    `num_oov_buckets` extra ids (see `IdTableWithHashBuckets`)."""

    def __init__(self, initializer, num_oov_buckets, lookup_key_dtype=None, name=None):
        if num_oov_buckets <= 0:
            raise ValueError(f"num_oov_buckets must be > 0, got {num_oov_buckets!r}.")
        if initializer.value_dtype != _dtypes.int64:
            raise TypeError(f"Invalid value dtype {initializer.value_dtype.name}: the vocabulary "
                            "table's values must be int64.")
        super().__init__(StaticHashTable(initializer, -1, name=name), num_oov_buckets,
                         key_dtype=lookup_key_dtype or initializer.key_dtype)


# -- TF 1.x vocabulary helpers (tf.contrib.lookup; tensorflow.python.ops.lookup_ops) -------------

def _id_range(vocabulary):
    # [0, n) as int64, built as TF builds it: Size, Range, Cast.
    from ortflow.api import array_ops, math_ops

    count = array_ops.size(vocabulary)
    return math_ops.cast(array_ops.range(count), _dtypes.int64)


def index_table_from_tensor(vocabulary_list, num_oov_buckets=0, default_value=-1, hasher_spec=None,
                            dtype=_dtypes.string, name=None):
    """A table mapping each word of `vocabulary_list` to its position (TF 1.x's
    `tf.contrib.lookup.index_table_from_tensor`); others map to `default_value`, or hash into
    `num_oov_buckets` ids past the vocabulary.

    Raises:
        ValueError: for a missing vocabulary or keys whose dtype disagrees with `dtype`.
    """
    if vocabulary_list is None:
        raise ValueError("`vocabulary_list` must be specified.")
    if num_oov_buckets < 0:
        raise ValueError(f"num_oov_buckets must be greater or equal than 0, got {num_oov_buckets}.")
    dtype = _dtypes.as_dtype(dtype)
    g = get_default_graph()
    with g.name_scope(name or "string_to_index"):
        keys = convert_to_tensor(vocabulary_list)
        if keys.dtype.base_dtype.is_integer != dtype.is_integer:
            raise ValueError(f"Invalid `dtype`: Expected {'integer' if keys.dtype.is_integer else 'non-integer'}, "
                             f"got {dtype.name}.")
        values = _id_range(keys)
        with g.name_scope("hash_table"):
            if keys.dtype.base_dtype.is_integer and keys.dtype.base_dtype != _dtypes.int64:
                from ortflow.api import math_ops

                keys = math_ops.cast(keys, _dtypes.int64)
            init = KeyValueTensorInitializer(keys, values, keys.dtype.base_dtype, _dtypes.int64, name="table_init")
            table = StaticHashTable(init, default_value)
        if num_oov_buckets:
            table = IdTableWithHashBuckets(table, num_oov_buckets, hasher_spec, key_dtype=dtype)
        return table


def index_table_from_file(vocabulary_file=None, num_oov_buckets=0, vocab_size=None, default_value=-1,
                          hasher_spec=None, key_dtype=_dtypes.string, name=None,
                          key_column_index=TextFileIndex.WHOLE_LINE, value_column_index=TextFileIndex.LINE_NUMBER,
                          delimiter="\t"):
    """A table mapping each line (or column) of a vocabulary file to its line number (TF 1.x's
    `index_table_from_file`), with optional OOV buckets as `index_table_from_tensor`."""
    if vocabulary_file is None or (isinstance(vocabulary_file, str) and not vocabulary_file):
        raise ValueError("vocabulary_file must be specified and must not be empty.")
    if num_oov_buckets < 0:
        raise ValueError(f"num_oov_buckets must be greater or equal than 0, got {num_oov_buckets}.")
    if vocab_size is not None and vocab_size < 1:
        raise ValueError(f"vocab_size must be greater than 0, got {vocab_size}.")
    key_dtype = _dtypes.as_dtype(key_dtype)
    g = get_default_graph()
    with g.name_scope(name or "string_to_index"):
        with g.name_scope("hash_table"):
            init = TextFileInitializer(vocabulary_file, _dtypes.int64 if key_dtype.is_integer else key_dtype,
                                       key_column_index, _dtypes.int64, value_column_index, vocab_size, delimiter,
                                       name="table_init")
            table = StaticHashTable(init, default_value)
        if num_oov_buckets:
            table = IdTableWithHashBuckets(table, num_oov_buckets, hasher_spec, key_dtype=key_dtype)
        return table


def index_to_string_table_from_tensor(vocabulary_list, default_value="UNK", name=None):
    """A table mapping int64 ids to the words of `vocabulary_list` (`default_value` past its end)."""
    if vocabulary_list is None:
        raise ValueError("`vocabulary_list` must be specified.")
    with get_default_graph().name_scope(name or "index_to_string"):
        words = convert_to_tensor(vocabulary_list, dtype=_dtypes.string)
        init = KeyValueTensorInitializer(_id_range(words), words, _dtypes.int64, _dtypes.string, name="table_init")
        return StaticHashTable(init, default_value)


def index_to_string_table_from_file(vocabulary_file, vocab_size=None, default_value="UNK", name=None,
                                    key_column_index=TextFileIndex.LINE_NUMBER,
                                    value_column_index=TextFileIndex.WHOLE_LINE, delimiter="\t"):
    """A table mapping line numbers of a vocabulary file to its lines (or a column of them)."""
    if vocabulary_file is None or (isinstance(vocabulary_file, str) and not vocabulary_file):
        raise ValueError("vocabulary_file must be specified and must not be empty.")
    if vocab_size is not None and vocab_size < 1:
        raise ValueError(f"vocab_size must be greater than 0, got {vocab_size}.")
    with get_default_graph().name_scope(name or "index_to_string"):
        init = TextFileInitializer(vocabulary_file, _dtypes.int64, key_column_index, _dtypes.string,
                                   value_column_index, vocab_size, delimiter, name="table_init")
        return StaticHashTable(init, default_value)


# -- mutable tables (tf.lookup.experimental / tf.contrib.lookup) ---------------------------------

class MutableHashTable(_Table):
    """A table whose entries `insert` adds or replaces and `remove` drops
    (`tf.lookup.experimental.MutableHashTable`, TF 1.x's `tf.contrib.lookup.MutableHashTable`).

    A Session's table starts empty; each Session holds its own contents. A non-scalar
    `default_value` makes a table of tensors (`MutableHashTableOfTensorsV2`) whose values have
    the default's shape.

    Args:
        key_dtype, value_dtype: the dtypes of keys and values.
        default_value: what `lookup` returns for a missing key.
        name: the table op's name and the prefix of its ops' scopes (default "MutableHashTable").
        checkpoint: whether TensorFlow's Saver would save the table; as TensorFlow, True builds
            the export op its saveable reads. ortflow's own Saver does not save tables.
    """

    _DEFAULT_NAME = "MutableHashTable"

    def __init__(self, key_dtype, value_dtype, default_value, name=None, checkpoint=True):
        self._key_dtype = _dtypes.as_dtype(key_dtype)
        self._value_dtype = _dtypes.as_dtype(value_dtype)
        self._default_value = convert_to_tensor(default_value, dtype=self._value_dtype)
        self._value_shape = self._default_value.shape
        self._name = name or self._DEFAULT_NAME
        self._checkpoint = checkpoint
        self._resource_handle = self._create_table()
        if checkpoint:
            self.export()  # TensorFlow's saveable builds one export op with the table, in graph mode

    def _create_table(self):
        attrs = {"shared_name": "", "use_node_name_sharing": True, "key_dtype": self._key_dtype,
                 "value_dtype": self._value_dtype, "container": ""}
        if self._value_shape.ndims:
            attrs["value_shape"] = self._value_shape
            return apply_op_output("MutableHashTableOfTensorsV2", [], attrs, name=self._name)
        return apply_op_output("MutableHashTableV2", [], attrs, name=self._name)

    def _scoped(self, name, suffix):
        return get_default_graph().name_scope(name or f"{self.name}_{suffix}")

    def _keys(self, keys):
        # As TensorFlow: a tensor of another dtype is a TypeError (ValueError from a lookup's
        # conversion), Python values are converted.
        dtype = getattr(keys, "dtype", None)
        if isinstance(dtype, _dtypes.DType) and dtype.base_dtype != self._key_dtype:
            raise TypeError(f"Signature mismatch. Keys must be dtype {self._key_dtype.name}, "
                            f"got {dtype.base_dtype.name}.")
        return convert_to_tensor(keys, dtype=self._key_dtype, name="keys")

    def insert(self, keys, values, name=None):
        """The op that sets the value of each of `keys` (added or replaced; of repeated keys the
        last wins). `values` has the keys' shape plus the table's value shape."""
        g = get_default_graph()
        with self._scoped(name, "lookup_table_insert"):
            keys = self._keys(keys)
            values = convert_to_tensor(values, dtype=self._value_dtype, name="values")
            with g.colocate_with(self._resource_handle):
                return apply_op("LookupTableInsertV2", [self._resource_handle, keys, values],
                                name="LookupTableInsertV2")

    def remove(self, keys, name=None):
        """The op that drops `keys` from the table (missing keys are ignored)."""
        with self._scoped(name, "lookup_table_remove"):
            keys = self._keys(keys)
            return apply_op("LookupTableRemoveV2", [self._resource_handle, keys], name="LookupTableRemoveV2")

    def lookup(self, keys, dynamic_default_values=None, name=None):
        """The value of each of `keys` (the default for missing ones): shape keys' shape plus the
        table's value shape."""
        g = get_default_graph()
        with self._scoped(name, "lookup_table_find"):
            keys = convert_to_tensor(keys, dtype=self._key_dtype, name="keys")
            default = self._default_value if dynamic_default_values is None else dynamic_default_values
            with g.colocate_with(self._resource_handle):
                return apply_op_output("LookupTableFindV2", [self._resource_handle, keys, default],
                                       name="LookupTableFindV2")

    def size(self, name=None):
        """The number of entries, an int64 scalar."""
        g = get_default_graph()
        with self._scoped(name, "Size"), g.colocate_with(self._resource_handle):
            return apply_op_output("LookupTableSizeV2", [self._resource_handle], name="LookupTableSizeV2")

    def export(self, name=None):
        """(keys, values): the table's contents, in no particular order."""
        g = get_default_graph()
        with self._scoped(name, "lookup_table_export_values"), g.colocate_with(self._resource_handle):
            op = apply_op("LookupTableExportV2", [self._resource_handle],
                          {"Tkeys": self._key_dtype, "Tvalues": self._value_dtype},
                          name="LookupTableExportV2")
        return op.outputs[0], op.outputs[1]

    def __getitem__(self, keys):
        return self.lookup(keys)


class DenseHashTable(MutableHashTable):
    """A mutable table TensorFlow keeps as open addressing (`tf.lookup.experimental.DenseHashTable`,
    TF 1.x's `tf.contrib.lookup.MutableDenseHashTable`); ortflow holds it as `MutableHashTable`.

    Args:
        key_dtype, value_dtype, default_value, name: as `MutableHashTable` (default name
            "MutableDenseHashTable").
        empty_key, deleted_key: two keys reserved by the table, never inserted.
        initial_num_buckets, max_load_factor: the attrs of TensorFlow's table op (kept, unused).
        checkpoint: accepted for TensorFlow's signature.
    """

    _DEFAULT_NAME = "MutableDenseHashTable"

    def __init__(self, key_dtype, value_dtype, default_value, empty_key, deleted_key,
                 initial_num_buckets=None, name=None, checkpoint=True, experimental_is_anonymous=False):
        self._key_dtype = _dtypes.as_dtype(key_dtype)
        self._value_dtype = _dtypes.as_dtype(value_dtype)
        self._default_value = convert_to_tensor(default_value, dtype=self._value_dtype, name="default_value")
        self._value_shape = self._default_value.shape
        self._empty_key = convert_to_tensor(empty_key, dtype=self._key_dtype, name="empty_key")
        self._deleted_key = convert_to_tensor(deleted_key, dtype=self._key_dtype, name="deleted_key")
        self._initial_num_buckets = initial_num_buckets if initial_num_buckets else 2 ** 17
        self._name = name or self._DEFAULT_NAME
        self._checkpoint = checkpoint
        self._resource_handle = self._create_table()
        if checkpoint:
            self.export()

    def _create_table(self):
        attrs = {"shared_name": "", "use_node_name_sharing": True, "key_dtype": self._key_dtype,
                 "value_dtype": self._value_dtype, "container": "", "value_shape": self._value_shape,
                 "initial_num_buckets": self._initial_num_buckets, "max_load_factor": 0.8}
        return apply_op_output("MutableDenseHashTableV2", [self._empty_key, self._deleted_key], attrs,
                               name=self._name)


MutableDenseHashTable = DenseHashTable  # tf.contrib.lookup (TF 1.x)

experimental = _types.SimpleNamespace(DenseHashTable=DenseHashTable, MutableHashTable=MutableHashTable)
