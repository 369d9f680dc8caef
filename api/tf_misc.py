"""Small TF 1.x API pieces scripts lean on: `tables_initializer`, `make_template`, version strings.

Version strings: `tf.__version__` stays ortflow's own version (a script printing it learns what
it runs on); `tf.VERSION`, `tf.GIT_VERSION`, `tf.COMPILER_VERSION` and `tf.GRAPH_DEF_VERSION`
name the TensorFlow release whose file formats ortflow reads and writes (what it stamps into
MetaGraphDefs), which is what scripts compare them against when they gate on a TF version.
"""

from __future__ import annotations

import functools

__all__ = ["COMPILER_VERSION", "GIT_VERSION", "VERSION", "Template", "make_template", "tables_initializer"]


def _tensorflow_version() -> str:
    from ortflow.graph.meta_graph import TENSORFLOW_VERSION
    return TENSORFLOW_VERSION


VERSION = _tensorflow_version()
GIT_VERSION = "ortflow"  # no TensorFlow build: the value MetaGraphDefs written by ortflow carry
COMPILER_VERSION = "ortflow (no compiled TensorFlow)"


def tables_initializer(name: str = "init_all_tables"):
    """One op running every table initializer of the default graph (`tf.tables_initializer`).

    ortflow builds no lookup tables, so in graphs it builds this is a NoOp named as
    TensorFlow names it; a graph imported with table initializers gets them grouped.
    """
    from ortflow.api.array_ops import group, no_op
    from ortflow.graph import GraphKeys, get_default_graph
    initializers = get_default_graph().get_collection(GraphKeys.TABLE_INITIALIZERS)
    return group(*initializers, name=name) if initializers else no_op(name=name)


class Template:
    """A function whose variables are created on the first call and shared by the later ones.

    Made by `make_template`; calling it runs the function inside the template's variable scope
    (with `reuse=True` after the first call), as TensorFlow's `Template` does.
    """

    def __init__(self, name: str, func, create_scope_now: bool = False, unique_name: str | None = None):
        from ortflow.api.variable_scope import variable_scope
        if not name:
            raise ValueError("name cannot be None or empty.")
        self._name = name
        self._func = func
        self._unique_name = unique_name
        self._variable_scope = None
        self._variables_created = False
        if create_scope_now:
            with variable_scope(unique_name, default_name=name) as vs:
                self._variable_scope = vs

    def __call__(self, *args, **kwargs):
        from ortflow.api.variable_scope import variable_scope
        if self._variable_scope is None:
            with variable_scope(self._unique_name, default_name=self._name) as vs:
                self._variable_scope = vs
                return self._call(args, kwargs)
        with variable_scope(self._variable_scope, reuse=True if self._variables_created else None):
            return self._call(args, kwargs)

    def _call(self, args, kwargs):
        from ortflow.graph import GraphKeys, get_default_graph
        trainable = get_default_graph().get_collection(GraphKeys.TRAINABLE_VARIABLES)
        before = len(trainable)
        result = self._func(*args, **kwargs)
        after = get_default_graph().get_collection(GraphKeys.TRAINABLE_VARIABLES)
        if self._variables_created and len(after) > before:
            names = [v.name for v in after[before:]]
            raise ValueError(f"Trainable variable created when calling a template after the first time, "
                             f"perhaps you used tf.Variable when you meant tf.get_variable: {names!r}")
        self._variables_created = True
        return result

    @property
    def name(self) -> str:
        return self._name

    @property
    def func(self):
        return self._func

    @property
    def variable_scope(self):
        return self._variable_scope

    @property
    def variable_scope_name(self) -> str | None:
        if self._variable_scope is None:
            return None
        name = self._variable_scope.name
        return name if not name or name.endswith("/") else name + "/"

    def _collection(self, key: str) -> list:
        from ortflow.graph import get_default_graph
        if self._variable_scope is None:
            return []
        return get_default_graph().get_collection(key, self.variable_scope_name)

    @property
    def variables(self) -> list:
        return self.global_variables + self.local_variables

    @property
    def global_variables(self) -> list:
        return self._collection("variables")

    @property
    def local_variables(self) -> list:
        return self._collection("local_variables")

    @property
    def trainable_variables(self) -> list:
        return self._collection("trainable_variables")

    @property
    def non_trainable_variables(self) -> list:
        trainable = {id(v) for v in self.trainable_variables}
        return [v for v in self.global_variables if id(v) not in trainable]


def make_template(name_: str, func_, create_scope_now_: bool = False, unique_name_: str | None = None,
                  custom_getter_=None, **kwargs) -> Template:
    """Wraps `func_` so every call shares the variables its first call made (`tf.make_template`).

    Args:
        name_: the variable scope's name (made unique, as `variable_scope(None, default_name=...)`).
        func_: the function; it must create variables with `tf.get_variable`.
        create_scope_now_: fix the scope now (under the current scope) instead of at the first call.
        unique_name_: use this exact scope name instead of a uniquified `name_`.
        custom_getter_: not supported (ortflow's variable scopes take no custom getters).
        **kwargs: bound to `func_` (as `functools.partial`).

    Raises:
        NotImplementedError: `custom_getter_` is given.
    """
    if custom_getter_ is not None:
        raise NotImplementedError("make_template(custom_getter_=...) is not supported by ortflow")
    if kwargs:
        func_ = functools.partial(func_, **kwargs)
    return Template(name_, func_, create_scope_now=create_scope_now_, unique_name=unique_name_)
