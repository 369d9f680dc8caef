"""Records TensorFlow's results for the seed scripts (tests/seeds/scripts.py).

Run with the TensorFlow virtual environment from the repository root:

    .venv-tf/bin/python tests/data/seeds/gen_expected.py

Each script runs under `tensorflow.compat.v1` (v2 behaviour off) in a fresh temporary
directory; its results go to tests/data/seeds/expected.npz as "<script>/<key>" arrays. Keys
starting with `raw_` (random draws) are not recorded. A few of the files TensorFlow wrote on the
way (KEEP) are copied to tests/data/seeds/tf_files/<script>/, for the tests in which ortflow
reads TensorFlow's own checkpoint, frozen graph and events file.
"""

from __future__ import annotations

import glob
import importlib.util
import os
import pathlib
import shutil
import sys
import tempfile

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
SCRIPTS_PY = HERE.parent.parent / "seeds" / "scripts.py"
KEEP = {
    "saver_ckpt": ["ckpt/softmax.ckpt-30.*"],
    "freeze_pb": ["frozen.pb"],
    "summaries": ["logs/events.out.tfevents.*"],
}


def keep_files(name: str, workdir: str) -> None:
    target = HERE / "tf_files" / name
    shutil.rmtree(target, ignore_errors=True)
    for pattern in KEEP.get(name, ()):
        for path in glob.glob(os.path.join(workdir, pattern)):
            rel = os.path.relpath(path, workdir)
            if rel.startswith("logs" + os.sep):  # hostname and time in the name: fixed one
                rel = os.path.join("logs", "events.out.tfevents.tf")
            os.makedirs(target / os.path.dirname(rel), exist_ok=True)
            shutil.copyfile(path, target / rel)


def load_scripts():
    spec = importlib.util.spec_from_file_location("seed_scripts", SCRIPTS_PY)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(names: list[str]) -> int:
    import tensorflow.compat.v1 as tf

    tf.disable_v2_behavior()
    seeds = load_scripts()
    target = HERE / "expected.npz"
    arrays = dict(np.load(target)) if names and target.exists() else {}
    for name, script in seeds.SCRIPTS.items():
        if names and name not in names:
            continue
        arrays = {k: v for k, v in arrays.items() if not k.startswith(name + "/")}
        with tempfile.TemporaryDirectory() as workdir:
            results = script(tf, workdir)
            keep_files(name, workdir)
        for key, value in results.items():
            if not key.startswith("raw_"):
                arrays[f"{name}/{key}"] = seeds.as_result(value)
        print(f"{name}: {len(results)} results")
    np.savez_compressed(target, **arrays)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
