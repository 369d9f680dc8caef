"""The unseen TF 1.x scripts run by TensorFlow itself and by ortflow in one process, compared.

Also checks that the recorded golden results are still what TensorFlow gives (so the normal
tier's reference is not stale).
"""

from __future__ import annotations

import os

import pytest
from scripts_common import SCRIPT_NAMES, compare, gap_marks, load_golden, load_script

pytestmark = pytest.mark.interop


@pytest.fixture(scope="module")
def tf1(tf):
    # tf.compat.v1.layers needs tf_keras under TF 2.21 (Keras 3 dropped the legacy layers).
    os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
    pytest.importorskip("tf_keras", reason="TF 2.21's tf.compat.v1.layers needs the tf_keras package")
    tf.disable_v2_behavior()  # other interop tests of this process may have turned it back on
    return tf


@pytest.mark.parametrize("name", [
    pytest.param(n, marks=gap_marks(n)) for n in SCRIPT_NAMES])
def test_script_under_tensorflow_and_ortflow(name, tf1):
    import ortflow

    script = load_script(name)
    expected = script.build_and_run(tf1)
    compare(f"{name} (TensorFlow vs golden.npz)", expected, load_golden()[name], rtol=1e-6, atol=1e-7)
    compare(name, script.build_and_run(ortflow), expected)
