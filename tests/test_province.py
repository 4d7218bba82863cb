"""Province mode: a shared catalogue, two communes, overrides, excludes, additions."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import files_of, write_files

from thutuc.cli import main
from thutuc.engine.pipeline import BuildOptions, build
from thutuc.problems import BuildFailed


def procedure(code: str, title: str, extra: str = "", body: str = "") -> str:
    return f'---\ncode: "{code}"\ntitle: {title}\n{extra}---\n{body}'


PROVINCE = {
    "province.yml": "name: Tỉnh Thử\nbase_url: https://thutuc.example.gov.vn/{commune}/\n",
    "procedures/ho-tich/_index.md": "---\ntitle: Hộ tịch\norder: 1\n---\n",
    "procedures/ho-tich/khai-sinh.md": procedure(
        "1.001193",
        "Đăng ký khai sinh",
        "fee: Miễn phí\ndocuments:\n  - Tờ khai\n  - Giấy chứng sinh\n",
        "## Các bước\n\nNộp tờ khai ở Bộ phận Một cửa.\n",
    ),
    "procedures/ho-tich/ket-hon.md": procedure(
        "1.000894", "Đăng ký kết hôn", "", "Cả hai cùng đến.\n"
    ),
    "procedures/chung-thuc/_index.md": "---\ntitle: Chứng thực\n---\n",
    "procedures/chung-thuc/chu-ky.md": procedure(
        "2.000884", "Chứng thực chữ ký", "fee: 10.000 đồng\n"
    ),
    # Xã An: overrides the birth fee, keeps the catalogue body and documents.
    "communes/an/site.yml": "name: Xã An\nhotline: 0209 1 111 111\n",
    "communes/an/procedures/ho-tich/khai-sinh.md": procedure(
        "1.001193", "Đăng ký khai sinh", "fee: Miễn phí, kể cả khi đăng ký muộn (Xã An hỗ trợ)\n"
    ),
    # Xã Bình: its own address, no chứng thực, one local procedure.
    "communes/binh/site.yml": (
        "name: Xã Bình\nbase_url: https://binh.example.vn/\nexclude: ['2.000884']\n"
    ),
    "communes/binh/procedures/ho-tich/trich-luc.md": procedure(
        "2.000635", "Cấp bản sao trích lục hộ tịch", "fee: 8.000 đồng\n", "Mang căn cước.\n"
    ),
}


@pytest.fixture
def province(tmp_path: Path) -> Path:
    return write_files(tmp_path / "tinh", dict(PROVINCE))


def build_all(root: Path, *communes: str, **options) -> Path:
    build(BuildOptions(root, posters=False, communes=communes, **options))
    return root / "output"


def page(out: Path, path: str) -> str:
    return (out / path / "index.html").read_text(encoding="utf-8")


def test_each_commune_gets_its_own_site(province: Path) -> None:
    out = build_all(province)
    assert "Xã An" in page(out, "an/") and "Xã Bình" in page(out, "binh/")
    # The pattern in province.yml gives Xã An its address; Xã Bình wrote its own.
    assert 'href="https://thutuc.example.gov.vn/an/1.001193/"' in page(out, "an/1.001193/")
    assert 'href="https://binh.example.vn/1.001193/"' in page(out, "binh/1.001193/")
    assert (province / "qr/an/thu-tuc-1.001193.svg").is_file()
    assert (province / "qr/binh/thu-tuc-2.000635.svg").is_file()


def test_override_replaces_keys_and_inherits_the_rest(province: Path) -> None:
    out = build_all(province)
    an = page(out, "an/1.001193/")
    assert "Xã An hỗ trợ" in an
    assert "Giấy chứng sinh" in an and "Nộp tờ khai ở Bộ phận Một cửa" in an
    binh = page(out, "binh/1.001193/")
    assert "Xã An hỗ trợ" not in binh and "Miễn phí" in binh


def test_exclude_and_local_addition(province: Path) -> None:
    out = build_all(province)
    assert not (out / "binh/2.000884").exists()
    assert not (out / "binh/chung-thuc").exists()  # a field left empty is dropped
    assert (out / "an/2.000884/index.html").is_file()
    assert "Mang căn cước" in page(out, "binh/2.000635/")
    assert not (out / "an/2.000635").exists()


def test_province_index_lists_the_communes(province: Path) -> None:
    html = (build_all(province) / "index.html").read_text(encoding="utf-8")
    assert "Tỉnh Thử" in html
    assert html.index('href="an/">Xã An') < html.index('href="binh/">Xã Bình')


def test_a_shard_past_the_last_commune_builds_nothing(province: Path) -> None:
    """A CI matrix wider than the province: the jobs past its communes build none
    (an empty choice of communes used to mean all of them) and leave the output."""
    cli = ["build", "--project", str(province), "--no-posters", "--shard"]
    result = CliRunner().invoke(main, [*cli, "2/3"])
    assert result.exit_code == 0, result.output
    built = sorted(p.name for p in (province / "output").iterdir() if p.is_dir())
    assert built == ["binh"]
    before = files_of(province / "output")
    result = CliRunner().invoke(main, [*cli, "3/3"])
    assert result.exit_code == 0, result.output
    assert "Phần 3/3 không có xã nào: tỉnh có 2 xã" in result.output
    assert files_of(province / "output") == before


def test_commune_option_builds_only_that_commune(province: Path) -> None:
    out = build_all(province, "binh")
    assert (out / "binh/index.html").is_file()
    assert not (out / "an").exists()
    assert 'href="an/"' in (out / "index.html").read_text(encoding="utf-8")


def test_commune_option_leaves_other_communes_alone(province: Path) -> None:
    out = build_all(province)
    before = files_of(out / "an")
    (province / "communes/binh/site.yml").write_text(
        "name: Xã Bình Mới\nbase_url: https://binh.example.vn/\n"
    )
    build_all(province, "binh")
    assert files_of(out / "an") == before
    assert "Xã Bình Mới" in page(out, "binh/")


def test_an_edit_in_a_commune_left_out_by_commune_is_built_by_the_next_full_build(
    province: Path,
) -> None:
    """`--commune an` records every file as it found it, Bình's edit included, while
    Bình keeps its output: the next build must not take Bình's old keys as current."""
    out = build_all(province)
    own = province / "communes/binh/procedures/ho-tich/trich-luc.md"
    own.write_text(own.read_text().replace("Mang căn cước.", "Mang căn cước và sổ hộ khẩu."))
    build_all(province, "an")
    assert "sổ hộ khẩu" not in page(out, "binh/2.000635/")
    build_all(province)
    assert "sổ hộ khẩu" in page(out, "binh/2.000635/")


def test_check_names_the_commune_of_each_problem(province: Path) -> None:
    write_files(
        province,
        {
            "communes/binh/procedures/ho-tich/hong.md": procedure(
                "1.001193", "Khai sinh", "updated: hôm qua\n"
            ),
            "procedures/ho-tich/thieu-ten.md": '---\ncode: "1.000656"\n---\n',
        },
    )
    result = CliRunner().invoke(main, ["check", "--project", str(province)])
    assert result.exit_code == 1
    assert "[binh] communes/binh/procedures/ho-tich/hong.md:4: lỗi: 'updated'" in result.output
    # A catalogue mistake is reported once, not once per commune.
    assert result.output.count("procedures/ho-tich/thieu-ten.md") == 1
    assert "[danh mục chung] procedures/ho-tich/thieu-ten.md" in result.output


def test_unknown_commune_is_a_clear_error(province: Path) -> None:
    with pytest.raises(BuildFailed) as failed:
        build_all(province, "khong-co")
    assert "Không có xã 'khong-co'" in failed.value.problems.report()


def test_cli_build_in_a_province_folder(province: Path) -> None:
    result = CliRunner().invoke(main, ["build", "--project", str(province), "--no-posters", "-q"])
    assert result.exit_code == 0, result.output
    assert "2 xã" in result.output


def test_rebuild_after_edits_is_byte_identical_to_a_cold_build(
    province: Path, tmp_path: Path
) -> None:
    build_all(province)
    edits = {
        "procedures/ho-tich/ket-hon.md": procedure(
            "1.000894", "Đăng ký kết hôn", "", "Mang căn cước.\n"
        ),
        "communes/an/site.yml": "name: Xã An\nhotline: 0209 1 222 222\n",
        "communes/binh/procedures/ho-tich/trich-luc.md": procedure(
            "2.000635", "Trích lục", "", "Mới.\n"
        ),
    }
    write_files(province, edits)
    build_all(province)
    cold = shutil.copytree(
        province, tmp_path / "lanh", ignore=shutil.ignore_patterns("output", "qr", ".thutuc-cache")
    )
    build_all(cold)
    for folder in ("output", "qr"):
        assert files_of(province / folder) == files_of(cold / folder)


def test_single_commune_layout_is_untouched(make_site) -> None:
    root = make_site()
    build(BuildOptions(root, posters=False))
    assert (root / "output/1.001193/index.html").is_file()
    assert not (root / "output/an").exists()


def test_unchanged_communes_are_not_rewritten(province: Path) -> None:
    out = build_all(province)
    inode = (out / "an/1.001193/index.html").stat().st_ino
    qr_inode = (province / "qr/binh/thu-tuc-1.001193.svg").stat().st_ino
    write_files(
        province,
        {
            "communes/binh/procedures/ho-tich/trich-luc.md": procedure(
                "2.000635", "Trích lục", "", "Mới.\n"
            )
        },
    )
    svg = province / "qr/binh/thu-tuc-2.000635.svg"
    changed_inode = svg.stat().st_ino
    build_all(province)
    assert (out / "an/1.001193/index.html").stat().st_ino == inode  # Xã An untouched
    assert (province / "qr/binh/thu-tuc-1.001193.svg").stat().st_ino == qr_inode  # not its code
    assert svg.stat().st_ino != changed_inode  # the title in the code's SVG changed
    assert "Mới." in page(out, "binh/2.000635/")


def test_an_unchanged_commune_shows_its_warnings_again_without_being_rebuilt(
    province: Path,
) -> None:
    first = build(BuildOptions(province, posters=False))
    warned = sorted(p.format() for p in first.problems.warnings)
    assert any("[an]" in w and "thiếu điều người dân cần" in w for w in warned), warned
    again = build(BuildOptions(province, posters=False))
    assert again.rebuilt == ()
    assert sorted(p.format() for p in again.problems.warnings) == warned


# Permanence in a province: each commune keeps its own published addresses,
# dates from git and stale notices, as a single site does.


def test_each_commune_records_its_published_addresses(province: Path) -> None:
    build_all(province)
    an = (province / "communes/an/published-urls.txt").read_text(encoding="utf-8").split()
    binh = (province / "communes/binh/published-urls.txt").read_text(encoding="utf-8").split()
    assert {"/1.001193/", "/2.000884/", "/ho-tich/"} <= set(an)
    assert "/2.000635/" in binh and "/2.000884/" not in binh  # excluded, never published
    assert not (province / "published-urls.txt").exists()
    # Recording is not a change: the next build has nothing to do.
    again = build(BuildOptions(province, posters=False))
    assert again.rebuilt == ()


def test_a_commune_cannot_lose_a_published_address(province: Path) -> None:
    build_all(province)
    before = files_of(province / "output")
    (province / "communes/binh/procedures/ho-tich/trich-luc.md").unlink()
    with pytest.raises(BuildFailed) as failed:
        build_all(province)
    [error] = failed.value.problems.errors
    assert error.group == "binh" and error.file == "communes/binh/published-urls.txt"
    assert "/2.000635/" in error.message and error.line is not None
    assert files_of(province / "output") == before  # the build wrote nothing
    result = CliRunner().invoke(main, ["check", "--project", str(province)])
    assert result.exit_code == 1
    assert "[binh] communes/binh/published-urls.txt:" in result.output


def test_excluding_a_published_procedure_says_to_undo_the_exclude(province: Path) -> None:
    build_all(province)
    write_files(province, {"communes/an/site.yml": "name: Xã An\nexclude: ['2.000884']\n"})
    with pytest.raises(BuildFailed) as failed:
        build_all(province)
    # the procedure, and its field, which has nothing else in it
    errors = {e.message.split()[2]: e for e in failed.value.problems.errors}
    assert set(errors) == {"/2.000884/", "/chung-thuc/"}
    error = errors["/2.000884/"]
    assert error.file == "communes/an/published-urls.txt" and error.group == "an"
    assert "exclude: trong communes/an/site.yml" in error.hint and "retired:" in error.hint


@pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")
def test_dates_from_git_and_stale_notices_per_commune(province: Path) -> None:
    from test_git_dates import commit_all, git

    write_files(province, {".gitignore": "/output/\n/qr/\n/.thutuc-cache/\n"})
    git(province, "init", "-q")
    commit_all(province, "2020-02-03T10:00:00+07:00")
    first = build(BuildOptions(province, posters=False))
    out = province / "output"
    assert "Cập nhật ngày 03/02/2020." in page(out, "an/1.000894/")  # catalogue file's commit
    notices = sorted(p.format() for p in first.problems.notices)
    # the catalogue's stale procedures once, not once per commune
    [catalogue] = [n for n in notices if n.startswith("[danh mục chung]")]
    assert "procedures/ho-tich/ket-hon.md" in catalogue
    [binh] = [n for n in notices if n.startswith("[binh]")]
    assert "communes/binh/procedures/ho-tich/trich-luc.md" in binh
    assert "ket-hon.md" not in binh
    # a build with nothing to do still lists them, computed for today from the manifest
    again = build(BuildOptions(province, posters=False))
    assert again.rebuilt == ()
    assert sorted(p.format() for p in again.problems.notices) == notices
    # an edit is built at once, with the date of the last commit; committing it
    # changes no byte of the file but the date on the page: that commune is rebuilt
    local = "communes/binh/procedures/ho-tich/trich-luc.md"
    write_files(province, {local: procedure("2.000635", "Trích lục", "", "Mới.\n")})
    assert build(BuildOptions(province, posters=False)).rebuilt == ("binh",)
    assert "Cập nhật ngày 03/02/2020." in page(out, "binh/2.000635/")
    commit_all(province, "2026-01-05T10:00:00+07:00")
    assert build(BuildOptions(province, posters=False)).rebuilt == ("binh",)
    assert "Cập nhật ngày 05/01/2026." in page(out, "binh/2.000635/")


def test_a_character_no_poster_font_draws_is_told_once_on_its_file(province: Path) -> None:
    """Both communes print the catalogue's kết hôn: the character is the catalogue
    file's, told once, not once for each commune's posters; a commune's own file is
    told under its commune."""
    from thutuc.content.province import CATALOGUE_GROUP

    for rel, old in (("procedures/ho-tich/ket-hon.md", "Đăng ký kết hôn"),
                     ("communes/an/site.yml", "name: Xã An")):  # fmt: skip
        path = province / rel
        path.write_text(path.read_text("utf-8").replace(old, old + " 🍼"), "utf-8")
    for _ in range(2):  # built, then replayed from the build state
        result = build(BuildOptions(province, record_published=False))
        told = [(p.group, p.file) for p in result.problems if "U+1F37C" in p.message]
        assert sorted(told) == [
            ("an", "communes/an/site.yml"),
            (CATALOGUE_GROUP, "procedures/ho-tich/ket-hon.md"),
        ]


def test_a_catalogue_file_s_poster_warning_survives_builds_that_keep_the_communes(
    province: Path,
) -> None:
    """A build that leaves a commune as it is (--commune for another one, or nothing
    changed in it) tells its warnings from the build state: the catalogue's too."""
    from thutuc.content.province import CATALOGUE_GROUP

    path = province / "procedures/ho-tich/ket-hon.md"
    path.write_text(path.read_text("utf-8").replace("Đăng ký kết hôn", "Kết hôn 🍼"), "utf-8")
    for communes in ((), ("an",), (), ("binh",)):
        result = build(BuildOptions(province, record_published=False, communes=communes))
        told = [(p.group, p.file) for p in result.problems if "U+1F37C" in p.message]
        assert told == [(CATALOGUE_GROUP, "procedures/ho-tich/ket-hon.md")], communes


def test_base_url_on_the_command_line_may_hold_the_commune(province: Path) -> None:
    """--base-url is checked as site.yml's is; a province's may hold {commune}."""
    address = "https://preview.example.vn/{commune}/"
    args = ["build", "--project", str(province), "--no-posters", "--base-url", address]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "https://preview.example.vn/an/" in page(province / "output", "an/1.001193")


def test_a_build_of_one_commune_tells_its_problems_not_the_others(province: Path) -> None:
    """`--commune an` is an editor asking about Xã An (and the catalogue it uses):
    what Xã Bình's last build said is not this build's to tell; the next whole
    build tells it again."""
    slip = "communes/binh/procedures/ho-tich/trich-luc.md"
    (province / slip).write_text(
        procedure("2.000635", "Cấp bản sao trích lục", "fee: 8.000 đồng\nprocessing_tiem: 1\n")
    )
    (province / "communes/an/site.yml").write_text("name: Xã An\nhotline: 0209 1 111 111\nfax: 1\n")

    def told(*communes: str) -> set[str]:
        result = build(BuildOptions(province, posters=False, communes=communes))
        return {p.where.split(":")[0] for p in result.problems.warnings}

    everything = told()
    assert {"[binh] " + slip, "[an] communes/an/site.yml"} <= everything
    not_binh = {w for w in everything if not w.startswith("[binh]")}
    assert told("an") == not_binh
    (province / "communes/an/site.yml").write_text("name: Xã An\nfax: 1\n")
    assert told("an") == not_binh  # an built again
    assert told() == everything  # binh left as it was, told again


def test_check_tells_a_catalogue_character_no_poster_font_draws_once(province: Path) -> None:
    from thutuc.content.province import CATALOGUE_GROUP
    from thutuc.engine.pipeline import check

    path = province / "procedures/ho-tich/ket-hon.md"
    path.write_text(path.read_text("utf-8").replace("Đăng ký kết hôn", "Kết hôn 🍼"), "utf-8")
    _, problems = check(BuildOptions(province))
    told = [(p.group, p.file, p.line) for p in problems if "U+1F37C" in p.message]
    assert told == [(CATALOGUE_GROUP, "procedures/ho-tich/ket-hon.md", 3)]


def test_a_wrong_line_of_the_province_s_strings_file_is_told_once_in_every_build(
    province: Path,
) -> None:
    """templates/ is the province's, for all its communes: told under the catalogue,
    once, by check and by each build, a build that leaves every commune as it is too."""
    from thutuc.content.province import CATALOGUE_GROUP
    from thutuc.engine.pipeline import check

    write_files(province, {"templates/strings/vi.yml": "fields: Lĩnh vực\nhotline:\n"})
    _, checked = check(BuildOptions(province))
    for communes in ((), ("an",), (), ("binh",)):
        result = build(BuildOptions(province, posters=False, communes=communes))
        for problems in (checked, result.problems):
            told = [
                (p.group, p.file, p.line) for p in problems if "'hotline' để trống" in p.message
            ]
            assert told == [(CATALOGUE_GROUP, "templates/strings/vi.yml", 2)], communes


def test_a_shared_strings_file_is_told_once_for_all_its_communes(tmp_path: Path) -> None:
    """templates/strings/km.yml of the province serves every commune that has Khmer
    pages: its missing keys are one warning naming them, not one per commune."""
    files = dict(PROVINCE)
    for slug in ("an", "binh"):
        files[f"communes/{slug}/site.yml"] += "languages:\n  - code: km\n    name: ភាសាខ្មែរ\n"
    root = write_files(tmp_path / "tinh", {**files, "templates/strings/km.yml": "home: ទំព័រដើម\n"})
    report = build(BuildOptions(root, posters=False)).problems.report()
    assert report.count("Tệp chữ giao diện tiếng km còn thiếu") == 1, report
    assert "[an, binh] templates/strings/km.yml: cảnh báo" in report
    result = CliRunner().invoke(main, ["build", "--project", str(root), "--no-posters"])
    entries = [line for line in result.output.splitlines() if line[:1].isdigit()]
    assert f"0 lỗi, {len(entries)} cảnh báo" in result.output, result.output  # one per entry


@pytest.mark.slow
def test_a_commune_s_outdated_print_files_are_told_again_while_it_is_kept(
    province: Path,
) -> None:
    """A --no-posters build flags Xã An's card after An's edit; a later build that
    only rebuilds Xã Bình leaves An as it is and still tells An's flags."""
    build(BuildOptions(province, record_published=False))
    no_posters = BuildOptions(province, posters=False, record_published=False)

    def flagged() -> set[str]:
        warnings = build(no_posters).problems.warnings
        return {p.file for p in warnings if "--no-posters" in p.message}

    edit = province / "communes/an/procedures/ho-tich/khai-sinh.md"
    edit.write_text(edit.read_text().replace("Xã An hỗ trợ", "Xã An trả"))
    an = flagged()
    assert "qr/an/ap-phich/the-1.001193.pdf" in an and not any("/binh/" in f for f in an), an
    edit = province / "communes/binh/site.yml"
    edit.write_text(edit.read_text().replace("name: Xã Bình", "name: Xã Bình Yên"))
    both = flagged()
    assert an <= both and any("/binh/" in f for f in both), both


@pytest.mark.slow
def test_the_print_shop_setting_posters_were_drawn_with_is_kept_per_commune(
    province: Path,
) -> None:
    """After a poster build of Xã An alone with --print-shop, a --no-posters build
    asking for --print-shop flags Xã Bình's posters (drawn without), not An's."""
    build(BuildOptions(province, record_published=False))
    build(BuildOptions(province, communes=("an",), print_shop=True, record_published=False))
    shop = BuildOptions(province, posters=False, print_shop=True, record_published=False)
    flagged = {p.file for p in build(shop).problems.warnings if "--no-posters" in p.message}
    assert "qr/binh/ap-phich/the-2.000635.pdf" in flagged, flagged
    assert not any(f.startswith("qr/an/") for f in flagged), flagged
