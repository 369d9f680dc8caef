"""Session config, dict/namedtuple fetches, feeding intermediate tensors, collections, eval/run."""

import collections


def build_and_run(tf):
    out = {}
    Fetches = collections.namedtuple("Fetches", ["total", "parts"])
    config = tf.ConfigProto(allow_soft_placement=True, log_device_placement=False,
                            intra_op_parallelism_threads=1, inter_op_parallelism_threads=1)
    config.gpu_options.allow_growth = True
    g = tf.Graph()
    with g.as_default():
        a = tf.placeholder(tf.float32, [2], name="a")
        hidden = tf.multiply(a, 3.0, name="hidden")
        total = tf.reduce_sum(hidden, name="total")
        counter = tf.Variable(0, name="counter")
        incr = tf.assign_add(counter, 1)
        with tf.device("/cpu:0"):
            on_cpu = tf.add(total, 1.0, name="on_cpu")
        tf.add_to_collection("my_things", hidden)
        tf.add_to_collection("my_things", total)
        tf.add_to_collections(["c1", "c2"], on_cpu)
        init = tf.global_variables_initializer()
    with tf.Session(graph=g, config=config) as sess:
        sess.run(init)
        feed = {a: [1.0, 2.0]}
        res = sess.run(Fetches(total=total, parts={"h": hidden, "list": [hidden, total]}), feed)
        out["nt_type"] = type(res).__name__
        out["nt_total"] = res.total
        out["nt_h"] = res.parts["h"]
        out["nt_list1"] = res.parts["list"][1]
        out["fed_hidden"] = sess.run(total, {hidden: [10.0, 20.0]})
        out["by_name"] = sess.run("total:0", {"a:0": [1.0, 1.0]})
        out["op_none"] = sess.run(incr.op) is None
        out["incr"] = [sess.run(incr) for _ in range(3)]
        out["eval"] = total.eval(feed_dict=feed, session=sess)
        with sess.as_default():
            out["eval_default"] = on_cpu.eval(feed)
            incr.op.run()
            out["counter"] = counter.eval()
        out["default_is"] = tf.get_default_session() is None
        out["things"] = [t.name for t in g.get_collection("my_things")]
        out["c2"] = [t.name for t in g.get_collection("c2")]
        out["scoped"] = [t.name for t in g.get_collection("my_things", scope="hid")]
        out["device"] = on_cpu.device
        out["op_types"] = [op.type for op in g.get_operations()][:6]
        out["consumers"] = sorted(op.name for op in hidden.consumers())
        out["inputs"] = [t.name for t in g.get_operation_by_name("total").inputs]
        out["nested"] = sess.run([[total], (hidden,), {"x": {"y": total}}], feed)[2]["x"]["y"]
        try:
            sess.run(total)
            out["missing_feed"] = "no error"
        except tf.errors.InvalidArgumentError as e:
            out["missing_feed"] = "a" in e.message
    try:
        sess.run(total, feed)
        out["after_close"] = "no error"
    except RuntimeError as e:
        out["after_close"] = "closed" in str(e).lower() or "Attempted to use a closed Session" in str(e)
    isess = tf.InteractiveSession(graph=g)
    out["interactive"] = total.eval({a: [2.0, 2.0]})
    isess.close()
    return out
