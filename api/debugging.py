"""`tf.debugging`: run-time checks (Assert and the assert_* family) and numeric predicates."""

from __future__ import annotations

from ortflow.api.array_ops import check_numerics
from ortflow.api.control_flow_ops import (
    Assert,
    assert_equal,
    assert_greater,
    assert_greater_equal,
    assert_less,
    assert_less_equal,
    assert_negative,
    assert_non_negative,
    assert_non_positive,
    assert_none_equal,
    assert_positive,
)
from ortflow.api.math_ops import is_finite, is_inf, is_nan

__all__ = [
    "Assert",
    "assert_equal",
    "assert_greater",
    "assert_greater_equal",
    "assert_less",
    "assert_less_equal",
    "assert_negative",
    "assert_non_negative",
    "assert_non_positive",
    "assert_none_equal",
    "assert_positive",
    "check_numerics",
    "is_finite",
    "is_inf",
    "is_nan",
]


from ortflow.api.inference_ops import assert_all_finite  # noqa: E402

__all__ += ["assert_all_finite"]

from ortflow.api.rank_asserts import (  # noqa: E402
    assert_integer,
    assert_rank,
    assert_rank_at_least,
    assert_rank_in,
    assert_scalar,
    assert_type,
)

__all__ += ["assert_integer", "assert_rank", "assert_rank_at_least", "assert_rank_in", "assert_scalar", "assert_type"]
