"""Bytes and text <-> messages: tensors, graph files (binary and text), the text-format codec."""

from __future__ import annotations

import importlib

# name -> submodule, loaded on first use (PEP 562): `from ortflow.formats import dtypes` (every
# converter) would otherwise load the text-format codec and the graph-file readers too, which a
# binary .pb conversion never needs (~10 ms of a 0.3 s MobileNetV2 conversion).
_LAZY = {
    "detect_kind": "graphs", "load_graph_def": "graphs", "parse_message": "graphs",
    "read_graph": "graphs", "write_graph": "graphs",
    "format_pbtxt": "pbtxt", "parse_pbtxt": "pbtxt",
    "make_ndarray": "tensors", "make_tensor_proto": "tensors", "shape_from_proto": "tensors",
    "shape_to_proto": "tensors",
}

__all__ = [
    "detect_kind", "format_pbtxt", "load_graph_def", "make_ndarray", "make_tensor_proto", "parse_message",
    "parse_pbtxt", "read_graph", "shape_from_proto", "shape_to_proto", "write_graph",
]


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None and not name.startswith("_"):
        # a submodule that is not loaded yet (`ortflow.formats.pbtxt` after `import ortflow.formats`)
        try:
            return importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as e:
            if e.name != f"{__name__}.{name}":
                raise
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
