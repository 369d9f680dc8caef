"""Import time of `import ortflow` (goal: under 0.3 s), against `import tensorflow` when installed.

Each import is timed in a fresh interpreter, best of N runs (the page cache is warm after the
first). Run: `python benchmarks/bench_import.py [--runs 5]`.
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys


def time_import(module: str, runs: int) -> float:
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    return min(float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                    check=True).stdout) for _ in range(runs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    ours = time_import("ortflow", args.runs)
    print(f"import ortflow:    {ours * 1000:8.1f} ms  (goal < 300 ms: {'met' if ours < 0.3 else 'NOT met'})")
    first_use = time_import("ortflow; ortflow.GraphDef; ortflow.float32", args.runs)
    print(f"  + protos, dtypes: {first_use * 1000:8.1f} ms")
    if importlib.util.find_spec("tensorflow") is not None:
        theirs = time_import("tensorflow", max(1, args.runs // 2))
        print(f"import tensorflow: {theirs * 1000:8.1f} ms  ratio tensorflow/ortflow = {theirs / ours:.0f}x")
    else:
        print("import tensorflow: not installed here (no anchor ratio)")


if __name__ == "__main__":
    main()
