"""Shared kit of the interop tests over TensorFlow-made models outside the fixtures
(tests/converters/test_keras_apps_interop.py, test_more_models_interop.py, test_third_models_interop.py).

The generators live in tools/ (not a package) and are loaded by path; `eager_tensorflow` is an
autouse fixture a test module takes in by importing it; `assert_close` is the one comparison.
Nothing here imports TensorFlow at import time.
"""

from __future__ import annotations

import importlib.util
import pathlib
import subprocess
import sys

import numpy as np
import pytest

__all__ = ["TOOLS", "assert_close", "eager_tensorflow", "tool", "write_v1_graphs"]

TOOLS = pathlib.Path(__file__).resolve().parents[1] / "tools"


def tool(stem: str):
    """The module tools/<stem>.py, loaded once per process (as `ortflow_tools_<stem>`, the name
    the generators use when they load each other)."""
    name = f"ortflow_tools_{stem}"
    module = sys.modules.get(name)
    if module is None:
        spec = importlib.util.spec_from_file_location(name, TOOLS / f"{stem}.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return module


@pytest.fixture(autouse=True)
def eager_tensorflow(tf):
    """Keras freezing needs TF 2 behaviour, which other interop tests of this process turn off
    (`disable_v2_behavior` is process-wide): turn it back on for each test of the module."""
    tf.enable_v2_behavior()


def assert_close(actual, expected, what: str, tol: float = 1e-4) -> None:
    """|a - e| <= tol, relative for values above 1; integers and booleans exactly."""
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape} != {expected.shape}"
    if expected.dtype.kind not in "fc":
        np.testing.assert_array_equal(actual, expected, err_msg=what)
        return
    a, e = actual.astype(np.float64), expected.astype(np.float64)
    excess = np.abs(a - e) - tol * np.maximum(1.0, np.abs(e))
    assert not a.size or excess.max() <= 0, f"{what}: max |diff| {np.abs(a - e).max():.3g} over {tol}"


def write_v1_graphs(generator: pathlib.Path, out: pathlib.Path, names: list[str], part: str = "v1") -> pathlib.Path:
    """Runs `generator --part PART --only NAMES` into `out` in a child process (TF 1.x graphs need
    `disable_v2_behavior()`, which is process-wide) and returns `out`."""
    proc = subprocess.run([sys.executable, str(generator), str(out), "--part", part, "--only", ",".join(names)],
                          capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return out
