"""`TensorShape` and `Dimension`: static shapes that may be partly or wholly unknown, as TF's.

TF 1.x scripts read a dimension as `x.get_shape()[1].value` or `int(x.shape[1])`; TF 2-style
ones (and ported TF 1 scripts) write `x.shape[0] is None` and `x.shape[1] * 2`. TensorFlow
serves one style at a time, switched by `tf.compat.v1.enable_v2_tensorshape()` /
`disable_v2_tensorshape()`. ortflow serves both at once by default:

- a KNOWN dimension is a `Dimension`, which is an `int` subclass: it is equal to, hashes as,
  formats as, indexes and does arithmetic like the plain int (numpy shapes, `range`, list
  indices, protobuf fields and `json` take it), and it also has TF 1.x's `.value`,
  `is_compatible_with` and `merge_with`; `repr` says `Dimension(3)`.
- an UNKNOWN dimension is `None`, so `x.shape[0] is None` holds.

What this default cannot serve is `.value` on an unknown dimension (`None` has no `.value`):
portable code writes `tf.dimension_value(x.shape[0])`, and a script that relies on it can
call `tf.compat.v1.disable_v2_tensorshape()`: then indexing and iterating a shape give
`Dimension` objects for every dimension, `Dimension(None)` for the unknown ones, exactly as
TensorFlow 1.x (and `x.shape[0] is None` is then False, as in TensorFlow).

`as_list()` and `as_tuple()` always give plain ints and None, in both modes. `dims` gives the
default's `Dimension`-or-None in both modes: TensorFlow's `dims` gives `Dimension(None)` for
unknown dimensions even with v2 shapes, but ortflow's builder tests `dims[i] is None`, and
keeping `dims` the same in both modes keeps it working (the test suite also passes with the
TF 1.x mode as the default). Known dimensions are `Dimension` in both modes, so TF 2-style code
that checks `type(d) is int` (rather than `isinstance`) sees a difference.
"""

from __future__ import annotations

import operator

from ortflow.proto import TensorShapeProto

__all__ = ["Dimension", "TensorShape", "as_dimension", "as_shape", "dimension_at_index", "dimension_value",
           "disable_v2_tensorshape", "enable_v2_tensorshape", "unknown_shape"]

# True: unknown dimensions come back as None (the default); False: as Dimension(None) (TF 1.x).
_UNKNOWN_AS_NONE = True


def enable_v2_tensorshape() -> None:
    """Unknown dimensions read as `None` (ortflow's default; known ones stay `Dimension` ints)."""
    global _UNKNOWN_AS_NONE
    _UNKNOWN_AS_NONE = True


def disable_v2_tensorshape() -> None:
    """TF 1.x shapes: indexing or iterating a TensorShape gives `Dimension` objects, `Dimension(None)` too."""
    global _UNKNOWN_AS_NONE
    _UNKNOWN_AS_NONE = False


def _as_dim(value) -> int | None:
    if value is None:
        return None
    if hasattr(value, "value"):  # a Dimension-like object
        value = value.value
        if value is None:
            return None
    try:
        dim = int(value)
    except (TypeError, ValueError) as e:
        raise TypeError(f"Dimension value must be an integer or None, got {value!r}") from e
    if dim != value and not isinstance(value, str):
        raise TypeError(f"Dimension value must be an integer or None, got {value!r}")
    if dim < 0:
        if dim == -1:  # the proto's marker for an unknown dimension
            return None
        raise ValueError(f"Dimension {dim} must be >= 0")
    return dim


class _DimensionType(type):
    # `Dimension(None)` is not an int, so it is an instance of a sibling class; this metaclass
    # makes `Dimension(None)` construct it and `isinstance(d, Dimension)` accept it.
    def __call__(cls, value):
        if cls is Dimension:
            if isinstance(value, (Dimension, _UnknownDimension)):
                return value
            dim = _as_dim(value)
            return _UNKNOWN if dim is None else type.__call__(cls, dim)
        return type.__call__(cls, value)

    def __instancecheck__(cls, instance):
        return type.__instancecheck__(cls, instance) or (cls is Dimension and type(instance) is _UnknownDimension)


def _other_value(other):
    """The int-or-None value of an operand, or NotImplemented when it is no integer."""
    if other is None or isinstance(other, _UnknownDimension):
        return None
    if isinstance(other, bool):
        return NotImplemented
    try:
        return operator.index(other)
    except TypeError:  # floats, arrays, strings: let the other operand decide
        return NotImplemented


def _known(result: int):
    # A negative result is no dimension; TF 2-style code still expects the plain int.
    return Dimension(result) if result >= 0 else result


def _arith(fn):
    def forward(self, other):
        value = _other_value(other)
        if value is NotImplemented:
            return NotImplemented
        return _UNKNOWN if value is None else _known(fn(int(self), value))

    def reverse(self, other):
        value = _other_value(other)
        if value is NotImplemented:
            return NotImplemented
        return _UNKNOWN if value is None else _known(fn(value, int(self)))
    return forward, reverse


def _compare(fn):
    def method(self, other):
        value = _other_value(other)
        if value is NotImplemented:
            return NotImplemented
        return None if value is None else fn(int(self), value)
    return method


class Dimension(int, metaclass=_DimensionType):
    """A known dimension: an `int` that also answers TF 1.x's `.value` (see the module docstring).

    `Dimension(None)` is the unknown dimension; arithmetic with it gives `Dimension(None)` and
    comparisons with it give None, as in TensorFlow.

    Example:
        >>> d = Dimension(3)
        >>> d.value, d + 1, int(d) * 2, d == 3, Dimension(None) + d
        (3, Dimension(4), 6, True, Dimension(None))
    """

    __slots__ = ()

    @property
    def value(self) -> int:
        return int(self)

    def __repr__(self) -> str:
        return f"Dimension({int(self)})"

    def __str__(self) -> str:
        return str(int(self))

    __add__, __radd__ = _arith(lambda a, b: a + b)
    __sub__, __rsub__ = _arith(lambda a, b: a - b)
    __mul__, __rmul__ = _arith(lambda a, b: a * b)
    __floordiv__, __rfloordiv__ = _arith(lambda a, b: a // b)
    __mod__, __rmod__ = _arith(lambda a, b: a % b)
    __eq__ = _compare(lambda a, b: a == b)
    __ne__ = _compare(lambda a, b: a != b)
    __lt__ = _compare(lambda a, b: a < b)
    __le__ = _compare(lambda a, b: a <= b)
    __gt__ = _compare(lambda a, b: a > b)
    __ge__ = _compare(lambda a, b: a >= b)
    __hash__ = int.__hash__

    def __reduce__(self):
        return (Dimension, (int(self),))

    def is_compatible_with(self, other) -> bool:
        """True when `other` is unknown or equal to this dimension."""
        value = as_dimension(other).value
        return value is None or value == int(self)

    def assert_is_compatible_with(self, other) -> None:
        if not self.is_compatible_with(other):
            raise ValueError(f"Dimensions {self} and {as_dimension(other)} are not compatible")

    def merge_with(self, other) -> Dimension:
        """This dimension when `other` is compatible with it.

        Raises:
            ValueError: `other` is a different known dimension.
        """
        self.assert_is_compatible_with(other)
        return self


class _UnknownDimension:
    """`Dimension(None)`: arithmetic with it is unknown, comparisons with it are None."""

    __slots__ = ()
    value = None

    def __repr__(self) -> str:
        return "Dimension(None)"

    def __str__(self) -> str:
        return "?"

    def _unknown(self, other):
        return NotImplemented if _other_value(other) is NotImplemented else self

    def _none(self, other):
        return NotImplemented if _other_value(other) is NotImplemented else None

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _unknown
    __floordiv__ = __rfloordiv__ = __mod__ = __rmod__ = _unknown
    __eq__ = __ne__ = __lt__ = __le__ = __gt__ = __ge__ = _none
    __hash__ = None  # as TensorFlow's Dimension: equality is three-valued, so no hash

    def __int__(self):
        raise TypeError("Cannot convert an unknown Dimension to an int.")

    __index__ = __int__

    def __reduce__(self):
        return (Dimension, (None,))

    def is_compatible_with(self, other) -> bool:
        as_dimension(other)
        return True

    def assert_is_compatible_with(self, other) -> None:
        as_dimension(other)

    def merge_with(self, other):
        return as_dimension(other)


_UNKNOWN = object.__new__(_UnknownDimension)


def as_dimension(value) -> Dimension:
    """`value` (an int, None or a Dimension) as a Dimension."""
    return Dimension(value)


def dimension_value(dimension):
    """The int-or-None value of `dimension` (a Dimension, an int or None), as `tf.dimension_value`."""
    if isinstance(dimension, (Dimension, _UnknownDimension)):
        return dimension.value
    return dimension


def dimension_at_index(shape, index) -> Dimension:
    """`shape[index]` as a Dimension, `Dimension(None)` when the rank is unknown (`tf.dimension_at_index`)."""
    shape = as_shape(shape)
    if shape.rank is None:
        return _UNKNOWN
    return Dimension(shape.as_tuple()[index])


def _wrap(dim: int | None):
    if dim is None:
        return None if _UNKNOWN_AS_NONE else _UNKNOWN
    return Dimension(dim)


def _wrap_default(dim: int | None):
    return None if dim is None else Dimension(dim)


class TensorShape:
    """The static shape of a tensor: a list of int-or-None dimensions, or unknown rank.

    Example:
        >>> s = TensorShape([None, 3])
        >>> s.rank, s.as_list(), s.is_fully_defined()
        (2, [None, 3], False)
        >>> s.merge_with([5, 3]).as_list()
        [5, 3]
    """

    __slots__ = ("_dims",)

    def __init__(self, dims=None):
        if isinstance(dims, TensorShape):
            self._dims = dims._dims
        elif isinstance(dims, TensorShapeProto):
            self._dims = None if dims.unknown_rank else tuple(
                None if d.size < 0 else int(d.size) for d in dims.dim)
        elif dims is None:
            self._dims = None
        elif isinstance(dims, (int,)) or hasattr(dims, "value") and not hasattr(dims, "__iter__"):
            self._dims = (_as_dim(dims),)
        else:
            self._dims = tuple(_as_dim(d) for d in dims)

    # -- queries ------------------------------------------------------------------------------
    @property
    def rank(self) -> int | None:
        """The number of dimensions, or None when the rank is unknown."""
        return None if self._dims is None else len(self._dims)

    ndims = rank

    @property
    def dims(self) -> list[Dimension | None] | None:
        """The dimensions as a list of `Dimension`-or-None, or None for an unknown rank."""
        return None if self._dims is None else [_wrap_default(d) for d in self._dims]

    def as_list(self) -> list[int | None]:
        """The dimensions as a list.

        Raises:
            ValueError: when the rank is unknown.
        """
        if self._dims is None:
            raise ValueError("as_list() is not defined on an unknown TensorShape.")
        return list(self._dims)

    def as_tuple(self) -> tuple[int | None, ...] | None:
        """The dimensions as a tuple (the registry's Shape form), or None for unknown rank."""
        return self._dims

    def as_proto(self) -> TensorShapeProto:
        """This shape as a TensorShapeProto (-1 for unknown dimensions)."""
        proto = TensorShapeProto()
        if self._dims is None:
            proto.unknown_rank = True
        else:
            for d in self._dims:
                proto.dim.add().size = -1 if d is None else d
        return proto

    def is_fully_defined(self) -> bool:
        return self._dims is not None and all(d is not None for d in self._dims)

    def num_elements(self) -> int | None:
        """The number of elements, or None when some dimension is unknown."""
        if not self.is_fully_defined():
            return None
        n = 1
        for d in self._dims:
            n *= d
        return n

    # -- combination --------------------------------------------------------------------------
    def is_compatible_with(self, other) -> bool:
        other = as_shape(other)
        if self._dims is None or other._dims is None:
            return True
        if len(self._dims) != len(other._dims):
            return False
        return all(a is None or b is None or a == b for a, b in zip(self._dims, other._dims))

    def merge_with(self, other) -> TensorShape:
        """The most specific shape compatible with both.

        Raises:
            ValueError: when the shapes are not compatible.
        """
        other = as_shape(other)
        if self._dims is None:
            return other
        if other._dims is None:
            return self
        if not self.is_compatible_with(other):
            raise ValueError(f"Shapes {self} and {other} are not compatible")
        return TensorShape([a if a is not None else b for a, b in zip(self._dims, other._dims)])

    def concatenate(self, other) -> TensorShape:
        other = as_shape(other)
        if self._dims is None or other._dims is None:
            return TensorShape(None)
        return TensorShape(self._dims + other._dims)

    def assert_is_compatible_with(self, other) -> None:
        if not self.is_compatible_with(other):
            raise ValueError(f"Shapes {self} and {as_shape(other)} are incompatible")

    def assert_has_rank(self, rank: int) -> None:
        if self._dims is not None and len(self._dims) != rank:
            raise ValueError(f"Shape {self} must have rank {rank}")

    def with_rank(self, rank: int) -> TensorShape:
        try:
            return self.merge_with(unknown_shape(rank=rank))
        except ValueError as e:
            raise ValueError(f"Shape {self} must have rank {rank}") from e

    # -- container protocol ---------------------------------------------------------------------
    def __len__(self) -> int:
        if self._dims is None:
            raise ValueError("Cannot take the length of shape with unknown rank.")
        return len(self._dims)

    def __iter__(self):
        if self._dims is None:
            raise ValueError("Cannot iterate over a shape with unknown rank.")
        return (_wrap(d) for d in self._dims)

    def __getitem__(self, key):
        if self._dims is None:
            if isinstance(key, slice):
                return TensorShape(None)
            return _wrap(None)
        if isinstance(key, slice):
            return TensorShape(self._dims[key])
        return _wrap(self._dims[key])

    def __bool__(self) -> bool:
        return self._dims is not None

    def __eq__(self, other) -> bool:
        try:
            other = as_shape(other)
        except (TypeError, ValueError):
            return NotImplemented
        return self._dims == other._dims

    def __ne__(self, other) -> bool:
        eq = self.__eq__(other)
        return eq if eq is NotImplemented else not eq

    def __hash__(self) -> int:
        return hash(self._dims)

    def __reduce__(self):
        return (TensorShape, (None if self._dims is None else list(self._dims),))

    def __repr__(self) -> str:
        # TF 1.x's form: TensorShape([Dimension(None), Dimension(3)]).
        if self._dims is None:
            return "TensorShape(None)"
        return "TensorShape([" + ", ".join(f"Dimension({d})" for d in self._dims) + "])"

    def __str__(self) -> str:
        if self._dims is None:
            return "<unknown>"
        # TF 1.x prints an unknown dimension as "?" (`(?, 784)`), whichever mode reads dims
        inner = ", ".join("?" if d is None else str(d) for d in self._dims)
        return f"({inner},)" if len(self._dims) == 1 else f"({inner})"


def as_shape(shape) -> TensorShape:
    """Converts a TensorShape, list, tuple, TensorShapeProto or None into a TensorShape."""
    return shape if isinstance(shape, TensorShape) else TensorShape(shape)


def unknown_shape(rank: int | None = None) -> TensorShape:
    """A shape of unknown rank, or of known rank with every dimension unknown."""
    return TensorShape(None if rank is None else [None] * rank)

