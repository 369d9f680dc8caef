"""Summaries: scalar/histogram/image/text, merge_all, FileWriter, read back with summary_iterator."""

import glob
import os
import tempfile

import numpy as np


def build_and_run(tf):
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        with tf.Graph().as_default() as g:
            x = tf.placeholder(tf.float32, [None], name="x")
            with tf.name_scope("stats"):
                mean = tf.reduce_mean(x)
                tf.summary.scalar("mean", mean)
                tf.summary.scalar("max", tf.reduce_max(x))
                tf.summary.histogram("values", x)
            img = tf.reshape(tf.linspace(0.0, 1.0, 2 * 4 * 4), [2, 4, 4, 1])
            tf.summary.image("img", img, max_outputs=1, collections=["images"])
            tf.summary.text("note", tf.constant("hello"))
            merged = tf.summary.merge_all()
            images = tf.summary.merge_all(key="images")
            writer = tf.summary.FileWriter(os.path.join(tmp, "train"), g)
            with tf.Session() as sess:
                for step in range(3):
                    s = sess.run(merged, {x: np.arange(step + 2, dtype=np.float32)})
                    writer.add_summary(s, global_step=step)
                writer.add_summary(sess.run(images), 7)
                summ = tf.Summary(value=[tf.Summary.Value(tag="manual", simple_value=4.5)])
                writer.add_summary(summ, 8)
            writer.flush()
            writer.close()
            out["summary_ops"] = sorted(op.name for op in g.get_operations()
                                        if op.type in ("ScalarSummary", "HistogramSummary",
                                                       "ImageSummary", "TensorSummaryV2", "MergeSummary"))
            out["collection"] = [t.op.name for t in tf.get_collection(tf.GraphKeys.SUMMARIES)]
        files = glob.glob(os.path.join(tmp, "train", "events.out.tfevents.*"))
        out["n_files"] = len(files)
        rows, graphs = [], 0
        for event in tf.train.summary_iterator(files[0]):
            if event.HasField("graph_def"):
                graphs += 1
            for v in event.summary.value:
                kind = v.WhichOneof("value")
                if kind == "simple_value":
                    rows.append(f"{event.step}:{v.tag}:{v.simple_value:.4f}")
                elif kind == "histo":
                    rows.append(f"{event.step}:{v.tag}:histo:{v.histo.num:g}:{v.histo.sum:g}")
                elif kind == "image":
                    rows.append(f"{event.step}:{v.tag}:image:{v.image.height}x{v.image.width}")
                else:
                    rows.append(f"{event.step}:{v.tag}:{kind}")
        out["rows"] = rows
        out["graphs"] = graphs
    return out
