"""What `check` and `build` say at the end: one honest first word, the same
warning on many files grouped, PyYAML's English only with --verbose."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from thutuc.cli import main


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def bare(code: str) -> str:
    return (
        f'---\ncode: "{code}"\ntitle: Thủ tục {code}\nfee: Miễn phí\nprocessing_time: 1 ngày\n---\n'
    )


def five_without_documents(make_site) -> Path:
    return make_site({f"procedures/ho-tich/t{n}.md": bare(f"1.00000{n}") for n in range(1, 6)})


def test_the_same_warning_on_many_files_is_one_entry(make_site) -> None:
    root = five_without_documents(make_site)
    result = run("check", "--project", str(root))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == (
        "1. cảnh báo, 5 tệp: Trang thiếu điều người dân cần biết trước tiên: "
        "giấy tờ cần mang (documents)."
    )
    assert lines[1:5] == [
        "    - procedures/ho-tich/t1.md:1",
        "    - procedures/ho-tich/t2.md:1",
        "    - procedures/ho-tich/t3.md:1",
        "    … và 2 tệp khác (xem hết: thêm --verbose)",
    ]
    assert lines[5].startswith("    → Điền các khóa này.")
    assert "0 lỗi, 5 cảnh báo" in lines[-1]  # the count is still of warnings, not entries
    verbose = run("check", "--project", str(root), "--verbose").output
    assert "    - procedures/ho-tich/t5.md:1" in verbose and "tệp khác" not in verbose


def test_few_warnings_stay_one_per_file(make_site) -> None:
    root = make_site({"procedures/ho-tich/t1.md": bare("1.000001")})
    result = run("check", "--project", str(root))
    assert result.output.startswith("1. procedures/ho-tich/t1.md:1: cảnh báo: Trang thiếu")


def test_the_closing_word_is_honest_about_warnings(make_site) -> None:
    clean = run("check", "--project", str(make_site()))
    assert clean.output.splitlines()[-1] == "Tốt: 1 thủ tục, 1 lĩnh vực; 0 lỗi, 0 cảnh báo."
    root = five_without_documents(make_site)
    warned = run("check", "--project", str(root))
    last = warned.output.splitlines()[-1]
    assert last.startswith("Còn cảnh báo: 6 thủ tục") and "Tốt" not in warned.output
    assert last.endswith("Trang vẫn dựng được, nhưng nên sửa.")
    strict = run("check", "--project", str(root), "--strict")
    assert strict.exit_code == 1
    assert strict.output.splitlines()[-1].startswith("Chưa đạt (--strict coi cảnh báo là lỗi)")
    built = run("build", "--project", str(root), "--no-posters", "-q")
    assert built.exit_code == 0, built.output
    assert "Xong, còn cảnh báo nên sửa: " in built.output


def test_errors_say_so(make_site) -> None:
    root = make_site({"procedures/ho-tich/khai-sinh.md": "---\ntitle: x\n---\n"})
    result = run("check", "--project", str(root))
    assert result.exit_code == 1
    assert result.output.splitlines()[-1].startswith("Có lỗi: 1 lỗi")


def test_yaml_errors_in_vietnamese_with_the_english_behind_verbose(make_site) -> None:
    page = '---\ncode: "1.001193"\ntitle: Khai sinh: cho con\n---\n'
    root = make_site({"procedures/ho-tich/khai-sinh.md": page})
    plain = run("check", "--project", str(root)).output
    assert (
        "khai-sinh.md:3: lỗi: Viết sai cú pháp YAML: có dấu ':' ở chỗ không được có; "
        "văn bản có dấu ':' phải đặt trong ngoặc kép." in plain
    )
    assert "mapping values" not in plain and "[" not in plain.split("lỗi:")[1].split("\n")[0]
    verbose = run("check", "--project", str(root), "-v").output
    assert "phải đặt trong ngoặc kép. [mapping values are not allowed" in verbose


def test_problems_with_and_without_a_line_sort_together() -> None:
    """One file with a problem of the whole file (no line) and one on a line: the
    report orders them (the first came first), it does not crash comparing None and 1."""
    from thutuc.problems import Problems

    problems = Problems()
    problems.warning("procedures/a.md", "trên dòng", line=3)
    problems.warning("procedures/a.md", "cả tệp")
    problems.warning("procedures/a.md", "dòng đầu", line=1)
    report = problems.report()
    assert report.index("cả tệp") < report.index("dòng đầu") < report.index("trên dòng")


def test_one_problem_of_a_shared_file_told_by_many_communes_is_one_entry() -> None:
    """A province's templates/ are every commune's: a problem each commune finds in
    them is one entry naming the communes, not one per commune; a commune's own
    problems keep their entries."""
    from dataclasses import replace

    from thutuc.problems import Problem, Problems, Severity

    shared = Problem("templates/strings/km.yml", None, "thiếu khóa", "dịch", Severity.WARNING)
    problems = Problems()
    for slug in ("an", "binh"):
        problems.add(replace(shared, group=slug))
        problems.warning(f"communes/{slug}/site.yml", "của riêng xã")
    problems.warning("communes/an/site.yml", "của riêng xã")  # the same again: told once
    report = problems.report()
    assert report.count("thiếu khóa") == 1 and "[an, binh] templates/strings/km.yml" in report
    assert report.count("của riêng xã") == 2
    for slug in ("gia", "em", "chi", "dong"):  # in rebuild order: named sorted
        problems.add(replace(shared, group=slug))
    assert "[an, binh, chi và 3 xã khác] templates/strings/km.yml: cảnh báo" in problems.report()
    assert "[an, binh, chi, dong, em, gia] templates/strings/km.yml" in problems.report(True)
    # the count is of problems told: the shared one once, the commune's own two
    assert problems.told(Severity.WARNING) == 3 and problems.told(Severity.ERROR) == 0


def test_a_glyph_warning_beside_a_line_warning_builds(make_site) -> None:
    """A title the poster font cannot draw (a warning of the poster, no line) and a
    missing fee (a warning on a line) in one file: a build with posters ends with
    both warnings, exit 0 (the sort of the report once crashed it after the swap)."""
    body = '---\ncode: "1.000894"\ntitle: Đăng ký kết hôn ☎\nprocessing_time: 1 ngày\n---\n'
    root = make_site({"procedures/ho-tich/ket-hon.md": body})
    result = run("build", "--project", str(root))
    assert result.exit_code == 0, result.output
    assert "☎" in result.output and "fee" in result.output
    assert "Lỗi ngoài dự kiến" not in result.output


def test_a_failure_after_the_swap_says_the_new_pages_are_in(make_site) -> None:
    """published-urls.txt made a folder: check passes (nothing to read), the build
    swaps its output in, then cannot record the addresses. The message names
    published-urls.txt (not a temporary file) and says the new pages are live."""
    root = make_site({"procedures/ho-tich/t1.md": bare("1.000001")})
    (root / "published-urls.txt").unlink(missing_ok=True)
    (root / "published-urls.txt").mkdir()
    result = run("build", "--project", str(root), "--no-posters")
    assert result.exit_code == 1, result.output
    assert "published-urls.txt)" in result.output and ".tmp" not in result.output
    assert "Trang mới đã vào thư mục đầu ra" in result.output
    assert "Trang cũ" not in result.output
    assert (root / "output" / "1.000001" / "index.html").is_file()


def test_a_swap_that_fails_halfway_puts_the_first_folder_back(make_site, monkeypatch) -> None:
    """qr/ cannot be swapped after output/ was (made read-only mid-build, say): both
    stay the last build's, as the message says, and the next build puts both in."""
    from conftest import files_of

    from thutuc.engine import staging

    root = make_site({"procedures/ho-tich/t1.md": bare("1.000001")})
    assert run("build", "--project", str(root), "--no-posters").exit_code == 0
    before = {tree: files_of(root / tree) for tree in ("output", "qr")}
    (root / "site.yml").write_text(
        (root / "site.yml").read_text("utf-8").replace("name: ", "name: Mới "), "utf-8"
    )
    real = staging._swap_one

    def refused(live: Path, spare: Path, temporary: Path) -> None:
        if live.name == "qr":
            raise PermissionError(1, "Operation not permitted", str(live))
        real(live, spare, temporary)

    with monkeypatch.context() as patch:
        patch.setattr(staging, "_swap_one", refused)
        result = run("build", "--project", str(root), "--no-posters")
    assert result.exit_code == 1, result.output
    assert "Trang cũ" in result.output and "Trang mới đã vào" not in result.output
    assert {tree: files_of(root / tree) for tree in ("output", "qr")} == before
    assert not list((root / ".thutuc-cache").glob("swap-*.json"))
    assert run("build", "--project", str(root), "--no-posters").exit_code == 0
    assert "Mới " in (root / "output/index.html").read_text("utf-8")
    assert files_of(root / "qr") != before["qr"]  # the contact sheet names the commune


def test_a_stop_says_what_it_did_to_the_output_and_only_where_there_is_one(
    make_site, monkeypatch
) -> None:
    """Ctrl+C while the build records its addresses, after the new pages went in: the
    message says they are in, not that the old ones stayed. A stop of `check`, which
    writes no output, says nothing of an output folder."""
    from thutuc.engine import pipeline, sites

    def stopped(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    root = make_site({"procedures/ho-tich/t1.md": bare("1.000001")})
    with monkeypatch.context() as patch:
        patch.setattr(pipeline, "record_published", stopped)
        result = run("build", "--project", str(root), "--no-posters")
    assert result.exit_code == 130, result.output
    assert "ghi lại…\nĐã dừng giữa chừng. Trang mới đã vào thư mục đầu ra" in result.output
    assert "Trang cũ" not in result.output
    monkeypatch.setattr(sites, "load_sites", stopped)
    result = run("check", "--project", str(root))
    assert result.exit_code == 130, result.output
    assert "Đã dừng (Ctrl+C)." in result.output and "thư mục đầu ra" not in result.output
