"""Names in a graph: unique op names, name scopes, tensor-name parsing and device strings.

One `Namespace` per graph hands out names with TensorFlow's rules: the first `x` is `x`,
then `x_1`, `x_2`, ...; collisions are checked case-insensitively (so `X` after `x` becomes
`X_1`), and a generated `x_1` never collides with an existing `x_1`.
"""

from __future__ import annotations

import re

from ortflow.errors import GraphError

__all__ = [
    "Namespace",
    "parse_tensor_name",
    "parse_input",
    "split_tensor_name",
    "tensor_name",
    "canonical_device",
    "merge_devices",
    "is_valid_op_name",
    "is_valid_scope_name",
]

_OP_NAME = re.compile(r"^[A-Za-z0-9.][A-Za-z0-9_.\\/>-]*$")
_SCOPE_NAME = re.compile(r"^[A-Za-z0-9_.\\/>-]*$")


def is_valid_op_name(name: str) -> bool:
    """Whether `name` is a legal op name (TensorFlow's pattern for node names)."""
    return bool(_OP_NAME.match(name))


def is_valid_scope_name(name: str) -> bool:
    """Whether `name` may follow a scope prefix (it may start with `_` or `-`)."""
    return bool(_SCOPE_NAME.match(name))


class Namespace:
    """The set of names used in one graph, and TensorFlow's rule for making new ones unique."""

    __slots__ = ("_in_use",)

    def __init__(self):
        # lower-cased name -> next suffix to try (the count of uses of this base name)
        self._in_use: dict[str, int] = {}

    def __contains__(self, name: str) -> bool:
        return name.lower() in self._in_use

    def mark_used(self, name: str) -> None:
        """Records `name` as taken (an imported node, a name given exactly)."""
        key = name.lower()
        if key not in self._in_use:
            self._in_use[key] = 1

    def unique(self, name: str, mark_as_used: bool = True) -> str:
        """Returns `name`, or `name_N` with the first N that makes it unused."""
        key = name.lower()
        count = self._in_use.get(key, 0)
        if mark_as_used:
            self._in_use[key] = count + 1
        if count == 0:
            return name
        base_key = key
        while key in self._in_use:
            key = f"{base_key}_{count}"
            count += 1
        if mark_as_used:
            self._in_use[key] = 1
        return f"{name}_{count - 1}"


def parse_tensor_name(name: str) -> tuple[str, int]:
    """Splits "op:3" into ("op", 3); "op" means output 0.

    Raises:
        GraphError: when the index is not a number.
    """
    op_name, sep, index = name.rpartition(":")
    if not sep:
        return name, 0
    try:
        return op_name, int(index)
    except ValueError as e:
        raise GraphError(f"Tensor name {name!r} has a non-numeric output index {index!r}") from e


def split_tensor_name(name: str) -> tuple[str, int]:
    """'a/b:1' -> ('a/b', 1); 'a/b' -> ('a/b', 0): `parse_tensor_name` that never raises.

    A suffix that is not a number stays part of the node name; a control input ('^a') is not a
    tensor and is returned whole.
    """
    node, sep, index = name.rpartition(":")
    if sep and index.isdigit():
        return node, int(index)
    return name, 0


def parse_input(inp: str) -> tuple[str, int]:
    """Splits a NodeDef input string: "x" -> ("x", 0), "x:2" -> ("x", 2), "^x" -> ("x", -1)."""
    if ":" not in inp and inp[:1] != "^":
        return inp, 0
    if inp.startswith("^"):
        return inp[1:], -1
    colon = inp.rfind(":")
    if colon < 0:
        return inp, 0
    index = inp[colon + 1:]
    if index.isdigit():
        return inp[:colon], int(index)
    return inp, 0


def tensor_name(op_name: str, index: int) -> str:
    """The NodeDef input string for output `index` of `op_name` (":0" is left out; -1 is "^op")."""
    if index < 0:
        return "^" + op_name
    return op_name if index == 0 else f"{op_name}:{index}"


_DEVICE_SHORT = re.compile(r"^(cpu|gpu|tpu)(?::(\d+|\*))?$", re.IGNORECASE)


def canonical_device(spec) -> str:
    """TensorFlow's canonical device string: "/gpu:0" -> "/device:GPU:0".

    The fields come out in the order job, replica, task, device; an empty or None spec is "".
    The device need not exist on this machine.

    Raises:
        GraphError: when a part of the spec is not understood.
    """
    if spec is None:
        return ""
    if hasattr(spec, "to_string"):
        spec = spec.to_string()
    spec = str(spec).strip()
    if not spec:
        return ""
    fields: dict[str, str] = {}
    for part in spec.split("/"):
        if not part:
            continue
        _merge_device_part(spec, part, fields)
    out = [f"/{key}:{fields[key]}" for key in ("job", "replica", "task") if key in fields]
    if "device" in fields:
        out.append(f"/device:{fields['device']}")
    return "".join(out)


def _merge_device_part(spec: str, part: str, fields: dict[str, str]) -> None:
    short = _DEVICE_SHORT.match(part)
    if short:
        kind, index = short.group(1).upper(), short.group(2)
        fields["device"] = kind if index in (None, "*") else f"{kind}:{index}"
        return
    key, sep, value = part.partition(":")
    key = key.lower()
    if not sep:
        raise GraphError(f"Device spec {spec!r} has a part {part!r} that is not 'key:value'")
    if key in ("job", "replica", "task"):
        fields[key] = value
    elif key == "device":
        kind, _, index = value.partition(":")
        kind = kind.upper() if kind.lower() in ("cpu", "gpu", "tpu") else kind
        fields["device"] = kind if index in ("", "*") else f"{kind}:{index}"
    else:
        raise GraphError(f"Device spec {spec!r} has an unknown part {part!r}")


def merge_devices(outer: str, inner: str) -> str:
    """The device an op gets inside nested device scopes: inner fields override outer ones."""
    if not outer:
        return canonical_device(inner)
    if not inner:
        return canonical_device(outer)
    return canonical_device(canonical_device(outer) + canonical_device(inner))
