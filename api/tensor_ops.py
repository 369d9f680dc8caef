"""Python operators on Tensors (`x + 1`, `x[:, 0]`, `a @ b`, `-x`, `x < y`), built as TF 1.x builds them.

`install_operators(cls)` attaches them to a class (the graph model's `Tensor`, and `Variable`,
whose operators act on its value). Each binary operator opens a name scope named after it
(`add`, `mul`, `truediv`, ...), converts a Python operand to a Const of the other operand's
dtype inside it, and names the op after the scope, so `x + 1` gives `add/y` and `add`.
"""

from __future__ import annotations

from ortflow.api import array_ops, math_ops
from ortflow.api.ops_builder import apply_op_output, convert_to_tensor, graph_of
from ortflow.graph import Tensor

__all__ = ["OPERATORS", "binary_operator", "install_operators"]


def _scoped(op_type: str, scope_name: str, x, y, reflected: bool = False):
    if type(x) is Tensor and type(y) is Tensor:  # nothing to convert: the op takes the scope's name
        return apply_op_output(op_type, [x, y], name=scope_name)
    g = graph_of(x, y)
    with g.as_default(), g.name_scope(scope_name) as scope:
        if reflected:
            # `other OP tensor`: the tensor decides the dtype, even when `other` is a numpy
            # value with a dtype of its own (np.float64(2.0) * float32 tensor is float32 in TF).
            y = convert_to_tensor(y, name="y")
            x = convert_to_tensor(x, dtype=y.dtype.base_dtype, name="x")
        else:
            x, y = math_ops.convert_pair(x, y)
        return apply_op_output(op_type, [x, y], name=scope)


def binary_operator(op_type: str, scope_name: str):
    """The pair (operator, reflected operator) for one TF op type."""
    def forward(self, other):
        return _scoped(op_type, scope_name, self, other)

    def reflected(self, other):
        return _scoped(op_type, scope_name, other, self, reflected=True)

    return forward, reflected


def _truediv(self, other):
    return math_ops.truediv(self, other)


def _rtruediv(self, other):
    return math_ops.truediv(other, self)


def _matmul(self, other):
    return math_ops.matmul(self, other, name="matmul")


def _rmatmul(self, other):
    return math_ops.matmul(other, self, name="matmul")


def _neg(self):
    return apply_op_output("Neg", [self], name="Neg")


def _abs(self):
    return apply_op_output("Abs", [self], name="Abs")


def _invert(self):
    return apply_op_output("LogicalNot", [self], name="LogicalNot")


def _comparison(op_type: str):
    def op(self, other):
        return _scoped(op_type, op_type, self, other)
    return op


def _getitem(self, slice_spec):
    return array_ops.getitem(self, slice_spec)


def _iter(self):
    shape = self.shape
    if shape.rank is None or shape.dims[0] is None:
        raise TypeError("Tensor objects are only iterable when the first dimension is known.")
    for i in range(shape.dims[0]):
        yield self[i]


_ADD = binary_operator("AddV2", "add")
_SUB = binary_operator("Sub", "sub")
_MUL = binary_operator("Mul", "mul")
_FLOORDIV = binary_operator("FloorDiv", "floordiv")
_MOD = binary_operator("FloorMod", "mod")
_POW = binary_operator("Pow", "pow")
_AND = binary_operator("LogicalAnd", "and")
_OR = binary_operator("LogicalOr", "or")

#: Python operator name -> function taking (self, ...).
OPERATORS = {
    "__add__": _ADD[0], "__radd__": _ADD[1],
    "__sub__": _SUB[0], "__rsub__": _SUB[1],
    "__mul__": _MUL[0], "__rmul__": _MUL[1],
    "__truediv__": _truediv, "__rtruediv__": _rtruediv,
    "__div__": _truediv, "__rdiv__": _rtruediv,
    "__floordiv__": _FLOORDIV[0], "__rfloordiv__": _FLOORDIV[1],
    "__mod__": _MOD[0], "__rmod__": _MOD[1],
    "__pow__": _POW[0], "__rpow__": _POW[1],
    "__matmul__": _matmul, "__rmatmul__": _rmatmul,
    "__and__": _AND[0], "__rand__": _AND[1],
    "__or__": _OR[0], "__ror__": _OR[1],
    "__lt__": _comparison("Less"), "__le__": _comparison("LessEqual"),
    "__gt__": _comparison("Greater"), "__ge__": _comparison("GreaterEqual"),
    "__neg__": _neg, "__abs__": _abs, "__invert__": _invert,
    "__getitem__": _getitem, "__iter__": _iter,
}


def install_operators(cls) -> None:
    """Sets every operator of `OPERATORS` on `cls` (idempotent). `==` stays identity, as in TF 1.x."""
    for name, fn in OPERATORS.items():
        setattr(cls, name, fn)
    # numpy must defer to the Tensor's reflected operators (np.float32(2) * x).
    cls.__array_priority__ = 100
