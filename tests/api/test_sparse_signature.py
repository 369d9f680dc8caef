"""A SparseTensor in a SavedModel signature: build_tensor_info writes coo_sparse, the loader reads it back."""

from __future__ import annotations

import numpy as np
import ortflow as tf


def test_sparse_signature_round_trip(tmp_path):
    export = str(tmp_path / "model")
    with tf.Graph().as_default():
        sp = tf.sparse_placeholder(tf.float32, shape=[None, 4], name="sp")
        total = tf.identity(tf.sparse.reduce_sum(sp, axis=1), name="total")
        info = tf.saved_model.build_tensor_info(sp)
        assert info.WhichOneof("encoding") == "coo_sparse"
        assert info.coo_sparse.indices_tensor_name == "sp/indices:0"
        signature = tf.saved_model.build_signature_def(
            inputs={"sp": info}, outputs={"total": tf.saved_model.build_tensor_info(total)},
            method_name="tensorflow/serving/predict")
        with tf.Session() as sess:
            builder = tf.saved_model.builder.SavedModelBuilder(export)
            builder.add_meta_graph_and_variables(sess, ["serve"], signature_def_map={"serving_default": signature})
            builder.save()
    with tf.Graph().as_default() as graph, tf.Session(graph=graph) as sess:
        meta = tf.saved_model.loader.load(sess, ["serve"], export)
        sig = meta.signature_def["serving_default"]
        sparse = tf.saved_model.get_tensor_from_tensor_info(sig.inputs["sp"])
        assert isinstance(sparse, tf.SparseTensor)
        value = tf.SparseTensorValue([[0, 1], [1, 3], [1, 0]], np.array([1.0, 2.0, 5.0], np.float32), [2, 4])
        got = sess.run(sig.outputs["total"].name, {sparse: value})
    np.testing.assert_allclose(got, [1.0, 7.0])
