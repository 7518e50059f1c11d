"""Graph -> networkx projection -> pyvis HTML viewer; GraphML for Gephi.

The RDF graph is projected onto *entities*: councils, inspections, rating and failing
concepts, recommendations, responses, statistics, people, organisations, articles and
quotations become nodes; literals (ratings' years, amounts, evidence sentences, ...) become
node attributes, never nodes. Two kinds of fact are drawn as *edges* because they relate two
entities and have no identity a reader cares about:

- a ``ckg:Finding`` is an edge ``council -[found]-> failing concept`` (from each source article
  when it is sector-wide), carrying its evidence and sources;
- an ``org:Membership`` is an edge ``person -[<role>]-> council or organisation``.

Every node has ``kind``, ``label`` and ``details`` (an ordered dict of what the graph says:
rating, year, amount, role, evidence sentences, source articles with file and headline).

The viewer is one self-contained HTML file written by pyvis through our own template
(``kg/templates/viewer.html``): vis-network's JS and CSS are inlined from pyvis's package
files and nothing is fetched from the network. Article text reaches the page only as JSON
(escaped so that it cannot close a ``<script>`` element), as vis-network labels (drawn on a
canvas) and as plain-text tooltips (vis-network 9 sets a string title with ``innerText``);
the side panel renders it with ``textContent`` only.

>>> from rdflib import Graph, Literal
>>> from rdflib.namespace import RDF, RDFS
>>> from kg.graph.namespaces import CKG, council_iri
>>> g = Graph()
>>> _ = g.add((council_iri("E08000032"), RDF.type, CKG.Council))
>>> _ = g.add((council_iri("E08000032"), RDFS.label, Literal("Bradford")))
>>> p = project(g)
>>> [(d["kind"], d["label"]) for _, d in p.nodes(data=True)]
[('council', 'Bradford')]
"""
from __future__ import annotations

import json
import logging
import math
import re
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import networkx as nx
import rdflib
from rdflib import Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, SKOS
from rdflib.term import Node

from kg import config
from kg.files import atomic_write
from kg.graph.namespaces import CKG, ORG, SCHEMA

log = logging.getLogger(__name__)

#: The NODE_STYLES table (shape and colour per kind), kept apart from graph logic.
STYLES_PATH = config.DATA / "node_styles.json"
TEMPLATES = Path(__file__).resolve().parent / "templates"
TEMPLATE_NAME = "viewer.html"

#: Above this many nodes the layout is computed here and vis-network's physics is off.
LAYOUT_THRESHOLD = 300
#: Seed of every random choice in a layout (networkx and vis-network): same graph, same page.
LAYOUT_SEED = 42
#: Kinds that anchor the precomputed layout (each other node is placed around its nearest one).
ANCHOR_KINDS = ("council", "organisation", "rating", "failing")
#: networkx's spring layout needs scipy from 500 nodes on; the skeleton stays below that.
MAX_ANCHORS = 450
#: Kinds the council focus does not walk through: hubs shared by every council.
TERMINAL_KINDS = frozenset({"rating", "failing", "organisation"})

KINDS = (
    "council",
    "inspection",
    "rating",
    "failing",
    "recommendation",
    "response",
    "statistic",
    "person",
    "organisation",
    "article",
    "quotation",
)
_KIND_RANK = {k: i for i, k in enumerate(KINDS)}

_GLYPHS = {
    "dot": "\u25cf",
    "square": "\u25a0",
    "star": "\u2605",
    "triangle": "\u25b2",
    "triangleDown": "\u25bc",
    "diamond": "\u25c6",
    "hexagon": "\u2b22",
}
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")

Details = dict[str, Any]


# --------------------------------------------------------------------------------------------
# styles


def load_styles(path: Path = STYLES_PATH) -> dict[str, Any]:
    """Read and check the NODE_STYLES table: every kind has a known shape and a #rrggbb colour."""
    styles = json.loads(Path(path).read_text(encoding="utf-8"))
    kinds = styles.get("kinds", {})
    missing = [k for k in KINDS if k not in kinds]
    if missing:
        raise ValueError(f"{path}: no style for kinds {missing}")
    colours = [s["colour"] for s in kinds.values()]
    colours += list(styles.get("rating_colours", {}).values())
    colours += [styles.get("edge_colour", "#999999"), styles.get("highlight_colour", "#ffd400")]
    for kind, style in kinds.items():
        if style.get("shape") not in _GLYPHS:
            raise ValueError(f"{path}: kind {kind!r} has shape {style.get('shape')!r}; known: {sorted(_GLYPHS)}")
    bad = [c for c in colours if not _COLOUR.match(str(c))]
    if bad:
        raise ValueError(f"{path}: colours must be #rrggbb, got {bad}")
    return styles


# --------------------------------------------------------------------------------------------
# projection


def _union(graph: rdflib.Graph) -> rdflib.Graph:
    """The union of all named graphs when given a Dataset, else the graph itself."""
    if isinstance(graph, rdflib.graph.ConjunctiveGraph):  # Dataset is a subclass
        union = rdflib.Graph()
        for s, p, o, _ctx in graph.quads((None, None, None, None)):
            union.add((s, p, o))
        return union
    return graph


def _lex(term: Node) -> str:
    """The lexical form of a literal, or the IRI as a string."""
    return str(term)


def _local(iri: Node) -> str:
    text = str(iri)
    return re.split(r"[/#]", text.rstrip("/#"))[-1]


def _number(value: Node) -> str:
    """'1000000.0' -> '1000000', '2.50' -> '2.5'."""
    try:
        d = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    text = format(d.normalize(), "f")
    return text


def _money(value: Node) -> str:
    """An amount in pounds for a label: '£1.2m', '£250,000'."""
    try:
        d = Decimal(str(value))
    except InvalidOperation:
        return f"£{value}"
    if d >= 1_000_000_000:
        return f"£{_number(d / 1_000_000_000)}bn"
    if d >= 1_000_000:
        return f"£{_number(round(d / 1_000_000, 2))}m"
    return f"£{d:,.0f}"


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


class _Projector:
    """Walks the RDF graph once per kind and fills a MultiDiGraph in a fixed order."""

    def __init__(self, graph: rdflib.Graph) -> None:
        self.g = graph
        self.out = nx.MultiDiGraph()

    # -- reading helpers -------------------------------------------------------------------

    def values(self, s: Node, p: Node) -> list[Node]:
        return sorted(self.g.objects(s, p), key=str)

    def first(self, s: Node, p: Node) -> Node | None:
        vals = self.values(s, p)
        return vals[0] if vals else None

    def text(self, s: Node, p: Node) -> str | None:
        v = self.first(s, p)
        return None if v is None else _lex(v)

    def subjects(self, cls: Node) -> list[Node]:
        return sorted(set(self.g.subjects(RDF.type, cls)), key=str)

    def label(self, s: Node) -> str:
        """rdfs:label, else English skos:prefLabel, else headline, else the IRI's last segment."""
        for p in (RDFS.label, SKOS.prefLabel):
            vals = self.values(s, p)
            en = [v for v in vals if isinstance(v, Literal) and v.language in (None, "en")]
            if en or vals:
                return str((en or vals)[0])
        headline = self.text(s, SCHEMA.headline)
        if headline:
            return headline
        name = _local(s)
        for scheme in ("rating", "failing", "response", "measure", "inspectiontype"):
            if name.startswith(scheme + "-"):
                return name[len(scheme) + 1 :].replace("-", " ")
        return name

    def evidence(self, fact: Node) -> list[str]:
        return [_lex(v) for v in self.values(fact, CKG.evidence)]

    def sources(self, fact: Node) -> list[dict[str, str]]:
        out = []
        for art in self.values(fact, PROV.wasDerivedFrom):
            out.append(
                {
                    "article": str(art),
                    "headline": self.text(art, SCHEMA.headline) or "",
                    "file": self.text(art, CKG.sourceFile) or "",
                    "date": self.text(art, SCHEMA.datePublished) or "",
                }
            )
        return out

    def provenance(self, fact: Node) -> Details:
        """The evidence part of a fact's details, shared by nodes and edges."""
        details: Details = {}
        rules = [_lex(v) for v in self.values(fact, CKG.extractedBy)]
        if rules:
            details["rule"] = ", ".join(rules)
        details["evidence"] = self.evidence(fact)
        details["sources"] = self.sources(fact)
        details["iri"] = str(fact)
        return details

    # -- writing helpers -------------------------------------------------------------------

    def node(self, iri: Node, kind: str, label: str, details: Details | None = None) -> str:
        nid = str(iri)
        if nid not in self.out:
            self.out.add_node(nid, kind=kind, label=label, details=dict(details or {"iri": nid}))
        return nid

    def edge(self, u: str, v: str, relation: str, label: str, details: Details | None = None, key: str | None = None) -> None:
        attrs: dict[str, Any] = {"relation": relation, "label": label}
        if details:
            attrs["details"] = details
        self.out.add_edge(u, v, key=key or relation, **attrs)

    def council(self, iri: Node) -> str:
        if str(iri) in self.out:
            return str(iri)
        details: Details = {"name": self.label(iri)}
        alts = [_lex(v) for v in self.values(iri, SKOS.altLabel)]
        if alts:
            details["also known as"] = alts
        for key, p in (("GSS code", CKG.gssCode), ("region", CKG.region)):
            v = self.text(iri, p)
            if v:
                details[key] = v
        details["iri"] = str(iri)
        return self.node(iri, "council", self.label(iri), details)

    def concept(self, iri: Node, kind: str) -> str:
        if str(iri) in self.out:
            return str(iri)
        label = self.label(iri)
        details: Details = {"concept": label}
        broader = self.first(iri, SKOS.broader)
        if broader is not None:
            details["broader"] = self.label(broader)
        details["iri"] = str(iri)
        nid = self.node(iri, kind, label, details)
        if broader is not None:
            self.edge(nid, self.concept(broader, kind), "broader", "narrower than")
        return nid

    def article(self, iri: Node) -> str:
        if str(iri) in self.out:
            return str(iri)
        headline = self.text(iri, SCHEMA.headline) or self.text(iri, CKG.sourceFile) or _local(iri)
        details: Details = {"headline": headline}
        if (iri, RDF.type, CKG.InspectionReport) in self.g:
            details["type"] = "inspection report"
        for key, p in (("published", SCHEMA.datePublished), ("file", CKG.sourceFile)):
            v = self.text(iri, p)
            if v:
                details[key] = v
        comments = sum(1 for _ in self.g.subjects(SCHEMA.about, iri))
        if comments:
            details["reader comments"] = str(comments)
        details["iri"] = str(iri)
        return self.node(iri, "article", _short(headline), details)

    def person(self, iri: Node) -> str:
        if str(iri) in self.out:
            return str(iri)
        name = self.label(iri)
        return self.node(iri, "person", name, {"name": name, "iri": str(iri)})

    def organisation(self, iri: Node) -> str:
        if (iri, RDF.type, CKG.Council) in self.g:
            return self.council(iri)
        if str(iri) in self.out:
            return str(iri)
        name = self.label(iri)
        return self.node(iri, "organisation", name, {"name": name, "iri": str(iri)})

    def link_sources(self, nid: str, fact: Node) -> None:
        for art in self.values(fact, PROV.wasDerivedFrom):
            self.edge(nid, self.article(art), "source", "source")

    # -- the kinds, in a fixed order ---------------------------------------------------------

    def run(self) -> nx.MultiDiGraph:
        for c in self.subjects(CKG.Council):
            self.council(c)
        for a in self.articles():
            self.article(a)
        for org in self.subjects(ORG.Organization):
            self.organisation(org)
        self.inspections()
        self.findings()
        self.recommendations()
        self.responses()
        self.statistics()
        self.memberships()
        self.quotations()
        self.article_links()
        self.count_council_facts()
        return self.out

    def inspections(self) -> None:
        for f in self.subjects(CKG.Inspection):
            rating = self.first(f, CKG.rating)
            rating_label = self.label(rating) if rating is not None else "unrated"
            year = self.text(f, CKG.year)
            date = self.text(f, CKG.date)
            year = year[:4] if year else (date[:4] if date else None)
            itype = self.first(f, CKG.inspectionType)
            details: Details = {"rating": rating_label}
            if year:
                details["year"] = year
            if date:
                details["date"] = date
            if itype is not None:
                details["type"] = self.label(itype)
            current = self.text(f, CKG.current)
            if current is not None:
                details["current"] = "yes" if current.lower() in ("true", "1") else "no"
            council = self.first(f, CKG.council)
            if council is not None:
                details["council"] = self.label(council)
            details.update(self.provenance(f))
            label = f"{rating_label} {year}" if year else rating_label
            nid = self.node(f, "inspection", label, details)
            if council is not None:
                self.edge(self.council(council), nid, "inspected", "inspected")
            if rating is not None:
                self.edge(nid, self.concept(rating, "rating"), "rating", "rated")
            self.link_sources(nid, f)

    def findings(self) -> None:
        for f in self.subjects(CKG.Finding):
            failing = self.first(f, CKG.failing)
            if failing is None:
                continue
            target = self.concept(failing, "failing")
            council = self.first(f, CKG.council)
            details: Details = {"failing": self.label(failing)}
            if council is not None:
                details["council"] = self.label(council)
                details.update(self.provenance(f))
                self.edge(self.council(council), target, "finding", "found", details, key=str(f))
            else:
                details["scope"] = "sector-wide"
                details.update(self.provenance(f))
                for art in self.values(f, PROV.wasDerivedFrom):
                    self.edge(self.article(art), target, "finding", "found (sector-wide)", details, key=str(f))

    def recommendations(self) -> None:
        for f in self.subjects(CKG.Recommendation):
            failing = self.first(f, CKG.failing)
            council = self.first(f, CKG.council)
            area = self.label(failing) if failing is not None else "unspecified"
            details: Details = {"area": area}
            if council is not None:
                details["council"] = self.label(council)
            details.update(self.provenance(f))
            nid = self.node(f, "recommendation", f"improve: {area}", details)
            if council is not None:
                self.edge(self.council(council), nid, "recommendation", "told to")
            if failing is not None:
                self.edge(nid, self.concept(failing, "failing"), "area", "area")
            self.link_sources(nid, f)

    def responses(self) -> None:
        for f in self.subjects(CKG.Response):
            rtype = self.first(f, CKG.responseType)
            council = self.first(f, CKG.council)
            type_label = self.label(rtype) if rtype is not None else "response"
            details: Details = {"response": type_label}
            amount = self.first(f, CKG.amountGBP)
            label = type_label
            if amount is not None:
                details["amount"] = _money(amount)
                label = f"{type_label} {_money(amount)}"
            if council is not None:
                details["council"] = self.label(council)
            details.update(self.provenance(f))
            nid = self.node(f, "response", label, details)
            if council is not None:
                self.edge(self.council(council), nid, "response", "responded")
            self.link_sources(nid, f)

    def statistics(self) -> None:
        for f in self.subjects(CKG.Statistic):
            measure = self.first(f, CKG.measure)
            council = self.first(f, CKG.council)
            measure_label = self.label(measure) if measure is not None else "figure"
            value = self.first(f, CKG.value)
            unit = self.text(f, CKG.unit)
            year = self.text(f, CKG.year)
            details: Details = {"measure": measure_label}
            shown = ""
            if value is not None:
                shown = _number(value) + (f" {unit}" if unit else "")
                details["value"] = shown
            if year:
                details["year"] = year[:4]
            if council is not None:
                details["council"] = self.label(council)
            details.update(self.provenance(f))
            nid = self.node(f, "statistic", f"{measure_label}: {shown}".rstrip(": "), details)
            if council is not None:
                self.edge(self.council(council), nid, "statistic", "figure")
            self.link_sources(nid, f)

    def memberships(self) -> None:
        for m in self.subjects(ORG.Membership):
            member = self.first(m, ORG.member)
            org = self.first(m, ORG.organization)
            if member is None or org is None:
                continue
            role = self.first(m, ORG.role)
            role_label = self.label(role) if role is not None else "member"
            person = self.person(member)
            target = self.organisation(org)
            details: Details = {"person": self.label(member), "role": role_label, "organisation": self.label(org)}
            details.update(self.provenance(m))
            self.edge(person, target, "membership", role_label, details, key=str(m))
            details = self.out.nodes[person]["details"]
            details["roles"] = sorted({*details.get("roles", []), f"{role_label}, {self.label(org)}"})

    def quotations(self) -> None:
        for q in self.subjects(SCHEMA.Quotation):
            text = self.text(q, SCHEMA.text) or ""
            creator = self.first(q, SCHEMA.creator)
            details: Details = {"quote": text}
            if creator is not None:
                details["speaker"] = self.label(creator)
            details.update(self.provenance(q))
            nid = self.node(q, "quotation", "\u201c" + _short(text, 40) + "\u201d", details)
            if creator is not None:
                self.edge(self.person(creator), nid, "said", "said")
            self.link_sources(nid, q)

    def articles(self) -> list[Node]:
        """News articles and Ofsted reports: every input document."""
        return sorted(set(self.subjects(SCHEMA.NewsArticle)) | set(self.subjects(CKG.InspectionReport)), key=str)

    def article_links(self) -> None:
        for a in self.articles():
            for c in self.values(a, SCHEMA.mentions):
                if (c, RDF.type, CKG.Council) in self.g:
                    self.edge(str(a), self.council(c), "mentions", "mentions")
            for other in self.values(a, CKG.sameStoryAs):
                if str(a) < str(other):  # one edge per pair, whichever way it was stated
                    self.edge(str(a), self.article(other), "sameStoryAs", "same story")

    def count_council_facts(self) -> None:
        """How much the graph says about each council: distinct resources that point at it."""
        for nid, data in self.out.nodes(data=True):
            if data["kind"] == "council":
                iri = URIRef(nid)
                subjects = {s for s, _p in self.g.subject_predicates(iri) if s != iri}
                data["facts"] = len(subjects)
                data["details"]["facts and mentions"] = str(len(subjects))


def council_matching(councils: Iterable[tuple[str, dict[str, Any]]], name: str) -> str:
    """The id of the council node (``(id, data)`` pairs) whose label, other name or GSS code is
    ``name`` (case-insensitive); the common name first, so "Bradford" beats an altLabel elsewhere."""
    wanted = name.strip().casefold()
    councils = sorted(councils, key=lambda item: item[0])
    for nid, data in councils:
        if str(data["label"]).casefold() == wanted:
            return nid
    for nid, data in councils:
        details = data.get("details", {})
        names = [*details.get("also known as", []), details.get("GSS code", "")]
        if any(str(v).casefold() == wanted for v in names):
            return nid
    known = sorted(str(data["label"]) for _, data in councils)
    raise ValueError(f"no council named {name!r} in the graph; known: {', '.join(known[:20])}")


def _neighbourhood(proj: nx.MultiDiGraph, start: str, hops: int) -> set[str]:
    """Nodes within ``hops`` of ``start``, not walking on through hub concepts (ratings,
    failings, organisations): they are kept, but the other councils behind them are not."""
    seen = {start}
    frontier = [start]
    for _ in range(max(hops, 0)):
        nxt = []
        for u in frontier:
            if u != start and proj.nodes[u]["kind"] in TERMINAL_KINDS:
                continue
            for v in sorted(set(proj.successors(u)) | set(proj.predecessors(u))):
                if v not in seen:
                    seen.add(v)
                    nxt.append(v)
        frontier = nxt
    return seen


def project(graph: rdflib.Graph, *, council: str | None = None, hops: int = 2) -> nx.MultiDiGraph:
    """The entity projection of the (union) RDF graph, optionally one council's neighbourhood.

    Nodes are keyed by IRI and carry ``kind``, ``label`` and ``details`` (councils also
    ``facts``: how many resources point at them). Edges carry ``relation`` and ``label``;
    finding and membership edges also ``details``. With ``council=`` (rdfs:label,
    skos:altLabel or GSS code, case-insensitive) only nodes within ``hops`` of that council
    are kept. Raises ValueError when no council has that name.
    """
    union = _union(graph)
    proj = _Projector(union).run()
    if council is None:
        return proj
    start = council_matching(((n, d) for n, d in proj.nodes(data=True) if d["kind"] == "council"), council)
    keep = _neighbourhood(proj, start, hops)
    focused = nx.MultiDiGraph()
    focused.add_nodes_from((n, proj.nodes[n]) for n in proj if n in keep)
    focused.add_edges_from((u, v, k, d) for u, v, k, d in proj.edges(keys=True, data=True) if u in keep and v in keep)
    focused.graph["focus"] = start
    return focused


# --------------------------------------------------------------------------------------------
# layout for large graphs


def _layout(proj: nx.MultiDiGraph, *, seed: int = LAYOUT_SEED) -> dict[str, tuple[float, float]]:
    """Positions (pixels) for a large projection, in about a second for 5,000 nodes.

    A force layout of every node is quadratic (and networkx needs scipy beyond 500 nodes), so
    the anchors (councils, organisations and concepts) get a seeded ``spring_layout`` on the
    skeleton graph (anchors joined when their neighbourhoods touch), every other node is
    placed on a sunflower spiral around its nearest anchor, and overlapping clusters are
    pushed apart. Nodes in components with no anchor are laid out in a grid below.
    """
    import numpy as np  # networkx's own dependency; only needed for large graphs

    und = nx.Graph()
    und.add_nodes_from(sorted(proj))
    und.add_edges_from((u, v) for u, v in proj.edges() if u != v)
    kind = dict(proj.nodes(data="kind"))
    rank = {n: (_KIND_RANK.get(kind[n], 99), n) for n in und}

    anchors = [n for n in und if kind[n] in ANCHOR_KINDS]
    anchor_set = set(anchors)
    for comp in sorted(nx.connected_components(und), key=min):
        if len(comp) >= 3 and not comp & anchor_set:
            anchors.append(min(comp, key=lambda n: (-und.degree(n), n)))
    if len(anchors) > MAX_ANCHORS:
        anchors = sorted(anchors, key=lambda n: (-und.degree(n), n))[:MAX_ANCHORS]
    anchors.sort(key=lambda n: rank[n])

    # nearest anchor by breadth-first search; ties go to the anchor of lower kind rank
    home: dict[str, str] = {a: a for a in anchors}
    frontier = list(anchors)
    while frontier:
        nxt = []
        for u in frontier:
            for v in sorted(und[u]):
                if v not in home:
                    home[v] = home[u]
                    nxt.append(v)
        frontier = nxt

    skeleton = nx.Graph()
    skeleton.add_nodes_from(anchors)
    for u, v in und.edges():
        hu, hv = home.get(u), home.get(v)
        if hu is not None and hv is not None and hu != hv:
            w = skeleton.get_edge_data(hu, hv, {"n": 0})["n"] + 1
            skeleton.add_edge(hu, hv, n=w, weight=1.0 + math.log(w))
    members: dict[str, list[str]] = defaultdict(list)
    for n in sorted(home, key=lambda n: rank[n]):
        if home[n] != n:
            members[home[n]].append(n)

    spacing = 34.0
    golden = math.pi * (3.0 - math.sqrt(5.0))
    radius = np.array([spacing * (1.2 + 0.62 * math.sqrt(len(members[a]) + 1)) for a in anchors])
    pos: dict[str, tuple[float, float]] = {}
    if anchors:
        sk = nx.spring_layout(skeleton, seed=seed, weight="weight", iterations=80)
        P = np.array([sk[a] for a in anchors], dtype=float)
        area = float(np.sum(np.pi * (radius + spacing) ** 2))
        P *= math.sqrt(area / 0.45) / 2.0  # fill about half of the square the layout spans
        _separate(P, radius + spacing / 2)
        for i, a in enumerate(anchors):
            ax, ay = P[i]
            pos[a] = (ax, ay)
            for k, n in enumerate(members[a]):
                r = spacing * (1.2 + 0.62 * math.sqrt(k + 1))
                t = k * golden
                pos[n] = (ax + r * math.cos(t), ay + r * math.sin(t))
    orphans = [n for n in sorted(und, key=lambda n: rank[n]) if n not in pos]
    if orphans:
        top = max((y for _x, y in pos.values()), default=0.0) + 4 * spacing
        left = min((x for x, _y in pos.values()), default=0.0)
        cols = max(10, int(math.sqrt(len(orphans)) * 2))
        for i, n in enumerate(orphans):
            pos[n] = (left + (i % cols) * spacing * 2, top + (i // cols) * spacing)
    return {n: (round(x, 1), round(y, 1)) for n, (x, y) in pos.items()}


def _separate(P: Any, radius: Any, *, rounds: int = 300) -> None:
    """Push apart overlapping circles (centres P, radii radius) in place, deterministically."""
    import numpy as np

    n = len(P)
    if n < 2:
        return
    # a fixed, tiny jitter so that coincident centres have a direction to move apart in
    P += np.stack([np.cos(np.arange(n) * 2.399), np.sin(np.arange(n) * 2.399)], axis=1) * 1e-3
    need = radius[:, None] + radius[None, :]
    np.fill_diagonal(need, 0.0)
    for _ in range(rounds):
        D = P[:, None, :] - P[None, :, :]
        dist = np.hypot(D[..., 0], D[..., 1])
        np.fill_diagonal(dist, 1.0)
        overlap = np.clip(need - dist, 0.0, None)
        np.fill_diagonal(overlap, 0.0)
        if overlap.max() < 0.5:
            break
        P += np.sum(D / dist[..., None] * (overlap / 2.0)[..., None], axis=1)


# --------------------------------------------------------------------------------------------
# the viewer


def _script_json(data: Any) -> str:
    """JSON that is safe inside a <script> element: no '<', '>' or '&' appears literally, so
    neither '</script>' nor '<!--' in article text can end or confuse the element."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(ch, esc)
    return text


def _str(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)


def _split_details(details: Details, page_id: dict[str, str]) -> dict[str, Any]:
    """Details as the page wants them: ordered [key, value] rows, evidence, sources (each
    with ``a``, the page id of its article when the article is drawn)."""
    rows = []
    for key, value in details.items():
        if key in ("evidence", "sources") or value in (None, "", []):
            continue
        rows.append([key, "; ".join(map(str, value)) if isinstance(value, list) else str(value)])
    return {
        "d": rows,
        "ev": [str(e) for e in details.get("evidence", [])],
        "src": [
            {**{k: str(v) for k, v in s.items() if k != "article"}, "a": page_id.get(s.get("article", ""), "")}
            for s in details.get("sources", [])
        ],
    }


def _tooltip(label: str, kind_label: str, details: Details) -> str:
    """A short plain-text tooltip (vis-network shows a string title as text, not HTML)."""
    lines = [_short(label, 80), kind_label]
    for key, value in details.items():
        if key in ("iri", "sources", "evidence", "rule") or value in (None, "", []):
            continue
        text = "; ".join(map(str, value)) if isinstance(value, list) else str(value)
        lines.append(f"{key}: {_short(text, 80)}")
        if len(lines) >= 5:
            break
    evidence = details.get("evidence") or []
    if evidence:
        lines.append("\u201c" + _short(str(evidence[0]), 100) + "\u201d")
    lines.append("(click for details)")
    return "\n".join(lines)


def _filter_sets(proj: nx.MultiDiGraph) -> dict[str, dict[str, list[str]]]:
    """Per node: the councils, inspection ratings and years it belongs with, for the filters.

    A node's own values come from itself and its direct neighbours (a fact's council, an
    inspection's rating, an article's publication year); other nodes (concepts, people,
    quotations, articles) also take those of their neighbours, one step further.
    """
    kind = dict(proj.nodes(data="kind"))
    nbrs = {n: sorted(set(proj.successors(n)) | set(proj.predecessors(n))) for n in proj}

    def own_year(n: str) -> set[str]:
        d = proj.nodes[n]["details"]
        if kind[n] == "article":
            return {d["published"][:4]} if d.get("published") else set()
        if d.get("year"):
            return {str(d["year"])[:4]}
        return {s["date"][:4] for s in d.get("sources", []) if s.get("date")}

    direct_c = {n: ({n} if kind[n] == "council" else {v for v in nbrs[n] if kind[v] == "council"}) for n in proj}
    direct_y = {n: own_year(n) for n in proj}
    councils: dict[str, set[str]] = {}
    years: dict[str, set[str]] = {}
    for n in proj:
        c, y = set(direct_c[n]), set(direct_y[n])
        if kind[n] != "council":
            for v in nbrs[n]:
                if kind[v] not in ("rating", "failing", "organisation"):
                    c |= direct_c[v]
        for v in nbrs[n]:
            if kind[n] in ("council", "rating", "failing", "person", "organisation") or not y:
                y |= direct_y[v]
        councils[n], years[n] = c, y
    council_ratings: dict[str, set[str]] = defaultdict(set)
    for n in proj:
        if kind[n] == "inspection":
            for c in councils[n]:
                council_ratings[c].add(proj.nodes[n]["details"].get("rating", ""))
        elif kind[n] == "council":  # the overview links councils to their ratings directly
            council_ratings[n].update(proj.nodes[v]["label"] for v in proj.successors(n) if kind[v] == "rating")
    result: dict[str, dict[str, list[str]]] = {}
    for n in proj:
        if kind[n] == "inspection":
            ratings = {proj.nodes[n]["details"].get("rating", "")}
        elif kind[n] == "rating":
            ratings = {proj.nodes[n]["label"]}
        else:
            ratings = set().union(*(council_ratings[c] for c in councils[n])) if councils[n] else set()
        result[n] = {"c": sorted(councils[n]), "r": sorted(r for r in ratings if r), "y": sorted(years[n])}
    return result


def _search_text(proj: nx.MultiDiGraph, n: str) -> str:
    d = proj.nodes[n]["details"]
    parts = [str(proj.nodes[n]["label"])]
    for key in ("name", "also known as", "GSS code", "headline", "quote"):
        v = d.get(key)
        if v:
            parts.extend(v if isinstance(v, list) else [v])
    return " | ".join(parts).casefold()


def _council_size(facts: int, base: float) -> float:
    return round(min(base + 5.0 * math.sqrt(max(facts, 0)), 70.0), 1)


def _vis_options(styles: dict[str, Any], *, large: bool) -> dict[str, Any]:
    """vis-network options: one group per kind (so nodes carry no style of their own), seeded
    layout, and for large graphs no physics, straight edges and edges hidden while moving."""
    highlight = styles.get("highlight_colour", "#ffd400")
    groups = {}
    for kind, style in styles["kinds"].items():
        groups[kind] = {
            "shape": style["shape"],
            "size": style.get("size", 12),
            "color": {"background": style["colour"], "border": "#333333",
                      "highlight": {"background": highlight, "border": "#000000"},
                      "hover": {"background": style["colour"], "border": "#000000"}},
        }
    groups["council"]["font"] = {"size": 16, "strokeWidth": 3, "strokeColor": "#ffffff"}
    options: dict[str, Any] = {
        "autoResize": True,
        "groups": groups,
        "layout": {"randomSeed": LAYOUT_SEED, "improvedLayout": not large},
        "interaction": {"hover": True, "tooltipDelay": 120, "hideEdgesOnDrag": large,
                        "hideEdgesOnZoom": large, "multiselect": False},
        "nodes": {"borderWidth": 1, "font": {"size": 12, "face": "sans-serif"}},
        "edges": {
            "arrows": {"to": {"enabled": True, "scaleFactor": 0.45}},
            "color": {"color": styles.get("edge_colour", "#999999"), "highlight": "#333333", "hover": "#555555"},
            "font": {"size": 9, "color": "#555555", "strokeWidth": 2, "align": "middle"},
            "smooth": False if large else {"enabled": True, "type": "continuous", "roundness": 0.3},
            "width": 1,
        },
    }
    if large:
        options["physics"] = {"enabled": False}
    else:
        options["physics"] = {
            "enabled": True,
            "solver": "forceAtlas2Based",
            "forceAtlas2Based": {"gravitationalConstant": -70, "springLength": 110, "avoidOverlap": 0.4},
            "stabilization": {"enabled": True, "iterations": 400, "fit": True},
        }
    return options


def _build_network(proj: nx.MultiDiGraph, styles: dict[str, Any], title: str) -> Any:
    """A pyvis Network holding the projection, set to render through our template.

    Node ids on the page are short (``n0``, ``n1``, ... in a fixed order) so that a
    5,000-node page stays small; each node's IRI is among its details.
    """
    from jinja2 import Environment, FileSystemLoader, select_autoescape
    from pyvis.network import Network

    kinds = styles["kinds"]
    rating_colours = {k.casefold(): v for k, v in styles.get("rating_colours", {}).items()}
    large = proj.number_of_nodes() > LAYOUT_THRESHOLD
    positions = _layout(proj) if large else {}
    filters = _filter_sets(proj)
    order = sorted(proj, key=lambda n: (_KIND_RANK.get(proj.nodes[n]["kind"], 99), n))
    pid = {n: f"n{i}" for i, n in enumerate(order)}

    net = Network(height="100%", width="100%", directed=True, cdn_resources="in_line", heading=title)
    page_nodes: dict[str, Any] = {}
    for n in order:
        data = proj.nodes[n]
        kind = data["kind"] if data["kind"] in kinds else "article"
        label = str(data["label"])
        opts: dict[str, Any] = {
            "group": kind,
            "title": _tooltip(label, kinds[kind]["label"], data["details"]),
        }
        if kind == "council":
            opts["size"] = _council_size(int(data.get("facts", 0)), float(kinds[kind].get("size", 20)))
        if kind == "rating" and label.casefold() in rating_colours:
            opts["color"] = rating_colours[label.casefold()]
        if n in positions:
            opts["x"], opts["y"] = positions[n]
        net.add_node(pid[n], label=_short(label, 48), shape=kinds[kind]["shape"], **opts)
        page_nodes[pid[n]] = {
            "k": kind,
            "l": label,
            "s": _search_text(proj, n),
            "c": [pid[c] for c in filters[n]["c"]],
            "r": filters[n]["r"],
            "y": filters[n]["y"],
            **_split_details(data["details"], pid),
        }

    # parallel edges with the same relation become one drawn edge that lists each fact
    grouped: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for u, v, _k, d in proj.edges(keys=True, data=True):
        grouped[(u, v, str(d["label"]))].append(d)
    page_edges: dict[str, Any] = {}
    for i, ((u, v, label), ds) in enumerate(sorted(grouped.items())):
        eid = f"e{i}"
        shown = label if len(ds) == 1 else f"{label} \u00d7{len(ds)}"
        opts = {"id": eid}
        if not large:  # on a large page the panel, not 10,000 labels, tells what an edge is
            opts["label"] = _short(shown, 40)
            opts["title"] = f"{_short(str(proj.nodes[u]['label']), 60)} \u2192 {shown} \u2192 {_short(str(proj.nodes[v]['label']), 60)}"
        net.add_edge(pid[u], pid[v], **opts)
        facts = [_split_details(d["details"], pid) for d in ds if d.get("details")]
        page_edges[eid] = {"f": pid[u], "t": pid[v], "l": shown, "facts": facts}
    net.options = _vis_options(styles, large=large)

    counts = defaultdict(int)
    for n in order:
        counts[proj.nodes[n]["kind"]] += 1
    legend = [
        {"kind": k, "label": kinds[k]["label"], "colour": kinds[k]["colour"], "glyph": _GLYPHS[kinds[k]["shape"]],
         "count": counts[k]}
        for k in KINDS
    ]
    blob = {
        "nodes": page_nodes,
        "edges": page_edges,
        "order": [pid[n] for n in order],
        "kinds": {k: kinds[k]["label"] for k in KINDS},
        "focus": pid.get(proj.graph.get("focus", ""), ""),
        "large": large,
    }
    vis_dir = _vis_dir()
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]),
                      keep_trailing_newline=True)
    env.globals.update(
        kg_json=_script_json(blob),
        legend=legend,
        rating_legend=[{"label": k, "colour": c} for k, c in styles.get("rating_colours", {}).items()],
        vis_js=(vis_dir / "vis-network.min.js").read_text(encoding="utf-8"),
        vis_css=(vis_dir / "vis-network.css").read_text(encoding="utf-8"),
    )
    net.templateEnv = env  # what pyvis's own set_template_dir does, with autoescaping on
    net.path = TEMPLATE_NAME
    return net


def _vis_dir() -> Path:
    """vis-network as shipped inside the pyvis package (nothing is fetched at run time)."""
    import pyvis

    lib = Path(pyvis.__file__).resolve().parent / "templates" / "lib"
    for name in ("vis-9.1.2", *sorted((p.name for p in lib.glob("vis-*")), reverse=True)):
        if (lib / name / "vis-network.min.js").is_file():
            return lib / name
    raise FileNotFoundError(f"vis-network not found under {lib}")


def viewer_html(graph: rdflib.Graph, *, council: str | None = None, title: str = "Council KG") -> str:
    """The viewer page as a string (what :func:`write_viewer` writes)."""
    proj = project(graph, council=council)
    return render_projection(proj, title=title)


def render_projection(proj: nx.MultiDiGraph, *, title: str = "Council KG") -> str:
    """The viewer page for an already projected graph."""
    styles = load_styles()
    net = _build_network(proj, styles, title)
    return net.generate_html()


def write_viewer(graph: rdflib.Graph, path: Path, *, council: str | None = None, title: str = "Council KG") -> Path:
    """Write the self-contained viewer page to ``path`` (atomically) and return the path.

    The same graph always gives a byte-identical file. With ``council=`` the page shows that
    council's neighbourhood (see :func:`project`).
    """
    html = viewer_html(graph, council=council, title=title)
    out = atomic_write(Path(path), html)
    log.info("viewer written to %s (%d bytes)", out, len(html.encode("utf-8")))
    return out


# --------------------------------------------------------------------------------------------
# GraphML


def _flat(value: Any) -> str | int | float | bool:
    if isinstance(value, (str, int, float, bool)):
        return value
    return _str(value)


def write_graphml(graph: rdflib.Graph, path: Path) -> Path:
    """Write the projection of ``graph`` as GraphML (for Gephi) to ``path``, atomically."""
    proj = project(graph)
    return write_graphml_stream(proj.nodes(data=True), proj.edges(keys=True, data=True), path)


#: GraphML attribute keys: (id, for, type). Declared whether used or not, so that the file can
#: be written as a stream.
_GRAPHML_KEYS = (
    ("details", "edge", "string"), ("label", "edge", "string"), ("relation", "edge", "string"),
    ("evidence", "node", "string"), ("facts", "node", "long"), ("details", "node", "string"),
    ("label", "node", "string"), ("kind", "node", "string"),
)
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


_XML_SPECIAL = re.compile('[&<>"]|' + _NOT_XML.pattern)


def _xml(value: Any) -> str:
    """Text for a GraphML element or attribute: escaped, without characters XML 1.0 forbids.
    (Most values need neither: one search tells, and they are written as they are.)"""
    text = str(value)
    if _XML_SPECIAL.search(text) is None:
        return text
    text = _NOT_XML.sub("", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _graphml_data(attrs: dict[str, Any], names: tuple[str, ...]) -> list[str]:
    out = []
    for name in names:
        value = attrs.get(name)
        if value is None or value == "":
            continue
        out.append(f'      <data key="{name}">{_xml(_flat(value))}</data>')
    return out


def write_graphml_stream(nodes: Iterable[tuple[str, dict[str, Any]]],
                         edges: Iterable[tuple[str, str, str, dict[str, Any]]], path: Path) -> Path:
    """Write a projection given as streams of nodes and edges as GraphML, atomically, holding
    one node or edge at a time. Attributes are GraphML scalars: details as JSON text, a
    fact's evidence also as one ``|``-joined string."""
    from kg.files import atomic_stream

    n_nodes = n_edges = 0
    with atomic_stream(Path(path)) as fh:
        fh.write('<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
                 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
                 'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
                 'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n')
        for key, scope, kind in _GRAPHML_KEYS:
            fh.write(f'  <key id="{key}" for="{scope}" attr.name="{key}" attr.type="{kind}" />\n')
        fh.write('  <graph edgedefault="directed">\n')
        for n, data in nodes:
            attrs = dict(data)
            evidence = (data.get("details") or {}).get("evidence")
            if evidence:
                attrs["evidence"] = " | ".join(evidence)
            lines = [f'    <node id="{_xml(n)}">', *_graphml_data(attrs, ("kind", "label", "details", "facts", "evidence")),
                     "    </node>"]
            fh.write("\n".join(lines) + "\n")
            n_nodes += 1
        for u, v, k, data in edges:
            lines = [f'    <edge source="{_xml(u)}" target="{_xml(v)}" id="{_xml(k)}">',
                     *_graphml_data(data, ("relation", "label", "details")), "    </edge>"]
            fh.write("\n".join(lines) + "\n")
            n_edges += 1
        fh.write("  </graph>\n</graphml>\n")
    log.info("GraphML written to %s (%d nodes, %d edges)", path, n_nodes, n_edges)
    return Path(path)


def write_projection_outputs(store: Any, out_dir: Path, *, max_nodes: int | None = None) -> dict[str, int]:
    """``viewer.html`` and ``graph.graphml`` from a :class:`kg.projection.ProjectionStore`.

    GraphML always holds the whole projection, streamed. The viewer draws the whole projection
    up to ``max_nodes`` nodes (default :data:`kg.projection.VIEWER_MAX_NODES`); beyond, it
    draws the overview of councils and concepts and says how to see one council's facts.
    Returns the node counts: ``nodes`` (whole projection) and ``drawn`` (on the page)."""
    from kg.projection import VIEWER_MAX_NODES

    limit = VIEWER_MAX_NODES if max_nodes is None else max_nodes
    write_graphml_stream(store.nodes(), store.edges(), Path(out_dir) / "graph.graphml")
    total = store.node_count()
    if total <= limit:
        proj = store.projection()
        title = "Council KG"
    else:
        proj = store.overview()
        log.warning("the projection has %d nodes, more than the viewer draws (%d): viewer.html shows the overview "
                    "of councils and concepts; `python build.py view --council NAME` draws one council's facts",
                    total, limit)
        title = (f"Council KG overview: {total:,} nodes in all, councils and concepts drawn; "
                 "`python build.py view --council NAME` shows one council's facts")
    html = render_projection(proj, title=title)
    atomic_write(Path(out_dir) / "viewer.html", html)
    return {"nodes": total, "drawn": proj.number_of_nodes()}


__all__ = ["project", "write_viewer", "write_graphml", "write_graphml_stream", "write_projection_outputs", "viewer_html", "render_projection", "load_styles"]
