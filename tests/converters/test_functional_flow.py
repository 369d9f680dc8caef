"""TF2 functional control flow (If, Case, While) from TF 1.x-style graphs with control flow v2.

The graphs in tests/data/functional_flow were frozen by TensorFlow 2.21 with only eager execution
disabled (see its generate.py), so `tf.cond`, `tf.switch_case` and `tf.while_loop` are If/Case/While
nodes over library functions. They are converted to ONNX and run in onnxruntime, and run by
`ortflow.Session`, on TensorFlow's own feeds; results must equal TensorFlow's.
"""

from __future__ import annotations

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from ortflow.converters import convert
from ortflow.converters.functional_flow import FUNCTIONAL_OPS, lower_functional_control_flow
from ortflow.formats.graphs import read_graph

CASES = ["cond", "switch_case", "while_loop", "nested", "tensor_array"]
ATOL = 1e-5


def _load(data_dir, case):
    graph_def = read_graph(str(data_dir / "functional_flow" / f"{case}.pb"))
    arrays = np.load(data_dir / "functional_flow" / f"{case}.npz")
    runs: dict[int, dict] = {}
    for key in arrays.files:
        run, _, rest = key.partition("/")
        kind, _, tensor = rest.partition(":")
        runs.setdefault(int(run), {"feed": {}, "fetch": {}})[kind][tensor] = arrays[key]
    return graph_def, [runs[k] for k in sorted(runs)]


@pytest.mark.parametrize("case", CASES)
def test_graph_holds_functional_control_flow(data_dir, case):
    graph_def, _ = _load(data_dir, case)
    assert any(n.op in FUNCTIONAL_OPS for n in graph_def.node)
    lowered, changed = lower_functional_control_flow(graph_def)
    assert changed
    assert not any(n.op in FUNCTIONAL_OPS for n in lowered.node)


@pytest.mark.parametrize("case", CASES)
def test_converted_model_matches_tensorflow(data_dir, case):
    graph_def, runs = _load(data_dir, case)
    inputs = list(runs[0]["feed"])
    outputs = list(runs[0]["fetch"])
    model = convert(graph_def, inputs=inputs, outputs=outputs)
    onnx.checker.check_model(model, full_check=True)
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    for run in runs:
        got = sess.run(outputs, run["feed"])
        for name, value in zip(outputs, got):
            np.testing.assert_allclose(value, run["fetch"][name], atol=ATOL, err_msg=f"{case} {name}")


@pytest.mark.parametrize("case", CASES)
def test_session_matches_tensorflow(data_dir, case):
    import ortflow as tf

    graph_def, runs = _load(data_dir, case)
    graph = tf.Graph()
    with graph.as_default():
        tf.import_graph_def(graph_def, name="")
    with tf.Session(graph=graph) as sess:
        for run in runs:
            outputs = list(run["fetch"])
            got = sess.run(outputs, run["feed"])
            for name, value in zip(outputs, got):
                np.testing.assert_allclose(value, run["fetch"][name], atol=ATOL, err_msg=f"{case} {name}")


def test_lowered_names_keep_the_functional_node_tensors(data_dir):
    """`loop:1` still names the While's second result: an IdentityN takes the node's name."""
    graph_def, _ = _load(data_dir, "while_loop")
    lowered, _ = lower_functional_control_flow(graph_def)
    nodes = {n.name: n for n in lowered.node}
    assert nodes["loop"].op == "IdentityN"
    assert nodes["loop/loop_cond"].op == "LoopCond"
    assert any(n.op == "Enter" and n.attr["is_constant"].b for n in lowered.node)  # `n` and the weight


def test_session_restores_variables_read_in_branches_and_loops(data_dir):
    """Resource variables read inside If branches and a While body (.meta + checkpoint, not
    frozen): the Session feeds them its restored values."""
    import ortflow as tf

    folder = data_dir / "functional_flow" / "cond_variables"
    arrays = np.load(folder / "expected.npz")
    graph = tf.Graph()
    with graph.as_default():
        saver = tf.train.import_meta_graph(str(folder / "model.meta"))
        types = {op.type for op in graph.get_operations()}
        assert types & {"If", "StatelessIf"} and types & {"While", "StatelessWhile"}, types
        with tf.Session(graph=graph) as sess:
            saver.restore(sess, str(folder / "model"))
            for k in range(2):
                got = sess.run("out:0", {"x:0": arrays[f"{k}/feed:x:0"], "flag:0": arrays[f"{k}/feed:flag:0"]})
                np.testing.assert_allclose(got, arrays[f"{k}/fetch:out:0"], atol=ATOL)


def test_cli_freeze_and_run_the_unfrozen_graph(data_dir, cli, tmp_path):
    folder = data_dir / "functional_flow" / "cond_variables"
    arrays = np.load(folder / "expected.npz")
    np.save(tmp_path / "x.npy", arrays["1/feed:x:0"])
    cli("run", folder / "model.meta", "--feed", f"x:0={tmp_path / 'x.npy'}", "--fetch", "out:0",
        "-o", tmp_path / "a.npz", check=True)
    np.testing.assert_allclose(np.load(tmp_path / "a.npz")["out:0"], arrays["1/fetch:out:0"], atol=ATOL)
    cli("freeze", folder / "model.meta", "--outputs", "out", "-o", tmp_path / "f.pb", check=True)
    cli("run", tmp_path / "f.pb", "--feed", f"x:0={tmp_path / 'x.npy'}", "--fetch", "out:0",
        "-o", tmp_path / "b.npz", check=True)
    np.testing.assert_allclose(np.load(tmp_path / "b.npz")["out:0"], arrays["1/fetch:out:0"], atol=ATOL)


def test_missing_branch_function_is_one_line_naming_the_file(data_dir, cli, tmp_path):
    graph_def, _ = _load(data_dir, "cond")
    del graph_def.library.function[:]
    broken = tmp_path / "broken.pb"
    broken.write_bytes(graph_def.SerializeToString())
    for args in (("convert", broken, "-o", tmp_path / "m.onnx"), ("run", broken, "--feed", "x:0=random")):
        proc = cli(*args)
        lines = proc.stderr.strip().splitlines()
        assert proc.returncode == 2 and len(lines) == 1, proc.stderr
        assert "broken.pb" in lines[0] and "not in the graph's library" in lines[0], lines[0]


def test_inlining_that_grows_without_end_is_stopped(data_dir, monkeypatch):
    """Recursive functions would grow the graph with every round: past the limit, one error."""
    from ortflow.converters import passes_tf
    from ortflow.errors import ConversionError

    graph_def, _ = _load(data_dir, "nested")
    monkeypatch.setattr(passes_tf, "_MAX_INLINED_NODES", 10)
    monkeypatch.setattr(passes_tf, "_MAX_INLINED_GROWTH", 1)
    with pytest.raises(ConversionError, match="over 10 nodes"):
        passes_tf.inline_functions(graph_def, ["out:0"])
