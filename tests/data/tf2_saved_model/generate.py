"""Regenerates this directory: the `module` SavedModel of `tools/gen_tf2_saved_models.py`.

A `tf.Module` with variables `w` (3x2) and `b` (2,) and two signatures, `serving_default`
(x -> {"y": x @ w + b}) and `double` (x -> {"z": 2 * x @ w}), written by TF 2.21's
`tf.saved_model.save`; `inputs.npz` / `expected.npz` hold TF's feeds and outputs. Run:

    /work/venv-tf/bin/python tests/data/tf2_saved_model/generate.py
"""

from __future__ import annotations

import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

HERE = pathlib.Path(__file__).resolve().parent
TOOL = HERE.parent.parent.parent / "tools" / "gen_tf2_saved_models.py"


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, str(TOOL), tmp, "--only", "module"], check=True)
        made = pathlib.Path(tmp) / "module"
        for old in ("saved_model.pb", "fingerprint.pb", "inputs.npz", "expected.npz", "variables"):
            target = HERE / old
            if target.is_dir():
                shutil.rmtree(target)
            elif target.exists():
                target.unlink()
        for item in made.iterdir():
            if item.name != "assets":
                shutil.move(str(item), HERE / item.name)
    print(f"wrote {HERE} ({sum(p.stat().st_size for p in HERE.rglob('*') if p.is_file())} bytes)")


if __name__ == "__main__":
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    main()
