"""Makes `scripts_common` (the script loader and comparison) importable by the tests here."""

from __future__ import annotations

import importlib.util
import pathlib
import sys

_PATH = pathlib.Path(__file__).resolve().parent / "scripts_common.py"
if "scripts_common" not in sys.modules:
    _spec = importlib.util.spec_from_file_location("scripts_common", _PATH)
    _module = importlib.util.module_from_spec(_spec)
    sys.modules["scripts_common"] = _module
    _spec.loader.exec_module(_module)
