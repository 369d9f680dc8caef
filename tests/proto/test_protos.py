"""The committed protos: fresh generated code, and the same schema as TensorFlow's."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import REPO
from ortflow import proto

MESSAGES = [getattr(proto, n) for n in proto.__all__ if n not in ("DataType", "TF_PACKAGE", "OUR_PACKAGE")]


def test_generated_modules_are_fresh():
    pytest.importorskip("grpc_tools", reason="grpcio-tools (test extra) regenerates the modules")
    proc = subprocess.run([sys.executable, str(REPO / "tools" / "gen_protos.py"), "--check"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_package_is_ours_not_tensorflows():
    # Sharing TensorFlow's full names would collide in protobuf's descriptor pool.
    for cls in MESSAGES:
        assert cls.DESCRIPTOR.full_name.startswith("ortflow.tf."), cls


def test_ref_dtypes_are_base_plus_100():
    for name, value in proto.DataType.items():
        if name.endswith("_REF"):
            assert proto.DataType.Value(name[:-4]) + 100 == value


def _walk_fields(desc, seen):
    if desc.full_name in seen:
        return
    seen.add(desc.full_name)
    yield desc
    for f in desc.fields:
        if f.message_type is not None:
            yield from _walk_fields(f.message_type, seen)


@pytest.mark.interop
@pytest.mark.parametrize("cls", MESSAGES, ids=lambda c: c.DESCRIPTOR.name)
def test_schema_matches_tensorflow(tf, cls):
    """Every field that TensorFlow declares has our name, number, type and label, recursively."""
    from google.protobuf import descriptor_pool

    pool = descriptor_pool.Default()
    for ours in _walk_fields(cls.DESCRIPTOR, set()):
        if ours.full_name.startswith("google.protobuf."):
            continue
        tf_name = "tensorflow." + ours.full_name[len("ortflow.tf."):]
        try:
            theirs = pool.FindMessageTypeByName(tf_name)
        except KeyError:
            continue  # not loaded by this TensorFlow build (e.g. opaque SavedObjectGraph parts)
        ours_by_number = {f.number: f for f in ours.fields}
        for f in theirs.fields:
            if ours.name in ("SavedObjectGraph", "TypeSpecProto"):
                break  # kept opaque on purpose: their fields stay unknown fields, preserved in binary
            mine = ours_by_number.get(f.number)
            assert mine is not None, f"{tf_name}.{f.name} ({f.number}) is missing"
            assert mine.name == f.name, tf_name
            assert mine.type == f.type, f"{tf_name}.{f.name}"
            assert mine.is_repeated == f.is_repeated, f"{tf_name}.{f.name}"
            if f.enum_type is not None:
                assert {v.name: v.number for v in mine.enum_type.values} == \
                       {v.name: v.number for v in f.enum_type.values}, f"{tf_name}.{f.name}"


@pytest.mark.interop
def test_tensorflow_and_ortflow_share_a_process(tf):
    """Both sets of descriptors live side by side; bytes move between them unchanged."""
    from tensorflow.core.framework import graph_pb2 as tf_graph_pb2

    g = tf.GraphDef()
    g.node.add(name="x", op="Placeholder")
    ours = proto.GraphDef.FromString(g.SerializeToString())
    assert ours.node[0].name == "x"
    assert tf_graph_pb2.GraphDef.FromString(ours.SerializeToString()) == g
