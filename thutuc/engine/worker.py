"""A worker process of the build pool: `python -m thutuc.engine.worker FD MAIN_PID`.

FD is its end of a socket pair with the main process; MAIN_PID the process it
must not outlive (engine/pool.py).
"""

from __future__ import annotations

import os
import sys
from multiprocessing.connection import Connection

from thutuc.engine.pool import guard_worker, serve_tasks


def main(argv: list[str]) -> None:
    # Guarded before the slow imports: a build stopped while its workers still
    # start must not leave one importing on.
    guard_worker(int(argv[2]))
    from thutuc.engine import builders  # noqa: F401  (imported once, before any task)

    serve_tasks(Connection(int(argv[1])))
    # Told to stop: nothing is left to write, and tearing down the interpreter (the
    # records and templates of thousands of pages) kept the build waiting for us.
    os._exit(0)


if __name__ == "__main__":
    main(sys.argv)
