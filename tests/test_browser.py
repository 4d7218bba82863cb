"""The built sample site in a real browser, as a resident on a cheap phone meets it.

Debian's chromium driven by Playwright (executable_path: no browser download),
the site served from 127.0.0.1, a 360×740 viewport. axe-core comes from npm:
`npm ci --prefix tests/js`. Screenshots go to test-artifacts/.

Tap targets: every link, button and field is at least 48×48 px, except a link
inside a sentence (WCAG 2.2, 2.5.8 "inline" exception), e.g. a link in a
paragraph of a procedure's steps. Phone numbers never count as inline: they
are always 48 px.
"""

from __future__ import annotations

import re
import shutil
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, VIEWPORT, QuietHTTPServer, require_module, unavailable
from PIL import Image
from poster_helpers import load
from update_golden import build_sample

from thutuc.content.model import NOT_FOUND_PATH
from thutuc.content.text import fold
from thutuc.engine.pipeline import BuildOptions, build, forget_build
from thutuc.print.qr import QUIET_ZONE, encode_url, qr_targets
from thutuc.site.render import gzipped_size

PAGE_BUDGET = 14 * 1024
AXE = REPO / "tests" / "js" / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = REPO / "test-artifacts"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
KINDS = {
    "home": "",
    "field": "ho-tich/",
    "procedure": "1.001193/",
    "a-z": "a-z/",
    "contacts": "lien-he/",
    "404": "khong-co-trang-nay/",
    "offline": "offline/",
    "en-home": "en/",
    "en-procedure": "en/1.001193/",
    "en-untranslated": "en/1.012812/",  # the Vietnamese page under an English notice
}


# --- the built site and a server for it -------------------------------------


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample site, built once per session (no posters)."""
    tmp = tmp_path_factory.mktemp("browser")
    options = BuildOptions(
        REPO, out=tmp / "output", qr=tmp / "qr", posters=False, record_published=False
    )
    build(options)
    forget_build(options)  # no build state of a temporary folder left in the repository
    return tmp / "output"


def html_pages(out: Path) -> list[Path]:
    """Every page a resident can open; redirect pages only forward, so they are left out."""
    pages = sorted(out.rglob("*.html"))
    return [p for p in pages if 'http-equiv="refresh"' not in p.read_text(encoding="utf-8")]


def url_path(out: Path, file: Path) -> str:
    rel = file.relative_to(out).as_posix()
    return rel.removesuffix("index.html")


class SiteHandler(SimpleHTTPRequestHandler):
    """A static host: files as they are, 404.html for anything missing."""

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(self.directory) / NOT_FOUND_PATH
        if code != 404 or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def serve(folder: Path) -> tuple[ThreadingHTTPServer, str]:
    server = QuietHTTPServer(("127.0.0.1", 0), partial(SiteHandler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


@pytest.fixture(scope="session")
def site_url(built_site: Path) -> Iterator[str]:
    server, url = serve(built_site)
    yield url
    server.shutdown()


# --- the browser ---------------------------------------------------------------


def open_enhanced(page: Any, url: str) -> None:
    """Open a page and wait for site.js, which base.html loads after the first paint."""
    page.goto(url)
    page.wait_for_selector("html[data-enhanced]", state="attached")


def axe_path() -> Path:
    if not AXE.is_file():
        unavailable("axe-core not installed: run `npm ci --prefix tests/js`")
    return AXE


# --- budget: no browser needed ---------------------------------------------------


def test_every_page_fits_the_budget_with_its_css(built_site: Path) -> None:
    sizes = {
        p.relative_to(built_site).as_posix(): gzipped_size(p.read_bytes())
        for p in html_pages(built_site)
    }
    over = {name: size for name, size in sizes.items() if size > PAGE_BUDGET}
    assert len(sizes) > 30
    assert not over, f"pages over {PAGE_BUDGET} bytes gzipped: {over}"


def test_no_script_is_needed_for_first_paint(built_site: Path) -> None:
    """Scripts come last in the body and only act once the page has loaded."""
    for file in html_pages(built_site):
        html = file.read_text(encoding="utf-8")
        scripts = re.findall(r"<script\b[^>]*>(.*?)</script>", html, re.S)
        assert scripts == [] or html.index("<script") > html.index("</main>"), file
        for script in scripts:
            assert script.startswith('addEventListener("load",'), f"{file}: {script[:80]}"
    assert gzipped_size((built_site / "site.js").read_bytes()) < 3 * 1024


# --- layout, accessibility, screenshots -----------------------------------------


@pytest.mark.browser
def test_no_page_scrolls_sideways_at_360px(built_site: Path, site_url: str, page: Any) -> None:
    wide = {}
    for file in html_pages(built_site):
        path = url_path(built_site, file)
        open_enhanced(page, site_url + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > VIEWPORT["width"]:
            wide[path] = width
    assert not wide, f"pages wider than 360 px: {wide}"


@pytest.mark.browser
@pytest.mark.parametrize("kind", KINDS)
def test_no_axe_violations_and_screenshot(kind: str, site_url: str, page: Any) -> None:
    axe = axe_path()
    open_enhanced(page, site_url + KINDS[kind])
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{kind}.png"))
    if kind == "home":  # the search results are part of the page too
        page.fill("#q", "khai sinh")
        page.wait_for_selector(".results li")
    assert_no_axe_violations(page, axe)


def assert_no_axe_violations(page: Any, axe: Path) -> None:
    page.add_script_tag(path=str(axe))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    found = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
    ]
    assert not found, "\n".join(found)


TAP_TARGETS_SMALLER_THAN_48 = """() => {
  const small = [];
  const inSentence = el => {
    if (el.tagName !== 'A' || el.classList.contains('tel')) return false;
    const block = el.closest('p, li, dd, td, th, blockquote');
    return !!block && block.textContent.trim() !== el.textContent.trim();
  };
  for (const el of document.querySelectorAll('a[href], button, input, select, textarea, summary')) {
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (!box.width || !box.height || style.visibility === 'hidden' || box.right < 0) continue;
    if ((box.width < 48 || box.height < 48) && !inSentence(el)) {
      small.push(`${el.tagName} "${el.textContent.trim().slice(0, 40)}" ${Math.round(box.width)}x${Math.round(box.height)}`);
    }
  }
  return small;
}"""


@pytest.mark.browser
@pytest.mark.parametrize("kind", KINDS)
def test_tap_targets_are_at_least_48px(kind: str, site_url: str, page: Any) -> None:
    open_enhanced(page, site_url + KINDS[kind])
    assert page.evaluate(TAP_TARGETS_SMALLER_THAN_48) == []
    page.focus(".skip")  # off screen until focused
    box = page.locator(".skip").bounding_box()
    assert box["height"] >= 48 and box["x"] >= 0


@pytest.mark.browser
def test_every_phone_number_is_a_tel_link(built_site: Path, site_url: str, page: Any) -> None:
    phone = re.compile(r"\b0\d{2,3}(?: ?\d){6,8}\b")
    for path in ("", "lien-he/", "1.001193/", "offline/"):
        open_enhanced(page, site_url + path)
        linked = page.eval_on_selector_all("a[href^='tel:']", "els => els.map(e => e.textContent)")
        text = page.inner_text("body")
        for number in phone.findall(text):
            assert number in linked, f"{path}: {number} is not a tel: link"


# --- search ---------------------------------------------------------------------


def search(page: Any, text: str) -> list[str]:
    page.fill("#q", text)
    page.wait_for_function("document.querySelector('.search-status').textContent !== ''")
    return page.eval_on_selector_all(".results a", "els => els.map(e => e.firstChild.textContent)")


@pytest.fixture
def home(site_url: str, page: Any) -> Any:
    open_enhanced(page, site_url)
    return page


@pytest.mark.browser
@pytest.mark.parametrize(
    ("query", "first", "also"),
    [
        (
            "khai sinh",
            "Đăng ký khai sinh",
            ["Cấp bản sao Trích lục hộ tịch, bản sao Giấy khai sinh"],
        ),
        (
            "giay khai sinh",
            "Cấp bản sao Trích lục hộ tịch, bản sao Giấy khai sinh",
            ["Đăng ký khai sinh"],
        ),
        (
            "chung thuc",
            "Chứng thực chữ ký",
            ["Chứng thực bản sao từ bản chính", "Chứng thực di chúc"],
        ),
        (
            "ho tich",
            "Cấp bản sao Trích lục hộ tịch, bản sao Giấy khai sinh",
            ["Đăng ký kết hôn", "Đăng ký khai tử"],
        ),
        ("hộ tịch", "Cấp bản sao Trích lục hộ tịch, bản sao Giấy khai sinh", ["Đăng ký giám hộ"]),
        ("doc than", "Cấp Giấy xác nhận tình trạng hôn nhân", []),  # a keyword
        ("bao tro xa hoi", "Trợ cấp xã hội hằng tháng", ["Hỗ trợ chi phí mai táng"]),  # a field
    ],
)
def test_search_forgives_vietnamese_typing(
    home: Any, query: str, first: str, also: list[str]
) -> None:
    titles = search(home, query)
    assert titles[0] == first, titles
    assert set(also) <= set(titles), titles
    assert home.inner_text(".search-status") == f"Tìm thấy {len(titles)} thủ tục"


@pytest.mark.browser
def test_search_finds_a_whole_field(home: Any) -> None:
    titles = search(home, "ho tich")
    assert len([t for t in titles if t.startswith("Đăng ký")]) >= 5
    assert "Chứng thực chữ ký" not in titles


@pytest.mark.browser
def test_exact_accents_rank_first(home: Any) -> None:
    titles = search(home, "hỗ trợ")
    exact = [t for t in titles if "hỗ trợ" in t.lower()]
    assert exact and titles[: len(exact)] == exact, titles
    titles = search(home, "hộ")  # hộ tịch, hộ nghèo, giám hộ; then hỗ trợ, hòa giải, hôn nhân
    with_ho = [t for t in titles if re.search(r"\bhộ\b", t.lower())]
    assert len(with_ho) >= 4 and titles[: len(with_ho)] == with_ho, titles
    assert titles.index("Hỗ trợ chi phí mai táng") > titles.index("Đăng ký khai sinh"), titles


@pytest.mark.browser
def test_every_title_typed_without_accents_finds_its_procedure(built_site: Path, home: Any) -> None:
    """The script folds titles itself: it must fold as thutuc.text.fold does."""
    index = (built_site / "search.json").read_text(encoding="utf-8")
    for title in re.findall(r'\["[^"]+/","([^"]+)"', index):
        assert title in search(home, fold(title)), title


@pytest.mark.browser
def test_nothing_found_says_so(home: Any) -> None:
    assert search(home, "xyzxyz") == []
    assert "Không tìm thấy" in home.inner_text(".search-status")


@pytest.mark.browser
def test_index_loads_only_when_the_resident_starts_typing(site_url: str, page: Any) -> None:
    loaded: list[str] = []
    page.on("request", lambda r: loaded.append(r.url))
    open_enhanced(page, site_url)
    page.wait_for_load_state("networkidle")
    assert not any(u.endswith("search.json") for u in loaded)
    page.focus("#q")
    page.wait_for_timeout(300)
    assert any(u.endswith("search.json") for u in loaded)


@pytest.mark.browser
def test_a_z_page_filters_by_q(site_url: str, page: Any) -> None:
    page.goto(site_url + "a-z/?q=khai+tu")
    page.wait_for_selector(".results li")
    assert page.input_value("#q") == "khai tu"
    assert page.inner_text(".results li >> nth=0").startswith("Đăng ký khai tử")


@pytest.mark.browser
def test_without_javascript_the_box_submits_to_a_z(browser: Any, site_url: str) -> None:
    ctx = browser.new_context(viewport=VIEWPORT, java_script_enabled=False)
    page = ctx.new_page()
    page.goto(site_url)
    page.fill("#q", "khai sinh")
    page.press("#q", "Enter")
    page.wait_for_url("**/a-z/?q=khai+sinh")
    assert "Đăng ký khai sinh" in page.inner_text("main")
    assert page.locator("#chia-se button").count() == 0
    ctx.close()


# --- share ------------------------------------------------------------------------


@pytest.mark.browser
def test_share_falls_back_to_copying_the_link(context: Any, site_url: str) -> None:
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.add_init_script("delete Navigator.prototype.share")
    page.goto(site_url + "1.001193/")
    page.click("text=Chia sẻ trang này")
    page.wait_for_selector("text=Đã chép đường dẫn")
    assert page.evaluate("navigator.clipboard.readText()") == "https://hoabinh.example.vn/1.001193/"


@pytest.mark.browser
def test_share_uses_web_share_where_the_phone_has_it(page: Any, site_url: str) -> None:
    page.add_init_script(
        "navigator.share = data => { window.shared = data; return Promise.resolve(); }"
    )
    page.goto(site_url + "1.001193/")
    page.click("text=Chia sẻ trang này")
    shared = page.evaluate("window.shared")
    assert shared["url"] == "https://hoabinh.example.vn/1.001193/"
    assert shared["title"].startswith("Đăng ký khai sinh")


# --- offline ----------------------------------------------------------------------


def wait_for_service_worker(page: Any) -> None:
    # Not `await navigator.serviceWorker.ready`: it never settles if installing fails.
    page.wait_for_function("navigator.serviceWorker.controller !== null")


@pytest.mark.browser
def test_pages_opened_before_read_offline(context: Any, site_url: str) -> None:
    page = context.new_page()
    page.goto(site_url + "1.001193/")
    wait_for_service_worker(page)
    context.set_offline(True)
    page.reload()
    assert page.inner_text("h1") == "Đăng ký khai sinh"
    for path, title in (("", "Xã Hòa Bình"), ("ho-tich/", "Hộ tịch"), ("lien-he/", "Liên hệ")):
        page.goto(site_url + path)  # kept at install without being opened
        assert page.inner_text("h1") == title
    page.goto(site_url + "2.000815/")  # never opened: the offline page, with the hotline
    assert page.inner_text("h1") == "Điện thoại đang không có mạng"
    assert page.locator("main a[href='tel:02093000000']").count() == 1
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "offline-fallback.png"))


@pytest.mark.browser
def test_online_pages_are_never_stale(context: Any, built_site: Path, tmp_path: Path) -> None:
    copy = shutil.copytree(built_site, tmp_path / "site")
    server, url = serve(copy)
    try:
        page = context.new_page()
        page.goto(url)  # the home page: also kept at install, listed once
        wait_for_service_worker(page)
        page.goto(url + "1.001193/")
        file = copy / "1.001193" / "index.html"
        file.write_text(
            file.read_text(encoding="utf-8").replace("Đăng ký khai sinh</h1>", "Đã sửa</h1>")
        )
        page.reload()
        assert page.inner_text("h1") == "Đã sửa"
    finally:
        server.shutdown()


@pytest.mark.browser
def test_a_new_build_replaces_the_old_cache(context: Any, built_site: Path, tmp_path: Path) -> None:
    copy = shutil.copytree(built_site, tmp_path / "site")
    server, url = serve(copy)
    try:
        page = context.new_page()
        page.goto(url)
        wait_for_service_worker(page)
        old = page.evaluate("caches.keys()")
        sw = copy / "sw.js"
        sw.write_text(re.sub(r"thutuc-\w+", "thutuc-nextbuild", sw.read_text(encoding="utf-8")))
        page.evaluate("navigator.serviceWorker.getRegistration().then(r => r.update())")
        page.wait_for_function("caches.keys().then(k => k.join() === 'thutuc-nextbuild')")
        assert old != ["thutuc-nextbuild"]
    finally:
        server.shutdown()


@pytest.mark.browser
def test_search_finds_a_procedure_by_its_code_and_by_the_code_it_replaced(
    make_site: Any, page: Any, tmp_path: Path
) -> None:
    root = make_site(
        {
            "procedures/ho-tich/cu.md": '---\ncode: "1.000656"\ntitle: Khai tử (cũ)\n'
            'replaced_by: "1.001193"\nretired: 2025-07-01\n---\n',
        }
    )
    build(
        BuildOptions(
            root, out=tmp_path / "out", qr=tmp_path / "qr", posters=False, record_published=False
        )
    )
    server, url = serve(tmp_path / "out")
    try:
        open_enhanced(page, url)
        assert search(page, "1.000656") == ["Đăng ký khai sinh"]
        assert search(page, "1.001193") == ["Đăng ký khai sinh"]
    finally:
        server.shutdown()


@pytest.mark.browser
@pytest.mark.decoder
def test_qr_svg_files_decode_as_a_browser_draws_them(page: Any, tmp_path: Path) -> None:
    """The SVG codes are written by our own code: draw them as a browser or an
    office program would, at 7 px a module, and read them back with a real decoder."""
    zxingcpp: Any = require_module("zxingcpp")
    build_sample(tmp_path)
    codes = tmp_path / "qr"
    targets = qr_targets(load(REPO))
    for target in (targets[0], targets[1], targets[-2]):  # home, a field, a procedure
        side = 7 * (encode_url(target.url).size + 2 * QUIET_ZONE)
        html = codes / f"{target.name}.html"
        html.write_text(f'<body style="margin:0"><img src="{target.name}.svg" width="{side}">')
        page.goto(html.as_uri())
        shot = tmp_path / f"{target.name}-shot.png"
        page.screenshot(path=str(shot), clip={"x": 0, "y": 0, "width": side, "height": side})
        read = zxingcpp.read_barcodes(Image.open(shot))
        assert [r.text for r in read] == [target.url], target.name  # byte for byte
