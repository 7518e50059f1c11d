"""The house by stage: layers without upward imports or cycles (import-linter's contracts in
pyproject.toml), modules of a readable size, a thin build.py, and a README map that is the tree."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from kg import config

ROOT = Path(__file__).resolve().parent.parent
KG = ROOT / "kg"
MAX_LINES = 700


def test_the_import_contracts_hold():
    """`lint-imports`: no stage imports a stage above it, no cycle among sibling modules. (In a
    process of its own: import-linter reconfigures logging, which would mute the other tests.)"""
    code = ("import sys; from importlinter.cli import lint_imports; "
            "sys.exit(lint_imports(config_filename='pyproject.toml', no_cache=True, no_logo=True))")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "2 kept, 0 broken" in proc.stdout


def test_the_layers_contract_names_every_package():
    """A new stage must take its place in the layers, or it is checked against nothing."""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    layers = re.search(r'type = "layers"\nlayers = \[(.*?)\]', text, re.S).group(1)
    named = set(re.findall(r"kg\.(\w+)", layers))
    top = {p.name for p in KG.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    top |= {p.stem for p in KG.glob("*.py") if p.name != "__init__.py"}
    assert top == named


@pytest.mark.parametrize("path", sorted(KG.rglob("*.py")), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_is_over_700_lines(path: Path):
    assert len(path.read_text(encoding="utf-8").splitlines()) <= MAX_LINES


def test_build_py_is_a_thin_wrapper():
    text = (ROOT / "build.py").read_text(encoding="utf-8")
    assert len(text.splitlines()) < 60
    assert "from kg.cli import main" in text


def _readme_map() -> tuple[set[str], set[str]]:
    """The paths the README's "How it works" block names: top-level entries (``kg/x.py``,
    ``kg/pkg/``) and the modules indented under a package entry."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## How it works\n+```\n(.*?)```", text, re.S).group(1)
    entries: set[str] = set()
    modules: set[str] = set()
    package = None
    for line in block.splitlines():
        top = re.match(r"(kg/\S*)", line)
        sub = re.match(r"\s{2,}(\w+\.py)\b", line)
        if top:
            entries.add(top.group(1))
            package = top.group(1) if top.group(1).endswith("/") else None
        elif sub and package:
            modules.add(package + sub.group(1))
    return entries, modules


def test_the_readme_module_map_is_the_tree():
    entries, modules = _readme_map()
    packages = {f"{p.relative_to(ROOT)}/" for p in KG.iterdir() if (p / "__init__.py").exists()}
    top_modules = {str(p.relative_to(ROOT)) for p in KG.glob("*.py") if p.name != "__init__.py"}
    assert entries == packages | top_modules
    in_packages = {str(p.relative_to(ROOT)) for pkg in packages for p in (ROOT / pkg).glob("*.py")
                   if p.name != "__init__.py"}
    assert modules == in_packages


def test_package_data_is_found_through_the_package():
    """config's folders are the package's resources (links to the top-level folders in a checkout)."""
    assert config.DATA == (ROOT / "data").resolve()
    assert config.ONTOLOGY == (ROOT / "ontology").resolve()
    assert config.QUERIES == (ROOT / "queries").resolve()
    for name in ("data", "ontology", "queries"):
        link = KG / "resources" / name
        assert link.is_symlink() and link.resolve() == (ROOT / name).resolve()
