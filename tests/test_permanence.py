"""Printed codes never break: every published path still loads, over real HTTP.

Each scenario builds a tiny site, changes it the way an editor would (rename a
field folder, replace a code, abolish a procedure, delete a file), builds again
and then loads EVERY path of published-urls.txt from the built output served
by http.server; a redirect page's meta refresh target must load too.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import urljoin
from urllib.request import urlopen

import pytest
from click.testing import CliRunner
from conftest import QuietHTTPServer

from thutuc.cli import main
from thutuc.content.permanence import PUBLISHED_FILE, content_paths, page_paths
from thutuc.engine.pipeline import BuildOptions, build, check
from thutuc.print.qr import qr_targets
from thutuc.problems import BuildFailed

REFRESH = re.compile(r'<meta http-equiv="refresh" content="0; url=([^"]+)">')
NEW_PROCEDURE = '---\ncode: "2.002000"\ntitle: Đăng ký khai sinh (thủ tục liên thông)\n---\n'


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serving(folder: Path) -> Iterator[str]:
    """The folder over HTTP on 127.0.0.1 (a free port), as a static host serves it."""
    server = QuietHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        thread.join()


def fetch(url: str) -> str:
    with urlopen(url, timeout=10) as response:
        assert response.status == 200, url
        return response.read().decode("utf-8")


def published(root: Path) -> list[str]:
    """The page paths of published-urls.txt, without the titles after a tab."""
    lines = (root / PUBLISHED_FILE).read_text(encoding="utf-8").splitlines()
    return [line.partition("\t")[0] for line in lines]


def load_every_published_path(root: Path, out: Path) -> dict[str, str]:
    """Path → HTML for every line of published-urls.txt; follows each redirect page."""
    pages = {}
    with serving(out) as base:
        for path in published(root):
            url = urljoin(base, path.lstrip("/"))
            html = fetch(url)
            if match := REFRESH.search(html):
                target = urljoin(url, match.group(1))
                assert 'rel="canonical"' in html
                assert f'href="{match.group(1)}"' in html, (
                    "a visible link for browsers without refresh"
                )
                assert not REFRESH.search(fetch(target)), f"{path}: a redirect to a redirect"
            pages[path] = html
    return pages


def build_site(root: Path) -> Path:
    build(BuildOptions(root, posters=False))
    return root / "output"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_published_urls_lists_every_page_sorted(make_site) -> None:
    root = make_site()
    build_site(root)
    assert {"/", "/1.001193/", "/a-z/", "/ho-tich/", "/lien-he/"} <= set(published(root))
    assert published(root) == sorted(set(published(root)))
    assert all(not line.endswith((".xml", ".json", ".js", ".pdf")) for line in published(root))
    load_every_published_path(root, root / "output")


def test_rebuild_does_not_touch_an_unchanged_list(make_site) -> None:
    root = make_site()
    build_site(root)
    before = (root / PUBLISHED_FILE).stat().st_mtime_ns
    build_site(root)
    assert (root / PUBLISHED_FILE).stat().st_mtime_ns == before


def test_renamed_field_folder_keeps_its_address_through_an_alias(make_site) -> None:
    root = make_site()
    build_site(root)
    (root / "procedures/ho-tich").rename(root / "procedures/tu-phap")
    edit(root / "procedures/tu-phap/_index.md", "order: 1", "order: 1\naliases: [ho-tich]")
    out = build_site(root)
    pages = load_every_published_path(root, out)
    assert "/tu-phap/" in published(root) and "/ho-tich/" in published(root)
    old = pages["/ho-tich/"]
    assert '<meta http-equiv="refresh" content="0; url=../tu-phap/">' in old
    assert '<link rel="canonical" href="https://thu.example.vn/tu-phap/">' in old
    assert "ho-tich" not in (out / "sitemap.xml").read_text()
    redirects = (out / "_redirects").read_text()
    assert "/ho-tich/ /tu-phap/ 301" in redirects and "/ho-tich /tu-phap/ 301" in redirects
    assert "    /ho-tich/ /tu-phap/;" in (out / "nginx-redirects.conf").read_text()


def test_renamed_field_folder_without_alias_fails_naming_the_path(make_site) -> None:
    root = make_site()
    build_site(root)
    (root / "procedures/ho-tich").rename(root / "procedures/tu-phap")
    with pytest.raises(BuildFailed) as failed:
        build_site(root)
    report = failed.value.problems.report()
    assert "Địa chỉ /ho-tich/ đã được công bố" in report
    assert "aliases: [ho-tich]" in report


def test_replaced_procedure_points_to_the_new_one(make_site) -> None:
    root = make_site()
    build_site(root)
    (root / "procedures/ho-tich/lien-thong.md").write_text(NEW_PROCEDURE, encoding="utf-8")
    edit(
        root / "procedures/ho-tich/khai-sinh.md",
        "updated:",
        'replaced_by: "2.002000"\nretired: 2026-07-01\nupdated:',
    )
    out = build_site(root)
    pages = load_every_published_path(root, out)
    old = pages["/1.001193/"]
    assert "Thủ tục này đã thay đổi từ ngày 01/07/2026." in old
    assert 'href="../2.002000/">Đăng ký khai sinh (thủ tục liên thông)</a>' in old
    assert "Giấy chứng sinh" not in old, "the old facts are not shown as if still valid"
    new = fetch_built(out, "2.002000/")
    assert 'Thay cho thủ tục mã <a href="../1.001193/">1.001193</a>.' in new
    site = check(BuildOptions(root))[0].sites[0]
    assert site is not None and site.replaced_codes_of("2.002000") == ("1.001193",)
    assert [t.path for t in qr_targets(site) if t.path.startswith(("1.", "2."))] == ["2.002000/"]


def test_retired_procedures_are_listed_apart(make_site) -> None:
    root = make_site({"procedures/ho-tich/lien-thong.md": NEW_PROCEDURE})
    edit(root / "procedures/ho-tich/khai-sinh.md", "updated:", 'replaced_by: "2.002000"\nupdated:')
    out = build_site(root)
    for path in ("a-z/", "ho-tich/"):
        html = fetch_built(out, path)
        active, retired = html.split('<h2 id="da-thay-doi">Thủ tục đã thay đổi, bãi bỏ</h2>')
        assert "2.002000/" in active and "1.001193/" not in active
        assert "Mã 1.001193: đã thay bằng thủ tục mã 2.002000" in retired
    assert "<small>1 thủ tục</small>" in fetch_built(out, "")


def test_abolished_procedure_says_so_and_points_to_its_field_and_hotline(make_site) -> None:
    root = make_site()
    build_site(root)
    edit(root / "procedures/ho-tich/khai-sinh.md", "updated:", "retired: 2026-07-01\nupdated:")
    out = build_site(root)
    page = load_every_published_path(root, out)["/1.001193/"]
    assert "Thủ tục này đã bị bãi bỏ từ ngày 01/07/2026." in page
    assert 'href="../ho-tich/">Xem các thủ tục khác của lĩnh vực Hộ tịch</a>' in page
    assert 'href="tel:02093123456"' in page


def test_deleted_file_fails_check_and_build_naming_the_path(make_site) -> None:
    root = make_site()
    out = build_site(root)
    before = (out / "1.001193/index.html").read_bytes()
    (root / "procedures/ho-tich/khai-sinh.md").unlink()
    result = CliRunner().invoke(main, ["check", "--project", str(root)])
    assert result.exit_code == 1
    line = published(root).index("/1.001193/") + 1
    assert f"{PUBLISHED_FILE}:{line}: lỗi: Địa chỉ /1.001193/ đã được công bố" in result.output
    assert "replaced_by: MÃ-MỚI" in result.output and "retired: NĂM-THÁNG-NGÀY" in result.output
    with pytest.raises(BuildFailed) as failed:
        build_site(root)
    assert "/1.001193/" in failed.value.problems.report()
    assert (out / "1.001193/index.html").read_bytes() == before, "old output kept"
    assert "/1.001193/" in published(root), "a failed build never shortens the list"


@pytest.mark.parametrize(
    ("replaced_by", "message"),
    [
        ("1.001193", "replaced_by: 1.001193 là chính mã của thủ tục này."),
        ("1.999999", "replaced_by: không có thủ tục nào mã 1.999999 trong trang."),
    ],
)
def test_replaced_by_must_name_another_procedure(make_site, replaced_by, message) -> None:
    root = make_site()
    edit(
        root / "procedures/ho-tich/khai-sinh.md",
        "updated:",
        f'replaced_by: "{replaced_by}"\nupdated:',
    )
    _, problems = check(BuildOptions(root))
    assert f"procedures/ho-tich/khai-sinh.md:11: lỗi: {message}" in problems.report()


def test_replaced_by_cycle_is_an_error(make_site) -> None:
    new = NEW_PROCEDURE.replace("---\n", '---\nreplaced_by: "1.001193"\n', 1)
    root = make_site({"procedures/ho-tich/lien-thong.md": new})
    edit(root / "procedures/ho-tich/khai-sinh.md", "updated:", 'replaced_by: "2.002000"\nupdated:')
    _, problems = check(BuildOptions(root))
    assert "replaced_by tạo thành vòng: 1.001193 → 2.002000 → 1.001193." in problems.report()


@pytest.mark.parametrize("alias", ["ho-tich", "a-z", "dat-dai"])
def test_alias_cannot_take_a_used_address(make_site, alias) -> None:
    root = make_site({"procedures/dat-dai/_index.md": "---\ntitle: Đất đai\n---\n"})
    edit(root / "procedures/ho-tich/_index.md", "order: 1", f"order: 1\naliases: [{alias}]")
    _, problems = check(BuildOptions(root))
    assert f"procedures/ho-tich/_index.md:4: lỗi: aliases: '{alias}' không dùng được" in (
        problems.report()
    )


def test_check_and_previews_write_nothing(make_site, tmp_path: Path) -> None:
    root = make_site()
    check(BuildOptions(root))
    build(BuildOptions(root, out=tmp_path / "o", qr=tmp_path / "q", record_published=False))
    assert not (root / PUBLISHED_FILE).exists()


def test_check_knows_every_page_the_build_renders(make_site) -> None:
    """`check` does not render; its list of addresses must cover what build renders."""
    root = make_site({"procedures/ho-tich/lien-thong.md": NEW_PROCEDURE})
    edit(root / "procedures/ho-tich/_index.md", "order: 1", "order: 1\naliases: [tu-phap]")
    edit(root / "procedures/ho-tich/khai-sinh.md", "updated:", 'replaced_by: "2.002000"\nupdated:')
    site = check(BuildOptions(root))[0].sites[0]
    assert site is not None
    build(BuildOptions(root, posters=False, record_published=False))
    out = root / "output"
    rendered = page_paths(p.relative_to(out).as_posix() for p in out.rglob("*.html"))
    assert rendered <= content_paths(site), "add new fixed pages to permanence.FIXED_PATHS"


def fetch_built(out: Path, path: str) -> str:
    with serving(out) as base:
        return fetch(base + path)


def test_a_missing_page_is_a_404_over_http(make_site) -> None:
    """The HTTP check above would notice a missing page: the server does say 404."""
    out = build_site(make_site())
    with serving(out) as base, pytest.raises(HTTPError) as missing:
        fetch(base + "1.000000/")
    assert missing.value.code == 404


def test_server_redirects_carry_the_base_path(make_site) -> None:
    root = make_site()
    edit(root / "procedures/ho-tich/_index.md", "order: 1", "order: 1\naliases: [tu-phap]")
    build(BuildOptions(root, posters=False, base_url="https://example.vn/xa/"))
    out = root / "output"
    assert "/xa/tu-phap/ /xa/ho-tich/ 301" in (out / "_redirects").read_text()
    assert "    /xa/tu-phap /xa/ho-tich/;" in (out / "nginx-redirects.conf").read_text()
    assert load_every_published_path(root, out)["/tu-phap/"]


@pytest.mark.parametrize(
    ("line", "words", "fix"),
    [
        ("https://thu.example.vn/1.001193/", "ghi cả địa chỉ web", "Viết /1.001193/ thay"),
        ("HTTP://other.example.vn/a/", "ghi cả địa chỉ web", "phần sau tên miền"),
        ("/1.001193", "thiếu dấu '/' ở cuối", "Viết /1.001193/:"),
        ("/ho tich/", "dấu cách ở ký tự thứ 4", "Xóa ký tự đó"),
        ("/1.001193/ # đã in", "dấu cách ở ký tự thứ 11", "bắt đầu bằng #"),
        ("/\ufeff1.001193/", "U+FEFF", "Xóa ký tự đó"),
        ("/\u200bho-tich/", "U+200B", "Xóa ký tự đó"),
        ("/../x/", "không phải đường dẫn", "Mỗi dòng"),
        ("/ho-tich//", "không phải đường dẫn", "Mỗi dòng"),
    ],
)
def test_a_hand_written_line_that_is_no_page_path_says_what_is_wrong_with_it(
    make_site, line: str, words: str, fix: str
) -> None:
    """Not "a published page is gone", which sent editors looking for a page that
    never was: the line itself is misformed (typed or pasted by hand)."""
    root = make_site()
    build_site(root)
    listed = (root / PUBLISHED_FILE).read_text(encoding="utf-8")
    (root / PUBLISHED_FILE).write_text(listed + line + "\n", encoding="utf-8")
    with pytest.raises(BuildFailed) as failed:
        build_site(root)
    [error] = failed.value.problems.errors
    assert (error.file, error.line) == (PUBLISHED_FILE, len(listed.splitlines()) + 1)
    assert words in error.message and fix in error.hint
    assert "không còn trang nào" not in error.message
