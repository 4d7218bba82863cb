"""The package as users install it: a wheel in a fresh venv, building a site elsewhere.

An editable install finds templates/ beside the package and hides a wheel that
lacks them (MkDocs learnt the same: ship what the code loads).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest
from conftest import REPO

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(folder), str(REPO)],
        check=True,
    )
    [built] = folder.glob("thutuc-*.whl")
    return built


def test_the_wheel_ships_templates_static_files_and_fonts(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for template in (REPO / "templates").rglob("*"):
        if template.is_file():  # strings/ too
            rel = template.relative_to(REPO / "templates").as_posix()
            assert f"thutuc/templates/{rel}" in names, rel
    assert "thutuc/site/static/site.css" in names
    assert "thutuc/site/static/procedure.js" in names
    assert "thutuc/site/static/fonts/khmer.woff2" in names
    assert "thutuc/print/fonts/NotoSans-Regular.ttf" in names


def test_an_installed_wheel_builds_a_site_from_another_folder(wheel: Path, tmp_path: Path) -> None:
    environment = tmp_path / "venv"
    venv.create(environment, with_pip=True)
    python = environment / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", str(wheel)], check=True)
    site = tmp_path / "xa"
    shutil.copytree(REPO / "procedures", site / "procedures")
    for name in ("site.yml", "published-urls.txt"):
        shutil.copy(REPO / name, site / name)
    done = subprocess.run(
        [str(environment / "bin" / "thutuc"), "build", "--project", str(site), "-q"],
        capture_output=True, text=True, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert (site / "output/1.001193/index.html").is_file()
    assert (site / "qr/ap-phich/bang-linh-vuc-A4.pdf").is_file()
    # the installed package, not this checkout
    where = subprocess.run(
        [str(python), "-c", "import thutuc, sys; print(thutuc.__file__)"],
        capture_output=True, text=True, check=True, cwd=tmp_path,
    ).stdout  # fmt: skip
    assert str(environment) in where
