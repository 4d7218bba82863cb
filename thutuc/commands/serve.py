"""`serve`: preview on 127.0.0.1, rebuilding and reloading the browser on change.

The preview is built into a temporary folder with base_url pointing at the
local server, so the real output/ is never touched by a preview. A tiny
script, added only to served pages (never to the built site), polls the build
number and reloads the page when it changes.

When a build fails, every page of the preview is replaced by an error page
listing the problems (PreviewState.show_error_page), until the next good
build clears it (PreviewState.clear_error_page): an editor who only watches
the browser still sees what to fix. Both bump the build number, so the open
tab reloads into the error page and back out of it.
"""

from __future__ import annotations

import errno
import html
import shutil
import signal
import sys
import tempfile
import threading
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import BinaryIO
from urllib.parse import unquote

import click
from watchfiles import watch

from thutuc.content.files import os_reason
from thutuc.content.province import PROVINCE_FILE
from thutuc.engine.pipeline import (
    BuildInterrupted,
    BuildOptions,
    Session,
    build,
    forget_build,
    ready_spares,
)
from thutuc.problems import BuildFailed, Problems, Severity

RELOAD_SCRIPT = b"""<script>(function(){var v=null;setInterval(function(){
fetch('/__thutuc_build').then(function(r){return r.text()}).then(function(t){
if(v!==null&&t!==v){location.reload()}v=t}).catch(function(){})},1000)})()</script>"""


# What an editor changes: a commune's files, or a province's catalogue and communes.
SOURCES = ("site.yml", "procedures", "templates", PROVINCE_FILE, "communes")


class PreviewState:
    """What the preview server shows: the build number the reload script
    watches, and the error page in place of the pages while a build fails."""

    def __init__(self) -> None:
        self.build_number = 0
        self.error_page: bytes | None = None

    def show_error_page(self, problems: Problems) -> None:
        """Serve `problems` in place of every page until clear_error_page()."""
        self.error_page = error_page(problems)
        self.build_number += 1

    def clear_error_page(self) -> None:
        """Serve the built pages again (after a good build)."""
        self.error_page = None


def error_page(problems: Problems) -> bytes:
    """A small page in Vietnamese: what failed, each problem, how the page comes back."""
    report = html.escape(problems.report())
    return f"""<!doctype html>
<html lang="vi"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Chưa xem trước được: có lỗi</title>
<style>body{{font:16px/1.5 system-ui,sans-serif;margin:1rem;max-width:60rem}}
h1{{color:#a40000;font-size:1.4rem}}pre{{white-space:pre-wrap;font:inherit;background:#fff4f4;
border-left:4px solid #a40000;padding:.75rem}}</style></head>
<body><h1>Chưa xem trước được: có lỗi</h1>
<p>Lần dựng gần nhất không thành, vì {problems.told(Severity.ERROR)} lỗi dưới đây. Sửa tệp rồi
lưu lại: trang này tự tải lại khi dựng xong.</p>
<pre>{report}</pre></body></html>""".encode()


class PreviewHandler(SimpleHTTPRequestHandler):
    state: PreviewState

    def do_GET(self) -> None:
        if self.path == "/__thutuc_build":
            body = str(self.state.build_number).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)
            return
        if "\x00" in unquote(self.path):  # no file has it; os.path would raise
            self.send_error(HTTPStatus.BAD_REQUEST)
            return
        if self.state.error_page is not None and self._is_page():
            self.send_response(500)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(self.state.error_page.replace(b"</body>", RELOAD_SCRIPT + b"</body>"))
            return
        super().do_GET()

    def _is_page(self) -> bool:
        # no path yet when the request line itself was refused (too long, not HTTP)
        path = getattr(self, "path", "").split("?", 1)[0]
        return path.endswith("/") or path.endswith(".html")

    def copyfile(self, source: BinaryIO, outputfile: BinaryIO) -> None:  # type: ignore[override]
        data = source.read()
        if self._is_page():
            data = data.replace(b"</body>", RELOAD_SCRIPT + b"</body>")
        outputfile.write(data)

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def send_header(self, keyword: str, value: str) -> None:
        # Content-Length would be wrong once the reload script is added; HTTP/1.0
        # closes the connection after the body, so the browser needs none.
        if keyword.lower() == "content-length" and self._is_page():
            return
        super().send_header(keyword, value)

    def log_message(self, format: str, *args: object) -> None:
        pass


def rebuild(options: BuildOptions, state: PreviewState, session: Session) -> None:
    """Build the site or, in a province folder, every commune (each under /<xã>/,
    with the province index at /), with the engine a real build uses, keeping its
    workers and state between saves."""
    try:
        result = build(options, session=session)
    except BuildFailed as failed:
        click.echo(failed.problems.report(), err=True)
        state.show_error_page(failed.problems)
        click.secho(
            "Lỗi: trình duyệt hiện trang báo lỗi thay cho bản xem trước. Sửa tệp rồi lưu lại.",
            fg="red",
            err=True,
        )
        return
    state.clear_error_page()
    state.build_number += 1
    click.secho(f"Đã dựng lại trong {result.seconds:.1f} giây.", fg="green", err=True)
    ready_spares(options, session)  # while the editor reads the page


def serve(project: Path, port: int, posters: bool = False) -> None:
    """Serve a preview until Ctrl+C."""
    # SIGTERM (a terminal closed, a service stopped) ends it as Ctrl+C does, cleaned
    # up: set before the preview folder is made, or a stop just then would leave it.
    signal.signal(signal.SIGTERM, _stop)
    state = PreviewState()
    handler = type("Handler", (PreviewHandler,), {"state": state})
    server = _listen(port, handler)  # before building: a taken port is said at once
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    session = Session()
    workdir = Path(tempfile.mkdtemp(prefix="thutuc-preview-"))
    out = workdir / "output"
    # A preview publishes nothing: published-urls.txt only grows with real builds.
    options = BuildOptions(
        project,
        out,
        workdir / "qr",
        base_url=f"http://127.0.0.1:{port}/",
        posters=posters,
        record_published=False,
    )
    try:  # from its folder on: a stop at any moment leaves nothing behind
        server.RequestHandlerClass = partial(handler, directory=str(out))
        rebuild(options, state, session)
        serving.start()
        click.secho(
            f"Xem trước tại http://127.0.0.1:{port}/  (Ctrl+C để dừng)", fg="green", err=True
        )
        for _changes in watch(project, watch_filter=lambda _c, path: _is_source(project, path)):
            rebuild(options, state, session)
    except (KeyboardInterrupt, BuildInterrupted):
        click.echo("Đã dừng xem trước.", err=True)
    finally:
        if serving.is_alive():
            server.shutdown()
        server.server_close()
        session.close()
        forget_build(options)
        shutil.rmtree(workdir, ignore_errors=True)


def _stop(_number: int, _frame: object) -> None:
    raise KeyboardInterrupt


def _listen(port: int, handler: type[PreviewHandler]) -> ThreadingHTTPServer:
    """The preview's server on 127.0.0.1:`port`, or a clear message and exit 1."""
    try:
        return ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OSError as exc:
        reason = (
            f"cổng {port} đang được một chương trình khác dùng"
            if exc.errno == errno.EADDRINUSE
            else f"không mở được cổng {port} ({os_reason(exc)})"
        )
        other = port + 1 if port < 65535 else 8000
        message = f"Không xem trước được: {reason}. Chọn cổng khác, ví dụ --port {other}."
        click.secho(message, fg="red", err=True)
        sys.exit(1)


def _is_source(project: Path, path: str) -> bool:
    rel = Path(path).resolve().relative_to(project.resolve()).parts
    return bool(rel) and rel[0] in SOURCES
