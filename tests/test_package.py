"""A real package: the wheel, installed without -e into a fresh virtual environment, builds the
sample articles from another folder through the `councilkg` console script, byte for byte as the
checkout does, reading its ontology, data, queries and templates from inside the package."""
from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

from kg import config

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.skipif(config.ROOT is None, reason="needs the checkout (pyproject.toml) to build a wheel")


def _source_copy(tmp_path: Path) -> Path:
    """What a wheel is built from: pyproject, README, kg/ (its resources links kept) and the
    top-level folders they point at (the training-only folders of data/ left out)."""
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    shutil.copytree(ROOT / "kg", src / "kg", symlinks=True, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("ontology", "queries"):
        shutil.copytree(ROOT / name, src / name)
    shutil.copytree(ROOT / "data", src / "data", ignore=shutil.ignore_patterns("annotations", "dev", "holdout"))
    return src


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("wheel")
    src = _source_copy(tmp)
    dist = tmp / "dist"
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", str(src), "--no-deps", "--no-build-isolation",
                           "--no-index", "-w", str(dist), "-q"], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    (found,) = dist.glob("councilkg-*.whl")
    return found


def test_the_wheel_holds_what_the_code_reads_at_run_time(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for expected in ("kg/resources/ontology/councilkg.ttl", "kg/resources/ontology/shapes.ttl",
                     "kg/resources/ontology/taxonomies.ttl", "kg/resources/queries/inadequate-councils.rq",
                     "kg/resources/data/rules/failings.jsonl", "kg/resources/data/councils.csv",
                     "kg/resources/data/report_patterns.json", "kg/resources/data/node_styles.json",
                     "kg/resources/data/model/sentence-classifier/meta.json", "kg/view/templates/viewer.html",
                     "kg/resources/data/articles/000_b235c312336cbcdc.txt"):
        assert expected in names
    assert not any(n.startswith(("kg/resources/data/annotations", "kg/resources/data/dev")) for n in names)
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "councilkg = kg.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_the_installed_wheel_builds_from_another_folder(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    proc = subprocess.run([str(python), "-m", "pip", "install", "--no-deps", "--no-index", "-q", str(wheel)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    # the dependencies are this environment's (nothing is downloaded); the project itself is not:
    # a .pth line adds a folder to sys.path but never runs the editable install's finder
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    Path(site, "outer-environment.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    where = subprocess.run([str(python), "-c", "import kg.config as c; print(c.__file__); print(c.ROOT)"],
                           cwd=elsewhere, capture_output=True, text=True, check=True).stdout.split("\n")
    assert where[0].startswith(site) and where[1] == "None"

    articles = tmp_path / "articles"
    shutil.copytree(ROOT / "data" / "articles", articles)
    out = tmp_path / "out"
    proc = subprocess.run([str(env_dir / "bin" / "councilkg"), "build", "--articles", str(articles), "--out", str(out)],
                          cwd=elsewhere, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    for name in ("graph.ttl", "viewer.html", "graph.graphml", "report.json"):
        assert (out / name).is_file(), name

    reference = tmp_path / "reference"
    from kg.cli import main

    assert main(["build", "--articles", str(articles), "--out", str(reference)]) == 0
    for name in ("graph.ttl", "graph.trig", "viewer.html"):
        assert hashlib.sha1((out / name).read_bytes()).digest() == hashlib.sha1((reference / name).read_bytes()).digest(), name

    query = subprocess.run([str(env_dir / "bin" / "councilkg"), "query", "inadequate-councils", "--out", str(out)],
                           cwd=elsewhere, capture_output=True, text=True, timeout=300)
    assert query.returncode == 0, query.stderr
    assert "Bradford" in query.stdout
