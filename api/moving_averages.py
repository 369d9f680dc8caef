"""`tf.train.ExponentialMovingAverage` and `tf.train.init_from_checkpoint`.

At inference, TF 1.x scripts restore the shadow ("moving average") weights in place of the
trained ones: `Saver(ema.variables_to_restore())` maps each checkpoint key
`<var>/ExponentialMovingAverage` to the variable itself. `init_from_checkpoint` makes chosen
variables' initializers read their values from a checkpoint (a `RestoreV2` op, run by
ortflow's numpy kernel).
"""

from __future__ import annotations

from ortflow.api.ops_builder import apply_op, apply_op_output, convert_to_tensor
from ortflow.formats import dtypes as _dtypes
from ortflow.graph import GraphKeys, get_default_graph

__all__ = ["ExponentialMovingAverage", "assign_moving_average", "init_from_checkpoint"]


def _op_name(var) -> str:
    return var.op.name


def _read(var):
    # The value a moving-average update reads: a reference variable's `read` snapshot, a
    # resource variable's ReadVariableOp.
    if getattr(var, "is_resource", False):
        return apply_op_output("ReadVariableOp", [var.handle], {"dtype": var.dtype.base_dtype},
                               name="ReadVariableOp")
    return var.value() if hasattr(var, "value") else convert_to_tensor(var)


def assign_moving_average(variable, value, decay, zero_debias=True, name=None):
    """`variable -= (variable - value) * (1 - decay)`: TF's AssignMovingAvg update, returned.

    Args:
        variable: the average (a Variable).
        value: the new value the average moves toward.
        decay: a float or scalar tensor.
        zero_debias: TensorFlow's bias correction for averages that start at zero; ortflow
            supports only False here (ExponentialMovingAverage's default).
        name: the update's name scope (default "AssignMovingAvg").

    Raises:
        NotImplementedError: for `zero_debias=True`.
    """
    if zero_debias:
        raise NotImplementedError("assign_moving_average(zero_debias=True) is not supported by ortflow; "
                                  "pass zero_debias=False (ExponentialMovingAverage's default).")
    g = get_default_graph()
    dtype = variable.dtype.base_dtype
    with g.name_scope(name or "AssignMovingAvg") as scope:
        # As TF: a Python decay becomes the constant `decay` = 1 - decay; a tensor decay gives
        # `sub` = 1.0 - decay. The update is `variable -= (variable - value) * decay`, and the
        # assignment takes the scope's own name.
        if hasattr(decay, "op"):
            decay = 1.0 - convert_to_tensor(decay)
        else:
            decay = convert_to_tensor(1.0 - decay, dtype=dtype, name="decay")
        if decay.dtype.base_dtype != dtype:
            decay = apply_op_output("Cast", [decay], {"SrcT": decay.dtype.base_dtype, "DstT": dtype,
                                                      "Truncate": False}, name="Cast")
        current = _read(variable)
        with g.name_scope("sub") as sub_scope:  # TF reads a variable `value` inside its Sub's scope
            target = _read(value) if hasattr(value, "op") and hasattr(value, "initializer") else value
            delta = apply_op_output("Sub", [current, convert_to_tensor(target, dtype=dtype)], name=sub_scope)
        delta = apply_op_output("Mul", [delta, decay], name="mul")
        if getattr(variable, "is_resource", False):
            # A resource variable's assign_sub keeps its own op name (the scope's name is not
            # used) and returns a read after it; `update_op` finds the assignment again.
            op = apply_op("AssignSubVariableOp", [variable.handle, delta], {"dtype": dtype},
                          name="AssignSubVariableOp")
            with g.control_dependencies([op]):
                return apply_op_output("ReadVariableOp", [variable.handle], {"dtype": dtype},
                                       name="ReadVariableOp")
        return apply_op_output("AssignSub", [variable._ref(), delta], {"use_locking": False}, name=scope)


def update_op(update):
    """The op that performs an `assign_moving_average` update: the assignment itself (for a
    resource variable, the AssignSubVariableOp the returned read waits for)."""
    op = update.op
    if op.type == "ReadVariableOp" and op.control_inputs:
        return op.control_inputs[0]
    return op


class ExponentialMovingAverage:
    """Shadow copies of variables that follow them with an exponential decay.

    Args:
        decay: how much of the old average each update keeps (e.g. 0.999).
        num_updates: optional step tensor; the decay used is then
            `min(decay, (1 + num_updates) / (10 + num_updates))`.
        zero_debias: only False is supported (see `assign_moving_average`).
        name: the name of the update op and the suffix of each shadow variable.

    Example:
        >>> ema = ExponentialMovingAverage(0.999)                      # doctest: +SKIP
        >>> saver = Saver(ema.variables_to_restore())  # shadow weights into the model's variables
    """

    def __init__(self, decay, num_updates=None, zero_debias=False, name="ExponentialMovingAverage"):
        self._decay = decay
        self._num_updates = num_updates
        self._zero_debias = zero_debias
        self._name = name
        self._averages: dict[str, object] = {}

    @property
    def name(self) -> str:
        return self._name

    def apply(self, var_list=None):
        """Creates the shadow variables (once) and returns the op updating all of them.

        Args:
            var_list: float variables (default: the trainable variables).

        Raises:
            TypeError: for a variable that is not float.
            ValueError: for a variable given twice.
        """
        from ortflow.api.variable_scope import trainable_variables

        var_list = list(trainable_variables() if var_list is None else var_list)
        names = [_op_name(v) for v in var_list]
        if len(set(names)) != len(names):
            raise ValueError(f"Duplicate variables in var_list: {names}")
        for var in var_list:
            if not var.dtype.base_dtype.is_floating:
                raise TypeError(f"The variables must be half, float, or double: {var.name}")
            if _op_name(var) not in self._averages:
                self._averages[_op_name(var)] = self._shadow(var)
        g = get_default_graph()
        with g.name_scope(self._name) as scope:
            decay = self._effective_decay()
            updates = [assign_moving_average(self._averages[_op_name(v)], v, decay, zero_debias=False)
                       for v in var_list]
            from ortflow.api.array_ops import group

            return group(*[update_op(u) for u in updates], name=scope)

    def _shadow(self, var):
        from ortflow.api.variable_scope import make_variable

        g = get_default_graph()
        if self._zero_debias:
            raise NotImplementedError("ExponentialMovingAverage(zero_debias=True) is not supported by ortflow.")
        initial = var.initial_value if var.initial_value is not None else var.value()
        with g.control_dependencies(None), g.name_scope(None), g.colocate_with(var.op):
            avg = make_variable(lambda: apply_op_output("Identity", [initial], name="initial_value"),
                                name=f"{_op_name(var)}/{self._name}", trainable=False,
                                collections=[GraphKeys.GLOBAL_VARIABLES], use_resource=var.is_resource,
                                dtype=var.dtype.base_dtype)
        g.add_to_collection(GraphKeys.MOVING_AVERAGE_VARIABLES, var)
        return avg

    def _effective_decay(self):
        decay = convert_to_tensor(self._decay, dtype=_dtypes.float32, name="decay")
        if self._num_updates is None:
            return decay
        steps = convert_to_tensor(self._num_updates)
        steps = apply_op_output("Cast", [steps], {"DstT": _dtypes.float32, "Truncate": False},
                                name="num_updates")
        one = convert_to_tensor(1.0, dtype=_dtypes.float32, name="add/x")
        ten = convert_to_tensor(10.0, dtype=_dtypes.float32, name="add_1/x")
        ratio = apply_op_output("RealDiv", [apply_op_output("AddV2", [one, steps], name="add"),
                                            apply_op_output("AddV2", [ten, steps], name="add_1")], name="truediv")
        return apply_op_output("Minimum", [decay, ratio], name="Minimum")

    def average(self, var):
        """The shadow variable of `var`, or None when `apply` has not covered it."""
        return self._averages.get(_op_name(var))

    def average_name(self, var) -> str:
        """The name of `var`'s shadow variable (and its checkpoint key): `<var op>/<name>`."""
        avg = self.average(var)
        return _op_name(avg) if avg is not None else f"{_op_name(var)}/{self._name}"

    def variables_to_restore(self, moving_avg_variables=None) -> dict:
        """Checkpoint key -> variable, restoring shadow values into the variables they follow.

        Each of `moving_avg_variables` (default: trainable and moving-average variables) is
        restored from its average's key; every other global variable from its own name.
        """
        from ortflow.api.variable_scope import global_variables, moving_average_variables, trainable_variables

        if moving_avg_variables is None:
            moving_avg_variables = list(trainable_variables()) + list(moving_average_variables())
        name_map: dict[str, object] = {}
        averaged: set[str] = set()
        for var in moving_avg_variables:
            name_map[self.average_name(var)] = var
            averaged.add(var.name)
        for var in global_variables():
            if var.name not in averaged and _op_name(var) not in name_map:
                name_map[_op_name(var)] = var
        return name_map


def init_from_checkpoint(ckpt_dir_or_file, assignment_map) -> None:
    """Makes variables' initializers load their values from a checkpoint (`tf.train.init_from_checkpoint`).

    Args:
        ckpt_dir_or_file: a checkpoint prefix, or a directory with a `checkpoint` state file.
        assignment_map: checkpoint name or scope -> variable, variable name or scope:
            `{"old/": "new/"}` maps every checkpoint tensor under `old/` to the variable of the
            same name under `new/`; `{"old/w": "new/w"}` (or a Variable) maps one tensor;
            `{"/": "new/"}` maps the whole checkpoint under `new/`.

    Raises:
        ValueError: when a named variable or checkpoint tensor does not exist, or shapes differ.
    """
    from ortflow.api.train_checkpoint import load_checkpoint

    reader = load_checkpoint(ckpt_dir_or_file)
    prefix = _prefix_of(ckpt_dir_or_file)
    ckpt_shapes = reader.get_variable_to_shape_map()
    variables = _variables_by_name()
    for ckpt_name, target in assignment_map.items():
        if not isinstance(target, str):
            _set_checkpoint_initializer(target, prefix, ckpt_name.rstrip("/"), ckpt_shapes)
            continue
        if not ckpt_name.endswith("/") and ckpt_name != "/" and ckpt_name in ckpt_shapes:
            var = variables.get(target.rstrip("/"))
            if var is None:
                raise ValueError(f"Tensor {ckpt_name} is not found in the graph's variables as {target!r}.")
            _set_checkpoint_initializer(var, prefix, ckpt_name, ckpt_shapes)
            continue
        if ckpt_name not in ckpt_shapes and ckpt_name != "/" and not ckpt_name.endswith("/"):
            raise ValueError(f"Tensor {ckpt_name} is not found in {ckpt_dir_or_file} checkpoint.")
        scope_from = "" if ckpt_name == "/" else ckpt_name.rstrip("/") + "/"
        scope_to = "" if target in ("", "/") else target.rstrip("/") + "/"
        for name in sorted(variables):
            if not name.startswith(scope_to):
                continue
            key = scope_from + name[len(scope_to):]
            if key in ckpt_shapes:
                _set_checkpoint_initializer(variables[name], prefix, key, ckpt_shapes)


def _prefix_of(ckpt_dir_or_file) -> str:
    import os

    from ortflow.api.train_checkpoint import latest_checkpoint

    path = os.fspath(ckpt_dir_or_file)
    if os.path.isdir(path):
        found = latest_checkpoint(path)
        if found is None:
            raise ValueError(f"Couldn't find 'checkpoint' file or checkpoints in given directory {path}")
        return found
    return path


def _variables_by_name() -> dict:
    from ortflow.api.variable_scope import global_variables

    return {_op_name(v): v for v in global_variables()}


def _set_checkpoint_initializer(var, prefix: str, key: str, ckpt_shapes: dict) -> None:
    # The variable's initializer becomes RestoreV2 (named "checkpoint_initializer") + assign.
    if key not in ckpt_shapes:
        raise ValueError(f"Tensor {key} is not found in {prefix} checkpoint.")
    want = var.shape.as_list() if var.shape.rank is not None else None
    if want is not None and None not in want and list(ckpt_shapes[key]) != want:
        raise ValueError(f"Shape of variable {var.name} ({want}) doesn't match with shape of tensor "
                         f"{key} ({list(ckpt_shapes[key])}) from checkpoint reader.")
    g = get_default_graph()
    dtype = var.dtype.base_dtype
    with g.control_dependencies(None), g.name_scope(None), g.device("/device:CPU:0"):
        restore = apply_op("RestoreV2", [convert_to_tensor(prefix, name="Const"),
                                         convert_to_tensor([key], name="Const"),
                                         convert_to_tensor([""], name="Const")],
                           {"dtypes": [dtype]}, name="checkpoint_initializer").outputs[0]
    with g.control_dependencies(None), g.name_scope(f"{_op_name(var)}/"):
        if var.is_resource:
            init = apply_op("AssignVariableOp", [var.handle, restore], {"dtype": dtype}, name="Assign")
        else:
            init = apply_op("Assign", [var._ref(), restore], {"validate_shape": True, "use_locking": True},
                            name="Assign").outputs[0].op
    var._initializer_op = init
    var._initial_value = restore
