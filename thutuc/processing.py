"""Which file a failure happened on, for the message that replaces a traceback.

`with processing(rel):` around the work on one file adds a note naming that
file to any exception that leaves the block (PEP 678 notes: the innermost file
wins, and a note survives the pickling a process pool does). The CLI's
last-resort handler reads it back with `file_of`. Nothing is global, so
parallel workers cannot mix their files up.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

NOTE = "thutuc: while processing "


@contextmanager
def processing(file: str) -> Iterator[None]:
    try:
        yield
    except BaseException as exc:
        if file_of(exc) is None:
            exc.add_note(NOTE + file)
        raise


def file_of(exc: BaseException) -> str | None:
    """The file named by the innermost `processing` block the exception left, or None."""
    for note in getattr(exc, "__notes__", ()):
        if isinstance(note, str) and note.startswith(NOTE):
            return note.removeprefix(NOTE)
    return None
