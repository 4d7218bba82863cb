"""Writing a file so that a reader, or a crash, sees the old file or the new one,
never half of one: the bytes go to a temporary name in the same folder, then a
rename replaces the file (the one home of this, for state, published-urls.txt,
imports and output files)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_bytes(path: Path, data: bytes, mode: int = 0o644) -> None:
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        if exc.filename == temporary:  # name the file being written, not our temporary one
            raise type(exc)(exc.errno, exc.strerror, str(path)) from exc
        raise
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_text(path: Path, text: str) -> None:
    """UTF-8 with "\\n" line ends whatever the platform (files editors commit)."""
    write_bytes(path, text.encode("utf-8"))
