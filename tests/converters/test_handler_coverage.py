"""Meta-test: every registered converter handler is exercised by at least one test case.

The table of op type -> cases is computed from the graphs the converter tests run: the TF-made
fixtures under tests/data/ops and tests/data/control_flow (test_ops_fixtures.py and
test_control_flow.py) and the hand-built GraphDefs of test_handlers_small.py. An op counts for
a case only if it survives the TF-side passes (pruning, identity removal, constant folding),
so its handler really runs. A new handler without a case, or a handler variant (`since=`)
that neither opset 13 nor the default opset selects, fails here.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import pathlib
import sys

import pytest
from ortflow.converters import default_opset, lookup, passes_tf, registered_ops
from ortflow.proto import GraphDef

HERE = pathlib.Path(__file__).resolve().parent
DATA = HERE.parent / "data"
FIXTURE_DIRS = (DATA / "ops", DATA / "control_flow")
TESTED_OPSETS = (13, None)  # what the converter tests run: opset 13 and the default

#: Ops the driver lowers itself; handlers for them are never looked up.
DRIVER_BUILT_INS = {"Const", "NoOp", "Placeholder", "PlaceholderV2"}


def _lowered_ops(graph_def: GraphDef, inputs, outputs) -> set[str]:
    _, facts = passes_tf.run_tf_passes(graph_def, inputs, outputs)
    return {n.op for n in facts.order} - DRIVER_BUILT_INS


def _load_cases(file_name: str) -> dict:
    # Loaded by path: tests are not a package (pytest runs with --import-mode=importlib).
    name = f"ortflow_tests_{file_name[len('test_'):-len('.py')]}"
    module = sys.modules.get(name)
    if module is None:
        spec = importlib.util.spec_from_file_location(name, HERE / file_name)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return module.CASES


#: The modules of hand-built cases (each with a `CASES` table of the same shape).
SMALL_CASE_FILES = ("test_handlers_small.py", "test_handlers_extra.py", "test_handlers_legacy.py",
                    "test_handlers_inference_ops.py", "test_handlers_sparse.py", "test_extra_model_regressions.py")


def _small_cases():
    cases = {}
    for file_name in SMALL_CASE_FILES:
        cases.update(_load_cases(file_name))
    return cases


@functools.lru_cache(maxsize=1)
def coverage_table() -> dict[str, list[str]]:
    """op type -> the cases (fixture folder or small-case name) whose lowering reaches its handler."""
    table: dict[str, list[str]] = {}
    for root in FIXTURE_DIRS:
        for folder in sorted(p for p in root.iterdir() if (p / "frozen.pb").exists()):
            manifest = json.loads((folder / "manifest.json").read_text())
            graph = GraphDef()
            graph.ParseFromString((folder / "frozen.pb").read_bytes())
            for op in _lowered_ops(graph, manifest["inputs"], manifest["outputs"]):
                table.setdefault(op, []).append(f"{root.name}/{folder.name}")
    for name, build in sorted(_small_cases().items()):
        case = build()
        for op in _lowered_ops(case.graph_def(), list(case.feeds), case.outputs):
            table.setdefault(op, []).append(f"small/{name}")
    return table


def test_table_sees_the_fixtures():
    table = coverage_table()
    assert "ops/while_v1_counter" in table["LoopCond"]
    assert "ops/cond_v1" in table["Merge"]
    assert any(c.startswith("small/") for c in table["TensorListStack"])


def test_every_registered_op_has_a_case():
    table = coverage_table()
    missing = sorted(op for op in registered_ops() if op not in table)
    assert not missing, (f"{len(missing)} registered op type(s) have no test case: {missing}; add a fixture "
                         "or a small GraphDef case in tests/converters/test_handlers_small.py")


@pytest.mark.parametrize("op_type", sorted(registered_ops()))
def test_every_handler_variant_is_selected_by_a_tested_opset(op_type):
    chosen = {lookup(op_type, default_opset() if o is None else o) for o in TESTED_OPSETS}
    untested = [h for h in registered_ops()[op_type] if h not in chosen]
    assert not untested, (f"{op_type}: handler variant(s) since opset {[h.since for h in untested]} are "
                          f"picked by neither opset 13 nor the default opset {default_opset()}")
