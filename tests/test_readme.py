"""The README's examples run as written, so the docs cannot go stale."""

from __future__ import annotations

import re
import shlex

import pytest
from conftest import REPO, run_cli

README = (REPO / "README.md").read_text()
PYTHON_BLOCKS = re.findall(r"```python\n(.*?)```", README, re.S)


@pytest.mark.parametrize("code", PYTHON_BLOCKS, ids=[f"block{i}" for i in range(len(PYTHON_BLOCKS))])
def test_python_example_runs(code, monkeypatch, capsys):
    monkeypatch.chdir(REPO)
    import ortflow

    ortflow.reset_default_graph()
    exec(compile(code, "README.md", "exec"), {})
    assert capsys.readouterr().out.strip()


def test_quick_start_command_runs():
    line = next(l for l in README.splitlines() if "&& ortflow inspect" in l)
    args = shlex.split(line.split("&& ortflow", 1)[1])
    proc = run_cli(*args, cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    assert "input:0" in proc.stdout


def test_test_command_is_what_ci_runs():
    line = next(l for l in README.splitlines() if "pytest" in l and "pip install" in l)
    assert line.strip() in (REPO / ".ci" / "run").read_text()
