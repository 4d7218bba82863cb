"""A worker process of the build pool: `python -m thutuc.engine.worker FD MAIN_PID`.

FD is its end of a socket pair with the main process; MAIN_PID the process it
must not outlive (engine/pool.py).
"""

import signal

# First of all: Ctrl+C reaches every process of the terminal, and the main process
# stops us; a worker still importing printed a KeyboardInterrupt traceback.
signal.signal(signal.SIGINT, signal.SIG_IGN)

import sys  # noqa: E402
from multiprocessing.connection import Connection  # noqa: E402

from thutuc.engine.pool import guard_worker, serve_tasks  # noqa: E402


def main(argv: list[str]) -> None:
    # Guarded before the slow imports: a build stopped while its workers still
    # start must not leave one importing on.
    guard_worker(int(argv[2]))
    from thutuc.engine import builders  # noqa: F401  (imported once, before any task)

    serve_tasks(Connection(int(argv[1])))


if __name__ == "__main__":
    main(sys.argv)
