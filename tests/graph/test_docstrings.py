"""The worked examples in the graph model's docstrings run, so they cannot go stale."""

from __future__ import annotations

import doctest

import pytest
from ortflow.graph import core, tensor_shape


@pytest.mark.parametrize("module", [core, tensor_shape], ids=lambda m: m.__name__)
def test_docstring_examples(module):
    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0
