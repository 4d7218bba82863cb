"""thutuc: Markdown procedure files to a mobile microsite and printable QR posters."""

from __future__ import annotations

import sys

TYPE_CHECKING = False  # typing itself is not imported: this runs first, see main()
if TYPE_CHECKING:
    from collections.abc import Callable


def main(before: Callable[[], None] | None = None) -> None:
    """The command line: `thutuc`, `python build.py` (which checks its packages
    `before`). A Ctrl+C while the tool is still starting (importing) gives one line
    and exit 130, as a moment later, not a traceback: nothing was read or written."""
    try:
        if before is not None:
            before()
        from thutuc.cli import run
    except KeyboardInterrupt:
        print("Đã dừng (Ctrl+C).", file=sys.stderr)
        sys.exit(130)
    run()
