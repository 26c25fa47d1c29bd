"""Records: the crash-safe session journal, resume, reportbacks, and saved circles."""

from circlekeeper.records.atomic import atomic_write_json, atomic_write_text
from circlekeeper.records.circles import Circle, CircleStore, CircleStoreError, Meeting
from circlekeeper.records.journal import (
    Journal,
    JournalContents,
    JournalHeader,
    list_journals,
    read_journal,
    summarize_journal,
    unfinished_journals,
)
from circlekeeper.records.summary import Summary, save_summary, summarize

__all__ = [
    "Circle",
    "CircleStore",
    "CircleStoreError",
    "Journal",
    "JournalContents",
    "JournalHeader",
    "Meeting",
    "Summary",
    "atomic_write_json",
    "atomic_write_text",
    "list_journals",
    "read_journal",
    "save_summary",
    "summarize",
    "summarize_journal",
    "unfinished_journals",
]
