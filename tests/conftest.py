"""Shared fixtures: tiny sites built in tmp_path, and real tools or a clear skip.

In CI (CI=true) a missing browser, decoder or PDF renderer fails the test
instead of skipping it: CI must prove those parts work.
"""

from __future__ import annotations

import importlib
import os
import shutil
import signal
import sys
import textwrap
from collections.abc import Callable, Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")

MINIMAL_SITE = {
    # stale_after_months: 0 because the dates below are fixed and will age;
    # tests of the stale-facts warning set their own (tests/test_git_dates.py).
    "site.yml": "name: Xã Thử\nbase_url: https://thu.example.vn/\nhotline: 0209 3 123 456\n"
    "stale_after_months: 0\n",
    "procedures/ho-tich/_index.md": "---\ntitle: Hộ tịch\norder: 1\n---\nKhai sinh, kết hôn, khai tử.\n",
    "procedures/ho-tich/khai-sinh.md": textwrap.dedent(
        """\
        ---
        code: "1.001193"
        title: Đăng ký khai sinh
        summary: Làm giấy khai sinh cho trẻ mới sinh.
        documents:
          - Tờ khai đăng ký khai sinh
          - Giấy chứng sinh
        processing_time: Trong ngày
        fee: Miễn phí nếu đăng ký đúng hạn
        methods: [truc-tiep, truc-tuyen]
        updated: 2025-07-01
        ---
        ## Các bước

        1. Nộp hồ sơ.
        2. Nhận giấy khai sinh.
        """
    ),
}


# The national records (../shared/data, not part of the project): tests that
# need them skip where they are absent, in CI too (data, not a tool).
NATIONAL_DATA = Path(
    os.environ.get("THUTUC_NATIONAL_DATA", REPO.parent / "shared" / "data" / "national-procedures")
)


def require_national_data() -> Path:
    if not NATIONAL_DATA.is_dir():
        pytest.skip(f"national records not found at {NATIONAL_DATA} (set THUTUC_NATIONAL_DATA)")
    return NATIONAL_DATA


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def unavailable(reason: str) -> None:
    """Skip locally, fail in CI."""
    if in_ci():
        pytest.fail(f"{reason} (CI=true: this tool must be installed, see .ci/run)")
    pytest.skip(reason)


def require_executable(*names: str) -> str:
    for name in names:
        found = shutil.which(name) or (
            name if os.path.isabs(name) and os.access(name, os.X_OK) else None
        )
        if found:
            return found
    unavailable(f"{' / '.join(names)} not installed")
    raise AssertionError("unreachable")


def require_module(name: str) -> object:
    try:
        return importlib.import_module(name)
    except ImportError:
        unavailable(f"Python module {name} not installed")
        raise


def chromium_path() -> str:
    return require_executable(*CHROMIUM_CANDIDATES)


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


VIEWPORT = {"width": 360, "height": 740}  # a cheap Android phone


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's chromium through Playwright, once per test process: every browser
    test module shares it (Playwright's sync API allows one instance at a time)."""
    sync_api: Any = require_module("playwright.sync_api")
    executable = chromium_path()
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    ctx = browser.new_context(viewport=VIEWPORT, locale="vi-VN")
    ctx.set_default_timeout(15_000)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: Any) -> Any:
    return context.new_page()


SiteWriter = Callable[..., Path]


def as_from_a_terminal() -> None:
    """The child's Ctrl+C as a terminal leaves it. A shell starts a background job
    (`make test &`, nohup) with SIGINT ignored and the child inherits that; the
    build rightly keeps ignoring it then, so the SIGINT tests failed only when the
    suite itself ran in the background."""
    os.setsid()
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def files_of(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` by relative path: for comparing two builds byte for byte."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def write_files(root: Path, files: dict[str, str | bytes]) -> Path:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


@pytest.fixture
def make_site(tmp_path: Path) -> SiteWriter:
    """Write a tiny site: the minimal one, updated with `files` (None deletes a file)."""

    def make(files: dict[str, str | bytes | None] | None = None, minimal: bool = True) -> Path:
        root = tmp_path / "site"
        merged: dict[str, str | bytes | None] = dict(MINIMAL_SITE) if minimal else {}
        merged.update(files or {})
        write_files(root, {k: v for k, v in merged.items() if v is not None})
        return root

    return make


class QuietHTTPServer(ThreadingHTTPServer):
    """A test server that does not print a traceback when the browser drops a request
    (a cancelled prefetch): printed from its thread, it landed in whatever output
    another test was capturing at that moment."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            return
        super().handle_error(request, client_address)
