"""Checkpoint read/write speed and read memory: ortflow vs TensorFlow, measured in one run.

    .venv-tf/bin/python benchmarks/bench_checkpoint.py [--size-mib 1024] [--variables 64]

Generates a checkpoint of N float32 variables (total size configurable) in a temporary
directory (deleted afterwards; never committed), then measures:

* read: TensorFlow's `tf.train.load_checkpoint` + `get_tensor` of every variable, against
  ortflow's `load_checkpoint` + `get_tensor` of every variable with all checksums verified
  (goal: ortflow >= 2x faster);
* write: TensorFlow's `tf.compat.v1.train.Saver.save` of a graph holding the variables, against
  ortflow's `write_checkpoint` of the same arrays (goal: >= 2x faster);
* memory: the peak resident memory growth of a fresh process reading every tensor with ortflow,
  as a multiple of the tensors' size (goal: <= 1.10).

Each timing is the best of `--repeat` runs, with the files in the page cache for both sides.
Without TensorFlow only ortflow's numbers are printed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

_MEMORY_PROBE = r"""
import json, sys
from ortflow.api import train_checkpoint as train

def status_kib(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise SystemExit(f"no {field} in /proc/self/status")

reader = train.load_checkpoint(sys.argv[1])
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")  # resets the peak (VmHWM) to the current resident size
before = status_kib("VmRSS")
held = [reader.get_tensor(n) for n in reader.tensor_names()]  # all held at once, checksums verified
total = sum(t.nbytes for t in held)
print(json.dumps({"tensor_bytes": total, "rss_before_kib": before,
                  "peak_growth_kib": status_kib("VmHWM") - before}))
"""


def _make_tensors(total_bytes: int, count: int) -> dict[str, np.ndarray]:
    per = max(1, total_bytes // 4 // count)
    rng = np.random.default_rng(0)
    return {f"layer_{i:02d}/kernel": rng.standard_normal(per, dtype=np.float32) for i in range(count)}


def _best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def _ours(tensors: dict[str, np.ndarray], workdir: str, repeat: int) -> dict[str, float]:
    from ortflow.api import train_checkpoint as train

    prefix = os.path.join(workdir, "ours", "model.ckpt")

    def write():
        train.write_checkpoint(prefix, tensors, write_state=False)

    def read():
        reader = train.load_checkpoint(prefix)  # checksums verified (the default)
        for name in reader.tensor_names():
            reader.get_tensor(name)

    write_s = _best(write, repeat)
    read_s = _best(read, repeat)
    return {"write_s": write_s, "read_s": read_s, "prefix": prefix}


def _tensorflow(tensors: dict[str, np.ndarray], workdir: str, repeat: int) -> dict[str, float] | None:
    try:
        import tensorflow as tf_root
    except ImportError:
        return None
    tf = tf_root.compat.v1
    prefix = os.path.join(workdir, "tf", "model.ckpt")
    graph = tf.Graph()
    with graph.as_default():
        feeds, variables = {}, {}
        for name, value in tensors.items():
            ph = tf.placeholder(tf.float32, value.shape)
            variables[name] = tf.Variable(ph, name=name)
            feeds[ph] = value
        saver = tf.train.Saver(variables)
        sess = tf.Session(graph=graph)
        sess.run(tf.global_variables_initializer(), feed_dict=feeds)
        del feeds
        # inside the graph context: outside it TF 2.x's Saver takes its eager path
        write_s = _best(lambda: saver.save(sess, prefix, write_meta_graph=False, write_state=False), repeat)
        sess.close()

    def read():
        reader = tf_root.train.load_checkpoint(prefix)
        for name in reader.get_variable_to_shape_map():
            reader.get_tensor(name)

    read_s = _best(read, repeat)
    return {"write_s": write_s, "read_s": read_s, "prefix": prefix}


def _memory(prefix: str) -> dict:
    proc = subprocess.run([sys.executable, "-c", _MEMORY_PROBE, prefix], capture_output=True, text=True,
                          check=True)
    return json.loads(proc.stdout)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=float, default=1024, help="total checkpoint size (default 1024)")
    parser.add_argument("--variables", type=int, default=64, help="number of float32 variables (default 64)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per timing; the best counts (default 3)")
    parser.add_argument("--dir", default=None, help="work directory (default: a new temporary one)")
    args = parser.parse_args(argv)

    workdir = tempfile.mkdtemp(prefix="bench_ckpt_", dir=args.dir)
    try:
        tensors = _make_tensors(int(args.size_mib * 2**20), args.variables)
        size = sum(t.nbytes for t in tensors.values())
        print(f"checkpoint: {args.variables} float32 variables, {size / 2**20:.0f} MiB, in {workdir}")
        ours = _ours(tensors, workdir, args.repeat)
        theirs = _tensorflow(tensors, workdir, args.repeat)
        del tensors
        mem = _memory(ours["prefix"])
        gib = size / 2**30
        print(f"ortflow  write {ours['write_s']:.3f} s ({gib / ours['write_s']:.2f} GiB/s)   "
              f"read+verify {ours['read_s']:.3f} s ({gib / ours['read_s']:.2f} GiB/s)")
        if theirs is None:
            print("TensorFlow is not importable here: no ratios (run with .venv-tf/bin/python)")
        else:
            print(f"TF       write {theirs['write_s']:.3f} s ({gib / theirs['write_s']:.2f} GiB/s)   "
                  f"read       {theirs['read_s']:.3f} s ({gib / theirs['read_s']:.2f} GiB/s)")
            print(f"ratio read  (TF time / ortflow time): {theirs['read_s'] / ours['read_s']:.2f}x  (goal >= 2x)")
            print(f"ratio write (TF time / ortflow time): {theirs['write_s'] / ours['write_s']:.2f}x  (goal >= 2x)")
        growth = mem["peak_growth_kib"] * 1024 / mem["tensor_bytes"]
        print(f"ortflow read peak memory: +{mem['peak_growth_kib'] / 1024:.0f} MiB resident over "
              f"{mem['rss_before_kib'] / 1024:.0f} MiB at start, for {mem['tensor_bytes'] / 2**20:.0f} MiB of "
              f"tensors held: {growth:.3f}x the tensors' size (goal <= 1.10x)")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
