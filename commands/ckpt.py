"""`ortflow ckpt export|import`: checkpoint tensors to and from `.npz`; checkpoint inspection.

The `.npz` holds no pickles. Numeric tensors are stored under their own names; string tensors
as their concatenated bytes (uint8) under their name plus their lengths (int64, in the tensor's
shape) under `__ortflow__/lengths/<name>`; bfloat16 and the float8 types as their raw bits
(uint8/uint16). A JSON manifest under `__ortflow__/manifest` (uint8 bytes) records each
tensor's TensorFlow dtype and encoding, so the round trip is exact, empty strings and arbitrary
bytes included. An `.npz` written by plain numpy (no manifest) imports too: numeric arrays as
they are, `S` arrays as bytes, `U` arrays as UTF-8.

`is_checkpoint` and `inspect_checkpoint` serve `ortflow inspect`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import zipfile

import numpy as np
from ortflow.errors import FormatError
from ortflow.formats import checkpoint_management as cm
from ortflow.formats import dtypes
from ortflow.formats import state as state_file
from ortflow.formats.bundle import BundleWriter
from ortflow.formats.checkpoint_v1 import open_checkpoint
from ortflow.formats.files import atomic_writer

__all__ = [
    "add_arguments",
    "export_npz",
    "import_npz",
    "inspect_checkpoint",
    "is_checkpoint",
    "run",
]

_META = "__ortflow__/"
_MANIFEST = _META + "manifest"
_LENGTHS = _META + "lengths/"
_FORMAT_VERSION = 1


# --------------------------------------------------------------------------- CLI wiring


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    exp = sub.add_parser("export", help="write every tensor of a checkpoint into an .npz file")
    exp.add_argument("checkpoint", help="checkpoint prefix, or a directory with a 'checkpoint' file")
    exp.add_argument("-o", "--output", required=True, help="the .npz file to write")
    exp.add_argument("--no-verify", action="store_true", help="skip crc32c checks while reading")
    imp = sub.add_parser("import", help="write the arrays of an .npz file as a checkpoint")
    imp.add_argument("npz", help="the .npz file (from 'ortflow ckpt export' or numpy.savez)")
    imp.add_argument("-o", "--output", required=True, help="checkpoint prefix to write")
    imp.add_argument("--num-shards", type=int, default=1, help="number of data files (default 1)")
    imp.add_argument("--no-state", action="store_true", help="do not update the directory's 'checkpoint' file")


def run(args: argparse.Namespace) -> int:
    if args.action == "export":
        count = export_npz(args.checkpoint, args.output, verify_checksums=not args.no_verify)
        print(f"wrote {count} tensors to {args.output}", file=sys.stderr)
    else:
        count = import_npz(args.npz, args.output, num_shards=args.num_shards, write_state=not args.no_state)
        print(f"wrote {count} tensors to checkpoint {args.output}", file=sys.stderr)
    return 0


class _Progress:
    """A one-line progress bar on stderr, shown only when stderr is a terminal."""

    def __init__(self, total: int, label: str):
        self.total, self.label, self.done = total, label, 0
        self.enabled = sys.stderr.isatty() and total > 0

    def step(self, name: str) -> None:
        self.done += 1
        if self.enabled:
            width = 30
            filled = width * self.done // self.total
            sys.stderr.write(f"\r{self.label} [{'#' * filled}{'.' * (width - filled)}] "
                             f"{self.done}/{self.total} {name[:40]:<40}")
            sys.stderr.flush()

    def close(self) -> None:
        if self.enabled:
            sys.stderr.write("\n")
            sys.stderr.flush()


# --------------------------------------------------------------------------- export / import


def _encode(name: str, value: np.ndarray, dtype: dtypes.DType) -> tuple[dict[str, np.ndarray], dict]:
    if dtype == dtypes.string:
        items = value.reshape(-1).tolist()
        blob = np.frombuffer(b"".join(items), dtype=np.uint8)
        lengths = np.array([len(x) for x in items], dtype=np.int64).reshape(value.shape)
        return {name: blob, _LENGTHS + name: lengths}, {"dtype": "string", "encoding": "string"}
    if value.dtype.type.__module__.startswith("ml_dtypes"):  # numpy cannot load these without pickle
        bits = value.view(np.dtype(f"u{value.dtype.itemsize}"))
        return {name: bits}, {"dtype": dtype.name, "encoding": "bits"}
    return {name: value}, {"dtype": dtype.name, "encoding": "raw"}


def export_npz(checkpoint: str, output: str, *, verify_checksums: bool = True) -> int:
    """Writes every tensor of `checkpoint` (prefix or directory) to the `.npz` file `output`.

    Returns:
        The number of tensors written.
    """
    prefix = cm.resolve_checkpoint(checkpoint)
    with open_checkpoint(prefix, verify_checksums=verify_checksums) as reader:
        names = reader.tensor_names()
        clash = [n for n in names if n.startswith(_META)]
        if clash:
            raise FormatError(f"{prefix}: tensor name {clash[0]!r} collides with the npz's reserved "
                              f"{_META!r} names")
        manifest = {"format": "ortflow-ckpt-npz", "version": _FORMAT_VERSION, "tensors": {}}
        progress = _Progress(len(names), "export")
        with atomic_writer(output, fsync=False) as f, \
                zipfile.ZipFile(f, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
            for name in names:
                arrays, info = _encode(name, reader.get_tensor(name), reader.dtype(name))
                for key, arr in arrays.items():
                    with zf.open(key + ".npy", "w", force_zip64=True) as member:
                        np.lib.format.write_array(member, np.asanyarray(arr), allow_pickle=False)
                manifest["tensors"][name] = info
                progress.step(name)
            blob = np.frombuffer(json.dumps(manifest, sort_keys=True).encode("utf-8"), dtype=np.uint8)
            with zf.open(_MANIFEST + ".npy", "w") as member:
                np.lib.format.write_array(member, blob, allow_pickle=False)
        progress.close()
    return len(names)


def _decode(npz, name: str, info: dict | None, path: str):
    arr = npz[name]
    if info is None:
        if arr.dtype.kind == "S":
            return arr.astype(object)
        if arr.dtype.kind == "U":
            return np.vectorize(lambda s: s.encode("utf-8"), otypes=[object])(arr) if arr.size else \
                np.empty(arr.shape, dtype=object)
        return arr
    encoding = info.get("encoding")
    if encoding == "raw":
        return arr
    if encoding == "bits":
        return arr.view(dtypes.as_dtype(info["dtype"]).as_numpy_dtype)
    if encoding == "string":
        lengths = npz[_LENGTHS + name]
        flat = lengths.reshape(-1)
        if flat.size and (flat.min() < 0 or int(flat.sum()) != arr.size):
            raise FormatError(f"{path}: string tensor {name!r}: its lengths do not add up to its "
                              f"{arr.size} bytes")
        blob = arr.tobytes()
        ends = np.cumsum(flat).tolist()
        starts = [0] + ends[:-1]
        out = np.empty(flat.size, dtype=object)
        out[:] = [blob[s:e] for s, e in zip(starts, ends)]
        return out.reshape(lengths.shape)
    raise FormatError(f"{path}: tensor {name!r} has unknown encoding {encoding!r}")


def import_npz(npz_path: str, prefix: str, *, num_shards: int = 1, write_state: bool = True) -> int:
    """Writes the arrays of `npz_path` as a checkpoint at `prefix`; returns the tensor count."""
    try:
        npz = np.load(npz_path, allow_pickle=False)
    except FileNotFoundError as e:
        raise FormatError(f"{npz_path}: no such file") from e
    except (ValueError, OSError, zipfile.BadZipFile) as e:
        raise FormatError(f"{npz_path}: not a readable .npz file: {e}") from e
    with npz:
        manifest = {}
        if _MANIFEST in npz.files:
            try:
                manifest = json.loads(npz[_MANIFEST].tobytes().decode("utf-8"))["tensors"]
            except (ValueError, KeyError, TypeError) as e:
                raise FormatError(f"{npz_path}: its ortflow manifest does not parse: {e}") from e
        names = sorted(n for n in npz.files if not n.startswith(_META))
        progress = _Progress(len(names), "import")
        try:
            with BundleWriter(prefix, num_shards=num_shards) as writer:
                for name in names:
                    try:
                        writer.add(name, _decode(npz, name, manifest.get(name), npz_path))
                    except (ValueError, TypeError) as e:
                        if isinstance(e, FormatError):
                            raise
                        raise FormatError(f"{npz_path}: array {name!r} cannot be stored: {e}") from e
                    progress.step(name)
        finally:
            progress.close()
    if write_state:
        cm.add_to_checkpoint_state(prefix)
    return len(names)


# --------------------------------------------------------------------------- inspect


def is_checkpoint(path: str) -> bool:
    """Whether `path` names a checkpoint: a prefix with `.index`, an `.index` file, a V1
    checkpoint file, or a directory holding a `checkpoint` state file."""
    path = os.fspath(path)
    if os.path.isdir(path):
        return os.path.isfile(state_file.state_path(path))
    return os.path.isfile(path + ".index") or (path.endswith(".index") and os.path.isfile(path)) \
        or bool(cm.v1_checkpoint_files(path))


def _json_value(value: np.ndarray):
    if value.dtype == object:
        return np.vectorize(lambda b: b.decode("utf-8", "backslashreplace"), otypes=[object])(value).tolist() \
            if value.size else value.tolist()
    if value.dtype.kind == "c":
        return np.stack([value.real, value.imag], axis=-1).tolist()
    if value.dtype.type.__module__.startswith("ml_dtypes"):
        return value.astype(np.float64).tolist()
    return value.tolist()


def inspect_checkpoint(path: str, as_json: bool = False, tensor: str | None = None) -> int:
    """Prints every tensor's name, dtype, shape and size (or one tensor's values); returns 0.

    Raises:
        NotFoundError: no checkpoint at `path`, or no tensor named `tensor`.
        FormatError: the checkpoint is malformed.
    """
    prefix = cm.resolve_checkpoint(path)
    with open_checkpoint(prefix) as reader:
        rows = [{"name": n, "dtype": reader.dtype(n).name, "shape": list(reader.shape(n)),
                 "size": reader.nbytes(n)} for n in reader.tensor_names()]
        slice_keys = reader.get_slice_keys()
        for row in rows:
            slices = slice_keys.get(row["name"])
            if slices:
                row["slices"] = slices
        value = reader.get_tensor(tensor) if tensor is not None else None
        if as_json:
            doc = {"kind": "checkpoint", "path": path, "prefix": prefix, "num_shards": reader.num_shards,
                   "tensors": rows}
            if tensor is not None:
                doc["tensor"] = {"name": tensor, "dtype": reader.dtype(tensor).name,
                                 "shape": list(value.shape), "values": _json_value(value)}
            print(json.dumps(doc, indent=1))
            return 0
        if tensor is not None:
            print(f"tensor_name:  {tensor}")
            print(f"dtype: {reader.dtype(tensor).name}  shape: {list(value.shape)}")
            with np.printoptions(threshold=1000):
                print(value)
            return 0
        _print_table(prefix, reader.num_shards, rows)
    return 0


def _print_table(prefix: str, num_shards: int, rows: list[dict]) -> None:
    total = sum(r["size"] for r in rows)
    print(f"checkpoint: {prefix}  ({len(rows)} tensors, {total} bytes, {num_shards} data file"
          f"{'s' if num_shards != 1 else ''})")
    width = max([len(r["name"]) for r in rows] + [4])
    print(f"{'name':<{width}}  {'dtype':<10}  {'shape':<16}  size")
    for r in rows:
        shape = "[" + ",".join(map(str, r["shape"])) + "]"
        extra = f"  ({len(r['slices'])} slices)" if r.get("slices") else ""
        print(f"{r['name']:<{width}}  {r['dtype']:<10}  {shape:<16}  {r['size']}{extra}")
