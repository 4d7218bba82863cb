"""`serve` as a real process: it serves a preview, rebuilds when a file changes,
and tells the page (through its build number) to reload."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import as_from_a_terminal, write_files
from test_province import PROVINCE

REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read().decode("utf-8")


def wait_for(predicate, seconds: float = 20.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            value = predicate()
            if value:
                return value
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError("timed out")


def start_serve(project: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    command = [sys.executable, str(REPO / "build.py"), "serve", "--project", str(project)]
    server = subprocess.Popen(
        [*command, "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    return server, f"http://127.0.0.1:{port}/"


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    server.wait(timeout=10)
    assert server.stderr is not None
    assert "Traceback" not in server.stderr.read().decode()


def test_serve_rebuilds_and_reloads_on_change(make_site) -> None:
    root = make_site()
    server, base = start_serve(root)
    try:
        first = wait_for(lambda: fetch(base + "__thutuc_build"))
        page = fetch(base + "1.001193/")
        assert "<h1>Đăng ký khai sinh</h1>" in page
        assert "__thutuc_build" in page  # the reload script, in previews only
        source = root / "procedures/ho-tich/khai-sinh.md"
        source.write_text(source.read_text().replace("Đăng ký khai sinh", "Khai sinh cho con"))
        wait_for(lambda: fetch(base + "__thutuc_build") != first)
        assert "<h1>Khai sinh cho con</h1>" in fetch(base + "1.001193/")
        assert not (root / "output").exists()  # a preview never touches output/
    finally:
        stop(server)


def test_serve_previews_a_province(tmp_path: Path) -> None:
    root = write_files(tmp_path / "tinh", dict(PROVINCE))
    server, base = start_serve(root)
    try:
        first = wait_for(lambda: fetch(base + "__thutuc_build"))
        assert "Xã An" in fetch(base) and "Xã Bình" in fetch(base)  # the province index
        assert "<h1>Đăng ký khai sinh</h1>" in fetch(base + "an/1.001193/")
        override = root / "communes/an/procedures/ho-tich/khai-sinh.md"
        override.write_text(override.read_text().replace("Xã An hỗ trợ", "Xã An miễn phí"))
        wait_for(lambda: fetch(base + "__thutuc_build") != first)
        assert "Xã An miễn phí" in fetch(base + "an/1.001193/")
        assert not (root / "output").exists()
    finally:
        stop(server)


def answer_to(base: str, request: bytes) -> bytes:
    host, port = base.removeprefix("http://").rstrip("/").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(request)
        answer = b""
        while chunk := sock.recv(4096):  # HTTP/1.0: the server closes after the body
            answer += chunk
        return answer


def test_serve_answers_malformed_requests_with_an_http_error(make_site) -> None:
    """A NUL in the address, a request line too long, not HTTP, or of an unknown
    version: an HTTP error each (the last two as HTTP/0.9, a bare error page, the
    way http.server answers a request it cannot read a version from), no traceback
    (stop() checks), the server still up."""
    server, base = start_serve(make_site())
    try:
        wait_for(lambda: fetch(base + "__thutuc_build"))
        requests = {
            b"GET /%00 HTTP/1.0\r\n\r\n": (b"HTTP/1.0 400", b"Error code: 400"),
            b"GET /" + b"a" * 70_000 + b" HTTP/1.0\r\n\r\n": (b"HTTP/1.0 414", b"414"),
            b"GARBAGE\r\n\r\n": (b"<!DOCTYPE HTML>", b"Error code: 400"),
            b"GET / HTTP/9.9\r\n\r\n": (b"<!DOCTYPE HTML>", b"Error code: 505"),
        }
        for request, (start, code) in requests.items():
            answer = answer_to(base, request)
            assert answer.startswith(start) and code in answer, (request[:40], answer[:80])
        assert "<h1>Đăng ký khai sinh</h1>" in fetch(base + "1.001193/")
    finally:
        stop(server)


def test_a_port_already_in_use_is_said_before_building(make_site) -> None:
    """Not "the old output is untouched" after a build it just made: which port, and
    what to do."""
    root = make_site()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        command = [sys.executable, str(REPO / "build.py"), "serve", "--project", str(root)]
        result = subprocess.run(
            [*command, "--port", str(port)], capture_output=True, text=True, timeout=60
        )
    assert result.returncode == 1, result.stderr
    assert f"cổng {port} đang được một chương trình khác dùng" in result.stderr
    assert f"--port {port + 1}" in result.stderr
    assert "Đã dựng" not in result.stderr and "Traceback" not in result.stderr


@pytest.mark.slow
@pytest.mark.parametrize("signal_name", ["SIGINT", "SIGTERM"])
@pytest.mark.parametrize("after", [0.1, 0.4, 1.2, 3.0])  # starting, in the first build, serving
def test_serve_stopped_at_any_moment_leaves_nothing_behind(
    tmp_path: Path, signal_name: str, after: float
) -> None:
    """Its preview folder, the build state, the lock and the spare folders are the
    preview's own: gone however it is stopped (a terminal's Ctrl+C, or SIGTERM)."""
    from test_engine import many

    root = write_files(tmp_path / "site", many(120))
    temp = tmp_path / "tmp"
    temp.mkdir()
    command = [sys.executable, str(REPO / "build.py"), "serve", "--project", str(root)]
    server = subprocess.Popen(
        [*command, "--port", str(free_port())], stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, env={**os.environ, "TMPDIR": str(temp)},
        preexec_fn=as_from_a_terminal,  # Ctrl+C as a terminal gives it, even in `make test &`
    )  # fmt: skip
    time.sleep(after)
    server.send_signal(getattr(signal, signal_name))
    server.wait(timeout=20)
    errors = server.stderr.read().decode() if server.stderr else ""
    assert "Traceback" not in errors and "Trang cũ" not in errors, errors
    assert list(temp.iterdir()) == [], errors
    cache = root / ".thutuc-cache"
    left = (
        sorted(p.relative_to(cache).as_posix() for p in cache.rglob("*")) if cache.exists() else []
    )
    assert [p for p in left if p.startswith(("lock-", "state-", "spare/"))] == [], left
