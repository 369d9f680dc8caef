"""Lowers TF2's functional control flow (If, While, Case) to TF 1.x dataflow frames.

TensorFlow 2 writes `tf.cond` and `tf.while_loop` as single nodes that call functions of the
graph's library: If/StatelessIf(pred, args; then_branch, else_branch), Case/StatelessCase(index,
args; branches) and While/StatelessWhile(args; cond, body). SavedModels written by
`tf.saved_model.save` keep them (a Keras LSTM is a While), and so do TF 1.x-style graphs built
with control flow v2 on (`tf.compat.v1.disable_eager_execution()` alone). The converter already
lowers TF 1.x control flow (Switch/Merge conds to ONNX If, Enter/Exit frames to ONNX Loop, see
`control_flow.py`), so this pass rewrites each functional node into that form, with the
functions' bodies inlined, as TensorFlow's own lowering pass does before it runs a graph:

- If: `Switch(arg, pred)` per argument, the then-body reading the Switches' true outputs, the
  else-body their false outputs, one `Merge` per result. Body nodes without data inputs take a
  control input on the branch's pivot (an Identity of `Switch(pred, pred)`), so that they belong
  to their branch.
- Case: an If on `index == 0` whose else side is the Case of the other branches, down to the last
  branch, which also takes every out-of-range index (TensorFlow's rule).
- While: per loop variable `Enter -> Merge -> Switch(LoopCond) -> Exit`, the body reading the
  Switches' true outputs and feeding `NextIteration`. A variable the body returns unchanged (a
  captured tensor, a resource handle) becomes a constant Enter instead, and the While's output
  for it is its input.

Each functional node's name then belongs to an IdentityN of its results, so tensors such as
`while:1` stay valid for readers and fetches. Nested functional nodes are lowered in later
rounds, each under its parent's name.
"""

from __future__ import annotations

from collections.abc import Sequence

from ortflow.converters.context import tensor_name
from ortflow.converters.passes_tf import _inline_function, _new_graph, _short
from ortflow.errors import ConversionError
from ortflow.formats import dtypes

__all__ = ["FUNCTIONAL_OPS", "lower_functional_control_flow"]

_IF_OPS = ("If", "StatelessIf")
_CASE_OPS = ("Case", "StatelessCase")
_WHILE_OPS = ("While", "StatelessWhile")
#: The functional control-flow op types this pass rewrites.
FUNCTIONAL_OPS = _IF_OPS + _CASE_OPS + _WHILE_OPS
#: Nesting depth lowered (each round lowers one level).
_MAX_DEPTH = 16


def lower_functional_control_flow(graph_def, outputs: Sequence[str] = ()):
    """Rewrites every If/Case/While of `graph_def` into Switch/Merge and Enter/Exit frames.

    Args:
        graph_def: a GraphDef (or the passes' NodeList) whose library holds the functions.
        outputs: unused (kept for the passes' common signature): each functional node is
            replaced by an IdentityN of its name, so its tensors stay valid names.

    Returns:
        (new graph, whether anything changed).

    Raises:
        ConversionError: a function is missing from the library, its arity does not match the
            call, or nesting is deeper than 16 levels.
    """
    if not any(n.op in FUNCTIONAL_OPS for n in graph_def.node):
        return graph_def, False
    functions = {f.signature.name: f for f in graph_def.library.function}
    for _ in range(_MAX_DEPTH):
        out, changed = [], False
        for node in graph_def.node:
            if node.op not in FUNCTIONAL_OPS:
                out.append(node)
                continue
            if node.op in _WHILE_OPS:
                body, results = _lower_while(node, functions)
            else:
                body, results = _lower_conditional(node, functions)
            out.extend(body)
            out.append(_outputs_node(node, results))
            changed = True
        if not changed:
            return graph_def, True
        graph_def = _new_graph(graph_def, out)
    raise ConversionError(f"functional control flow nested deeper than {_MAX_DEPTH} levels")


def _outputs_node(node, results: list[str]):
    """An IdentityN under the functional node's own name: its tensors and control edges keep
    their names for every reader and fetch."""
    out = _node("IdentityN", node.name, [_short(t) for t in results])
    out.attr["T"].list.type.extend(node.attr["T" if node.op in _WHILE_OPS else "Tout"].list.type)
    out.input.extend(i for i in node.input if i.startswith("^"))
    out.device = node.device
    return out


# --------------------------------------------------------------------------- NodeDef makers

def _node(op: str, name: str, inputs: Sequence[str], **attrs):
    from ortflow.proto import NodeDef

    node = NodeDef(name=name, op=op)
    node.input.extend(inputs)
    for key, value in attrs.items():
        if isinstance(value, bool):
            node.attr[key].b = value
        elif isinstance(value, int):
            node.attr[key].i = value
        elif isinstance(value, str):
            node.attr[key].s = value.encode()
        else:  # a DataType enum, wrapped so that it is not taken for an int
            node.attr[key].type = value.enum
    return node


class _Type:
    """A DataType attr value for `_node` (an int would be written as `i`)."""

    def __init__(self, enum: int):
        self.enum = int(enum)


def _function(functions: dict, node, attr: str, name: str | None = None):
    name = name or node.attr[attr].func.name
    fdef = functions.get(name)
    if fdef is None:
        raise ConversionError(f"{node.op} node {node.name!r}: its function {name!r} ({attr}) is not "
                              "in the graph's library")
    return fdef


def _data_inputs(node) -> list[str]:
    return [tensor_name(i) for i in node.input if not i.startswith("^")]


def _tie_sourceless(body: list, pivot: str) -> None:
    # Nodes without data inputs (constants) would run outside the branch or frame; a control
    # input on the pivot places them inside, as TensorFlow's own lowering does.
    for node in body:
        if not any(not i.startswith("^") for i in node.input):
            node.input.append(f"^{pivot}")


# --------------------------------------------------------------------------- If and Case

def _lower_conditional(node, functions: dict):
    args = _data_inputs(node)
    types = list(node.attr["Tin"].list.type)
    if len(types) != len(args) - 1:
        raise ConversionError(f"{node.op} node {node.name!r}: Tin lists {len(types)} types for "
                              f"{len(args) - 1} inputs")
    if node.op in _IF_OPS:
        branches = [_function(functions, node, "then_branch"), _function(functions, node, "else_branch")]
        nodes, results = _lower_if(node.name, args[0], args[1:], types, branches)
        return nodes, results
    names = [f.name for f in node.attr["branches"].list.func]
    if not names:
        raise ConversionError(f"{node.op} node {node.name!r} has no branches")
    fdefs = [_function(functions, node, "branches", n) for n in names]
    return _lower_case(node.name, args[0], args[1:], types, fdefs)


def _lower_if(prefix: str, pred: str, args: list[str], types: list, branches: list,
              extra_false: Sequence[tuple] = ()):
    """Switch/Merge form of `branches[0] if pred else branches[1]`.

    `branches[1]` may also be a callable (args -> (nodes, results)) that builds the false side
    from the false outputs of the Switches; `extra_false` are (tensor, dtype) values switched
    for it only (a Case's index).
    """
    bool_type = _Type(dtypes.bool.as_datatype_enum)
    nodes = [_node("Switch", f"{prefix}/switch_pred", [pred, pred], T=bool_type),
             _node("Identity", f"{prefix}/switch_t", [f"{prefix}/switch_pred:1"], T=bool_type),
             _node("Identity", f"{prefix}/switch_f", [f"{prefix}/switch_pred"], T=bool_type),
             _node("Identity", f"{prefix}/pred_id", [pred], T=bool_type)]
    switched = []
    for k, (arg, dtype) in enumerate(list(zip(args, types)) + list(extra_false)):
        name = f"{prefix}/input_{k}"
        nodes.append(_node("Switch", name, [arg, f"{prefix}/pred_id"], T=_Type(dtype)))
        switched.append(name)
    n = len(args)
    then_body, then_out = _inline_function(branches[0], f"{prefix}/then", [f"{s}:1" for s in switched[:n]])
    _tie_sourceless(then_body, f"{prefix}/switch_t")
    false_args = [f"{s}:0" for s in switched]
    if callable(branches[1]):
        else_body, else_out = branches[1](false_args)
    else:
        else_body, else_out = _inline_function(branches[1], f"{prefix}/else", false_args[:n])
    _tie_sourceless(else_body, f"{prefix}/switch_f")
    if len(then_out) != len(else_out):
        raise ConversionError(f"{prefix}: the branches return {len(then_out)} and {len(else_out)} values")
    nodes += then_body + else_body
    out_types = [a.type for a in branches[0].signature.output_arg]
    results = []
    for k, (a, b) in enumerate(zip(then_out, else_out)):
        name = f"{prefix}/output_{k}"
        nodes.append(_node("Merge", name, [_short(a), _short(b)], T=_Type(_arg_type(out_types, k, branches[0])),
                           N=2))
        results.append(f"{name}:0")
    return nodes, results


def _arg_type(types: list, k: int, fdef) -> int:
    if types[k]:
        return types[k]
    raise ConversionError(f"function {fdef.signature.name!r}: output {k} has no fixed type")


def _lower_case(prefix: str, index: str, args: list[str], types: list, fdefs: list):
    """A Case as nested Ifs: branch 0 when index == 0, else the Case of the rest."""
    if len(fdefs) == 1:
        body, results = _inline_function(fdefs[0], f"{prefix}/branch", args)
        return body, results
    int32 = dtypes.int32.as_datatype_enum
    zero = _node("Const", f"{prefix}/zero", [], dtype=_Type(int32))
    zero.attr["value"].tensor.dtype = int32
    zero.attr["value"].tensor.int_val.append(0)
    is_zero = _node("Equal", f"{prefix}/is_zero", [index, zero.name], T=_Type(int32))
    n = len(args)

    def rest(false_args):
        # The other branches see index - 1, so that their own test is again `== 0`; the last
        # one takes every other index, negative and out-of-range ones included.
        one = _node("Const", f"{prefix}/rest/one", [], dtype=_Type(int32))  # tied to switch_f later
        one.attr["value"].tensor.dtype = int32
        one.attr["value"].tensor.int_val.append(1)
        shifted = _node("Sub", f"{prefix}/rest/index", [false_args[n], one.name], T=_Type(int32))
        body, results = _lower_case(f"{prefix}/rest", shifted.name, false_args[:n], types, fdefs[1:])
        return [one, shifted] + body, results

    nodes, results = _lower_if(prefix, is_zero.name, args, types, [fdefs[0], rest],
                               extra_false=[(index, int32)])
    return [zero, is_zero] + nodes, results


# --------------------------------------------------------------------------- While

def _invariant_positions(body_fdef) -> set[int]:
    """Loop variables the body returns unchanged (its k-th result is its k-th argument)."""
    sig = body_fdef.signature
    out = set()
    for k, (arg, res) in enumerate(zip(sig.input_arg, sig.output_arg)):
        ret = body_fdef.ret.get(res.name, "")
        if ret.split(":")[0] == arg.name:
            out.add(k)
    return out


def _lower_while(node, functions: dict):
    cond = _function(functions, node, "cond")
    body_fdef = _function(functions, node, "body")
    args = _data_inputs(node)
    types = list(node.attr["T"].list.type)
    if len(types) != len(args) or len(body_fdef.signature.output_arg) != len(args):
        raise ConversionError(f"{node.op} node {node.name!r}: {len(args)} inputs, {len(types)} types "
                              f"and {len(body_fdef.signature.output_arg)} body results do not agree")
    prefix, frame = node.name, node.name
    parallel = int(node.attr["parallel_iterations"].i) if "parallel_iterations" in node.attr else 10
    invariant = _invariant_positions(body_fdef)
    nodes, inside, merges = [], [], {}
    for k, (arg, dtype) in enumerate(zip(args, types)):
        enter = _node("Enter", f"{prefix}/enter_{k}", [arg], T=_Type(dtype), frame_name=frame,
                      is_constant=k in invariant, parallel_iterations=parallel or 10)
        nodes.append(enter)
        if k in invariant:
            inside.append(f"{enter.name}:0")
            continue
        merge = _node("Merge", f"{prefix}/merge_{k}", [enter.name, f"{prefix}/next_{k}"], T=_Type(dtype), N=2)
        nodes.append(merge)
        merges[k] = merge.name
        inside.append(f"{merge.name}:0")
    cond_body, (cond_out,) = _inline_function(cond, f"{prefix}/cond", inside)
    nodes += cond_body
    loop_cond = _node("LoopCond", f"{prefix}/loop_cond", [_short(cond_out)])
    nodes.append(loop_cond)
    body_args, results, exits = list(inside), [], []
    for k, dtype in enumerate(types):
        if k in invariant:
            continue
        switch = _node("Switch", f"{prefix}/switch_{k}", [merges[k], loop_cond.name], T=_Type(dtype))
        identity = _node("Identity", f"{prefix}/identity_{k}", [f"{switch.name}:1"], T=_Type(dtype))
        nodes += [switch, identity]
        exits.append(_node("Exit", f"{prefix}/exit_{k}", [switch.name], T=_Type(dtype)))
        body_args[k] = identity.name + ":0"
    body, body_out = _inline_function(body_fdef, f"{prefix}/body", body_args)
    if merges:  # constants of the body join the frame through a pivot
        _tie_sourceless(body, f"{prefix}/identity_{min(merges)}")
    nodes += body
    for k, dtype in enumerate(types):
        if k in invariant:
            results.append(args[k])
            continue
        nodes.append(_node("NextIteration", f"{prefix}/next_{k}", [_short(body_out[k])], T=_Type(dtype)))
        results.append(f"{prefix}/exit_{k}:0")
    nodes += exits
    if not merges:
        raise ConversionError(f"{node.op} node {node.name!r}: every loop variable is unchanged by the "
                              "body, so the loop never ends or never runs")
    return nodes, results
