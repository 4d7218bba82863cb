"""Builders: make one artifact from exactly its inputs, in a worker or in the main process.

Each builder takes an artifact's `inputs` (engine/artifacts.py declares them)
and returns its files as (tree, path, bytes), with the problems it found and a
little data for later steps (a poster's row on the contact sheet). `run_job`
writes the files into the spare output folders, so the bytes never travel back
to the main process; only their sizes and digests do.

The forkserver imports this module once for every worker (engine/pool.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from jinja2 import TemplateError, TemplateSyntaxError

from thutuc.content.files import SourceChanged, content_digest
from thutuc.content.model import SiteConfig
from thutuc.engine.staging import write_output
from thutuc.engine.state import OutputFile
from thutuc.problems import Problem, Severity
from thutuc.site import render
from thutuc.site.redirects import NETLIFY_FILE, NGINX_FILE, netlify_redirects, nginx_map
from thutuc.site.search_index import INDEX_PATH, search_index_json

OUT, QR = "out", "qr"


@dataclass
class Built:
    files: list[tuple[str, str, bytes]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    meta: Any = None


def page(inputs: tuple[Path, str, SiteConfig, render.PageSpec]) -> Built:
    templates_root, overrides, config, spec = inputs
    return _from_templates(
        templates_root,
        spec.template,
        lambda: render.render_page(templates_root, config, spec, overrides),
    )


def _from_templates(site_root: Path, template: str, make: Callable[[], render.Page]) -> Built:
    """The file `make` renders, or the problem of the template that failed."""
    try:
        made = make()
    except TemplateSyntaxError as exc:  # found as it compiles: Jinja says where
        return Built(problems=[template_problem(exc, template)])
    except Exception as exc:  # failing as it runs: {{ 1 / 0 }}, a name it does not have
        problem = template_runtime_problem(exc, site_root)
        if problem is None and isinstance(exc, TemplateError):
            problem = template_problem(exc, template)
        if problem is None:
            raise  # not in the site's templates: the tool's own mistake, reported as one
        return Built(problems=[problem])
    return Built([(OUT, made.file, made.content)])


TEMPLATE_HINT = "Sửa mẫu trong thư mục templates/ của trang, hoặc xóa nó để dùng mẫu có sẵn."


def template_problem(exc: TemplateError, template: str) -> Problem:
    """A template mistake (a site's own templates/) as a problem naming the file and line."""
    name = getattr(exc, "filename", None) or getattr(exc, "name", None) or template
    line = getattr(exc, "lineno", None)
    return Problem(
        f"templates/{Path(str(name)).name}",
        line,
        f"Mẫu trang lỗi: {exc.message or exc}.",
        TEMPLATE_HINT,
        Severity.ERROR,
    )


def template_runtime_problem(exc: Exception, site_root: Path) -> Problem | None:
    """The error of a template in the site's own templates/ as a problem naming
    its file and line (the innermost of its frames: Jinja gives each template
    line a frame), or None when no such template ran."""
    own = (site_root / "templates").resolve()
    found: tuple[Path, int] | None = None
    trace = exc.__traceback__
    while trace is not None:
        file = Path(trace.tb_frame.f_code.co_filename)
        if file.is_relative_to(own):
            found = file, trace.tb_lineno
        trace = trace.tb_next
    if found is None:
        return None
    file, line = found
    what = (
        "mẫu gọi lại chính nó mãi không dừng (include hoặc macro vòng tròn)"
        if isinstance(exc, RecursionError)
        else exc.message or str(exc)
        if isinstance(exc, TemplateError)
        else f"{type(exc).__name__}: {exc}"
    )
    return Problem(
        f"templates/{file.relative_to(own).as_posix()}",
        line,
        f"Mẫu trang lỗi khi dựng: {what}.",
        TEMPLATE_HINT,
        Severity.ERROR,
    )


def sitemap(inputs: tuple[Path, str, SiteConfig, tuple[Any, ...]]) -> Built:
    templates_root, overrides, config, paths = inputs
    return _from_templates(
        templates_root,
        "sitemap.xml",
        lambda: render.Page(
            "sitemap.xml", render.sitemap_xml(templates_root, config, paths, overrides)
        ),
    )


def redirect_files(inputs: tuple[Any]) -> Built:
    (site,) = inputs
    return Built([(OUT, NETLIFY_FILE, netlify_redirects(site)), (OUT, NGINX_FILE, nginx_map(site))])


def search(inputs: tuple[Any, ...]) -> Built:
    site, path = inputs if len(inputs) == 2 else (inputs[0], INDEX_PATH)  # one per language
    return Built([(OUT, path, search_index_json(site))])


def script(inputs: tuple[str]) -> Built:
    made = render.script()
    return Built([(OUT, made.path, made.content)])


def marker(inputs: tuple[str]) -> Built:
    (tree,) = inputs
    from thutuc.engine.staging import MARKER

    return Built([(tree, MARKER, b"")])


def form(inputs: tuple[str, Path, str]) -> Built:
    """A form file copied beside its procedure's page, as the digest says it is."""
    address, source, digest = inputs
    data = source.read_bytes()
    if content_digest(data) != digest:
        raise SourceChanged(str(source))
    return Built([(OUT, address, data)])


def qr_svg(inputs: tuple[Any, str]) -> Built:
    from thutuc.print.qr import encode_url, svg_document

    target, ecc = inputs
    svg = svg_document(encode_url(target.url, ecc), target.title, target.url)
    return Built([(QR, f"{target.name}.svg", svg.encode("utf-8"))])


def qr_png(inputs: tuple[str, str, str]) -> Built:
    from thutuc.print.qr import encode_url, png_bytes

    name, url, ecc = inputs  # artifacts.png_inputs: no title, which only the SVG holds
    return Built([(QR, f"{name}.png", png_bytes(encode_url(url, ecc)))])


def poster(inputs: tuple[Any, ...]) -> Built:
    """One poster: its PDF, its preview, its contact-sheet row, and a warning when
    its codes had to shrink below what its reading distance needs."""
    from reportlab.platypus.doctemplate import LayoutError as TooLargeForPage

    from thutuc.print.layout import LayoutError
    from thutuc.print.posters import (
        POSTER_DIR,
        PREVIEW_DIR,
        PosterJob,
        draw_poster,
        fitted,
        poster_row,
        spec_problems,
    )

    # (the spec as declared, for a list poster; else the job that makes it)
    spec = fitted(inputs[0]) if len(inputs) == 1 else PosterJob(*inputs).spec()
    if not spec.codes:
        return Built()
    try:
        pdf, preview, pages = draw_poster(spec)
    except (LayoutError, TooLargeForPage) as exc:
        # ours says why in Vietnamese; reportlab's means one block is taller than a page
        why = str(exc) if isinstance(exc, LayoutError) else "một đoạn chữ dài hơn cả trang giấy"
        problem = Problem(
            f"qr/{POSTER_DIR}/{spec.name}.pdf", None, f"Không dàn trang được áp phích: {why}.",
            "Rút gọn tên quá dài, hoặc báo cho người quản trị trang.", Severity.ERROR,
            detail="" if isinstance(exc, LayoutError) else str(exc)[:300],
        )  # fmt: skip
        return Built(problems=[problem])
    files = [
        (QR, f"{POSTER_DIR}/{spec.name}.pdf", pdf),
        (QR, f"{PREVIEW_DIR}/{spec.name}.png", preview),
    ]
    return Built(files, _told(spec_problems(spec)), poster_row(spec, pages))


def glyphs(inputs: tuple[str, Any, Path, str | None]) -> Built:
    """The characters of one file the posters print and no poster font draws."""
    from thutuc.print.posters import glyph_problems

    file, printed, root, _digest = inputs
    return Built(problems=_told(glyph_problems(file, printed, root)))


def _told(problems: list[Any]) -> list[Problem]:
    """The print side's problems (posters.PosterProblem) as the build reports them."""
    severities = {"warning": Severity.WARNING, "notice": Severity.NOTICE}
    return [
        Problem(p.file, p.line, p.message, p.hint, severities.get(p.severity, Severity.WARNING))
        for p in problems
    ]


def contact_card(inputs: tuple[Any]) -> Built:
    """The hotline as a code that saves it as a contact, for the contacts page."""
    from thutuc.print.qr import CONTACT_CARD_PATH, contact_card_svg

    (site,) = inputs
    svg = contact_card_svg(site)
    return Built([(OUT, CONTACT_CARD_PATH, svg.encode("utf-8"))] if svg else [])


def province_index(inputs: tuple[Path, str, Any, tuple[tuple[str, str], ...]]) -> Built:
    """output/index.html of a province: every commune, with its address."""
    from thutuc.content.text import fold
    from thutuc.resources import STATIC_DIR

    root, overrides, province, names = inputs
    communes = sorted(
        ({"slug": s, "name": n} for s, n in names), key=lambda c: (fold(c["name"]), c["slug"])
    )
    css = (STATIC_DIR / "site.css").read_text("utf-8")
    html = (
        render.make_environment(root, overrides)
        .get_template("province.html")
        .render(province=province, communes=communes, css=css)
    )
    return Built([(OUT, "index.html", html.encode("utf-8"))])


BUILDERS: dict[str, Callable[[Any], Built]] = {
    "contact-card": contact_card,
    "province-index": province_index,
    "page": page,
    "sitemap": sitemap,
    "redirect-files": redirect_files,
    "search": search,
    "script": script,
    "marker": marker,
    "form": form,
    "qr-svg": qr_svg,
    "qr-png": qr_png,
    "poster": poster,
    "glyphs": glyphs,
}


@dataclass(frozen=True)
class Job:
    """An artifact to make, and the spare folders its files go into."""

    artifact_id: str
    kind: str
    inputs: Any
    prefix: str  # the site's folder in each tree: "" or "<commune>/"
    roots: dict[str, Path]
    affinity: str = ""
    qr_name: str = "qr"  # the posters' folder as problems name it (--qr)


@dataclass(frozen=True)
class JobResult:
    artifact_id: str
    files: tuple[tuple[str, str, OutputFile], ...]  # (tree, tree-relative path, file)
    problems: tuple[Problem, ...] = ()
    meta: Any = None


def run_job(job: Job) -> JobResult:
    built = BUILDERS[job.kind](job.inputs)
    files = tuple(
        (tree, job.prefix + rel, write_output(job.roots[tree], job.prefix + rel, data))
        for tree, rel, data in built.files
    )
    problems = tuple(_in_site_folder(p, job.prefix, job.qr_name) for p in built.problems)
    return JobResult(job.artifact_id, files, problems, built.meta)


def _in_site_folder(problem: Problem, prefix: str, qr_name: str) -> Problem:
    """A problem of a printed file, which the poster module names qr/ap-phich/...,
    in the folder the posters really go to (--qr) and, in a province, the
    commune's folder there: qr/<xã>/ap-phich/..."""
    if problem.file.startswith("qr/"):
        return replace(problem, file=f"{qr_name}/{prefix}{problem.file[3:]}")
    return problem


def job_affinity(job: Job) -> str:
    return job.affinity or job.artifact_id
