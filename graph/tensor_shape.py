"""`TensorShape`: a static shape that may be partly or wholly unknown, as `tf.TensorShape`."""

from __future__ import annotations

from ortflow.proto import TensorShapeProto

__all__ = ["TensorShape", "as_shape", "unknown_shape"]


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
    def dims(self) -> list[int | None] | None:
        """The dimensions as a list of int-or-None, or None for an unknown rank."""
        return None if self._dims is None else list(self._dims)

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
        return iter(self._dims)

    def __getitem__(self, key):
        if self._dims is None:
            if isinstance(key, slice):
                return TensorShape(None)
            return None
        if isinstance(key, slice):
            return TensorShape(self._dims[key])
        return self._dims[key]

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
        return (TensorShape, (self.dims,))

    def __repr__(self) -> str:
        return f"TensorShape({self.dims!r})"

    def __str__(self) -> str:
        if self._dims is None:
            return "<unknown>"
        inner = ", ".join("None" if d is None else str(d) for d in self._dims)
        return f"({inner},)" if len(self._dims) == 1 else f"({inner})"


def as_shape(shape) -> TensorShape:
    """Converts a TensorShape, list, tuple, TensorShapeProto or None into a TensorShape."""
    return shape if isinstance(shape, TensorShape) else TensorShape(shape)


def unknown_shape(rank: int | None = None) -> TensorShape:
    """A shape of unknown rank, or of known rank with every dimension unknown."""
    return TensorShape(None if rank is None else [None] * rank)

