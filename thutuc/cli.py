"""Command line: a thin click layer over pipeline, serve and scaffold.

Messages are for commune officers: Vietnamese, numbered, each with a fix.
No command prints a traceback: a problem in the editor's files is a numbered
list; anything else (a bug, a full disk) is caught by `ThutucGroup`, the
last-resort handler around every command, and told in plain words with the
step, the file being processed and how to report it. `--debug` shows the
traceback instead.
"""

from __future__ import annotations

import shlex
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import wraps
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from thutuc.content.load import os_reason
from thutuc.content.province import build_province, check_province, is_province
from thutuc.engine.pipeline import BuildOptions, build, check
from thutuc.problems import BuildFailed, Problems
from thutuc.processing import file_of

F = TypeVar("F", bound=Callable[..., Any])

project_option = click.option(
    "--project",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Thư mục trang (chứa site.yml và procedures/).",
)


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


@dataclass
class Progress:
    """Where a command is, for the last-resort handler's message."""

    step: str = ""
    debug: bool = False
    line_open: bool = False  # a step's "…" was printed without its time yet


def progress() -> Progress:
    context = click.get_current_context(silent=True)
    found = context.find_object(Progress) if context is not None else None
    return found if found is not None else Progress()


def step_printer(verbose: bool) -> Callable[[str, float | None], None]:
    """Show each step as it starts, then how long it took: a long step (posters)
    is never a silent wait. Every step is also recorded for a failure message."""
    where = progress()

    def on_step(step: str, seconds: float | None) -> None:
        if seconds is None:
            where.step = step
        if not verbose:
            return
        where.line_open = seconds is None
        if seconds is None:
            click.echo(f"  {step}…", nl=False, err=True)
        else:
            click.echo(f" {seconds:.2f} giây", err=True)

    return on_step


REPORT_HINT = (
    "Đây là lỗi của công cụ, không phải lỗi trong tệp của bạn. Báo cho người quản trị "
    "trang (hoặc mở issue ở kho mã của dự án), gửi kèm {what}toàn bộ kết quả của lệnh:"
)


class ThutucGroup(click.Group):
    """Every command runs inside the last-resort handler. `--debug` may be
    written anywhere on the line (`build.py build --debug` too)."""

    def main(self, args: Sequence[str] | None = None, *pos: Any, **kwargs: Any) -> Any:
        given = list(sys.argv[1:] if args is None else args)
        if "--debug" in given[1:]:
            given = ["--debug", *(a for a in given if a != "--debug")]
        self.given_args = given
        return super().main(given, *pos, **kwargs)

    def invoke(self, ctx: click.Context) -> Any:
        where = ctx.ensure_object(Progress)
        where.debug = bool(ctx.params.get("debug"))
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except KeyboardInterrupt:
            if where.debug:
                raise
            click.secho("Đã dừng (Ctrl+C). Trang cũ trong thư mục đầu ra vẫn giữ nguyên.", err=True)
            sys.exit(130)
        except Exception as exc:
            if where.debug:
                raise
            self.report_crash(ctx, exc, where)

    def report_crash(self, ctx: click.Context, exc: Exception, where: Progress) -> NoReturn:
        if where.line_open:
            click.echo("", err=True)
        command = ctx.invoked_subcommand or ""
        step = where.step or command
        file = file_of(exc)
        place = f" ở bước «{step}»" if step else ""
        place += f", khi đang xử lý tệp {file}" if file else ""
        args = [a for a in getattr(self, "given_args", []) if a != "--debug"]
        rerun = "python build.py --debug " + " ".join(_shell_quote(a) for a in args)
        if isinstance(exc, OSError):  # the machine, not the tool: say what to fix
            name = exc.filename or file or ""
            click.secho(
                f"Không làm tiếp được{place}: {os_reason(exc)}{f' ({name})' if name else ''}.",
                fg="red",
                err=True,
            )
            click.echo(
                _UNTOUCHED + " Sửa điều trên rồi chạy lại; nếu vẫn lỗi, chạy: " + rerun, err=True
            )
            sys.exit(1)
        text = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else ""
        click.secho(f"Lỗi ngoài dự kiến{place}:", fg="red", err=True)
        click.echo(
            f"    {type(exc).__name__}: {text}" if text else f"    {type(exc).__name__}", err=True
        )
        click.echo(_UNTOUCHED, err=True)
        hint = REPORT_HINT.format(what="tên tệp ở trên và " if file else "")
        click.echo(f"→ {hint}\n    {rerun}", err=True)
        sys.exit(2)


_UNTOUCHED = "Trang cũ trong thư mục đầu ra vẫn giữ nguyên."


def _shell_quote(arg: str) -> str:
    return shlex.quote(arg)


@click.group(cls=ThutucGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="thutuc")
@click.option(
    "--debug",
    is_flag=True,
    help="Khi công cụ gặp lỗi ngoài dự kiến: in đầy đủ traceback để báo lỗi.",
)
def main(debug: bool) -> None:
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
) -> None:
    """Dựng trang web vào output/ và mã QR, áp phích vào qr/."""
    options = BuildOptions(project, out, qr, base_url, strict, not no_posters, jobs, ecc)
    if is_province(project):
        return build_province_command(options, communes, quiet)
    result = build(options, step_printer(not quiet))
    show_problems(result.problems)
    site = result.site
    click.secho(
        f"Xong: {len(result.pages)} trang ({len(site.procedures)} thủ tục, "
        f"{len(site.fields)} lĩnh vực), {len(result.qr_files)} tệp mã QR, "
        f"{len(result.poster_files)} tệp áp phích; {summary_line(result.problems)}; "
        f"{result.seconds:.1f} giây.",
        fg="green",
        err=True,
    )
    click.echo(f"Trang web: {options.out_dir}/  ·  Mã QR và áp phích: {options.qr_dir}/", err=True)


@main.command("check")
@project_option
@click.option("--strict", is_flag=True, help="Coi cảnh báo là lỗi (trả mã thoát 1).")
@commune_option
def check_command(project: Path, strict: bool, communes: tuple[str, ...]) -> None:
    """Kiểm tra mọi tệp, không ghi gì; liệt kê mọi vấn đề một lượt."""
    if is_province(project):
        return check_province_command(project, strict, communes)
    site, problems = check(BuildOptions(project, strict=strict), step_printer(False))
    finish_check(
        problems,
        site is None or problems.has_errors(strict),
        lambda: f"{len(site.procedures)} thủ tục, {len(site.fields)} lĩnh vực" if site else "",
    )


def finish_check(problems: Problems, failed: bool, counts: Callable[[], str]) -> None:
    """Every problem, then one closing line; exit 1 when the check failed."""
    show_problems(problems)
    if failed:
        click.secho(f"Có vấn đề: {summary_line(problems)}.", fg="red", err=True)
        sys.exit(1)
    click.secho(f"Tốt: {counts()}; {summary_line(problems)}.", fg="green", err=True)


def build_province_command(options: BuildOptions, communes: tuple[str, ...], quiet: bool) -> None:
    """Province mode (province.yml present): every commune, or those named."""
    result = build_province(options, communes, step_printer(not quiet))
    show_problems(result.problems)
    click.secho(
        f"Xong: {len(result.built)} xã dựng lại, "
        f"{len(result.province.all_communes) - len(result.built)} xã giữ nguyên; "
        f"{result.pages} trang, {result.qr_files} tệp mã QR, {result.poster_files} tệp áp phích; "
        f"{summary_line(result.problems)}; {result.seconds:.1f} giây.",
        fg="green",
        err=True,
    )
    click.echo(f"Trang web: {options.out_dir}/<xã>/  ·  Mã QR: {options.qr_dir}/<xã>/", err=True)


def check_province_command(project: Path, strict: bool, communes: tuple[str, ...]) -> None:
    problems = Problems()
    province = check_province(project, problems, communes)

    def counts() -> str:
        assert province is not None
        procedures = sum(len(c.site.procedures) for c in province.communes)
        return f"{len(province.communes)} xã, {procedures} trang thủ tục"

    finish_check(problems, province is None or problems.has_errors(strict), counts)


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
