"""Shared kit of the hand-built converter cases (tests/converters/test_handlers_*.py).

`test_handlers_small.py` defines the builders (`Case`, `op`, `placeholder`, `const`, ...) and the
runner; the other case files reuse them through `small_module()` (loaded by path: tests are not
a package, pytest runs with --import-mode=importlib). Each case file keeps its own `CASES`
table, made by `case_table()`, which the coverage meta-test reads; `case_params` and
`check_case` are the one parametrisation and test body they share.
"""

from __future__ import annotations

import importlib.util
import pathlib
import sys
from collections.abc import Callable

import pytest

_SMALL = pathlib.Path(__file__).resolve().parent / "converters" / "test_handlers_small.py"
_SMALL_NAME = "ortflow_tests_handlers_small"


def small_module():
    """The module test_handlers_small.py, loaded once per process."""
    module = sys.modules.get(_SMALL_NAME)
    if module is None:
        spec = importlib.util.spec_from_file_location(_SMALL_NAME, _SMALL)
        module = importlib.util.module_from_spec(spec)
        sys.modules[_SMALL_NAME] = module
        spec.loader.exec_module(module)
    return module


def case_table() -> tuple[dict[str, Callable], Callable]:
    """A new `CASES` table and the `@case` decorator that registers a builder in it by name."""
    cases: dict[str, Callable] = {}

    def case(fn):
        cases[fn.__name__] = fn
        return fn

    return cases, case


def case_params(cases: dict) -> list:
    """(name, opset) params: every case at the default opset and at opset 13."""
    return [pytest.param(name, opset, id=f"{name}-{opset_id}")
            for name in sorted(cases) for opset, opset_id in ((None, "default"), (13, "opset13"))]


def check_case(cases: dict, name: str, opset: int | None) -> None:
    """Converts and runs case `name` at `opset`; compares with its numpy reference. Below the
    case's `min_opset` the conversion must fail with a message naming the opset."""
    from ortflow.converters import default_opset

    small = small_module()
    case_obj = cases[name]()
    target = default_opset() if opset is None else opset
    if target < case_obj.min_opset:
        with pytest.raises(Exception, match="opset"):
            small.run(case_obj, opset)
        return
    results = small.run(case_obj, opset)
    for out_name, got, want in zip(case_obj.outputs, results, case_obj.expected(case_obj.feeds)):
        small._compare(got, want, f"{name} {out_name}", case_obj.atol)
