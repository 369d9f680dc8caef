"""Vocabulary tables in a text classifier's serving input: HashTable, vocab files, OOV buckets, reverse lookup."""

import os
import tempfile


def build_and_run(tf):
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        vocab_file = os.path.join(tmp, "vocab.txt")
        with open(vocab_file, "w") as f:
            f.write("<pad>\n<unk>\nhello\nworld\nfoo\n")
        labels_file = os.path.join(tmp, "labels.txt")
        with open(labels_file, "w") as f:
            f.write("negative\npositive\n")
        with tf.Graph().as_default():
            words = tf.placeholder(tf.string, [None, None], name="words")
            table = tf.lookup.StaticHashTable(
                tf.lookup.KeyValueTensorInitializer(["hello", "world", "foo"], [10, 20, 30],
                                                    key_dtype=tf.string, value_dtype=tf.int64), -1)
            ids = table.lookup(words)
            from_file = tf.lookup.StaticHashTable(
                tf.lookup.TextFileInitializer(vocab_file, tf.string, tf.lookup.TextFileIndex.WHOLE_LINE,
                                              tf.int64, tf.lookup.TextFileIndex.LINE_NUMBER), default_value=1)
            file_ids = from_file.lookup(words)
            oov = tf.lookup.StaticVocabularyTable(
                tf.lookup.TextFileInitializer(vocab_file, tf.string, tf.lookup.TextFileIndex.WHOLE_LINE,
                                              tf.int64, tf.lookup.TextFileIndex.LINE_NUMBER), num_oov_buckets=3)
            oov_ids = oov.lookup(words)
            reverse = tf.lookup.StaticHashTable(
                tf.lookup.TextFileInitializer(labels_file, tf.int64, tf.lookup.TextFileIndex.LINE_NUMBER,
                                              tf.string, tf.lookup.TextFileIndex.WHOLE_LINE), "UNK")
            class_ids = tf.placeholder(tf.int64, [None])
            class_names = reverse.lookup(class_ids)
            # a float-valued table (e.g. per-word idf weights)
            idf = tf.lookup.StaticHashTable(
                tf.lookup.KeyValueTensorInitializer(tf.constant(["hello", "foo"]), tf.constant([0.5, 2.0])), 1.0)
            weights = idf.lookup(words)
            init = tf.tables_initializer()
            with tf.Session() as sess:
                try:
                    sess.run(ids, {words: [["hello"]]})
                    out["before_init"] = "no error"
                except tf.errors.FailedPreconditionError:
                    out["before_init"] = "FailedPreconditionError"
                sess.run(init)
                feed = {words: [["hello", "world", "bar"], ["foo", "<pad>", "hello"]], class_ids: [1, 0, 5]}
                out.update(sess.run({"ids": ids, "file_ids": file_ids, "oov_ids": oov_ids,
                                     "class_names": class_names, "weights": weights}, feed))
                out["size"] = sess.run(table.size())
                out["file_size"] = sess.run(from_file.size())
                out["oov_size"] = sess.run(oov.size())
            out["ids_dtype"] = ids.dtype.name
            out["init_type"] = init.type
            out["table_inits"] = len(tf.get_collection(tf.GraphKeys.TABLE_INITIALIZERS))
    return out
