"""Per-article extraction cache: an unchanged article is never parsed twice.

An entry is keyed by everything that shapes the article's triples: its bytes (sha1), its file
name, the dates and duplicate links ingest gave it, and the pipeline version (model, rules,
extractor code, ontology). It holds the article's named graph as Turtle (without prefixes) and
its report entry, and is written atomically, so a build killed midway leaves a usable cache.

>>> import tempfile, pathlib
>>> cache = ExtractionCache(pathlib.Path(tempfile.mkdtemp()))
>>> cache.get("k") is None
True
>>> cache.put("k", CachedArticle(turtle="<a> <b> <c> .", triples=1, report={"file": "a.txt"}))
>>> cache.get("k").triples
1
"""
from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path

from kg import config
from kg.files import atomic_write

log = logging.getLogger(__name__)



def code_version(rules_dir: Path | None = None) -> str:
    """Everything that shapes the graph of one article, hashed: the pipeline's name and
    version, spaCy's version, the rule files, the project's data files and ontology, the trained
    sentence classifier and the code of every kg module. Changing any of them invalidates the cache."""
    from kg.extract.classifier import model_files
    from kg.graph.namespaces import digest

    name, version = config.installed_model()
    parts: list[object] = [name, version, metadata.version("spacy")]
    files = sorted(Path(rules_dir or config.DATA / "rules").glob("*.jsonl"))
    files += sorted(config.ONTOLOGY.glob("*.ttl"))
    files += [config.DATA / n for n in ("councils.csv", "organisations.jsonl", "ingest_patterns.json")]
    files += sorted(Path(__file__).resolve().parents[1].rglob("*.py"))  # the code of every kg module
    files += model_files()  # the trained sentence classifier
    for path in files:
        parts.append(path.name)
        parts.append(path.read_bytes() if path.exists() else b"")
    return digest(*parts)


@dataclass(frozen=True)
class CachedArticle:
    turtle: str  # the article's named graph, Turtle statements without @prefix lines
    triples: int
    report: dict  # its report.json entry
    view: dict = field(default_factory=lambda: {"nodes": [], "edges": []})  # its projection fragment
    hashes: list = field(default_factory=list)  # its triples' hashes (kg.view.projection_store.triple_hashes)


class ExtractionCache:
    """A folder of JSON files, one per article key (two-level fan-out keeps folders small)."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.json"

    def has(self, key: str) -> bool:
        """Whether there is an entry for ``key`` (it may still prove damaged when read)."""
        return self._path(key).is_file()

    def get(self, key: str) -> CachedArticle | None:
        path = self._path(key)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return CachedArticle(**data)
        except FileNotFoundError:
            return None
        except (OSError, ValueError, TypeError) as exc:  # a damaged entry is recomputed, not fatal
            log.warning("ignoring damaged cache entry %s: %s", path, exc)
            return None

    def put(self, key: str, entry: CachedArticle) -> None:
        atomic_write(self._path(key), json.dumps(asdict(entry), ensure_ascii=False))

    def prune(self, keep: set[str]) -> int:
        """Remove entries no longer used by the corpus; returns how many."""
        removed = 0
        for path in self.directory.glob("*/*.json"):
            if path.stem not in keep:
                path.unlink(missing_ok=True)
                removed += 1
        return removed
