"""The in-memory graph model over GraphDef: Graph, Operation, Tensor, import, freezing, saving."""

from __future__ import annotations

import importlib
import sys
import types

# name -> submodule. Loaded on first use (PEP 562): `ortflow.graph.ops`, which the converter
# needs, is a subpackage, and importing it would otherwise load the Saver, freezing, meta
# graphs and the rest of the graph model first (~10 ms the converter never uses).
_LAZY = {
    "Graph": "core", "GraphKeys": "core", "Operation": "core", "Tensor": "core",
    "default_session_stack": "core", "get_default_graph": "core", "get_default_session": "core",
    "reset_default_graph": "core",
    "TensorShape": "tensor_shape", "as_shape": "tensor_shape", "unknown_shape": "tensor_shape",
    "import_graph_def": "importer",
    "Variable": "variables",
    "export_meta_graph": "meta_graph", "import_meta_graph": "meta_graph",
    "Saver": "saver",
}

_LAZY["convert_variables_to_constants"] = "freeze"

__all__ = [
    "Graph",
    "GraphKeys",
    "Operation",
    "Tensor",
    "TensorShape",
    "as_shape",
    "unknown_shape",
    "default_session_stack",
    "get_default_graph",
    "get_default_session",
    "reset_default_graph",
    "import_graph_def",
    "Variable",
    "import_meta_graph",
    "export_meta_graph",
    "Saver",
    "convert_variables_to_constants",
    "freeze",
]


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


class _GraphPackage(types.ModuleType):
    """The package's module type: `freeze` names both a submodule and its function, and the
    package attribute stays the function. The submodule is imported on first use (it loads
    SavedModel and checkpoint reading, ~10 ms a .pb conversion never needs), and the import
    system's binding of the package attribute to the submodule is ignored here."""

    @property
    def freeze(self):
        value = self.__dict__.get("_freeze_function")
        if value is None:
            from ortflow.graph.freeze import freeze as value

            self.__dict__["_freeze_function"] = value
        return value

    @freeze.setter
    def freeze(self, value) -> None:
        if isinstance(value, types.ModuleType) and value.__name__ == f"{__name__}.freeze":
            return  # the submodule being imported: the name stays the function's
        self.__dict__["_freeze_function"] = value  # a deliberate rebinding (a test's monkeypatch)

    @freeze.deleter
    def freeze(self) -> None:
        self.__dict__.pop("_freeze_function", None)


sys.modules[__name__].__class__ = _GraphPackage
