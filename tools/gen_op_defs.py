"""Regenerate ``graph/ops/op_defs.pb``: every OpDef registered in TensorFlow, facts only.

Usage: ``.venv-tf/bin/python tools/gen_op_defs.py`` (needs TensorFlow; ``--check`` exits 1
when the committed file differs from what this TensorFlow would write).

The file is an ``OpList`` serialized with ortflow's own message classes (the wire bytes equal
TensorFlow's). Prose is dropped: ``summary``, ``description`` and every arg/attr description,
and the experimental full-type annotations, which no part of ortflow reads. What stays is what a
graph needs: args, list sizes, type attrs, attr types, defaults, allowed values, minimums,
``is_ref``, ``is_stateful`` and the other flags, and deprecation versions. Ops are sorted by name
and the bytes are serialized deterministically, so a rerun on one TensorFlow version is a no-op.
"""

from __future__ import annotations

import argparse
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "graph" / "ops" / "op_defs.pb"


def registered_op_list_bytes() -> tuple[bytes, str]:
    """Returns (serialized OpList of all ops registered in TensorFlow, TensorFlow's version)."""
    import tensorflow as tf
    from tensorflow.python.client import pywrap_tf_session as c_api

    buf = c_api.TF_GetAllOpList()
    try:
        return bytes(c_api.TF_GetBuffer(buf)), tf.__version__
    finally:
        c_api.TF_DeleteBuffer(buf)


def strip_op_list(data: bytes) -> bytes:
    """Parses TensorFlow's OpList bytes with ortflow's classes and drops prose and full types."""
    from ortflow.proto import OpList

    src = OpList.FromString(data)
    out = OpList()
    for op in sorted(src.op, key=lambda o: o.name):
        clean = out.op.add()
        clean.CopyFrom(op)
        clean.ClearField("summary")
        clean.ClearField("description")
        for arg in (*clean.input_arg, *clean.output_arg):
            arg.ClearField("description")
            arg.ClearField("experimental_full_type")
        for attr in clean.attr:
            attr.ClearField("description")
        if clean.HasField("deprecation"):
            clean.deprecation.ClearField("explanation")
    unknown = [op.name for op in out.op if _has_unknown_fields(op)]
    if unknown:
        raise SystemExit(f"ortflow's OpDef lacks fields TensorFlow sets (ops {unknown[:5]}); "
                         "update proto/graph.proto first")
    return out.SerializeToString(deterministic=True)


def _has_unknown_fields(msg) -> bool:
    """True when `msg` or a message inside it holds fields ortflow's schema does not declare."""
    from google.protobuf.unknown_fields import UnknownFieldSet

    if len(UnknownFieldSet(msg)):
        return True
    for field, value in msg.ListFields():
        if field.message_type is None:
            continue
        if field.message_type.GetOptions().map_entry:
            values = value.values() if field.message_type.fields_by_name["value"].message_type else []
        else:
            values = value if field.is_repeated else [value]
        if any(_has_unknown_fields(v) for v in values):
            return True
    return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when op_defs.pb is stale")
    args = parser.parse_args(argv)
    raw, version = registered_op_list_bytes()
    data = strip_op_list(raw)
    if args.check:
        same = OUT.exists() and OUT.read_bytes() == data
        print(f"{OUT}: {'up to date' if same else 'STALE'} (TensorFlow {version})")
        return 0 if same else 1
    from ortflow.formats.files import write_bytes_atomic

    write_bytes_atomic(OUT, data)
    from ortflow.proto import OpList

    print(f"wrote {OUT}: {len(OpList.FromString(data).op)} ops, {len(data):,} bytes "
          f"(TensorFlow {version})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
