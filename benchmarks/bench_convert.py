"""Whole-process conversion time: `python -m ortflow convert` vs `python -m tf2onnx.convert`.

    .venv-tf/bin/python benchmarks/bench_convert.py [--models mobilenet_v2,resnet50] [--repeat 3]

Frozen Keras MobileNetV2 / ResNet50 graphs are generated once with TensorFlow into
~/.cache/ortflow-bench/ (outside git). Without TensorFlow the repository's mobilenet_v2 fixture
is used and only ortflow is timed. Goal: ortflow >= 20x faster than tf2onnx, per model.

Both commands run once untimed first, with Python's bytecode cache on (PYTHONDONTWRITEBYTECODE
dropped, PYTHONPYCACHEPREFIX under the cache directory): an installed package has its .pyc
files, and an editable checkout without them would time the compiler (~0.2 s) instead.
`--no-bytecode-cache` times that case too: PYTHONDONTWRITEBYTECODE=1 and no PYTHONPYCACHEPREFIX
(a development shell), so the checkout's modules, which have no __pycache__, are compiled in
every run, while installed packages (numpy, TensorFlow, tf2onnx) still read their .pyc files.

The two commands alternate, run by run, so that both see the same load on a shared machine;
the load average is printed before and after.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import resource
import statistics
import subprocess
import sys
import tempfile
import time

REPO = pathlib.Path(__file__).resolve().parent.parent
CACHE = pathlib.Path(os.environ.get("ORTFLOW_BENCH_CACHE", pathlib.Path.home() / ".cache" / "ortflow-bench"))
FIXTURE = REPO / "tests" / "data" / "mobilenet_v2"
GOAL = 20.0

_GENERATE = r"""
import json, sys, pathlib
import tensorflow as tf
from tensorflow.python.framework.convert_to_constants import convert_variables_to_constants_v2
name, out = sys.argv[1], pathlib.Path(sys.argv[2])
ctor = {"mobilenet_v2": tf.keras.applications.MobileNetV2, "resnet50": tf.keras.applications.ResNet50,
        "inception_v3": tf.keras.applications.InceptionV3, "densenet121": tf.keras.applications.DenseNet121,
        "mobilenet_v3_small": tf.keras.applications.MobileNetV3Small}[name]
size = 299 if name == "inception_v3" else 224
model = ctor(weights=None, input_shape=(size, size, 3))
fn = tf.function(lambda x: model(x, training=False)).get_concrete_function(
    tf.TensorSpec([None, size, size, 3], tf.float32, name="input"))
frozen = convert_variables_to_constants_v2(fn)
graph_def = frozen.graph.as_graph_def()
out.mkdir(parents=True, exist_ok=True)
(out / "frozen.pb").write_bytes(graph_def.SerializeToString())
outputs = [t.name for t in frozen.outputs]
(out / "io.json").write_text(json.dumps({"inputs": ["input:0"], "outputs": outputs, "size": size,
                                          "nodes": len(graph_def.node)}))
"""


def have(module: str) -> bool:
    """True when `module` imports in this interpreter (checked in a subprocess, not imported here)."""
    return subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True,
                          check=False).returncode == 0


def frozen_model(name: str) -> tuple[pathlib.Path, dict] | None:
    """(frozen.pb, io info) of a generated Keras model, generating it when TensorFlow is here."""
    d = CACHE / name
    if not (d / "frozen.pb").exists():
        if not have("tensorflow"):
            return None
        print(f"generating {name} with Keras into {d} ...", file=sys.stderr)
        subprocess.run([sys.executable, "-c", _GENERATE, name, str(d)], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return d / "frozen.pb", json.loads((d / "io.json").read_text())


def models(names: list[str]) -> list[tuple[str, pathlib.Path, dict]]:
    """The benchmark models that can be had here; the repository fixture when none can."""
    found = []
    for name in names:
        got = frozen_model(name)
        if got is not None:
            found.append((name, *got))
    if not found:
        manifest = json.loads((FIXTURE / "manifest.json").read_text())
        found.append(("mobilenet_v2 (fixture)", FIXTURE / "frozen.pb",
                      {"inputs": manifest["inputs"], "outputs": manifest["outputs"]}))
    return found


def _env(bytecode_cache: bool) -> dict:
    env = dict(os.environ)
    if bytecode_cache:
        env["PYTHONPYCACHEPREFIX"] = str(CACHE / "pycache")
        env.pop("PYTHONDONTWRITEBYTECODE", None)
    else:
        env.pop("PYTHONPYCACHEPREFIX", None)
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def _run_once(cmd: list[str], env: dict) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def time_commands(cmds: list[list[str]], repeat: int, env: dict) -> list[tuple[float, float]]:
    """Median (wall seconds, CPU seconds user+sys) of each command, run `repeat` times each,
    alternating (each must succeed).

    CPU time is printed too because on a shared, busy machine wall time mostly measures the
    neighbours.
    """
    for cmd in cmds:
        subprocess.run(cmd, capture_output=True, env=env, check=False)  # warm-up: bytecode cache, page cache
    runs: list[list[tuple[float, float]]] = [[] for _ in cmds]
    for _ in range(repeat):
        for k, cmd in enumerate(cmds):
            runs[k].append(_run_once(cmd, env))
    return [(statistics.median(w for w, _ in r), statistics.median(c for _, c in r)) for r in runs]


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def ortflow_cmd(pb, io, out, opset) -> list[str]:
    return [sys.executable, "-m", "ortflow", "convert", str(pb), "-o", str(out), "--opset", str(opset),
            "--inputs", ",".join(io["inputs"]), "--outputs", ",".join(io["outputs"])]


def tf2onnx_cmd(pb, io, out, opset) -> list[str]:
    return [sys.executable, "-m", "tf2onnx.convert", "--graphdef", str(pb), "--output", str(out),
            "--opset", str(opset), "--inputs", ",".join(io["inputs"]),
            "--outputs", ",".join(io["outputs"])]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="mobilenet_v2,resnet50")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--opset", type=int, default=17, help="same opset for both converters")
    parser.add_argument("--no-bytecode-cache", action="store_true",
                        help="run both commands without .pyc files (every module compiled each run)")
    args = parser.parse_args()
    with_tf2onnx = have("tf2onnx")
    if not with_tf2onnx:
        print("tf2onnx is not installed here: timing ortflow only (run with .venv-tf/bin/python "
              "for the ratio)")
    cache = "no bytecode cache" if args.no_bytecode_cache else "bytecode cache on"
    print(f"whole-process conversion, median of {args.repeat}, alternating runs, {cache} "
          f"(python {sys.version.split()[0]}, {os.cpu_count()} cores); load average {_load()}")
    ratios = []
    with tempfile.TemporaryDirectory() as tmp:
        env = _env(not args.no_bytecode_cache)
        for name, pb, io in models(args.models.split(",")):
            cmds = [ortflow_cmd(pb, io, pathlib.Path(tmp) / "ours.onnx", args.opset)]
            if with_tf2onnx:
                cmds.append(tf2onnx_cmd(pb, io, pathlib.Path(tmp) / "tf2onnx.onnx", args.opset))
            timed = time_commands(cmds, args.repeat, env)
            ours, ours_cpu = timed[0]
            line = f"{name:20s} ortflow {ours:6.2f} s wall {ours_cpu:6.2f} s cpu"
            if with_tf2onnx:
                theirs, theirs_cpu = timed[1]
                ratios.append(theirs / ours)
                line += (f" | tf2onnx {theirs:6.2f} s wall {theirs_cpu:6.2f} s cpu | speedup "
                         f"{theirs / ours:5.1f}x wall, {theirs_cpu / ours_cpu:5.1f}x cpu (goal >= {GOAL:.0f}x)")
            print(line, flush=True)
    print(f"load average after: {_load()}")
    if ratios:
        print(f"worst wall-clock speedup {min(ratios):.1f}x: "
              f"{'meets' if min(ratios) >= GOAL else 'MISSES'} the goal")


if __name__ == "__main__":
    main()
