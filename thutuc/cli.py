"""Command line: a thin click layer over pipeline, serve and scaffold.

Messages are for commune officers: Vietnamese, numbered, each with a fix.
No command prints a traceback for a problem in the editor's files.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from thutuc.engine.pipeline import BuildInterrupted, BuildOptions, BuildResult, build, check
from thutuc.problems import BuildFailed, Problems

F = TypeVar("F", bound=Callable[..., Any])

project_option = click.option(
    "--project",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Thư mục trang (chứa site.yml và procedures/).",
)


class ShardType(click.ParamType):
    """K/N: the K-th of N slices of a province's communes (1 ≤ K ≤ N)."""

    name = "K/N"

    def convert(self, value: Any, param: Any, ctx: Any) -> tuple[int, int]:
        if isinstance(value, tuple):
            return value
        try:
            number, count = (int(part) for part in str(value).split("/"))
        except ValueError:
            self.fail(f"'{value}' không đúng dạng K/N, ví dụ 2/8.", param, ctx)
        if not 1 <= number <= count:
            self.fail(f"'{value}': cần 1 ≤ K ≤ N, ví dụ 2/8.", param, ctx)
        return number, count


commune_option = click.option(
    "--commune",
    "communes",
    multiple=True,
    help="Chế độ tỉnh: chỉ dựng/kiểm tra xã này (tên thư mục trong communes/); lặp lại được.",
)


def show_problems(problems: Problems) -> None:
    if len(problems):
        click.echo(problems.report(), err=True)


def summary_line(problems: Problems) -> str:
    line = f"{len(problems.errors)} lỗi, {len(problems.warnings)} cảnh báo"
    return line + (f", {len(problems.notices)} nhắc việc" if problems.notices else "")


def friendly_errors(func: F) -> F:
    """Turn BuildFailed into a numbered list and exit 1; never a traceback."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (KeyboardInterrupt, BuildInterrupted) as stopped:
            click.secho(
                "Đã dừng giữa chừng. Trang cũ trong thư mục đầu ra vẫn giữ nguyên.",
                fg="red",
                err=True,
            )
            sys.exit(143 if isinstance(stopped, BuildInterrupted) else 130)
        except BuildFailed as failed:
            show_problems(failed.problems)
            click.secho(
                f"Không dựng được trang: {summary_line(failed.problems)}. "
                "Trang cũ trong thư mục đầu ra vẫn giữ nguyên.",
                fg="red",
                err=True,
            )
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


def step_printer(verbose: bool) -> Callable[[str, float | None], None]:
    """Show each step as it starts, then how long it took: a long step (posters)
    is never a silent wait."""

    def on_step(step: str, seconds: float | None) -> None:
        if not verbose:
            return
        if seconds is None:
            click.echo(f"  {step}…", nl=False, err=True)
        else:
            click.echo(f" {seconds:.2f} giây", err=True)

    return on_step


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="thutuc")
def main() -> None:
    """Dựng trang tra cứu thủ tục hành chính và áp phích mã QR cho xã."""


@main.command("build")
@project_option
@click.option(
    "--out", type=click.Path(path_type=Path), help="Thư mục trang web đầu ra [mặc định: output/]."
)
@click.option(
    "--qr", type=click.Path(path_type=Path), help="Thư mục mã QR và áp phích [mặc định: qr/]."
)
@click.option("--base-url", help="Địa chỉ trang web, thay cho base_url trong site.yml.")
@click.option("--strict", is_flag=True, help="Coi cảnh báo là lỗi.")
@click.option(
    "--no-posters",
    is_flag=True,
    help="Bỏ qua áp phích PDF và ảnh PNG của mã QR (xem trước nhanh hơn; mã QR SVG vẫn có).",
)
@click.option(
    "--jobs", type=click.IntRange(min=1), help="Số tiến trình song song [mặc định: số lõi CPU]."
)
@click.option(
    "--ecc",
    type=click.Choice(["L", "M", "Q", "H"]),
    default="M",
    show_default=True,
    help="Mức sửa lỗi của mã QR.",
)
@click.option("-q", "--quiet", is_flag=True, help="Chỉ in lỗi và dòng tóm tắt.")
@click.option(
    "--print-shop",
    is_flag=True,
    help="Áp phích cho nhà in: thêm lề xén (bleed) và dấu cắt (như print_shop: true trong site.yml).",
)
@click.option(
    "--shard",
    type=ShardType(),
    help="Chế độ tỉnh: chỉ dựng phần thứ K trong N phần các xã (K/N), để chia cho nhiều máy CI.",
)
@commune_option
@friendly_errors
def build_command(
    communes: tuple[str, ...],
    project: Path,
    out: Path | None,
    qr: Path | None,
    base_url: str | None,
    strict: bool,
    no_posters: bool,
    jobs: int | None,
    ecc: str,
    quiet: bool,
    print_shop: bool,
    shard: tuple[int, int] | None,
) -> None:
    """Dựng trang web vào output/ và mã QR, áp phích vào qr/."""
    options = BuildOptions(
        project, out, qr, base_url, strict, not no_posters, jobs, ecc,
        print_shop=print_shop, communes=communes, shard=shard,
    )  # fmt: skip
    result = build(options, step_printer(not quiet))
    show_problems(result.problems)
    click.secho(build_summary(result), fg="green", err=True)
    click.echo(f"Trang web: {options.out_dir}/  ·  Mã QR và áp phích: {options.qr_dir}/", err=True)


def build_summary(result: BuildResult) -> str:
    if result.unchanged:
        what = "không có gì thay đổi từ lần dựng trước"
    else:
        what = f"dựng {result.made} tệp, giữ nguyên {result.reused}"
    sites = ""
    if result.project is not None:
        procedures = sum(len(s.procedures) for s in result.project.sites)
        if result.project.province is not None:
            sites = f" ({procedures} thủ tục, {len(result.project.sites)} xã)"
        else:
            sites = f" ({procedures} thủ tục, {sum(len(s.fields) for s in result.sites)} lĩnh vực)"
    return (
        f"Xong: {result.pages} trang{sites}, {result.qr_files} tệp mã QR, "
        f"{result.poster_files} tệp áp phích; {what}; {summary_line(result.problems)}; "
        f"{result.seconds:.1f} giây."
    )


@main.command("check")
@project_option
@click.option("--strict", is_flag=True, help="Coi cảnh báo là lỗi (trả mã thoát 1).")
@commune_option
def check_command(project: Path, strict: bool, communes: tuple[str, ...]) -> None:
    """Kiểm tra mọi tệp, không ghi gì; liệt kê mọi vấn đề một lượt."""
    checked, problems = check(BuildOptions(project, strict=strict, communes=communes))

    def counts() -> str:
        assert checked is not None
        procedures = sum(len(s.procedures) for s in checked.sites)
        if checked.province is not None:
            return f"{len(checked.sites)} xã, {procedures} trang thủ tục"
        return f"{procedures} thủ tục, {sum(len(s.fields) for s in checked.sites)} lĩnh vực"

    finish_check(problems, checked is None or problems.has_errors(strict), counts)


def finish_check(problems: Problems, failed: bool, counts: Callable[[], str]) -> None:
    """Every problem, then one closing line; exit 1 when the check failed."""
    show_problems(problems)
    if failed:
        click.secho(f"Có vấn đề: {summary_line(problems)}.", fg="red", err=True)
        sys.exit(1)
    click.secho(f"Tốt: {counts()}; {summary_line(problems)}.", fg="green", err=True)


@main.command("serve")
@project_option
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option(
    "--posters/--no-posters",
    default=False,
    show_default=True,
    help="Dựng cả áp phích khi xem trước.",
)
def serve_command(project: Path, port: int, posters: bool) -> None:
    """Xem trước trên máy (http://127.0.0.1:PORT/), tự dựng lại khi tệp thay đổi."""
    from thutuc.commands.serve import serve

    serve(project, port, posters)


@main.command("new")
@project_option
@click.option("--field", "field_folder", help="Thư mục lĩnh vực, ví dụ ho-tich.")
@click.option("--code", help="Mã thủ tục, ví dụ 1.001193.")
@click.option("--title", help="Tên thủ tục.")
def new_command(
    project: Path, field_folder: str | None, code: str | None, title: str | None
) -> None:
    """Tạo tệp thủ tục mới với đủ mọi khóa để điền."""
    from thutuc.commands.scaffold import ScaffoldError, create_procedure

    field_folder = field_folder or click.prompt("Lĩnh vực (tên thư mục, ví dụ ho-tich)")
    code = code or click.prompt("Mã thủ tục (ví dụ 1.001193)")
    title = title or click.prompt("Tên thủ tục")
    try:
        path = create_procedure(project, field_folder, code, title)
    except ScaffoldError as exc:
        click.secho(str(exc), fg="red", err=True)
        sys.exit(1)
    click.secho(
        f"Đã tạo {path}. Mở tệp, điền thông tin, rồi chạy: python build.py check",
        fg="green",
        err=True,
    )


@main.command("import")
@project_option
@click.option("--force", is_flag=True, help="Ghi đè tệp thủ tục đã có.")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
def import_command(project: Path, force: bool, files: tuple[Path, ...]) -> None:
    """Nhập thủ tục từ tệp JSON của CSDL quốc gia, hoặc bảng CSV/XLSX."""
    from thutuc.importers.importer import import_files

    report = import_files(list(files), project, force=force)
    click.echo(report.format(), err=report.failed)
    if report.failed:
        sys.exit(1)


if __name__ == "__main__":  # pragma: no cover
    main()
