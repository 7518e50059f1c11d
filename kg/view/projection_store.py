"""The viewer's entity projection, assembled article by article on disk.

The projection of :mod:`kg.view.project` (councils, inspections, concepts, people... as nodes;
findings and memberships as edges) used to be computed from the union of every article's
graph, held in memory. Here each article's named graph is projected on its own, with the
ontology for concept labels, into a *fragment*: its nodes and edges as plain JSON, kept in the
article's cache entry so that an unchanged article is never parsed again. A build streams the
fragments into a scratch SQLite file (:class:`ProjectionStore`) and reads them back merged,
ordered by node id, so that neither the RDF graph nor the projection of a large corpus is
held in memory: GraphML is written as a stream, the viewer draws the whole projection when it
is small enough to explore (:data:`VIEWER_MAX_NODES`) and an overview of councils and
concepts otherwise, and ``build.py view --council`` reads one council's neighbourhood from
the same file.

Merging: a node named in several fragments keeps the kind, label and single-valued details of
its first full description (an article named only by its same-story twin is a *stub* there),
and the union of its list details (evidence, sources, roles, other names); a council's fact
count is the number of distinct resources that point at it, over all fragments. The merged
projection equals :func:`kg.view.project.project` of the union graph (``tests/view/test_projection_store.py``).

>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "p.sqlite"
>>> with ProjectionStore.create(path) as store:
...     store.add(0, {"nodes": [["c", "council", "Bradford", {"iri": "c"}, 0, ["f1"]]], "edges": []})
...     store.add(1, {"nodes": [["c", "council", "Bradford", {"iri": "c"}, 0, ["f1", "f2"]]], "edges": []})
>>> [(n, d["facts"]) for n, d in ProjectionStore(path).nodes()]
[('c', 2)]
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
import tempfile
from array import array
from collections.abc import Iterable, Iterator
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import Any

import networkx as nx
from rdflib import Graph, URIRef

from kg.view.project import TERMINAL_KINDS, Projector, council_matching

log = logging.getLogger(__name__)

#: Above this many nodes the main viewer shows an overview (councils, concepts and the
#: aggregated facts between them) instead of every fact: vis-network stays responsive up to
#: a few thousand nodes, and the page of a large corpus would otherwise grow without bound.
VIEWER_MAX_NODES = 5000

#: Node kinds kept in the overview: a bounded set (the gazetteer, the taxonomies, the
#: organisations), whatever the size of the corpus.
OVERVIEW_KINDS = ("council", "rating", "failing", "organisation")

#: Fact kinds counted on each council in the overview, with the relation that links them.
OVERVIEW_COUNTS = (
    ("inspected", "inspections"),
    ("finding", "findings"),
    ("recommendation", "recommendations"),
    ("response", "responses"),
    ("statistic", "figures"),
)

Fragment = dict[str, list]


# --------------------------------------------------------------------------------------------
# one article's fragment


class _Layered:
    """Read-only view of several rdflib graphs as one (the article's graph over the ontology),
    with just the reading methods the projector uses."""

    def __init__(self, *graphs: Graph) -> None:
        self.graphs = graphs

    def _distinct(self, method: str, *args: Any) -> Iterator[Any]:
        seen: set = set()
        for g in self.graphs:
            for item in getattr(g, method)(*args):
                if item not in seen:
                    seen.add(item)
                    yield item

    def objects(self, s=None, p=None) -> Iterator[Any]:
        return self._distinct("objects", s, p)

    def subjects(self, p=None, o=None) -> Iterator[Any]:
        return self._distinct("subjects", p, o)

    def subject_predicates(self, o=None) -> Iterator[Any]:
        return self._distinct("subject_predicates", o)

    def __contains__(self, triple) -> bool:
        return any(triple in g for g in self.graphs)


def fragment(graph: Graph, reference: Graph, article: URIRef) -> Fragment:
    """The projection of one article's named ``graph`` (``reference`` supplies the concepts'
    labels) as JSON-ready rows: nodes ``[id, kind, label, details, stub, pointers]`` and
    edges ``[u, v, key, relation, label, details]``. ``stub`` marks an article node that this
    graph only names (a same-story twin); ``pointers`` lists, for a council, the resources of
    this graph that point at it."""
    proj = Projector(_Layered(graph, reference)).run()
    own = str(article)
    nodes = []
    for n, d in proj.nodes(data=True):
        details = dict(d["details"])
        details.pop("facts and mentions", None)
        pointers: list[str] = []
        if d["kind"] == "council":
            iri = URIRef(n)
            pointers = sorted({str(s) for s, _p in graph.subject_predicates(iri) if s != iri})
        stub = int(d["kind"] == "article" and n != own)
        nodes.append([n, d["kind"], str(d["label"]), details, stub, pointers])
    edges = [[u, v, str(k), d["relation"], str(d["label"]), d.get("details")]
             for u, v, k, d in proj.edges(keys=True, data=True)]
    return {"nodes": nodes, "edges": edges}


def triple_hashes(graph: Iterable) -> list[int]:
    """A signed 64-bit hash of each triple, to count the distinct triples of a corpus without
    holding them: collisions are negligible below billions of triples."""
    out = []
    for s, p, o in graph:
        key = f"{s.n3()} {p.n3()} {o.n3()}".encode("utf-8")
        out.append(int.from_bytes(hashlib.blake2b(key, digest_size=8).digest(), "big", signed=True))
    return sorted(set(out))


# --------------------------------------------------------------------------------------------
# merging


def _merge_lists(*lists: list) -> list:
    """Union of detail lists in the projector's order: strings sorted, sources by article."""
    seen: dict[str, Any] = {}
    for items in lists:
        for item in items:
            seen.setdefault(json.dumps(item, sort_keys=True, ensure_ascii=False), item)
    items = list(seen.values())
    if all(isinstance(i, dict) for i in items):
        return sorted(items, key=lambda i: (str(i.get("article", "")), json.dumps(i, sort_keys=True)))
    return sorted(items, key=str)


def _merge_details(rows: list[dict | None]) -> dict | None:
    """One node's or edge's details from those of its rows, in row order: the first row's keys
    and values, then each key a later row adds (after the key it follows there); a list given
    by several rows becomes their union (:func:`_merge_lists`), merged once, so a concept found
    in thousands of articles costs one union, not one per article."""
    first = next((r for r in rows if r is not None), None)
    if first is None:
        return None
    merged = dict(first)
    order = list(first)
    several: dict[str, list[list]] = {}  # the lists of each key that more than one row gives
    for other in rows:
        if other is None or other is first:
            continue
        previous = None
        for key, value in other.items():
            if key not in merged:  # in the projector's order: after the key it follows there
                order.insert(order.index(previous) + 1 if previous is not None else 0, key)
                merged[key] = value
            elif isinstance(value, list) and isinstance(merged[key], list):
                several.setdefault(key, [merged[key]]).append(value)
            previous = key
    for key, lists in several.items():
        merged[key] = _merge_lists(*lists)
    return {key: merged[key] for key in order}


def _node(rows: list[tuple]) -> dict[str, Any]:
    """One node from its rows ``(id, stub, kind, label, details, pointers)``, full ones first."""
    _id, _stub, kind, label, _details, _pointers = rows[0]
    details = _merge_details([json.loads(r[4]) for r in rows])
    data: dict[str, Any] = {"kind": kind, "label": label, "details": details}
    if kind == "council":
        pointers = set()
        for r in rows:
            pointers.update(json.loads(r[5]))
        data["facts"] = len(pointers)
        details["facts and mentions"] = str(len(pointers))
    return data


def _edge(rows: list[tuple]) -> dict[str, Any]:
    """One edge from its rows ``(u, v, key, relation, label, details)``."""
    data: dict[str, Any] = {"relation": rows[0][3], "label": rows[0][4]}
    details = _merge_details([json.loads(r[5]) if r[5] is not None else None for r in rows])
    if details:
        data["details"] = details
    return data


# --------------------------------------------------------------------------------------------
# the store

#: Bumped whenever the tables change: a store of another version is built anew.
SCHEMA_VERSION = 2

_SCHEMA = """
CREATE TABLE nodes (id TEXT NOT NULL, seq NOT NULL, stub INTEGER NOT NULL, kind TEXT NOT NULL,
                    label TEXT NOT NULL, details TEXT NOT NULL, pointers TEXT NOT NULL);
CREATE TABLE edges (u TEXT NOT NULL, v TEXT NOT NULL, key TEXT NOT NULL, seq NOT NULL,
                    relation TEXT NOT NULL, label TEXT NOT NULL, details TEXT);
CREATE TABLE triples (h INTEGER PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE articles (seq PRIMARY KEY, key TEXT, hashes BLOB NOT NULL);
CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
_INDEXES = """
CREATE INDEX nodes_by_id ON nodes (id, stub, seq);
CREATE INDEX nodes_by_kind ON nodes (kind, id);
CREATE INDEX nodes_by_seq ON nodes (seq);
CREATE INDEX edges_by_u ON edges (u, v, key, seq);
CREATE INDEX edges_by_v ON edges (v, relation);
CREATE INDEX edges_by_relation ON edges (relation, u);
CREATE INDEX edges_by_seq ON edges (seq);
"""


def _read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True)


class ProjectionStore:
    """The fragments of a corpus in one SQLite file, read back merged.

    Each fragment is stored under its article's ``seq`` (any value that sorts the articles: the
    build uses the file name) with the cache key it came from, and counts its triples' hashes.

    :meth:`create` opens a new store at a temporary path beside ``path``; leaving the ``with``
    block normally indexes it and renames it into place (an interrupted build leaves the
    previous store whole), leaving it with an exception deletes it. :meth:`update` opens the
    existing store in one transaction, so that a build replaces only the fragments of the
    articles that changed (:meth:`remove`, :meth:`add`): leaving the block normally commits,
    with an exception (or a killed process) rolls back.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise FileNotFoundError(f"no projection at {self.path}: run `python build.py build` first")
        self.db = _read_only(self.path)
        self._tmp: Path | None = None
        self._updating = False

    @classmethod
    def create(cls, path: Path) -> "ProjectionStore":
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        for stale in path.parent.glob(f".{path.name}.*"):
            stale.unlink(missing_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        os.close(fd)
        self = cls.__new__(cls)
        self.path, self._tmp, self._updating = path, Path(tmp), False
        self.db = sqlite3.connect(tmp)
        self.db.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;" + _SCHEMA)
        self.set_meta(schema=SCHEMA_VERSION)
        return self

    @classmethod
    def update(cls, path: Path) -> "ProjectionStore":
        """The store at ``path`` opened for changes in one transaction; a new one (as
        :meth:`create`) when there is none, or it is of another schema, or it is unreadable."""
        path = Path(path)
        if path.is_file():
            db = None
            try:
                db = sqlite3.connect(path, isolation_level=None)
                row = db.execute("SELECT value FROM meta WHERE name = 'schema'").fetchone()
                if row is not None and json.loads(row[0]) == SCHEMA_VERSION:
                    db.execute("PRAGMA synchronous=NORMAL")
                    db.execute("BEGIN IMMEDIATE")
                    self = cls.__new__(cls)
                    self.path, self._tmp, self._updating, self.db = path, None, True, db
                    return self
                log.info("the projection store %s is of another version: building it anew", path)
            except sqlite3.DatabaseError as exc:
                log.warning("the projection store %s is unreadable (%s): building it anew", path, exc)
            if db is not None:
                db.close()
        return cls.create(path)

    # -- writing ------------------------------------------------------------------------------

    def articles(self) -> dict[Any, str | None]:
        """The cache key of every fragment in the store, by ``seq``."""
        return dict(self.keys())

    def keys(self) -> Iterator[tuple[Any, str | None]]:
        """(``seq``, cache key) of every fragment in the store, one row at a time."""
        return self.db.execute("SELECT seq, key FROM articles ORDER BY seq")

    def key_of(self, seq: Any) -> str | None:
        """The cache key of the fragment stored under ``seq``, or None if there is none."""
        row = self.db.execute("SELECT key FROM articles WHERE seq = ?", (seq,)).fetchone()
        return None if row is None else row[0]

    def add(self, seq: Any, frag: Fragment, hashes: Iterable[int] = (), key: str | None = None) -> None:
        """Add one article's fragment (``seq`` orders the articles; one fragment per ``seq``)
        and its triples' hashes."""
        dumps = lambda v: json.dumps(v, ensure_ascii=False)  # noqa: E731 - details keep their order
        hashes = sorted(set(hashes))
        self.db.executemany(
            "INSERT INTO nodes VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(n, seq, stub, kind, label, dumps(details), dumps(pointers))
             for n, kind, label, details, stub, pointers in frag["nodes"]])
        self.db.executemany(
            "INSERT INTO edges VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(u, v, key_, seq, rel, label, None if details is None else dumps(details))
             for u, v, key_, rel, label, details in frag["edges"]])
        self.db.executemany("INSERT INTO triples VALUES (?, 1) ON CONFLICT (h) DO UPDATE SET n = n + 1",
                            ((h,) for h in hashes))
        self.db.execute("INSERT INTO articles VALUES (?, ?, ?)", (seq, key, array("q", hashes).tobytes()))

    def remove(self, seq: Any) -> None:
        """Take one article's fragment and triples out of the store."""
        row = self.db.execute("SELECT hashes FROM articles WHERE seq = ?", (seq,)).fetchone()
        if row is None:
            return
        hashes = array("q")
        hashes.frombytes(row[0])
        self.db.executemany("UPDATE triples SET n = n - 1 WHERE h = ?", ((h,) for h in hashes))
        self.db.executemany("DELETE FROM triples WHERE h = ? AND n <= 0", ((h,) for h in hashes))
        for table in ("nodes", "edges", "articles"):
            self.db.execute(f"DELETE FROM {table} WHERE seq = ?", (seq,))

    def set_meta(self, **values: Any) -> None:
        self.db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                            [(k, json.dumps(v)) for k, v in sorted(values.items())])

    def __enter__(self) -> "ProjectionStore":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if self._updating:
            self._updating = False
            self.db.execute("ROLLBACK" if exc_type is not None else "COMMIT")
            self.db.close()
            self.db = _read_only(self.path)
            return
        if self._tmp is None:
            self.db.close()
            return
        tmp, self._tmp = self._tmp, None
        if exc_type is not None:
            self.db.close()
            tmp.unlink(missing_ok=True)
            return
        self.db.executescript(_INDEXES)
        self.db.commit()
        self.db.close()
        os.replace(tmp, self.path)
        self.db = _read_only(self.path)

    def close(self) -> None:
        self.db.close()

    # -- reading ------------------------------------------------------------------------------

    def meta(self, name: str, default: Any = None) -> Any:
        row = self.db.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
        return default if row is None else json.loads(row[0])

    def triple_count(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM triples").fetchone()[0]

    def node_count(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM (SELECT DISTINCT id FROM nodes)").fetchone()[0]

    def nodes(self, where: str = "", params: tuple = ()) -> Iterator[tuple[str, dict[str, Any]]]:
        """Merged nodes, ordered by id (optionally only those matching an SQL ``where``)."""
        rows = self.db.execute(
            f"SELECT id, stub, kind, label, details, pointers FROM nodes {where} ORDER BY id, stub, seq", params)
        for nid, group in groupby(rows, key=itemgetter(0)):
            yield nid, _node(list(group))

    def edges(self, where: str = "", params: tuple = ()) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
        """Merged edges, ordered by (source, target, key)."""
        rows = self.db.execute(
            f"SELECT u, v, key, relation, label, details FROM edges {where} ORDER BY u, v, key, seq", params)
        for (u, v, key), group in groupby(rows, key=itemgetter(0, 1, 2)):
            yield u, v, key, _edge(list(group))

    def projection(self) -> nx.MultiDiGraph:
        """The whole merged projection (for corpora up to :data:`VIEWER_MAX_NODES` nodes)."""
        proj = nx.MultiDiGraph()
        proj.add_nodes_from(self.nodes())
        proj.add_edges_from(self.edges())
        return proj

    # -- one council -------------------------------------------------------------------------

    def find_council(self, name: str) -> str:
        """The council node whose label, other name or GSS code is ``name`` (case-insensitive)."""
        councils = list(self.nodes("WHERE kind = 'council'"))
        return council_matching(councils, name)

    def neighbourhood(self, council: str, hops: int = 2) -> nx.MultiDiGraph:
        """The nodes within ``hops`` of a council and the edges between them (as
        :func:`kg.view.project.project` with ``council=``), read without loading the rest."""
        start = self.find_council(council)
        kinds: dict[str, str] = {}

        def kind(n: str) -> str:
            if n not in kinds:
                row = self.db.execute("SELECT kind FROM nodes WHERE id = ? LIMIT 1", (n,)).fetchone()
                kinds[n] = row[0] if row else ""
            return kinds[n]

        seen, frontier = {start}, [start]
        for _ in range(max(hops, 0)):
            nxt = []
            for u in frontier:
                if u != start and kind(u) in TERMINAL_KINDS:
                    continue
                rows = self.db.execute("SELECT v FROM edges WHERE u = ? UNION SELECT u FROM edges WHERE v = ?", (u, u))
                for v in sorted(r[0] for r in rows):
                    if v not in seen:
                        seen.add(v)
                        nxt.append(v)
            frontier = nxt
        self.db.execute("CREATE TEMP TABLE IF NOT EXISTS keep (id TEXT PRIMARY KEY)")
        self.db.execute("DELETE FROM keep")
        self.db.executemany("INSERT INTO keep VALUES (?)", ((n,) for n in seen))
        focused = nx.MultiDiGraph()
        focused.add_nodes_from(self.nodes("WHERE id IN (SELECT id FROM keep)"))
        focused.add_edges_from(self.edges("WHERE u IN (SELECT id FROM keep) AND v IN (SELECT id FROM keep)"))
        focused.graph["focus"] = start
        return focused

    # -- the overview ------------------------------------------------------------------------

    def overview(self) -> nx.MultiDiGraph:
        """Councils, concepts and organisations, with the facts between them aggregated: one
        ``rated`` edge per council and rating (with the years), one ``found`` edge per council
        and failing and one ``told to improve`` edge per council and area (with counts), and
        each council's number of inspections, findings, recommendations, responses, figures
        and articles. Its size is bounded by the gazetteer and the taxonomies."""
        marks = ", ".join("?" for _ in OVERVIEW_KINDS)
        proj = nx.MultiDiGraph()
        proj.add_nodes_from(self.nodes(f"WHERE kind IN ({marks})", OVERVIEW_KINDS))
        for relation, name in (*OVERVIEW_COUNTS, ("mentions", "articles")):
            column, other = ("v", "u") if relation == "mentions" else ("u", "v")
            rows = self.db.execute(
                f"SELECT {column}, COUNT(DISTINCT {other}) FROM edges WHERE relation = ? GROUP BY {column} ORDER BY {column}",
                (relation,))
            for council, count in rows:
                if council in proj and proj.nodes[council]["kind"] == "council":
                    proj.nodes[council]["details"][name] = str(count)
        proj.add_edges_from(self.edges("WHERE relation = 'broader'"))
        ratings = self.db.execute(
            "SELECT a.u, b.v, COUNT(DISTINCT a.v), group_concat(DISTINCT json_extract(n.details, '$.year'))"
            " FROM edges a JOIN edges b ON b.u = a.v AND b.relation = 'rating'"
            " JOIN nodes n ON n.id = a.v AND n.stub = 0"
            " WHERE a.relation = 'inspected' GROUP BY a.u, b.v ORDER BY a.u, b.v")
        for council, rating, count, years in ratings:
            shown = ", ".join(sorted(set((years or "").split(",")) - {""}))
            details = {"rating": proj.nodes[rating]["label"] if rating in proj else rating,
                       "inspections": str(count)}
            if shown:
                details["years"] = shown
            self._aggregate(proj, council, rating, "rating", "rated", count, details)
        findings = self.db.execute(
            "SELECT u, v, COUNT(DISTINCT key) FROM edges WHERE relation = 'finding' GROUP BY u, v ORDER BY u, v")
        for council, failing, count in findings:
            self._aggregate(proj, council, failing, "finding", "found", count, {"findings": str(count)})
        areas = self.db.execute(
            "SELECT a.u, b.v, COUNT(DISTINCT a.v) FROM edges a JOIN edges b ON b.u = a.v AND b.relation = 'area'"
            " WHERE a.relation = 'recommendation' GROUP BY a.u, b.v ORDER BY a.u, b.v")
        for council, failing, count in areas:
            self._aggregate(proj, council, failing, "recommendation", "told to improve", count,
                            {"recommendations": str(count)})
        proj.graph["overview"] = True
        return proj

    @staticmethod
    def _aggregate(proj: nx.MultiDiGraph, u: str, v: str, relation: str, label: str, count: int,
                   details: dict[str, str]) -> None:
        if u not in proj or v not in proj or proj.nodes[u]["kind"] != "council":
            return  # sector-wide findings hang on articles, which the overview leaves out
        shown = label if count == 1 else f"{label} \u00d7{count}"
        proj.add_edge(u, v, key=relation, relation=relation, label=shown, details=details)


__all__ = ["fragment", "triple_hashes", "ProjectionStore", "VIEWER_MAX_NODES"]
