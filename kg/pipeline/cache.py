"""The build's caches, in one module, with one key.

The key (:func:`code_version`) is derived from what shapes an article's graph: the data files
(rules, gazetteer, page and report layout patterns, node styles), the ontology, the trained
classifier, the versions of the spaCy pipeline, spaCy and rdflib, and :data:`CODE_VERSION`, a
constant to raise whenever a code change changes what a build writes for an unchanged input.
Editing a comment or refactoring the code keeps every entry; editing a rule file re-extracts.

**Extraction cache** (:class:`ExtractionCache`): an unchanged article is never parsed twice.
An entry is keyed by everything that shapes the article's triples: its bytes (sha1), its file
name, the dates and duplicate links ingest gave it, and the key above. It holds the article's named graph as Turtle (without prefixes) and
its report entry, and is written atomically, so a build killed midway leaves a usable cache.

>>> import tempfile, pathlib
>>> cache = ExtractionCache(pathlib.Path(tempfile.mkdtemp()))
>>> cache.get("k") is None
True
>>> cache.put("k", CachedArticle(turtle="<a> <b> <c> .", triples=1, report={"file": "a.txt"}))
>>> cache.get("k").triples
1

**Reading cache** (:class:`IngestCache`): what reading each input file gave, kept between
builds, so that an unchanged file is not parsed again: a rebuild after one article changed reads every file's bytes (to hash them) but
parses only the changed one.

An entry is keyed by the file's bytes (sha1), its name and the code version
(:func:`code_version`). It holds the article's record as read (identity, title, dates,
kind, warnings: what the build keeps of an article once it is read, see :class:`kg.pipeline.inputs.Released`),
its body's length and its shingles for near-duplicate detection (:class:`kg.sources.duplicates.ShingleIndex`).
Entries live in one SQLite file. New entries are written as files are read, inside one
transaction that is committed once the whole corpus is read, and the entries no file used are
dropped then, so a build killed midway leaves the cache as the last build left it. A file that
is not a cache of this schema, or cannot be read, is started anew (with a warning).

>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "a.txt").write_text("text")
>>> with IngestCache(folder / "ingest.sqlite", "v1") as cache:
...     key, hit = cache.lookup("a.txt", folder / "a.txt")
...     cache.remember(key, {"title": "A"}, b"", 4)
...     cache.commit()
>>> with IngestCache(folder / "ingest.sqlite", "v1") as cache:
...     cache.lookup("a.txt", folder / "a.txt")[1].record
{'title': 'A'}
"""
from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path

from kg import config
from kg.files import atomic_write

log = logging.getLogger(__name__)



#: Raise this whenever a change of code changes what a build writes for an unchanged input (an
#: extractor's logic, the RDF mapping, the report.json entry, the projection): every cache entry
#: made before is then extracted again. Code changes that keep the outputs (refactoring, comments,
#: speed) leave it, and the cache with it.
CODE_VERSION = "2026.12.75"


def key_files(rules_dir: Path | None = None) -> list[Path]:
    """The files whose bytes are part of the key: the rule files, the data files beside them
    (gazetteer, page and report layout patterns, node styles), the ontology and the trained
    sentence classifier."""
    from kg.extract.classifier import model_files

    files = sorted(Path(rules_dir or config.DATA / "rules").glob("*.jsonl"))
    files += sorted(p for p in config.DATA.iterdir() if p.suffix in (".csv", ".json", ".jsonl") and p.is_file())
    files += sorted(config.ONTOLOGY.glob("*.ttl"))
    files += model_files()
    return files


def code_version(rules_dir: Path | None = None) -> str:
    """The caches' key: what shapes the graph of one article, hashed. That is :data:`CODE_VERSION`,
    the versions of the spaCy pipeline, spaCy and rdflib, and the name and bytes of every file of
    :func:`key_files`. Changing any of them invalidates the cache; editing the code does not."""
    from kg.graph.namespaces import digest

    name, version = config.installed_model()
    parts: list[object] = [CODE_VERSION, name, version, metadata.version("spacy"), metadata.version("rdflib")]
    for path in key_files(rules_dir):
        parts.append(path.name)
        parts.append(path.read_bytes())
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

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Hit:
    """A file read before, unchanged: its record as read, and what near-duplicate detection needs."""

    record: dict
    shingles: bytes  # sorted 64-bit hashes (kg.sources.duplicates.ShingleIndex), empty for a report
    length: int  # of its body, in characters


class IngestCache:
    """The reading cache in ``path``; ``path`` None turns it off (every lookup misses, nothing
    is kept)."""

    def __init__(self, path: Path | None, version: str) -> None:
        self.path, self.version = path, version
        self.hits = self.misses = 0
        self._db: sqlite3.Connection | None = None
        if path is not None:
            self._db = self._open(Path(path))

    def _open(self, path: Path) -> sqlite3.Connection:
        path.parent.mkdir(parents=True, exist_ok=True)
        for attempt in (1, 2):
            db = sqlite3.connect(path, isolation_level=None)
            try:
                found = db.execute("PRAGMA user_version").fetchone()[0]
                tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
                if found != SCHEMA_VERSION or "entries" not in tables:
                    if tables:
                        raise sqlite3.DatabaseError(f"schema {found}, not {SCHEMA_VERSION}")
                    db.execute("CREATE TABLE entries (key TEXT PRIMARY KEY, record TEXT NOT NULL, "
                               "shingles BLOB NOT NULL, length INTEGER NOT NULL) WITHOUT ROWID")
                    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                db.execute("CREATE TEMP TABLE used (key TEXT PRIMARY KEY) WITHOUT ROWID")
                db.execute("BEGIN IMMEDIATE")
                return db
            except sqlite3.DatabaseError as exc:
                db.close()
                if attempt == 2:
                    raise
                log.warning("the reading cache %s is unusable (%s): starting it anew", path, exc)
                for name in (path.name, path.name + "-journal", path.name + "-wal"):
                    (path.parent / name).unlink(missing_ok=True)
        raise AssertionError("unreachable")  # pragma: no cover

    def lookup(self, name: str, path: Path) -> tuple[str, Hit | None]:
        """The key of the file at ``path`` (recorded as ``name``), and what reading it gave last
        time. Its bytes are hashed as they are read, a megabyte at a time. Raises ``OSError``
        when it cannot be read."""
        content = hashlib.sha1()
        with open(path, "rb") as stream:
            while block := stream.read(1 << 20):
                content.update(block)
        key = hashlib.sha1(b"\x1f".join((self.version.encode(), content.digest(),
                                         name.encode("utf-8", "surrogatepass")))).hexdigest()
        if self._db is None:
            self.misses += 1
            return key, None
        row = self._db.execute("SELECT record, shingles, length FROM entries WHERE key = ?", (key,)).fetchone()
        if row is None:
            self.misses += 1
            return key, None
        try:
            record = json.loads(row[0])
            if not isinstance(record, dict) or len(row[1]) % 8:
                raise ValueError("not a record and shingles")
        except (ValueError, TypeError):  # a damaged entry: the file is read again, not fatal
            self.misses += 1
            return key, None
        self._db.execute("INSERT OR IGNORE INTO used VALUES (?)", (key,))
        self.hits += 1
        return key, Hit(record, bytes(row[1]), int(row[2]))

    def remember(self, key: str, record: dict, shingles: bytes, length: int) -> None:
        """Keep what reading a file gave (written now, committed by :meth:`commit`)."""
        if self._db is None:
            return
        self._db.execute("INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?)",
                         (key, json.dumps(record, ensure_ascii=False, sort_keys=True), shingles, length))
        self._db.execute("INSERT OR IGNORE INTO used VALUES (?)", (key,))

    def commit(self) -> None:
        """Keep the entries of this build's files, and only those."""
        if self._db is None:
            return
        self._db.execute("DELETE FROM entries WHERE key NOT IN (SELECT key FROM used)")
        self._db.execute("COMMIT")
        self._db.execute("BEGIN IMMEDIATE")

    def close(self) -> None:
        """Close; what was not committed is rolled back."""
        if self._db is not None:
            self._db.close()
            self._db = None

    def __enter__(self) -> "IngestCache":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
