"""`ortflow.saved_model`: loading TF 1.x builder-format SavedModels, as `tf.compat.v1.saved_model`."""

from __future__ import annotations

import types

from ortflow.graph.saved_model import load, signature_constants, signatures, tag_constants

loader = types.SimpleNamespace(load=load)  # tf.saved_model.loader.load

__all__ = ["load", "loader", "signature_constants", "signatures", "tag_constants"]
