"""Converts the model folders of gen_extra_models.py / gen_more_models.py with tf2onnx too.

Run with the TensorFlow venv (tf2onnx needs TensorFlow):

    /work/venv-tf/bin/python tools/compare_tf2onnx.py /tmp/more_models [--only A,B] [--opset 13]

Prints one line per model: tf2onnx's status (OK / MISMATCH / FAILED / ORT-ERROR with the
reason's last line), next to ortflow's from tools/check_extra_models.py, so the cases where one
converter fails and the other works are visible. tf2onnx runs in a child process per model (a
crash or a hang stays there).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import pathlib
import subprocess
import sys

import numpy as np

__all__ = ["main", "tf2onnx_status"]

HERE = pathlib.Path(__file__).resolve().parent


def _checker():
    spec = importlib.util.spec_from_file_location("ortflow_tools_check_extra_models",
                                                  HERE / "check_extra_models.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def tf2onnx_status(folder: str, opset: int) -> tuple[str, str]:
    """(status, detail) of tf2onnx on one model folder."""
    import onnxruntime as ort

    with open(os.path.join(folder, "manifest.json")) as f:
        manifest = json.load(f)
    out = os.path.join(folder, f"tf2onnx_{opset}.onnx")
    cmd = [sys.executable, "-m", "tf2onnx.convert", "--graphdef", os.path.join(folder, "frozen.pb"),
           "--output", out, "--opset", str(opset), "--inputs", ",".join(manifest["inputs"]),
           "--outputs", ",".join(manifest["outputs"])]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=False,
                              env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    except subprocess.TimeoutExpired:
        return "TIMEOUT", "over 600 s"
    if proc.returncode != 0 or not os.path.exists(out):
        lines = [line for line in proc.stderr.splitlines() if "Error" in line or "error" in line]
        return "FAILED", (lines[-1] if lines else proc.stderr.strip()[-300:])[:300]
    unsupported = [line for line in proc.stderr.splitlines() if "Unsupported ops" in line]
    inputs = np.load(os.path.join(folder, "inputs.npz"))
    expected = np.load(os.path.join(folder, "expected.npz"))
    try:
        sess = ort.InferenceSession(out, providers=["CPUExecutionProvider"])
        names = [o.name for o in sess.get_outputs()]
        feeds = {i.name: inputs[i.name] for i in sess.get_inputs()}
        got = dict(zip(names, sess.run(None, feeds)))
    except Exception as e:  # noqa: BLE001  (any runtime failure is the finding)
        return "ORT-ERROR", (str(unsupported[-1]) if unsupported else str(e).splitlines()[0])[:300]
    check = _checker()
    for name in manifest["outputs"]:
        value, want = got.get(name), expected[name]
        if value is None or value.shape != want.shape:
            return "MISMATCH", f"{name}: shape {None if value is None else value.shape} != {want.shape}"
        if want.dtype.kind in "fc":
            if check._exceeds(value, want) > 0:
                return "MISMATCH", f"{name}: max diff {np.max(np.abs(value - want)):.3g}"
        elif not np.array_equal(value, want):
            return "MISMATCH", f"{name}: values differ"
    return "OK", ""


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root")
    parser.add_argument("--only", default="")
    parser.add_argument("--opset", type=int, default=13)
    args = parser.parse_args(argv)
    only = {s for s in args.only.split(",") if s}
    for name in sorted(os.listdir(args.root)):
        folder = os.path.join(args.root, name)
        if (only and name not in only) or not os.path.exists(os.path.join(folder, "manifest.json")):
            continue
        status, detail = tf2onnx_status(folder, args.opset)
        print(f"tf2onnx {status:9} {name:32} {detail}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
