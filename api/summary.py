"""`tf.summary` (TF 1.x): summary ops that build serialized `Summary` protos, and FileWriter."""

from __future__ import annotations

from ortflow.api.summary_writer import FileWriter, FileWriterCache, summary_iterator
from ortflow.proto import Event, SessionLog, Summary, SummaryMetadata

__all__ = ["FileWriter", "FileWriterCache", "summary_iterator", "Event", "SessionLog", "Summary",
           "SummaryMetadata"]
