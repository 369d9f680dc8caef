"""Converts every model `gen_extra_models.py` wrote with `ortflow convert` and compares with TF.

    python3 tools/check_extra_models.py /tmp/extra_models [--only NAME,...] [--opset N]

Runs without TensorFlow: the CLI in a subprocess per model (with --check: ONNX shape inference
fills the shapes of outputs whose rank TF's graph leaves open, then onnx.checker), onnx.checker
with full_check again on the written model, then onnxruntime on the result.
Prints one line per model: OK/MISMATCH/FAILED/CHECKER (onnx.checker, full_check), the max abs diff over all outputs and the number
of Transpose nodes left in the ONNX graph.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

import numpy as np

__all__ = ["check_model", "main"]

TOL = 1e-4


def _exceeds(actual: np.ndarray, expected: np.ndarray) -> float:
    """The largest |a - e| beyond TOL (relative above 1); <= 0 when within tolerance."""
    a = actual.astype(np.float64)
    e = expected.astype(np.float64)
    if a.size == 0:
        return -1.0
    return float(np.max(np.abs(a - e) - TOL * np.maximum(1.0, np.abs(e))))


def check_model(folder: str, opset: int | None = None) -> tuple[str, float, int, str]:
    """(status, max abs diff, Transpose count, detail) of one model folder."""
    import onnx
    import onnxruntime as ort

    with open(os.path.join(folder, "manifest.json")) as f:
        manifest = json.load(f)
    out = os.path.join(folder, "model.onnx")
    cmd = [sys.executable, "-m", "ortflow", "convert", os.path.join(folder, "frozen.pb"), "-o", out,
           "--inputs", ",".join(manifest["inputs"]), "--outputs", ",".join(manifest["outputs"]), "--check"]
    if opset:
        cmd += ["--opset", str(opset)]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd="/tmp", check=False)
    if proc.returncode != 0:
        return "FAILED", float("nan"), -1, proc.stderr.strip()[-2000:]
    model = onnx.load(out)
    try:
        onnx.checker.check_model(model, full_check=True)
    except Exception as e:  # noqa: BLE001  (any checker complaint is the finding)
        return "CHECKER", float("nan"), -1, str(e)[-2000:]
    transposes = sum(n.op_type == "Transpose" for n in model.graph.node)
    inputs = np.load(os.path.join(folder, "inputs.npz"))
    expected = np.load(os.path.join(folder, "expected.npz"))
    try:
        sess = ort.InferenceSession(out, providers=["CPUExecutionProvider"])
        got = sess.run(manifest["outputs"], {k: inputs[k] for k in manifest["inputs"]})
    except Exception as e:  # noqa: BLE001  (any runtime failure is the finding)
        return "ORT-ERROR", float("nan"), transposes, str(e)[-2000:]
    worst, diff, scale, detail = -1.0, 0.0, 0.0, ""
    for name, value in zip(manifest["outputs"], got):
        want = expected[name]
        if value.shape != want.shape:
            return "MISMATCH", float("nan"), transposes, f"{name}: shape {value.shape} != {want.shape}"
        if want.dtype.kind in "fc":
            diff = max(diff, float(np.max(np.abs(value.astype(np.float64) - want))) if want.size else 0.0)
            scale = max(scale, float(np.max(np.abs(want))) if want.size else 0.0)
            over = _exceeds(value, want)
            if over > worst:
                worst, detail = over, name
        elif not np.array_equal(value, want):
            return "MISMATCH", float("nan"), transposes, f"{name}: values differ"
    # untrained nets can shrink activations to ~1e-20: the diff relative to the outputs' scale
    # says whether the comparison meant anything
    detail = f"scale={scale:.3g} rel={diff / scale if scale else 0.0:.3g} {detail}"
    return ("OK" if worst <= 0 else "MISMATCH"), diff, transposes, detail


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root")
    parser.add_argument("--only", default="")
    parser.add_argument("--opset", type=int)
    args = parser.parse_args(argv)
    only = {s for s in args.only.split(",") if s}
    bad = 0
    for name in sorted(os.listdir(args.root)):
        folder = os.path.join(args.root, name)
        if (only and name not in only) or not os.path.exists(os.path.join(folder, "manifest.json")):
            continue
        status, diff, transposes, detail = check_model(folder, args.opset)
        bad += status != "OK"
        print(f"{status:9} {name:32} maxdiff={diff:.3g} transposes={transposes} {detail}", flush=True)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
