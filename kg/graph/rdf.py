"""Facts to RDF: one named graph per article, the union as Turtle, IRIs from kg.graph.namespaces.

Every extracted fact gets ``prov:wasDerivedFrom`` its article and ``ckg:evidence`` the verbatim
sentence that states it, plus ``ckg:extractedBy`` the rule that found it. Fact IRIs are minted
from the fact's content, not from its article, so a fact stated by two copies of one story is
one node with two derivations: the story is not counted twice.
"""
from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import FOAF, PROV, RDF, RDFS, SKOS, XSD

from kg.files import current_umask
from kg.graph.facts import Article, ArticleFacts, Finding, Inspection, Membership, Quotation, Recommendation, Response, Statistic
from kg.graph.gazetteer import Gazetteer
from kg.graph.namespaces import CKG, PREFIXES, PREFIXES_BY_LENGTH, ORG, SCHEMA, article_iri, bind_prefixes, comment_iri, concept_iri, council_iri, fact_iri, organisation_iri, person_iri, role_iri

#: The named graph holding the ontology and the SKOS taxonomies.
ONTOLOGY_GRAPH = URIRef("https://w3id.org/councilkg/def")


def _norm(text: str) -> str:
    return " ".join(text.split()).lower()


def role_label(text: str) -> str:
    """The one label of a role, however articles spell it: straight apostrophes, single spaces,
    lower case except acronyms ("Education secretary" and "education secretary" are one role,
    with one IRI and one rdfs:label, in every article's graph).

    >>> role_label("Interim  Director of Children’s Services, DCS")
    "interim director of children's services, DCS"
    """
    words = text.replace("’", "'").replace("‘", "'").split()
    return " ".join(w if len(w) > 1 and w.isupper() else w.lower() for w in words)


def add_council(g: Graph, gazetteer: Gazetteer, code: str) -> URIRef:
    node = council_iri(code)
    council = gazetteer.by_code(code)
    g.add((node, RDF.type, CKG.Council))
    g.add((node, CKG.gssCode, Literal(code)))
    if council is not None:
        g.add((node, RDFS.label, Literal(council.name)))
        for label in council.labels:
            if label != council.name:
                g.add((node, SKOS.altLabel, Literal(label)))
        if council.region:
            g.add((node, CKG.region, Literal(council.region)))
    else:
        g.add((node, RDFS.label, Literal(code)))
    return node


def _add_organisation(g: Graph, gazetteer: Gazetteer, org_id: str) -> URIRef:
    node = organisation_iri(org_id)
    org = gazetteer.organisation(org_id) if hasattr(gazetteer, "organisation") else None
    g.add((node, RDF.type, ORG.Organization))
    g.add((node, RDFS.label, Literal(org.label if org else org_id)))
    return node


def _provenance(g: Graph, node: URIRef, article: URIRef, evidence) -> None:
    g.add((node, PROV.wasDerivedFrom, article))
    g.add((node, CKG.evidence, Literal(evidence.text)))
    g.add((node, CKG.extractedBy, Literal(evidence.rule)))
    if getattr(evidence, "location", None):
        g.add((node, CKG.location, Literal(evidence.location)))
    if getattr(evidence, "confidence", None) is not None:
        g.add((node, CKG.confidence, Literal(Decimal(f"{evidence.confidence:.3f}"), datatype=XSD.decimal)))


def _person(g: Graph, name: str) -> URIRef:
    node = person_iri(name)
    g.add((node, RDF.type, CKG.Person))
    g.add((node, RDFS.label, Literal(name)))
    g.add((node, FOAF.name, Literal(name)))
    return node


def article_node(g: Graph, article: Article) -> URIRef:
    """The article (and its reader comments) as RDF."""
    node = article_iri(article.sha1)
    g.add((node, RDF.type, CKG.InspectionReport if article.kind == "inspection-report" else SCHEMA.NewsArticle))
    g.add((node, CKG.sourceFile, Literal(article.source_file)))
    if article.title:
        g.add((node, SCHEMA.headline, Literal(article.title)))
    if article.date:
        g.add((node, SCHEMA.datePublished, Literal(article.date.isoformat(), datatype=XSD.date)))
    for comment in article.comments:
        c = comment_iri(article.sha1, comment.number)
        g.add((c, RDF.type, SCHEMA.Comment))
        g.add((c, SCHEMA.about, node))
        g.add((c, SCHEMA.author, Literal(comment.author)))
        g.add((c, SCHEMA.position, Literal(comment.number)))
        g.add((c, SCHEMA.text, Literal(comment.text)))
        if comment.created:
            g.add((c, SCHEMA.dateCreated, Literal(comment.created.isoformat(), datatype=XSD.dateTime)))
        if comment.reply_to:
            g.add((c, SCHEMA.parentItem, comment_iri(article.sha1, comment.reply_to)))
    return node


def article_graph(result: ArticleFacts, gazetteer: Gazetteer, *, same_story: Iterable[Article] = ()) -> Graph:
    """All triples of one article: the article, its comments, its facts and what they name."""
    g = Graph()
    art = article_node(g, result.article)
    for other in same_story:
        # the other copy is named here too, so that this graph validates on its own
        other_node = article_iri(other.sha1)
        g.add((art, CKG.sameStoryAs, other_node))
        g.add((other_node, RDF.type, SCHEMA.NewsArticle))
        g.add((other_node, CKG.sourceFile, Literal(other.source_file)))
    for code in result.councils:
        g.add((art, SCHEMA.mentions, add_council(g, gazetteer, code)))
    for fact in result.facts:
        _add_fact(g, gazetteer, art, fact)
    return g


def _add_fact(g: Graph, gazetteer: Gazetteer, art: URIRef, fact) -> None:
    if isinstance(fact, Inspection):
        key = (fact.council, fact.rating, fact.year)
        # what an inspection node may hold once (shapes.ttl) is part of its identity: two articles
        # that give the same council, grade and year another type or date claim another inspection,
        # never one node with two types
        if fact.inspection_type:
            key += (f"type:{fact.inspection_type}",)
        if fact.date is not None:
            key += (f"date:{fact.date.isoformat()}",)
        if fact.end_date is not None:  # an inspection a report dates: its own node, not merged with news claims
            key += (fact.end_date.isoformat(),)
        node = fact_iri("inspection", *key)
        g.add((node, RDF.type, CKG.Inspection))
        g.add((node, CKG.council, add_council(g, gazetteer, fact.council)))
        if fact.rating is not None:
            g.add((node, CKG.rating, concept_iri("rating", fact.rating)))
        else:  # no overall grade: a visit, or an ILACS inspection from April 2026
            g.add((node, CKG.graded, Literal(False)))
        if fact.year is not None:
            g.add((node, CKG.year, Literal(str(fact.year), datatype=XSD.gYear)))
        if fact.date is not None:
            g.add((node, CKG.date, Literal(fact.date.isoformat(), datatype=XSD.date)))
        if fact.inspection_type:
            g.add((node, CKG.inspectionType, concept_iri("inspectiontype", fact.inspection_type)))
        if fact.current:
            # only ever "true": an article reports the judgement in force when it was written; two
            # articles of different dates may disagree on whether one is current, the record of
            # when it was current is the year
            g.add((node, CKG.current, Literal(True)))
        if fact.start_date is not None:
            g.add((node, CKG.startDate, Literal(fact.start_date.isoformat(), datatype=XSD.date)))
        if fact.end_date is not None:
            g.add((node, CKG.endDate, Literal(fact.end_date.isoformat(), datatype=XSD.date)))
        if fact.inspector:
            g.add((node, CKG.leadInspector, _person(g, fact.inspector)))
        for part in fact.judgements:
            sub = fact_iri("subjudgement", fact.council, fact.year, fact.date, part.area, part.rating)
            g.add((sub, RDF.type, CKG.SubJudgement))
            g.add((sub, CKG.rating, concept_iri("rating", part.rating)))
            g.add((sub, CKG.judgementArea, Literal(part.area)))
            g.add((node, CKG.subJudgement, sub))
            _provenance(g, sub, art, part.evidence)
    elif isinstance(fact, (Finding, Recommendation)):
        kind = "finding" if isinstance(fact, Finding) else "recommendation"
        node = fact_iri(kind, fact.council, fact.failing, _norm(fact.evidence.text))
        g.add((node, RDF.type, CKG.Finding if kind == "finding" else CKG.Recommendation))
        if fact.council:
            g.add((node, CKG.council, add_council(g, gazetteer, fact.council)))
        g.add((node, CKG.failing, concept_iri("failing", fact.failing)))
    elif isinstance(fact, Response):
        node = fact_iri("response", fact.council, fact.response_type, fact.amount_gbp, _norm(fact.evidence.text))
        g.add((node, RDF.type, CKG.Response))
        g.add((node, CKG.council, add_council(g, gazetteer, fact.council)))
        g.add((node, CKG.responseType, concept_iri("response", fact.response_type)))
        if fact.amount_gbp is not None:
            g.add((node, CKG.amountGBP, Literal(Decimal(fact.amount_gbp), datatype=XSD.decimal)))
    elif isinstance(fact, Statistic):
        node = fact_iri("statistic", fact.council, fact.measure, fact.value, fact.year)
        g.add((node, RDF.type, CKG.Statistic))
        if fact.council:
            g.add((node, CKG.council, add_council(g, gazetteer, fact.council)))
        g.add((node, CKG.measure, concept_iri("measure", fact.measure)))
        g.add((node, CKG.value, Literal(Decimal(fact.value), datatype=XSD.decimal)))
        if fact.year is not None:
            g.add((node, CKG.year, Literal(str(fact.year), datatype=XSD.gYear)))
        if fact.unit:
            g.add((node, CKG.unit, Literal(fact.unit)))
    elif isinstance(fact, Membership):
        org_key = fact.council or fact.organisation
        label = role_label(fact.role)
        node = fact_iri("membership", fact.person.lower(), label.lower(), org_key)
        person = _person(g, fact.person)
        role = role_iri(label)
        g.add((node, RDF.type, ORG.Membership))
        g.add((node, ORG.member, person))
        g.add((role, RDF.type, ORG.Role))
        g.add((role, RDFS.label, Literal(label)))
        g.add((node, ORG.role, role))
        if fact.council:
            g.add((node, ORG.organization, add_council(g, gazetteer, fact.council)))
        elif fact.organisation:
            g.add((node, ORG.organization, _add_organisation(g, gazetteer, fact.organisation)))
    elif isinstance(fact, Quotation):
        node = fact_iri("quotation", fact.person.lower(), _norm(fact.text))
        g.add((node, RDF.type, SCHEMA.Quotation))
        g.add((node, SCHEMA.creator, _person(g, fact.person)))
        g.add((node, SCHEMA.text, Literal(fact.text)))
    else:  # pragma: no cover - a new fact kind without a mapping is a programming error
        raise TypeError(f"no RDF mapping for {type(fact).__name__}")
    _provenance(g, node, art, fact.evidence)


def turtle_chunk(graph: Graph) -> tuple[str, set[str]]:
    """A graph as Turtle statements without their @prefix lines, and the prefix lines it needs.
    The Turtle writer orders subjects and predicates, so the same graph gives the same text."""
    plain = Graph()
    bind_prefixes(plain)
    for triple in graph:
        plain.add(triple)
    lines = plain.serialize(format="turtle").splitlines()
    prefixes = {line for line in lines if line.startswith("@prefix")}
    body = [line for line in lines if not line.startswith("@prefix")]
    while body and not body[0].strip():
        body.pop(0)
    while body and not body[-1].strip():
        body.pop()
    return "\n".join(body), prefixes


#: A prefixed name's local part we write unescaped (stricter than Turtle's PN_LOCAL).
_SAFE_LOCAL = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


def _term(term) -> str:
    """A term in Turtle: a prefixed name when one of :data:`PREFIXES` covers it safely."""
    if isinstance(term, URIRef):
        text = str(term)
        for prefix, ns in PREFIXES_BY_LENGTH:
            if text.startswith(ns) and _SAFE_LOCAL.match(text[len(ns):]):
                return f"{prefix}:{text[len(ns):]}"
        return term.n3()
    if isinstance(term, Literal):  # always a one-line string: TriG indents every line of a graph
        text = '"' + str(term).translate(_ESCAPES) + '"'
        if term.language:
            return f"{text}@{term.language}"
        if term.datatype is not None:
            return f"{text}^^{_term(term.datatype)}"
        return text
    return term.n3()


def statements(graph: Graph) -> str:
    """A graph as Turtle statements under the :data:`PREFIXES` header, in a fixed order
    (subjects, then ``a`` and the other predicates, then objects, each sorted). About ten times
    faster than rdflib's Turtle writer on article graphs, which it is used for.

    >>> from rdflib import Graph, Literal, URIRef
    >>> from kg.graph.namespaces import CKG
    >>> g = Graph()
    >>> fact = URIRef("https://w3id.org/councilkg/id/finding/1")
    >>> _ = g.add((fact, RDF.type, CKG.Finding))
    >>> _ = g.add((fact, CKG.year, Literal("2016", datatype=XSD.gYear)))
    >>> _ = g.add((fact, CKG.evidence, Literal('He said "no".\\nThen \\\\ left.')))
    >>> print(statements(g))
    <https://w3id.org/councilkg/id/finding/1> a ckg:Finding ;
        ckg:evidence "He said \\"no\\".\\nThen \\\\ left." ;
        ckg:year "2016"^^xsd:gYear .
    """
    by_subject: dict = {}
    for s, p, o in graph:
        by_subject.setdefault(_term(s), {}).setdefault(p, []).append(_term(o))
    blocks = []
    for subject in sorted(by_subject):
        predicates = by_subject[subject]
        lines = []
        for p in sorted(predicates, key=lambda p: (p != RDF.type, _term(p))):
            objects = ",\n        ".join(sorted(set(predicates[p])))
            lines.append(f"{'a' if p == RDF.type else _term(p)} {objects}")
        blocks.append(f"{subject} " + " ;\n    ".join(lines) + " .")
    return "\n\n".join(blocks)


HEADER_PREFIXES = frozenset(f"@prefix {prefix}: <{ns}> ." for prefix, ns in PREFIXES.items())


def trig_blocks(text: str) -> tuple[list[str], list[tuple[str, str]]] | None:
    """A ``graph.trig`` written by :class:`GraphWriter`, split back into its prefix lines and
    its named graphs ``(name, statements)``; None when the text is not in that layout.

    >>> trig_blocks("@prefix a: <http://a/> .\\n\\n<http://g> {\\n    a:x a:y a:z .\\n}\\n\\n")
    (['@prefix a: <http://a/> .'], [('http://g', 'a:x a:y a:z .')])
    """
    lines = text.split("\n")
    prefixes, blocks, i = [], [], 0
    while i < len(lines) and lines[i].startswith("@prefix "):
        prefixes.append(lines[i])
        i += 1
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            i += 1
            continue
        if not (line.startswith("<") and line.endswith("> {")):
            return None
        name, body, i = line[1:-3], [], i + 1
        while i < len(lines) and lines[i] != "}":
            if lines[i] and not lines[i].startswith("    "):
                return None
            body.append(lines[i][4:])
            i += 1
        if i == len(lines):
            return None
        blocks.append((name, "\n".join(body)))
        i += 1
    return prefixes, blocks


class GraphWriter:
    """Streams named graphs into ``graph.trig`` (one named graph each) and ``graph.ttl`` (their
    union), through temporary files that replace the outputs only on :meth:`commit`: an
    interrupted build leaves the previous outputs whole.

    Turtle allows a subject's statements to be spread over several blocks, so the union is the
    concatenation of the graphs' statements under one prefix header (parsers merge repeats).
    """

    def __init__(self, out_dir: Path, *, extra_prefixes: Iterable[str] = ()) -> None:
        self.out_dir = Path(out_dir)
        self.out_dir.mkdir(parents=True, exist_ok=True)
        for name in ("graph.trig", "graph.ttl"):  # temporary files a killed build left behind
            for stale in self.out_dir.glob(f".{name}.*"):
                stale.unlink(missing_ok=True)
        self.prefixes = sorted(HEADER_PREFIXES | set(extra_prefixes))
        self._files = {}
        for name in ("graph.trig", "graph.ttl"):
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", dir=self.out_dir)
            self._files[name] = (Path(tmp), os.fdopen(fd, "w", encoding="utf-8", newline="\n"))
        header = "\n".join(self.prefixes) + "\n\n"
        for _, fh in self._files.values():
            fh.write(header)
        self.graphs = 0

    def add(self, name: URIRef, statements: str) -> None:
        """Append one named graph, given as Turtle statements (see :func:`turtle_chunk`)."""
        if not statements.strip():
            return
        trig = self._files["graph.trig"][1]
        trig.write(f"<{name}> {{\n")
        trig.writelines(("    " + line if line.strip() else "") + "\n" for line in statements.split("\n"))
        trig.write("}\n\n")
        self._files["graph.ttl"][1].write(statements + "\n\n")
        self.graphs += 1

    def statements(self, graph: Graph) -> str:
        """An rdflib graph as statements for :meth:`add` (and the cache)."""
        return statements(graph)

    def commit(self) -> None:
        umask = current_umask()
        for name, (tmp, fh) in self._files.items():
            fh.flush()
            os.fsync(fh.fileno())
            fh.close()
            os.chmod(tmp, 0o666 & ~umask)
            os.replace(tmp, self.out_dir / name)
        self._files = {}

    def abort(self) -> None:
        for tmp, fh in self._files.values():
            fh.close()
            tmp.unlink(missing_ok=True)
        self._files = {}

    def __enter__(self) -> "GraphWriter":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if self._files:
            self.abort() if exc_type else self.commit()


def serialise(graph: Graph, fmt: str) -> bytes:
    data = graph.serialize(format=fmt)
    return data.encode("utf-8") if isinstance(data, str) else data



