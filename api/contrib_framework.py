"""`tf.contrib.framework` (TF 1.x): arg scopes, model variables and variable look-ups.

`get_variables(scope, suffix)` filters a collection by scope and by a name suffix;
`get_variables_to_restore(include, exclude)` picks the variables a slim script hands to a
`Saver` when fine-tuning from a checkpoint.
"""

from __future__ import annotations

from ortflow.api import variable_scope as _vs
from ortflow.api.arg_scope import (
    add_arg_scope,
    arg_scope,
    arg_scoped_arguments,
    current_arg_scope,
    has_arg_scope,
)
from ortflow.api.contrib_layers import model_variable, variable
from ortflow.api.moving_averages import init_from_checkpoint
from ortflow.api.train import load_variable
from ortflow.api.train_checkpoint import list_variables, load_checkpoint
from ortflow.api.training_util import get_global_step, get_or_create_global_step
from ortflow.graph import GraphKeys, get_default_graph

__all__ = [
    "add_arg_scope",
    "arg_scope",
    "arg_scoped_arguments",
    "assign_from_checkpoint_fn",
    "current_arg_scope",
    "get_global_step",
    "get_model_variables",
    "get_or_create_global_step",
    "get_trainable_variables",
    "get_variables",
    "get_variables_by_name",
    "get_variables_to_restore",
    "has_arg_scope",
    "init_from_checkpoint",
    "list_variables",
    "load_checkpoint",
    "load_variable",
    "model_variable",
    "variable",
]


def get_variables(scope=None, suffix=None, collection=GraphKeys.GLOBAL_VARIABLES) -> list:
    """The variables of `collection` under `scope` (a name or VariableScope) ending in `suffix`."""
    if isinstance(scope, _vs.VariableScope):
        scope = scope.name
    if suffix is not None:
        if ":" not in suffix:
            suffix += ":"
        scope = (scope or "") + ".*" + suffix
    return get_default_graph().get_collection(collection, scope)


def get_model_variables(scope=None, suffix=None) -> list:
    """`get_variables` over MODEL_VARIABLES (what slim layers create)."""
    return get_variables(scope, suffix, GraphKeys.MODEL_VARIABLES)


def get_trainable_variables(scope=None, suffix=None) -> list:
    """`get_variables` over TRAINABLE_VARIABLES."""
    return get_variables(scope, suffix, GraphKeys.TRAINABLE_VARIABLES)


def get_variables_by_name(given_name, scope=None) -> list:
    """The global variables whose name ends in `/given_name` (or is it)."""
    return get_variables(scope=scope, suffix=given_name)


def _scopes(value, what: str) -> list:
    if not isinstance(value, (list, tuple)):
        raise TypeError(f"{what} is provided but is not a list or a tuple.")
    return list(value)


def get_variables_to_restore(include=None, exclude=None) -> list:
    """The global variables under the `include` scopes (default all), minus those under `exclude`.

    Raises:
        TypeError: `include` or `exclude` given but not a list or tuple.
    """
    if include is None:
        chosen = get_variables()
    else:
        chosen = [v for scope in _scopes(include, "include") for v in get_variables(scope)]
    dropped: list = []
    if exclude is not None:
        dropped = [v for scope in _scopes(exclude, "exclude") for v in get_variables(scope)]
    return [v for v in chosen if not any(v is d for d in dropped)]


def assign_from_checkpoint_fn(model_path, var_list, ignore_missing_vars=False, reshape_variables=False):
    """A function `fn(session)` restoring `var_list` (a list, or {checkpoint name: variable}) from
    `model_path`.

    With `ignore_missing_vars`, variables the checkpoint lacks are left out (and logged).

    Raises:
        ValueError: `var_list` is empty.
        NotImplementedError: `reshape_variables=True`.
    """
    from ortflow.api.train import NewCheckpointReader, Saver

    if not var_list:
        raise ValueError("var_list cannot be empty")
    if reshape_variables:
        raise NotImplementedError("assign_from_checkpoint_fn(reshape_variables=True) is not supported by ortflow")
    if ignore_missing_vars:
        reader = NewCheckpointReader(model_path)
        if isinstance(var_list, dict):
            var_list = {k: v for k, v in var_list.items() if reader.has_tensor(k)}
        else:
            var_list = [v for v in var_list if reader.has_tensor(v.op.name)]
        if not var_list:
            return None
    saver = Saver(var_list, reshape=reshape_variables)

    def restore(session):
        saver.restore(session, model_path)
    return restore
