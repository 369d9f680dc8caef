"""tf.train.Example records: build protos, write a TFRecord file, read it back, parse_example / parse_single_example."""

import os
import tempfile

import numpy as np


def _example(tf, i):
    return tf.train.Example(features=tf.train.Features(feature={
        "label": tf.train.Feature(int64_list=tf.train.Int64List(value=[i % 3])),
        "score": tf.train.Feature(float_list=tf.train.FloatList(value=[0.5 * i, 1.0 + i])),
        "name": tf.train.Feature(bytes_list=tf.train.BytesList(value=[f"item{i}".encode()])),
        "tags": tf.train.Feature(int64_list=tf.train.Int64List(value=list(range(i)))),
        "raw": tf.train.Feature(bytes_list=tf.train.BytesList(
            value=[np.arange(4, dtype=np.uint8).tobytes() if i % 2 == 0 else bytes([9, 8, 7, 6])])),
    }))


def build_and_run(tf):
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "data.tfrecord")
        with tf.python_io.TFRecordWriter(path) as writer:
            for i in range(4):
                writer.write(_example(tf, i).SerializeToString())
        records = list(tf.python_io.tf_record_iterator(path))
        out["num_records"] = len(records)
        parsed_back = tf.train.Example.FromString(records[2])
        out["proto_label"] = list(parsed_back.features.feature["label"].int64_list.value)
        out["proto_keys"] = sorted(parsed_back.features.feature.keys())
        with tf.Graph().as_default():
            serialized = tf.placeholder(tf.string, [None], name="serialized")
            features = {
                "label": tf.FixedLenFeature([], tf.int64),
                "score": tf.FixedLenFeature([2], tf.float32),
                "name": tf.FixedLenFeature([], tf.string, default_value=""),
                "tags": tf.VarLenFeature(tf.int64),
                "raw": tf.FixedLenFeature([], tf.string),
                "missing": tf.FixedLenFeature([1], tf.float32, default_value=[-1.0]),
            }
            parsed = tf.parse_example(serialized, features)
            pixels = tf.decode_raw(parsed["raw"], tf.uint8)
            dense_tags = tf.sparse_tensor_to_dense(parsed["tags"], default_value=-1)
            one = tf.parse_single_example(serialized[0], {"score": tf.FixedLenFeature([2], tf.float32),
                                                          "tags": tf.VarLenFeature(tf.int64)})
            with tf.Session() as sess:
                res = sess.run({"label": parsed["label"], "score": parsed["score"], "name": parsed["name"],
                                "dense_tags": dense_tags, "pixels": pixels, "missing": parsed["missing"],
                                "one_score": one["score"]}, {serialized: records})
                out.update(res)
                tags = sess.run(parsed["tags"], {serialized: records})
                out["tags_indices"], out["tags_values"], out["tags_shape"] = tags.indices, tags.values, tags.dense_shape
                try:
                    sess.run(parsed["label"], {serialized: [b"not a proto"]})
                    out["bad_record"] = "no error"
                except tf.errors.InvalidArgumentError:
                    out["bad_record"] = "InvalidArgumentError"
            out["sparse_keys"] = sorted(k for k, v in parsed.items() if isinstance(v, tf.SparseTensor))
            out["score_shape"] = str(parsed["score"].get_shape().as_list())
    return out
