"""`ortflow run MODEL --feed NAME=FILE.npy --fetch NAME`: feed and fetch named tensors on onnxruntime.

MODEL is a frozen GraphDef (.pb/.pbtxt), a .meta (restored from --checkpoint or the checkpoint
beside it), a SavedModel directory or an .onnx file. Without -o each fetched tensor's name,
dtype, shape and a short summary are printed; with -o they are written to an .npz (keys are
the tensor names). `--feed NAME=random` feeds random values of the placeholder's shape
(unknown dims 1); `--benchmark N` times N runs after the first and prints the median.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

import numpy as np

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("model", help="frozen .pb/.pbtxt, .meta, SavedModel directory or .onnx")
    parser.add_argument("--feed", action="append", default=[], metavar="NAME=FILE",
                        help="feed tensor NAME from FILE (.npy, or .npz holding NAME), or "
                        "NAME=random; repeatable; a model with one input takes just FILE")
    parser.add_argument("--fetch", action="append", default=[], metavar="NAME",
                        help="tensor to fetch; repeatable (default: the model's outputs)")
    parser.add_argument("--checkpoint", metavar="PREFIX", help="checkpoint prefix for a .meta graph")
    parser.add_argument("--provider", choices=["auto", "cpu", "cuda"], default="auto",
                        help="onnxruntime execution provider (default auto)")
    parser.add_argument("--tag", help="SavedModel tag set, comma-separated (default serve)")
    parser.add_argument("--signature", metavar="KEY", help="SavedModel signature (default serving_default)")
    parser.add_argument("-o", "--output", metavar="OUT.npz", help="write fetched values to an .npz")
    parser.add_argument("--benchmark", type=int, metavar="N", default=0,
                        help="time N runs (after the first, which compiles) and print the median")
    parser.add_argument("--seed", type=int, default=0, help="seed for NAME=random feeds")


def _split_feed(spec: str, inputs: list[str]) -> tuple[str, str]:
    name, sep, source = spec.rpartition("=")
    if not sep and len(inputs) == 1 and (spec == "random" or os.path.isfile(spec)):
        return inputs[0], spec  # a model with one input: `--feed x.npy` needs no name
    if not sep or not name or not source:
        hint = ""
        if not sep:
            hint = (f" (no file {spec!r} either)" if len(inputs) == 1 else
                    f" (the model has {len(inputs)} inputs, so FILE alone is ambiguous)")
        raise ValueError(f"--feed {spec!r}: expected NAME=FILE.npy or NAME=random{hint}")
    return name, source


def _tensor_name(name: str) -> str:
    return name if ":" in name else f"{name}:0"


def _random_feed(session, name: str, rng: np.random.Generator) -> np.ndarray:
    from ortflow.runtime.loading import OnnxSession

    if isinstance(session, OnnxSession):
        info = session.inputs.get(_tensor_name(name)) or session.inputs.get(name)
        if info is None:
            raise ValueError(f"--feed {name}=random: the model has no input {name!r}")
        shape = [d if isinstance(d, int) and d > 0 else 1 for d in info.shape]
        kind = info.type
    else:
        tensor = session.graph.get_tensor_by_name(_tensor_name(name))
        dims = tensor.shape.as_list() if tensor.shape.rank is not None else []
        shape = [1 if d is None else d for d in dims]
        kind = tensor.dtype.base_dtype.name
    if "int" in kind:
        return rng.integers(0, 10, size=shape).astype(_numpy_kind(kind))
    if "bool" in kind:
        return rng.integers(0, 2, size=shape).astype(bool)
    if "string" in kind:  # short random words, as bytes (TF strings)
        words = [f"w{v}".encode() for v in rng.integers(0, 1000, size=int(np.prod(shape)))]
        return np.array(words, dtype=object).reshape(shape)
    return rng.standard_normal(shape).astype(_numpy_kind(kind))


def _numpy_kind(kind: str):
    for word, dtype in (("int64", np.int64), ("int32", np.int32), ("uint8", np.uint8),
                        ("double", np.float64), ("float64", np.float64), ("float16", np.float16)):
        if word in kind:
            return dtype
    return np.float32


def _load_feed(name: str, source: str) -> np.ndarray:
    try:
        data = np.load(source, allow_pickle=False)
    except (OSError, ValueError) as e:
        raise ValueError(f"--feed {name}={source}: cannot read it as .npy/.npz: {e}") from e
    if isinstance(data, np.ndarray):
        return data
    with data:
        for key in (name, _tensor_name(name), name.split(":")[0]):
            if key in data.files:
                return data[key]
        if len(data.files) == 1:
            return data[data.files[0]]
        raise ValueError(f"--feed {name}={source}: the .npz has no array {name!r}; it has {data.files}")


def _summary(value) -> str:
    array = np.asarray(value)
    if array.dtype.kind in "fc" and array.size:
        return (f"min={array.min():.6g} max={array.max():.6g} mean={array.mean():.6g}  "
                f"{np.array2string(array.reshape(-1)[:6], precision=5, separator=', ')}"
                f"{' ...' if array.size > 6 else ''}")
    return np.array2string(array.reshape(-1)[:8], separator=", ") + (" ..." if array.size > 8 else "")


def _labels(fetches: list[str], keys: dict) -> list[tuple[str, ...]]:
    """Per fetched tensor: its name, then the SavedModel signature output key that names it
    (as saved_model_cli names results) when there is one."""
    by_tensor = {}
    for key, tensor in keys.items():
        by_tensor.setdefault(_tensor_name(tensor), key)
    return [(name, by_tensor[name]) if by_tensor.get(name, name) != name else (name,) for name in fetches]


def run(args: argparse.Namespace) -> int:
    from ortflow.formats.files import atomic_writer
    from ortflow.runtime.loading import load

    session, inputs, outputs = load(args.model, checkpoint=args.checkpoint, tag=args.tag,
                                    signature=args.signature, providers=args.provider)
    rng = np.random.default_rng(args.seed)
    keys = getattr(session, "signature_keys", {})  # a SavedModel's signature keys -> tensors
    feeds = {}
    for spec in args.feed:
        name, source = _split_feed(spec, list(inputs))
        name = keys.get(name, name)
        value = _random_feed(session, name, rng) if source == "random" else _load_feed(name, source)
        feeds[_tensor_name(name)] = value
    fetches = [_tensor_name(keys.get(f, f)) for f in args.fetch] or outputs
    if not fetches:
        raise ValueError(f"{args.model}: no outputs found; name the tensors to fetch with --fetch")
    labels = _labels(fetches, keys)
    start = time.perf_counter()
    values = session.run(fetches, feed_dict=feeds)
    first = time.perf_counter() - start
    if args.output:
        with atomic_writer(args.output) as f:
            np.savez(f, **{name: np.asarray(v) for names, v in zip(labels, values) for name in names})
    else:
        for names, value in zip(labels, values):
            array = np.asarray(value)
            name = names[0] if len(names) == 1 else f"{names[1]} ({names[0]})"
            print(f"{name}  dtype={array.dtype}  shape={tuple(array.shape)}  {_summary(array)}")
    if args.benchmark > 0:
        times = []
        for _ in range(args.benchmark):
            t = time.perf_counter()
            session.run(fetches, feed_dict=feeds)
            times.append(time.perf_counter() - t)
        print(f"first run (compile + run): {first * 1e3:.2f} ms")
        print(f"median of {args.benchmark} runs: {statistics.median(times) * 1e3:.3f} ms "
              f"(backend {getattr(session, 'last_run_backend', 'onnxruntime')})")
    sys.stdout.flush()
    return 0
