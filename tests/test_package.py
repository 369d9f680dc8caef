"""Package-level promises: no TensorFlow inside, a light `import ortflow`, a working CLI."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import REPO, run_cli


def _python(code: str) -> str:
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          cwd=REPO.parent)
    return proc.stdout


def test_no_tensorflow_after_importing_every_subpackage():
    code = (
        "import importlib, pkgutil, sys, json, ortflow\n"
        "names = []\n"
        "for m in pkgutil.walk_packages(ortflow.__path__, 'ortflow.'):\n"
        "    if m.name == 'ortflow.__main__':\n"
        "        continue\n"
        "    importlib.import_module(m.name); names.append(m.name)\n"
        "bad = sorted(k for k in sys.modules if k.split('.')[0] in ('tensorflow', 'tf2onnx', 'keras'))\n"
        "print(json.dumps({'imported': names, 'bad': bad}))\n"
    )
    out = json.loads(_python(code))
    assert len(out["imported"]) > 5
    assert out["bad"] == []


def test_import_ortflow_stays_light():
    # The import-time budget (0.3 s, benchmarks/bench_import.py) holds only if the heavy
    # libraries load on first use, not at `import ortflow`.
    out = json.loads(_python("import sys, json, ortflow; print(json.dumps(sorted(sys.modules)))"))
    heavy = {"onnx", "onnxruntime", "networkx", "tensorflow", "scipy"}
    assert heavy.isdisjoint(out)


def test_cli_without_command_is_usage_error():
    proc = run_cli()
    assert proc.returncode == 2
    assert "inspect" in proc.stderr


def test_every_top_level_name_resolves():
    """Each name in the lazy table and each sub-namespace loads (no dangling entries)."""
    import ortflow

    missing = []
    for name in [*ortflow._NAMES, *ortflow._SUBMODULES]:
        try:
            getattr(ortflow, name)
        except (AttributeError, ImportError) as e:
            missing.append(f"{name}: {e}")
    assert missing == []
    import ortflow.io
    import ortflow.train

    assert ortflow.io.read_graph is ortflow.api.io.read_graph
    assert ortflow.compat.v1 is ortflow
