"""`ortflow convert`: a TensorFlow graph (frozen .pb/.pbtxt, .meta + checkpoint, SavedModel) to ONNX."""

from __future__ import annotations

import argparse
import os
import sys

__all__ = ["add_arguments", "run", "save_model"]

#: Models whose serialized size would pass this go to ONNX external data (protobuf's 2 GB cap).
EXTERNAL_DATA_THRESHOLD = 2 * 1024**3 - 64 * 1024**2

#: The model is written to a temporary name and renamed into place (readers never see half a
#: file, and a failed conversion leaves an old model as it was), but not fsync'ed: it is
#: derived data that one command rebuilds, and forcing 100 MB of ResNet50 weights to disk
#: before returning costs 0.1-0.3 s, as much as the rest of the conversion. (onnx.save and
#: tf2onnx do not sync either.)
SYNC_MODEL_FILE = False


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("input", metavar="INPUT",
                        help="frozen .pb/.pbtxt, a .meta (with --checkpoint), or a SavedModel directory")
    parser.add_argument("-o", "--output", required=True, metavar="OUT.onnx", help="where to write the model")
    parser.add_argument("--inputs", metavar="A:0[,B:0]", help="input tensors (default: the Placeholders used)")
    parser.add_argument("--outputs", metavar="C:0[,D:0]", help="output tensors (default: unconsumed nodes)")
    parser.add_argument("--opset", type=int, help="target ONNX opset (default: newest onnxruntime runs)")
    parser.add_argument("--inputs-as-nchw", metavar="A:0[,B:0]", default="",
                        help="inputs the ONNX model takes channels-first")
    parser.add_argument("--checkpoint", metavar="PREFIX", help="checkpoint prefix for a .meta graph")
    parser.add_argument("--tag", default=None, help="SavedModel tag (default: serve)")
    parser.add_argument("--signature", default=None, help="SavedModel signature (default: serving_default)")
    parser.add_argument("--check", action="store_true",
                        help="also run onnx shape inference and the full onnx.checker on the model (slower: "
                             "loads onnx), and record the inferred shapes as value_info")


def _names(text: str | None) -> list[str] | None:
    if text is None:
        return None
    return [t.strip() for t in text.split(",") if t.strip()]


def save_model(model, path: str, initializers: dict | None = None) -> int:
    """Writes `model` atomically; weights go to `<path>.data` as external data past ~2 GB.

    Args:
        model: an onnx.ModelProto, or a serialized weight-less one (`ConversionResult.model_bytes`,
            with `initializers`).
        path: the .onnx file to write.
        initializers: numpy initializers of a model converted with `weights=False`: they are
            written from the arrays' buffers after the weight-less model (see
            `_initializer_chunks`), without ever becoming protos.

    Returns:
        the number of bytes of the .onnx file.
    """
    from ortflow.formats.files import atomic_writer, write_bytes_atomic

    if initializers is not None:
        if _weight_bytes(initializers) > EXTERNAL_DATA_THRESHOLD:
            from ortflow.converters.passes_onnx import add_initializers

            if isinstance(model, bytes):
                import onnx

                model = onnx.ModelProto.FromString(model)
            add_initializers(model.graph, initializers)
            return _save_external(model, path)
        head = model if isinstance(model, bytes) else model.SerializeToString()
        chunks = _initializer_chunks(initializers)
        with atomic_writer(path, fsync=SYNC_MODEL_FILE) as f:
            f.write(head)
            for chunk in chunks:
                f.write(chunk)
        return len(head) + sum(len(memoryview(c).cast("B")) for c in chunks)
    if _weight_bytes_of_protos(model) > EXTERNAL_DATA_THRESHOLD:
        return _save_external(model, path)
    data = model.SerializeToString()
    write_bytes_atomic(path, data, fsync=SYNC_MODEL_FILE)
    return len(data)


def _weight_bytes(initializers: dict) -> int:
    return sum(a.nbytes for a in initializers.values())


def _weight_bytes_of_protos(model) -> int:
    """An upper bound of the initializers' bytes from their dims (ByteSize would encode the
    whole model to count, which costs as much as writing it)."""
    total = 0
    for tensor in model.graph.initializer:
        elements = 1
        for d in tensor.dims:
            elements *= d
        total += 16 * elements + len(tensor.name) + 64  # 16: the widest element (complex128)
    return total + 64 * len(model.graph.node)


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        bits = value & 0x7F
        value >>= 7
        if value:
            out.append(bits | 0x80)
        else:
            out.append(bits)
            return bytes(out)


def _field(number: int, wire_type: int) -> bytes:
    return _varint(number << 3 | wire_type)


# protobuf field numbers of onnx.proto: ModelProto.graph 7, GraphProto.initializer 5,
# TensorProto dims 1, data_type 2, name 8, raw_data 9
_MODEL_GRAPH, _GRAPH_INITIALIZER = _field(7, 2), _field(5, 2)
_DIMS, _DATA_TYPE, _NAME, _RAW_DATA = _field(1, 0), _field(2, 0), _field(8, 2), _field(9, 2)


def _initializer_chunks(initializers: dict) -> list:
    """The bytes that, written after a serialized ModelProto, add `initializers` to its graph.

    Protobuf merges a message field that occurs twice: a second `graph` field holding only
    `initializer` entries appends them to the graph's. Each numeric array's buffer is written
    as its tensor's raw_data as it is (no copy); other arrays go through onnx's TensorProto.
    """
    from ortflow.converters.context import _onnx_ready, initializer_protos
    from ortflow.converters.passes_onnx import raw_tensor_code

    parts: list = []
    for name, array in initializers.items():
        code = raw_tensor_code(array)
        if code is None:
            tensor = initializer_protos({name: _onnx_ready(array)})[0].SerializeToString()
            parts += [_GRAPH_INITIALIZER + _varint(len(tensor)), tensor]
            continue
        if not array.flags.c_contiguous:
            array = array.copy(order="C")  # (np.ascontiguousarray would make a 0-d array 1-d)
        encoded_name = name.encode("utf-8")
        head = b"".join([*(_DIMS + _varint(int(d)) for d in array.shape), _DATA_TYPE, _varint(code),
                         _NAME, _varint(len(encoded_name)), encoded_name,
                         _RAW_DATA, _varint(array.nbytes)])
        parts += [_GRAPH_INITIALIZER + _varint(len(head) + array.nbytes) + head,
                  memoryview(array).cast("B") if array.nbytes else b""]
    size = sum(len(p) for p in parts)
    return [_MODEL_GRAPH + _varint(size), *parts]


def _save_external(model, path: str) -> int:
    """External-data save: tensors into one data file next to the model, both written atomically."""
    from onnx.external_data_helper import convert_model_to_external_data
    from ortflow.formats.files import atomic_writer, write_bytes_atomic

    data_name = os.path.basename(path) + ".data"
    convert_model_to_external_data(model, all_tensors_to_one_file=True, location=data_name,
                                   size_threshold=1024, convert_attribute=False)
    # onnx writes the external tensors itself when saving; do it by hand to keep writes atomic
    offset = 0
    with atomic_writer(os.path.join(os.path.dirname(os.path.abspath(path)), data_name),
                       fsync=SYNC_MODEL_FILE) as f:
        for tensor in _external_tensors(model):
            raw = tensor.raw_data
            pad = (-offset) % 4096
            f.write(b"\0" * pad)
            offset += pad
            f.write(raw)
            _set_location(tensor, data_name, offset, len(raw))
            offset += len(raw)
            tensor.ClearField("raw_data")
    data = model.SerializeToString()
    write_bytes_atomic(path, data, fsync=SYNC_MODEL_FILE)
    return len(data)


def _external_tensors(model):
    from onnx.external_data_helper import _get_all_tensors, uses_external_data

    for tensor in _get_all_tensors(model):
        if uses_external_data(tensor) and tensor.HasField("raw_data"):
            yield tensor


def _set_location(tensor, location: str, offset: int, length: int) -> None:
    del tensor.external_data[:]
    for key, value in (("location", location), ("offset", str(offset)), ("length", str(length))):
        entry = tensor.external_data.add()
        entry.key, entry.value = key, value


def _one_blas_thread() -> None:
    """Asks numpy's OpenBLAS for one thread, unless the user chose a number or numpy is loaded.

    A conversion does no big linear algebra, and starting OpenBLAS's thread pool is half of
    numpy's import time (about 40 ms of a 0.3 s MobileNetV2 conversion).
    """
    if "numpy" not in sys.modules:
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def run(args: argparse.Namespace) -> int:
    _one_blas_thread()
    from ortflow.converters import UnsupportedOpsError, convert_with_report

    try:
        result = convert_with_report(args.input, inputs=_names(args.inputs), outputs=_names(args.outputs),
                                     opset=args.opset, inputs_as_nchw=_names(args.inputs_as_nchw) or (),
                                     checkpoint=args.checkpoint, tag=args.tag, signature=args.signature,
                                     weights=False, check=args.check)
    except UnsupportedOpsError as e:
        _print_unsupported(e, args.input)
        return 1
    model = result.model if result.model_bytes is None else result.model_bytes
    size = save_model(model, args.output, result.initializers)
    out = sys.stdout
    print(f"inputs:  {', '.join(result.inputs)}", file=out)
    print(f"outputs: {', '.join(result.outputs)}", file=out)
    print(f"opset {result.opset}: {result.tf_nodes} TF nodes ({result.tf_nodes_after_passes} after "
          f"TF passes) -> {result.onnx_nodes} ONNX nodes, {result.transposes} Transpose", file=out)
    print("unsupported ops: none", file=out)
    seconds = sum(result.seconds.values())
    print(f"wrote {args.output} ({size} bytes) in {seconds:.3f} s", file=out)
    _exit_now_when_main(0)
    return 0


def _exit_now_when_main(code: int) -> None:
    """Ends the process at once when it is `python -m ortflow` itself and the work is done.

    The model is written (closed and renamed) and the report printed; what is left is the
    interpreter's teardown: a last garbage collection over every object, module by module
    cleanup, freeing the weights. That costs 10-30 ms of a 0.3 s MobileNetV2 conversion and
    changes nothing outside the process, so it is skipped with `os._exit` after flushing
    stdout and stderr. Only for the `python -m ortflow` process: a caller of `cli.main` or
    `run` in its own process gets the return value as usual, and so does a run whose streams
    cannot be flushed (the normal exit path then reports it).
    """
    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    if getattr(spec, "name", None) != "ortflow.__main__":
        return
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        return
    os._exit(code)


def _print_unsupported(e, where: str) -> None:
    err = sys.stderr
    n_unsupported = sum(len(v) for v in e.unsupported.values())
    print(f"ortflow: error: {where}: cannot convert: {n_unsupported} node(s) without a handler, "
          f"{len(e.failures)} failed", file=err)
    for op, names in sorted(e.unsupported.items()):
        shown = ", ".join(names[:10]) + (f", ... ({len(names) - 10} more)" if len(names) > 10 else "")
        print(f"  unsupported {op} x{len(names)}: {shown}", file=err)
    for op, name, message in e.failures:
        print(f"  failed {op} {name!r}: {message}", file=err)
