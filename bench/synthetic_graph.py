"""A synthetic Council KG of any size, in the shape kg/graph/rdf.py writes, for benchmarks.

One named graph per article, holding the article, the councils, people and roles it names, and
its facts (inspections, findings, recommendations, responses, statistics, memberships,
quotations, each with evidence, derivation and rule), reader comments; one graph for the
ontology and taxonomies (``ontology/taxonomies.ttl`` when present). A tenth of the articles are
second copies of an earlier story (``ckg:sameStoryAs``) that state the same facts again, as
syndicated news does. The same seed gives the same graph, byte for byte.

    python -m bench.synthetic_graph --triples 1000000 --out /tmp/synthetic
"""
from __future__ import annotations

import argparse
import datetime as dt
import logging
import random
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox

from kg import config
from kg.graph.namespaces import CKG, ORG, SCHEMA, article_iri, comment_iri, concept_iri, council_iri, digest, fact_iri, graph_iri, organisation_iri, person_iri, role_iri

log = logging.getLogger(__name__)

ONTOLOGY_GRAPH = "https://w3id.org/councilkg/def"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
XSD = "http://www.w3.org/2001/XMLSchema#"
PROV = "http://www.w3.org/ns/prov#"
FOAF = "http://xmlns.com/foaf/0.1/"

#: The contract's top concepts (CONTRACT.md), and the inspection types.
LABELS: dict[str, tuple[str, ...]] = {
    "rating": ("outstanding", "good", "requires improvement", "inadequate"),
    "failing": ("high caseloads", "management oversight", "recruitment and retention", "agency staff reliance",
                "staff turnover", "assessment quality", "delays and timeliness", "front door and referrals",
                "risk not recognised", "consent and thresholds", "quality assurance", "supervision",
                "newly qualified staff unsupported", "children not seen", "drift in plans",
                "changes of social worker", "leadership"),
    "response": ("funding", "recruitment", "leadership change", "review", "training", "retention strategy",
                 "restructure", "improvement plan", "government intervention"),
    "measure": ("caseload", "vacancy rate", "turnover rate", "agency rate"),
    "inspectiontype": ("full inspection", "monitoring visit", "focused visit"),
}
_RATING_WEIGHTS = (1, 4, 4, 3)
_REGIONS = ("North East", "North West", "Yorkshire and The Humber", "East Midlands", "West Midlands",
            "East of England", "London", "South East", "South West")
_ROOTS = ("Ash", "Brad", "Brook", "Calder", "Dun", "Elm", "Fern", "Glen", "Hart", "Ing", "Kirk", "Lang",
          "Marsh", "Nor", "Oak", "Pen", "Rother", "Sel", "Thorn", "Wake", "Whit", "Wold", "Yar", "Stan")
_ENDS = ("ford", "field", "ley", "ton", "by", "ham", "wick", "mouth", "bridge", "borough", "minster", "dale")
_FIRST = ("Mark", "Beate", "Andy", "Amanda", "Sarah", "James", "Helen", "David", "Priya", "Tom", "Ruth",
          "Imran", "Claire", "Peter", "Joanna", "Michael", "Aisha", "Gareth", "Linda", "Owen")
_LAST = ("Douglas", "Wagner", "Couldrick", "Spielman", "Hughes", "Patel", "Khan", "Jones", "Walker", "Shaw",
         "Barnes", "Clarke", "Evans", "Lowe", "Moss", "Reid", "Turner", "Young", "Fletcher", "Hall")
_ROLES = ("director of children's services", "strategic director of children's services",
          "cabinet member for children's services", "chief executive", "assistant director for safeguarding")


def _iri(term) -> ox.NamedNode:
    return ox.NamedNode(str(term))


def _lit(value: object, datatype: str | None = None, lang: str | None = None) -> ox.Literal:
    if lang:
        return ox.Literal(str(value), language=lang)
    if datatype:
        return ox.Literal(str(value), datatype=ox.NamedNode(XSD + datatype))
    return ox.Literal(str(value))


@dataclass(frozen=True)
class Council:
    gss: str
    label: str
    alt_labels: tuple[str, str]
    region: str


class _Graph:
    """Collects the quads of one named graph."""

    def __init__(self, name: str):
        self.name = ox.NamedNode(name)
        self.quads: list[ox.Quad] = []

    def add(self, s: ox.NamedNode, p: str, o: ox.NamedNode | ox.Literal) -> None:
        self.quads.append(ox.Quad(s, ox.NamedNode(p), o, self.name))


class SyntheticGraph:
    """Generator of a synthetic graph; ``quads()`` yields it graph by graph."""

    def __init__(self, *, seed: int = 0, councils: int = 150):
        self.rng = random.Random(seed)
        self.seed = seed
        self.councils = self._councils(councils)
        self.people = {c.gss: [self._person_name() for _ in range(3)] for c in self.councils}
        self._previous: list[tuple[dict, ox.NamedNode]] = []

    def _councils(self, n: int) -> list[Council]:
        names: set[str] = set()
        out = []
        while len(out) < n:
            name = self.rng.choice(_ROOTS) + self.rng.choice(_ENDS)
            if name in names:
                name = f"{name} {self.rng.choice(('North', 'South', 'East', 'West'))}"
            if name in names:
                continue
            names.add(name)
            gss = f"E{self.rng.choice(('06', '08', '09', '10'))}{len(out) + 1:07d}"
            alts = (f"{name} Metropolitan Borough Council", f"{name} council")
            out.append(Council(gss, name, alts, self.rng.choice(_REGIONS)))
        return out

    def _person_name(self) -> str:
        return f"{self.rng.choice(_FIRST)} {self.rng.choice(_LAST)}"

    # ------------------------------------------------------------------ reference graph

    def ontology_quads(self) -> Iterator[ox.Quad]:
        g = ox.NamedNode(ONTOLOGY_GRAPH)
        taxonomies = config.ONTOLOGY / "taxonomies.ttl"
        if taxonomies.is_file():
            for triple in ox.parse(path=str(taxonomies), format=ox.RdfFormat.TURTLE):
                yield ox.Quad(triple.subject, triple.predicate, triple.object, g)
        for key, labels in LABELS.items():
            scheme = _iri(CKG[{"rating": "RatingScheme", "failing": "FailingScheme", "response": "ResponseScheme",
                               "measure": "MeasureScheme", "inspectiontype": "InspectionTypeScheme"}[key]])
            yield ox.Quad(scheme, ox.NamedNode(RDF_TYPE), ox.NamedNode(SKOS + "ConceptScheme"), g)
            for label in labels:
                concept = _iri(concept_iri(key, label))
                yield ox.Quad(concept, ox.NamedNode(RDF_TYPE), ox.NamedNode(SKOS + "Concept"), g)
                yield ox.Quad(concept, ox.NamedNode(SKOS + "prefLabel"), _lit(label, lang="en"), g)
                yield ox.Quad(concept, ox.NamedNode(SKOS + "topConceptOf"), scheme, g)
                yield ox.Quad(concept, ox.NamedNode(SKOS + "inScheme"), scheme, g)
        yield ox.Quad(_iri(CKG.Council), ox.NamedNode(RDFS + "subClassOf"), _iri(ORG.Organization), g)
        yield ox.Quad(_iri(CKG.Person), ox.NamedNode(RDFS + "subClassOf"), ox.NamedNode(FOAF + "Person"), g)

    # ------------------------------------------------------------------ articles

    def _council(self, g: _Graph, council: Council) -> ox.NamedNode:
        node = _iri(council_iri(council.gss))
        g.add(node, RDF_TYPE, _iri(CKG.Council))
        g.add(node, RDFS + "label", _lit(council.label))
        for alt in council.alt_labels:
            g.add(node, SKOS + "altLabel", _lit(alt))
        g.add(node, str(CKG.gssCode), _lit(council.gss))
        g.add(node, str(CKG.region), _lit(council.region))
        return node

    def _fact(self, g: _Graph, article: ox.NamedNode, cls: str, kind: str, key: tuple, evidence: str,
              rule: str) -> ox.NamedNode:
        node = _iri(fact_iri(kind, *key))
        g.add(node, RDF_TYPE, ox.NamedNode(cls))
        g.add(node, PROV + "wasDerivedFrom", article)
        g.add(node, str(CKG.evidence), _lit(evidence))
        g.add(node, str(CKG.extractedBy), _lit(rule))
        return node

    def _facts(self, council: Council, year: int) -> dict:
        """What one story says, as plain data (so that a second copy can say it again)."""
        r = self.rng
        rating = r.choices(LABELS["rating"], _RATING_WEIGHTS)[0]
        return {
            "council": council, "year": year, "rating": rating,
            "date": dt.date(year, r.randint(1, 12), r.randint(1, 28)) if r.random() < 0.7 else None,
            "type": r.choice(LABELS["inspectiontype"]),
            "findings": r.sample(LABELS["failing"], r.randint(1, 4)),
            "sector": r.random() < 0.15,
            "recommendations": r.sample(LABELS["failing"], r.randint(0, 2)),
            "responses": [(r.choice(LABELS["response"]),
                           Decimal(r.randint(1, 200) * 50_000) if r.random() < 0.5 else None)
                          for _ in range(r.randint(0, 2))],
            "statistics": [(r.choice(LABELS["measure"]), Decimal(r.randint(5, 400)) / 10)
                           for _ in range(r.randint(0, 2))],
            "people": [(r.choice(self.people[council.gss]), r.choice(_ROLES)) for _ in range(r.randint(0, 2))],
            "ofsted": r.random() < 0.1,
        }

    def _article(self, number: int) -> _Graph:
        r = self.rng
        copy_of = None
        if self._previous and r.random() < 0.1:
            copy_of = r.choice(self._previous)
            story = copy_of[0]
        else:
            council = r.choice(self.councils)
            story = self._facts(council, r.randint(2008, 2024))
        council, year = story["council"], story["year"]
        sha1 = digest("synthetic", self.seed, number, length=40)
        g = _Graph(str(graph_iri(sha1)))
        art = _iri(article_iri(sha1))
        published = dt.date(year, r.randint(1, 12), r.randint(1, 28))
        name = f"{council.label} children's services"
        g.add(art, RDF_TYPE, _iri(SCHEMA.NewsArticle))
        g.add(art, str(SCHEMA.headline), _lit(f"{name} rated '{story['rating']}' (story {number})"))
        g.add(art, str(SCHEMA.datePublished), _lit(published.isoformat(), "date"))
        g.add(art, str(CKG.sourceFile), _lit(f"{number:06d}_{digest(number, length=8)}.txt"))
        c = self._council(g, council)
        g.add(art, str(SCHEMA.mentions), c)
        if copy_of is not None:
            g.add(art, str(CKG.sameStoryAs), copy_of[1])
        else:
            self._previous.append((story, art))
            if len(self._previous) > 500:
                self._previous.pop(0)

        rating = story["rating"]
        node = self._fact(g, art, str(CKG.Inspection), "inspection", (council.gss, rating, year),
                          f"Ofsted rated {name} {rating} in {year}.", "inspection.rating")
        g.add(node, str(CKG.council), c)
        g.add(node, str(CKG.rating), _iri(concept_iri("rating", rating)))
        g.add(node, str(CKG.year), _lit(year, "gYear"))
        g.add(node, str(CKG.inspectionType), _iri(concept_iri("inspectiontype", story["type"])))
        if story["date"]:
            g.add(node, str(CKG.date), _lit(story["date"].isoformat(), "date"))
        for failing in story["findings"]:
            node = self._fact(g, art, str(CKG.Finding), "finding", (council.gss, failing, year),
                              f"Inspectors found {failing} problems in {council.label}.", "finding.failing")
            g.add(node, str(CKG.council), c)
            g.add(node, str(CKG.failing), _iri(concept_iri("failing", failing)))
        if story["sector"]:
            failing = story["findings"][0]
            node = self._fact(g, art, str(CKG.Finding), "finding", (None, failing, year),
                              f"Councils across England report {failing}.", "finding.failing")
            g.add(node, str(CKG.failing), _iri(concept_iri("failing", failing)))
        for failing in story["recommendations"]:
            node = self._fact(g, art, str(CKG.Recommendation), "recommendation", (council.gss, failing, year),
                              f"Ofsted told {council.label} to improve {failing}.", "recommendation.failing")
            g.add(node, str(CKG.council), c)
            g.add(node, str(CKG.failing), _iri(concept_iri("failing", failing)))
        for response, amount in story["responses"]:
            node = self._fact(g, art, str(CKG.Response), "response", (council.gss, response, amount, year),
                              f"{council.label} announced {response}" + (f" worth £{amount}." if amount else "."),
                              "response.type")
            g.add(node, str(CKG.council), c)
            g.add(node, str(CKG.responseType), _iri(concept_iri("response", response)))
            if amount is not None:
                g.add(node, str(CKG.amountGBP), _lit(amount, "decimal"))
        for measure, value in story["statistics"]:
            node = self._fact(g, art, str(CKG.Statistic), "statistic", (council.gss, measure, value, year),
                              f"The {measure} in {council.label} was {value}.", "statistic.measure")
            g.add(node, str(CKG.council), c)
            g.add(node, str(CKG.measure), _iri(concept_iri("measure", measure)))
            g.add(node, str(CKG.value), _lit(value, "decimal"))
            g.add(node, str(CKG.year), _lit(year, "gYear"))
        speakers = [(person, role, c) for person, role in story["people"]]
        if story["ofsted"]:
            ofsted = _iri(organisation_iri("ofsted"))
            g.add(ofsted, RDF_TYPE, _iri(ORG.Organization))
            g.add(ofsted, RDFS + "label", _lit("Ofsted"))
            speakers.append(("Amanda Spielman", "chief inspector", ofsted))
        for person, role, organisation in speakers:
            p, ro = _iri(person_iri(person)), _iri(role_iri(role))
            g.add(p, RDF_TYPE, _iri(CKG.Person))
            g.add(p, RDFS + "label", _lit(person))
            g.add(ro, RDF_TYPE, _iri(ORG.Role))
            g.add(ro, RDFS + "label", _lit(role))
            node = self._fact(g, art, str(ORG.Membership), "membership", (person, role, organisation.value),
                              f"{person}, {role}, said the council would act.", "membership.role")
            g.add(node, str(ORG.member), p)
            g.add(node, str(ORG.organization), organisation)
            g.add(node, str(ORG.role), ro)
            words = f"We are determined to improve services in {council.label} ({year})."
            node = self._fact(g, art, str(SCHEMA.Quotation), "quotation", (person, words),
                              f"“{words}” said {person}.", "quotation.said")
            g.add(node, str(SCHEMA.creator), p)
            g.add(node, str(SCHEMA.text), _lit(words))
        for i in range(r.randint(0, 4)):
            comment = _iri(comment_iri(sha1, str(i + 1)))
            g.add(comment, RDF_TYPE, _iri(SCHEMA.Comment))
            g.add(comment, str(SCHEMA.about), art)
            g.add(comment, str(SCHEMA.author), _lit(f"reader{r.randint(1, 5000)}"))
            g.add(comment, str(SCHEMA.dateCreated), _lit(f"{published.isoformat()}T{r.randint(0, 23):02d}:00:00",
                                                          "dateTime"))
            g.add(comment, str(SCHEMA.text), _lit("Not good enough for our children."))
        return g

    def quads(self, triples: int) -> Iterator[ox.Quad]:
        """About ``triples`` quads (whole articles: a little more), graph by graph."""
        count = 0
        for quad in self.ontology_quads():
            count += 1
            yield quad
        number = 0
        while count < triples:
            number += 1
            graph = self._article(number)
            count += len(graph.quads)
            yield from graph.quads


def write_synthetic_out(out_dir: Path, *, triples: int = 1_000_000, seed: int = 0) -> Path:
    """Write ``out_dir/graph.trig`` for a synthetic graph of about ``triples`` quads."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / "graph.trig"
    tmp = out_dir / ".graph.trig.tmp"
    prefixes = {"ckg": str(CKG), "org": str(ORG), "schema": str(SCHEMA), "skos": SKOS, "prov": PROV,
                "rdfs": RDFS, "xsd": XSD}
    ox.serialize(SyntheticGraph(seed=seed).quads(triples), str(tmp), ox.RdfFormat.TRIG, prefixes=prefixes)
    tmp.replace(target)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    path = write_synthetic_out(args.out, triples=args.triples, seed=args.seed)
    log.info("wrote %s", path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
