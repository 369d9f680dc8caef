"""`tf.logging`: TensorFlow 1.x's logging functions, on Python's `logging`.

Messages go to the logger named "tensorflow", as TensorFlow's do, so a script that tunes
`logging.getLogger("tensorflow")` keeps working; they print as `INFO:tensorflow:message` on
stderr. The default verbosity is the root logger's (WARNING), as in TensorFlow.
`fatal` logs at FATAL (CRITICAL) and does not exit, as TensorFlow's.

`log_every_n` / `log_first_n` count per call site (file and line), as absl's do; TensorFlow's
own versions share one counter between both functions, which no script can rely on.
"""

from __future__ import annotations

import logging as _logging
import sys

__all__ = [
    "DEBUG",
    "ERROR",
    "FATAL",
    "INFO",
    "WARN",
    "TaskLevelStatusMessage",
    "debug",
    "error",
    "fatal",
    "flush",
    "get_logger",
    "get_verbosity",
    "info",
    "log",
    "log_every_n",
    "log_first_n",
    "log_if",
    "set_verbosity",
    "vlog",
    "warn",
    "warning",
]

DEBUG = _logging.DEBUG
INFO = _logging.INFO
WARN = _logging.WARNING
ERROR = _logging.ERROR
FATAL = _logging.FATAL

_LOGGER_NAME = "tensorflow"
_counts: dict[tuple[str, int], int] = {}


def get_logger() -> _logging.Logger:
    """The "tensorflow" logger; on first use it gets a stderr handler unless logging is configured."""
    logger = _logging.getLogger(_LOGGER_NAME)
    if not logger.handlers and not _logging.getLogger().handlers:
        handler = _logging.StreamHandler(sys.stderr)
        handler.setFormatter(_logging.Formatter(_logging.BASIC_FORMAT))
        logger.addHandler(handler)
    return logger


def set_verbosity(v: int) -> None:
    """Shows messages at level `v` (DEBUG, INFO, WARN, ERROR, FATAL) and above."""
    get_logger().setLevel(v)


def get_verbosity() -> int:
    return get_logger().getEffectiveLevel()


def log(level: int, msg, *args, **kwargs) -> None:
    get_logger().log(level, msg, *args, **kwargs)


def debug(msg, *args, **kwargs) -> None:
    get_logger().debug(msg, *args, **kwargs)


def info(msg, *args, **kwargs) -> None:
    get_logger().info(msg, *args, **kwargs)


def warning(msg, *args, **kwargs) -> None:
    get_logger().warning(msg, *args, **kwargs)


warn = warning


def error(msg, *args, **kwargs) -> None:
    get_logger().error(msg, *args, **kwargs)


def fatal(msg, *args, **kwargs) -> None:
    """Logs at FATAL; unlike C++'s LOG(FATAL) it does not stop the program (neither does TensorFlow's)."""
    get_logger().fatal(msg, *args, **kwargs)


def vlog(level: int, msg, *args, **kwargs) -> None:
    get_logger().log(level, msg, *args, **kwargs)


def log_if(level: int, msg, condition, *args) -> None:
    """Logs `msg % args` at `level` when `condition` holds."""
    if condition:
        log(level, msg, *args)


def _next_count(depth: int) -> int:
    frame = sys._getframe(depth + 1)  # the caller of log_every_n / log_first_n
    site = (frame.f_code.co_filename, frame.f_lineno)
    count = _counts.get(site, -1) + 1
    _counts[site] = count
    return count


def log_every_n(level: int, msg, n: int, *args) -> None:
    """Logs on the 1st, (n+1)th, (2n+1)th... call from the same line."""
    log_if(level, msg, _next_count(1) % max(int(n), 1) == 0, *args)


def log_first_n(level: int, msg, n: int, *args) -> None:
    """Logs on the first `n` calls from the same line."""
    log_if(level, msg, _next_count(1) < n, *args)


def flush() -> None:
    for handler in get_logger().handlers:
        handler.flush()


def TaskLevelStatusMessage(msg) -> None:
    error(msg)
