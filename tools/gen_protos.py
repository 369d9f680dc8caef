"""Regenerate the committed ``proto/*_pb2.py`` modules from ``proto/*.proto``.

Usage: ``python tools/gen_protos.py`` rewrites them; ``--check`` exits 1 when they are stale.
Needs ``grpcio-tools`` (pinned in the ``test`` extra) for its bundled ``protoc``.
"""

from __future__ import annotations

import argparse
import pathlib
import shutil
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
PROTO_DIR = ROOT / "proto"


def generate(out_dir: pathlib.Path) -> dict[str, str]:
    """Runs protoc over every .proto file; returns {module file name: generated source}."""
    import grpc_tools
    from grpc_tools import protoc

    with tempfile.TemporaryDirectory() as tmp:
        src = pathlib.Path(tmp) / "src"
        pkg = src / "ortflow" / "proto"
        pkg.mkdir(parents=True)
        protos = sorted(PROTO_DIR.glob("*.proto"))
        for p in protos:
            shutil.copy(p, pkg / p.name)
        well_known = pathlib.Path(grpc_tools.__file__).parent / "_proto"
        args = ["protoc", f"-I{src}", f"-I{well_known}", f"--python_out={out_dir}"]
        args += [f"ortflow/proto/{p.name}" for p in protos]
        if protoc.main(args) != 0:
            raise SystemExit("protoc failed")
    gen = out_dir / "ortflow" / "proto"
    return {p.name: p.read_text() for p in sorted(gen.glob("*_pb2.py"))}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report stale modules")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        fresh = generate(pathlib.Path(tmp))
    stale = [n for n, text in fresh.items() if (PROTO_DIR / n).read_text() != text] if args.check else []
    if args.check:
        missing = [n for n in fresh if not (PROTO_DIR / n).exists()]
        bad = sorted(set(stale + missing))
        if bad:
            print("stale generated modules: " + ", ".join(bad), file=sys.stderr)
            return 1
        return 0
    for name, text in fresh.items():
        (PROTO_DIR / name).write_text(text)
    print(f"wrote {len(fresh)} modules to {PROTO_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
