"""Reaching every resident, in Debian's chromium: the documents checklist, read-aloud,
recordings, the language switcher and notices, and Tai Viet and Khmer drawn with the
subset fonts on a phone that has no font for them.

The site is a tiny one built in a temporary folder, in Vietnamese, English, Tai Dam
(blt, written in Tai Viet) and Khmer. Its Tai Viet and Khmer strings are test strings
for fonts and shaping, not content. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import CHROMIUM_ARGS, MINIMAL_SITE, REPO, VIEWPORT, chromium_path, write_files
from test_browser import (
    ARTIFACTS,
    TAP_TARGETS_SMALLER_THAN_48,
    assert_no_axe_violations,
    axe_path,
    serve,
)
from test_languages import KHMER, TAI_VIET, TRANSLATION

from thutuc.content.audio import duration_seconds
from thutuc.engine.pipeline import BuildOptions, build

AUDIO = REPO / "tests" / "fixtures" / "audio"
RECORDINGS = ["tone-cbr.mp3", "tone-vbr.mp3", "tone.m4a", "tone-opus.ogg", "tone-vorbis.ogg"]
SITE_YML = textwrap.dedent(
    f"""\
    name: Xã Thử
    base_url: https://thu.example.vn/
    hotline: 0209 3 123 456
    stale_after_months: 0
    languages:
      - code: en
        name: English
      - code: blt
        name: Tai Dam {TAI_VIET}
      - code: km
        name: {KHMER}
    """
)


def recording_page(n: int, name: str) -> str:
    return textwrap.dedent(
        f"""\
        ---
        code: "1.10000{n}"
        title: Thủ tục có ghi âm {n}
        documents: [Tờ khai]
        processing_time: Trong ngày
        fee: Miễn phí
        audio: {name}
        ---
        Nộp hồ sơ.
        """
    )


@pytest.fixture(scope="module")
def reach_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("reach") / "site"
    files: dict[str, str | bytes] = {**MINIMAL_SITE, "site.yml": SITE_YML}
    files["procedures/ho-tich/khai-sinh.md"] = files["procedures/ho-tich/khai-sinh.md"].replace(  # type: ignore[union-attr]
        "  - Giấy chứng sinh\n", "  - Giấy chứng sinh\n  - Căn cước của người đi đăng ký\n"
    )
    files["procedures/ho-tich/khai-sinh.en.md"] = TRANSLATION
    files["procedures/ho-tich/khai-sinh.blt.md"] = TRANSLATION.replace(
        "Registering a birth", f"Font test {TAI_VIET}"
    )
    files["procedures/ho-tich/khai-sinh.km.md"] = TRANSLATION.replace(
        "Registering a birth", f"{KHMER} {KHMER}"
    )
    files["procedures/ho-tich/ket-hon.md"] = '---\ncode: "1.000894"\ntitle: Đăng ký kết hôn\n'
    files["procedures/ho-tich/ket-hon.md"] += "documents: [Tờ khai]\nprocessing_time: Trong ngày\n"
    files["procedures/ho-tich/ket-hon.md"] += "fee: Miễn phí\n---\nHai người cùng đến.\n"
    for n, name in enumerate(RECORDINGS):
        files[f"procedures/ghi-am/{name}"] = (AUDIO / name).read_bytes()
        files[f"procedures/ghi-am/p{n}.md"] = recording_page(n, name)
    files["procedures/ghi-am/_index.md"] = "---\ntitle: Ghi âm\n---\n"
    write_files(root, files)
    build(BuildOptions(root, posters=False, record_published=False))
    return root / "output"


@pytest.fixture(scope="module")
def url(reach_site: Path) -> Iterator[str]:
    server, address = serve(reach_site)
    yield address
    server.shutdown()


def extras_loaded(page: Any) -> None:
    page.wait_for_selector("html[data-procedure-extras]", state="attached")


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


# --- the documents checklist ------------------------------------------------------------


def status(page: Any) -> str:
    return page.inner_text("#con-thieu .checklist-status")


@pytest.mark.browser
def test_the_checklist_keeps_its_ticks_across_a_reload(page: Any, url: str) -> None:
    page.goto(url + "1.001193/")
    extras_loaded(page)
    boxes = page.get_by_role("checkbox")
    assert boxes.count() == 3
    assert status(page) == "Còn thiếu 3 giấy tờ"
    page.get_by_label("Giấy chứng sinh").check()
    page.get_by_label("Căn cước của người đi đăng ký").check()
    assert status(page) == "Còn thiếu 1 giấy tờ"
    shot(page, "checklist")
    page.reload()
    extras_loaded(page)
    assert page.get_by_label("Giấy chứng sinh").is_checked()
    assert not page.get_by_label("Tờ khai đăng ký khai sinh").is_checked()
    assert status(page) == "Còn thiếu 1 giấy tờ"
    page.get_by_label("Tờ khai đăng ký khai sinh").check()
    assert status(page) == "Đã đủ giấy tờ cần mang"
    page.get_by_role("button", name="Bỏ hết dấu tích").click()
    assert status(page) == "Còn thiếu 3 giấy tờ"
    page.reload()
    extras_loaded(page)
    assert [boxes.nth(i).is_checked() for i in range(3)] == [False, False, False]


@pytest.mark.browser
def test_the_checklist_is_accessible(page: Any, url: str) -> None:
    page.goto(url + "1.001193/")
    extras_loaded(page)
    assert page.get_attribute("#con-thieu .checklist-status", "role") == "status"  # announced
    for i in range(3):
        box = page.get_by_role("checkbox").nth(i).bounding_box()
        assert box["height"] >= 48 and box["width"] >= 48  # the whole row is the target
    assert not page.get_by_role("button", name="Bỏ hết dấu tích").is_visible()  # nothing to clear
    page.keyboard.press("Tab")
    page.focus("#giay-to-can-mang input")
    page.keyboard.press("Space")
    assert status(page) == "Còn thiếu 2 giấy tờ"


@pytest.mark.browser
def test_ticks_are_kept_per_procedure_and_language(page: Any, url: str) -> None:
    page.goto(url + "1.001193/")
    extras_loaded(page)
    page.get_by_label("Giấy chứng sinh").check()
    page.goto(url + "en/1.001193/")
    extras_loaded(page)
    assert status(page) == "2 papers still missing"  # English words, English ticks
    page.goto(url + "1.000894/")
    extras_loaded(page)
    assert not page.get_by_role("checkbox").first.is_checked()


@pytest.mark.browser
def test_without_javascript_the_documents_are_the_plain_list(browser: Any, url: str) -> None:
    ctx = browser.new_context(viewport=VIEWPORT, java_script_enabled=False)
    page = ctx.new_page()
    page.goto(url + "1.001193/")
    assert page.locator("#giay-to-can-mang li").count() == 3
    assert page.locator("input[type=checkbox]").count() == 0
    ctx.close()


# --- read-aloud ------------------------------------------------------------------------------

SPEECH_STUB = """
(() => {
  const voices = __VOICES__;
  let listed = [];
  window.spoken = [];
  window.cancelled = 0;
  class Utterance { constructor(text) { this.text = text; } }
  const synth = new EventTarget();
  synth.getVoices = () => listed;
  synth.speak = u => { window.spoken.push(u.text); window.lastVoice = u.voice && u.voice.lang;
                       setTimeout(() => u.onend && u.onend(), window.speechDelay || 5); };
  synth.cancel = () => { window.cancelled += 1; };
  Object.defineProperty(window, "speechSynthesis", { value: synth, configurable: true });
  window.SpeechSynthesisUtterance = Utterance;
  // Voices arrive late, as in Chrome: first an empty list, then voiceschanged.
  setTimeout(() => { listed = voices; synth.dispatchEvent(new Event("voiceschanged")); }, 200);
})();
"""


def stub_speech(page: Any, voices: str) -> None:
    page.add_init_script(SPEECH_STUB.replace("__VOICES__", voices))


@pytest.mark.browser
def test_read_aloud_reads_the_title_then_the_documents(page: Any, url: str) -> None:
    stub_speech(page, '[{lang: "en-US", name: "E"}, {lang: "vi-VN", name: "Tiếng Việt"}]')
    page.goto(url + "1.001193/")
    extras_loaded(page)
    papers = page.locator("#giay-to").bounding_box()["y"]  # before the voices arrive
    button = page.get_by_role("button", name="Nghe đọc")
    button.wait_for()
    # beside the share button, in the row kept for it: nothing below moves at 360 px
    assert (
        button.bounding_box()["y"]
        == page.get_by_role("button", name="Chia sẻ trang này").bounding_box()["y"]
    )
    assert page.locator("#giay-to").bounding_box()["y"] == papers
    # 150 ms a sentence: the reading outlasts the click's round trip on a loaded
    # machine (at 5 ms it could end before the stop button was looked for)
    page.evaluate("window.speechDelay = 150")
    button.click()
    page.get_by_role("button", name="■ Dừng").wait_for()  # the stop button while reading
    page.get_by_role("button", name="Nghe đọc").wait_for()  # read to the end
    spoken = page.evaluate("window.spoken")
    assert spoken[0] == "Đăng ký khai sinh"
    assert spoken[1:3] == ["Làm giấy khai sinh cho trẻ mới sinh.", "Giấy tờ cần mang"]
    assert spoken[3:6] == [
        "Tờ khai đăng ký khai sinh",
        "Giấy chứng sinh",
        "Căn cước của người đi đăng ký",
    ]
    assert "Thời gian giải quyết: Trong ngày" in spoken  # key facts, then the steps
    assert spoken.index("Nộp hồ sơ.") > spoken.index("Thời gian giải quyết: Trong ngày")
    assert spoken[-1] == "Nhận giấy khai sinh."
    assert page.evaluate("window.lastVoice") == "vi-VN"
    # Stopping halfway: a sentence takes a second now
    page.evaluate("window.spoken = []; window.cancelled = 0; window.speechDelay = 1000")
    page.get_by_role("button", name="Nghe đọc").click()
    stop = page.get_by_role("button", name="■ Dừng")
    assert stop.get_attribute("aria-pressed") == "true"
    stop.click()
    page.wait_for_timeout(1500)
    assert page.evaluate("window.spoken") == ["Đăng ký khai sinh"]  # nothing after the stop
    assert page.evaluate("window.cancelled") >= 2
    assert page.get_by_role("button", name="Nghe đọc").get_attribute("aria-pressed") == "false"


@pytest.mark.browser
def test_an_english_page_reads_with_an_english_voice(page: Any, url: str) -> None:
    stub_speech(page, '[{lang: "vi-VN", name: "V"}, {lang: "en_GB", name: "E"}]')
    page.goto(url + "en/1.001193/")
    page.get_by_role("button", name="Listen").click()
    page.wait_for_function("window.spoken.length > 2")
    assert page.evaluate("window.spoken")[0] == "Registering a birth"
    assert page.evaluate("window.lastVoice") == "en_GB"


@pytest.mark.browser
@pytest.mark.parametrize(
    ("voices", "agent"),
    [
        ("[]", ""),  # no voice at all
        ('[{lang: "en-US", name: "E"}]', ""),  # no Vietnamese voice
        ('[{lang: "vi-VN", name: "V"}]', "Zalo"),  # Zalo's in-app browser
    ],
)
def test_no_voice_for_the_page_no_button(browser: Any, url: str, voices: str, agent: str) -> None:
    user_agent = (
        "Mozilla/5.0 (Linux; Android 11; SM-A125F; wv) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Version/4.0 Chrome/120.0 Mobile Safari/537.36 Zalo android/12110801 ZaloTheme/light"
    )
    ctx = browser.new_context(viewport=VIEWPORT, **({"user_agent": user_agent} if agent else {}))
    page = ctx.new_page()
    stub_speech(page, voices)
    page.goto(url + "1.001193/")
    extras_loaded(page)
    page.wait_for_timeout(3300)  # past every second look for voices
    assert page.locator("button.listen").count() == 0
    assert page.get_by_role("button", name="Chia sẻ trang này").count() == 1
    ctx.close()


@pytest.mark.browser
def test_without_speech_synthesis_no_button(page: Any, url: str) -> None:
    page.add_init_script("delete window.speechSynthesis; delete window.SpeechSynthesisUtterance")
    page.goto(url + "1.001193/")
    extras_loaded(page)
    page.wait_for_timeout(1200)
    assert page.locator("button.listen").count() == 0


# --- recordings --------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.parametrize("n", range(len(RECORDINGS)))
def test_a_recording_plays_from_the_site_with_its_length_shown(
    page: Any, url: str, reach_site: Path, n: int
) -> None:
    name = RECORDINGS[n]
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(url + f"1.10000{n}/")
    audio = page.locator("figure.audio audio")
    assert audio.get_attribute("controls") is not None
    assert audio.get_attribute("preload") == "none"
    page.wait_for_load_state("networkidle")
    assert not [r for r in requested if r.endswith(name)], "fetched before a tap"
    seconds = duration_seconds(AUDIO / name)
    assert seconds is not None
    caption = page.inner_text("figure.audio figcaption")
    assert f"{max(1, round(seconds))} giây" in caption and "KB" in caption
    served = page.request.get(url + f"1.10000{n}/{name}")
    assert served.status == 200 and served.body() == (AUDIO / name).read_bytes()
    # Chromium's own decoder agrees with the length read from the headers.
    browser_seconds = page.evaluate(
        """() => { const a = document.querySelector('figure.audio audio');
           // The served bytes, whole (this test server answers no range requests, which
           // Chromium needs to find an Ogg file's end), decoded by Chromium itself.
           return fetch(a.src).then(r => r.blob()).then(blob => new Promise((ok, fail) => {
             const probe = new Audio();
             probe.onloadedmetadata = () => ok(probe.duration);
             probe.onerror = () => fail(String(probe.error && probe.error.code));
             setTimeout(() => fail('no length after 10 s'), 10000);
             probe.preload = 'metadata'; probe.src = URL.createObjectURL(blob); })); }"""
    )
    assert abs(browser_seconds - seconds) < 0.15, (name, browser_seconds, seconds)
    if n == 0:
        shot(page, "recording")


# --- languages -----------------------------------------------------------------------------------


@pytest.mark.browser
def test_the_switcher_goes_to_the_same_page_in_each_language(page: Any, url: str) -> None:
    page.goto(url + "1.001193/")
    page.click("nav.langs >> text=English")
    assert page.url == url + "en/1.001193/"
    assert page.inner_text("h1") == "Registering a birth"
    assert page.evaluate("document.documentElement.lang") == "en"
    shot(page, "english-procedure")
    page.click("nav.langs >> text=Tiếng Việt")
    assert page.url == url + "1.001193/" and page.inner_text("h1") == "Đăng ký khai sinh"
    page.goto(url + "ho-tich/")
    page.click(f"nav.langs >> text={KHMER}")
    assert page.url == url + "km/ho-tich/"


@pytest.mark.browser
def test_an_untranslated_page_says_so_in_its_language(page: Any, url: str) -> None:
    response = page.goto(url + "en/1.000894/")
    assert response.status == 200  # never a 404
    notice = page.locator("main .notice").first
    assert (
        notice.inner_text() == "This page is not in English yet. Below is the Vietnamese version."
    )
    assert notice.get_attribute("lang") == "en"
    assert page.get_attribute("main", "lang") == "vi"
    assert page.inner_text("h1") == "Đăng ký kết hôn"
    shot(page, "english-fallback")


@pytest.mark.browser
def test_hreflang_links_in_the_page(page: Any, url: str) -> None:
    page.goto(url + "1.001193/")
    links = page.eval_on_selector_all(
        "link[rel=alternate]", "els => els.map(e => [e.hreflang, e.getAttribute('href')])"
    )
    assert links == [
        ["vi", "https://thu.example.vn/1.001193/"],
        ["en", "https://thu.example.vn/en/1.001193/"],
        ["blt", "https://thu.example.vn/blt/1.001193/"],
        ["km", "https://thu.example.vn/km/1.001193/"],
        ["x-default", "https://thu.example.vn/1.001193/"],
    ]
    page.goto(url + "1.000894/")
    assert page.locator("link[rel=alternate]").count() == 0


@pytest.mark.browser
def test_search_in_english_finds_english_titles(page: Any, url: str) -> None:
    page.goto(url + "en/")
    page.wait_for_selector("html[data-enhanced]", state="attached")
    page.fill("#q", "birth")
    page.wait_for_selector(".results li")
    assert page.inner_text(".search-status") == "Found 1 procedure"
    page.click(".results a")
    assert page.url == url + "en/1.001193/"


# --- fonts: a phone without Tai Viet and Khmer fonts ----------------------------------------------

NO_SCRIPT_FONTS = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <selectfont><rejectfont>
    <glob>*NotoSansTaiViet*</glob><glob>*NotoSansKhmer*</glob><glob>*NotoSerifKhmer*</glob>
    <glob>*NotoSansCham*</glob>
  </rejectfont></selectfont>
</fontconfig>
"""


@pytest.fixture(scope="module")
def bare_phone(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Chromium with fontconfig hiding every installed Tai Viet, Khmer and Cham font,
    as on a phone that has none: only the site's subset fonts can draw them."""
    conf = tmp_path_factory.mktemp("fontconfig") / "fonts.conf"
    conf.write_text(NO_SCRIPT_FONTS)
    env = {"FONTCONFIG_FILE": str(conf), "HOME": str(conf.parent)}
    chromium = browser.browser_type.launch(
        executable_path=chromium_path(), args=CHROMIUM_ARGS, env=env
    )
    yield chromium
    chromium.close()


def glyph_shots(page: Any, letters: str) -> list[tuple[bytes, float]]:
    """Each letter drawn alone: its picture and its width."""
    page.evaluate(
        """letters => { const box = document.createElement('div'); box.id = 'glyphs';
           box.style.cssText = 'font-size:48px;line-height:1;background:#fff';
           for (const ch of letters) { const s = document.createElement('span');
             s.textContent = ch; s.style.cssText = 'display:inline-block;padding:4px'; box.append(s); }
           document.querySelector('main').prepend(box); }""",
        letters,
    )
    page.evaluate("document.fonts.ready")
    spans = page.locator("#glyphs span")
    return [
        (spans.nth(i).screenshot(), spans.nth(i).bounding_box()["width"])
        for i in range(spans.count())
    ]


def fonts_drawing(page: Any, selector: str) -> dict[str, int]:
    """The fonts Chromium drew an element's text with (DevTools), by PostScript name,
    each with its glyph count; a web font's name is marked with "*"."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    used = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    return {f["postScriptName"] + ("*" if f["isCustomFont"] else ""): f["glyphCount"] for f in used}


def faces(page: Any) -> list[list[str]]:
    return page.evaluate("[...document.fonts].map(f => [f.family.replace(/\"/g, ''), f.status])")


@pytest.mark.browser
def test_tai_viet_draws_with_the_subset_font_and_boxes_without_it(
    bare_phone: Any, url: str
) -> None:
    fetched: list[str] = []
    ctx = bare_phone.new_context(viewport=VIEWPORT)
    page = ctx.new_page()
    page.on("requestfinished", lambda r: fetched.append(r.url))
    page.goto(url + "blt/1.001193/")
    page.evaluate("document.fonts.ready")
    assert ["Thutuc Tai Viet", "loaded"] in faces(page)
    assert url + "fonts/tai-viet.woff2" in fetched
    # the page's own heading (bold: synthesised from the regular face) and the switcher
    assert fonts_drawing(page, "h1").get("NotoSansTaiViet-Regular*") == 3
    assert fonts_drawing(page, "nav.langs li:last-child a").get("NotoSansKhmer-Regular*")
    drawn = glyph_shots(page, TAI_VIET)
    assert len({picture for picture, _ in drawn}) == 3  # three letters, three shapes
    shot(page, "tai-viet-font")
    ctx.close()

    ctx = bare_phone.new_context(viewport=VIEWPORT)
    page = ctx.new_page()
    page.route("**/fonts/*.woff2", lambda route: route.abort())
    page.goto(url + "blt/1.001193/")
    blocked = glyph_shots(page, TAI_VIET)
    assert ["Thutuc Tai Viet", "error"] in faces(page)
    # the same missing-glyph box for every letter: one width, and never the letter's shape
    assert len({round(width, 1) for _, width in blocked}) == 1, blocked
    assert all(b[0] != d[0] for b, d in zip(blocked, drawn, strict=True))
    shot(page, "tai-viet-blocked")
    ctx.close()


@pytest.mark.browser
def test_khmer_is_shaped_with_the_subset_font(bare_phone: Any, url: str) -> None:
    ctx = bare_phone.new_context(viewport=VIEWPORT)
    page = ctx.new_page()
    page.goto(url + "km/1.001193/")
    page.evaluate("document.fonts.ready")
    widths = page.evaluate(
        """word => { const m = (t) => { const s = document.createElement('span'); s.textContent = t;
             s.style.cssText = 'font-size:40px;white-space:pre'; document.body.append(s);
             const w = s.getBoundingClientRect().width; s.remove(); return w; };
           return [m(word), [...word].map(m).reduce((a, b) => a + b, 0)]; }""",
        KHMER,
    )
    whole, apart = widths
    # The subscript consonant sits under its base and the vowel sign joins it: shaped, the
    # word is much narrower than its characters side by side (each with a dotted circle).
    assert whole < 0.75 * apart, widths
    assert ["Thutuc Khmer", "loaded"] in faces(page)
    assert fonts_drawing(page, "h1").get("NotoSansKhmer-Regular*")
    shot(page, "khmer-font")
    ctx.close()


@pytest.mark.browser
@pytest.mark.parametrize(
    "path", ["1.001193/", "1.100000/", "km/1.001193/", "blt/ho-tich/", "en/1.000894/"]
)
def test_checklist_recordings_and_languages_pass_axe_and_tap_sizes(
    page: Any, url: str, path: str
) -> None:
    axe = axe_path()
    stub_speech(page, '[{lang: "vi-VN", name: "V"}]')
    page.goto(url + path)
    page.wait_for_selector("html[data-enhanced]", state="attached")
    if "ho-tich" not in path:
        extras_loaded(page)
    if path == "1.001193/":
        page.get_by_role("checkbox").first.check()  # with the clear button showing
        page.get_by_role("button", name="Nghe đọc").wait_for()
    assert page.evaluate(TAP_TARGETS_SMALLER_THAN_48) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORT["width"]
    assert_no_axe_violations(page, axe)
