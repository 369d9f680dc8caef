"""`tf.summary.FileWriter`: events queued by the caller, written to disk by a background thread.

The caller's thread only builds the `Event` and puts it on a bounded queue (`max_queue`); one
writer thread per FileWriter takes events off it, appends them to the event file, and flushes
every `flush_secs`. `flush()` and `close()` wait until every event queued before them is on
disk, and an interpreter exit closes writers still open, so no event is lost on the way out.
"""

from __future__ import annotations

import atexit
import logging
import os
import queue
import threading
import time
import weakref

from ortflow.formats.events import EventsWriter
from ortflow.proto import Event, MetaGraphDef, SessionLog, Summary, TaggedRunMetadata

__all__ = ["FileWriter", "FileWriterCache", "summary_iterator"]

_log = logging.getLogger("ortflow.summary")
_STOP = object()
_FLUSH = object()
_OPEN_WRITERS: weakref.WeakSet[FileWriter] = weakref.WeakSet()


def _as_our_message(message, cls):
    # TensorFlow's own messages (or any with the same wire format) are accepted by value.
    if isinstance(message, cls):
        return message
    if isinstance(message, (bytes, bytearray, memoryview)):
        return cls.FromString(bytes(message))
    if hasattr(message, "SerializeToString"):
        return cls.FromString(message.SerializeToString())
    raise TypeError(f"expected a {cls.__name__} message or its serialized bytes, got {type(message).__name__}")


class _WriterThread(threading.Thread):
    """Takes events off the queue and appends them to the file; flushes on a timer."""

    def __init__(self, writer: EventsWriter, events: queue.Queue, flush_secs: float):
        super().__init__(name=f"ortflow-events-{os.path.basename(writer.path)}", daemon=True)
        self.writer = writer
        self.events = events
        self.flush_secs = flush_secs
        self.error: BaseException | None = None

    def run(self) -> None:
        next_flush = time.monotonic() + self.flush_secs
        while True:
            try:
                item = self.events.get(timeout=max(0.0, next_flush - time.monotonic()))
            except queue.Empty:
                item = None  # the timer ran out with nothing queued
            try:
                if item is _STOP:
                    self.writer.close()
                    return
                if item is not None and item is not _FLUSH:
                    self.writer.write_event(item)
                if item is _FLUSH or time.monotonic() >= next_flush:
                    self.writer.flush()
                    next_flush = time.monotonic() + self.flush_secs
            except BaseException as e:
                self.error = e
                if item is _STOP:
                    return
            finally:
                # Marked done only once written, so that `queue.join()` means "on disk".
                if item is not None:
                    self.events.task_done()


class FileWriter:
    """Writes `Summary` protocol buffers and graphs to an event file in `logdir`.

    Args:
        logdir: the directory for the event file (created if missing).
        graph: a Graph (its GraphDef and a MetaGraphDef are written first), or a GraphDef.
        max_queue: events that may wait for the writer thread before `add_*` blocks.
        flush_secs: how often, in seconds, the writer thread flushes to disk.
        filename_suffix: appended to the event file's name.
        graph_def: deprecated spelling of a GraphDef to write.
        session: not supported (TF 2.x summary writers); must be None.

    Example:
        >>> with FileWriter("/tmp/logs") as w:                               # doctest: +SKIP
        ...     w.add_summary(Summary(value=[Summary.Value(tag="loss", simple_value=0.5)]), 1)
    """

    def __init__(self, logdir, graph=None, max_queue: int = 10, flush_secs: float = 120,
                 graph_def=None, filename_suffix: str | None = None, session=None):
        if session is not None:
            raise NotImplementedError("FileWriter(session=...) writes through TF 2.x summary ops, "
                                      "which ortflow does not have; pass a logdir only")
        self._logdir = os.fspath(logdir)
        self._max_queue = int(max_queue)
        self._flush_secs = float(flush_secs)
        self._suffix = filename_suffix or ""
        self._seen_metadata_tags: set[str] = set()
        self._lock = threading.Lock()
        self._closed = True
        self._thread: _WriterThread | None = None
        self._events: queue.Queue | None = None
        self._open()
        if graph is not None or graph_def is not None:
            self.add_graph(graph, graph_def=graph_def)
            self.add_meta_graph(_meta_graph_from(graph, graph_def))

    # ------------------------------------------------------------------ lifecycle

    def _open(self) -> None:
        writer = EventsWriter(self._logdir, self._suffix)
        self._events = queue.Queue(maxsize=max(1, self._max_queue))
        self._thread = _WriterThread(writer, self._events, self._flush_secs)
        self._thread.start()
        self._closed = False
        _OPEN_WRITERS.add(self)

    def get_logdir(self) -> str:
        """The directory this writer writes into."""
        return self._logdir

    @property
    def event_file_path(self) -> str | None:
        """The path of the current event file (None once closed)."""
        return None if self._closed else self._thread.writer.path

    def reopen(self) -> None:
        """Opens a new event file in the same logdir after `close()`; a no-op while open."""
        with self._lock:
            if self._closed:
                self._open()

    def flush(self) -> None:
        """Blocks until every event added so far is written and flushed to disk."""
        with self._lock:
            if self._closed:
                return
            self._events.put(_FLUSH)
            self._events.join()
            self._raise_thread_error()

    def close(self) -> None:
        """Writes every pending event, flushes, and closes the file. Idempotent."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._events.put(_STOP)
            self._thread.join()
            _OPEN_WRITERS.discard(self)
            self._raise_thread_error()

    def _raise_thread_error(self) -> None:
        error, self._thread.error = self._thread.error, None
        if error is not None:
            raise OSError(f"{self._thread.writer.path}: writing the event file failed: {error}") from error

    def __enter__(self) -> FileWriter:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------------ adding events

    def add_event(self, event) -> None:
        """Queues an `Event` (ours, TensorFlow's, or serialized bytes) as it is."""
        event = _as_our_message(event, Event)
        if self._closed:
            _log.warning("Attempting to use a closed FileWriter; the event is dropped "
                         "unless the FileWriter is reopened.")
            return
        self._raise_thread_error()
        self._events.put(event)

    def _add_stamped(self, event: Event, global_step) -> None:
        event.wall_time = time.time()
        if global_step is not None:
            event.step = int(global_step)
        self.add_event(event)

    def add_summary(self, summary, global_step=None) -> None:
        """Adds a `Summary` (or its serialized bytes, as `sess.run` of a summary op returns).

        As TensorFlow does, only the first value carrying `metadata` for a tag keeps it.
        """
        summary = _as_our_message(summary, Summary)
        if any(v.HasField("metadata") for v in summary.value):
            summary = Summary.FromString(summary.SerializeToString())  # do not edit the caller's
            for value in summary.value:
                if not value.HasField("metadata"):
                    continue
                if value.tag in self._seen_metadata_tags:
                    value.ClearField("metadata")
                else:
                    self._seen_metadata_tags.add(value.tag)
        self._add_stamped(Event(summary=summary), global_step)

    def add_session_log(self, session_log, global_step=None) -> None:
        """Adds a `SessionLog` (START, STOP, CHECKPOINT)."""
        self._add_stamped(Event(session_log=_as_our_message(session_log, SessionLog)), global_step)

    def add_graph(self, graph=None, global_step=None, graph_def=None) -> None:
        """Adds a graph: a Graph (written with output shapes) or a GraphDef (as `graph_def=`)."""
        if graph is not None and graph_def is not None:
            raise ValueError("Please pass only graph, or graph_def (deprecated), but not both.")
        data = _graph_def_bytes(graph if graph is not None else graph_def)
        if data is None:
            raise TypeError("add_graph needs a Graph or a GraphDef, got None")
        self._add_stamped(Event(graph_def=data), global_step)

    def add_meta_graph(self, meta_graph_def, global_step=None) -> None:
        """Adds a `MetaGraphDef` (TensorBoard falls back to its graph when there is no GraphDef)."""
        if not hasattr(meta_graph_def, "SerializeToString"):
            raise TypeError(f"meta_graph_def must be a MetaGraphDef, got {type(meta_graph_def).__name__}")
        self._add_stamped(Event(meta_graph_def=meta_graph_def.SerializeToString()), global_step)

    def add_run_metadata(self, run_metadata, tag: str, global_step=None) -> None:
        """Adds a serialized `RunMetadata` under `tag` (TensorBoard's per-step graph stats)."""
        data = run_metadata if isinstance(run_metadata, bytes) else run_metadata.SerializeToString()
        tagged = TaggedRunMetadata(tag=tag, run_metadata=data)
        self._add_stamped(Event(tagged_run_metadata=tagged), global_step)


def _graph_def_bytes(graph) -> bytes | None:
    if graph is None:
        return None
    if hasattr(graph, "as_graph_def"):
        try:
            graph = graph.as_graph_def(add_shapes=True)
        except TypeError:  # a graph model without the add_shapes option
            graph = graph.as_graph_def()
    if isinstance(graph, (bytes, bytearray)):
        return bytes(graph)
    if hasattr(graph, "SerializeToString"):
        return graph.SerializeToString()
    raise TypeError(f"expected a Graph or a GraphDef, got {type(graph).__name__}")


def _meta_graph_from(graph, graph_def) -> MetaGraphDef:
    # TF writes `create_meta_graph_def(graph_def=...)` after the graph: the GraphDef, plus the
    # graph's collections when it knows how to export them.
    if graph is not None and hasattr(graph, "export_meta_graph"):
        try:
            return _as_our_message(graph.export_meta_graph(), MetaGraphDef)
        except Exception as e:
            _log.debug("export_meta_graph failed (%s); writing the GraphDef alone", e)
    meta = MetaGraphDef()
    meta.graph_def.ParseFromString(_graph_def_bytes(graph if graph is not None else graph_def))
    return meta


class FileWriterCache:
    """One shared FileWriter per logdir, as `tf.summary.FileWriterCache`."""

    _cache: dict[str, FileWriter] = {}
    _lock = threading.Lock()

    @staticmethod
    def get(logdir) -> FileWriter:
        """Returns the FileWriter for `logdir`, creating it on first use."""
        with FileWriterCache._lock:
            key = os.fspath(logdir)
            if key not in FileWriterCache._cache:
                FileWriterCache._cache[key] = FileWriter(key)
            return FileWriterCache._cache[key]

    @staticmethod
    def clear() -> None:
        """Closes and forgets every cached writer."""
        with FileWriterCache._lock:
            for writer in FileWriterCache._cache.values():
                writer.close()
            FileWriterCache._cache.clear()


def summary_iterator(path):
    """Yields the `Event` messages of an event file (`tf.train.summary_iterator`).

    A record cut short at the end of the file ends the iteration quietly; a corrupt record
    raises `FormatError` naming the file and the record.
    """
    from ortflow.formats.events import read_events

    yield from read_events(path)


@atexit.register
def _close_open_writers() -> None:
    for writer in list(_OPEN_WRITERS):
        try:
            writer.close()
        except Exception as e:
            _log.error("closing the FileWriter for %s failed: %s", writer.get_logdir(), e)
