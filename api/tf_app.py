"""`tf.app`: `run(main, argv)` parses the flags, then calls `main(argv)` and exits with its result."""

from __future__ import annotations

import sys
from collections.abc import Callable

from ortflow.api import tf_flags as flags

__all__ = ["flags", "run"]

_HELP_FLAGS = ("-h", "-help", "--help", "-?", "--helpshort", "--helpfull")


def _usage(program: str) -> str:
    return f"\n       USAGE: {program} [flags]\nflags:\n\n{program}:\n{flags.FLAGS.get_help()}\n"


def _wants_help(argv: list[str]) -> bool:
    for arg in argv[1:]:
        if arg == "--":
            return False
        if arg in _HELP_FLAGS and arg.lstrip("-") not in flags.FLAGS:
            return True
    return False


def _apply_verbosity() -> None:
    # absl's app.run sets the log level from --verbosity (default 0: INFO), so under tf.app.run
    # tf.logging.info shows without set_verbosity; the same here, on the "tensorflow" logger.
    from ortflow.api import tf_logging
    if "verbosity" not in flags.FLAGS or not flags.FLAGS["verbosity"].builtin:
        return
    v = flags.FLAGS.verbosity
    level = tf_logging.INFO - 10 * v if v <= 1 else tf_logging.DEBUG - (v - 1)
    tf_logging.set_verbosity(max(1, min(level, tf_logging.FATAL)))


def run(main: Callable | None = None, argv: list[str] | None = None):
    """Parses flags from `argv` (default `sys.argv`), runs `main(remaining_argv)`, exits with its result.

    As TensorFlow's `tf.compat.v1.app.run`: unknown flags are not an error, they reach `main`
    in its argv; `main` defaults to the `main` function of the `__main__` module; the logging
    level becomes INFO (or what `--verbosity` says), as absl's `app.run` sets it; `--help`
    prints the flags and exits with status 1 (absl's behaviour). A flag value that does not
    parse, or a required flag left unset, prints one line and exits with status 1.
    """
    argv = list(sys.argv if argv is None else argv)
    program = argv[0] if argv else "program"
    if _wants_help(argv):
        print(_usage(program))
        sys.exit(1)
    try:
        remaining = flags.FLAGS(argv, known_only=True)
    except flags.Error as e:
        print(f"FATAL Flags parsing error: {e}", file=sys.stderr)
        print("Pass --help to see help on flags.", file=sys.stderr)
        sys.exit(1)
    _apply_verbosity()
    if main is None:
        main = sys.modules["__main__"].main
    sys.exit(main(remaining))
