"""The build engine: incremental, all or nothing, byte-identical to a cold build, stoppable."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import REPO, as_from_a_terminal, files_of, write_files

from thutuc.engine import staging
from thutuc.engine.pipeline import BuildOptions, build
from thutuc.problems import BuildFailed


def procedure(code: str, title: str, fee: str = "Miễn phí", body: str = "Nộp hồ sơ.") -> str:
    return textwrap.dedent(
        f"""\
        ---
        code: "{code}"
        title: {title}
        documents: [Tờ khai]
        processing_time: Trong ngày
        fee: {fee}
        ---
        ## Các bước

        {body}
        """
    )


def many(count: int) -> dict[str, str]:
    files = {
        "site.yml": "name: Xã Lớn\nbase_url: https://lon.example.vn/\nstale_after_months: 0\n",
        "procedures/ho-tich/_index.md": "---\ntitle: Hộ tịch\n---\n",
        "procedures/dat-dai/_index.md": "---\ntitle: Đất đai\n---\n",
    }
    for n in range(count):
        field = "ho-tich" if n % 2 else "dat-dai"
        files[f"procedures/{field}/p{n}.md"] = procedure(f"1.{n:06d}", f"Thủ tục số {n}")
    return files


def inodes(folder: Path) -> dict[str, int]:
    return {
        p.relative_to(folder).as_posix(): p.stat().st_ino for p in folder.rglob("*") if p.is_file()
    }


def test_nothing_changed_builds_nothing(make_site) -> None:
    root = make_site()
    build(BuildOptions(root, posters=False))
    before = inodes(root / "output")
    again = build(BuildOptions(root, posters=False))
    assert again.unchanged and again.made == 0
    assert inodes(root / "output") == before


def test_one_body_edit_rebuilds_its_page_and_the_service_worker(tmp_path: Path) -> None:
    root = write_files(tmp_path / "site", many(30))
    build(BuildOptions(root, posters=False))
    before = inodes(root / "output")
    path = root / "procedures/dat-dai/p4.md"
    path.write_text(path.read_text().replace("Nộp hồ sơ.", "Nộp hồ sơ ở tầng 2."))
    result = build(BuildOptions(root, posters=False))
    after = inodes(root / "output")
    changed = {p for p in after if after[p] != before.get(p)}
    assert changed == {"1.000004/index.html", "sw.js"}, changed
    assert "tầng 2" in (root / "output/1.000004/index.html").read_text()
    assert result.made == 2 and result.reused > 60


def test_a_title_edit_rebuilds_every_list_that_shows_it(tmp_path: Path) -> None:
    root = write_files(tmp_path / "site", many(30))
    build(BuildOptions(root, posters=False))
    before, codes = inodes(root / "output"), inodes(root / "qr")
    path = root / "procedures/ho-tich/p5.md"
    path.write_text(path.read_text().replace("Thủ tục số 5", "Thủ tục số năm"))
    build(BuildOptions(root, posters=False))
    after = inodes(root / "output")
    changed = {p for p in after if after[p] != before.get(p)}
    expected = {"1.000005/index.html", "ho-tich/index.html", "a-z/index.html", "index.html"}
    assert changed == expected | {"search.json", "sw.js"}, changed
    after_codes = inodes(root / "qr")
    assert {p for p in after_codes if after_codes[p] != codes.get(p)} == {"thu-tuc-1.000005.svg"}


def test_an_edit_build_folds_the_words_of_only_the_procedures_it_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The search words and sorting title of each summary are folded in the worker
    that read it and kept in the build state with its record, so the search index
    and the A-Z list of an edit build fold only the procedures it read again."""
    from thutuc.content import model

    root = write_files(tmp_path / "site", many(60))  # enough to read in the workers
    build(BuildOptions(root, posters=False, jobs=2))
    folded: list[tuple[str, ...]] = []  # the texts of each call
    real = model.distinct_words
    monkeypatch.setattr(model, "distinct_words", lambda *a, **k: folded.append(a) or real(*a, **k))
    path = root / "procedures/ho-tich/p5.md"
    path.write_text(path.read_text().replace("Thủ tục số 5", "Thủ tục số năm"))
    build(BuildOptions(root, posters=False, jobs=2))
    assert folded == [("1.000005",)], folded
    assert_output_is_a_cold_builds(root, tmp_path / "cold")


def test_the_project_named_another_way_keeps_its_build_state(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_files(tmp_path / "site", many(30))
    monkeypatch.chdir(root)
    build(BuildOptions(Path("."), posters=False))
    path = root / "procedures/dat-dai/p4.md"
    for spelling in (root, tmp_path / "site/../site", Path("../site")):
        path.write_text(path.read_text() + f"\nSửa theo {spelling}.\n")
        result = build(BuildOptions(spelling, posters=False))
        assert result.made == 2, (spelling, result.made)


EDITS = {
    "procedures/ho-tich/p1.md": procedure("1.000001", "Thủ tục một", "8.000 đồng", "Sửa."),
    "procedures/dat-dai/moi.md": procedure("1.999999", "Thủ tục mới"),
    "site.yml": "name: Xã Lớn\nbase_url: https://lon.example.vn/\nhotline: 0209 1 000 000\n"
    "stale_after_months: 0\n",
    "templates/_footer.html": "<footer><p>{{ site.name }} – chân trang riêng</p></footer>\n",
}


def cold_build_in_a_fresh_process(root: Path, out: Path, qr: Path, *flags: str) -> None:
    command = [sys.executable, str(REPO / "build.py"), "build", "--project", str(root)]
    command += ["--out", str(out), "--qr", str(qr), "-q", *flags]
    done = subprocess.run(
        command, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(REPO)}
    )
    assert done.returncode == 0, done.stderr


def assert_output_is_a_cold_builds(root: Path, cold: Path) -> None:
    """`root`'s output/ equals a --no-posters cold build, in a fresh process, of a copy
    of its sources (a copy: that build records published-urls.txt, a new file that
    would make the next build in `root` key everything again)."""
    shutil.copytree(root, cold, ignore=shutil.ignore_patterns("output", "qr", ".thutuc-*"))
    cold_build_in_a_fresh_process(cold, cold / "out", cold / "qr", "--no-posters")
    assert files_of(root / "output") == files_of(cold / "out")


def test_an_incremental_build_equals_a_cold_build_in_a_fresh_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A same-process comparison would share warm caches: the cold build runs alone.
    Here every build renders in the workers (a site this small would render in the
    main process, as the fresh cold build does), so the two ways are compared too."""
    from thutuc.engine import outputs
    from thutuc.engine.pool import Pool

    monkeypatch.setattr(outputs, "POOL_START_MS", 0.0)
    mapped: list[int] = []
    real_map = Pool.map

    def counted_map(self: Pool, function: object, items: list, affinity: object) -> object:
        mapped.append(len(items))
        return real_map(self, function, items, affinity)  # type: ignore[arg-type]

    monkeypatch.setattr(Pool, "map", counted_map)
    root = write_files(tmp_path / "site", many(60))
    options = BuildOptions(root, posters=False, record_published=False, jobs=2)
    build(options)
    for rel, text in EDITS.items():
        write_files(root, {rel: text})
        build(options)
    (root / "procedures/dat-dai/p10.md").unlink()  # never published: may go
    build(options)
    assert len(mapped) >= 2 + len(EDITS)  # reading the cold build, and every build's pages
    cold = tmp_path / "cold"
    cold_build_in_a_fresh_process(root, cold / "out", cold / "qr", "--no-posters")
    assert files_of(root / "output") == files_of(cold / "out")
    assert files_of(root / "qr") == files_of(cold / "qr")
    assert "chân trang riêng" in (root / "output/index.html").read_text()


def translated(count: int) -> dict[str, str]:
    """`many(count)` in Vietnamese and English, every third procedure translated."""
    files = many(count)
    files["site.yml"] += "languages:\n  - code: en\n    name: English\n"
    files["procedures/ho-tich/_index.en.md"] = "---\ntitle: Civil status\n---\n"
    for n in range(0, count, 3):
        field = "ho-tich" if n % 2 else "dat-dai"
        files[f"procedures/{field}/p{n}.en.md"] = (
            f"---\ntitle: Procedure number {n}\ndocuments: [Form]\nfee: Free\n---\nHand it in.\n"
        )
    return files


def test_with_translations_an_incremental_build_equals_a_cold_build(tmp_path: Path) -> None:
    root = write_files(tmp_path / "site", translated(30))
    build(BuildOptions(root, posters=False, record_published=False))
    before = inodes(root / "output")
    edits = {  # a translation, then its source, then a new translation
        "procedures/dat-dai/p6.en.md": "---\ntitle: Procedure six\ndocuments: [Form]\nfee: Free\n---\nUpstairs.\n",
        "procedures/dat-dai/p6.md": procedure("1.000006", "Thủ tục số 6", body="Tầng 2."),
        "procedures/ho-tich/p1.en.md": "---\ntitle: Procedure one\ndocuments: [Form]\nfee: Free\n---\n",
    }
    changed: list[set[str]] = []
    for rel, text in edits.items():
        write_files(root, {rel: text})
        build(BuildOptions(root, posters=False, record_published=False))
        after = inodes(root / "output")
        changed.append({p for p in after if after[p] != before.get(p)})
        before = after
    # the body of a translation shows on its page only; its title on the English lists too
    assert {"en/1.000006/index.html", "en/dat-dai/index.html", "en/a-z/index.html"} <= changed[0]
    assert not {p for p in changed[0] if not p.startswith("en/")} - {"sw.js"}, changed[0]
    assert "1.000006/index.html" in changed[1]  # the Vietnamese page; the English keeps its body
    cold = tmp_path / "cold"
    cold_build_in_a_fresh_process(root, cold / "out", cold / "qr", "--no-posters")
    assert files_of(root / "output") == files_of(cold / "out")
    english = (root / "output/en/1.000006/index.html").read_text()
    assert "Upstairs." in english and "Tầng 2." not in english
    assert "Tầng 2." in (root / "output/1.000006/index.html").read_text()
    # a translation without a body shows the Vietnamese steps, marked as Vietnamese
    assert '<div class="steps" lang="vi">' in (root / "output/en/1.000001/index.html").read_text()


@pytest.mark.slow
def test_with_posters_an_edit_redraws_only_the_posters_that_show_it(tmp_path: Path) -> None:
    root = write_files(tmp_path / "site", many(6))
    build(BuildOptions(root, record_published=False))
    before = inodes(root / "qr")
    path = root / "procedures/dat-dai/p2.md"
    path.write_text(path.read_text().replace("Miễn phí", "10.000 đồng"))
    build(BuildOptions(root, record_published=False))
    after = inodes(root / "qr")
    changed = {p for p in after if after[p] != before.get(p)}
    redrawn = {p for p in changed if p.startswith(("ap-phich/", "xem-truoc/"))}
    assert redrawn == {
        f"{kind}/{name}"
        for kind, ext in (("ap-phich", "pdf"), ("xem-truoc", "png"))
        for name in (f"the-1.000002.{ext}", f"to-roi-1.000002.{ext}")
    }, redrawn
    cold = tmp_path / "cold"
    cold_build_in_a_fresh_process(root, cold / "out", cold / "qr")
    assert files_of(root / "qr") == files_of(cold / "qr")


@pytest.mark.slow
def test_no_posters_leaves_the_posters_already_printed(tmp_path: Path) -> None:
    root = write_files(tmp_path / "site", many(4))
    build(BuildOptions(root, record_published=False))
    posters = {p: b for p, b in files_of(root / "qr").items() if not p.endswith(".svg")}
    path = root / "procedures/dat-dai/p2.md"
    path.write_text(path.read_text().replace("Miễn phí", "10.000 đồng"))
    build(BuildOptions(root, posters=False, record_published=False))
    now = files_of(root / "qr")
    assert {p: now.get(p) for p in posters} == posters
    assert "10.000 đồng" in (root / "output/1.000002/index.html").read_text()


def outdated_print(result) -> set[str]:
    return {p.file for p in result.problems.warnings if "--no-posters" in p.message}


@pytest.mark.slow
def test_print_material_kept_by_no_posters_is_flagged_when_what_it_prints_changed(
    tmp_path: Path,
) -> None:
    """Posters and PNG codes a --no-posters build keeps may print an old fee or open
    an old address once what they show changed: each such file is warned about, on
    that build and the next ones, until posters are drawn again; the others not."""
    files = many(4)
    files["site.yml"] += "languages:\n  - code: en\n    name: English\n    posters: bilingual\n"
    files["procedures/dat-dai/p2.en.md"] = "---\ntitle: Number two\nfee: Free\n---\nHand it in.\n"
    root = write_files(tmp_path / "site", files)
    with_posters = BuildOptions(root, record_published=False)
    no_posters = BuildOptions(root, posters=False, record_published=False)
    build(with_posters)
    printed = {f"qr/{p}" for p in files_of(root / "qr") if not p.endswith(".svg") and p[0] != "."}
    assert not outdated_print(build(no_posters))  # nothing changed: the posters are current

    def of(code: str) -> set[str]:  # a procedure's card and leaflet, its English card
        return {f for f in printed if f"-{code}." in f} - {f"qr/thu-tuc-{code}.png"}

    edit = root / "procedures/dat-dai/p2.md"  # a fee: the Vietnamese and English cards
    edit.write_text(edit.read_text().replace("Miễn phí", "10.000 đồng"))
    flagged = outdated_print(build(no_posters))
    assert "qr/ap-phich/the-1.000002.en.pdf" in of("1.000002"), printed
    assert flagged == of("1.000002") | {"qr/index.html"}, flagged  # and the contact sheet
    assert outdated_print(build(no_posters)) == flagged  # told again until drawn

    edit = root / "procedures/ho-tich/p3.md"  # a title: the lists too, not the codes
    edit.write_text(edit.read_text().replace("Thủ tục số 3", "Thủ tục số ba"))
    flagged = outdated_print(build(no_posters))
    lists = {f for f in printed if "bang-linh-vuc" in f or "ap-phich-" in f or "nhan-dan" in f}
    assert lists and lists | of("1.000003") | of("1.000002") <= flagged, flagged
    assert not {f for f in flagged if f.endswith(".png") and "/" not in f[3:]}, flagged

    edit.write_text(edit.read_text().replace('code: "1.000003"', 'code: "1.000033"'))
    flagged = outdated_print(build(no_posters))  # a code: every poster, and its old PNG code
    png_codes = {f for f in printed if f.endswith(".png") and "/" not in f[3:]}
    assert flagged == printed - png_codes | {"qr/thu-tuc-1.000003.png"}, flagged ^ printed
    assert not outdated_print(build(with_posters))


@pytest.mark.slow
def test_every_print_file_a_poster_build_would_change_is_flagged(tmp_path: Path) -> None:
    """The flags are checked against drawing: after each kind of edit built with
    --no-posters, a copy of the sources is built cold with posters, and every print
    file the copy draws differently from the one kept must have been flagged."""
    files = many(6)
    files["site.yml"] += "languages:\n  - code: en\n    name: English\n    posters: bilingual\n"
    files["procedures/dat-dai/p2.en.md"] = "---\ntitle: Number two\nfee: Free\n---\nHand it in.\n"
    root = write_files(tmp_path / "site", files)
    build(BuildOptions(root, record_published=False))
    p2, p3, p4 = (
        root / f"procedures/{f}/p{n}.md"
        for f, n in (("dat-dai", 2), ("ho-tich", 3), ("dat-dai", 4))
    )
    edits = [  # (file, old, new): each kind of thing a print file may show
        (p2, "Nộp hồ sơ.", "Nộp hồ sơ ở tầng 2."),  # a body: its leaflet
        (p2, "processing_time: Trong ngày", "processing_time: 3 ngày"),  # its card, English too
        (root / "procedures/dat-dai/p2.en.md", "fee: Free", "fee: 10,000 dong"),  # the English card
        (p3, "Thủ tục số 3", "Thủ tục số ba"),  # a title: the lists
        (p4, "documents: [Tờ khai]", "documents: [Tờ khai, Sổ hộ khẩu]"),
        (p3, "fee: Miễn phí", 'fee: Miễn phí\nreplaced_by: "1.000005"'),  # a replacement
        (p4, 'code: "1.000004"', 'code: "1.000044"'),  # a code: a new address
    ]
    for n, (path, old, text) in enumerate(edits):
        assert old in path.read_text(), (path, old)
        path.write_text(path.read_text().replace(old, text))
        flagged = outdated_print(build(BuildOptions(root, posters=False, record_published=False)))
        copy = tmp_path / f"drawn-{n}"  # its sources only: drawn cold
        ignored = shutil.ignore_patterns(".thutuc-cache", "output", "qr")
        shutil.copytree(root, copy, symlinks=True, ignore=ignored)
        build(BuildOptions(copy, record_published=False))
        kept, drawn = files_of(root / "qr"), files_of(copy / "qr")
        redrawn = {f"qr/{p}" for p in kept if p in drawn and kept[p] != drawn[p]}
        assert redrawn - {f"qr/{p}" for p in kept if p.endswith(".svg")} <= flagged, (
            f"edit {n}: not flagged: {redrawn - flagged}"
        )


@pytest.mark.slow
def test_print_material_drawn_for_another_print_shop_setting_is_flagged(tmp_path: Path) -> None:
    """--print-shop changes every poster (bleed, crop marks), not the PNG codes:
    posters drawn with or without it are all flagged by a --no-posters build that
    asks for the other."""
    root = write_files(tmp_path / "site", many(2))
    build(BuildOptions(root, record_published=False))
    posters = {f"qr/{p}" for p in files_of(root / "qr") if p.startswith("ap-phich/")}
    shop = BuildOptions(root, posters=False, print_shop=True, record_published=False)
    flagged = outdated_print(build(shop))
    assert posters <= flagged
    assert not {f for f in flagged if f.endswith(".png") and "/" not in f[3:]}  # the codes
    build(BuildOptions(root, print_shop=True, record_published=False))
    plain = BuildOptions(root, posters=False, record_published=False)
    assert posters <= outdated_print(build(plain))
    assert not outdated_print(build(BuildOptions(root, record_published=False)))


def test_print_material_is_named_in_the_folder_qr_points_to(tmp_path: Path) -> None:
    """With --qr outside the project, a warning names the poster where it is, in
    full, not as qr/... under the project, where there is no such file."""
    root = write_files(tmp_path / "site", many(4))
    options = BuildOptions(root, qr=tmp_path / "in-an", record_published=False)
    build(options)
    path = root / "procedures/dat-dai/p2.md"
    path.write_text(path.read_text().replace("Miễn phí", "10.000 đồng"))
    flagged = outdated_print(build(replace(options, posters=False)))
    poster = tmp_path / "in-an/ap-phich/the-1.000002.pdf"
    assert poster.as_posix() in flagged and poster.is_file()
    assert not any(f.startswith("qr/") for f in flagged)


def keyed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The kinds of the artifacts whose key the builds work out (not taken from the last)."""
    from thutuc.engine.artifacts import Keys

    kinds: list[str] = []
    real_key = Keys.key

    def counted(self: Keys, kind: str, inputs: object) -> str:
        kinds.append(kind)
        return real_key(self, kind, inputs)

    monkeypatch.setattr(Keys, "key", counted)
    return kinds


def test_an_edit_that_changes_no_summary_keys_only_the_pages_that_show_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A body, a fee, the documents: no list shows them, so the other artifacts keep
    the last build's keys, and are not even declared again: only the edited page's
    spec is worked out. The output is still a cold build's, made in a fresh process."""
    from thutuc.site import pages

    kinds = keyed(monkeypatch)
    specs: list[str] = []
    real_page = pages.procedure_page

    def counted_page(site, procedure, here=None):  # type: ignore[no-untyped-def]
        specs.append(procedure.code)
        return real_page(site, procedure, here)

    monkeypatch.setattr(pages, "procedure_page", counted_page)
    root = write_files(tmp_path / "site", many(30))
    options = BuildOptions(root, posters=False, record_published=False)
    build(options)
    assert len(kinds) > 60 and len(specs) == 30
    path = root / "procedures/dat-dai/p4.md"
    text = path.read_text().replace("Nộp hồ sơ.", "Nộp ở tầng 2.").replace("Tờ khai", "Đơn")
    path.write_text(text.replace("Miễn phí", "5.000 đồng"))
    kinds.clear()
    specs.clear()
    result = build(options)
    # the page and the procedure's code (its key holds, so it is not drawn again)
    assert sorted(kinds) == ["marker", "marker", "page", "qr-svg"] and result.made == 2
    assert specs == ["1.000004"]
    cold = tmp_path / "cold"
    cold_build_in_a_fresh_process(root, cold / "out", cold / "qr", "--no-posters")
    assert files_of(root / "output") == files_of(cold / "out")
    assert "5.000 đồng" in (root / "output/1.000004/index.html").read_text()
    kinds.clear()
    write_files(root, {"procedures/dat-dai/_index.md": "---\ntitle: Đất đai và nhà ở\n---\n"})
    build(options)  # a field's file: every key is worked out again
    assert len(kinds) > 60


def test_a_title_edit_keys_the_lists_and_the_pages_that_show_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A title is shown by lists and by the page of the procedure it replaces: those
    are keyed again, the other procedures' pages are not; an edit of what a site
    index is made of (`replaced_by`) keys everything. Each build's output is a
    cold build's, made in a fresh process."""
    kinds = keyed(monkeypatch)
    files = many(30)
    old = files["procedures/dat-dai/p2.md"]
    files["procedures/dat-dai/p2.md"] = old.replace(
        "fee: Miễn phí\n", 'fee: Miễn phí\nretired: 2025-07-01\nreplaced_by: "1.000004"\n'
    )
    root = write_files(tmp_path / "site", files)
    options = BuildOptions(root, posters=False, record_published=False)
    build(options)
    everything = len(kinds)

    path = root / "procedures/dat-dai/p4.md"
    path.write_text(path.read_text().replace("Thủ tục số 4", "Thủ tục bốn đã đổi tên"))
    kinds.clear()
    build(options)
    pages = kinds.count("page")
    assert 0 < pages < 15 and len(kinds) < everything / 3, kinds
    assert "Thủ tục bốn đã đổi tên" in (root / "output/1.000002/index.html").read_text()
    assert_output_is_a_cold_builds(root, tmp_path / "cold-title")

    path = root / "procedures/dat-dai/p2.md"
    path.write_text(path.read_text().replace('replaced_by: "1.000004"', 'replaced_by: "1.000006"'))
    kinds.clear()
    build(options)
    assert len(kinds) == everything, (len(kinds), everything)
    assert_output_is_a_cold_builds(root, tmp_path / "cold-replacement")


def test_an_edit_build_writes_only_the_records_that_changed(tmp_path: Path) -> None:
    """The build state's body (every procedure's record) is written whole by a cold
    build; an edit build writes its changed records beside it, the next build reads
    both, a damaged file of changes costs validating again, and once the changes
    are more than an eighth of the body it is written whole again."""
    from thutuc.content.files import content_digest
    from thutuc.engine.state import read_body

    root = write_files(tmp_path / "site", many(24))
    options = BuildOptions(root, posters=False, record_published=False)
    build(options)
    cache = root / ".thutuc-cache"
    [body_file] = cache.glob("state-*.body")
    name = body_file.name.removeprefix("state-").removesuffix(".body")
    whole = body_file.read_bytes()

    def edit(n: int, fee: str) -> str:
        path = root / f"procedures/{'ho-tich' if n % 2 else 'dat-dai'}/p{n}.md"
        path.write_text(path.read_text().replace("fee: Miễn phí", f"fee: {fee}"))
        return content_digest(path.read_bytes())

    digest = edit(4, "5.000 đồng")
    build(options)
    assert body_file.read_bytes() == whole
    assert any(digest in key for key in read_body(cache, name).records.procedures)
    (cache / f"state-{name}.changes").write_bytes(b"not a pickle")
    edit(6, "6.000 đồng")
    build(options)
    assert_output_is_a_cold_builds(root, tmp_path / "cold")
    for n in (8, 10, 12, 14):  # 4 of 24 records, with the two before: more than an eighth
        edit(n, "7.000 đồng")
    build(options)
    assert body_file.read_bytes() != whole and not (cache / f"state-{name}.changes").exists()


def test_after_a_failed_build_an_edit_it_saw_is_still_built(tmp_path: Path) -> None:
    """The failed build recorded the files as it found them; the keys of the last
    good build must not be taken for what changed since."""
    root = write_files(tmp_path / "site", many(10))
    build(BuildOptions(root, posters=False))
    good = (root / "procedures/ho-tich/p5.md").read_text()
    write_files(
        root,
        {
            "procedures/ho-tich/p3.md": procedure("1.000003", "Thủ tục số 3", body="Đã sửa."),
            "procedures/ho-tich/p5.md": "---\ncode: [\n---\n",
        },
    )
    with pytest.raises(BuildFailed):
        build(BuildOptions(root, posters=False))
    write_files(root, {"procedures/ho-tich/p5.md": good})
    build(BuildOptions(root, posters=False))
    assert "Đã sửa." in (root / "output/1.000003/index.html").read_text()


def test_a_failed_build_leaves_the_output_and_the_next_build_is_right(tmp_path: Path) -> None:
    root = write_files(tmp_path / "site", many(10))
    build(BuildOptions(root, posters=False))
    before = files_of(root / "output")
    write_files(root, {"procedures/ho-tich/hong.md": "---\ncode: 1\n---\n"})
    with pytest.raises(BuildFailed):
        build(BuildOptions(root, posters=False))
    assert files_of(root / "output") == before
    (root / "procedures/ho-tich/hong.md").unlink()
    write_files(root, {"procedures/ho-tich/p1.md": procedure("1.000001", "Một", body="Mới.")})
    build(BuildOptions(root, posters=False))
    assert "Mới." in (root / "output/1.000001/index.html").read_text()


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_file_saved_again_while_the_build_reads_it_stops_the_build_with_a_plain_message(
    tmp_path: Path, jobs: int
) -> None:
    """The build hashes every file first and parses it later (in a worker for a
    big site): a file saved in between is named, the editor is asked to build
    again, and nothing is written."""
    root = write_files(tmp_path / "site", many(60))  # jobs=2: over POOL_THRESHOLD, in workers
    path = root / "procedures/ho-tich/p7.md"

    def save_during_check(step: str, seconds: float | None) -> None:
        if step == "kiểm tra" and seconds is None:
            path.write_text(path.read_text().replace("Nộp hồ sơ.", "Nộp hồ sơ tại xã."))

    with pytest.raises(BuildFailed) as failed:
        build(BuildOptions(root, posters=False, jobs=jobs), save_during_check)
    report = failed.value.problems.report()
    assert (
        "procedures/ho-tich/p7.md: lỗi: Tệp này vừa thay đổi trong lúc đang dựng trang." in report
    )
    assert "chạy lại lệnh dựng" in report and "lỗi của công cụ" not in report
    assert not (root / "output").exists()
    build(BuildOptions(root, posters=False, jobs=jobs))
    assert "Nộp hồ sơ tại xã." in (root / "output/1.000007/index.html").read_text()


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_file_deleted_while_the_build_reads_it_is_a_plain_message_and_serve_goes_on(
    tmp_path: Path, jobs: int
) -> None:
    """Listed, then gone before it was read (an editor deleting files while `serve`
    builds): named like a file saved again, and serve shows it and waits for the
    next save instead of ending with 'No such file'."""
    from thutuc.commands.serve import PreviewState, rebuild
    from thutuc.engine.pipeline import Session

    root = write_files(tmp_path / "site", many(60))
    path = root / "procedures/ho-tich/p7.md"

    def delete_during_check(step: str, seconds: float | None) -> None:
        if step == "kiểm tra" and seconds is None:
            path.unlink()

    with pytest.raises(BuildFailed) as failed:
        build(BuildOptions(root, posters=False, jobs=jobs), delete_during_check)
    report = failed.value.problems.report()
    assert "procedures/ho-tich/p7.md: lỗi: Tệp này vừa thay đổi trong lúc đang dựng" in report
    assert "lỗi của công cụ" not in report and not (root / "output").exists()
    write_files(root, {"procedures/ho-tich/p7.md": procedure("1.000007", "Thủ tục số 7")})
    options = BuildOptions(root, tmp_path / "o", tmp_path / "q", posters=False)
    state, session = PreviewState(), Session(jobs=jobs)
    try:
        with pytest.MonkeyPatch.context() as patch:  # serve's rebuild, the same moment
            real_build = build

            def build_deleting(options: BuildOptions, session: Session) -> object:
                return real_build(options, delete_during_check, session=session)

            patch.setattr("thutuc.commands.serve.build", build_deleting)
            rebuild(options, state, session)  # returns: no exception ends serve
        assert state.error_page is not None
        write_files(root, {"procedures/ho-tich/p7.md": procedure("1.000007", "Thủ tục số 7")})
        rebuild(options, state, session)
        assert state.error_page is None and (tmp_path / "o/1.000007/index.html").is_file()
    finally:
        session.close()


def test_a_file_added_to_the_output_by_hand_is_removed(make_site) -> None:
    root = make_site()
    build(BuildOptions(root, posters=False))
    (root / "output/ghi-chu.txt").write_text("viết tay")
    build(BuildOptions(root, posters=False))
    assert not (root / "output/ghi-chu.txt").exists()


def test_a_file_changed_in_the_output_by_hand_is_rebuilt(make_site) -> None:
    root = make_site()
    build(BuildOptions(root, posters=False))
    page = root / "output/1.001193/index.html"
    good = page.read_bytes()
    page.write_text("hỏng")
    build(BuildOptions(root, posters=False))
    assert page.read_bytes() == good


def age_folders(root: Path, seconds: float = 3600) -> None:
    """Every folder under `root` as if last changed `seconds` ago; files as they are."""
    then = time.time() - seconds
    for folder in [root, *(p for p in root.rglob("*") if p.is_dir())]:
        os.utime(folder, (then, then))


def manifest_of(root: Path) -> tuple[staging.Manifest, int]:
    """What a build's head says output/ holds, and since when (staging.inspect)."""
    from thutuc.engine.state import read_head

    [head_file] = (root / ".thutuc-cache").glob("state-*.head")
    head = read_head(head_file.parent, head_file.name.removeprefix("state-").removesuffix(".head"))
    return head.live["out"], head.settled_ns


TAMPERINGS = {
    "a file added": lambda out: (out / "1.001193/ghi-chu.txt").write_text("viết tay"),
    "an empty folder added": lambda out: (out / "1.001193/cu").mkdir(),
    "a folder of files added": lambda out: write_files(out / "1.001193", {"cu/a.html": "?"}),
    "a file changed in place": lambda out: (out / "1.001193/index.html").open("a").write("x"),
    "a file deleted": lambda out: (out / "1.001193/index.html").unlink(),
    "a folder in place of a file": lambda out: (
        (out / "sw.js").unlink(),
        (out / "sw.js").mkdir(),
    ),
    "a file in place of a folder": lambda out: (
        shutil.rmtree(out / "1.001193"),
        (out / "1.001193").write_text("?"),
    ),
    "a link in place of a file": lambda out: (
        (out / "sitemap.xml").unlink(),
        (out / "sitemap.xml").symlink_to(out / "robots.txt"),
    ),
    "a file moved to another folder": lambda out: os.replace(
        out / "1.001193/index.html", out / "ho-tich/index-cu.html"
    ),
}


@pytest.mark.parametrize("tampering", TAMPERINGS)
def test_a_folder_left_as_it_was_is_not_listed_and_nothing_done_by_hand_is_missed(
    make_site, tampering: str
) -> None:
    """A folder whose time has not moved since the last build began holds what that
    build left (an entry added, removed or renamed sets its folder's time), so
    `inspect` looks only at its files, one by one. Whatever is done to the output
    by hand, it finds what a listing of every folder finds, and the next build
    gives a cold build's output again."""
    root = make_site({"procedures/ho-tich/a.md": procedure("1.000002", "Thủ tục hai")})
    build(BuildOptions(root, posters=False))
    good, good_folders = files_of(root / "output"), folders_in(root / "output")
    manifest, settled = manifest_of(root)
    out = root / "output"
    age_folders(out)
    assert staging.inspect(out, manifest, settled) == (manifest, False)
    TAMPERINGS[tampering](out)
    assert staging.inspect(out, manifest, settled) == staging.inspect(out, manifest)
    build(BuildOptions(root, posters=False))
    assert files_of(root / "output") == good and folders_in(root / "output") == good_folders


def folders_in(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_dir()}


@pytest.mark.parametrize("tampering", TAMPERINGS)
def test_a_change_made_by_hand_does_not_come_back_through_the_spare(
    make_site, tmp_path: Path, tampering: str
) -> None:
    """The build that puts a hand-changed output right swaps it out as its spare, with
    the change in it: the next builds clear it, and never swap the change back in
    nor fail on it (a file where a page's folder goes)."""
    root = make_site({"procedures/ho-tich/a.md": procedure("1.000002", "Thủ tục hai")})
    options = BuildOptions(root, posters=False, record_published=False)
    build(options)
    paths = set(files_of(root / "output")) | folders_in(root / "output")
    TAMPERINGS[tampering](root / "output")
    for n, name in enumerate(["", "a.md", "khai-sinh.md", "a.md", ""]):  # "": no edit
        if name:
            path = root / "procedures/ho-tich" / name
            path.write_text(path.read_text() + f"\nSửa lần {n}.\n")
        build(options)
        assert set(files_of(root / "output")) | folders_in(root / "output") == paths, n
    assert_output_is_a_cold_builds(root, tmp_path / "cold")
    assert folders_in(root / "output") == folders_in(tmp_path / "cold/out")


def test_two_output_folders_swapped_by_hand_do_not_come_back_through_the_spare(
    make_site, tmp_path: Path
) -> None:
    """Folders keep their own times when renamed, so two swapped by hand (long after
    the build made them) are not listed: their pages are missing, and the build that
    puts them back does not vouch for the folder it swaps out as its spare."""
    root = make_site({"procedures/ho-tich/a.md": procedure("1.000002", "Thủ tục hai")})
    options = BuildOptions(root, posters=False, record_published=False)
    build(options)
    out = root / "output"
    paths = set(files_of(out)) | folders_in(out)
    age_folders(out)
    os.replace(out / "1.001193", out / "tam")  # a page's folder and the fonts'
    os.replace(out / "fonts", out / "1.001193")
    os.replace(out / "tam", out / "fonts")
    for n in range(3):
        page = root / "procedures/ho-tich/a.md"
        page.write_text(page.read_text() + f"\nSửa lần {n}.\n")
        build(options)
        assert set(files_of(out)) | folders_in(out) == paths, n
    assert_output_is_a_cold_builds(root, tmp_path / "cold")


def test_what_is_put_later_in_a_folder_added_by_hand_is_found(
    make_site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An empty folder added to output/ counts as a change: once its parent's time
    is old, a file put in it later would not be seen. (The margin for a coarse
    clock is made short here, so the steps need not wait two seconds.)"""
    monkeypatch.setattr(staging, "RACY_NS", 50_000_000)
    root = make_site()
    options = BuildOptions(root, posters=False, record_published=False)
    build(options)
    (root / "output/1.001193/cu").mkdir()
    time.sleep(0.2)
    page = root / "procedures/ho-tich/khai-sinh.md"  # a change no page shows: no swap
    page.write_text(page.read_text().replace("---\n", "---\n# ghi chú\n", 1))
    build(options)
    time.sleep(0.2)
    (root / "output/1.001193/cu").mkdir(exist_ok=True)
    (root / "output/1.001193/cu/x.html").write_text("?")
    build(options)
    assert not (root / "output/1.001193/cu").exists()


def test_an_edit_build_lists_only_the_output_folders_changed_since_the_last(
    make_site, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_site({"procedures/ho-tich/a.md": procedure("1.000002", "Thủ tục hai")})
    build(BuildOptions(root, posters=False))
    age_folders(root / "output")
    (root / "output/1.001193/ghi-chu.txt").write_text("viết tay")
    listed: list[str] = []
    real_scandir = os.scandir

    def counted(path: str = ".") -> object:
        if Path(path).is_relative_to(root / "output"):
            listed.append(Path(path).relative_to(root / "output").as_posix())
        return real_scandir(path)

    monkeypatch.setattr(staging.os, "scandir", counted)
    build(BuildOptions(root, posters=False))
    assert listed == ["1.001193"]
    assert not (root / "output/1.001193/ghi-chu.txt").exists()


def test_a_failed_build_does_not_vouch_for_the_output_folders(
    make_site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only a build that finished says since when the output holds just its manifest:
    a failed one (here at a time far ahead) leaves that moment as it was, so a file
    added by hand before it is still found and removed by the next build."""
    root = make_site()
    build(BuildOptions(root, posters=False))
    (root / "output/1.001193/ghi-chu.txt").write_text("viết tay")
    write_files(root, {"procedures/ho-tich/hong.md": "---\ntitle: x\n"})
    ahead = time.time_ns() + 3600 * 10**9
    with monkeypatch.context() as patch:
        patch.setattr(time, "time_ns", lambda: ahead)
        with pytest.raises(BuildFailed):
            build(BuildOptions(root, posters=False))
    (root / "procedures/ho-tich/hong.md").unlink()
    build(BuildOptions(root, posters=False))
    assert not (root / "output/1.001193/ghi-chu.txt").exists()


def test_a_swap_cut_short_is_finished_by_the_next_build(make_site) -> None:
    """A build killed between the renames of the swap: the journal says how far it got."""
    root = make_site()
    build(BuildOptions(root, posters=False))
    good = files_of(root / "output")
    cache = root / ".thutuc-cache"
    [journal_name] = [p.name for p in cache.glob("state-*.head")]
    name = journal_name.removeprefix("state-").removesuffix(".head")
    spare = staging.spare_folder(cache, root / "output", "out", name)
    # as if killed after "live → tmp": no output/ at all
    temporary = spare.with_name(spare.name + ".swapping")
    os.replace(root / "output", temporary)
    plan = [{"live": str(root / "output"), "spare": str(spare), "tmp": str(temporary)}]
    (cache / f"swap-{name}.json").write_text(__import__("json").dumps(plan))
    build(BuildOptions(root, posters=False))
    assert files_of(root / "output") == good
    assert not (cache / f"swap-{name}.json").exists() and not temporary.exists()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="renameat2 is Linux's")
def test_on_linux_the_live_folder_and_its_spare_swap_in_one_step(make_site, monkeypatch) -> None:
    """RENAME_EXCHANGE: a web server reading output/ never finds it missing, and a
    build killed during the swap cannot leave it missing. The three-rename way is
    made to fail, so the edit build below succeeds only through the exchange."""
    root = make_site()
    build(BuildOptions(root, posters=False))
    live = root / "output"
    before = live.stat().st_ino

    def renames(*args: object) -> None:
        raise AssertionError("the live folder was renamed away")

    monkeypatch.setattr(staging, "_swap_by_renames", renames)
    page = root / "procedures/ho-tich/khai-sinh.md"
    page.write_text(page.read_text("utf-8") + "\nMột dòng mới.\n", "utf-8")
    build(BuildOptions(root, posters=False))
    assert "Một dòng mới." in (live / "1.001193/index.html").read_text("utf-8")
    assert live.stat().st_ino != before  # the spare is live now, the old live its spare
    assert not list(root.glob("**/*.swapping"))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="renameat2 is Linux's")
def test_a_build_killed_between_two_exchanges_is_undone_and_keeps_the_posters(
    make_site, monkeypatch
) -> None:
    """Killed after output/ was exchanged and before qr/ was: the next build exchanges
    output/ back, keeps its build state, so a --no-posters build after it keeps the
    posters (once, the state was dropped and qr/ rebuilt without them)."""
    root = make_site()
    build(BuildOptions(root))
    posters = sorted((root / "qr/ap-phich").glob("*.pdf"))
    assert posters
    good = files_of(root / "output")
    swaps = []

    def killed_at_the_second(live: Path, spare: Path) -> bool:
        if swaps:
            raise KeyboardInterrupt  # as a SIGKILL here: nothing after it runs
        swaps.append(live)
        return exchange(live, spare)

    exchange = staging._exchange
    monkeypatch.setattr(staging, "_exchange", killed_at_the_second)
    page = root / "procedures/ho-tich/khai-sinh.md"
    page.write_text(page.read_text("utf-8") + "\nMột dòng mới.\n", "utf-8")
    with pytest.raises(KeyboardInterrupt):
        build(BuildOptions(root, posters=False))
    monkeypatch.undo()
    assert list((root / ".thutuc-cache").glob("swap-*.json"))  # as the kill left it
    build(BuildOptions(root, posters=False))
    assert sorted((root / "qr/ap-phich").glob("*.pdf")) == posters
    assert "Một dòng mới." in (root / "output/1.001193/index.html").read_text("utf-8")
    assert files_of(root / "output") != good  # and the edit is in


def test_two_folders_exchange_their_contents(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    write_files(a, {"x.txt": "của a"})
    write_files(b, {"y.txt": "của b"})
    if not staging._exchange(a, b):
        pytest.skip("this system has no renameat2 exchange")
    assert files_of(a) == {"y.txt": "của b".encode()}
    assert files_of(b) == {"x.txt": "của a".encode()}


def test_leftovers_of_older_versions_are_cleaned(make_site) -> None:
    root = make_site()
    build(BuildOptions(root, posters=False))
    for name in (".output.building-abc", ".qr.building-def"):
        (root / name).mkdir()
        (root / name / staging.MARKER).touch()
    (root / ".output.old-x" / "output").mkdir(parents=True)
    (root / ".output.old-x" / "output" / staging.MARKER).touch()
    build(BuildOptions(root, posters=False))
    assert not [p for p in root.iterdir() if p.name.startswith((".output.", ".qr."))]


def test_a_shard_builds_its_slice_of_the_communes(tmp_path: Path) -> None:
    files = {
        "province.yml": "name: Tỉnh Thử\nbase_url: https://t.example.vn/{commune}/\n",
        "procedures/ho-tich/_index.md": "---\ntitle: Hộ tịch\n---\n",
        "procedures/ho-tich/a.md": procedure("1.001193", "Khai sinh"),
    }
    for slug in ("a", "b", "c", "d", "e"):
        files[f"communes/{slug}/site.yml"] = f"name: Xã {slug.upper()}\n"
    root = write_files(tmp_path / "tinh", files)
    build(BuildOptions(root, posters=False, shard=(2, 3)))
    built = sorted(p.name for p in (root / "output").iterdir() if p.is_dir())
    assert built == ["b", "e"]  # the 2nd and 5th commune: every 3rd from the 2nd
    index = (root / "output/index.html").read_text()
    assert all(f'href="{slug}/"' in index for slug in "abcde")  # the index lists every commune


# Stopping ---------------------------------------------------------------------


def descendants(pid: int) -> set[int]:
    found, todo = set(), [pid]
    while todo:
        current = todo.pop()
        with contextlib.suppress(OSError):  # a process may end while it is read
            for children in Path(f"/proc/{current}/task").glob("*/children"):
                for child in children.read_text().split():
                    found.add(int(child))
                    todo.append(int(child))
    return found


def worker_processes(pid: int) -> set[int]:
    found = set()
    for child in descendants(pid):
        with contextlib.suppress(OSError):
            if b"thutuc.engine.worker" in Path(f"/proc/{child}/cmdline").read_bytes():
                found.add(child)
    return found


def alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "State:\tZ" not in status


def wait_or_show_where(process: subprocess.Popen[str], seconds: float) -> None:
    """Wait for the build; if it hangs, fail with where each of its threads is
    (faulthandler, which start_long_build turns on, prints them on SIGABRT)."""
    try:
        process.wait(seconds)
    except subprocess.TimeoutExpired:
        status = Path(f"/proc/{process.pid}/status").read_text()
        ignored = next((line for line in status.splitlines() if line.startswith("SigIgn")), "")
        os.kill(process.pid, signal.SIGABRT)
        _, stderr = process.communicate(timeout=10)
        pytest.fail(f"the build did not end within {seconds} s ({ignored}):\n{stderr[-6000:]}")


def start_long_build(root: Path) -> tuple[subprocess.Popen[str], set[int]]:
    """A build with posters that keeps two workers busy for a few seconds."""
    command = [sys.executable, str(REPO / "build.py"), "build", "--project", str(root), "-q"]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(REPO), "PYTHONFAULTHANDLER": "1"},
        preexec_fn=as_from_a_terminal,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        workers = descendants(process.pid)
        if len(workers) >= 2:  # two workers
            time.sleep(0.5)
            return process, descendants(process.pid)
        time.sleep(0.05)
    process.kill()
    raise AssertionError("the build never started its workers")


def test_the_pool_sends_ahead_without_waiting_on_a_busy_worker() -> None:
    """Two chunks in flight to each worker, with messages far larger than a socket's
    buffer both ways: a worker that read its next chunk only when done with this
    one would wait to send its answer while the main process waits to send to it."""
    import threading

    from thutuc.engine import pool as pool_module

    items = [bytes([97 + n % 26]) * 300_000 for n in range(120)]
    answers: list[object] = []
    with pool_module.Pool(2) as pool:
        mapping = threading.Thread(target=lambda: answers.extend(pool.map(bytes.upper, items)))
        mapping.start()
        mapping.join(60)
        stuck = mapping.is_alive()
        if stuck:
            pool.terminate()  # ends the map's wait: its thread then fails
            mapping.join(5)
    assert not stuck
    assert pool_module.IN_FLIGHT > 1
    assert answers == [item.upper() for item in items]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_cold_build_starts_its_workers_before_hashing_and_a_rebuild_does_not(
    tmp_path: Path,
) -> None:
    """The workers' imports overlap the files' hashing when checking will need
    them; a build with nothing to check starts none."""
    root = write_files(tmp_path / "site", many(60))
    options = BuildOptions(root, posters=False, record_published=False, jobs=2)
    after_reading: list[int] = []

    def on_step(step: str, seconds: float | None) -> None:
        if step == "đọc tệp" and seconds is not None:
            after_reading.append(len(worker_processes(os.getpid())))

    build(options, on_step)
    build(options, on_step)
    assert after_reading == [2, 0]
    assert not worker_processes(os.getpid())


def test_workers_started_for_nothing_end_at_once() -> None:
    """Still importing, a worker would read "stop" only when done: it is ended instead."""
    from thutuc.engine.pool import Pool

    pool = Pool(2)
    pool.start()
    start = time.monotonic()
    pool.close()
    assert time.monotonic() - start < 0.2  # told to stop, they took 0.3-0.5 s here
    assert not worker_processes(os.getpid())


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("how", ["SIGTERM", "SIGINT"])
def test_a_signal_ends_every_worker_within_two_seconds_and_keeps_the_output(
    tmp_path: Path, how: str
) -> None:
    root = write_files(tmp_path / "site", many(80))
    build(BuildOptions(root, posters=False))
    before = files_of(root / "output")
    path = root / "procedures/ho-tich/p1.md"
    path.write_text(path.read_text().replace("Nộp hồ sơ.", "Sửa."))
    process, workers = start_long_build(root)
    os.kill(process.pid, getattr(signal, how))
    start = time.monotonic()
    wait_or_show_where(process, 10)
    while any(alive(w) for w in workers) and time.monotonic() - start < 5:
        time.sleep(0.05)
    assert not any(alive(w) for w in workers), "workers still running"
    assert time.monotonic() - start < 2.5
    assert process.returncode != 0
    assert "Traceback" not in process.stderr.read()  # type: ignore[union-attr]
    assert files_of(root / "output") == before
    assert not [p for p in root.iterdir() if p.name.startswith((".output", ".qr"))]


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_workers_of_a_build_killed_outright_exit_by_themselves(tmp_path: Path) -> None:
    root = write_files(tmp_path / "site", many(80))
    process, workers = start_long_build(root)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(10)
    start = time.monotonic()
    while any(alive(w) for w in workers) and time.monotonic() - start < 5:
        time.sleep(0.05)
    # (the 2-second bound is for SIGINT/SIGTERM; here the workers only notice their
    # parent is gone, which a loaded machine can delay: failed once at load 9 on 2 cores)
    assert not any(alive(w) for w in workers), "orphaned workers still running"
    # the next build starts clean and is complete
    build(BuildOptions(root, posters=False))
    assert (root / "output/1.000079/index.html").is_file()


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("how", ["Ctrl+C", "SIGTERM", "SIGKILL"])
def test_a_build_stopped_while_its_first_worker_starts_leaves_no_worker(
    tmp_path: Path, how: str
) -> None:
    """Workers run in their own process group (Ctrl+C in a terminal signals the
    foreground group: a worker still starting printed a traceback) and guard
    themselves before their slow imports; the pool holds a signal while it
    starts a process."""
    root = write_files(tmp_path / "site", many(80))
    command = [sys.executable, str(REPO / "build.py"), "build", "--project", str(root), "-q"]
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)}, preexec_fn=as_from_a_terminal,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while not (workers := worker_processes(process.pid)) and time.monotonic() < deadline:
        time.sleep(0.002)
    time.sleep(0.05)  # the worker is starting (a traceback or "Fatal Python error" once)
    if how == "Ctrl+C":
        os.killpg(process.pid, signal.SIGINT)
    else:
        os.kill(process.pid, getattr(signal, how))
    process.wait(10)
    start = time.monotonic()
    while any(alive(w) for w in workers) and time.monotonic() - start < 5:
        time.sleep(0.05)
    assert workers and not any(alive(w) for w in workers), "a worker is still running"
    assert "Traceback" not in (process.stderr.read() if process.stderr else "")


@pytest.mark.slow
@pytest.mark.parametrize("command", ["build", "check"])
def test_a_command_stopped_while_python_still_imports_it_says_so_in_a_line(
    tmp_path: Path, command: str
) -> None:
    """Ctrl+C in the first fraction of a second, while the tool's modules are still
    imported, printed a KeyboardInterrupt traceback; stopped at each moment of its
    start, it now says it stopped and exits 130. The moments count from the import
    of the thutuc package (`-X importtime` tells it): a stop before that, while
    Python itself starts, is Python's to report ("Fatal Python error"), not ours."""
    root = write_files(tmp_path / "site", many(3))
    said = []
    for after in (0, 0.01, 0.02, 0.04, 0.06, 0.08, 0.11, 0.15):
        process = subprocess.Popen(
            [sys.executable, "-X", "importtime", str(REPO / "build.py"), command,
             "--project", str(root)],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
            preexec_fn=as_from_a_terminal,
        )  # fmt: skip
        assert process.stderr is not None
        for line in process.stderr:
            if line.rstrip().endswith("| thutuc"):
                break
        time.sleep(after)
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=20)
        assert "Traceback" not in stderr, (after, stderr)
        assert process.returncode in (0, 130), (after, stderr)
        said.append("Đã dừng" in stderr)
    assert sum(said) >= len(said) // 2  # the odd one may end first, or stop unsaid


def test_a_retirement_dated_ahead_applies_on_its_day_with_nothing_else_changed(
    make_site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The build state must not keep a procedure active after its retired: day:
    the calendar is an input too (THUTUC_TODAY stands for the clock)."""
    root = make_site(
        {
            "procedures/ho-tich/cu.md": '---\ncode: "1.000656"\ntitle: Đăng ký khai tử\n'
            "fee: Miễn phí\nretired: 2031-01-01\n---\n"
        }
    )
    monkeypatch.setenv("THUTUC_TODAY", "2030-12-31")
    first = build(BuildOptions(root, posters=False))
    assert "ngày chưa tới" in first.problems.report()
    page = root / "output/1.000656/index.html"
    assert "đã bị bãi bỏ" not in page.read_text(encoding="utf-8")
    assert build(BuildOptions(root, posters=False)).unchanged  # the day has not come
    monkeypatch.setenv("THUTUC_TODAY", "2031-01-01")
    on_the_day = build(BuildOptions(root, posters=False))
    assert not on_the_day.unchanged
    assert "đã bị bãi bỏ" in page.read_text(encoding="utf-8")
    assert build(BuildOptions(root, posters=False)).unchanged  # and then it rests


def test_two_forms_naming_one_file_make_one_copy(tmp_path: Path) -> None:
    """Two `forms:` entries of a page with the same file: one download, counted once
    (the summary said "giữ nguyên -1")."""
    text = procedure("1.000001", "Một").replace(
        "fee: Miễn phí\n",
        "fee: Miễn phí\nforms:\n  - title: Tờ khai\n    file: to-khai.pdf\n"
        "  - title: Tờ khai (bản in)\n    file: to-khai.pdf\n",
    )
    root = write_files(tmp_path / "site", {**many(2), "procedures/ho-tich/p1.md": text})
    (root / "procedures/ho-tich/to-khai.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    first = build(BuildOptions(root, posters=False))
    assert first.reused == 0 and first.made > 0
    assert (root / "output/1.000001/to-khai.pdf").is_file()
    path = root / "procedures/ho-tich/p1.md"
    path.write_text(path.read_text().replace("Nộp hồ sơ.", "Nộp hồ sơ sớm."))
    second = build(BuildOptions(root, posters=False))
    assert second.reused > 0 and second.made >= 1


def test_the_code_digest_reads_library_versions_as_importlib_metadata_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A library upgrade must rebuild what it shapes; the versions come from the
    dist-info folder names (importing importlib.metadata cost every build 24-57 ms)."""
    import importlib.metadata

    from thutuc.engine.fingerprint import _versions

    names = ("cmarkgfm", "nh3", "Jinja2", "markupsafe", "zxing-cpp", "reportlab", "pillow")
    assert _versions(*names) == [f"{n}={importlib.metadata.version(n)}" for n in names]
    # names compare as packaging compares them (PEP 503): fake.lib is fake_lib's
    fake = tmp_path / "fake_lib-9.9.dist-info"
    fake.mkdir()
    (fake / "METADATA").write_text("Metadata-Version: 2.1\nName: fake-lib\nVersion: 9.9\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert _versions("fake.lib", "pillow")[0] == "fake.lib=9.9"


# Warnings and notices replay --------------------------------------------------

LONG_FIELD = "thanh-lap-va-hoat-dong-cua-to-hop-tac-hop-tac-xa-lien-hiep"  # codes print smaller


def telling(home: str = "") -> dict[str, str]:
    """A site whose build tells a warning (an unknown key), notices from validation (a
    retirement dated ahead) and from the posters (a field folder so long that
    its poster's and the boards' codes print smaller than designed)."""
    return {
        f"{home}procedures/{LONG_FIELD}/_index.md": "---\ntitle: Hợp tác xã\n---\n",
        f"{home}procedures/{LONG_FIELD}/a.md": procedure("2.000001", "Đăng ký hợp tác xã"),
        f"{home}procedures/ho-tich/khai-tu.md": procedure("1.000656", "Đăng ký khai tử").replace(
            "---\n## ", "retired: 2999-01-01\nprocessing_tiem: 1 ngày\n---\n## "
        ),
    }


def told(result) -> list[str]:
    return sorted(p.format() for p in result.problems)


@pytest.mark.slow
def test_every_problem_and_notice_a_build_tells_is_told_again_by_the_next(
    make_site, tmp_path: Path
) -> None:
    """Nothing changed, or another file edited: each build tells the editor what the
    first one did, notices too (the stale-facts one is worked out for the day)."""
    root = make_site({"site.yml": "name: Xã Mẫu\nbase_url: https://mau.example.vn/\n", **telling()})
    options = BuildOptions(root, out=tmp_path / "o", qr=tmp_path / "q", record_published=False)
    first = told(build(options))
    assert any("nhắc việc: retired: 2999-01-01" in p for p in first), first
    assert any(f"ap-phich-{LONG_FIELD}.pdf: nhắc việc" in p for p in first), first
    assert any("bang-linh-vuc-A4.pdf: nhắc việc" in p for p in first), first
    assert any(": cảnh báo: " in p for p in first), first
    nothing_changed = build(options)
    assert nothing_changed.unchanged and told(nothing_changed) == first
    other = root / f"procedures/{LONG_FIELD}/a.md"
    other.write_text(other.read_text(encoding="utf-8") + "\nThêm một dòng.\n", encoding="utf-8")
    assert told(build(options)) == first


@pytest.mark.slow
def test_in_a_province_a_commune_left_as_it_is_tells_its_notices_again(tmp_path: Path) -> None:
    root = write_files(
        tmp_path / "tinh",
        {
            "province.yml": "name: Tỉnh Thử\nbase_url: https://tt.example.vn/{commune}/\n",
            "procedures/ho-tich/_index.md": "---\ntitle: Hộ tịch\n---\n",
            "communes/an/site.yml": "name: Xã An\n",
            "communes/binh/site.yml": "name: Xã Bình\n",
            **telling("communes/an/"),
        },
    )
    options = BuildOptions(root, record_published=False)
    first = told(build(options))
    assert any("[an] qr/an/ap-phich/bang-linh-vuc-A4.pdf: nhắc việc" in p for p in first), first
    assert told(build(options)) == first  # nothing changed
    (root / "communes/binh/site.yml").write_text("name: Xã Bình\nhotline: 0209 1 222 333\n")
    of_an = [p for p in told(build(options)) if p.startswith("[an]")]  # an left as it is
    assert of_an == [p for p in first if p.startswith("[an]")]


def test_serve_readies_the_spare_between_builds_and_edits_stay_exact(tmp_path: Path) -> None:
    """Between builds, `serve` makes the spare folder hold what the live one holds
    (hard links), so the next build writes only what changed; what it swaps in is
    still a cold build's."""
    from thutuc.engine.pipeline import Session, ready_spares

    root = write_files(tmp_path / "site", many(30))
    options = BuildOptions(root, posters=False, record_published=False)
    session = Session(jobs=1)
    try:
        build(options, session=session)
        ready_spares(options, session)
        [spare] = (root / ".thutuc-cache/spare").glob("*-out")
        assert files_of(spare) == files_of(root / "output")
        linked = inodes(spare).items() & inodes(root / "output").items()
        assert len(linked) > 0.9 * len(files_of(spare))  # linked, not written again
        write_files(root, {"procedures/ho-tich/p1.md": procedure("1.000001", "Thủ tục đã sửa")})
        build(options, session=session)
        ready_spares(options, session)
    finally:
        session.close()
    cold = tmp_path / "cold"
    cold_build_in_a_fresh_process(root, cold / "out", cold / "qr", "--no-posters")
    assert files_of(root / "output") == files_of(cold / "out")
    assert files_of(root / "qr") == files_of(cold / "qr")
    assert files_of(spare) == files_of(root / "output")  # readied again for the next edit


@pytest.mark.slow
def test_no_posters_keeps_a_poster_whose_preview_was_deleted_and_flags_it(
    tmp_path: Path,
) -> None:
    """Deleting a preview by hand must not make the next --no-posters build delete its
    PDF too: the PDF is kept and flagged, and the next poster build draws both."""
    root = write_files(tmp_path / "site", many(2))
    build(BuildOptions(root, record_published=False))
    drawn = files_of(root / "qr")
    (root / "qr/xem-truoc/the-1.000001.png").unlink()
    kept = build(BuildOptions(root, posters=False, record_published=False))
    assert (root / "qr/ap-phich/the-1.000001.pdf").read_bytes() == drawn[
        "ap-phich/the-1.000001.pdf"
    ]
    assert outdated_print(kept) == {"qr/ap-phich/the-1.000001.pdf"}
    build(BuildOptions(root, record_published=False))
    assert files_of(root / "qr") == drawn


def test_the_build_state_keeps_a_spare_as_its_differences_from_its_live_folder() -> None:
    """A spare holds what its live folder held a build ago: the head stores only how
    they differ (a file more, one less, one changed), and reads back the same."""
    import pickle

    from thutuc.content.files import Stamp
    from thutuc.engine.state import Head, OutputFile

    live = {f"{n}/index.html": OutputFile(n, n, f"d{n}") for n in range(1000)}
    spare = dict(live)
    del spare["1/index.html"]
    spare["2/index.html"] = OutputFile(2, 99, "old")
    spare["moi/index.html"] = OutputFile(5, 5, "new")
    head = Head(
        stamps={"site.yml": Stamp(1, 2, "s")},
        live={"out": live, "qr": {}},
        spare={"out": spare, "qr": {"a.svg": OutputFile(1, 1, "q")}, "other": {}},
    )
    stored = pickle.dumps(head)
    assert pickle.loads(stored) == head
    assert len(stored) < len(pickle.dumps(live)) * 1.3  # the spare is not stored whole again


def test_procedures_showing_finds_the_pages_whose_spec_shows_a_file(tmp_path: Path) -> None:
    """A title edit declares the pages procedures_showing names, not every page's
    spec (Build._edited_recipes): for every file, in every language, it names
    exactly the pages whose spec holds that file's procedure (what the keys look
    for), through a chain of replacements and a translation."""
    from thutuc.engine.artifacts import _affinity, _shown_in
    from thutuc.engine.pipeline import check
    from thutuc.site.pages import page_specs, procedures_showing

    files = many(12)
    retire = "fee: Miễn phí\nretired: 2025-07-01\nreplaced_by: "
    for n, replacement in ((2, "1.000004"), (4, "1.000006"), (7, "1.000006")):
        path = f"procedures/{'ho-tich' if n % 2 else 'dat-dai'}/p{n}.md"
        files[path] = files[path].replace("fee: Miễn phí\n", f'{retire}"{replacement}"\n')
    files["site.yml"] += "languages:\n  - code: en\n    name: English\n"
    files["procedures/dat-dai/p6.en.md"] = "---\ntitle: Number six\n---\nHand it in.\n"
    files["procedures/dat-dai/p4.en.md"] = "---\ntitle: Number four\n---\nHand it in.\n"
    project, problems = check(BuildOptions(write_files(tmp_path / "site", files)))
    assert project is not None, problems.report()
    [site] = project.sites
    specs = page_specs(site)
    sources = {p.summary.source for p in (*site.procedures, *site.translations.values())}
    assert len(sources) == 14
    for source in sorted(sources):
        # affinity "": a list (the A-Z's retired ones), declared whole after a title edit
        expected = {_affinity(s) for s in specs if source in _shown_in((s,))} - {""}
        assert procedures_showing(site, frozenset({source})) == expected, source
    # not a vacuous match: p6's own page and those of the three it replaces, p2 via p4
    assert len(procedures_showing(site, frozenset({"procedures/dat-dai/p6.md"}))) == 4


def test_a_form_taken_off_a_page_leaves_the_output_with_it(tmp_path: Path) -> None:
    """`forms:` is in the summary (model.SHOWN_ONLY): a title-like edit, whose build
    keeps the other procedures' files; the form it no longer names is not kept
    (artifacts.declare, with_lists). Each build is a cold build's."""
    text = procedure("1.000001", "Một").replace(
        "fee: Miễn phí\n", "fee: Miễn phí\nforms:\n  - title: Tờ khai\n    file: to-khai.pdf\n"
    )
    root = write_files(tmp_path / "site", {**many(40), "procedures/ho-tich/p1.md": text})
    (root / "procedures/ho-tich/to-khai.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    options = BuildOptions(root, posters=False, record_published=False)
    build(options)
    assert (root / "output/1.000001/to-khai.pdf").is_file()
    path = root / "procedures/ho-tich/p1.md"
    path.write_text(
        path.read_text().replace("forms:\n  - title: Tờ khai\n    file: to-khai.pdf\n", "")
    )
    made = build(options)
    assert made.reused > made.made, (made.reused, made.made)  # an edit build, not a cold one
    assert not (root / "output/1.000001/to-khai.pdf").exists()
    assert_output_is_a_cold_builds(root, tmp_path / "cold")
