"""`tf.contrib.framework.arg_scope`: default keyword arguments for a set of layer functions.

A function decorated with `add_arg_scope` looks up, on each call, the keywords that the
innermost `arg_scope` naming it set; keywords given in the call win. Scopes nest: an inner
scope starts from a copy of the outer one and adds to it. `arg_scope(saved)` re-enters a
scope dictionary yielded earlier.

    with arg_scope([conv2d, fully_connected], activation_fn=tf.nn.relu6):
        net = conv2d(images, 32, [3, 3])             # activation_fn=relu6
"""

from __future__ import annotations

import contextlib
import functools
import inspect

__all__ = ["add_arg_scope", "arg_scope", "arg_scoped_arguments", "current_arg_scope", "has_arg_scope"]

# The stack of scopes, each a dict {function key: {keyword: value}}; the bottom one is empty.
_STACK: list[dict] = [{}]
# function key -> the keyword arguments it takes (what an arg_scope may set for it)
_DECORATED: dict[str, tuple[str, ...]] = {}


def _key(func) -> str:
    # A decorated function carries its key, so the wrapper and the wrapped one share it.
    # (A functools.partial has neither name: its repr stands in, as TF's str(op) does.)
    key = getattr(func, "_arg_scope_key", None)
    if key:
        return key
    qualname = getattr(func, "__qualname__", None)
    return f"{func.__module__}.{qualname}" if qualname else repr(func)


def current_arg_scope() -> dict:
    """The innermost scope dictionary ({function key: {keyword: value}})."""
    return _STACK[-1]


def _keyword_names(func) -> tuple[str, ...]:
    params = inspect.signature(func).parameters.values()
    return tuple(p.name for p in params if p.default is not inspect.Parameter.empty)


def add_arg_scope(func):
    """Lets `func` take default keywords from an enclosing `arg_scope` that names it.

    Returns:
        A wrapper of `func` (same name and docstring) that merges the scope's keywords under the
        keywords of the call.
    """
    key = _key(func)

    @functools.wraps(func)
    def with_scope_defaults(*args, **kwargs):
        defaults = _STACK[-1].get(key)
        if defaults:
            kwargs = {**defaults, **kwargs}
        return func(*args, **kwargs)

    _DECORATED.setdefault(key, _keyword_names(func))
    with_scope_defaults._arg_scope_key = key
    return with_scope_defaults


def has_arg_scope(func) -> bool:
    """Whether `func` was decorated with `add_arg_scope`."""
    return _key(func) in _DECORATED


def arg_scoped_arguments(func) -> tuple[str, ...]:
    """The keyword arguments an `arg_scope` can set for the decorated `func`.

    Raises:
        ValueError: when `func` was not decorated with `add_arg_scope`.
    """
    if not has_arg_scope(func):
        raise ValueError(f"{_key(func)!r} is not decorated with @add_arg_scope")
    return _DECORATED[_key(func)]


@contextlib.contextmanager
def arg_scope(list_ops_or_scope, **kwargs):
    """Sets default keywords for the functions listed (each decorated with `add_arg_scope`).

    Args:
        list_ops_or_scope: a list or tuple of decorated functions, or a scope dictionary yielded by
            an earlier `arg_scope` (then no keywords may be given).
        **kwargs: the defaults; they add to (and override) those of enclosing scopes.

    Yields:
        The new scope dictionary, which `arg_scope(scope)` can re-enter later.

    Raises:
        TypeError: `list_ops_or_scope` is neither a list/tuple nor a dict.
        ValueError: a listed function is not decorated, or keywords come with a dict.
    """
    if isinstance(list_ops_or_scope, dict):
        if kwargs:
            raise ValueError("When attempting to re-use a scope by supplying a dictionary, kwargs must be empty.")
        scope = dict(list_ops_or_scope)
    elif isinstance(list_ops_or_scope, (list, tuple)):
        scope = dict(_STACK[-1])
        for op in list_ops_or_scope:
            if not has_arg_scope(op):
                name = getattr(op, "__name__", repr(op))
                raise ValueError(f"{name!r} is not decorated with @add_arg_scope, so arg_scope cannot set its "
                                 "arguments")
            key = _key(op)
            scope[key] = {**scope.get(key, {}), **kwargs}
    else:
        raise TypeError("list_ops_or_scope must either be a list/tuple or reused scope (i.e. dict), "
                        f"not {type(list_ops_or_scope).__name__!r}")
    _STACK.append(scope)
    try:
        yield scope
    finally:
        _STACK.pop()
