"""The `ortflow` command line: `inspect | freeze | convert | run | ckpt | tensorboard`.

Each subcommand lives in `ortflow.commands.<name>` with `add_arguments(parser)` and
`run(args) -> int`; this module only dispatches and turns errors into one line on stderr
(exit code 2), with the traceback under `--debug`.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import traceback
import warnings

__all__ = ["main"]

# subcommand -> (module, one-line help). Modules are imported only when their command runs,
# so `ortflow inspect` does not pay for onnxruntime.
COMMANDS: dict[str, tuple[str, str]] = {
    "inspect": ("ortflow.commands.inspect", "describe a graph, meta graph, SavedModel or checkpoint"),
    "freeze": ("ortflow.commands.freeze", "fold variables from a checkpoint into a frozen GraphDef"),
    "convert": ("ortflow.commands.convert", "convert a TensorFlow graph to ONNX"),
    "run": ("ortflow.commands.run", "feed and fetch named tensors on onnxruntime"),
    "ckpt": ("ortflow.commands.ckpt", "move checkpoint tensors to and from .npz"),
    "tensorboard": ("ortflow.commands.tensorboard", "write a graph into an event file for TensorBoard"),
}


def _build_parser(argv: list[str]) -> tuple[argparse.ArgumentParser, object | None]:
    parser = argparse.ArgumentParser(prog="ortflow", description=__doc__.splitlines()[0])
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    chosen = next((a for a in argv if not a.startswith("-")), None)
    module = None
    for name, (mod_name, help_text) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                       help="show tracebacks on errors")
        if name == chosen:
            module = importlib.import_module(mod_name)
            module.add_arguments(p)
    return parser, module


def _one_line_warning(message, category, filename, lineno, file=None, line=None) -> str:
    # Warnings (e.g. a `checkpoint` file naming paths from another machine) are for people:
    # one line each, without the source line Python shows by default.
    return f"ortflow: warning: {' '.join(str(message).split())}\n"


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv
    if not debug:
        warnings.formatwarning = _one_line_warning
        warnings.simplefilter("once")
    args = None
    try:
        parser, module = _build_parser(argv)
        args = parser.parse_args(argv)
        if module is None:
            parser.print_help(sys.stderr)
            return 2
        return int(module.run(args) or 0)
    except KeyboardInterrupt:
        print("ortflow: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except SystemExit:
        raise
    except Exception as e:
        if debug:
            traceback.print_exc()
        message = " ".join(str(e).split()) or type(e).__name__
        print(f"ortflow: error: {_naming_the_file(message, args)}", file=sys.stderr)
        return 2


def _naming_the_file(message: str, args) -> str:
    """`message`, prefixed with the command's input file when it does not name it already (an
    error deep in a graph, such as a node's missing function, says which node but not which file)."""
    path = getattr(args, "input", None) or getattr(args, "model", None)
    if path is None and getattr(args, "paths", None):
        path = args.paths[0]
    if path is None or not isinstance(path, str):
        return message
    shown = path.rstrip("/")
    if shown in message or os.path.basename(shown) in message:
        return message
    head = message.split(": ", 1)[0]
    if os.sep in head and os.path.exists(head):  # it names another file already (a checkpoint's index)
        return message
    return f"{shown}: {message}"


if __name__ == "__main__":
    sys.exit(main())
