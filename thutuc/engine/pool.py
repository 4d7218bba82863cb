"""One pool of worker processes for the dirty artifacts of every site.

Workers are fresh Python processes (`python -m thutuc.engine.worker`), so nothing
of the main process leaks into them (multiprocessing's spawn and forkserver would
also re-run the caller's main module); each task carries its inputs (Zola's
par_iter, with caches passed, never inherited).
Tasks are routed by affinity (a procedure's page, card and leaflet go to the
worker that validated it, which still holds its record), in chunks, so a worker
keeps its template environment; an idle worker takes work from the busiest.

Stopping: on any exception in the main process, Ctrl+C and SIGTERM included,
every worker is terminated and waited for at most a second (then killed). A
worker a killed main process leaves behind exits by itself: Linux's parent-death
signal and, everywhere, a watchdog thread that checks every quarter second that
the main process is still alive.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
import traceback
import zlib
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from multiprocessing.connection import Connection, wait
from typing import Any, cast

from thutuc.resources import PACKAGE_DIR

CHUNK = 24  # tasks a worker gets at a time: few messages, fair sharing at the end
# Chunks sent ahead to each worker: while it runs one, the next waits for it. With
# one, a worker sat idle for every answer and the chunk after it (a cold build of
# 4,000 procedures: about 0.3 s a worker, 250 round trips).
IN_FLIGHT = 2
WATCHDOG_SECONDS = 0.25
PR_SET_PDEATHSIG = 1


class WorkerFailed(Exception):
    """A task raised in a worker: its exception type, message and traceback text."""

    def __init__(self, kind: str, message: str, trace: str) -> None:
        super().__init__(f"{kind}: {message}")
        self.kind, self.message, self.trace = kind, message, trace


class WorkerDied(Exception):
    """A worker process ended without answering (killed, out of memory)."""


def guard_worker(main_pid: int) -> None:
    """Exit as soon as the main process is gone, even if it was killed outright.
    Ctrl+C is the main process's to act on (it stops us): ignored here."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if os.getppid() != main_pid:  # gone before the parent-death signal was set
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(WATCHDOG_SECONDS)
            try:
                os.kill(main_pid, 0)
            except ProcessLookupError:
                os._exit(1)
            except PermissionError:  # another user's process took the pid: ours is gone
                os._exit(1)

    threading.Thread(target=watch, daemon=True, name="thutuc-watchdog").start()


def serve_tasks(connection: Connection) -> None:
    """A worker's life (after guard_worker): run the chunks it is sent until told to stop.

    A thread takes each chunk off the socket as it comes, so the next one is here
    when this one is done (IN_FLIGHT), and the main process never waits to send:
    with both sides sending large messages, each could wait on the other."""
    inbox: queue.SimpleQueue[Any] = queue.SimpleQueue()

    def receive() -> None:
        while True:
            try:
                message = connection.recv()
            except (EOFError, OSError):
                message = None
            inbox.put(message)
            if message is None:
                return

    threading.Thread(target=receive, daemon=True, name="thutuc-inbox").start()
    while (message := inbox.get()) is not None:
        function, chunk = message
        results = []
        for index, item in chunk:
            try:
                results.append((index, True, function(item)))
            except Exception as exc:
                trace = traceback.format_exc()
                results.append((index, False, (type(exc).__name__, str(exc), trace)))
        try:
            connection.send(results)
        except (BrokenPipeError, OSError):
            return


@contextlib.contextmanager
def _signals_after() -> Iterator[None]:
    """Hold Ctrl+C and SIGTERM until the block ends, then act on them: stopped in
    the middle of starting a process, we would lose track of it."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held: list[int] = []
    stopping = (signal.SIGINT, signal.SIGTERM)
    before = {s: signal.signal(s, lambda number, frame: held.append(number)) for s in stopping}
    try:
        yield
    finally:
        for number, handler in before.items():
            signal.signal(number, handler)
        if held:
            signal.raise_signal(held[0])


def affinity_worker(key: str, workers: int) -> int:
    return zlib.crc32(key.encode()) % workers


class Pool:
    """Worker processes, started on first use, ended by `close` or on any error."""

    def __init__(self, size: int) -> None:
        self.size = max(1, size)
        self._processes: list[Any] = []
        self._connections: list[Connection] = []
        self._used = False  # a map was run: the workers are ready to be told to stop

    def start(self) -> None:
        """Start the workers now, without waiting for them: they import the
        renderer while this process goes on (a cold build hashes its files)."""
        if self._processes:
            return
        env = dict(os.environ)
        # The workers import the same thutuc as this process, installed or not.
        env["PYTHONPATH"] = os.pathsep.join(
            filter(None, [str(PACKAGE_DIR.parent), env.get("PYTHONPATH", "")])
        )
        with _signals_after():  # a worker started is a worker we know of, to end it
            for _ in range(self.size):
                ours, theirs = socket.socketpair()
                command = [sys.executable, "-m", "thutuc.engine.worker", str(theirs.fileno())]
                # Its own process group: Ctrl+C in a terminal signals the whole
                # foreground group, and a worker still starting Python printed
                # "Fatal Python error" or a traceback; the main process stops it.
                process = subprocess.Popen(
                    [*command, str(os.getpid())], pass_fds=[theirs.fileno()], env=env,
                    stdin=subprocess.DEVNULL, process_group=0,
                )  # fmt: skip
                theirs.close()
                self._processes.append(process)
                self._connections.append(Connection(ours.detach()))

    def map(
        self,
        function: Callable[[Any], Any],
        items: Sequence[Any],
        affinity: Callable[[Any], str] | None = None,
    ) -> list[Any]:
        """`function(item)` for every item, in the workers; results in the order of items.
        A task that raises stops the map with WorkerFailed."""
        if not items:
            return []
        self.start()
        self._used = True
        queues: list[deque[tuple[int, Any]]] = [deque() for _ in range(self.size)]
        for index, item in enumerate(items):
            worker = affinity_worker(affinity(item), self.size) if affinity else index % self.size
            queues[worker].append((index, item))
        results: list[Any] = [None] * len(items)
        in_flight: dict[Connection, int] = {}  # chunks sent to each worker, not answered
        for _ in range(IN_FLIGHT):
            for worker in range(self.size):
                self._send(function, worker, queues, in_flight)
        while in_flight:
            for ready in wait(list(in_flight)):
                connection = cast(Connection, ready)
                worker = self._connections.index(connection)
                try:
                    answers = connection.recv()
                except (EOFError, OSError) as exc:
                    raise WorkerDied(f"worker {worker}") from exc
                in_flight[connection] -= 1
                if not in_flight[connection]:
                    del in_flight[connection]
                for index, ok, value in answers:
                    if not ok:
                        raise WorkerFailed(*value)
                    results[index] = value
                self._send(function, worker, queues, in_flight)
        return results

    def _send(
        self,
        function: Callable[[Any], Any],
        worker: int,
        queues: list[deque[tuple[int, Any]]],
        in_flight: dict[Connection, int],
    ) -> None:
        own = queues[worker]
        if not own:  # take the far end of the longest queue: its owner starts at the near one
            longest = max(queues, key=len)
            for _ in range(len(longest) // 2 or len(longest)):
                own.appendleft(longest.pop())
        chunk = [own.popleft() for _ in range(min(CHUNK, len(own)))]
        if chunk:
            connection = self._connections[worker]
            connection.send((function, chunk))
            in_flight[connection] = in_flight.get(connection, 0) + 1

    def close(self) -> None:
        """Ask the workers to stop, then end those that do not within a second.
        Workers started for nothing are ended at once: still importing, they would
        read the request only when done."""
        if not self._used:
            self.terminate()
            return
        for connection in self._connections:
            with contextlib.suppress(BrokenPipeError, OSError):
                connection.send(None)
        self._end(graceful=True)

    def terminate(self) -> None:
        self._end(graceful=False)

    def _end(self, graceful: bool) -> None:
        deadline = time.monotonic() + 1.0
        for process in self._processes:
            if not graceful:
                process.terminate()
        for process in self._processes:
            try:
                process.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(1.0)
        for connection in self._connections:
            connection.close()
        self._processes, self._connections = [], []

    def __enter__(self) -> Pool:
        return self

    def __exit__(self, kind: object, value: object, trace: object) -> None:
        if kind is None:
            self.close()
        else:
            self.terminate()
