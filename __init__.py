"""ortflow: TensorFlow 1.x model files without TensorFlow.

Read, inspect, freeze, convert to ONNX and run GraphDefs, MetaGraphDefs, checkpoints and
SavedModels, with an API shaped like `tf.compat.v1`, so a TF 1.x script can switch with
`import ortflow as tf`:

    import ortflow as tf
    graph_def = tf.io.read_graph("frozen.pb")
    with tf.Graph().as_default() as g:
        tf.import_graph_def(graph_def, name="")
        with tf.Session(graph=g) as sess:
            probs = sess.run("probs:0", feed_dict={"images:0": images})

Everything here is loaded on first use (PEP 562), so `import ortflow` stays light: the
table below is the whole public surface and says where each name lives.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys

__version__ = "0.1.0"

# name -> (module, attribute). The tf.compat.v1 graph-building functions (constant,
# placeholder, Variable, matmul, ...) come from ortflow.api.tf_v1, looked up last.
_NAMES: dict[str, tuple[str, str]] = {}


def _add(module: str, *names: str) -> None:
    for n in names:
        _NAMES[n] = (module, n)


_add("ortflow.formats.dtypes", "DType", "as_dtype", "bfloat16", "bool", "complex64", "complex128",
     "double", "float16", "float32", "float64", "half", "int8", "int16", "int32", "int64", "qint8",
     "qint16", "qint32", "quint8", "quint16", "resource", "string", "uint8", "uint16", "uint32",
     "uint64", "variant")
_add("ortflow.proto", "AttrValue", "CollectionDef", "Event", "FunctionDef", "FunctionDefLibrary",
     "GraphDef", "HistogramProto", "MetaGraphDef", "NameAttrList", "NodeDef", "OpDef", "SavedModel",
     "SaverDef", "SessionLog", "SignatureDef", "Summary", "SummaryMetadata", "TensorInfo",
     "TensorProto", "TensorShapeProto", "VariableDef", "VersionDef")
_add("ortflow.formats.tensors", "make_tensor_proto", "make_ndarray")
_add("ortflow.graph", "Graph", "Operation", "Tensor", "TensorShape", "GraphKeys",
     "get_default_graph", "reset_default_graph", "import_graph_def", "get_default_session")
_add("ortflow.runtime", "Session", "InteractiveSession", "ConfigProto", "GPUOptions", "RunOptions",
     "RunMetadata", "OptimizerOptions", "GraphOptions", "report_uninitialized_variables")
_add("ortflow.api.linalg", "cholesky", "einsum", "eye", "matrix_transpose", "norm", "qr", "trace")
# TF 1.x's top-level diag/diag_part are the tensor Diag/DiagPart ops (tf.linalg's are the matrix ones).
_NAMES["diag"] = ("ortflow.api.linalg", "tensor_diag")
_NAMES["diag_part"] = ("ortflow.api.linalg", "tensor_diag_part")
_add("ortflow.graph.core", "GRAPH_DEF_VERSION", "GRAPH_DEF_VERSION_MIN_CONSUMER")
_add("ortflow.converters", "convert")
_add("ortflow.errors", "OpError")

# Sub-namespaces shaped like TensorFlow's (tf.train, tf.io, ...). Several share a name with
# a standard-library module (io, math, random, signal), so they live under ortflow.api and
# are aliased here; `import ortflow.io` works through the finder below.
_SUBMODULES: dict[str, str] = {
    "errors": "ortflow.errors",
    "dtypes": "ortflow.formats.dtypes",
    "train": "ortflow.api.train",
    "io": "ortflow.api.io",
    "python_io": "ortflow.api.python_io",
    "graph_util": "ortflow.api.graph_util",
    "saved_model": "ortflow.api.saved_model",
    "gfile": "ortflow.api.gfile",
    "summary": "ortflow.api.summary",
    "nn": "ortflow.api.nn",
    "math": "ortflow.api.math_ops",
    "linalg": "ortflow.api.linalg",
    "image": "ortflow.api.image",
    "signal": "ortflow.api.signal",
    "random": "ortflow.api.random_ops",
    "losses": "ortflow.api.losses",
    "metrics": "ortflow.api.metrics",
    "initializers": "ortflow.api.initializers",
    "compat": "ortflow.api.compat",
    "layers": "ortflow.api.layers",
    "strings": "ortflow.api.strings",
    "sparse": "ortflow.api.sparse_ops",
    "app": "ortflow.api.tf_app",
    "flags": "ortflow.api.tf_flags",
    "logging": "ortflow.api.tf_logging",
    "test": "ortflow.api.tf_test",
    "debugging": "ortflow.api.debugging",
    "lookup": "ortflow.api.lookup_ops",
    "spectral": "ortflow.api.signal",
    "bitwise": "ortflow.api.bitwise",
    "contrib": "ortflow.api.contrib",
    "raw_ops": "ortflow.api.raw_ops",
    "sets": "ortflow.api.set_ops",
    "manip": "ortflow.api.manip",
}

_TF_V1 = "ortflow.api.tf_v1"
# Tensors reached through these get `+`, `*`, `[...]` and friends, which the builder API installs.
_WITH_OPERATORS = ("ortflow.graph", "ortflow.runtime", "ortflow.api")


def __getattr__(name: str):
    if name in _SUBMODULES:
        if _SUBMODULES[name].startswith(_WITH_OPERATORS):
            importlib.import_module(_TF_V1)
        module = importlib.import_module(_SUBMODULES[name])
        sys.modules.setdefault(f"{__name__}.{name}", module)
    elif name in _NAMES:
        mod_name, attr = _NAMES[name]
        if mod_name.startswith(_WITH_OPERATORS):
            importlib.import_module(_TF_V1)  # gives Tensor and Variable their Python operators
        module = getattr(importlib.import_module(mod_name), attr)
    else:
        try:
            tf_v1 = importlib.import_module(_TF_V1)
        except ModuleNotFoundError as e:
            if e.name != _TF_V1:
                raise
            raise AttributeError(f"module 'ortflow' has no attribute {name!r}") from None
        if not hasattr(tf_v1, name):
            raise AttributeError(f"module 'ortflow' has no attribute {name!r}") from None
        module = getattr(tf_v1, name)
    globals()[name] = module  # cache: later lookups are plain attribute reads
    return module


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_NAMES) | set(_SUBMODULES))


class _AliasFinder:
    """Makes `import ortflow.io` (and the other aliased namespaces) load ortflow.api.io.

    A meta path finder and loader by protocol (importlib.abc's base classes cost an import of
    importlib.resources and friends, which `import ortflow` should not pay)."""

    def find_spec(self, fullname, path=None, target=None):
        head, _, tail = fullname.partition(".")
        if head != __name__ or tail not in _SUBMODULES or _SUBMODULES[tail] == fullname:
            return None
        return importlib.util.spec_from_loader(fullname, self)

    def create_module(self, spec):
        return importlib.import_module(_SUBMODULES[spec.name.partition(".")[2]])

    def exec_module(self, module):
        pass


if not any(isinstance(f, _AliasFinder) for f in sys.meta_path):
    sys.meta_path.append(_AliasFinder())
