"""TF 1.x control flow for the builder API: `cond`, `case`, `while_loop`, `TensorArray`, ...

These build the dataflow form TensorFlow 1.x writes (and TF 2.x with
`disable_v2_behavior()`): a cond is Switch nodes feeding two branches and Merge nodes
joining them; a while loop is a frame of Enter, Merge, LoopCond, Switch, Identity,
NextIteration and Exit nodes. Node names, attrs and control edges follow TensorFlow's, so a
GraphDef built here equals the one TensorFlow builds from the same script.

Ops created while a branch or a loop body is being built belong to a *context*, as in
TensorFlow: a tensor they read from outside is routed through a Switch (cond) or an Enter
(loop), and an op without inputs gets a control edge from the context's pivot so it runs only
when the branch or the iteration does. The graph model has no hook for this, so while a
context is open the graph's `create_op` is shadowed by an instance attribute that calls the
real method and then lets the context process the new op (`_ContextHook`); nothing changes
for graphs built outside control flow.
"""

from __future__ import annotations

import functools
import weakref

from ortflow.api import array_ops as _array_ops
from ortflow.api import math_ops as _math_ops
from ortflow.api.ops_builder import (
    apply_op,
    constant,
    convert_n_to_tensor,
    convert_to_tensor,
    is_tensor_like,
    mark_control_inputs,
)
from ortflow.formats import dtypes as _dtypes
from ortflow.graph import Graph, Operation, Tensor, get_default_graph
from ortflow.graph.tensor_shape import TensorShape, as_shape

__all__ = [
    "Assert",
    "Print",
    "TensorArray",
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
    "case",
    "cond",
    "foldl",
    "foldr",
    "map_fn",
    "print_v2",
    "scan",
    "while_loop",
]


# --------------------------------------------------------------------------- nested structures

def _is_leaf(x) -> bool:
    return not isinstance(x, (list, tuple, dict)) or isinstance(x, (str, bytes))


def _flatten(structure) -> list:
    """Leaves of nested lists, tuples (named ones too) and dicts (sorted by key), as TF's nest."""
    if _is_leaf(structure):
        return [structure]
    if isinstance(structure, dict):
        items = [structure[k] for k in sorted(structure)]
    else:
        items = list(structure)
    out = []
    for item in items:
        out.extend(_flatten(item))
    return out


def _pack_as(structure, flat: list):
    """Rebuilds `structure` with the leaves taken in order from `flat`."""
    it = iter(flat)

    def build(s):
        if _is_leaf(s):
            return next(it)
        if isinstance(s, dict):
            built = {k: build(s[k]) for k in sorted(s)}
            return type(s)((k, built[k]) for k in s)
        items = [build(v) for v in s]
        if isinstance(s, tuple) and hasattr(s, "_fields"):
            return type(s)(*items)
        return type(s)(items)

    return build(structure)


def _assert_same_structure(a, b, what: str) -> None:
    if len(_flatten(a)) != len(_flatten(b)):
        raise ValueError(f"{what}: the two structures don't have the same number of elements: "
                         f"{len(_flatten(a))} != {len(_flatten(b))} ({a!r} vs {b!r}).")


# --------------------------------------------------------------------------- contexts

class _GraphState:
    """Which context is open on a graph and which context each op was built in."""

    def __init__(self):
        self.current: _Context | None = None
        self.op_context: dict[Operation, _Context] = {}
        self.depth = 0
        # Length of the graph's control-dependency stack when the current context was entered:
        # a `control_dependencies(None)` opened above it leaves the context, as in TF.
        self.cd_floor = 0


_STATES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _state(g: Graph) -> _GraphState:
    state = _STATES.get(g)
    if state is None:
        state = _STATES[g] = _GraphState()
    return state


def _context_of(op: Operation):
    state = _STATES.get(op.graph)
    return None if state is None else state.op_context.get(op)


def _output_context(op: Operation):
    # An Exit belongs to its loop but its output lives in the loop's outer context.
    ctx = _context_of(op)
    if ctx is not None and op.type in ("Exit", "RefExit"):
        ctx = ctx.outer
    return ctx


class _ContextHook:
    """Stands in for `Graph.create_op` while a context is open on the graph (see module doc)."""

    __slots__ = ("_graph",)

    def __init__(self, graph: Graph):
        self._graph = graph

    def __call__(self, *args, **kwargs) -> Operation:
        g = self._graph
        op = Graph.create_op(g, *args, **kwargs)
        state = _STATES[g]
        ctx = state.current
        if ctx is not None and None in g._control_dependencies_stack[state.cd_floor:]:
            ctx = None
        if ctx is not None:
            state.op_context[op] = ctx
            ctx.add_op(op)
        return op


class _Suspended:
    """Ops created inside belong to no context and get no control dependencies (TF's
    `control_dependencies(None)`, which also leaves the control-flow context)."""

    def __init__(self, g: Graph, context=None):
        self._g = g
        self._context = context
        self._cd = None
        self._saved = None

    def __enter__(self):
        state = _state(self._g)
        self._saved = (state.current, state.cd_floor)
        state.current = self._context
        self._cd = self._g.control_dependencies(None)
        self._cd.__enter__()
        state.cd_floor = len(self._g._control_dependencies_stack)

    def __exit__(self, *exc_info):
        self._cd.__exit__(*exc_info)
        state = _state(self._g)
        state.current, state.cd_floor = self._saved


class _Context:
    """What a cond branch and a while loop have in common (TF's ControlFlowContext)."""

    def __init__(self, g: Graph):
        self.graph = g
        state = _state(g)
        self.outer: _Context | None = state.current
        self.values: set[str] = set()
        self.external: dict[str, Tensor] = {}
        self._saved = None

    def __enter__(self):
        g, state = self.graph, _state(self.graph)
        if state.depth == 0:
            g.create_op = _ContextHook(g)  # shadows the method on this instance only
        state.depth += 1
        self._saved = (state.current, state.cd_floor)
        state.current = self
        state.cd_floor = len(g._control_dependencies_stack)
        return self

    def __exit__(self, *exc_info):
        g, state = self.graph, _state(self.graph)
        state.current, state.cd_floor = self._saved
        state.depth -= 1
        if state.depth == 0:
            g.__dict__.pop("create_op", None)

    def while_context(self):
        ctx = self
        while ctx is not None and not isinstance(ctx, _WhileContext):
            ctx = ctx.outer
        return ctx

    def contains(self, ctx) -> bool:
        """True when `ctx` is this context or nested inside it."""
        while ctx is not None:
            if ctx is self:
                return True
            ctx = ctx.outer
        return False

    def _mark_values(self, names) -> None:
        ctx = self
        while ctx is not None:
            ctx.values.update(names)
            ctx = ctx.outer

    def _route_inputs(self, op: Operation) -> None:
        # Runs in the op's own name scope, as TF's wrappers do (Switch/Enter names).
        g = self.graph
        with g.name_scope(op.name + "/"):
            fresh = False
            for i, x in enumerate(op.inputs):
                if _is_variable_snapshot(x) and not self.contains(_context_of(x.op)):
                    # TF reads a resource variable afresh wherever it is used; the graph
                    # model hands out one snapshot read, which inside a loop would be stale.
                    x = apply_op("ReadVariableOp", [x.op.inputs[0]], {"dtype": x.dtype.base_dtype},
                                 name="ReadVariableOp").outputs[0]
                    op._update_input(i, x)
                    fresh = True
            if fresh:
                # TF makes the read before the op that converts the variable: list it first.
                g._ops[op.name] = g._ops.pop(op.name)
            for i, x in enumerate(op.inputs):
                real = self.add_value(x)
                if real is not x:
                    op._update_input(i, real)

    def _exit_result(self, tensors) -> None:
        # TF's ExitResult: values leaving this context are known to the enclosing one.
        if self.outer is not None:
            self.outer.values.update(t.name for t in tensors)

    def _remove_external_control_edges(self, op: Operation):
        # Inside a loop, control inputs from outside the loop cannot be kept (they would fire
        # once, not per iteration): TF drops them and returns them for the caller to re-route.
        wctx = self.while_context()
        if wctx is None:
            return list(op.control_inputs), []
        internal, external = [], []
        for c in op.control_inputs:
            ctx = _output_context(c)
            if ctx is not None and ctx.while_context() is wctx:
                internal.append(c)
            else:
                external.append(c)
        if len(internal) != len(op.control_inputs):
            op._remove_all_control_inputs()
            op._add_control_inputs(internal)
        return internal, external


def _is_variable_snapshot(t: Tensor) -> bool:
    # The `<var>/Read/ReadVariableOp` a resource variable converts to.
    op = t.op
    if op.type != "ReadVariableOp" or not op.inputs:
        return False
    handle = op.inputs[0].op
    return handle.type == "VarHandleOp" and op.name == handle.name + "/Read/ReadVariableOp"


def _switch(data: Tensor, pred: Tensor, name: str = "Switch"):
    # TF colocates a Switch with the value it forwards; reference values take RefSwitch.
    g = data.graph
    with g.colocate_with(data.op, ignore_existing=True):
        op_type = "RefSwitch" if data.dtype._is_ref_dtype else "Switch"
        return apply_op(op_type, [data, pred], name=name).outputs


class _CondContext(_Context):
    """One branch of a cond: values from outside enter through a Switch on the predicate."""

    def __init__(self, g: Graph, pred: Tensor, pivot: Tensor, branch: int):
        super().__init__(g)
        self.name = g.unique_name("cond_text")
        self.pred = pred
        self.pivot = pivot
        self.branch = branch
        self.values.add(pred.name)
        self.external[pred.name] = pred
        self.values.add(pivot.name)
        _state(g).op_context[pivot.op] = self

    def control_pivot(self) -> Tensor:
        return self.pivot

    def add_value(self, val: Tensor) -> Tensor:
        if val.name in self.values:
            return self.external.get(val.name, val)
        self.values.add(val.name)
        result = val
        if self.outer is not None:
            result = self.outer.add_value(val)
            self.values.add(result.name)
            self.external[result.name] = result
        with _Suspended(self.graph):
            result = _switch(result, self.pred)[self.branch]
        _state(self.graph).op_context[result.op] = self
        self._mark_values([result.name])
        self.external[val.name] = result
        return result

    def add_op(self, op: Operation) -> None:
        if not op.inputs:
            self._remove_external_control_edges(op)
            if not any(self.contains(_context_of(c)) for c in op.control_inputs):
                op._add_control_input(self.pivot.op)
        else:
            self._route_inputs(op)
            self._remove_external_control_edges(op)
        self._mark_values([t.name for t in op.outputs])

    def process_output(self, val: Tensor) -> Tensor:
        """A branch result: a value from outside the branch gets its own Switch."""
        if val.name not in self.values:
            self.values.add(val.name)
            real = val
            if self.outer is not None:
                real = self.outer.add_value(val)
                self.values.add(real.name)
                self.external[real.name] = real
            real = _switch(real, self.pred)[self.branch]
            self.external[val.name] = real
            return real
        return self.external.get(val.name, val)

    def build_branch(self, fn):
        """Calls `fn` inside this context; returns (its result, the flat result tensors)."""
        with self:
            original = fn()
            if original is None:
                return None, None
            flat = []
            for v in _flatten(original):
                flat.append(self._branch_tensor(v))
        self._exit_result(flat)
        return original, flat

    def _branch_tensor(self, v):
        if isinstance(v, Operation):
            # An op result stands for the pivot, run after the op.
            return _with_dependencies([v], self.pivot)
        if isinstance(v, TensorArray):
            v = v.flow
        return self.process_output(convert_to_tensor(v))


def _is_constant_enter(op: Operation) -> bool:
    return op.type in ("Enter", "RefEnter") and bool(op.get_attr("is_constant"))


def _enter(data: Tensor, frame_name: str, is_constant: bool, parallel_iterations: int,
           name: str = "Enter") -> Tensor:
    # TF names a reference's Enter after its op type.
    op_type = "RefEnter" if data.dtype._is_ref_dtype else "Enter"
    return apply_op(op_type, [data], {"frame_name": frame_name, "is_constant": is_constant,
                                      "parallel_iterations": parallel_iterations},
                    name="RefEnter" if op_type == "RefEnter" else name).outputs[0]


class _WhileContext(_Context):
    """The frame of one while loop: values from outside enter through a constant Enter."""

    def __init__(self, g: Graph, parallel_iterations: int, back_prop: bool, swap_memory: bool,
                 maximum_iterations):
        super().__init__(g)
        self.name = g.unique_name("while_context")
        self.parallel_iterations = parallel_iterations
        self.back_prop = back_prop
        self.swap_memory = swap_memory
        self.maximum_iterations = maximum_iterations
        self.pivot_for_pred: Tensor | None = None
        self.pivot_for_body: Tensor | None = None
        self.pivot: Tensor | None = None
        self.loop_enters: list[Tensor] = []
        self.loop_exits: list[Tensor] = []

    def control_pivot(self) -> Tensor | None:
        return self.pivot_for_body if self.pivot_for_body is not None else self.pivot_for_pred

    def add_value(self, val: Tensor) -> Tensor:
        if val.name in self.values or _context_of(val.op) is self:
            return self.external.get(val.name, val)
        self.values.add(val.name)
        result = val
        if self.outer is not None:
            result = self.outer.add_value(val)
        with _Suspended(self.graph):
            enter = _enter(result, self.name, True, self.parallel_iterations)
        self._fix_enters([enter])
        self.values.add(enter.name)
        self.external[val.name] = enter
        return enter

    def _fix_enters(self, enters) -> None:
        # Control dependencies open where a value enters the loop stay on its Enter when they
        # come from the loop's enclosing contexts, up to (not into) an enclosing loop.
        state = _state(self.graph)
        deps = self.graph._current_control_dependencies()
        outer_while = self.outer.while_context() if self.outer is not None else None
        for e in enters:
            keep = []
            for c in deps:
                ctx, op_ctx, ok = self.outer, _output_context(c), True
                while ctx is not op_ctx:
                    if ctx is None or ctx is outer_while:
                        ok = False
                        break
                    ctx = ctx.outer
                if ok and c is not e.op.inputs[0].op:
                    keep.append(c)
            state.op_context[e.op] = self
            if keep:
                e.op._add_control_inputs(keep)

    def add_op(self, op: Operation) -> None:
        if not op.inputs:
            internal, external = self._remove_external_control_edges(op)
            if not internal:
                op._add_control_input(self.control_pivot().op)
        else:
            self._route_inputs(op)
            _, external = self._remove_external_control_edges(op)
            if not op.control_inputs and all(_is_constant_enter(x.op) for x in op.inputs):
                # An op fed only by loop constants would run once, not per iteration.
                op._add_control_input(self.control_pivot().op)
        self.values.update(t.name for t in op.outputs)
        if external:
            # External control inputs become data read through the loop (an Identity of each).
            with _Suspended(self.graph, self):
                pulled = [_array_ops.identity(c.outputs[0]).op for c in external if c.outputs]
            op._add_control_inputs(pulled)


# --------------------------------------------------------------------------- cond

def cond(pred, true_fn=None, false_fn=None, strict: bool = False, name: str | None = None,
         fn1=None, fn2=None):
    """`tf.cond` as TF 1.x builds it: Switch, the two branches, one Merge per output.

    Args:
        pred: a scalar bool Tensor.
        true_fn: builds the branch taken when `pred` is true; returns a (nested) structure of
            Tensors (or Operations, TensorArrays).
        false_fn: the other branch; its result has the same structure.
        strict: keep one-element lists as lists.
        name: the name scope (default "cond").
        fn1, fn2: TF's deprecated names of `true_fn` and `false_fn`.

    Returns:
        The Merge outputs, in the structure of `true_fn`'s result.

    Raises:
        TypeError: `pred` is a Python bool, or a branch is not callable.
        ValueError: the branches return different structures.
    """
    true_fn = true_fn if true_fn is not None else fn1
    false_fn = false_fn if false_fn is not None else fn2
    if not callable(true_fn):
        raise TypeError("true_fn must be callable.")
    if not callable(false_fn):
        raise TypeError("false_fn must be callable.")
    if isinstance(pred, bool):
        raise TypeError("pred must not be a Python bool")
    g = get_default_graph()
    with g.name_scope(name or "cond"):
        pred = convert_to_tensor(pred)
        p_false, p_true = _switch_pred(pred)
        pivot_t = _array_ops.identity(p_true, name="switch_t")
        pivot_f = _array_ops.identity(p_false, name="switch_f")
        pred_id = _array_ops.identity(pred, name="pred_id")
        ctx_t = _CondContext(g, pred_id, pivot_t, 1)
        orig_t, res_t = ctx_t.build_branch(true_fn)
        ctx_f = _CondContext(g, pred_id, pivot_f, 0)
        orig_f, res_f = ctx_f.build_branch(false_fn)
        if orig_t is None or orig_f is None:
            raise ValueError("true_fn and false_fn must return a value (got None).")
        _assert_same_structure(orig_t, orig_f, "Outputs of true_fn and false_fn must have the same structure")
        for t, f in zip(res_t, res_f):
            if t.dtype.base_dtype != f.dtype.base_dtype:
                raise ValueError(f"Outputs of true_fn and false_fn must have the same type: "
                                 f"{t.dtype.name}, {f.dtype.name}")
        merges = [apply_op("Merge", [[f, t]], name="Merge").outputs[0] for f, t in zip(res_f, res_t)]
        flat_orig = _flatten(orig_t)
        merges = [_tensor_array_with_flow(o, m) if isinstance(o, TensorArray) else m
                  for o, m in zip(flat_orig, merges)]
        result = _pack_as(orig_t, merges)
    if not strict and isinstance(result, (list, tuple)) and len(result) == 1 \
            and not hasattr(result, "_fields"):
        return result[0]
    return result


def _with_dependencies(dependencies, output: Tensor, name: str | None = None) -> Tensor:
    # TF's with_dependencies: an Identity of `output` (colocated with it) after `dependencies`.
    g = output.graph
    with g.name_scope(name or "control_dependency") as scope, g.colocate_with(output.op):
        mark_control_inputs(dependencies)
        with g.control_dependencies(dependencies):
            return _array_ops.identity(output, name=scope)


def _switch_pred(pred: Tensor):
    return apply_op("Switch", [pred, pred], name="Switch").outputs


def case(pred_fn_pairs, default=None, exclusive: bool = False, strict: bool = False,
         name: str = "case"):
    """`tf.case` (TF 1.x): the first pair whose predicate holds, else `default`, as nested conds.

    Args:
        pred_fn_pairs: (bool Tensor, callable) pairs, or a dict of them (ordered by the
            predicates' names, as TF does).
        default: the callable used when no predicate holds; without it the last pair serves as
            the default, guarded by Asserts that its predicate holds and no other does.
        exclusive: also check at run time that at most one predicate holds.
        strict: as in `cond`.
        name: the name scope.

    Raises:
        TypeError: a pair is not (bool Tensor, callable).
    """
    preds, fns = _case_arguments(pred_fn_pairs)
    g = get_default_graph()
    with g.name_scope(name):
        if default is None:
            default, preds, fns = _case_default_action(preds, fns)
        fn = default
        for pred, action in reversed(list(zip(preds, fns))):
            fn = functools.partial(cond, pred, true_fn=action, false_fn=fn, strict=strict)
        if not exclusive:
            return fn()
        check = _assert_at_most_n_true(preds, 1, "Input error: exclusive=True")
        with _control_dependencies(g, [check]):
            return fn()


def _case_arguments(pred_fn_pairs):
    if not isinstance(pred_fn_pairs, (list, tuple, dict)):
        raise TypeError(f"'pred_fn_pairs' must be a list, tuple, or dict. Received: {type(pred_fn_pairs)}")
    if isinstance(pred_fn_pairs, dict):
        pred_fn_pairs = sorted(pred_fn_pairs.items(), key=lambda item: item[0].name)
    preds, fns = [], []
    for pair in pred_fn_pairs:
        if not isinstance(pair, tuple) or len(pair) != 2:
            raise TypeError(f"Each entry in 'pred_fn_pairs' must be a 2-tuple. Received {pair}.")
        pred, fn = pair
        if not isinstance(pred, Tensor) or pred.dtype.base_dtype != _dtypes.bool:
            raise TypeError(f"pred must be Tensor of type bool: {getattr(pred, 'name', pred)!r}")
        if not callable(fn):
            raise TypeError(f"fn for pred {pred.name} must be callable.")
        preds.append(pred)
        fns.append(fn)
    return preds, fns


def _control_dependencies(g: Graph, ops):
    mark_control_inputs([o.op if isinstance(o, Tensor) else o for o in ops])
    return g.control_dependencies(ops)


def _assert_at_most_n_true(predicates, n: int, msg: str) -> Operation:
    preds_c = _array_ops.stack(predicates, name="preds_c")
    count = _math_ops.reduce_sum(_math_ops.cast(preds_c, _dtypes.int32), name="num_true_conds")
    condition = _math_ops.less_equal(count, constant(n, name="n_true_conds"))
    names = ", ".join(p.name for p in predicates)
    return Assert(condition, [f"{msg}: more than {n} conditions ({names}) evaluated as True:", preds_c],
                  summarize=len(predicates))


def _case_default_action(predicates, actions):
    # TF's default when none is given: the last pair, run after Asserts that its predicate
    # holds and that none of the others does.
    k = len(predicates) - 1
    predicate, action = predicates[k], actions[k]
    others, other_actions = predicates[:k], actions[:k]

    def default_action():
        others_msg = (f"Implementation error: selected default action #{k} was called, but some of other "
                      "predicates are True: ")
        default_msg = ("Input error: None of conditions evaluated as True:",
                       _array_ops.stack(predicates, name="preds_c"))
        g = get_default_graph()
        checks = [_assert_at_most_n_true(others, 0, others_msg), Assert(predicate, default_msg)]
        with _control_dependencies(g, checks):
            return action()

    return default_action, others, other_actions


# --------------------------------------------------------------------------- while_loop

def while_loop(cond, body, loop_vars, shape_invariants=None, parallel_iterations: int = 10,
               back_prop: bool = True, swap_memory: bool = False, name: str | None = None,
               maximum_iterations=None, return_same_structure: bool = False):
    """`tf.while_loop` as TF 1.x builds it: one frame of Enter/Merge/Switch/NextIteration/Exit.

    Args:
        cond: callable taking the loop variables, returning a scalar bool Tensor.
        body: callable taking the loop variables, returning new values of the same structure.
        loop_vars: a (nested) structure of Tensors, TensorArrays and Python values.
        shape_invariants: shapes the loop variables keep across iterations (default: their
            initial shapes).
        parallel_iterations: the frame's `parallel_iterations` attr.
        back_prop, swap_memory: recorded as TF does; they change nothing when running.
        name: the name scope (default "while").
        maximum_iterations: stop after this many iterations (an extra counter loop variable).
        return_same_structure: return a one-element structure as such, not its element.

    Returns:
        The Exit values in the structure of `loop_vars` (the element alone for one variable).

    Raises:
        TypeError: `cond` or `body` is not callable, or `parallel_iterations` < 1.
        ValueError: `loop_vars` is empty, or the body's result has another structure.
    """
    if not callable(cond):
        raise TypeError("'cond' must be callable.")
    if not callable(body):
        raise TypeError("'body' must be callable.")
    if parallel_iterations < 1:
        raise TypeError("'parallel_iterations' must be a positive integer.")
    loop_vars = _variables_to_tensors(loop_vars)
    g = get_default_graph()
    with g.name_scope(name or "while"):
        if not _flatten(loop_vars):
            raise ValueError("'loop_vars' must be provided.")
        try_to_pack = isinstance(loop_vars, (list, tuple)) and len(loop_vars) == 1 \
            and not return_same_structure
        if maximum_iterations is not None:
            cond, body, loop_vars, shape_invariants = _counted(
                cond, body, loop_vars, shape_invariants, maximum_iterations, try_to_pack)
            try_to_pack = False
        ctx = _WhileContext(g, parallel_iterations, back_prop, swap_memory, maximum_iterations)
        result = _build_loop(ctx, cond, body, loop_vars, shape_invariants, return_same_structure)
        if maximum_iterations is not None:
            return result[1]
        return result


def _counted(cond, body, loop_vars, shape_invariants, maximum_iterations, try_to_pack):
    # TF's maximum_iterations: a counter loop variable in front of the user's ones.
    maximum_iterations = convert_to_tensor(maximum_iterations, name="maximum_iterations")
    if maximum_iterations.shape.ndims != 0:
        raise ValueError(f"'maximum_iterations' must be a scalar. Received shape: {maximum_iterations.shape}")
    counter = constant(0, dtype=maximum_iterations.dtype, name="iteration_counter")
    orig_cond, orig_body = cond, body
    if try_to_pack:
        loop_vars = (counter, loop_vars[0])
        new_cond = lambda i, lv: _math_ops.logical_and(i < maximum_iterations, orig_cond(lv))
        new_body = lambda i, lv: (i + 1, orig_body(lv))
    else:
        loop_vars = (counter, loop_vars)
        new_cond = lambda i, lv: _math_ops.logical_and(i < maximum_iterations, orig_cond(*lv))
        new_body = lambda i, lv: (i + 1, orig_body(*lv))
    if shape_invariants is not None:
        shape_invariants = (TensorShape([]), shape_invariants)
    return new_cond, new_body, loop_vars, shape_invariants


def _variables_to_tensors(structure):
    flat = [convert_to_tensor(v) if is_tensor_like(v) and not isinstance(v, Tensor) else v
            for v in _flatten(structure)]
    return _pack_as(structure, flat)


def _to_loop_tensor(v):
    if isinstance(v, TensorArray):
        return v
    return convert_to_tensor(v)


def _build_loop(ctx: _WhileContext, cond, body, loop_vars, shape_invariants, return_same_structure):
    g = ctx.graph
    flat_orig = [_to_loop_tensor(v) for v in _flatten(loop_vars)]
    loop_vars = _pack_as(loop_vars, flat_orig)
    flat_vars = [v.flow if isinstance(v, TensorArray) else v for v in flat_orig]
    if shape_invariants is not None:
        invariants = _flatten_invariants(shape_invariants, loop_vars)
    else:
        invariants = [v.shape for v in flat_vars]
    with ctx:
        merges, switches = _loop_head(ctx, flat_vars, flat_orig, invariants, loop_vars, cond)
        identities = [_array_ops.identity(s[1], name="Identity") for s in switches]
        ctx.pivot_for_body = identities[0]
        body_args = _pack_as(loop_vars, _with_arrays(flat_orig, identities))
        result = body(*body_args)
        if _is_leaf(result):
            result = [result]
        result = _variables_to_tensors(result)
        _assert_same_structure(list(body_args), list(result), "The body's result must match 'loop_vars'")
        original_result = result
        flat_result = [v.flow if isinstance(v, TensorArray) else convert_to_tensor(v) for v in _flatten(result)]
        if len(flat_result) != len(merges):
            raise ValueError("Number of inputs and outputs of 'body' must match 'loop_vars'. Got "
                             f"{len(merges)} for the number of inputs/outputs, and {len(flat_result)} "
                             "for 'loop_vars'.")
        for m, v, invariant in zip(merges, flat_result, invariants):
            nxt = apply_op("NextIteration", [v], name="NextIteration").outputs[0]
            _enforce_shape_invariant(m, nxt, invariant)
            m.op._update_input(1, nxt)
        exits = [apply_op("Exit", [s[0]], name="Exit").outputs[0] for s in switches]
    ctx.loop_exits = exits
    for e in exits:
        _state(g).op_context[e.op] = ctx
    ctx._exit_result(exits)
    flat_orig_result = _flatten(original_result)
    packed = _pack_as(original_result, _with_arrays(flat_orig_result, exits))
    if return_same_structure:
        return packed
    return packed[0] if len(exits) == 1 and isinstance(packed, (list, tuple)) else packed


def _flatten_invariants(shape_invariants, loop_vars) -> list:
    # A TensorShape (or a shape list) is a leaf of the invariants' structure.
    def flat(s, v):
        if isinstance(s, TensorShape) or s is None or (isinstance(s, (list, tuple)) and _is_leaf(v)):
            return [as_shape(s)]
        if isinstance(s, dict):
            return [x for k in sorted(s) for x in flat(s[k], v[k])]
        return [x for si, vi in zip(s, v) for x in flat(si, vi)]

    out = flat(shape_invariants, loop_vars)
    if len(out) != len(_flatten(loop_vars)):
        raise ValueError("'shape_invariants' must have the same structure as 'loop_vars'.")
    return out


def _with_arrays(flat_orig: list, tensors: list) -> list:
    return [_tensor_array_with_flow(o, t) if isinstance(o, TensorArray) else t
            for o, t in zip(flat_orig, tensors)]


def _loop_head(ctx: _WhileContext, flat_vars, flat_orig, invariants, loop_vars, cond):
    g = ctx.graph
    real_vars = [ctx.outer.add_value(v) for v in flat_vars] if ctx.outer is not None else flat_vars
    ctx.values = {v.name for v in flat_vars}
    enters = []
    with _Suspended(g):
        for var, invariant in zip(real_vars, invariants):
            if not _shape_within(var.shape, invariant):
                raise ValueError(f"The shape invariant specified for {var.name} is not compatible with the "
                                 f"initial shape of the loop variable. It enters the loop with shape "
                                 f"{var.shape}, but the specified shape invariant is {invariant}.")
            enters.append(_enter(var, ctx.name, False, ctx.parallel_iterations))
    pivot = _outer_pivot(ctx)
    if pivot is not None:
        for e in enters:
            if _is_constant_enter(e.op.inputs[0].op):
                e.op._add_control_input(pivot.op)
    ctx._fix_enters(enters)
    ctx.values = {e.name for e in enters}
    ctx.loop_enters = enters
    merges = []
    for e, invariant in zip(enters, invariants):
        m = apply_op("Merge", [[e, e]], name="Merge").outputs[0]
        # The invariant as given (set_shape would narrow it to the Enter's shape): once the
        # back edge is in, the Merge's inferred shape is open and the invariant bounds it.
        m._set_shape = invariant
        merges.append(m)
    ctx.pivot_for_pred = merges[0]
    pred_args = _pack_as(loop_vars, _with_arrays(flat_orig, merges))
    c = convert_to_tensor(cond(*pred_args))
    ctx.pivot = apply_op("LoopCond", [c], name="LoopCond").outputs[0]
    switches = [_switch(m, ctx.pivot) for m in merges]
    return merges, switches


def _enforce_shape_invariant(merge: Tensor, following: Tensor, invariant: TensorShape) -> None:
    # TF refuses a loop variable whose shape after one iteration leaves its invariant.
    if merge.dtype.base_dtype in (_dtypes.resource, _dtypes.variant) or _shape_within(following.shape, invariant):
        return
    start = merge.op.inputs[0].op.inputs[0]
    raise ValueError(f"Input tensor '{start.name}' enters the loop with shape {start.shape}, but has shape "
                     f"{following.shape} after one iteration. To allow the shape to vary across iterations, "
                     "use the `shape_invariants` argument of tf.while_loop to specify a less-specific shape.")


def _shape_within(shape: TensorShape, invariant: TensorShape) -> bool:
    # TF's rule: every dim the invariant fixes is the same in the initial shape.
    if invariant.rank is None:
        return True
    if shape.rank != invariant.rank:
        return False
    return all(i is None or s == i for s, i in zip(shape.dims, invariant.dims))


def _outer_pivot(ctx: _Context):
    outer = ctx.outer
    while outer is not None:
        pivot = outer.control_pivot()
        if pivot is not None:
            return pivot
        outer = outer.outer
    return None


# --------------------------------------------------------------------------- TensorArray

def _tensor_array_with_flow(old: TensorArray, flow: Tensor) -> TensorArray:
    """A TensorArray sharing `old`'s handle and facts, with a new flow value."""
    new = TensorArray(old.dtype, handle=old.handle, flow=flow, infer_shape=old._infer_shape,
                      colocate_with_first_write_call=old._colocate_with is not None)
    new._dynamic_size = old._dynamic_size
    new._size = old._size
    new._colocate_with = old._colocate_with
    new._element_shape = old._element_shape  # shared, as TF's
    return new


class TensorArray:
    """`tf.TensorArray` as TF 1.x builds it in graphs (TensorArrayV3 ops on a resource handle).

    Each write returns a new TensorArray whose `flow` carries the ordering; pass that one on
    (through while_loop loop variables too).

    Args:
        dtype: the element type.
        size: the number of elements (int32 scalar); required without `handle`.
        dynamic_size: writes may grow the array past `size`.
        clear_after_read: reading an element frees it (TF's default True).
        tensor_array_name: the resource name ("" lets TF pick one).
        handle, flow: an existing array's handle and flow (graph mode).
        infer_shape: all elements share one shape, learned from the writes.
        element_shape: the known element shape.
        colocate_with_first_write_call: colocate the array's ops with the first value written.
        name: the op name (default "TensorArray").
    """

    def __init__(self, dtype, size=None, dynamic_size=None, clear_after_read=None,
                 tensor_array_name=None, handle=None, flow=None, infer_shape: bool = True,
                 element_shape=None, colocate_with_first_write_call: bool = True, name=None):
        if handle is not None and tensor_array_name:
            raise ValueError("Cannot provide both `handle` and `tensor_array_name` arguments at the same time.")
        if handle is not None and not isinstance(handle, Tensor):
            raise TypeError(f"Expected `handle` to be a Tensor, but got `{handle}` of type `{type(handle)}` instead.")
        if handle is None and size is None:
            raise ValueError("Argument `size` must be provided if handle is not provided.")
        if handle is not None and size is not None:
            raise ValueError("Cannot provide both a `handle` and `size` arguments at the same time.")
        if clear_after_read is None:
            clear_after_read = True
        self._dynamic_size = bool(dynamic_size)
        self._dtype = _dtypes.as_dtype(dtype).base_dtype
        self._colocate_with = [] if colocate_with_first_write_call else None
        self._element_shape = [as_shape(element_shape)]
        self._infer_shape = infer_shape
        self._size = size
        if handle is not None:
            if flow is None:
                raise ValueError("flow must not be None if handle is not None.")
            self._handle, self._flow = handle, flow
            return
        g = get_default_graph()
        with g.as_default(), g.name_scope(name or "TensorArray") as scope:
            attrs = {"dtype": self._dtype, "element_shape": as_shape(element_shape),
                     "identical_element_shapes": infer_shape, "dynamic_size": self._dynamic_size,
                     "clear_after_read": bool(clear_after_read),
                     "tensor_array_name": tensor_array_name or ""}
            if colocate_with_first_write_call:
                with g.device(None), g.colocate_with(None, ignore_existing=True):
                    op = apply_op("TensorArrayV3", [size], attrs, name=scope)
            else:
                op = apply_op("TensorArrayV3", [size], attrs, name=scope)
            self._handle, self._flow = op.outputs

    @property
    def flow(self) -> Tensor:
        """The float scalar that orders this array's reads and writes."""
        return self._flow

    @property
    def dtype(self):
        return self._dtype

    @property
    def handle(self) -> Tensor:
        return self._handle

    @property
    def element_shape(self) -> TensorShape:
        return self._element_shape[0]

    @property
    def dynamic_size(self) -> bool:
        return self._dynamic_size

    def _check_element_shape(self, shape) -> None:
        shape = as_shape(shape)
        if not shape.is_compatible_with(self.element_shape):
            raise ValueError(f"Inconsistent shapes: saw {shape} but expected {self.element_shape} ")
        if self._infer_shape:
            self._element_shape[0] = self.element_shape.merge_with(shape)

    def _colocation(self, value: Tensor):
        if self._colocate_with is None:
            return _NullContext()
        if not self._colocate_with:
            self._colocate_with.append(value)
        return self._handle.graph.colocate_with(self._colocate_with[0])

    def _check_dtype(self, value: Tensor) -> None:
        if value.dtype.base_dtype != self._dtype:
            raise ValueError(f"TensorArray dtype is {self._dtype.name} but Op is trying to write dtype "
                             f"{value.dtype.base_dtype.name} ")

    def identity(self) -> TensorArray:
        """A TensorArray whose flow is an Identity of this one's."""
        return _tensor_array_with_flow(self, _array_ops.identity(self._flow))

    def read(self, index, name=None) -> Tensor:
        """Element `index` (`TensorArrayReadV3`)."""
        value = apply_op("TensorArrayReadV3", [self._handle, index, self._flow],
                         {"dtype": self._dtype}, name=name or "TensorArrayReadV3").outputs[0]
        if self._element_shape:
            value.set_shape(self._element_shape[0])
        return value

    def write(self, index, value, name=None) -> TensorArray:
        """Writes `value` at `index`; returns the TensorArray to use afterwards."""
        g = self._handle.graph
        with g.as_default(), g.name_scope(name or "TensorArrayWrite"):
            value = convert_to_tensor(value, preferred_dtype=self._dtype, name="value")
            self._check_dtype(value)
            self._check_element_shape(value.shape)
            with self._colocation(value):
                flow = apply_op("TensorArrayWriteV3", [self._handle, index, value, self._flow],
                                name=name or "TensorArrayWriteV3").outputs[0]
        return _tensor_array_with_flow(self, flow)

    def stack(self, name=None) -> Tensor:
        """All elements stacked along a new first axis."""
        g = self._handle.graph
        with g.as_default(), g.colocate_with(self._handle.op), g.name_scope(name or "TensorArrayStack"):
            value = self.gather(_array_ops.range(0, self.size()), name=name)
            if self.element_shape.rank is not None and not self._dynamic_size and self._size is not None:
                n = _static_int(self._size)
                value.set_shape(TensorShape([n]).concatenate(self.element_shape))
            return value

    def gather(self, indices, name=None) -> Tensor:
        """The elements at `indices`, stacked."""
        value = apply_op("TensorArrayGatherV3", [self._handle, indices, self._flow],
                         {"dtype": self._dtype, "element_shape": self._element_shape[0]},
                         name=name or "TensorArrayGatherV3").outputs[0]
        if self.element_shape.rank is not None:
            value.set_shape(TensorShape([None]).concatenate(self.element_shape))
        return value

    def concat(self, name=None) -> Tensor:
        """All elements concatenated along their first axis."""
        shape = self.element_shape
        rest = TensorShape(None) if shape.rank is None else TensorShape(shape.dims[1:])
        value = apply_op("TensorArrayConcatV3", [self._handle, self._flow],
                         {"dtype": self._dtype, "element_shape_except0": rest},
                         name=name or "TensorArrayConcatV3").outputs[0]
        if shape.rank is not None:
            dim0 = None
            n = _static_int(self.size()) if self._infer_shape else None
            if n is not None and shape.dims[0] is not None:
                dim0 = n * shape.dims[0]
            value.set_shape(TensorShape([dim0]).concatenate(TensorShape(shape.dims[1:])))
        return value

    def unstack(self, value, name=None) -> TensorArray:
        """Writes the slices of `value` along its first axis as elements 0..n-1."""
        g = self._handle.graph
        with g.as_default(), g.name_scope(name or "TensorArrayUnstack"):
            value = convert_to_tensor(value, preferred_dtype=self._dtype, name="value") \
                if not isinstance(value, Tensor) else value
            num = _array_ops.shape(value)[0]
            return self.scatter(indices=_array_ops.range(0, num), value=value, name=name)

    def scatter(self, indices, value, name=None) -> TensorArray:
        """Writes the slices of `value` along its first axis at `indices`."""
        g = self._handle.graph
        with g.as_default(), g.name_scope(name or "TensorArrayScatter"):
            value = convert_to_tensor(value, preferred_dtype=self._dtype, name="value")
            self._check_dtype(value)
            if value.shape.rank is not None:
                self._check_element_shape(TensorShape(value.shape.dims[1:]))
            with self._colocation(value):
                flow = apply_op("TensorArrayScatterV3",
                                [self._handle, indices, value, self._flow],
                                name=name or "TensorArrayScatterV3").outputs[0]
        return _tensor_array_with_flow(self, flow)

    def split(self, value, lengths, name=None) -> TensorArray:
        """Splits `value` along its first axis into elements of the given `lengths`."""
        g = self._handle.graph
        with g.as_default(), g.name_scope(name or "TensorArraySplit"):
            value = convert_to_tensor(value, dtype=self._dtype, name="value")
            with self._colocation(value):
                lengths64 = _math_ops.cast(lengths, _dtypes.int64)
                flow = apply_op("TensorArraySplitV3", [self._handle, value, lengths64, self._flow],
                                name=name or "TensorArraySplitV3").outputs[0]
        return _tensor_array_with_flow(self, flow)

    def size(self, name=None) -> Tensor:
        """The number of elements: the given size, or `TensorArraySizeV3` for dynamic arrays."""
        if not self._dynamic_size and self._size is not None:
            return convert_to_tensor(self._size, dtype=_dtypes.int32)
        return apply_op("TensorArraySizeV3", [self._handle, self._flow],
                        name=name or "TensorArraySizeV3").outputs[0]

    def close(self, name=None) -> Operation:
        """Frees the array (`TensorArrayCloseV3`)."""
        return apply_op("TensorArrayCloseV3", [self._handle], name=name or "TensorArrayCloseV3")


class _NullContext:
    def __enter__(self):
        return None

    def __exit__(self, *exc_info):
        return None


def _static_int(value):
    if isinstance(value, int):
        return value
    if isinstance(value, Tensor) and value.op.type == "Const":
        from ortflow.formats.tensors import make_ndarray

        arr = make_ndarray(value.op.get_attr("value"))
        return int(arr) if arr.size == 1 else None
    return None


# --------------------------------------------------------------------------- map_fn, scan, folds

def _first_dim(t: Tensor):
    shape = t.shape
    return None if shape.rank is None or shape.rank < 1 else shape.dims[0]


def _num_elems(t: Tensor):
    """The static first dimension as a Python int, else `shape(t)[0]` (TF's `n`)."""
    n = _first_dim(t)
    return int(n) if n else _array_ops.shape(t)[0]


def _unstacked(t: Tensor, n, element_shape=None) -> TensorArray:
    kwargs = {} if element_shape is None else {"element_shape": element_shape}
    return TensorArray(dtype=t.dtype, size=n, dynamic_size=False, infer_shape=True, **kwargs).unstack(t)


def _set_leading_dim(results, n_static) -> None:
    for r in results:
        rest = TensorShape(None) if r.shape.rank is None else TensorShape(r.shape.dims[1:])
        r.set_shape(TensorShape([n_static]).concatenate(rest))


def map_fn(fn, elems, dtype=None, parallel_iterations=None, back_prop: bool = True,
           swap_memory: bool = False, infer_shape: bool = True, name: str | None = None,
           fn_output_signature=None):
    """`tf.map_fn` as TF 1.x builds it: a while loop reading and writing TensorArrays.

    Args:
        fn: called on each element (slice along axis 0) of `elems`.
        elems: a Tensor or a (nested) structure of Tensors with the same first dimension.
        dtype: the (nested) dtypes of `fn`'s result when they differ from `elems`'.
        parallel_iterations: the loop's parallel_iterations (default 10).
        back_prop, swap_memory: passed to `while_loop`.
        infer_shape: the result arrays learn their element shape from the writes.
        name: the name scope (default "map").
        fn_output_signature: TF 2's name of `dtype`.

    Returns:
        `fn`'s results stacked along a new first axis, in the structure of `dtype` (or `elems`).
    """
    if fn_output_signature is None:
        fn_output_signature = dtype
    if not callable(fn):
        raise TypeError(f"The provided function {fn!r} is not callable. fn must be callable.")
    parallel_iterations = parallel_iterations or 10
    elems = _variables_to_tensors(elems)
    elems_flat = _flatten(elems)
    if not elems_flat:
        raise ValueError(f"elems must be a Tensor or (possibly nested) sequence of Tensors. Got {elems}, "
                         "which does not contain any Tensors.")
    g = get_default_graph()
    with g.name_scope(name or "map"):
        elems_flat = [convert_to_tensor(t, name="elem") for t in elems_flat]
        if elems_flat[0].shape.rank is not None and elems_flat[0].shape.rank < 1:
            raise ValueError("Elements in elems must be 1+ dimensional Tensors, not scalars")
        n_static = _first_dim(elems_flat[0])
        n = _num_elems(elems_flat[0])
        if fn_output_signature is None:
            out_dtypes, out_structure = [t.dtype.base_dtype for t in elems_flat], elems
        else:
            out_dtypes = [_dtypes.as_dtype(d) for d in _flatten(fn_output_signature)]
            out_structure = fn_output_signature
        elems_ta = [TensorArray(dtype=t.dtype, size=n, dynamic_size=False, infer_shape=True)
                    for t in elems_flat]
        elems_ta = [ta.unstack(t) for ta, t in zip(elems_ta, elems_flat)]
        i = constant(0)
        result_ta = [TensorArray(dtype=d, size=n, dynamic_size=False, infer_shape=infer_shape)
                     for d in out_dtypes]

        def compute(i, tas):
            values = _pack_as(elems, [ta.read(i) for ta in elems_ta])
            result = fn(values)
            _assert_same_structure(out_structure, result, "map_fn's fn must return the structure of dtype")
            tas = [ta.write(i, v) for ta, v in zip(tas, _flatten(result))]
            return (i + 1, tas)

        _, r_a = while_loop(lambda i, _: i < n, compute, (i, result_ta),
                            parallel_iterations=parallel_iterations, back_prop=back_prop,
                            swap_memory=swap_memory, maximum_iterations=n)
        results = [r.stack() for r in r_a]
        _set_leading_dim(results, n_static)
        return _pack_as(out_structure, results)


def foldl(fn, elems, initializer=None, parallel_iterations: int = 10, back_prop: bool = True,
          swap_memory: bool = False, name: str | None = None):
    """`tf.foldl`: `fn(acc, elem)` over the elements of `elems` from the first.

    Args:
        fn: called as `fn(accumulator, element)`; returns the new accumulator.
        elems: a Tensor or a (nested) structure of Tensors unpacked along axis 0.
        initializer: the first accumulator (default: the first element, which is then skipped).
        parallel_iterations, back_prop, swap_memory: passed to `while_loop`.
        name: the name scope (default "foldl").
    """
    return _fold(fn, elems, initializer, parallel_iterations, back_prop, swap_memory, name or "foldl", False)


def foldr(fn, elems, initializer=None, parallel_iterations: int = 10, back_prop: bool = True,
          swap_memory: bool = False, name: str | None = None):
    """`tf.foldr`: `fn(acc, elem)` over the elements of `elems` from the last.

    Args: as `foldl` (the default initializer is the last element).
    """
    return _fold(fn, elems, initializer, parallel_iterations, back_prop, swap_memory, name or "foldr", True)


def _fold(fn, elems, initializer, parallel_iterations, back_prop, swap_memory, name, reverse):
    if not callable(fn):
        raise TypeError(f"{fn!r} is not callable. Please provide a callable function.")
    g = get_default_graph()
    with g.name_scope(name):
        elems_flat = [convert_to_tensor(e, name="elem") for e in _flatten(elems)]
        n = _num_elems(elems_flat[0])
        elems_ta = _pack_as(elems, [_unstacked(e, n) for e in elems_flat])
        read = lambda i: _pack_as(elems, [ta.read(i) for ta in _flatten(elems_ta)])
        if not reverse:
            if initializer is None:
                a, i = read(0), constant(1)
            else:
                a, i = initializer, constant(0)

            def compute(i, a):
                a = fn(a, read(i))
                return [i + 1, a]

            _, r_a = while_loop(lambda i, a: i < n, compute, [i, a], parallel_iterations=parallel_iterations,
                                back_prop=back_prop, swap_memory=swap_memory, maximum_iterations=n)
            return r_a
        if initializer is None:
            i = n - 1
            a = read(i)
        else:
            i, a = n, initializer

        def compute_r(i, a):
            i -= 1
            return [i, fn(a, read(i))]

        _, r_a = while_loop(lambda i, a: i > 0, compute_r, [i, a], parallel_iterations=parallel_iterations,
                            back_prop=back_prop, swap_memory=swap_memory, maximum_iterations=n)
        return r_a


def scan(fn, elems, initializer=None, parallel_iterations: int = 10, back_prop: bool = True,
         swap_memory: bool = False, infer_shape: bool = True, reverse: bool = False,
         name: str | None = None):
    """`tf.scan`: every intermediate accumulator of `fn(acc, elem)`, stacked.

    Args:
        fn: called as `fn(accumulator, element)`; returns the new accumulator.
        elems: a Tensor or a (nested) structure of Tensors unpacked along axis 0.
        initializer: the first accumulator (default: the first element, also the first output).
        parallel_iterations, back_prop, swap_memory: passed to `while_loop`.
        infer_shape: the output arrays learn their element shape from the writes.
        reverse: scan from the last element.
        name: the name scope (default "scan").
    """
    if not callable(fn):
        raise TypeError(f"{fn!r} is not callable. Please provide a callable function.")
    in_nested = not _is_leaf(elems)
    out_template = elems if initializer is None else initializer
    out_nested = not _is_leaf(out_template)
    in_pack = (lambda x: _pack_as(elems, x)) if in_nested else (lambda x: x[0])
    out_pack = (lambda x: _pack_as(out_template, x)) if out_nested else (lambda x: x[0])
    out_flatten = _flatten if out_nested else (lambda x: [x])
    g = get_default_graph()
    with g.name_scope(name or "scan"):
        elems_flat = [convert_to_tensor(e, name="elem") for e in (_flatten(elems) if in_nested else [elems])]
        n = _num_elems(elems_flat[0])
        elems_ta = [_unstacked(e, n, _rest_shape(e)) for e in elems_flat]
        if initializer is None:
            a_flat = [ta.read(n - 1 if reverse else 0) for ta in elems_ta]
            i = 1
        else:
            a_flat = [convert_to_tensor(v) for v in out_flatten(initializer)]
            i = 0
        accs_ta = [TensorArray(dtype=a.dtype, size=n, element_shape=a.shape if infer_shape else None,
                               dynamic_size=False, infer_shape=infer_shape) for a in a_flat]
        if initializer is None:
            accs_ta = [ta.write(n - 1 if reverse else 0, a) for ta, a in zip(accs_ta, a_flat)]

        def compute(i, a_flat, tas):
            a_out = fn(out_pack(a_flat), in_pack([ta.read(i) for ta in elems_ta]))
            _assert_same_structure(out_template, a_out, "scan's fn must return the accumulator's structure")
            flat_out = out_flatten(a_out)
            tas = [ta.write(i, v) for ta, v in zip(tas, flat_out)]
            return (i - 1 if reverse else i + 1, flat_out, tas)

        if reverse:
            initial_i = n - 1 - i
            condition = lambda i, _1, _2: i >= 0
        else:
            initial_i = i
            condition = lambda i, _1, _2: i < n
        _, _, r_a = while_loop(condition, compute, (initial_i, a_flat, accs_ta),
                               parallel_iterations=parallel_iterations, back_prop=back_prop,
                               swap_memory=swap_memory, maximum_iterations=n)
        results = [r.stack() for r in r_a]
        _set_leading_dim(results, _first_dim(elems_flat[0]))
        return out_pack(results)


def _rest_shape(t: Tensor) -> TensorShape:
    return TensorShape(None) if t.shape.rank is None else TensorShape(t.shape.dims[1:])


# --------------------------------------------------------------------------- Assert and printing

def Assert(condition, data, summarize=None, name: str | None = None):
    """`tf.Assert`: fails the run with InvalidArgumentError when `condition` is false.

    As TF 1.x: when every item of `data` is a string or int32 tensor the Assert op is created
    directly; otherwise it is guarded by a cond (named AssertGuard) so `data` is only read when
    the condition fails.

    Args:
        condition: a scalar bool Tensor.
        data: the values printed when the condition is false.
        summarize: how many entries of each tensor to print.
        name: the name scope (default "Assert").

    Returns:
        The Assert operation (or the guard's Merge op): use it as a control dependency.
    """
    data = list(data)
    g = get_default_graph()
    attrs = {} if summarize is None else {"summarize": summarize}
    with g.name_scope(name or "Assert"):
        xs = convert_n_to_tensor(data)
        if all(x.dtype.base_dtype in (_dtypes.string, _dtypes.int32) for x in xs):
            return apply_op("Assert", [condition, data], attrs, name="Assert")
        condition = convert_to_tensor(condition, name="Condition")

        def true_assert():
            return apply_op("Assert", [condition, data], attrs, name="Assert")

        guarded = cond(condition, _no_op, true_assert, name="AssertGuard")
        return guarded.op


def _no_op():
    return apply_op("NoOp", [], name="NoOp")


def Print(input_, data, message=None, first_n=None, summarize=None, name: str | None = None):
    """`tf.Print` (TF 1.x): `input_` passed through, printing `data` when it runs.

    ortflow's Session runs it as an Identity (nothing is printed).
    """
    attrs = {}
    if message is not None:
        attrs["message"] = message
    if first_n is not None:
        attrs["first_n"] = first_n
    if summarize is not None:
        attrs["summarize"] = summarize
    return apply_op("Print", [input_, list(data)], attrs, name=name or "Print").outputs[0]


def _stream_name(stream) -> str:
    import sys

    if stream is sys.stderr:
        return "stderr"
    if stream is sys.stdout:
        return "stdout"
    if isinstance(stream, str) and (stream.startswith("file://") or stream in ("stderr", "stdout")):
        return stream
    import logging

    levels = {logging.info: "log(info)", logging.warning: "log(warning)", logging.error: "log(error)"}
    if stream in levels:
        return levels[stream]
    raise ValueError(f"Unsupported output stream, logging level, or file: {stream!r}. Supported streams are "
                     "sys.stdout, sys.stderr, tf.logging.info/warning/error, or a 'file://' URI.")


def _placeholder_for(template: str) -> str:
    # As TF: "{}" unless the text already holds it, then digits from a seeded generator.
    import random

    placeholder, rng = "{}", random.Random(5)
    while placeholder in template:
        placeholder = placeholder + str(rng.randint(0, 9))
    return placeholder


def print_v2(*inputs, output_stream=None, summarize: int = 3, sep: str = " ", end: str = "\n",
             name: str | None = None):
    """`tf.print`: a StringFormat of the inputs printed by PrintV2.

    ortflow's Session drops PrintV2 (nothing is printed); the graph equals TF's.

    Returns:
        The PrintV2 operation.
    """
    import pprint
    import sys

    stream = _stream_name(sys.stderr if output_stream is None else output_stream)
    format_name = None if name is None else name + "_format"
    if len(inputs) == 1 and isinstance(inputs[0], Tensor) and inputs[0].shape.rank == 0 \
            and inputs[0].dtype.base_dtype == _dtypes.string:
        formatted = inputs[0]
    else:
        free = [_pack_as(x, ["" if is_tensor_like(v) else v for v in _flatten(x)]) for x in inputs]
        placeholder = _placeholder_for(" ".join(pprint.pformat(x) for x in free))
        templates, tensors = [], []
        for x in inputs:
            pieces = []
            for v in _flatten(x):
                if is_tensor_like(v):
                    tensors.append(convert_to_tensor(v))
                    pieces.append(placeholder)
                else:
                    pieces.append(v)
            templates.append(x if isinstance(x, str) else pprint.pformat(_pack_as(x, pieces)))
        template = sep.join(templates).replace("'" + placeholder + "'", placeholder)
        formatted = apply_op("StringFormat", [tensors], {"template": template, "placeholder": placeholder,
                                                         "summarize": summarize},
                             name=format_name or "StringFormat").outputs[0]
    return apply_op("PrintV2", [formatted], {"output_stream": stream, "end": end}, name=name or "PrintV2")


# --------------------------------------------------------------------------- tf.assert_*

def _static_value(t: Tensor):
    # A Const's value (TF checks asserts between two constants while building).
    if t.op.type != "Const":
        return None
    from ortflow.formats.tensors import make_ndarray

    return make_ndarray(t.op.get_attr("value"))


def _binary_assert(sym: str, opname: str, op_func, static_func, x, y, data, summarize, message, name):
    g = get_default_graph()
    with g.name_scope(name or opname):
        x = convert_to_tensor(x, name="x")
        y = convert_to_tensor(y, name="y")
        if data is None:
            data = [f"Condition x {sym} y did not hold element-wise:", f"x ({x.name}) = ", x,
                    f"y ({y.name}) = ", y]
        if message is not None:
            data = [message, *data]
        condition = _math_ops.reduce_all(op_func(x, y))
        x_static, y_static = _static_value(x), _static_value(y)
        if x_static is not None and y_static is not None and not bool(static_func(x_static, y_static).all()):
            from ortflow.errors import InvalidArgumentError

            parts = [str(_static_value(d)) if isinstance(d, Tensor) and _static_value(d) is not None else str(d)
                     for d in data]
            raise InvalidArgumentError(None, None, "\n".join(parts))
        return Assert(condition, data, summarize=summarize)


def _binary_asserter(sym: str, opname: str, op_name: str, static_name: str):
    def fn(x, y, data=None, summarize=None, message=None, name=None):
        import numpy as np

        return _binary_assert(sym, opname, getattr(_math_ops, op_name), getattr(np, static_name), x, y, data,
                              summarize, message, name)

    fn.__name__ = opname
    fn.__doc__ = (f"`tf.{opname}`: an Assert that `x {sym} y` holds element-wise (TF 1.x graph form).\n\n"
                  "    Returns:\n        The Assert operation; use it as a control dependency.\n")
    return fn


assert_less = _binary_asserter("<", "assert_less", "less", "less")
assert_less_equal = _binary_asserter("<=", "assert_less_equal", "less_equal", "less_equal")
assert_greater = _binary_asserter(">", "assert_greater", "greater", "greater")
assert_greater_equal = _binary_asserter(">=", "assert_greater_equal", "greater_equal", "greater_equal")
assert_none_equal = _binary_asserter("!=", "assert_none_equal", "not_equal", "not_equal")
_assert_equal_values = _binary_asserter("==", "assert_equal", "equal", "equal")


def assert_equal(x, y, data=None, summarize=None, message=None, name=None):
    """`tf.assert_equal`: an Assert that `x == y` element-wise (a NoOp when `x is y`, as TF).

    Returns:
        The Assert operation (or the NoOp); use it as a control dependency.
    """
    g = get_default_graph()
    with g.name_scope(name or "assert_equal"):
        if x is y:
            return apply_op("NoOp", [], name="NoOp")
    return _assert_equal_values(x, y, data, summarize, message, name)


def _unary_asserter(opname: str, sym: str, against_zero, zero_first: bool):
    def fn(x, data=None, summarize=None, message=None, name=None):
        prefix = f"{message}.  " if message else ""
        g = get_default_graph()
        with g.name_scope(name or opname):
            x = convert_to_tensor(x, name="x")
            if data is None:
                data = [prefix, f"Condition x {sym} 0 did not hold element-wise:", f"x ({x.name}) = ", x]
                if opname == "assert_non_positive":
                    # TF 2.x's text lacks a comma there: the two strings are one.
                    data = [prefix, data[1] + data[2], x]
            zero = convert_to_tensor(0, dtype=x.dtype.base_dtype)
            pair = (zero, x) if zero_first else (x, zero)
            return against_zero(*pair, data=data, summarize=summarize)

    fn.__name__ = opname
    fn.__doc__ = (f"`tf.{opname}`: an Assert that `x {sym} 0` holds element-wise (TF 1.x graph form).\n\n"
                  "    Returns:\n        The Assert operation; use it as a control dependency.\n")
    return fn


assert_positive = _unary_asserter("assert_positive", ">", assert_less, True)
assert_negative = _unary_asserter("assert_negative", "<", assert_less, False)
assert_non_negative = _unary_asserter("assert_non_negative", ">=", assert_less_equal, True)
assert_non_positive = _unary_asserter("assert_non_positive", "<=", assert_less_equal, False)
