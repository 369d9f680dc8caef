"""Records TensorFlow's results for tests/scripts/unseen_*.py into golden.npz (next to this file).

Run with a Python that has tensorflow-cpu 2.21 and tf_keras (tf.compat.v1.layers needs it):
`/work/venv-tf/bin/python tests/data/scripts/gen_golden.py [script ...]` (no names: all scripts;
names: redo only those, keeping the others' recorded results).
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "scripts"))

import scripts_common


def main(names: list[str]) -> int:
    import tensorflow

    tf = tensorflow.compat.v1
    tf.disable_v2_behavior()
    arrays: dict[str, np.ndarray] = {}
    if names and os.path.exists(scripts_common.GOLDEN):
        with np.load(scripts_common.GOLDEN) as old:
            arrays.update({k: old[k] for k in old.files if k.split("/", 1)[0] not in names})
    for name in names or scripts_common.SCRIPT_NAMES:
        results = scripts_common.load_script(name).build_and_run(tf)
        for key, value in results.items():
            arrays[f"{name}/{key}"] = scripts_common.as_result(value)
        print(f"{name}: {len(results)} results")
    np.savez_compressed(scripts_common.GOLDEN, **arrays)
    print(f"wrote {scripts_common.GOLDEN} ({os.path.getsize(scripts_common.GOLDEN)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
