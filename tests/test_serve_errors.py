"""`serve` as a real process: a save that breaks the build puts an error page in
place of the preview; the next good save brings the page back."""

from __future__ import annotations

import urllib.error
import urllib.request

from test_serve import fetch, start_serve, stop, wait_for


def fetch_any(url: str) -> tuple[int, str]:
    """Status and body, for an error page (HTTP 500) as for a page."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8")


def test_a_bad_save_shows_an_error_page_and_a_fix_brings_the_page_back(make_site) -> None:
    root = make_site()
    server, base = start_serve(root)
    try:
        first = wait_for(lambda: fetch(base + "__thutuc_build"))
        assert "<h1>Đăng ký khai sinh</h1>" in fetch(base + "1.001193/")
        source = root / "procedures/ho-tich/khai-sinh.md"
        good = source.read_text(encoding="utf-8")
        source.write_text(good.replace("title: Đăng ký khai sinh", "title: Khai sinh: cho con"))
        broken = wait_for(lambda: (n := fetch(base + "__thutuc_build")) != first and n)
        status, page = fetch_any(base + "1.001193/")
        assert status == 500
        assert "<h1>Chưa xem trước được: có lỗi</h1>" in page
        assert "procedures/ho-tich/khai-sinh.md:3: lỗi: Viết sai cú pháp YAML" in page
        assert "__thutuc_build" in page  # it reloads itself once the file is fixed
        assert fetch_any(base)[0] == 500  # every page, not only the one edited
        source.write_text(good.replace("Đăng ký khai sinh", "Khai sinh cho con"))
        wait_for(lambda: fetch(base + "__thutuc_build") != broken)
        status, page = fetch_any(base + "1.001193/")
        assert status == 200 and "<h1>Khai sinh cho con</h1>" in page
        assert "Chưa xem trước được" not in page
    finally:
        stop(server)
