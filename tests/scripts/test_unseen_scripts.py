"""TF 1.x scripts written like tutorials and old projects, run under `import ortflow as tf`.

Each `unseen_*.py` here defines `build_and_run(tf) -> dict`; the results must equal the ones
TensorFlow 2.21 (`tf.compat.v1`, v2 behaviour off) gave for the same text, recorded in
tests/data/scripts/golden.npz by tests/data/scripts/gen_golden.py. Floats to rtol 1e-5 /
atol 1e-6, everything else exactly, dtypes too. Scripts ortflow cannot run yet are strict
xfails with the missing piece in the reason (they turn into failures once it lands).
"""

from __future__ import annotations

import pytest
from scripts_common import KNOWN_GAPS, SCRIPT_NAMES, compare, gap_marks, load_golden, load_script


@pytest.fixture(scope="module")
def golden():
    return load_golden()


def test_every_script_has_golden_results(golden):
    assert sorted(golden) == SCRIPT_NAMES, "regenerate: tests/data/scripts/gen_golden.py"
    assert set(KNOWN_GAPS) <= set(SCRIPT_NAMES)


@pytest.mark.parametrize("name", [
    pytest.param(n, marks=gap_marks(n)) for n in SCRIPT_NAMES])
def test_script_matches_tensorflow(name, golden):
    import ortflow

    results = load_script(name).build_and_run(ortflow)
    compare(name, results, golden[name])
