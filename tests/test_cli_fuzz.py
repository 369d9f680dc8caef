"""Damaged copies of real TensorFlow-written files through the CLI: one clear line, exit code 2.

Each case copies a fixture, damages one file (truncation, flipped bits, overwritten or zeroed
bytes, a repeated run) with a fixed seed, and runs a command on it in-process through
`ortflow.cli.main` (the subprocess tests elsewhere cover the entry point itself). A command may
succeed (the damage can fall on bytes nothing reads); when it fails, stderr must be one line
`ortflow: error: ...` that reads as a statement about the input, not a Python internals leak.
"""

from __future__ import annotations

import random
import re
import shutil

import pytest
from ortflow.cli import main

# What an unhandled Python error looks like when it reaches the one-line message.
_INTERNAL = re.compile(r"index out of range|NoneType|has no attribute|KeyError|not enough values to unpack|"
                       r"not subscriptable|unhashable|division by zero|Traceback|codec can't|"
                       r"RecursionError|MemoryError|struct\.error|invalid literal for int", re.IGNORECASE)

# (fixture folder, file to damage inside it, the path given to the command, command arguments)
_CASES = [
    ("mlp", "frozen.pb", "frozen.pb", ["inspect"]),
    ("mlp", "frozen.pb", "frozen.pb", ["convert", "-o", "{out}/m.onnx"]),
    ("mlp", "frozen.pbtxt", "frozen.pbtxt", ["run", "--feed", "x:0=random"]),
    ("mlp", "ckpt/model.ckpt-30.meta", "ckpt/model.ckpt-30.meta", ["freeze", "-o", "{out}/f.pb"]),
    ("mlp", "ckpt/model.ckpt-30.index", "ckpt/model.ckpt-30.meta", ["freeze", "-o", "{out}/f.pb"]),
    ("mlp", "ckpt/model.ckpt-30.data-00000-of-00001", "ckpt", ["inspect"]),
    ("mlp", "ckpt/checkpoint", "ckpt", ["freeze", "-o", "{out}/f.pb"]),
    ("saved_model", "saved_model/saved_model.pb", "saved_model", ["convert", "-o", "{out}/m.onnx"]),
    ("tf2_saved_model", "variables/variables.index", "", ["inspect"]),
]
_SEEDS = range(10)


def _damage(data: bytes, rng: random.Random) -> bytes:
    buf = bytearray(data)
    at = rng.randrange(len(buf))
    kind = rng.choice(["truncate", "flip", "overwrite", "zero", "repeat"])
    if kind == "truncate":
        return bytes(buf[:at])
    if kind == "flip":
        for _ in range(rng.randint(1, 8)):
            buf[rng.randrange(len(buf))] ^= 1 << rng.randrange(8)
    elif kind == "overwrite":
        for _ in range(rng.randint(1, 4)):
            buf[rng.randrange(len(buf))] = rng.randrange(256)
    elif kind == "zero":
        end = min(len(buf), at + rng.randint(1, 64))
        buf[at:end] = bytes(end - at)
    else:
        return bytes(buf[:at] + buf[at:at + 200] + buf[at:])
    return bytes(buf)


@pytest.mark.parametrize("seed", _SEEDS)
@pytest.mark.parametrize(("fixture", "damaged", "given", "args"), _CASES,
                         ids=[f"{c[3][0]}-{c[1].replace('/', '_')}" for c in _CASES])
def test_damaged_input_is_one_clear_line(data_dir, tmp_path, capsys, fixture, damaged, given, args, seed):
    work = tmp_path / "in"
    shutil.copytree(data_dir / fixture, work)
    target = work / damaged
    target.write_bytes(_damage(target.read_bytes(), random.Random(f"{fixture}/{damaged}/{seed}")))
    (tmp_path / "out").mkdir()
    argv = [args[0], str(work / given), *(a.format(out=tmp_path / "out") for a in args[1:])]
    rc = main(argv)
    err = capsys.readouterr().err
    assert rc in (0, 2), err
    if rc == 2:
        lines = err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("ortflow: error: "), err
        assert not _INTERNAL.search(lines[0]), lines[0]
        assert str(tmp_path) in lines[0], f"the message names no file: {lines[0]}"
