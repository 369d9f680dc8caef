"""summary.FileWriter and train.summary_iterator: background writing, no lost events, TF files."""

from __future__ import annotations

import glob
import os
import subprocess
import sys
import threading

import pytest
from ortflow.api.summary_writer import FileWriter, FileWriterCache, summary_iterator
from ortflow.formats.events import read_events
from ortflow.proto import Event, GraphDef, MetaGraphDef, NodeDef, SessionLog, Summary, SummaryMetadata


def _scalar(tag: str, value: float) -> Summary:
    return Summary(value=[Summary.Value(tag=tag, simple_value=value)])


def _files(logdir) -> list[str]:
    return sorted(glob.glob(os.path.join(logdir, "events.out.tfevents.*")))


def test_file_name_first_event_and_scalars(tmp_path):
    writer = FileWriter(str(tmp_path))
    assert writer.get_logdir() == str(tmp_path)
    for step in range(25):  # more than max_queue: the caller blocks, nothing is dropped
        writer.add_summary(_scalar("loss", step * 0.5).SerializeToString(), step)
    writer.close()
    (path,) = _files(tmp_path)
    host = os.uname().nodename
    assert os.path.basename(path).endswith("." + host)
    evs = list(summary_iterator(path))
    assert evs[0].file_version == "brain.Event:2"
    assert evs[0].wall_time == int(evs[0].wall_time)
    assert [(e.step, e.summary.value[0].simple_value) for e in evs[1:]] == [(s, s * 0.5) for s in range(25)]
    assert all(e.wall_time >= evs[0].wall_time for e in evs[1:])


def test_events_are_written_off_the_callers_thread(tmp_path):
    writer = FileWriter(str(tmp_path))
    assert writer._thread.is_alive() and writer._thread is not threading.current_thread()
    writer.add_summary(_scalar("a", 1.0), 3)
    writer.flush()  # flush means on disk
    assert [e.step for e in read_events(writer.event_file_path)] == [0, 3]
    writer.close()
    assert not writer._thread.is_alive()


def test_close_never_loses_events_from_many_threads(tmp_path):
    writer = FileWriter(str(tmp_path), max_queue=2, flush_secs=1000)

    def work(base):
        for i in range(50):
            writer.add_summary(_scalar(f"t{base}", i), base * 1000 + i)

    threads = [threading.Thread(target=work, args=(b,)) for b in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    writer.close()
    steps = sorted(e.step for e in read_events(_files(tmp_path)[0]) if e.HasField("summary"))
    assert steps == sorted(b * 1000 + i for b in range(4) for i in range(50))


def test_interpreter_exit_flushes_unclosed_writer(tmp_path):
    script = ("import sys; from ortflow.api.summary_writer import FileWriter; "
              "from ortflow.proto import Summary\n"
              "w = FileWriter(sys.argv[1], flush_secs=1000)\n"
              "for i in range(30): w.add_summary(Summary(value=[Summary.Value(tag='x', simple_value=i)]), i)\n")
    subprocess.run([sys.executable, "-c", script, str(tmp_path)], check=True, timeout=60)
    evs = list(read_events(_files(tmp_path)[0]))
    assert [e.step for e in evs[1:]] == list(range(30))


def test_graph_and_meta_graph_events_in_tf_order(tmp_path):
    graph_def = GraphDef(node=[NodeDef(name="x", op="Placeholder")])
    writer = FileWriter(str(tmp_path), graph_def)
    writer.close()
    evs = list(read_events(_files(tmp_path)[0]))
    assert [e.WhichOneof("what") for e in evs] == ["file_version", "graph_def", "meta_graph_def"]
    assert GraphDef.FromString(evs[1].graph_def) == graph_def
    assert MetaGraphDef.FromString(evs[2].meta_graph_def).graph_def == graph_def


def test_add_graph_rejects_both_forms(tmp_path):
    with FileWriter(str(tmp_path)) as writer, pytest.raises(ValueError, match="only graph, or graph_def"):
        writer.add_graph(GraphDef(), graph_def=GraphDef())


def test_metadata_kept_only_on_first_value_per_tag(tmp_path):
    meta = SummaryMetadata(plugin_data=SummaryMetadata.PluginData(plugin_name="scalars"))
    value = Summary.Value(tag="m", simple_value=1.0, metadata=meta)
    first = Summary(value=[value])
    with FileWriter(str(tmp_path)) as writer:
        writer.add_summary(first, 1)
        writer.add_summary(first, 2)
    assert first.value[0].HasField("metadata")  # the caller's message is not edited
    evs = [e for e in read_events(_files(tmp_path)[0]) if e.HasField("summary")]
    assert [e.summary.value[0].HasField("metadata") for e in evs] == [True, False]


def test_session_log_add_event_and_run_metadata(tmp_path):
    with FileWriter(str(tmp_path), filename_suffix=".v1") as writer:
        writer.add_session_log(SessionLog(status=SessionLog.START), 5)
        writer.add_event(Event(step=9, wall_time=1.5, file_version="custom"))
        writer.add_run_metadata(b"\x0a\x00", "step9", 9)
    (path,) = _files(tmp_path)
    assert path.endswith(".v1")
    evs = list(read_events(path))[1:]
    assert evs[0].session_log.status == SessionLog.START and evs[0].step == 5
    assert evs[1] == Event(step=9, wall_time=1.5, file_version="custom")  # as given, not restamped
    assert evs[2].tagged_run_metadata.tag == "step9"


def test_closed_writer_drops_with_warning_and_reopen_starts_new_file(tmp_path, caplog, monkeypatch):
    import ortflow.formats.events as ev

    writer = FileWriter(str(tmp_path))
    writer.add_summary(_scalar("a", 1), 1)
    writer.close()
    writer.close()  # idempotent
    writer.add_summary(_scalar("a", 2), 2)
    assert "closed FileWriter" in caplog.text
    monkeypatch.setattr(ev.time, "time", lambda: 4102444800.0)  # a later second: a new file name
    writer.reopen()
    writer.add_summary(_scalar("a", 3), 3)
    writer.close()
    files = _files(tmp_path)
    assert len(files) == 2 and files[1].split(".")[3] == "4102444800"
    assert [e.step for e in read_events(files[0])][1:] == [1]
    assert [e.step for e in read_events(files[1])][1:] == [3]


def test_accepts_foreign_messages_by_wire_format(tmp_path):
    class Foreign:  # stands for TensorFlow's own Summary class
        def SerializeToString(self):
            return _scalar("foreign", 2.0).SerializeToString()

    with FileWriter(str(tmp_path)) as writer:
        writer.add_summary(Foreign(), 7)
        with pytest.raises(TypeError, match="Summary"):
            writer.add_summary(42)
    evs = list(read_events(_files(tmp_path)[0]))
    assert evs[1].summary.value[0].tag == "foreign"


def test_write_failure_surfaces_on_the_callers_thread(tmp_path):
    writer = FileWriter(str(tmp_path))
    writer._thread.writer._f.close()  # the disk "goes away" under the writer thread
    writer.add_summary(_scalar("a", 1.0), 1)
    with pytest.raises(OSError, match="writing the event file failed"):
        writer.flush()
    writer._thread.writer._f = None
    writer.close()


def test_file_writer_cache_shares_one_writer(tmp_path):
    a = FileWriterCache.get(str(tmp_path))
    assert FileWriterCache.get(str(tmp_path)) is a
    FileWriterCache.clear()
    assert a.event_file_path is None


def test_summary_iterator_reads_tensorflow_file(data_dir):
    evs = list(summary_iterator(str(data_dir / "mlp/events/events.out.tfevents.1795410309.vm")))
    assert evs[0].file_version == "brain.Event:2" and len(evs) > 3


@pytest.mark.interop
def test_tensorflow_and_tensorboard_read_our_files(tf, tmp_path, data_dir):
    try:
        from tensorboard.backend.event_processing import event_accumulator
    except ImportError as e:
        pytest.skip(f"the tensorboard package is not installed here ({e})")
    originals = list(summary_iterator(str(data_dir / "mlp/events/events.out.tfevents.1795410309.vm")))
    graph_def = GraphDef.FromString(originals[1].graph_def)
    with FileWriter(str(tmp_path), graph_def) as writer:
        for step in range(1, 6):
            writer.add_summary(_scalar("loss", step / 10), step)
    path = _files(tmp_path)[0]
    theirs = list(tf.train.summary_iterator(path))
    assert [e.SerializeToString() for e in theirs] == [e.SerializeToString() for e in read_events(path)]
    acc = event_accumulator.EventAccumulator(str(tmp_path))
    acc.Reload()
    assert acc.Tags()["scalars"] == ["loss"] and acc.Tags()["graph"] and acc.Tags()["meta_graph"]
    assert [(s.step, round(s.value, 6)) for s in acc.Scalars("loss")] == [(s, s / 10) for s in range(1, 6)]
    assert len(acc.Graph().node) == len(graph_def.node)
