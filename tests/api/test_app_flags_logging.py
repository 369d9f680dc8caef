"""`tf.app.run`, `tf.flags` and `tf.logging`: parsing in-process, and whole scripts in real subprocesses.

The interop test runs the same script under TensorFlow (`tensorflow.compat.v1`) and under
ortflow and compares what `main` saw and what was logged.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import ortflow as tf
import pytest
from ortflow.api import tf_flags as flags

SCRIPT = textwrap.dedent('''
    import json, os, sys
    if os.environ.get("WHICH") == "tf":
        import tensorflow.compat.v1 as tf
    else:
        import ortflow as tf
    tf.flags.DEFINE_string("name", "bob", "a name")
    tf.app.flags.DEFINE_integer("n", 3, "a count", lower_bound=0)
    tf.flags.DEFINE_float("lr", 0.1, "a rate")
    tf.flags.DEFINE_boolean("verbose", False, "talk")
    tf.flags.DEFINE_bool("fast", True, "go fast")
    tf.flags.DEFINE_list("items", "a,b", "some items")
    tf.flags.DEFINE_enum("mode", "train", ["train", "eval"], "the mode")
    tf.flags.DEFINE_multi_string("tag", None, "tags")
    tf.flags.DEFINE_string("req", None, "a required flag")
    tf.flags.mark_flag_as_required("req")
    FLAGS = tf.flags.FLAGS

    def main(argv):
        names = ["name", "n", "lr", "verbose", "fast", "items", "mode", "tag", "req"]
        print(json.dumps({"argv": argv[1:], "flags": {k: getattr(FLAGS, k) for k in names}}))
        sys.stdout.flush()
        tf.logging.warning("warn %d", 1)
        tf.logging.info("info under app.run")
        tf.logging.set_verbosity(tf.logging.INFO)
        tf.logging.info("info %s", "shown")
        tf.logging.debug("hidden debug")
        for i in range(5):
            tf.logging.log_every_n(tf.logging.INFO, "every %d", 2, i)
        tf.logging.error("verbosity %d", tf.logging.get_verbosity())
        tf.logging.fatal("fatal does not exit")
        return int(os.environ.get("EXIT", "0"))

    if __name__ == "__main__":
        tf.app.run(main)
''')

ARGS = ["pos1", "--req=r", "--logtostderr", "--name=al", "--n", "5", "--noverbose", "--verbose", "--nofast", "--items=x,y,z",
        "--mode", "eval", "--tag", "a", "--tag=b", "-lr=0.5", "--unknown=1", "pos2"]


def _run_script(tmp_path, *args, which="ortflow", exit_code=0):
    script = tmp_path / "script.py"
    script.write_text(SCRIPT)
    env = dict(os.environ, WHICH=which, EXIT=str(exit_code), TF_CPP_MIN_LOG_LEVEL="3")
    return subprocess.run([sys.executable, str(script), *args], capture_output=True, text=True, check=False, env=env,
                          timeout=120)


def _logged(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ":tensorflow:" in line]


# -- whole scripts, in subprocesses ---------------------------------------------------------------
def test_app_run_parses_flags_and_passes_the_rest_to_main(tmp_path):
    proc = _run_script(tmp_path, *ARGS, exit_code=3)
    assert proc.returncode == 3, proc.stderr  # main's return value is the exit status
    seen = json.loads(proc.stdout.splitlines()[0])
    assert seen == {"argv": ["pos1", "--unknown=1", "pos2"],
                    "flags": {"name": "al", "n": 5, "lr": 0.5, "verbose": True, "fast": False,
                              "items": ["x", "y", "z"], "mode": "eval", "tag": ["a", "b"], "req": "r"}}
    assert _logged(proc.stderr) == [
        "WARNING:tensorflow:warn 1", "INFO:tensorflow:info under app.run", "INFO:tensorflow:info shown", "INFO:tensorflow:every 0",
        "INFO:tensorflow:every 2", "INFO:tensorflow:every 4", "ERROR:tensorflow:verbosity 20",
        "CRITICAL:tensorflow:fatal does not exit"]


@pytest.mark.parametrize("args, message", [
    (["--req=r", "--n=x"], "flag --n=x: invalid literal for int()"),
    (["--req=r", "--n=-1"], "flag --n=-1: -1 is not a non-negative integer"),
    (["--req=r", "--mode=zzz"], "flag --mode=zzz: value should be one of <train|eval>"),
    (["--req=r", "--verbose=yes"], "Non-boolean argument to boolean flag"),
    ([], "flag --req=None: Flag --req must have a value other than None."),
    (["--req"], "Missing value for flag --req"),
])
def test_app_run_reports_a_bad_command_line_in_one_line(tmp_path, args, message):
    proc = _run_script(tmp_path, *args)
    assert proc.returncode == 1
    assert proc.stdout == ""
    first = proc.stderr.splitlines()[0]
    assert first.startswith("FATAL Flags parsing error: ") and message in first, proc.stderr
    assert "Traceback" not in proc.stderr


def test_verbosity_flag_sets_the_level_and_scripts_may_define_log_dir(tmp_path):
    proc = _run_script(tmp_path, "--req=r", "--verbosity=-1")
    assert _logged(proc.stderr)[:2] == ["WARNING:tensorflow:warn 1", "INFO:tensorflow:info shown"]
    fv = flags.FlagValues()
    flags._define_logging_flags(fv)
    flags.DEFINE_string("log_dir", "/tmp/logs", "a TF 1.4 script's own flag", flag_values=fv)
    assert fv(["prog", "--log_dir=x", "-v", "1", "--logtostderr"]) == ["prog"]
    assert (fv.log_dir, fv.verbosity, fv.logtostderr) == ("x", 1, True)


def test_help_lists_the_flags_and_exits_1_as_absl(tmp_path):
    proc = _run_script(tmp_path, "--help")
    assert proc.returncode == 1
    assert "USAGE:" in proc.stdout and "--[no]verbose: talk" in proc.stdout
    assert "--mode: <train|eval>: the mode" in proc.stdout and "(default: 'a,b')" in proc.stdout


def test_flags_read_before_any_parse_parse_sys_argv(tmp_path):
    script = tmp_path / "lazy.py"
    script.write_text("import ortflow as tf\n"
                      "tf.flags.DEFINE_integer('steps', 1, 'steps')\n"
                      "print(tf.flags.FLAGS.steps, tf.flags.FLAGS.is_parsed())\n")
    proc = subprocess.run([sys.executable, str(script), "--steps=7", "--other", "x"], capture_output=True,
                          text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["7", "True"]


@pytest.mark.interop
def test_the_script_sees_the_same_under_tensorflow(tf, tmp_path):
    ours = _run_script(tmp_path, *ARGS, which="ortflow", exit_code=3)
    theirs = _run_script(tmp_path, *ARGS, which="tf", exit_code=3)
    assert (ours.returncode, theirs.returncode) == (3, 3), theirs.stderr
    assert json.loads(ours.stdout.splitlines()[0]) == json.loads(theirs.stdout.splitlines()[0])
    assert _logged(ours.stderr) == _logged(theirs.stderr)
    ours = _run_script(tmp_path, "--req=r", "--", "--name=z", which="ortflow")
    theirs = _run_script(tmp_path, "--req=r", "--", "--name=z", which="tf")
    assert json.loads(ours.stdout.splitlines()[0]) == json.loads(theirs.stdout.splitlines()[0])
    for bad in (["--req=r", "--n=x"], []):
        assert _run_script(tmp_path, *bad, which="tf").returncode == _run_script(tmp_path, *bad).returncode == 1


# -- flags, in-process ----------------------------------------------------------------------------
def _values():
    fv = flags.FlagValues()
    flags.DEFINE_string("s", "d", "a string", flag_values=fv)
    flags.DEFINE_boolean("b", True, "a bool", flag_values=fv)
    flags.DEFINE_integer("i", 0, "an int", lower_bound=-1, upper_bound=9, flag_values=fv)
    flags.DEFINE_multi_integer("m", [1], "ints", flag_values=fv)
    flags.DEFINE_enum("e", "A", ["A", "B"], "an enum", case_sensitive=False, flag_values=fv)
    return fv


def test_flag_values_parse_and_reset():
    fv = _values()
    assert fv(["prog", "x", "--s", "v", "--b=false", "-i=0x3", "--m=4", "--m", "5", "--e=b"]) == ["prog", "x"]
    assert fv.flag_values_dict() == {"s": "v", "b": False, "i": 3, "m": [4, 5], "e": "B"}
    assert fv.is_parsed() and fv["m"].present == 2
    fv.s = "set"
    assert fv.s == "set"
    fv.unparse_flags()
    assert fv.flag_values_dict() == {"s": "d", "b": True, "i": 0, "m": [1], "e": "A"} and not fv.is_parsed()
    assert fv(["prog", "--b", "--", "--s=z"]) == ["prog", "--s=z"]
    assert fv(["prog", "--b", "--", "--s=z"], known_only=True) == ["prog", "--", "--s=z"]


def test_flag_errors():
    fv = _values()
    with pytest.raises(flags.UnrecognizedFlagError, match="Unknown command line flag 'nope'"):
        fv(["prog", "--nope=1"])
    with pytest.raises(flags.IllegalFlagValueError, match="is not an integer in the range"):
        fv(["prog", "--i=10"])
    with pytest.raises(flags.IllegalFlagValueError, match="takes no value"):
        fv(["prog", "--nob=1"])
    with pytest.raises(flags.DuplicateFlagError, match="'s' is defined twice"):
        flags.DEFINE_string("s", "", "again", flag_values=fv)
    with pytest.raises(AttributeError, match="define it first"):
        fv.unknown = 1
    flags.register_validator("i", lambda v: v % 2 == 0, "must be even", flag_values=fv)
    with pytest.raises(flags.IllegalFlagValueError, match="flag --i=3: must be even"):
        fv(["prog", "--i=3"])


def test_logging_levels_are_pythons():
    assert (tf.logging.DEBUG, tf.logging.INFO, tf.logging.WARN, tf.logging.ERROR, tf.logging.FATAL) == (
        10, 20, 30, 40, 50)
    assert tf.app.flags is tf.flags


def test_flagfile_and_set_default(tmp_path):
    fv = _values()
    flagfile = tmp_path / "flags.txt"
    flagfile.write_text("# a comment\n\n--s=from_file\n--nob\n// another\n-i=4\n")
    assert fv(["prog", f"--flagfile={flagfile}", "pos", "--i=5"]) == ["prog", "pos"]
    assert (fv.s, fv.b, fv.i) == ("from_file", False, 5)  # later flags win, as in absl
    with pytest.raises(flags.IllegalFlagValueError, match="cannot read it"):
        fv(["prog", "--flagfile", str(tmp_path / "missing.txt")])
    fv.set_default("s", "new default")
    fv.unparse_flags()
    assert fv.s == "new default"
