"""`Session` and `InteractiveSession`: TensorFlow 1.x's `tf.Session`, running on onnxruntime.

Each distinct (feeds, fetches, targets) signature is lowered once (see `lowering`) into an
onnxruntime InferenceSession and cached; variable values live in the Session (`VariableState`)
and flow in as extra inputs and out as extra outputs.

Example:
    >>> sess = Session(graph=graph)                                        # doctest: +SKIP
    >>> sess.run("output:0", feed_dict={"input:0": x})                     # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Mapping
from typing import Any

import numpy as np
from ortflow.errors import (
    InternalError,
    InvalidArgumentError,
    NotFoundError,
    OpError,
    UnavailableError,
)
from ortflow.graph.sparse_tensor import SparseTensor, sparse_feed_parts
from ortflow.runtime.config import ConfigProto, make_session_options
from ortflow.runtime.lowering import (
    VARIABLE_OPS,
    GraphIndex,
    NameNotFoundError,
    SubgraphPlan,
    canonical_tensor_name,
    format_shape,
    plan_subgraph,
    split_tensor_name,
)
from ortflow.runtime.state import VariableState

__all__ = [
    "DeviceFeedCache",
    "FeedKeyError",
    "InteractiveSession",
    "Session",
    "report_uninitialized_variables",
    "resolve_providers",
]

_STRING_KIND = "O"


# -- providers --------------------------------------------------------------------------------

def resolve_providers(providers: Any = "auto") -> list[str]:
    """The onnxruntime execution providers for `providers` ('auto', 'cpu', 'cuda' or a list).

    Raises:
        UnavailableError: when CUDA is asked for and onnxruntime has no CUDAExecutionProvider.
        ValueError: for an unknown name.
    """
    import onnxruntime as ort

    available = ort.get_available_providers()
    if isinstance(providers, (list, tuple)):
        return list(providers)
    choice = (providers or "auto").lower()
    if choice == "cpu":
        return ["CPUExecutionProvider"]
    if choice == "cuda":
        if "CUDAExecutionProvider" not in available:
            raise UnavailableError(None, None, "providers='cuda' was asked for, but this onnxruntime "
                                   f"offers only {available}; install onnxruntime-gpu and make a "
                                   "CUDA device visible, or use providers='cpu'.")
        return ["CUDAExecutionProvider", "CPUExecutionProvider"]
    if choice == "auto":
        if "CUDAExecutionProvider" in available and _cuda_device_present():
            return ["CUDAExecutionProvider", "CPUExecutionProvider"]
        return ["CPUExecutionProvider"]
    raise ValueError(f"providers must be 'auto', 'cpu', 'cuda' or a list of onnxruntime "
                     f"provider names, not {providers!r}")


def _cuda_device_present() -> bool:
    import onnxruntime as ort

    try:
        get = getattr(ort, "get_device", None)
        return get is None or get().upper() == "GPU"
    except Exception:
        return False


# -- the graph behind a session ---------------------------------------------------------------

class _GraphHandle:
    """The session's graph: a Graph object (or a bare GraphDef), indexed for lowering.

    The index is rebuilt when the graph's version changes (ops were added after the session
    was made), which is checked only when a new signature is compiled.
    """

    def __init__(self, graph):
        self.graph = graph
        self._index: GraphIndex | None = None
        self._version = None

    def index(self) -> GraphIndex:
        version = getattr(self.graph, "version", None)
        if self._index is None or version is None or version != self._version:
            if hasattr(self.graph, "as_graph_def"):
                graph_def = self.graph.as_graph_def()
            else:
                graph_def = self.graph
            self._index = GraphIndex(graph_def)
            self._version = version
        return self._index

    def static_shape(self, tensor: str):
        """The static shape of `tensor` as a tuple with None dims, or None when unknown."""
        getter = getattr(self.graph, "get_tensor_by_name", None)
        if getter is not None:
            try:
                shape = getter(tensor).shape
                if shape.rank is not None:
                    return tuple(shape.as_list())
            except Exception:
                pass
        return self._declared_shape(tensor)

    def _declared_shape(self, tensor: str):
        """The shape a node declares for an output (Placeholder `shape`, `_output_shapes`)."""
        from ortflow.graph.ops.schema import shape_from_proto

        node_name, i = split_tensor_name(tensor)
        node = self.index().node(node_name)
        if node is None:
            return None
        if i == 0 and "shape" in node.attr and node.op.startswith("Placeholder"):
            return shape_from_proto(node.attr["shape"].shape)
        if "_output_shapes" in node.attr and i < len(node.attr["_output_shapes"].list.shape):
            return shape_from_proto(node.attr["_output_shapes"].list.shape[i])
        return None


def _element_name(element) -> tuple[str, str]:
    """('tensor', 'x:0') or ('op', 'x') for one fetch element (object or name)."""
    if isinstance(element, str):
        if ":" in element:
            return "tensor", canonical_tensor_name(element)
        return "op", element
    as_element = getattr(element, "_as_graph_element", None)
    if as_element is not None:
        element = as_element()
    name = getattr(element, "name", None)
    if not isinstance(name, str):
        raise TypeError(f"Fetch argument {element!r} has invalid type {type(element).__name__!r}, "
                        "must be a string or Tensor. (Can not convert a "
                        f"{type(element).__name__} into a Tensor or Operation.)")
    if hasattr(element, "value_index"):
        return "tensor", name
    if hasattr(element, "node_def") or hasattr(element, "control_inputs"):
        return "op", name
    return ("tensor", canonical_tensor_name(name)) if ":" in name else ("op", name)


def _check_graph(element, graph, what: str) -> None:
    """Raises TF's error for a Tensor or Operation built in another graph than `graph`."""
    owner = getattr(element, "graph", None)
    if graph is None or owner is None or owner is graph or not hasattr(graph, "as_graph_def"):
        return
    error = TypeError if what == "feed" else ValueError
    raise error(f"{'Cannot interpret feed_dict key' if what == 'feed' else 'Fetch argument'} "
                f"{getattr(element, 'name', element)!r}: it is not an element of this session's "
                "graph (it was built in another Graph).")


def _feed_name(key, graph=None) -> str:
    if isinstance(key, str):
        return canonical_tensor_name(key)
    as_element = getattr(key, "_as_graph_element", None)
    if as_element is not None:
        key = as_element()
    _check_graph(key, graph, "feed")
    name = getattr(key, "name", None)
    if not isinstance(name, str) or not hasattr(key, "value_index") and ":" not in name:
        raise TypeError(f"Cannot interpret feed_dict key {key!r} as a Tensor: it must be a Tensor "
                        "or a tensor name such as 'x:0'.")
    return canonical_tensor_name(name)


class FeedKeyError(NameNotFoundError, TypeError):
    """A feed_dict key naming no tensor of the graph: NotFoundError, and TypeError as in TF."""


# -- fetch structures -------------------------------------------------------------------------

class _FetchStructure:
    """Flattens a nested fetch argument to unique elements and rebuilds results into its shape.

    `graph` (the session's) is where every Tensor or Operation fetched must come from.
    """

    def __init__(self, fetches, graph=None):
        self.graph = graph
        self.elements: list[tuple[str, str]] = []
        self._slot: dict[tuple[str, str], int] = {}
        self.custom: dict[int, Any] = {}  # slot -> a session query (report_uninitialized_...)
        self.rebuild = self._compile(fetches)

    def _add(self, element) -> int:
        if isinstance(element, _SessionQuery):
            slot = len(self.elements)
            self.elements.append(("query", str(slot)))
            self.custom[slot] = element
            return slot
        as_element = getattr(element, "_as_graph_element", None)
        _check_graph(as_element() if as_element is not None else element, self.graph, "fetch")
        key = _element_name(element)
        self._check_fetchable(key)
        slot = self._slot.get(key)
        if slot is None:
            slot = self._slot[key] = len(self.elements)
            self.elements.append(key)
        return slot

    def _check_fetchable(self, key: tuple[str, str]) -> None:
        # TF: an op given to Graph.prevent_fetching (or its outputs) is no fetch.
        is_fetchable = getattr(self.graph, "is_fetchable", None)
        if is_fetchable is None:
            return
        op_name = key[1].split(":")[0] if key[0] == "tensor" else key[1]
        try:
            op = self.graph.get_operation_by_name(op_name)
        except (KeyError, ValueError):
            return  # an unknown name fails later, with its own message
        if not is_fetchable(op):
            raise ValueError(f"Operation {op_name!r} has been marked as not fetchable.")

    def _compile(self, fetch):
        if fetch is None:
            raise TypeError(f"Fetch argument {fetch!r} has invalid type {type(fetch)!r}")
        if isinstance(fetch, (list, tuple)) and not hasattr(fetch, "_fields"):
            parts = [self._compile(f) for f in fetch]
            kind = type(fetch)
            if kind is list:
                return lambda r: [p(r) for p in parts]
            if kind is tuple:
                return lambda r: tuple(p(r) for p in parts)
            return lambda r: kind(p(r) for p in parts)
        if isinstance(fetch, tuple):  # namedtuple
            parts = [self._compile(f) for f in fetch]
            return lambda r: type(fetch)(*(p(r) for p in parts))
        if isinstance(fetch, Mapping):
            items = [(k, self._compile(v)) for k, v in fetch.items()]
            kind = type(fetch)
            return lambda r: kind((k, p(r)) for k, p in items)
        compose = getattr(fetch, "_ortflow_fetch", None)
        if compose is not None:  # a composite (SparseTensor, IndexedSlices, RaggedTensor): its tensors,
            # rebuilt from their values into TF's value type (SparseTensorValue, ...)
            tensors, build = compose()
            slots = [self._add(t) for t in tensors]
            return lambda r: build([r[s] for s in slots])
        slot = self._add(fetch)
        return lambda r: r[slot]


def _structure_key(fetches):
    """A hashable key that identifies a fetch argument's structure and elements."""
    if isinstance(fetches, str):
        return fetches
    if isinstance(fetches, (list, tuple)):
        return (type(fetches),) + tuple(_structure_key(f) for f in fetches)
    if isinstance(fetches, Mapping):
        return (type(fetches),) + tuple((k, _structure_key(v)) for k, v in fetches.items())
    hash(fetches)
    return fetches


# -- runners: one compiled signature ----------------------------------------------------------

class _OrtRunner:
    """An onnxruntime InferenceSession for one signature; `run(inputs) -> [outputs]`."""

    backend = "onnxruntime"

    def __init__(self, model, input_names: list[str], output_names: list[str], providers, options,
                 log_placement: bool, complex_outputs: frozenset[int] = frozenset()):
        import onnxruntime as ort

        self.session = ort.InferenceSession(model.SerializeToString(), options, providers=providers)
        self.input_names = {i.name for i in self.session.get_inputs()}
        self.output_names = output_names
        self.providers = self.session.get_providers()
        self.on_device = "CUDAExecutionProvider" in self.providers
        self.device = "cuda" if self.on_device else "cpu"  # where bound outputs are kept
        self._run = self.session._sess.run
        self.feed_cache = DeviceFeedCache(self.device)  # used by the bound (CUDA) path only
        # The converter carries complex tensors as real (re, im) pairs in a trailing axis of 2.
        self.complex_outputs = complex_outputs
        if log_placement:
            print(f"ortflow: signature {output_names} runs on {self.providers}")

    def run(self, inputs: dict) -> list:
        for name, value in inputs.items():
            if type(value) is np.ndarray and value.dtype.kind == "c":
                inputs[name] = np.stack([value.real, value.imag], axis=-1)
            elif type(value) is np.ndarray and value.dtype.kind == "O" and value.size \
                    and isinstance(value.flat[0], bytes):  # a string state the numpy interpreter wrote
                inputs[name] = _ort_strings(value)
        if self.on_device:
            outputs = self._run_bound(inputs)
        else:
            outputs = self._run(self.output_names, inputs, None)
        for i in self.complex_outputs:
            pair = np.asarray(outputs[i] if type(outputs[i]) is np.ndarray else outputs[i].numpy())
            value = np.empty(pair.shape[:-1], np.complex64 if pair.dtype == np.float32 else np.complex128)
            value.real, value.imag = pair[..., 0], pair[..., 1]
            outputs[i] = value
        return outputs

    def _run_bound(self, inputs: dict) -> list:
        # On CUDA, variable values stay on the device as OrtValues between runs: inputs that are
        # already OrtValues are bound as they are, numpy feeds go through the feed cache (an
        # unchanged feed is not copied again), and outputs stay on the device until read.
        binding = self.session.io_binding()
        for name, value in inputs.items():
            if not isinstance(value, np.ndarray):
                binding.bind_ortvalue_input(name, value)
            elif value.dtype.kind in "OUS":  # strings live on the host in onnxruntime
                binding.bind_cpu_input(name, value)
            else:
                binding.bind_ortvalue_input(name, self.feed_cache.device_value(name, value))
        for name in self.output_names:
            binding.bind_output(name, self.device)
        self.session.run_with_iobinding(binding)
        return binding.get_outputs()


class DeviceFeedCache:
    """Device copies of numpy feeds, so that a feed repeated unchanged is not copied again.

    For each input name it keeps the last value's OrtValue on `device` and a host copy of that
    value. A new feed equal to the host copy (same dtype, shape and bytes) reuses the device
    value; anything else is copied over and replaces the entry. Comparing on the host reads
    memory at host bandwidth and launches nothing, where a copy costs a transfer and a device
    allocation; the entry's host copy costs one feed's size of memory per input.
    """

    def __init__(self, device: str, device_id: int = 0):
        self.device = device
        self.device_id = device_id
        self._entries: dict[str, tuple[np.ndarray, Any]] = {}
        self.copies = 0  # how many feeds were copied to the device (for tests and profiling)

    def device_value(self, name: str, value: np.ndarray):
        """The OrtValue on the device holding `value`, reusing the last one when it is equal."""
        entry = self._entries.get(name)
        if entry is not None:
            host, device_value = entry
            if host.dtype == value.dtype and host.shape == value.shape and np.array_equal(host, value):
                return device_value
        import onnxruntime as ort

        value = np.ascontiguousarray(value)
        device_value = ort.OrtValue.ortvalue_from_numpy(value, self.device, self.device_id)
        self._entries[name] = (value.copy(), device_value)
        self.copies += 1
        return device_value


def _complex_outputs(graph_def, outputs: list[str]) -> frozenset[int]:
    """Positions of the `outputs` (tensor names of `graph_def`) whose TF dtype is complex."""
    from ortflow.graph.ops import output_dtypes

    nodes = {n.name: n for n in graph_def.node}
    found = set()
    for i, name in enumerate(outputs):
        node_name, _, index = name.rpartition(":")
        node = nodes.get(node_name)
        try:
            if node is not None and output_dtypes(node)[int(index or 0)].is_complex:
                found.add(i)
        except Exception:
            continue
    return frozenset(found)


class _InterpreterRunner:
    """The numpy fallback for a signature onnxruntime cannot take (see `interpreter`)."""

    backend = "numpy"
    on_device = False

    def __init__(self, plan: SubgraphPlan, print_counts: dict | None = None):
        from ortflow.runtime.interpreter import Interpreter

        self.interpreter = Interpreter(plan.graph_def, plan.outputs, print_counts)
        self.input_names = set(plan.input_names)

    def run(self, inputs: dict) -> list:
        values = {k: v if isinstance(v, np.ndarray) else v.numpy() for k, v in inputs.items()}
        return self.interpreter.run(values)


class _EmptyRunner:
    backend = "none"
    on_device = False
    input_names: frozenset = frozenset()

    def run(self, inputs: dict) -> list:
        return []


# Ops whose string outputs are binary (serialized protos, encoded images and sounds).
# onnxruntime hands string tensors to Python decoded as UTF-8, which such bytes are not, so a
# signature containing one runs on the numpy interpreter instead (when it has every kernel).
_BINARY_STRING_OPS = frozenset({
    "ScalarSummary", "HistogramSummary", "ImageSummary", "AudioSummary", "AudioSummaryV2",
    "TensorSummary", "TensorSummaryV2", "MergeSummary", "SerializeTensor", "EncodePng",
    "EncodeJpeg", "EncodeWav",
})


def _onnx_node_to_tf(message: str, index: GraphIndex) -> str | None:
    """The TF node an onnxruntime error message points at (ONNX node names derive from TF's)."""
    match = re.search(r"Name:'([^']+)'", message)
    if not match:
        return None
    name = match.group(1)
    while name:
        if name in index.nodes:
            return name
        name = name.rpartition("/")[0]
    return None


# -- the plan of one (fetch structure, feed keys) pair: the fast path -------------------------

class _FeedSlot:
    __slots__ = ("is_string", "key", "last_shape", "np_dtype", "shape", "tensor")

    def __init__(self, key, tensor, np_dtype, shape):
        self.key = key
        self.tensor = tensor
        self.np_dtype = np_dtype
        self.shape = shape  # None: unknown rank (the signature then depends on the fed rank)
        self.is_string = np_dtype.kind == _STRING_KIND
        self.last_shape = None


class _Binding:
    """How one compiled signature serves a fetch structure and its feed slots."""

    def __init__(self, structure: _FetchStructure, feed_slots: list[_FeedSlot], signature):
        self.signature = signature
        plan: SubgraphPlan = signature.plan
        out_pos = {name: i for i, name in enumerate(plan.outputs)}
        input_by_tensor = {t: p for p, t in signature.feed_inputs}
        self.slot_inputs = [input_by_tensor.get(slot.tensor) for slot in feed_slots]
        self.getters = []  # per flat element: (kind, where)
        feed_index = {slot.tensor: i for i, slot in enumerate(feed_slots)}
        for kind, name in structure.elements:
            if kind == "op":
                self.getters.append(("none", None))
            elif kind == "query":
                self.getters.append(("query", structure.custom[int(name)]))
            elif name in plan.passthrough:
                source, what = plan.passthrough[name]
                self.getters.append(("feed", feed_index[what]) if source == "feed" else
                                    ("var", what) if source == "variable" else ("initialized", what))
            else:
                self.getters.append(("out", out_pos[plan.fetch_outputs[name]]))
        self.updates = [(out_pos[t], var) for t, var in plan.updates]
        kept = {pos for pos, _ in self.updates}  # results that become variable values
        # A fetched result the session keeps as a variable's value is handed out as a copy
        # (as is a variable's value), so that changing the returned array leaves the variable
        # alone, as in TF.
        self.getters = [("kept", where) if kind == "out" and where in kept else (kind, where)
                        for kind, where in self.getters]
        self.shape_checks = [(out_pos[t], var, *plan.shape_checks[t]) for t, var in plan.updates
                             if t in plan.shape_checks]


class _RunPlan:
    """Everything `run` needs for one fetch structure and one set of feed keys.

    `binding` is fixed when every fed tensor has a known rank; otherwise the signature depends
    on the ranks of the fed values (ONNX inputs need a rank) and `bindings` holds one per rank
    tuple of the `poly` slots.
    """

    def __init__(self, structure: _FetchStructure, feed_slots: list[_FeedSlot], key: tuple):
        self.structure = structure
        self.feed_slots = feed_slots
        self.key = key  # (feeds, fetches, targets) of the signature
        self.poly = [i for i, slot in enumerate(feed_slots) if slot.shape is None]
        self.binding: _Binding | None = None
        self.bindings: dict[tuple, _Binding] = {}


class _Signature:
    """A compiled (feeds, fetches, targets) signature: its plan and its runner."""

    def __init__(self, plan: SubgraphPlan, runner):
        self.plan = plan
        self.runner = runner
        used = runner.input_names
        self.feed_inputs = [(p, t) for p, t in plan.feed_inputs if p in used]
        self.variable_inputs = [(p, v) for p, v in plan.variable_inputs if p in used]
        self.init_flag_inputs = [(p, v) for p, v in plan.init_flag_inputs if p in used]
        self.effect_outputs = {t for e in plan.effects for t in (e.ran, e.condition, *e.data) if t}


# -- Session ----------------------------------------------------------------------------------

class Session:
    """A TensorFlow 1.x Session that runs graphs on onnxruntime.

    Args:
        target: accepted for compatibility; only '' (in-process) is meaningful.
        graph: the Graph to run (default: the default graph). A GraphDef is accepted too.
        config: a `ConfigProto` (threads, optimisation level, log_device_placement).
        providers: 'auto' (CUDA when onnxruntime-gpu and a GPU are present, else CPU),
            'cpu', 'cuda', or a list of onnxruntime provider names.

    Example:
        >>> with Session(graph=g) as sess:                                       # doctest: +SKIP
        ...     sess.run(init)
        ...     probs = sess.run("probs:0", feed_dict={"images:0": images})
    """

    def __init__(self, target: str = "", graph=None, config: ConfigProto | None = None,
                 providers: Any = "auto"):
        if graph is None:
            from ortflow.graph import get_default_graph

            graph = get_default_graph()
        self._graph = graph
        self._handle = _GraphHandle(graph)
        self._target = target
        self._config = config
        self._providers = resolve_providers(providers)
        self._state = VariableState()
        self._print_counts: dict[str, int] = {}  # Print op -> times printed (its first_n)
        self._plans: dict = {}
        self._signatures: dict = {}
        self._compile_lock = threading.RLock()
        self._closed = False
        self._default_stack: list = []
        self.last_run_backend: str | None = None

    # -- properties ----------------------------------------------------------------------
    @property
    def graph(self):
        """The graph this session runs."""
        return self._graph

    @property
    def graph_def(self):
        """The GraphDef of `graph`, as the session last indexed it (before ortflow's rewrites)."""
        return self._handle.index().source_graph_def

    @property
    def sess_str(self) -> str:
        """The target string given at construction."""
        return self._target

    @property
    def providers(self) -> list[str]:
        """The onnxruntime execution providers this session asks for."""
        return list(self._providers)

    # -- run -----------------------------------------------------------------------------
    def run(self, fetches, feed_dict=None, options=None, run_metadata=None):
        """Runs the ops and evaluates the tensors in `fetches`, as `tf.Session.run`.

        Args:
            fetches: a Tensor, Operation or name, or a list/tuple/namedtuple/dict nesting them.
                Tensors give numpy values, operations give None.
            feed_dict: Tensor or tensor name ('x:0', or 'x' for 'x:0') -> value. Feeding an
                intermediate tensor cuts the graph there.
            options, run_metadata: accepted and ignored.

        Returns:
            The values, in the structure of `fetches`.

        Raises:
            NotFoundError: for an unknown tensor or op name.
            InvalidArgumentError: for a missing feed, a wrong feed shape or dtype, or a failure
                inside onnxruntime (naming the TF node).
            FailedPreconditionError: when a needed variable has no value.
        """
        if self._closed:
            raise RuntimeError("Attempted to use a closed Session.")
        if getattr(self._graph, "version", None) == 0:
            raise RuntimeError("The Session graph is empty. Add operations to the graph before "
                               "calling run().")
        feeds = feed_dict if feed_dict is not None else {}
        if any(isinstance(k, SparseTensor) for k in feeds):  # one feed per component, as TF
            feeds = {k: v for key, value in feeds.items() for k, v in (
                sparse_feed_parts(key, value) if isinstance(key, SparseTensor) else [(key, value)])}
        try:
            key = (_structure_key(fetches), tuple(feeds))
            plan = self._plans.get(key)
        except TypeError:  # unhashable element: no caching for this call
            key, plan = None, None
        if plan is None:
            plan = self._make_plan(fetches, feeds)
            if key is not None:
                self._plans[key] = plan
        return self._execute(plan, feeds)

    def _make_plan(self, fetches, feeds) -> _RunPlan:
        for key in feeds:  # as TF, feed keys are checked before the fetches (another graph's: TypeError)
            _feed_name(key, self._graph)
        structure = _FetchStructure(fetches, self._graph)
        with self._compile_lock:
            index = self._handle.index()
            feed_slots = [self._feed_slot(k, index) for k in feeds]
            tensors = [n for kind, n in structure.elements if kind == "tensor"]
            targets = [n for kind, n in structure.elements if kind == "op"]
            for name in targets:
                index.check_op(name)
            key = (tuple(sorted({s.tensor for s in feed_slots})), tuple(sorted(set(tensors))),
                   tuple(sorted(set(targets))))
            plan = _RunPlan(structure, feed_slots, key)
            if not plan.poly:
                plan.binding = _Binding(structure, feed_slots, self._signature(key, {}, index))
            return plan

    def _bind_ranks(self, plan: _RunPlan, values: list) -> _Binding:
        """The binding for the ranks of the values fed to unknown-rank tensors (compiled once)."""
        ranks = tuple(len(_shape_of(values[i])) for i in plan.poly)
        binding = plan.bindings.get(ranks)
        if binding is None:
            with self._compile_lock:
                shapes = {plan.feed_slots[i].tensor: (None,) * r for i, r in zip(plan.poly, ranks)}
                signature = self._signature(plan.key, shapes, self._handle.index())
                binding = plan.bindings[ranks] = _Binding(plan.structure, plan.feed_slots, signature)
        return binding

    def _feed_slot(self, key, index: GraphIndex) -> _FeedSlot:
        tensor = _feed_name(key, self._graph)
        try:
            index.check_tensor(tensor)
        except NameNotFoundError as e:  # TF: a TypeError for a feed key it cannot interpret
            raise FeedKeyError(None, None, f"Cannot interpret feed_dict key as Tensor: {e}") from e
        is_feedable = getattr(self._graph, "is_feedable", None)
        if is_feedable is not None and not is_feedable(self._graph.get_tensor_by_name(tensor)):
            raise ValueError(f"Tensor {tensor} may not be fed.")
        dtype = index.tensor_dtype(tensor).base_dtype
        try:
            np_dtype = np.dtype(dtype.as_numpy_dtype)
        except TypeError as e:
            raise InvalidArgumentError(None, None, f"Tensor {tensor!r} of type {dtype.name} cannot "
                                       "be fed.") from e
        return _FeedSlot(key, tensor, np_dtype, self._handle.static_shape(tensor))

    def _signature(self, key: tuple, shapes: dict, index) -> _Signature:
        """The compiled signature for `key` = (feeds, fetches, targets), with `shapes` giving the
        rank-only shapes of fed tensors whose rank the graph does not know."""
        sig_key = (key, tuple(sorted(shapes.items())))
        signature = self._signatures.get(sig_key)
        if signature is None:
            static = self._handle.static_shape
            plan = plan_subgraph(index, list(key[0]), list(key[1]), list(key[2]),
                                 shape_of=lambda t: shapes[t] if t in shapes else static(t))
            signature = _Signature(plan, self._build_runner(plan))
            self._signatures[sig_key] = signature
        return signature

    def _build_runner(self, plan: SubgraphPlan):
        if plan.inline_effects:  # prints and checks in while loops, once per pass (lowering)
            return _InterpreterRunner(plan, self._print_counts)
        if plan.is_empty:
            return _EmptyRunner()
        from ortflow.runtime.interpreter import missing_kernels

        if any(n.op in _BINARY_STRING_OPS for n in plan.graph_def.node) \
                and not missing_kernels(plan.graph_def):
            return _InterpreterRunner(plan)
        from ortflow.converters import convert
        from ortflow.converters.driver import UnsupportedOpsError

        try:
            # opset None: the converter's default for this graph (capped where onnxruntime
            # lacks kernels, e.g. for random ops).
            model = convert(plan.graph_def, inputs=plan.input_names, outputs=plan.outputs)
        except UnsupportedOpsError as e:  # ops without handlers: the interpreter may run them
            self._conversion_note = str(e)
            if not missing_kernels(plan.graph_def):
                return _InterpreterRunner(plan)
            runner = self._split_runner(plan, e)
            if runner is None:
                raise
            return runner
        return self._ort_runner(model, plan.graph_def, plan.input_names, plan.outputs)

    def _ort_runner(self, model, graph_def, input_names: list[str], outputs: list[str]):
        options = make_session_options(self._config)
        log = bool(self._config is not None and self._config.log_device_placement)
        try:
            return _OrtRunner(model, input_names, outputs, self._providers, options, log,
                              _complex_outputs(graph_def, outputs))
        except OpError:
            raise
        except Exception as e:  # onnxruntime refused the converted model
            node = _onnx_node_to_tf(str(e), self._handle.index())
            where = f" (TensorFlow node {node!r})" if node else ""
            if "Exception during initialization" in str(e) and "was false" in str(e):
                # a kernel's check of constant inputs failed (e.g. integer division by a zero
                # constant): bad values, which TF reports when the op runs
                raise InvalidArgumentError(None, None, f"onnxruntime refused the values of the "
                                           f"graph lowered for fetches {outputs[:5]}{where}: {e}") from e
            raise InternalError(None, None, f"onnxruntime could not load the graph lowered for "
                                f"fetches {outputs[:5]}{where}: {e}") from e

    def _split_runner(self, plan: SubgraphPlan, error):
        """onnxruntime for what converts and numpy for the rest, or None when that cannot work.

        Used when neither backend takes the whole signature, as in `run([summaries, loss])`.
        """
        from ortflow.converters import convert
        from ortflow.runtime.interpreter import missing_kernels
        from ortflow.runtime.split import SplitRunner, split_for_host

        seeds = {name for names in error.unsupported.values() for name in names}
        seeds |= {name for _, name, _ in error.failures}
        seeds |= {n.name for n in plan.graph_def.node if n.op in _BINARY_STRING_OPS}
        split = split_for_host(plan.graph_def, plan.input_names, plan.outputs, seeds)
        if missing_kernels(split.host_graph):
            return None
        device_runner = None
        if split.device_graph is not None:
            try:
                model = convert(split.device_graph, inputs=split.device_inputs,
                                outputs=split.device_outputs)
            except Exception:
                return None
            device_runner = self._ort_runner(model, split.device_graph, split.device_inputs,
                                             split.device_outputs)
        return SplitRunner(split, device_runner)

    def _execute(self, plan: _RunPlan, feeds):
        values = [self._convert_feed(slot, feeds[slot.key]) for slot in plan.feed_slots]
        binding = plan.binding or self._bind_ranks(plan, values)
        if binding.updates:
            # A run that writes variables reads them, runs and writes them back as one step, so
            # that runs from several threads do not lose each other's updates (two assign_adds
            # reading the same old value), as TF's in-place kernels do not.
            with self._state.lock:
                return self._execute_bound(plan, binding, values)
        return self._execute_bound(plan, binding, values)

    def _execute_bound(self, plan: _RunPlan, binding: _Binding, values: list):
        signature = binding.signature
        inputs = {}
        on_device = signature.runner.on_device
        for slot, name, value in zip(plan.feed_slots, binding.slot_inputs, values):
            if name is not None:
                if slot.is_string:  # bytes, as TF holds them; _OrtRunner makes str for onnxruntime
                    value = _tf_strings(_host(value), slot.tensor)
                elif type(value) is not np.ndarray and not on_device:
                    value = value.numpy()
                inputs[name] = value
        state = self._state
        guarded = signature.plan.guarded
        for name, var in signature.variable_inputs:
            if var in guarded and var not in state:  # read only once initialized: a stand-in
                inputs[name] = _stand_in(*guarded[var])
                continue
            value = state.get(var)
            if not on_device and type(value) is not np.ndarray:  # left on a device by another run
                value = value.numpy()
            inputs[name] = value
        for name, var in signature.init_flag_inputs:
            inputs[name] = np.asarray(var in state)
        results = self._run_runner(signature, inputs)
        if signature.plan.effects:  # Print / PrintV2 / Assert ops ran: print, check
            from ortflow.runtime.effects import apply_effects

            named = {k: v for k, v in zip(signature.plan.outputs, results) if k in signature.effect_outputs}
            apply_effects(signature.plan.effects, {k: _host(v) for k, v in named.items()},
                          self._print_counts)
        if binding.updates:
            for pos, var, node, declared in binding.shape_checks:
                _check_assigned_shape(node, declared, state, var, _shape_of(results[pos]))
            state.update({var: results[pos] for pos, var in binding.updates})
        self.last_run_backend = signature.runner.backend
        flat = [self._fetched(kind, where, results, values) for kind, where in binding.getters]
        return plan.structure.rebuild(flat)

    def _run_runner(self, signature: _Signature, inputs: dict) -> list:
        try:
            results = signature.runner.run(dict(inputs))  # the ORT runner rewrites its inputs
            if not isinstance(signature.runner, _OrtRunner):
                results = _unaliased(results, inputs)
            return results
        except OpError:
            raise
        except UnicodeError as e:
            # onnxruntime holds strings as UTF-8 text: bytes that are not UTF-8 (fed or made by
            # the graph) cannot pass. The numpy interpreter holds bytes, as TF does: the
            # signature moves there when it has every kernel.
            return _unaliased(self._bytes_runner(signature, e).run(inputs), inputs)
        except Exception as e:
            node = _onnx_node_to_tf(str(e), self._handle.index())
            where = f" (TensorFlow node {node!r})" if node else ""
            raise InvalidArgumentError(None, None, f"onnxruntime failed{where}: {e}") from e

    def _bytes_runner(self, signature: _Signature, error: UnicodeError):
        """The numpy interpreter for `signature`, which from now on runs there (see
        `_run_runner`); raises InvalidArgumentError when it lacks kernels."""
        from ortflow.runtime.interpreter import missing_kernels

        missing = missing_kernels(signature.plan.graph_def)
        if signature.runner.backend != "onnxruntime" or missing:
            raise InvalidArgumentError(None, None, "A string tensor holds bytes that are not UTF-8 "
                                       f"text, which onnxruntime cannot carry ({error}), and the "
                                       f"numpy interpreter has no kernel for {sorted(missing)}.") from error
        with self._compile_lock:
            if signature.runner.backend == "onnxruntime":
                signature.runner = _InterpreterRunner(signature.plan, self._print_counts)
        return signature.runner

    def _fetched(self, kind: str, where, results: list, values: list):
        if kind == "out":
            return _as_tf_value(results[where])
        if kind == "feed":
            return _as_tf_value(values[where])
        if kind == "var":
            return _as_tf_value(np.array(self._state.get_numpy(where)))
        if kind == "kept":
            return _as_tf_value(np.array(_host(results[where])))
        if kind == "initialized":
            return np.bool_(where in self._state)
        if kind == "query":
            return where.evaluate(self)
        return None

    def _convert_feed(self, slot: _FeedSlot, value) -> np.ndarray:
        if type(value) is np.ndarray and value.dtype == slot.np_dtype:
            array = value
        elif _is_ort_value(value):  # already an onnxruntime value (e.g. on the GPU): used as is
            _check_feed_shape(slot, tuple(value.shape()))
            return value
        else:
            array = _feed_array(slot, value)
        shape = array.shape
        if shape != slot.last_shape:
            _check_feed_shape(slot, shape)
            slot.last_shape = shape
        return array

    def list_devices(self) -> list:
        """The devices this session runs on, one per onnxruntime execution provider."""
        import collections

        device = collections.namedtuple("DeviceAttributes", "name device_type memory_limit_bytes")
        kinds = {"CUDAExecutionProvider": "GPU", "CPUExecutionProvider": "CPU"}
        return [device(f"/job:localhost/replica:0/task:0/device:{kinds.get(p, p)}:0", kinds.get(p, p), 0)
                for p in self._providers]

    def partial_run_setup(self, fetches, feeds=None) -> str:
        """Starts a partial run (TF's `partial_run_setup`): returns its handle.

        `fetches` and `feeds` are every tensor (or op) later `partial_run` calls may fetch and
        feed. ortflow keeps the feeds given so far and runs each step as one `run` with all of
        them, so a step recomputes what an earlier one computed (stateful ops run again).
        """
        elements = fetches if isinstance(fetches, (list, tuple)) else [fetches]
        allowed_fetches = {_element_name(e)[1] for e in elements}
        allowed_feeds = {_feed_name(k) for k in (feeds or [])}
        with self._compile_lock:
            self._partial_runs = getattr(self, "_partial_runs", {})
            handle = f"ortflow-partial-run-{len(self._partial_runs) + 1}"
            self._partial_runs[handle] = (allowed_fetches, allowed_feeds, {})
        return handle

    def partial_run(self, handle: str, fetches, feed_dict=None):
        """One step of the partial run `handle`: feeds `feed_dict` (added to the earlier steps'
        feeds) and returns `fetches`, shaped as `run` returns them.

        Raises:
            InvalidArgumentError: an unknown handle, or a fetch or feed that
                `partial_run_setup` did not list.
        """
        state = getattr(self, "_partial_runs", {}).get(handle)
        if state is None:
            raise InvalidArgumentError(None, None, f"partial run handle {handle!r} was not made by "
                                       "partial_run_setup of this session")
        allowed_fetches, allowed_feeds, given = state
        for key, value in (feed_dict or {}).items():
            name = _feed_name(key)
            if name not in allowed_feeds:
                raise InvalidArgumentError(None, None, f"Input to feed was not specified in "
                                           f"partial_run_setup: {name}")
            given[key] = value
        elements = fetches if isinstance(fetches, (list, tuple)) else [fetches]
        for element in elements:
            name = _element_name(element)[1]
            if name not in allowed_fetches:
                raise InvalidArgumentError(None, None, f"Fetch was not specified in partial_run_setup: "
                                           f"{name}")
        return self.run(fetches, feed_dict=dict(given))

    def make_callable(self, fetches, feed_list=None, accept_options: bool = False):
        """A function running `fetches` with positional values for `feed_list`, as TF's.

        Example:
            >>> step = sess.make_callable("y:0", ["x:0"])                        # doctest: +SKIP
            >>> step(np.ones((2, 4), np.float32))                                # doctest: +SKIP
        """
        feed_list = list(feed_list or [])

        def call(*args, **kwargs):
            if len(args) != len(feed_list):
                raise TypeError(f"The callable takes {len(feed_list)} positional feed values "
                                f"({[getattr(f, 'name', f) for f in feed_list]}), got {len(args)}.")
            options = kwargs.pop("options", None) if accept_options else None
            metadata = kwargs.pop("run_metadata", None) if accept_options else None
            if kwargs:
                raise TypeError(f"Unexpected keyword arguments {sorted(kwargs)}")
            return self.run(fetches, dict(zip(feed_list, args)), options, metadata)

        return call

    # -- variables (used by Saver, freezing and the CLI) ---------------------------------
    def variable_values(self, names: list[str]) -> dict[str, np.ndarray]:
        """The current values of the variables `names` (VariableV2 / VarHandleOp op names).

        Raises:
            FailedPreconditionError: if one of them has no value.
        """
        return {name: self._state.get_numpy(name) for name in names}

    def assign_variables(self, values: dict[str, np.ndarray]) -> None:
        """Sets variables (op name -> value), converting to each variable's dtype.

        Raises:
            NotFoundError: for a name that is not a variable op of the graph.
            InvalidArgumentError: for a value whose shape the variable cannot take.
        """
        index = self._handle.index()
        converted = {}
        for name, value in values.items():
            node = index.node(name)
            if node is None or node.op not in VARIABLE_OPS:
                raise NotFoundError(None, None, f"{name!r} is not a variable of the session's graph.")
            converted[name] = _variable_value(node, value)
        self._state.update(converted)

    def uninitialized_variables(self) -> list[str]:
        """Names of the graph's variable ops that hold no value, in graph order."""
        index = self._handle.index()
        from ortflow.runtime.tables import is_table_state

        return [n.name for n in index.graph_def.node if n.op in VARIABLE_OPS and n.name not in self._state
                and is_table_state(n.name) is None]

    # -- lifecycle -----------------------------------------------------------------------
    def close(self) -> None:
        """Releases the compiled signatures and the variable values."""
        self._closed = True
        self._plans.clear()
        self._signatures.clear()
        self._state.clear()

    def __del__(self):
        with contextlib.suppress(Exception):
            self._plans.clear()

    @contextlib.contextmanager
    def as_default(self):
        """Makes this the default session (for `Tensor.eval` / `Operation.run`) in a `with`."""
        stack = _session_stack()
        stack.push(self)
        try:
            yield self
        finally:
            stack.pop(self)

    def __enter__(self) -> Session:
        graph_ctx = getattr(self._graph, "as_default", None)
        self._default_stack.append(graph_ctx() if graph_ctx is not None else contextlib.nullcontext())
        self._default_stack[-1].__enter__()
        _session_stack().push(self)
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        _session_stack().pop(self)
        self._default_stack.pop().__exit__(exc_type, exc, tb)
        self.close()


class InteractiveSession(Session):
    """A Session that makes itself (and its graph) the default when created, until `close()`."""

    def __init__(self, target: str = "", graph=None, config: ConfigProto | None = None,
                 providers: Any = "auto"):
        super().__init__(target, graph, config, providers)
        graph_ctx = getattr(self._graph, "as_default", None)
        self._graph_ctx = graph_ctx() if graph_ctx is not None else contextlib.nullcontext()
        self._graph_ctx.__enter__()
        _session_stack().push(self)
        self._installed = True

    def close(self) -> None:
        if getattr(self, "_installed", False):
            self._installed = False
            with contextlib.suppress(Exception):
                _session_stack().pop(self)
            with contextlib.suppress(Exception):
                self._graph_ctx.__exit__(None, None, None)
        super().close()


# -- helpers ----------------------------------------------------------------------------------

class _FallbackStack:
    def __init__(self):
        self.stack: list = []

    def push(self, obj) -> None:
        self.stack.append(obj)

    def pop(self, obj=None) -> None:
        if self.stack and (obj is None or self.stack[-1] is obj):
            self.stack.pop()


_fallback_stack = _FallbackStack()


def _session_stack():
    try:
        from ortflow.graph import default_session_stack
    except ImportError:
        return _fallback_stack
    return default_session_stack


def _stand_in(dtype_enum: int, shape: tuple) -> np.ndarray:
    """Zeros of a guarded uninitialized variable's dtype and shape (unknown dims 0): fed to
    satisfy the signature, never read (its init check is false)."""
    from ortflow.formats import dtypes

    dtype = dtypes.as_dtype(dtype_enum)
    return np.zeros(shape, dtype=object if dtype == dtypes.string else dtype.as_numpy_dtype)


def _unaliased(results: list, inputs: dict) -> list:
    """`results` with copies of the arrays that share memory with an input: the numpy
    interpreter's Identity hands back its input, which may be a variable's value, and a caller
    changing a fetched array must not change the variable."""
    arrays = [v for v in inputs.values() if isinstance(v, np.ndarray) and v.size]
    if not arrays:
        return results
    return [r.copy() if isinstance(r, np.ndarray) and r.size and any(np.may_share_memory(r, a) for a in arrays)
            else r for r in results]


def _shape_of(value) -> tuple:
    return value.shape if isinstance(value, np.ndarray) else tuple(value.shape())


def _is_ort_value(value) -> bool:
    return type(value).__name__ == "OrtValue" and hasattr(value, "device_name")


def _host(value):
    return value if isinstance(value, np.ndarray) else value.numpy()


def _feed_array(slot: _FeedSlot, value) -> np.ndarray:
    """Converts a feed value to the tensor's numpy dtype, as TensorFlow does.

    As in TF, a Python int the dtype cannot hold exactly is a TypeError, while floats fed to
    an integer tensor are truncated (numpy's conversion), and a graph Tensor is no feed value.
    """
    if hasattr(value, "op") and hasattr(value, "value_index"):
        raise TypeError(f"The value of a feed cannot be a Tensor object ({value!r}, fed to "
                        f"{slot.tensor!r}): feed numpy arrays, Python scalars, strings or lists; "
                        "evaluate the tensor first with sess.run.")
    if slot.is_string:
        return np.asarray(value, dtype=object)
    if isinstance(value, int) and not isinstance(value, bool) and slot.np_dtype.kind in "iu" \
            and not _holds_int(slot.np_dtype, value):
        raise TypeError(f"Type of feed value {value!r} with type {type(value)} is not compatible "
                        f"with Tensor {slot.tensor!r} of dtype {slot.np_dtype}. Try a larger type "
                        "for the fed tensor (e.g. int64).")
    try:
        return np.asarray(value, dtype=slot.np_dtype)
    except (ValueError, TypeError, OverflowError) as e:
        raise InvalidArgumentError(None, None, f"Cannot feed value {_preview(value)} of type "
                                   f"{type(value).__name__} to Tensor {slot.tensor!r} of dtype "
                                   f"{slot.np_dtype}: {e}") from e


def _holds_int(np_dtype: np.dtype, value: int) -> bool:
    """Whether the integer dtype `np_dtype` holds `value`."""
    info = np.iinfo(np_dtype)
    return info.min <= value <= info.max


def _preview(value) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _check_feed_shape(slot: _FeedSlot, shape: tuple) -> None:
    static = slot.shape
    if static is None:
        return
    if len(static) == len(shape) and all(s is None or s == d for s, d in zip(static, shape)):
        return
    raise InvalidArgumentError(None, None, f"Cannot feed value of shape {shape!r} for Tensor "
                               f"{slot.tensor!r}, which has shape {format_shape(static)!r}")


def _ort_strings(array: np.ndarray) -> np.ndarray:
    """onnxruntime takes str elements; TensorFlow users feed bytes or str."""
    flat = [v.decode("utf-8", "surrogateescape") if isinstance(v, bytes) else str(v)
            for v in array.reshape(-1)]
    return np.array(flat, dtype=object).reshape(array.shape)


def _tf_strings(array: np.ndarray, tensor: str = "") -> np.ndarray:
    """A fed string array as TensorFlow holds it: bytes elements (str fed values UTF-8 encoded).

    Raises:
        InternalError: for an element that is not bytes or str (TF's class for this feed).
    """
    flat = []
    for v in array.reshape(-1):
        if not isinstance(v, bytes):
            if not isinstance(v, str):
                raise InternalError(None, None, f"Unsupported object type {type(v).__name__} in the "
                                    f"value fed to string Tensor {tensor!r}: feed bytes or str.")
            v = v.encode("utf-8", "surrogateescape")
        flat.append(v)
    return np.array(flat, dtype=object).reshape(array.shape)


def _as_tf_value(value):
    """Results as TensorFlow returns them: numpy arrays, scalars as numpy scalars, bytes strings."""
    if not isinstance(value, np.ndarray):
        value = value.numpy()  # an OrtValue left on the device
    if value.dtype.kind in "OU":
        flat = [v.encode("utf-8", "surrogateescape") if isinstance(v, str) else v
                for v in value.reshape(-1)]
        value = np.array(flat, dtype=object).reshape(value.shape)
        return value[()] if value.ndim == 0 else value
    if value.dtype.type is not _CANONICAL_TYPES.get(value.dtype.char, value.dtype.type):
        # onnxruntime hands int64 out as C long long: equal to np.int64, but not its type, so
        # `isinstance(v, np.int64)` on a fetched scalar would be False. A view costs nothing.
        value = value.view(_CANONICAL_TYPES[value.dtype.char])
    if value.ndim == 0:
        return value[()]
    return value


# numpy dtype characters whose type is an alias of a sized integer type (long long / unsigned
# long long on LP64 platforms), mapped to the sized type TF's results carry.
_CANONICAL_TYPES = {np.dtype(np.longlong).char: np.dtype(f"i{np.dtype(np.longlong).itemsize}").type,
                    np.dtype(np.ulonglong).char: np.dtype(f"u{np.dtype(np.ulonglong).itemsize}").type}


def _check_assigned_shape(node, declared, state: VariableState, var: str, shape: tuple) -> None:
    """TF's error for an assign with validate_shape whose value's shape is not the variable's
    (its declared shape when fully known, else the shape of the value it holds)."""
    expected = declared if declared is not None else (
        _shape_of(state.get(var)) if var in state else None)
    if expected is None or tuple(expected) == tuple(shape):
        return
    if node.op == "Assign":
        text = (f"Assign requires shapes of both tensors to match. lhs shape= {list(expected)} "
                f"rhs shape= {list(shape)}")
    else:
        text = (f"Trying to assign to variable with tensor with wrong shape. Expected "
                f"{list(expected)} got {list(shape)}")
    raise InvalidArgumentError(node, None, f"{text}\n\t [[{{{{node {node.name}}}}}]] (variable {var!r})")


def _variable_value(node, value) -> np.ndarray:
    from ortflow.formats.dtypes import DType
    from ortflow.graph.ops.schema import shape_from_proto

    enum = node.attr["dtype"].type
    dtype = DType(enum - 100 if enum > 100 else enum)
    array = np.asarray(value, dtype=np.dtype(dtype.as_numpy_dtype))
    static = shape_from_proto(node.attr["shape"].shape) if "shape" in node.attr else None
    if static is not None and (len(static) != array.ndim or any(
            s is not None and s != d for s, d in zip(static, array.shape))):
        raise InvalidArgumentError(node, None, f"Assign requires shapes of both tensors to match. "
                                   f"lhs shape= {list(static)} rhs shape= {list(array.shape)} "
                                   f"(variable {node.name!r})")
    return array


# -- report_uninitialized_variables -----------------------------------------------------------

class _SessionQuery:
    """A fetchable answered by the session itself rather than by running the graph."""

    def evaluate(self, session: Session):
        raise NotImplementedError

    def eval(self, session: Session | None = None):
        """Evaluates in `session`, else in the default session."""
        if session is None:
            stack = _session_stack().stack
            if not stack:
                raise ValueError("Cannot evaluate the report: no default session is registered. "
                                 "Use `with sess.as_default()` or pass session=sess.")
            session = stack[-1]
        return self.evaluate(session)


class _UninitializedReport(_SessionQuery):
    def __init__(self, var_list):
        self.var_list = var_list

    def evaluate(self, session: Session) -> np.ndarray:
        missing = session.uninitialized_variables()
        if self.var_list is not None:
            wanted = {_variable_op_name(v) for v in self.var_list}
            missing = [m for m in missing if m in wanted]
        return np.array([m.encode() for m in missing], dtype=object)


def _variable_op_name(var) -> str:
    op = getattr(var, "op", None)
    if op is not None and isinstance(getattr(op, "name", None), str):
        return op.name
    name = getattr(var, "name", var)
    return split_tensor_name(name)[0]


def report_uninitialized_variables(var_list=None) -> _SessionQuery:
    """A fetchable listing the names (bytes) of variables without a value, as TF's op does.

    `sess.run(report_uninitialized_variables())` gives a 1-D object array of names; `var_list`
    (Variables or names) restricts the report.
    """
    return _UninitializedReport(var_list)
