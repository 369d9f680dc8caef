"""`tf.flags` / `tf.app.flags`: command-line flags defined at module level, as absl's, without absl.

TensorFlow 1.x re-exports absl's flags; absl is not one of ortflow's dependencies, so this is
a small flags module of its own that behaves as absl's for what scripts use:

- `DEFINE_string/integer/float/boolean/bool/list/enum/multi_string/multi_integer/multi_float`
  register a flag on `FLAGS` (or on the `flag_values=` given);
- parsing takes `--name=value`, `--name value`, `-name=value`, `--bool` / `--nobool`,
  `--bool=true|false|t|f|1|0`, repeats of a multi flag, and `--` to end the flags; arguments
  that are no flags come back, after `argv[0]`, in order;
- `FLAGS(argv)` raises `UnrecognizedFlagError` on an unknown flag; `FLAGS(argv, known_only=True)`
  (what `tf.app.run` uses, as TensorFlow's does) passes unknown ones through instead;
- reading `FLAGS.name` before any parse parses `sys.argv` with `known_only=True` first, as
  TensorFlow 1.x's flags wrapper did (absl itself would raise);
- `--flagfile=PATH` reads more flags from a file, one a line (`#` and `//` lines skipped);
- `mark_flag_as_required` and `register_validator` are checked at the end of every parse.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable

__all__ = [
    "FLAGS",
    "DEFINE_bool",
    "DEFINE_boolean",
    "DEFINE_enum",
    "DEFINE_float",
    "DEFINE_integer",
    "DEFINE_list",
    "DEFINE_multi_float",
    "DEFINE_multi_integer",
    "DEFINE_multi_string",
    "DEFINE_string",
    "DuplicateFlagError",
    "Error",
    "Flag",
    "FlagValues",
    "IllegalFlagValueError",
    "UnrecognizedFlagError",
    "ValidationError",
    "mark_flag_as_required",
    "mark_flags_as_required",
    "register_validator",
]


class Error(Exception):
    """Base class of the flags errors (absl's `flags.Error`)."""


class DuplicateFlagError(Error):
    """A flag name is defined twice."""


class IllegalFlagValueError(Error):
    """A flag's value does not parse or does not validate."""


class UnrecognizedFlagError(Error):
    """The command line names a flag that is not defined."""


ValidationError = IllegalFlagValueError

_TRUE = ("true", "t", "1")
_FALSE = ("false", "f", "0")


def _parse_bool(text) -> bool:
    if isinstance(text, bool):
        return text
    lowered = str(text).lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError(f"Non-boolean argument to boolean flag: {text!r}")


class Flag:
    """One flag: its name, help, default, current value and how a command-line string parses.

    Attributes:
        value: the current value.
        default: the parsed default.
        present: how many times the last parse saw it on the command line.
    """

    def __init__(self, name: str, default, help: str, parse: Callable, kind: str = "", syntax: str = "",
                 multi: bool = False, boolean: bool = False, short_name: str | None = None):
        self.name = name
        self.short_name = short_name
        self.help = help or "(no help available)"
        self._parse_text = parse
        self.kind = kind
        self.syntax = syntax
        self.multi = multi
        self.boolean = boolean
        self.present = 0
        self.builtin = False  # absl's logging flags: a script's own definition replaces them
        self.default = self._parse_default(default)
        self.value = self._copy(self.default)

    def _copy(self, value):
        return list(value) if isinstance(value, list) else value

    def _parse_default(self, default):
        if default is None:
            return None
        try:
            if self.multi:
                items = default if isinstance(default, (list, tuple)) else [default]
                return [self._parse_text(i) for i in items]
            return self._parse_text(default)
        except ValueError as e:
            raise IllegalFlagValueError(f"flag --{self.name}={default!r}: {e}") from e

    def parse(self, text) -> None:
        """Sets the value from one command-line occurrence (multi flags append after the first)."""
        try:
            value = self._parse_text(text)
        except ValueError as e:
            raise IllegalFlagValueError(f"flag --{self.name}={text}: {e}") from e
        if self.multi:
            self.value = (self.value if self.present else []) + [value]
        else:
            self.value = value
        self.present += 1

    def reset(self) -> None:
        self.value = self._copy(self.default)
        self.present = 0

    def default_text(self) -> str:
        if self.default is None:
            return "None"
        if self.boolean:
            return "'true'" if self.default else "'false'"
        if isinstance(self.default, list):
            return repr(",".join(map(str, self.default))) if not self.multi else repr([str(v) for v in self.default])
        return repr(str(self.default))

    def __repr__(self) -> str:
        return f"<Flag --{self.name}={self.value!r}>"


class FlagValues:
    """A registry of flags; attribute access reads and writes their values (absl's `FlagValues`)."""

    def __init__(self):
        object.__setattr__(self, "_flags", {})
        object.__setattr__(self, "_short", {})
        object.__setattr__(self, "_validators", [])
        object.__setattr__(self, "_parsed", False)
        object.__setattr__(self, "_lazy", False)

    # -- registry -------------------------------------------------------------------------------
    def register(self, flag: Flag) -> Flag:
        """Adds `flag`.

        Raises:
            DuplicateFlagError: a flag of that name exists (or its `no` form clashes).
        """
        if flag.name in self._flags and not self._flags[flag.name].builtin:
            raise DuplicateFlagError(f"The flag {flag.name!r} is defined twice.")
        self._flags[flag.name] = flag
        if flag.short_name:
            self._short[flag.short_name] = flag
        return flag

    def __getitem__(self, name: str) -> Flag:
        try:
            return self._flags[name]
        except KeyError:
            raise KeyError(f"Unknown flag {name!r}") from None

    def __contains__(self, name: str) -> bool:
        return name in self._flags

    def __iter__(self):
        return iter(self._flags)

    def __len__(self) -> int:
        return len(self._flags)

    # -- values ---------------------------------------------------------------------------------
    def __getattr__(self, name: str):
        flags = object.__getattribute__(self, "_flags")
        if name not in flags:
            raise AttributeError(name)
        if not self._parsed and self._lazy:
            # TF 1.x's wrapper: the first read parses sys.argv, tolerating flags it does not know.
            self(sys.argv, known_only=True)
        return flags[name].value

    def __setattr__(self, name: str, value) -> None:
        if name not in self._flags:
            raise AttributeError(f"Setting unknown flag {name!r}; define it first with a DEFINE_* function.")
        self._flags[name].value = value

    def __delattr__(self, name: str) -> None:
        if name not in self._flags:
            raise AttributeError(name)
        del self._flags[name]

    def is_parsed(self) -> bool:
        return self._parsed

    def mark_as_parsed(self) -> None:
        object.__setattr__(self, "_parsed", True)

    def unparse_flags(self) -> None:
        """Forgets the parsed command line: every flag is back at its default."""
        for flag in self._flags.values():
            flag.reset()
        object.__setattr__(self, "_parsed", False)

    def flag_values_dict(self) -> dict:
        return {name: flag.value for name, flag in self._flags.items()}

    def get_flag_value(self, name: str, default):
        return self._flags[name].value if name in self._flags else default

    def set_default(self, name: str, value) -> None:
        """Changes a flag's default (and its value, unless the command line set it)."""
        flag = self[name]
        flag.default = flag._parse_default(value)
        if not flag.present:
            flag.value = flag._copy(flag.default)

    def _parse_flags(self, args=None):
        """TF <= 1.4 scripts call this; it parses `args` (default sys.argv) tolerating unknown flags."""
        return self(sys.argv if args is None else args, known_only=True)

    # -- parsing --------------------------------------------------------------------------------
    def __call__(self, argv: Iterable[str], known_only: bool = False) -> list[str]:
        """Parses the flags in `argv` (argv[0] is the program) and returns argv[0] + the other arguments.

        Raises:
            UnrecognizedFlagError: an unknown flag (unless `known_only`).
            IllegalFlagValueError: a value that does not parse, a missing value, a failed validator.
        """
        argv = [str(a) for a in argv]
        if not argv:
            raise ValueError("argv cannot be empty: its first item is the program name")
        for flag in self._flags.values():
            flag.present = 0
        rest = self._parse_args(list(argv[1:]), known_only)
        self.mark_as_parsed()
        self.validate_all_flags()
        return [argv[0], *rest]

    def _parse_args(self, args: list[str], known_only: bool) -> list[str]:
        rest: list[str] = []
        i = 0
        while i < len(args):
            arg = args[i]
            i += 1
            if arg == "--":
                rest.extend(["--", *args[i:]] if known_only else args[i:])
                break
            if not arg.startswith("-") or arg == "-":
                rest.append(arg)
                continue
            name, eq, value = arg.lstrip("-").partition("=")
            if name == "flagfile" and name not in self._flags:
                if not eq:
                    if i >= len(args):
                        raise IllegalFlagValueError("Missing value for flag --flagfile")
                    value, i = args[i], i + 1
                args[i:i] = _read_flagfile(value)  # its flags are parsed next, in place
                continue
            flag = self._flags.get(name) or self._short.get(name)
            if flag is not None and flag.boolean:
                flag.parse(value if eq else True)
            elif flag is not None:
                if not eq:
                    if i >= len(args):
                        raise IllegalFlagValueError(f"Missing value for flag {arg}")
                    value, i = args[i], i + 1
                flag.parse(value)
            elif name.startswith("no") and name[2:] in self._flags and self._flags[name[2:]].boolean:
                if eq:
                    raise IllegalFlagValueError(f"Boolean flag --{name} takes no value, got {arg!r}")
                self._flags[name[2:]].parse(False)
            elif known_only:
                rest.append(arg)
            else:
                raise UnrecognizedFlagError(f"Unknown command line flag {name!r}")
        return rest

    def register_validator(self, name: str, checker: Callable, message: str) -> None:
        self[name]  # raises KeyError for an unknown flag
        self._validators.append((name, checker, message))

    def validate_all_flags(self) -> None:
        """Runs every validator (required flags included).

        Raises:
            IllegalFlagValueError: naming the first flag that fails.
        """
        for name, checker, message in self._validators:
            value = self._flags[name].value
            if not checker(value):
                raise IllegalFlagValueError(f"flag --{name}={value}: {message}")

    # -- help -----------------------------------------------------------------------------------
    def get_help(self) -> str:
        """The flags' help text, absl-shaped (`--[no]name: help`, then the default)."""
        lines = []
        for name in sorted(self._flags):
            flag = self._flags[name]
            shown = f"--[no]{name}" if flag.boolean else f"--{name}"
            lines.append(f"  {shown}: {flag.help}")
            lines.append(f"    (default: {flag.default_text()})")
            if flag.syntax:
                lines.append(f"    ({flag.syntax})")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.get_help()


FLAGS = FlagValues()
object.__setattr__(FLAGS, "_lazy", True)


def _read_flagfile(path: str) -> list[str]:
    # absl's --flagfile: one flag per line; blank lines and lines starting with # or // are skipped.
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except OSError as e:
        raise IllegalFlagValueError(f"flag --flagfile={path}: cannot read it: {e.strerror}") from e
    flags = [line.strip() for line in lines]
    return [line for line in flags if line and not line.startswith(("#", "//"))]


# -- DEFINE_* -----------------------------------------------------------------------------------
def _bounds_syntax(kind: str, lower, upper) -> str:
    if lower is not None and upper is not None:
        return f"{kind} in the range [{lower}, {upper}]"
    if lower == 0:
        return f"a non-negative {kind.split()[-1]}"
    if lower is not None:
        return f"{kind} >= {lower}"
    if upper is not None:
        return f"{kind} <= {upper}"
    return kind


def _bounded(convert: Callable, lower, upper, syntax: str) -> Callable:
    def parse(text):
        value = convert(text)
        if (lower is not None and value < lower) or (upper is not None and value > upper):
            raise ValueError(f"{value} is not {syntax}")
        return value
    return parse


def _to_int(text) -> int:
    if isinstance(text, int) and not isinstance(text, bool):
        return text
    s = str(text).strip()
    base = 16 if s.lower().lstrip("+-").startswith("0x") else 10
    return int(s, base)


def _to_float(text) -> float:
    return float(text)


def _to_list(text) -> list[str]:
    if isinstance(text, (list, tuple)):
        return [str(t) for t in text]
    return [] if text == "" else [part.strip() for part in str(text).split(",")]


def DEFINE_string(name: str, default, help: str, flag_values: FlagValues = FLAGS, **kwargs) -> Flag:
    """A string flag."""
    return flag_values.register(Flag(name, default, help, str, short_name=kwargs.get("short_name")))


def DEFINE_boolean(name: str, default, help: str, flag_values: FlagValues = FLAGS, **kwargs) -> Flag:
    """A boolean flag: `--name`, `--noname`, `--name=true|false`."""
    return flag_values.register(Flag(name, default, help, _parse_bool, boolean=True,
                                     short_name=kwargs.get("short_name")))


DEFINE_bool = DEFINE_boolean


def DEFINE_integer(name: str, default, help: str, lower_bound=None, upper_bound=None,
                   flag_values: FlagValues = FLAGS, **kwargs) -> Flag:
    """An integer flag, optionally bounded."""
    syntax = _bounds_syntax("an integer", lower_bound, upper_bound)
    return flag_values.register(Flag(name, default, help, _bounded(_to_int, lower_bound, upper_bound, syntax),
                                     syntax=syntax))


def DEFINE_float(name: str, default, help: str, lower_bound=None, upper_bound=None,
                 flag_values: FlagValues = FLAGS, **kwargs) -> Flag:
    """A float flag, optionally bounded."""
    syntax = _bounds_syntax("a number", lower_bound, upper_bound)
    return flag_values.register(Flag(name, default, help, _bounded(_to_float, lower_bound, upper_bound, syntax),
                                     syntax=syntax))


def DEFINE_list(name: str, default, help: str, flag_values: FlagValues = FLAGS, **kwargs) -> Flag:
    """A comma-separated list of strings."""
    return flag_values.register(Flag(name, default, help, _to_list, syntax="a comma separated list"))


def DEFINE_enum(name: str, default, enum_values: Iterable[str], help: str, flag_values: FlagValues = FLAGS,
                case_sensitive: bool = True, **kwargs) -> Flag:
    """A string flag that must be one of `enum_values`."""
    values = list(enum_values)
    if not values:
        raise ValueError(f"enum_values of flag {name!r} cannot be empty")

    def parse(text):
        for v in values:
            if text == v or (not case_sensitive and str(text).upper() == v.upper()):
                return v
        raise ValueError(f"value should be one of <{'|'.join(values)}>")
    return flag_values.register(Flag(name, default, f"<{'|'.join(values)}>: {help}", parse))


def _define_multi(name, default, help, parse, syntax, flag_values) -> Flag:
    return flag_values.register(Flag(name, default, help, parse, syntax=syntax, multi=True))


def DEFINE_multi_string(name: str, default, help: str, flag_values: FlagValues = FLAGS, **kwargs) -> Flag:
    """A string flag that may repeat; its value is the list of occurrences."""
    return _define_multi(name, default, help, str, "repeat this option to specify a list of values", flag_values)


def DEFINE_multi_integer(name: str, default, help: str, lower_bound=None, upper_bound=None,
                         flag_values: FlagValues = FLAGS, **kwargs) -> Flag:
    """An integer flag that may repeat."""
    syntax = _bounds_syntax("an integer", lower_bound, upper_bound)
    return _define_multi(name, default, help, _bounded(_to_int, lower_bound, upper_bound, syntax),
                         f"{syntax}; repeat this option to specify a list of values", flag_values)


def DEFINE_multi_float(name: str, default, help: str, lower_bound=None, upper_bound=None,
                       flag_values: FlagValues = FLAGS, **kwargs) -> Flag:
    """A float flag that may repeat."""
    syntax = _bounds_syntax("a number", lower_bound, upper_bound)
    return _define_multi(name, default, help, _bounded(_to_float, lower_bound, upper_bound, syntax),
                         f"{syntax}; repeat this option to specify a list of values", flag_values)


def register_validator(flag_name: str, checker: Callable, message: str = "Flag validation failed",
                       flag_values: FlagValues = FLAGS) -> None:
    """Checks `checker(value)` at the end of every parse; a falsy result fails it with `message`."""
    flag_values.register_validator(flag_name, checker, message)


def mark_flag_as_required(flag_name: str, flag_values: FlagValues = FLAGS) -> None:
    """Parsing fails unless the flag ends up with a value other than None."""
    register_validator(flag_name, lambda value: value is not None,
                       f"Flag --{flag_name} must have a value other than None.", flag_values)


def mark_flags_as_required(flag_names: Iterable[str], flag_values: FlagValues = FLAGS) -> None:
    for name in flag_names:
        mark_flag_as_required(name, flag_values)


def _define_logging_flags(flag_values: FlagValues) -> None:
    # TensorFlow imports absl.logging, which defines these; TF 1.x scripts pass --logtostderr and
    # -v. Unlike absl, a script may define the same names itself (TF 1.4 scripts define log_dir).
    for flag in (Flag("verbosity", 0, "Logging verbosity level: -3 FATAL .. 0 INFO .. 1 DEBUG.", _to_int,
                      short_name="v"),
                 Flag("logtostderr", False, "Should only log to stderr?", _parse_bool, boolean=True),
                 Flag("alsologtostderr", False, "also log to stderr?", _parse_bool, boolean=True),
                 Flag("log_dir", "", "directory to write logfiles into", str),
                 Flag("stderrthreshold", "fatal", "log messages at this level, or more severe, to stderr",
                      str)):
        flag.builtin = True
        flag_values.register(flag)


_define_logging_flags(FLAGS)
