"""Loads the unseen TF 1.x scripts (unseen_*.py) and compares their results between runs.

Every script defines `build_and_run(tf) -> dict` and uses only the `tf` it is handed, so the
same text runs under `tensorflow.compat.v1` (v2 behaviour off: the oracle, see
tests/data/scripts/gen_golden.py) and under `import ortflow as tf`. Results are plain values:
numbers, numpy arrays, strings, lists of these.
"""

from __future__ import annotations

import importlib.util
import pathlib

import numpy as np

__all__ = ["GOLDEN", "KNOWN_GAPS", "SCRIPT_NAMES", "as_result", "compare", "gap_marks", "load_golden", "load_script"]

HERE = pathlib.Path(__file__).resolve().parent
GOLDEN = HERE.parent / "data" / "scripts" / "golden.npz"
SCRIPT_NAMES = sorted(p.stem for p in HERE.glob("unseen_*.py"))

# script -> why ortflow cannot run it yet (each is owned elsewhere; see the reasons)
KNOWN_GAPS = {
    "unseen_queue_pipeline": "queues are missing: tf.FIFOQueue (enqueue_many/dequeue_many/size), "
                             "tf.train.limit_epochs / range_input_producer / batch, QueueRunners, "
                             "tf.train.Coordinator and start_queue_runners (the pre-tf.data input pipeline)",
    "unseen_tensorarray_reads": "TensorArray clear_after_read is not enforced: reading an element a second "
                                "time in one run (stack() and read(0) of a default TensorArray) returns it "
                                "instead of TF's InvalidArgumentError (the runtime keeps every element)",
}


def gap_marks(name: str) -> list:
    """The strict xfail mark for a script in KNOWN_GAPS (none once its missing name exists)."""
    import pytest

    if name not in KNOWN_GAPS:
        return []
    return [pytest.mark.xfail(reason=KNOWN_GAPS[name], strict=True)]


def load_script(name: str):
    """Imports tests/scripts/NAME.py as a module of its own."""
    spec = importlib.util.spec_from_file_location(f"scripts_{name}", HERE / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def as_result(value) -> np.ndarray:
    """A script's value as a numpy array (strings as str, bytes kept as bytes).

    TensorFlow returns string tensors as object arrays of bytes; they are stored as fixed-width
    bytes arrays (`S`), which npz holds without pickling.
    """
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, str) for v in value):
        return np.asarray(value, dtype=str)
    array = np.asarray(value)
    if array.dtype == object and all(isinstance(v, bytes) for v in array.ravel()):
        return array.astype(bytes)
    return array


def load_golden() -> dict[str, dict[str, np.ndarray]]:
    """TensorFlow's recorded results: {script: {key: array}}."""
    out: dict[str, dict[str, np.ndarray]] = {}
    with np.load(GOLDEN, allow_pickle=False) as data:
        for name in data.files:
            script, key = name.split("/", 1)
            out.setdefault(script, {})[key] = data[name]
    return out


def compare(name: str, got: dict, want: dict, rtol: float = 1e-5, atol: float = 1e-6) -> None:
    """Asserts a script's results equal the reference's: floats to rtol/atol, the rest exactly.

    Dtypes must match too (a float64 where TF gives float32 is a difference a user sees).
    """
    assert set(got) == set(want), f"{name}: keys differ: {sorted(set(got) ^ set(want))}"
    problems = []
    for key in sorted(want):
        a, b = as_result(got[key]), as_result(want[key])
        if a.shape != b.shape:
            problems.append(f"{key}: shape {a.shape} != {b.shape}")
        elif b.dtype.kind in "fc":
            # float16 results: TF sums half reductions in half, in Eigen's order, onnxruntime in
            # float; they may differ by a half ulp or two (2**-10 relative), never more.
            tol = (max(rtol, 2e-3), max(atol, 1e-4)) if b.dtype == np.float16 else (rtol, atol)
            if not np.allclose(a, b, rtol=tol[0], atol=tol[1], equal_nan=True):
                problems.append(f"{key}: {a.tolist()!r} != {b.tolist()!r}")
        elif not np.array_equal(a, b):
            problems.append(f"{key}: {a.tolist()!r} != {b.tolist()!r}")
        if b.dtype.kind not in "USO" and a.dtype != b.dtype and b.size:
            problems.append(f"{key}: dtype {a.dtype} != {b.dtype}")
        if b.dtype.kind == "S" and isinstance(got[key], np.ndarray) and got[key].dtype != object:
            problems.append(f"{key}: a string tensor comes back as {got[key].dtype}, TF gives object")
    assert not problems, f"{name}: results differ:\n  " + "\n  ".join(problems)
