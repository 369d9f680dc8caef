"""Writes features.npz: TensorFlow's values of inner MobileNetV2 tensors on inputs.npz.

The fixture's final softmax is flat (untrained weights give every class 0.001), so the converter
test also compares these intermediate tensors, which do vary with the input.
Run with the TensorFlow oracle: `.venv-tf/bin/python tests/data/mobilenet_v2/make_features.py`.
"""

from __future__ import annotations

import pathlib

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
TENSORS = [
    "mobilenetv2_0.35_96_1/block_3_pad_1/Pad:0",
    "mobilenetv2_0.35_96_1/block_6_pad_1/Pad:0",
    "mobilenetv2_0.35_96_1/global_average_pooling2d_1/Mean:0",
]


def main() -> None:
    import tensorflow as tf

    graph_def = tf.compat.v1.GraphDef.FromString((HERE / "frozen.pb").read_bytes())
    inputs = np.load(HERE / "inputs.npz")
    with tf.Graph().as_default() as graph:
        tf.compat.v1.import_graph_def(graph_def, name="")
        with tf.compat.v1.Session(graph=graph) as sess:
            values = sess.run(TENSORS, {"input:0": inputs["input:0"]})
    np.savez_compressed(HERE / "features.npz", **dict(zip(TENSORS, values)))


if __name__ == "__main__":
    main()
