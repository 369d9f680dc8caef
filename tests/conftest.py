"""Shared test fixtures: paths to the bundled TensorFlow-made data, and the TensorFlow oracle."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys

import pytest

DATA = pathlib.Path(__file__).resolve().parent / "data"
REPO = pathlib.Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def data_dir() -> pathlib.Path:
    """tests/data: fixtures written by TensorFlow 2.21 (see tests/data/README.md)."""
    return DATA


@pytest.fixture(scope="session")
def tf():
    """TensorFlow itself, as a test oracle; tests using it are skipped when it is missing."""
    try:
        import tensorflow
    except ImportError as e:
        pytest.skip(f"interop tier: TensorFlow is not installed here ({e}); "
                    "`.ci/run` runs this tier in a virtual environment that has it")
    return tensorflow.compat.v1


def run_cli(*args: str, check: bool = False, timeout: float = 300, **kw) -> subprocess.CompletedProcess:
    """Runs `python -m ortflow ARGS` in a real subprocess and returns the completed process."""
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    proc = subprocess.run([sys.executable, "-m", "ortflow", *map(str, args)], capture_output=True,
                          text=True, timeout=timeout, env=env, **kw)
    if check and proc.returncode != 0:
        raise AssertionError(f"ortflow {' '.join(map(str, args))} exited {proc.returncode}:\n"
                             f"{proc.stdout}\n{proc.stderr}")
    return proc


@pytest.fixture(scope="session")
def cli():
    """The `run_cli` helper, as a fixture."""
    return run_cli
