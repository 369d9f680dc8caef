"""ortflow: TensorFlow 1.x model files without TensorFlow.

Read, inspect, freeze, convert to ONNX and run GraphDefs, MetaGraphDefs, checkpoints and
SavedModels, with an API shaped like `tf.compat.v1` (`import ortflow as tf`).
"""

from __future__ import annotations

__version__ = "0.1.0"
