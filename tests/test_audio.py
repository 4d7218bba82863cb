"""Recordings (`audio:`): their length read from the headers, checked, copied, shown.
Chromium's decoder checks the same lengths in tests/test_reach_browser.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from thutuc.content.audio import duration_seconds
from thutuc.engine.pipeline import BuildOptions, build, check

AUDIO = Path(__file__).resolve().parent / "fixtures" / "audio"
# What each fixture was encoded as (tests/fixtures/audio/make_audio.py); an mp3 without a
# Xing header cannot say how much padding its encoder added, about a frame.
LENGTHS = {
    "tone-cbr.mp3": (3.0, 0.1),
    "tone-vbr.mp3": (4.0, 0.1),
    "tone.m4a": (2.5, 0.05),
    "tone-opus.ogg": (3.5, 0.02),
    "tone-vorbis.ogg": (2.0, 0.02),
}


@pytest.mark.parametrize("name", LENGTHS)
def test_the_length_is_read_from_the_headers(name: str) -> None:
    seconds, tolerance = LENGTHS[name]
    found = duration_seconds(AUDIO / name)
    assert found is not None and abs(found - seconds) <= tolerance, found


def test_an_id3_tag_before_the_first_frame_is_skipped(tmp_path: Path) -> None:
    data = (AUDIO / "tone-vbr.mp3").read_bytes()
    tag_body = b"\0" * 300
    size = bytes((len(tag_body) >> s) & 0x7F for s in (21, 14, 7, 0))
    tagged = tmp_path / "tagged.mp3"
    tagged.write_bytes(b"ID3\x04\x00\x00" + size + tag_body + data)
    assert duration_seconds(tagged) == duration_seconds(AUDIO / "tone-vbr.mp3")


@pytest.mark.parametrize("junk", [b"", b"not audio at all", b"OggS" + b"\0" * 40, b"\xff\xfb" * 3])
@pytest.mark.parametrize("suffix", [".mp3", ".m4a", ".ogg"])
def test_a_broken_file_has_no_length(tmp_path: Path, junk: bytes, suffix: str) -> None:
    path = tmp_path / f"broken{suffix}"
    path.write_bytes(junk)
    assert duration_seconds(path) is None


def procedure(audio: str) -> str:
    return (
        f'---\ncode: "1.001193"\ntitle: Đăng ký khai sinh\ndocuments: [Tờ khai]\n'
        f"processing_time: Trong ngày\nfee: Miễn phí\naudio: {audio}\n---\nNộp hồ sơ.\n"
    )


def test_a_recording_is_copied_and_shown_with_its_length_and_size(make_site) -> None:
    root = make_site(
        {
            "procedures/ho-tich/khai-sinh.md": procedure("khai-sinh.ogg"),
            "procedures/ho-tich/khai-sinh.ogg": (AUDIO / "tone-opus.ogg").read_bytes(),
        }
    )
    build(BuildOptions(root, posters=False, record_published=False))
    html = (root / "output/1.001193/index.html").read_text(encoding="utf-8")
    assert '<audio controls preload="none" src="../1.001193/khai-sinh.ogg"></audio>' in html
    assert "Bản ghi âm các điều chính (4 giây, 15 KB)." in html
    assert (root / "output/1.001193/khai-sinh.ogg").read_bytes() == (
        AUDIO / "tone-opus.ogg"
    ).read_bytes()


def test_a_translation_has_its_own_recording_or_says_it_is_vietnamese(make_site) -> None:
    site_yml = "name: Xã Thử\nbase_url: https://thu.example.vn/\nlanguages:\n  - code: en\n    name: English\n"
    files: dict[str, str | bytes | None] = {
        "site.yml": site_yml,
        "procedures/ho-tich/khai-sinh.md": procedure("khai-sinh.ogg"),
        "procedures/ho-tich/khai-sinh.ogg": (AUDIO / "tone-opus.ogg").read_bytes(),
        "procedures/ho-tich/khai-sinh.en.md": "---\ntitle: Birth\ndocuments: [Form]\nfee: Free\n---\n",
    }
    root = make_site(files)
    build(BuildOptions(root, posters=False, record_published=False))
    html = (root / "output/en/1.001193/index.html").read_text(encoding="utf-8")
    assert 'src="../../1.001193/khai-sinh.ogg"' in html  # the Vietnamese copy, not a second one
    assert "The recording is in Vietnamese." in html
    assert not (root / "output/en/1.001193/khai-sinh.ogg").exists()
    files["procedures/ho-tich/khai-sinh.en.md"] = (
        "---\ntitle: Birth\ndocuments: [Form]\nfee: Free\naudio: birth.m4a\n---\n"
    )
    files["procedures/ho-tich/birth.m4a"] = (AUDIO / "tone.m4a").read_bytes()
    root = make_site(files)
    build(BuildOptions(root, posters=False, record_published=False))
    html = (root / "output/en/1.001193/index.html").read_text(encoding="utf-8")
    assert 'src="../../en/1.001193/birth.m4a"' in html and "recording is in Vietnamese" not in html
    assert (root / "output/en/1.001193/birth.m4a").is_file()


@pytest.mark.parametrize(
    ("audio", "content", "words"),
    [
        ("khai-sinh.wav", b"RIFF", "không phải mp3, m4a hay ogg"),
        ("thieu.mp3", None, "không tìm thấy tệp ghi âm"),
        ("hong.mp3", b"this is not an mp3", "không đọc được độ dài"),
        ("../../../ngoai.mp3", None, "nằm ngoài thư mục trang"),
    ],
)
def test_a_bad_recording_is_an_error_naming_the_file_and_line(
    make_site, audio: str, content: bytes | None, words: str
) -> None:
    files: dict[str, str | bytes | None] = {"procedures/ho-tich/khai-sinh.md": procedure(audio)}
    if content is not None:
        files[f"procedures/ho-tich/{audio}"] = content
    _, problems = check(BuildOptions(make_site(files)))
    [error] = problems.errors
    assert error.file == "procedures/ho-tich/khai-sinh.md" and error.line == 7
    assert words in error.message


def test_replacing_the_recording_rebuilds_the_page(make_site) -> None:
    root = make_site(
        {
            "procedures/ho-tich/khai-sinh.md": procedure("khai-sinh.mp3"),
            "procedures/ho-tich/khai-sinh.mp3": (AUDIO / "tone-cbr.mp3").read_bytes(),
        }
    )
    build(BuildOptions(root, posters=False, record_published=False))
    (root / "procedures/ho-tich/khai-sinh.mp3").write_bytes((AUDIO / "tone-vbr.mp3").read_bytes())
    build(BuildOptions(root, posters=False, record_published=False))
    html = (root / "output/1.001193/index.html").read_text(encoding="utf-8")
    assert "(4 giây, 16 KB)" in html
    assert (root / "output/1.001193/khai-sinh.mp3").read_bytes() == (
        AUDIO / "tone-vbr.mp3"
    ).read_bytes()


def test_a_recording_with_a_space_or_a_hash_in_its_name_still_plays(make_site) -> None:
    name = "khai sinh #1.ogg"
    root = make_site(
        {
            "procedures/ho-tich/khai-sinh.md": procedure(f'"{name}"'),
            f"procedures/ho-tich/{name}": (AUDIO / "tone-opus.ogg").read_bytes(),
        }
    )
    build(BuildOptions(root, posters=False, record_published=False))
    html = (root / "output/1.001193/index.html").read_text(encoding="utf-8")
    assert 'src="../1.001193/khai%20sinh%20%231.ogg"' in html
    assert (root / "output/1.001193" / name).is_file()
