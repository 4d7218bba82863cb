"""Command line: a thin click layer over pipeline, serve and scaffold.

Messages are for commune officers: Vietnamese, numbered, each with a fix.
No command prints a traceback: a problem in the editor's files is a numbered
list; anything else (a bug, a full disk) is caught by `ThutucGroup`, the
last-resort handler around every command, and told in plain words with the
step, the file being processed and how to report it. `--debug` shows the
traceback instead.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import wraps
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from thutuc.click_words import speak_vietnamese
from thutuc.content.files import os_reason
from thutuc.content.model import Site
from thutuc.engine.pipeline import (
    SWAP_STEP,
    BuildInterrupted,
    BuildOptions,
    BuildResult,
    build,
    check,
    sigterm_stops,
)
from thutuc.engine.sites import communes_if_shard_empty
from thutuc.problems import BuildFailed, Problems, Severity
from thutuc.processing import file_of

speak_vietnamese()  # click's own messages: before the commands below are defined

F = TypeVar("F", bound=Callable[..., Any])

OPTIONS_METAVAR = "[TÙY CHỌN]"

# What a failure before the swap leaves: the previous output, whole.
_UNTOUCHED = "Trang cũ trong thư mục đầu ra vẫn giữ nguyên."


def _existing_folder(_ctx: click.Context, _param: click.Parameter, value: Path) -> Path:
    """--project must be a folder that exists: said before any step, in Vietnamese,
    as a wrong option value (exit 2), like a --project that names a file."""
    if not value.exists():
        raise click.BadParameter(
            f"không có thư mục '{value}'. Ghi đường dẫn tới thư mục có site.yml (hoặc "
            "province.yml), ví dụ --project . khi đang đứng trong thư mục trang."
        )
    return value


def _web_address(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    """--base-url is checked as site.yml's base_url is, and told as the option's own
    mistake: not on a line of site.yml, which does not have it."""
    if value is None:
        return None
    from thutuc.content.addresses import AddressError, checked_url

    try:  # a province's address may hold {commune}
        checked_url(value.replace("{commune}", "xa"), site_address=True)
    except AddressError as exc:
        raise click.BadParameter(f"{exc.message} {exc.hint}") from None
    return value


project_option = click.option(
    "--project",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    callback=_existing_folder,
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
    metavar="XÃ",
    help="Chế độ tỉnh: chỉ dựng/kiểm tra xã này (tên thư mục trong communes/); lặp lại được.",
)


verbose_option = click.option(
    "-v",
    "--verbose",
    is_flag=True,
    help="Liệt kê đủ mọi tệp của một vấn đề lặp lại, và lời gốc (tiếng Anh) của lỗi YAML.",
)


def show_problems(problems: Problems, verbose: bool = False) -> None:
    if len(problems):
        click.echo(problems.report(verbose), err=True)


def summary_line(problems: Problems) -> str:
    errors, warnings = problems.told(Severity.ERROR), problems.told(Severity.WARNING)
    line = f"{errors} lỗi, {warnings} cảnh báo"
    return line + (f", {problems.told(Severity.NOTICE)} nhắc việc" if problems.notices else "")


def summary_word(problems: Problems, strict: bool = False) -> tuple[str, str]:
    """The first word of the closing line, and its colour: "Tốt" only when
    nothing is left to fix; a reminder (nhắc việc) is not something to fix."""
    if problems.errors:
        return "Có lỗi", "red"
    if problems.warnings and strict:
        return "Chưa đạt (--strict coi cảnh báo là lỗi)", "red"
    if problems.warnings:
        return "Còn cảnh báo", "yellow"
    return "Tốt", "green"


def friendly_errors(func: F) -> F:
    """Turn BuildFailed into a numbered list and exit 1; never a traceback."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (KeyboardInterrupt, BuildInterrupted) as stopped:
            where = progress()
            where.end_line()
            click.secho(f"Đã dừng giữa chừng. {where.output_state('build')}", fg="red", err=True)
            sys.exit(143 if isinstance(stopped, BuildInterrupted) else 130)
        except BuildFailed as failed:
            where = progress()
            where.end_line()
            show_problems(failed.problems, bool(kwargs.get("verbose")))
            state = where.output_state("build")
            click.secho(
                f"Không dựng được trang: {summary_line(failed.problems)}. {state}",
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
    swapped: bool = False  # the new output is live: a later failure must say so

    def end_line(self) -> None:
        """End a step's line left open ("  ghi lại…"), so a message starts on its own."""
        if self.line_open:
            click.echo("", err=True)
            self.line_open = False

    def output_state(self, command: str) -> str:
        """What a stop or failure did to the output folders, said truthfully: nothing
        for commands that write none (check, import, compare, new, and serve, which
        builds in a preview folder of its own)."""
        if command != "build":
            return ""
        if self.swapped:
            return (
                "Trang mới đã vào thư mục đầu ra, nhưng chưa ghi xong published-urls.txt và "
                "trạng thái dựng."
            )
        return _UNTOUCHED


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
        elif step == SWAP_STEP:
            where.swapped = True
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

    def command(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("options_metavar", OPTIONS_METAVAR)  # "Cách dùng: … [TÙY CHỌN]"
        return super().command(*args, **kwargs)

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
            state = where.output_state(ctx.invoked_subcommand or "")
            click.secho(f"Đã dừng (Ctrl+C). {state}".rstrip(), err=True)
            sys.exit(130)
        except Exception as exc:
            if where.debug:
                raise
            self.report_crash(ctx, exc, where)

    def report_crash(self, ctx: click.Context, exc: Exception, where: Progress) -> NoReturn:
        where.end_line()
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
            state = where.output_state(command)
            click.echo(
                (state + " " if state else "")
                + "Sửa điều trên rồi chạy lại; nếu vẫn lỗi, chạy: "
                + rerun,
                err=True,
            )
            sys.exit(1)
        text = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else ""
        click.secho(f"Lỗi ngoài dự kiến{place}:", fg="red", err=True)
        click.echo(
            f"    {type(exc).__name__}: {text}" if text else f"    {type(exc).__name__}", err=True
        )
        if state := where.output_state(command):
            click.echo(state, err=True)
        hint = REPORT_HINT.format(what="tên tệp ở trên và " if file else "")
        click.echo(f"→ {hint}\n    {rerun}", err=True)
        sys.exit(2)


def _shell_quote(arg: str) -> str:
    import shlex  # only for a message: its import is 6 ms of every start

    return shlex.quote(arg)


@click.group(
    cls=ThutucGroup,
    context_settings={"help_option_names": ["-h", "--help"]},
    options_metavar=OPTIONS_METAVAR,
    subcommand_metavar="LỆNH [ĐỐI SỐ]...",
)
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
@click.option(
    "--base-url",
    metavar="ĐỊA CHỈ",
    callback=_web_address,
    help="Địa chỉ trang web, thay cho base_url trong site.yml.",
)
@click.option("--strict", is_flag=True, help="Coi cảnh báo là lỗi.")
@click.option(
    "--no-posters",
    is_flag=True,
    help="Bỏ qua áp phích PDF và ảnh PNG của mã QR (xem trước nhanh hơn; mã QR SVG vẫn có).",
)
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    metavar="SỐ",
    help="Số tiến trình song song, từ 1 [mặc định: số lõi CPU].",
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
@verbose_option
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
    verbose: bool,
) -> None:
    """Dựng trang web vào output/ và mã QR, áp phích vào qr/."""
    options = BuildOptions(
        project, out, qr, base_url, strict, not no_posters, jobs, ecc,
        print_shop=print_shop, communes=communes, shard=shard,
    )  # fmt: skip
    if shard is not None and (communes_count := communes_if_shard_empty(options)) is not None:
        # () would mean every commune further on: a matrix job of none builds none
        click.echo(
            f"Phần {shard[0]}/{shard[1]} không có xã nào: tỉnh có {communes_count} xã. "
            "Không dựng gì; thư mục đầu ra giữ nguyên.",
            err=True,
        )
        return
    result = build(options, step_printer(not quiet))
    finish_build(
        result.problems,
        build_summary(result),
        result.seconds,
        f"Trang web: {_shown(options.out_dir)}/  ·  Mã QR và áp phích: {_shown(options.qr_dir)}/",
        verbose,
    )


def _shown(folder: Path) -> str:
    """A folder as the editor would type it: from here when it is under here."""
    relative = os.path.relpath(folder)
    return str(folder) if relative.startswith("..") else relative


def finish_build(problems: Problems, made: str, seconds: float, where: str, verbose: bool) -> None:
    """Every problem, then what was made; "Xong" says when warnings are left."""
    show_problems(problems, verbose)
    done = "Xong, còn cảnh báo nên sửa" if problems.warnings else "Xong"
    click.secho(
        f"{done}: {made}; {summary_line(problems)}; {seconds:.1f} giây.",
        fg=summary_word(problems)[1],
        err=True,
    )
    click.echo(where, err=True)


def build_summary(result: BuildResult) -> str:
    """What the build made, as the closing line says it (finish_build adds the rest)."""
    if result.unchanged:
        what = "không có gì thay đổi từ lần dựng trước"
    else:
        what = f"dựng {result.made} tệp, giữ nguyên {result.reused}"
    if result.site_count > 1 or (result.project and result.project.province):
        sites = f" ({result.procedures} thủ tục, {result.site_count} xã)"
    else:
        sites = f" ({result.procedures} thủ tục, {result.fields} lĩnh vực)"
    return (
        f"{result.pages} trang{sites}, {result.qr_files} tệp mã QR, "
        f"{result.poster_files} tệp áp phích; {what}"
    )


@main.command("check")
@project_option
@click.option("--strict", is_flag=True, help="Coi cảnh báo là lỗi (trả mã thoát 1).")
@verbose_option
@commune_option
def check_command(project: Path, strict: bool, verbose: bool, communes: tuple[str, ...]) -> None:
    """Kiểm tra mọi tệp, không ghi gì; liệt kê mọi vấn đề một lượt."""
    options = BuildOptions(project, strict=strict, communes=communes)
    checked, problems = check(options, step_printer(False))

    def counts() -> str:
        assert checked is not None
        procedures = sum(len(s.procedures) for s in checked.sites)
        if checked.province is not None:
            return f"{len(checked.sites)} xã, {procedures} trang thủ tục"
        return f"{procedures} thủ tục, {sum(len(s.fields) for s in checked.sites)} lĩnh vực"

    failed = checked is None or problems.has_errors(strict)
    finish_check(problems, failed, counts, strict, verbose)


def finish_check(
    problems: Problems,
    failed: bool,
    counts: Callable[[], str],
    strict: bool = False,
    verbose: bool = False,
) -> None:
    """Every problem, then one closing line whose first word is honest; exit 1
    when the check failed."""
    show_problems(problems, verbose)
    word, colour = summary_word(problems, strict)
    if failed:
        click.secho(f"{word}: {summary_line(problems)}.", fg=colour, err=True)
        sys.exit(1)
    tail = " Trang vẫn dựng được, nhưng nên sửa." if problems.warnings else ""
    click.secho(f"{word}: {counts()}; {summary_line(problems)}.{tail}", fg=colour, err=True)


@main.command("serve")
@project_option
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    default=8000,
    show_default=True,
    metavar="SỐ",
    help="Cổng trên máy này, từ 1 đến 65535.",
)
@click.option(
    "--posters/--no-posters",
    default=False,
    show_default=True,
    help="Dựng cả áp phích khi xem trước.",
)
def serve_command(project: Path, port: int, posters: bool) -> None:
    """Xem trước trên máy (http://127.0.0.1:PORT/), tự dựng lại khi tệp thay đổi."""
    from thutuc.commands.serve import serve

    gc.enable()  # it runs for hours, one build after another (see `run`)
    serve(project, port, posters)


@main.command("new")
@project_option
@click.option(
    "--field",
    "field_answer",
    metavar="LĨNH VỰC",
    help="Lĩnh vực: tên thư mục (ho-tich) hoặc tên (Hộ tịch).",
)
@click.option("--code", metavar="MÃ", help="Mã thủ tục, ví dụ 1.001193.")
@click.option("--title", metavar="TÊN", help="Tên thủ tục.")
@click.option("--new-field", is_flag=True, help="Tạo lĩnh vực mới nếu --field chưa có.")
def new_command(
    project: Path, field_answer: str | None, code: str | None, title: str | None, new_field: bool
) -> None:
    """Tạo tệp thủ tục mới với đủ mọi khóa để điền."""
    from thutuc.commands.scaffold import STOPPED, ScaffoldError, Stopped, run_new

    try:
        path = run_new(project, field_answer, code, title, new_field)
    except ScaffoldError as exc:
        click.secho(str(exc), fg="red", err=True)
        sys.exit(1)
    except Stopped:
        click.secho(f"\n{STOPPED}", fg="red", err=True)
        sys.exit(1)
    rel = path.relative_to(project).as_posix() if path.is_relative_to(project) else path
    click.secho(
        f"Đã tạo {rel}. Mở tệp, điền thông tin, rồi chạy: .venv/bin/python build.py check",
        fg="green",
        err=True,
    )


@main.command("import")
@project_option
@click.option("--force", is_flag=True, help="Ghi đè tệp thủ tục đã có.")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path), metavar="[TỆP]...")
def import_command(project: Path, force: bool, files: tuple[Path, ...]) -> None:
    """Nhập thủ tục từ tệp JSON của CSDL quốc gia, hoặc bảng CSV/XLSX (tệp hoặc thư mục)."""
    from thutuc.importers.importer import SUFFIXES, import_files

    gc.enable()  # a whole national export passes through (see `run`)
    if not files:
        click.secho(
            "Cần đưa vào tệp cần nhập (JSON, CSV, XLSX) hoặc thư mục chứa chúng, ví dụ: "
            ".venv/bin/python build.py import du-lieu/khai-sinh.json",
            fg="red",
            err=True,
        )
        sys.exit(2)
    paths = []
    for path in files:
        if not path.is_dir():
            paths.append(path)
            continue
        found = sorted(p for p in path.iterdir() if p.suffix.lower() in SUFFIXES)
        if not found:  # not "0 tệp đã ghi" and success: the editor chose the wrong folder
            kinds = ", ".join(sorted(SUFFIXES))
            click.secho(
                f"Thư mục {path} không có tệp nào để nhập ({kinds}). Kiểm tra lại đường "
                "dẫn: tệp phải nằm ngay trong thư mục đó, không ở thư mục con.",
                fg="red",
                err=True,
            )
            sys.exit(1)
        paths += found
    try:
        with sigterm_stops():
            report = import_files(paths, project, force=force)
    except (KeyboardInterrupt, BuildInterrupted) as stopped:
        click.secho(
            "\nĐã dừng giữa chừng. Chưa nhập thủ tục nào: thư mục procedures/ vẫn như "
            "trước khi chạy lệnh. Chạy lại lệnh để nhập.",
            fg="red",
            err=True,
        )
        sys.exit(143 if isinstance(stopped, BuildInterrupted) else 130)
    click.echo(report.format(), err=report.failed)
    if report.failed:
        sys.exit(1)


@main.command("compare")
@project_option
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text: báo cáo để đọc; json: cho chương trình khác.",
)
@click.option("--strict", is_flag=True, help="Trả mã thoát 1 khi có chỗ khác người dân cần biết.")
@click.option(
    "-v", "--verbose", is_flag=True, help="Hiện cả chỗ chỉ khác cách viết và chỗ cố ý khác."
)
@click.argument("national", nargs=-1, type=click.Path(path_type=Path), metavar="[TỆP]...")
def compare_command(
    project: Path, output_format: str, strict: bool, verbose: bool, national: tuple[Path, ...]
) -> None:
    """So sánh các trang với dữ liệu quốc gia (tệp hoặc thư mục JSON)."""
    from thutuc.importers.compare import compare_sites, format_json, format_text, read_national

    if not national:
        click.secho(
            "Cần đưa vào tệp hoặc thư mục dữ liệu quốc gia (JSON), ví dụ: "
            ".venv/bin/python build.py compare du-lieu/thu-tuc-quoc-gia/",
            fg="red",
            err=True,
        )
        sys.exit(2)
    sites, problems = checked_sites(project)
    if sites is None or problems.errors:
        show_problems(problems)
        click.secho(
            f"Chưa so sánh được: trang có lỗi ({summary_line(problems)}). "
            "Sửa lỗi (xem .venv/bin/python build.py check) rồi chạy lại.",
            fg="red",
            err=True,
        )
        sys.exit(1)
    records, messages = read_national(national)
    if not records:
        click.secho("Không đọc được bản ghi nào của dữ liệu quốc gia:", fg="red", err=True)
        click.echo("\n".join(f"  - {m}" for m in messages), err=True)
        sys.exit(1)
    report = compare_sites(sites, records)
    report.messages = messages
    text = format_json(report) if output_format == "json" else format_text(report, verbose)
    click.echo(text)
    if report.failed(strict):
        sys.exit(1)


def checked_sites(project: Path) -> tuple[list[Site] | None, Problems]:
    """The validated sites of a project: the commune, or every commune of a province."""
    checked, problems = check(BuildOptions(project))
    return (list(checked.sites) if checked else None), problems


def run() -> NoReturn:
    """The program itself (build.py, the `thutuc` script): `main`, then an exit
    that skips tearing the interpreter down. A build's last act would otherwise be
    freeing its ~200,000 objects one by one (70-130 ms of a 1 s edit build of
    4,000 procedures); every file is closed by then and the workers are ended.
    Tests call `main` through click's runner, never this.

    The cyclic collector is off too: a build keeps nearly everything it makes to
    its end, so the collector only rescanned it (0.07-0.1 s of a 1.3 s edit build
    of 4,000 procedures, `/usr/bin/time`, 5 runs each). `serve` and `import`,
    which make and drop large object graphs, turn it back on."""
    gc.disable()
    code: object = 0
    try:
        main()
    except SystemExit as stop:
        code = stop.code
    if code is not None and not isinstance(code, int):  # sys.exit("message")
        print(code, file=sys.stderr)
        code = 1
    if sys.gettrace() or sys.getprofile():  # coverage, cProfile: they write at exit
        sys.exit(code)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError):  # `| head` closed the pipe: nothing to tell
            stream.flush()
    os._exit(code or 0)


if __name__ == "__main__":  # pragma: no cover
    run()
