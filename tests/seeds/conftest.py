"""Fixtures for the seed-snippet tests: run a script from scripts.py under ortflow and compare.

The expected values are TensorFlow's, recorded by tests/data/seeds/gen_expected.py.
"""

from __future__ import annotations

import importlib.util
import pathlib

import numpy as np
import pytest

HERE = pathlib.Path(__file__).resolve().parent
EXPECTED = HERE.parent / "data" / "seeds" / "expected.npz"


def _load_scripts():
    spec = importlib.util.spec_from_file_location("seed_scripts", HERE / "scripts.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SEEDS = _load_scripts()


@pytest.fixture(scope="session")
def seed_scripts():
    """The module holding every seed script (`SCRIPTS`, `as_result`)."""
    return SEEDS


@pytest.fixture(scope="session")
def expected():
    """TensorFlow's results: {script: {key: array}}."""
    out: dict[str, dict[str, np.ndarray]] = {}
    with np.load(EXPECTED) as data:
        for name in data.files:
            script, key = name.split("/", 1)
            out.setdefault(script, {})[key] = data[name]
    return out


def compare(name: str, results: dict, want: dict) -> None:
    """Asserts that a script's results under ortflow equal TensorFlow's, key by key."""
    produced = {k for k in results if not k.startswith("raw_")}
    assert produced == set(want), f"{name}: keys differ: {sorted(produced ^ set(want))}"
    problems = []
    for key, expect in want.items():
        got = SEEDS.as_result(results[key])
        if got.shape != expect.shape:
            problems.append(f"{key}: shape {got.shape} != {expect.shape} ({got.tolist()!r} vs "
                            f"{expect.tolist()!r})")
        elif expect.dtype.kind in "fc":
            # float32 results of the same math in two runtimes: a few ulps apart at most.
            if not np.allclose(got, expect, rtol=1e-5, atol=1e-6):
                problems.append(f"{key}: {got.tolist()!r} != {expect.tolist()!r}")
        elif not np.array_equal(got, expect):
            problems.append(f"{key}: {got.tolist()!r} != {expect.tolist()!r}")
        if expect.dtype.kind not in "U" and got.dtype != expect.dtype and got.size:
            problems.append(f"{key}: dtype {got.dtype} != {expect.dtype}")
    assert not problems, f"{name}: results differ from TensorFlow's:\n  " + "\n  ".join(problems)


@pytest.fixture
def run_seed(tmp_path, expected):
    """run_seed(name) runs the script under `import ortflow as tf`, checks it against TF.

    Returns (results, workdir) so that interop tests can hand ortflow's files to TensorFlow.
    """
    import ortflow

    def run(name: str, workdir: pathlib.Path | None = None):
        workdir = workdir or tmp_path / name
        workdir.mkdir(parents=True, exist_ok=True)
        results = SEEDS.SCRIPTS[name](ortflow, str(workdir))
        compare(name, results, expected[name])
        return results, workdir

    return run
