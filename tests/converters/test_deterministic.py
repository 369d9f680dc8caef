"""The same graph converts to the same ONNX bytes in every process.

Python salts str hashes per process, so anything that iterates a set of node names while
converting can reorder nodes or initializers from one run to the next. Each graph here is
converted by `ortflow convert` in subprocesses with different PYTHONHASHSEED values; the
written files must be byte-identical. The control-flow fixtures are the graphs that showed it
(loop bodies were ordered from a set of frame members).
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

GRAPHS = ["control_flow/nested_while/frozen.pb", "control_flow/cond_in_while/frozen.pb",
          "control_flow/keras_lstm_sequences/frozen.pb", "control_flow/while_in_cond/frozen.pb",
          "functional_flow/nested.pb", "cnn/frozen.pb"]


@pytest.mark.parametrize("graph", GRAPHS)
def test_conversion_bytes_do_not_depend_on_the_hash_seed(data_dir, tmp_path, graph):
    written = []
    for seed in ("1", "2", "3"):
        out = tmp_path / f"model_{seed}.onnx"
        env = dict(os.environ, PYTHONHASHSEED=seed)
        proc = subprocess.run([sys.executable, "-m", "ortflow", "convert", str(data_dir / graph), "-o", str(out)],
                              capture_output=True, text=True, env=env, timeout=300, check=False)
        assert proc.returncode == 0, proc.stderr
        written.append(out.read_bytes())
    assert written[0] == written[1] == written[2]


def _unused_initializers(graph, where: str) -> list[str]:
    # initializers of `graph` that none of its nodes (or nodes of graphs nested in them) reads
    from ortflow.converters.passes_onnx import subgraph_reads

    reads = {o.name for o in graph.output}
    for node in graph.node:
        reads.update(node.input)
        for attr in node.attribute:
            reads |= subgraph_reads(attr.g) if attr.HasField("g") else subgraph_reads(list(attr.graphs))
    found = [f"{where}: {i.name}" for i in graph.initializer if i.name not in reads]
    for node in graph.node:
        for attr in node.attribute:
            if attr.HasField("g"):
                found += _unused_initializers(attr.g, f"{where}/{node.name}.{attr.name}")
    return found


@pytest.mark.parametrize("graph", GRAPHS)
def test_no_subgraph_holds_unused_initializers(data_dir, graph):
    # onnxruntime warns at load about each initializer nothing reads (a region's constants that
    # fed folded nodes used to stay in If/Loop bodies)
    import ortflow
    from ortflow.formats.graphs import read_graph

    model = ortflow.convert(read_graph(str(data_dir / graph)))
    assert _unused_initializers(model.graph, "main") == []
