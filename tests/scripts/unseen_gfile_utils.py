"""File plumbing of old training/export scripts: tf.gfile dirs, glob, copy/rename, GFile text and bytes."""

import os
import tempfile


def build_and_run(tf):
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        run_dir = os.path.join(tmp, "runs", "exp1")
        tf.gfile.MakeDirs(run_dir)
        tf.gfile.MakeDirs(run_dir)  # exists already: no error
        out["exists"] = [tf.gfile.Exists(run_dir), tf.gfile.IsDirectory(run_dir), tf.gfile.Exists(run_dir + "x")]
        with tf.gfile.GFile(os.path.join(run_dir, "labels.txt"), "w") as f:
            f.write("cat\ndog\n")
            f.write("bird\n")
        with tf.gfile.Open(os.path.join(run_dir, "weights.bin"), "wb") as f:
            f.write(bytes(range(10)))
        with tf.gfile.GFile(os.path.join(run_dir, "labels.txt")) as f:
            out["lines"] = [line.strip() for line in f.readlines()]
        with tf.gfile.GFile(os.path.join(run_dir, "weights.bin"), "rb") as f:
            head = f.read(4)
            rest = f.read()
        out["head"], out["rest_len"] = list(head), len(rest)
        out["size"] = tf.gfile.Stat(os.path.join(run_dir, "weights.bin")).length
        tf.gfile.Copy(os.path.join(run_dir, "labels.txt"), os.path.join(run_dir, "labels_copy.txt"))
        try:
            tf.gfile.Copy(os.path.join(run_dir, "labels.txt"), os.path.join(run_dir, "labels_copy.txt"))
            out["copy_again"] = "no error"
        except tf.errors.OpError as e:
            out["copy_again"] = type(e).__name__
        tf.gfile.Copy(os.path.join(run_dir, "labels.txt"), os.path.join(run_dir, "labels_copy.txt"), overwrite=True)
        tf.gfile.Rename(os.path.join(run_dir, "labels_copy.txt"), os.path.join(run_dir, "vocab.txt"))
        out["listing"] = sorted(tf.gfile.ListDirectory(run_dir))
        out["glob"] = sorted(os.path.basename(p) for p in tf.gfile.Glob(os.path.join(run_dir, "*.txt")))
        walked = []
        for root, dirs, files in tf.gfile.Walk(os.path.join(tmp, "runs")):
            walked.append(f"{os.path.relpath(root, tmp)}:{sorted(dirs)}:{sorted(files)}")
        out["walk"] = walked
        tf.gfile.Remove(os.path.join(run_dir, "vocab.txt"))
        try:
            tf.gfile.Remove(os.path.join(run_dir, "vocab.txt"))
            out["remove_again"] = "no error"
        except tf.errors.NotFoundError:
            out["remove_again"] = "NotFoundError"
        try:
            with tf.gfile.GFile(os.path.join(tmp, "missing.txt")) as f:
                f.read()
            out["read_missing"] = "no error"
        except tf.errors.NotFoundError:
            out["read_missing"] = "NotFoundError"
        tf.gfile.DeleteRecursively(os.path.join(tmp, "runs"))
        out["after_delete"] = tf.gfile.Exists(os.path.join(tmp, "runs"))
        # the same through tf.io.gfile names
        tf.io.gfile.makedirs(os.path.join(tmp, "a", "b"))
        with tf.io.gfile.GFile(os.path.join(tmp, "a", "b", "x.txt"), "w") as f:
            f.write("hello")
        out["io_listdir"] = tf.io.gfile.listdir(os.path.join(tmp, "a"))
        out["io_exists"] = tf.io.gfile.exists(os.path.join(tmp, "a", "b", "x.txt"))
        out["io_glob"] = [os.path.basename(p) for p in tf.io.gfile.glob(os.path.join(tmp, "a", "*", "*.txt"))]
    return out
