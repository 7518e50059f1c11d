"""RDF graph -> networkx projection of *entities*, the shape every view draws.

Councils, inspections, rating and failing concepts, recommendations, responses, statistics,
people, organisations, articles and quotations become nodes; literals (ratings' years, amounts,
evidence sentences, ...) become node attributes, never nodes. Two kinds of fact are drawn as
*edges* because they relate two entities and have no identity a reader cares about:

- a ``ckg:Finding`` is an edge ``council -[found]-> failing concept`` (from each source article
  when it is sector-wide), carrying its evidence and sources;
- an ``org:Membership`` is an edge ``person -[<role>]-> council or organisation``.

Every node has ``kind``, ``label`` and ``details`` (an ordered dict of what the graph says:
rating, year, amount, role, evidence sentences, source articles with file and headline).

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

import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

import networkx as nx
import rdflib
from rdflib import Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, SKOS
from rdflib.term import Node

from kg.graph.namespaces import CKG, ORG, SCHEMA

Details = dict[str, Any]



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


class Projector:
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
    proj = Projector(union).run()
    if council is None:
        return proj
    start = council_matching(((n, d) for n, d in proj.nodes(data=True) if d["kind"] == "council"), council)
    keep = _neighbourhood(proj, start, hops)
    focused = nx.MultiDiGraph()
    focused.add_nodes_from((n, proj.nodes[n]) for n in proj if n in keep)
    focused.add_edges_from((u, v, k, d) for u, v, k, d in proj.edges(keys=True, data=True) if u in keep and v in keep)
    focused.graph["focus"] = start
    return focused
