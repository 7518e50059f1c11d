"""Tests for the ontology files (OWL, SKOS, SHACL) and kg.graph.ontology (loading, validation)."""
from __future__ import annotations

import datetime as dt
import doctest
import re
from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS

import kg.graph.ontology
from kg import config
from kg.graph.namespaces import CKG, ORG, PREFIXES, SCHEMA, SCHEMES, article_iri, bind_prefixes, comment_iri, concept_iri, council_iri, digest, fact_iri, graph_iri, organisation_iri, person_iri, role_iri
from kg.graph.ontology import ValidationError, ValidationResult, ensure_valid, load_ontology, load_shapes, validate

# --- the contract, as CONTRACT.md states it -------------------------------------------------

CONTRACT_SCHEMES = {
    "rating": ["outstanding", "good", "requires improvement", "inadequate"],
    "failing": [
        "high caseloads", "management oversight", "recruitment and retention",
        "agency staff reliance", "staff turnover", "assessment quality", "delays and timeliness",
        "front door and referrals", "risk not recognised", "consent and thresholds",
        "quality assurance", "supervision", "newly qualified staff unsupported",
        "children not seen", "drift in plans", "changes of social worker", "leadership",
    ],
    "response": [
        "funding", "recruitment", "leadership change", "review", "training",
        "retention strategy", "restructure", "improvement plan", "government intervention",
    ],
    "measure": ["caseload", "vacancy rate", "turnover rate", "agency rate"],
}
#: top concepts the project adds to the contract's (extending it, never breaking it): "other" is a
#: grade outside the four-point scale (the "adequate" of the 2009-2013 frameworks), named as the
#: gold format names a label outside the contract's schemes
EXTENSION_TOPS = {"rating": ["other"]}

CONTRACT_CLASSES = [
    CKG.Council, CKG.Inspection, CKG.Finding, CKG.Recommendation, CKG.Response, CKG.Statistic,
    CKG.Person, CKG.InspectionReport, CKG.Fact, CKG.SubJudgement,
]
CONTRACT_PROPERTIES = [
    CKG.council, CKG.rating, CKG.year, CKG.date, CKG.inspectionType, CKG.current, CKG.failing,
    CKG.responseType, CKG.amountGBP, CKG.measure, CKG.value, CKG.unit, CKG.gssCode, CKG.region,
    CKG.authorityType, CKG.succeededBy, CKG.evidence, CKG.extractedBy, CKG.sourceFile,
    CKG.sameStoryAs, CKG.subJudgement, CKG.judgementArea, CKG.rank,
]
XSD = PREFIXES["xsd"]  # a plain Namespace: rdflib's XSD warns when pytest inspects the module
SCHEME_KEYS = {iri: key for key, iri in SCHEMES.items()}


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return load_ontology()


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return load_shapes()


def top_labels(graph: Graph, scheme: URIRef) -> dict[str, URIRef]:
    return {
        str(graph.value(c, SKOS.prefLabel)): c for c in graph.subjects(SKOS.topConceptOf, scheme)
    }


# --- the files ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["councilkg.ttl", "taxonomies.ttl", "shapes.ttl"])
def test_turtle_files_parse(name: str) -> None:
    graph = Graph().parse(config.ONTOLOGY / name, format="turtle")
    assert len(graph) > 50


def test_ontology_header(ontology: Graph) -> None:
    head = URIRef("https://w3id.org/councilkg/def")
    assert (head, RDF.type, OWL.Ontology) in ontology
    for prop in (OWL.versionInfo, DCTERMS.title, DCTERMS.description, DCTERMS.license):
        assert ontology.value(head, prop) is not None, prop


def test_load_ontology_holds_ontology_and_taxonomies(ontology: Graph) -> None:
    assert (CKG.Council, RDFS.subClassOf, ORG.Organization) in ontology
    assert (CKG["rating-inadequate"], SKOS.topConceptOf, CKG.RatingScheme) in ontology
    assert load_ontology() is not load_ontology()  # fresh graphs: callers may add to them


def test_load_from_missing_directory_fails(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        load_ontology(tmp_path)


@pytest.mark.parametrize("term", CONTRACT_CLASSES)
def test_classes_declared_with_label_and_definition(ontology: Graph, term: URIRef) -> None:
    assert (term, RDF.type, OWL.Class) in ontology
    assert ontology.value(term, RDFS.label) is not None
    assert len(str(ontology.value(term, RDFS.comment) or "")) > 20


@pytest.mark.parametrize("term", CONTRACT_PROPERTIES)
def test_properties_declared_with_label_definition_domain_range(ontology: Graph, term: URIRef) -> None:
    kinds = set(ontology.objects(term, RDF.type))
    assert kinds & {OWL.ObjectProperty, OWL.DatatypeProperty}, term
    assert ontology.value(term, RDFS.label) is not None
    assert len(str(ontology.value(term, RDFS.comment) or "")) > 20
    assert ontology.value(term, RDFS.domain) is not None
    assert ontology.value(term, RDFS.range) is not None


def test_alignments_to_w3c_vocabularies(ontology: Graph) -> None:
    assert (CKG.Council, RDFS.subClassOf, ORG.Organization) in ontology
    assert (CKG.Person, RDFS.subClassOf, FOAF.Person) in ontology
    assert (CKG.Fact, RDFS.subClassOf, PROV.Entity) in ontology
    assert (CKG.InspectionReport, RDFS.subClassOf, SCHEMA.Report) in ontology
    for kind in (CKG.Inspection, CKG.Finding, CKG.Recommendation, CKG.Response, CKG.Statistic):
        assert (kind, RDFS.subClassOf, CKG.Fact) in ontology
    assert (CKG.gssCode, RDFS.subPropertyOf, ORG.identifier) in ontology
    assert (CKG.sameStoryAs, RDF.type, OWL.SymmetricProperty) in ontology


def test_every_ckg_term_the_files_use_is_declared(ontology: Graph, shapes: Graph) -> None:
    """A typo in a shape or a taxonomy (ckg:amountGbp) must not pass as a new term."""
    concepts = set(ontology.subjects(RDF.type, SKOS.Concept))
    schemes = set(ontology.subjects(RDF.type, SKOS.ConceptScheme))
    declared = set(ontology.subjects(RDFS.label, None)) | concepts | schemes
    used = {
        node
        for graph in (ontology, shapes)
        for triple in graph
        for node in triple
        if isinstance(node, URIRef) and node.startswith(str(CKG))
    }
    assert used - declared == set()


# --- the taxonomies -------------------------------------------------------------------------


@pytest.mark.parametrize("key", sorted(CONTRACT_SCHEMES))
def test_scheme_top_concepts_are_exactly_the_contracts(ontology: Graph, key: str) -> None:
    scheme = SCHEMES[key]
    assert (scheme, RDF.type, SKOS.ConceptScheme) in ontology
    assert ontology.value(scheme, RDFS.label) is not None
    assert ontology.value(scheme, RDFS.comment) is not None
    tops = top_labels(ontology, scheme)
    assert sorted(tops) == sorted(CONTRACT_SCHEMES[key] + EXTENSION_TOPS.get(key, []))
    assert set(ontology.objects(scheme, SKOS.hasTopConcept)) == set(tops.values())
    for label, concept in tops.items():
        assert concept == concept_iri(key, label)
        assert list(ontology.objects(concept, SKOS.prefLabel)) == [Literal(label, lang="en")]
        assert (concept, RDF.type, SKOS.Concept) in ontology
        assert (concept, SKOS.inScheme, scheme) in ontology
        definition = ontology.value(concept, SKOS.definition)
        assert definition is not None and definition.language == "en"
        alt = list(ontology.objects(concept, SKOS.altLabel))
        assert len(alt) >= 2, f"{label}: give it the wordings articles use"
        assert all(a.language == "en" for a in alt)


def test_inspection_type_scheme(ontology: Graph) -> None:
    tops = top_labels(ontology, CKG.InspectionTypeScheme)
    assert {"full inspection", "short inspection", "monitoring visit", "focused visit",
            "joint targeted area inspection"} <= set(tops)
    narrower = {str(ontology.value(c, SKOS.prefLabel))
                for c in ontology.subjects(SKOS.inScheme, CKG.InspectionTypeScheme)}
    assert {"single inspection framework inspection", "ILACS inspection"} <= narrower
    assert CKG["inspectiontype-monitoring-visit"] in tops.values()


def test_contract_file_tables_match_the_taxonomy(ontology: Graph) -> None:
    """Read the real CONTRACT.md (when it is beside the project) rather than a copy of it."""
    contract = config.SHARED / "CONTRACT.md"
    if not contract.is_file():
        pytest.skip(f"{contract} is not available")
    text = contract.read_text(encoding="utf-8")
    section = text.split("`ckg:FailingScheme`:", 1)[1].split("`ckg:ResponseScheme`", 1)[0]
    failings = [row.split("|")[1].strip() for row in section.splitlines()
                if row.startswith("|") and not set(row) <= set("|- ")]
    failings = [f for f in failings if f != "prefLabel"]
    assert sorted(failings) == sorted(top_labels(ontology, CKG.FailingScheme))
    for name, scheme in (("ResponseScheme", CKG.ResponseScheme), ("MeasureScheme", CKG.MeasureScheme)):
        line = re.search(rf"`ckg:{name}`: ([^\n]+(?:\n[a-z][^\n]*)*)", text).group(1)
        labels = [x.strip() for x in line.replace("\n", " ").split(",")]
        assert sorted(labels) == sorted(top_labels(ontology, scheme))


def test_every_concept_iri_is_minted_by_concept_iri(ontology: Graph) -> None:
    concepts = set(ontology.subjects(RDF.type, SKOS.Concept))
    assert len(concepts) > 40
    for concept in concepts:
        schemes = list(ontology.objects(concept, SKOS.inScheme))
        assert len(schemes) == 1, concept
        labels = list(ontology.objects(concept, SKOS.prefLabel))
        assert len(labels) == 1 and labels[0].language == "en", concept
        assert concept == concept_iri(SCHEME_KEYS[schemes[0]], str(labels[0]))
        assert ontology.value(concept, SKOS.definition) is not None, concept


def test_narrower_concepts_fold_into_one_top_concept_of_their_scheme(ontology: Graph) -> None:
    narrower = [c for c in ontology.subjects(RDF.type, SKOS.Concept)
                if (c, SKOS.topConceptOf, None) not in ontology]
    assert CKG["response-commissioner-appointed"] in narrower
    assert CKG["response-improvement-notice"] in narrower
    assert CKG["response-statutory-direction"] in narrower
    assert CKG["response-budget-increase"] in narrower
    for concept in narrower:
        scheme = ontology.value(concept, SKOS.inScheme)
        node, seen = concept, set()
        while (node, SKOS.topConceptOf, scheme) not in ontology:
            parents = list(ontology.objects(node, SKOS.broader))
            assert len(parents) == 1, f"{node}: one broader concept, or the scorer counts it twice"
            assert node not in seen
            seen.add(node)
            node = parents[0]
            assert (node, SKOS.inScheme, scheme) in ontology


def test_no_wording_maps_to_two_concepts_of_a_scheme(ontology: Graph) -> None:
    for scheme in SCHEMES.values():
        owner: dict[str, URIRef] = {}
        for concept in ontology.subjects(SKOS.inScheme, scheme):
            for prop in (SKOS.prefLabel, SKOS.altLabel):
                for label in ontology.objects(concept, prop):
                    key = str(label).lower()
                    assert owner.setdefault(key, concept) == concept, f"{label!r} in {scheme}"


def test_wordings_that_articles_use_are_alt_labels(ontology: Graph) -> None:
    def concept_of(scheme: URIRef, wording: str) -> URIRef | None:
        for concept in ontology.subjects(SKOS.inScheme, scheme):
            if Literal(wording, lang="en") in set(ontology.objects(concept, SKOS.altLabel)):
                return concept
        return None

    assert concept_of(CKG.RatingScheme, "requires improvement to be good") == CKG["rating-requires-improvement"]
    assert concept_of(CKG.FailingScheme, "unmanageable caseloads") == CKG["failing-high-caseloads"]
    assert concept_of(CKG.FailingScheme, "agency workers") == CKG["failing-agency-staff-reliance"]
    assert concept_of(CKG.FailingScheme, "locum") == CKG["failing-agency-staff-reliance"]
    assert concept_of(CKG.MeasureScheme, "agency workers") == CKG["measure-agency-rate"]
    assert concept_of(CKG.ResponseScheme, "commissioner") == CKG["response-commissioner-appointed"]
    assert concept_of(CKG.ResponseScheme, "action plan") == CKG["response-improvement-plan"]


def test_rating_ranks_order_the_scale(ontology: Graph) -> None:
    tops = top_labels(ontology, CKG.RatingScheme)
    ranks = {label: ontology.value(c, CKG.rank).toPython() for label, c in tops.items()
             if ontology.value(c, CKG.rank) is not None}
    assert ranks == {"outstanding": 4, "good": 3, "requires improvement": 2, "inadequate": 1}
    assert all(ontology.value(tops[label], CKG.rank).datatype == XSD.integer for label in ranks)
    # a grade of an earlier framework is not on the scale: no rank to compare it by
    assert ontology.value(tops["other"], CKG.rank) is None
    assert Literal("adequate", lang="en") in set(ontology.objects(tops["other"], SKOS.altLabel))


# --- a small valid graph, built the way kg.graph.rdf writes it -----------------------------------

SHA = "9133ede774c676cf" + "0" * 24
WAKEFIELD = council_iri("E08000036")
ARTICLE = article_iri(SHA)
EVIDENCE = "Wakefield was rated ‘inadequate’ in 2018 after inspectors found caseloads were too high."


def _fact(graph: Graph, kind: URIRef, iri: URIRef, rule: str = "test.rule") -> URIRef:
    graph.add((iri, RDF.type, kind))
    graph.add((iri, CKG.evidence, Literal(EVIDENCE)))
    graph.add((iri, PROV.wasDerivedFrom, ARTICLE))
    graph.add((iri, CKG.extractedBy, Literal(rule)))
    return iri


def build_valid_graph(*, with_vocabulary: bool = True) -> Graph:
    """One article with one of every kind of node, as the RDF shape in the briefing describes."""
    g = load_ontology() if with_vocabulary else Graph()
    bind_prefixes(g)
    g.add((WAKEFIELD, RDF.type, CKG.Council))
    g.add((WAKEFIELD, RDFS.label, Literal("Wakefield")))
    g.add((WAKEFIELD, SKOS.altLabel, Literal("Wakefield Council")))
    g.add((WAKEFIELD, CKG.gssCode, Literal("E08000036")))
    g.add((WAKEFIELD, CKG.region, Literal("Yorkshire and the Humber")))
    g.add((WAKEFIELD, CKG.authorityType, Literal("Metropolitan District")))

    g.add((ARTICLE, RDF.type, SCHEMA.NewsArticle))
    g.add((ARTICLE, SCHEMA.headline, Literal("Wakefield children's services rated inadequate")))
    g.add((ARTICLE, SCHEMA.datePublished, Literal(dt.date(2018, 7, 18))))
    g.add((ARTICLE, CKG.sourceFile, Literal("003_9133ede774c676cf.txt")))
    g.add((ARTICLE, SCHEMA.mentions, WAKEFIELD))
    other = article_iri("1" * 40)
    g.add((other, RDF.type, SCHEMA.NewsArticle))
    g.add((other, CKG.sourceFile, Literal("009_copy.txt")))
    g.add((ARTICLE, CKG.sameStoryAs, other))

    comment = comment_iri(SHA, "1")
    g.add((comment, RDF.type, SCHEMA.Comment))
    g.add((comment, SCHEMA.about, ARTICLE))
    g.add((comment, SCHEMA.author, Literal("Jo")))
    g.add((comment, SCHEMA.dateCreated, Literal(dt.datetime(2018, 7, 19, 9, 30))))
    g.add((comment, SCHEMA.text, Literal("Caseloads here are unmanageable.")))
    reply = comment_iri(SHA, "1.1")
    g.add((reply, RDF.type, SCHEMA.Comment))
    g.add((reply, SCHEMA.about, ARTICLE))
    g.add((reply, SCHEMA.parentItem, comment))

    inspection = _fact(g, CKG.Inspection, fact_iri("inspection", "E08000036", "inadequate", 2018))
    g.add((inspection, CKG.council, WAKEFIELD))
    g.add((inspection, CKG.rating, concept_iri("rating", "inadequate")))
    g.add((inspection, CKG.year, Literal("2018", datatype=XSD.gYear)))
    g.add((inspection, CKG.date, Literal(dt.date(2018, 7, 10))))
    g.add((inspection, CKG.inspectionType, concept_iri("inspectiontype", "ILACS inspection")))
    g.add((inspection, CKG.current, Literal(True)))
    part = _fact(g, CKG.SubJudgement, fact_iri("subjudgement", "E08000036", "care leavers"))
    g.add((part, CKG.rating, concept_iri("rating", "requires improvement")))
    g.add((part, CKG.judgementArea, Literal("the experiences and progress of care leavers")))
    g.add((inspection, CKG.subJudgement, part))

    finding = _fact(g, CKG.Finding, fact_iri("finding", "E08000036", "high caseloads"))
    g.add((finding, CKG.council, WAKEFIELD))
    g.add((finding, CKG.failing, concept_iri("failing", "high caseloads")))
    sector = _fact(g, CKG.Finding, fact_iri("finding", None, "children not seen alone"))
    g.add((sector, CKG.failing, concept_iri("failing", "children not seen alone")))
    recommendation = _fact(g, CKG.Recommendation, fact_iri("recommendation", "E08000036", "mo"))
    g.add((recommendation, CKG.council, WAKEFIELD))
    g.add((recommendation, CKG.failing, concept_iri("failing", "management oversight")))

    response = _fact(g, CKG.Response, fact_iri("response", "E08000036", "funding"))
    g.add((response, CKG.council, WAKEFIELD))
    g.add((response, CKG.responseType, concept_iri("response", "funding")))
    g.add((response, CKG.amountGBP, Literal(Decimal("1000000"))))
    intervention = _fact(g, CKG.Response, fact_iri("response", "E08000036", "commissioner"))
    g.add((intervention, CKG.council, WAKEFIELD))
    g.add((intervention, CKG.responseType, concept_iri("response", "commissioner appointed")))

    statistic = _fact(g, CKG.Statistic, fact_iri("statistic", "E08000036", "caseload", "17.7"))
    g.add((statistic, CKG.council, WAKEFIELD))
    g.add((statistic, CKG.measure, concept_iri("measure", "caseload")))
    g.add((statistic, CKG.value, Literal(Decimal("17.7"))))
    g.add((statistic, CKG.year, Literal("2021", datatype=XSD.gYear)))
    g.add((statistic, CKG.unit, Literal("children")))

    person = person_iri("Sir Michael Wilshaw")
    g.add((person, RDF.type, CKG.Person))
    g.add((person, RDFS.label, Literal("Michael Wilshaw")))
    ofsted = organisation_iri("ofsted")
    g.add((ofsted, RDF.type, ORG.Organization))
    g.add((ofsted, RDFS.label, Literal("Ofsted")))
    role = role_iri("chief inspector")
    g.add((role, RDF.type, ORG.Role))
    g.add((role, RDFS.label, Literal("chief inspector")))
    membership = _fact(g, ORG.Membership, fact_iri("membership", "michael-wilshaw", "ofsted"))
    g.add((membership, ORG.member, person))
    g.add((membership, ORG.organization, ofsted))
    g.add((membership, ORG.role, role))
    director = person_iri("Beate Wagner")
    g.add((director, RDF.type, CKG.Person))
    g.add((director, RDFS.label, Literal("Beate Wagner")))
    dcs = role_iri("director of children's services")
    g.add((dcs, RDF.type, ORG.Role))
    g.add((dcs, RDFS.label, Literal("director of children’s services")))
    post = _fact(g, ORG.Membership, fact_iri("membership", "beate-wagner", "E08000036"))
    g.add((post, ORG.member, director))
    g.add((post, ORG.organization, WAKEFIELD))  # a ckg:Council is an org:Organization
    g.add((post, ORG.role, dcs))

    quotation = _fact(g, SCHEMA.Quotation, fact_iri("quotation", "michael-wilshaw", "q"))
    g.add((quotation, SCHEMA.creator, person))
    g.add((quotation, SCHEMA.text, Literal("Caseloads are too high.")))
    return g


def messages(result: ValidationResult) -> str:
    return "\n".join(result.violations)


def test_valid_graph_conforms() -> None:
    data = build_valid_graph()
    size = len(data)
    result = validate(data)
    assert result.conforms, messages(result)
    assert len(data) == size  # validation only reads the graph
    assert result.violations == [] and result.warnings == []
    assert bool(result) is True


def test_valid_graph_without_vocabulary_is_validated_with_the_ontology_added() -> None:
    data = build_valid_graph(with_vocabulary=False)
    size = len(data)
    result = validate(data)
    assert result.conforms, messages(result)
    assert len(data) == size  # the caller's graph is not modified
    result = validate(data, ontology=load_ontology())
    assert result.conforms


def test_domains_and_ranges_agree_with_the_shapes_under_rdfs_inference(shapes: Graph) -> None:
    """The alignments (rdfs:domain, rdfs:subClassOf ...) derive nothing that breaks a shape."""
    import pyshacl

    conforms, _, text = pyshacl.validate(build_valid_graph(), shacl_graph=shapes,
                                         inference="rdfs", allow_warnings=True)
    assert conforms, text


def test_dataset_is_validated_as_the_union_of_its_graphs() -> None:
    """The model writes one named graph per article and the vocabulary in another."""
    flat = build_valid_graph(with_vocabulary=False)
    dataset = Dataset()
    article_graph = dataset.graph(graph_iri(SHA))
    for triple in flat:
        article_graph.add(triple)
    vocabulary = dataset.graph(URIRef("https://w3id.org/councilkg/def"))
    for triple in load_ontology():
        vocabulary.add(triple)
    result = validate(dataset)
    assert result.conforms, messages(result)


def test_ensure_valid_passes_and_raises() -> None:
    assert ensure_valid(build_valid_graph()).conforms
    data = build_valid_graph()
    inspection = next(data.subjects(RDF.type, CKG.Inspection))
    data.remove((inspection, CKG.council, None))
    with pytest.raises(ValidationError) as caught:
        ensure_valid(data)
    assert any("has no council" in v for v in caught.value.violations)
    assert "has no council" in str(caught.value)


def test_missing_rule_id_is_a_warning_not_a_violation() -> None:
    data = build_valid_graph()
    finding = fact_iri("finding", "E08000036", "high caseloads")
    data.remove((finding, CKG.extractedBy, None))
    result = validate(data)
    assert result.conforms
    assert len(result.warnings) == 1 and "extractedBy" in result.warnings[0]


# --- one test per kind of violation ----------------------------------------------------------


def only(data: Graph, kind: URIRef) -> URIRef:
    nodes = list(data.subjects(RDF.type, kind))
    return nodes[0]


def assert_violation(data: Graph, focus: URIRef, *phrases: str) -> list[str]:
    result = validate(data)
    assert not result.conforms
    short = kg.graph.ontology._name(focus)
    lines = [v for v in result.violations if v.startswith(short)]
    assert lines, messages(result)
    for phrase in phrases:
        assert any(phrase in line for line in lines), (phrase, lines)
    return lines


def test_inspection_without_council() -> None:
    data = build_valid_graph()
    inspection = only(data, CKG.Inspection)
    data.remove((inspection, CKG.council, None))
    assert_violation(data, inspection, "ckg:council", "has no council")


def test_inspection_with_two_councils() -> None:
    data = build_valid_graph()
    inspection = only(data, CKG.Inspection)
    data.add((inspection, CKG.council, council_iri("E08000032")))
    lines = assert_violation(data, inspection, "more than one council")
    assert any("is not a ckg:Council" in line for line in lines)  # E08000032 is not declared


def test_rating_from_the_wrong_scheme() -> None:
    data = build_valid_graph()
    inspection = only(data, CKG.Inspection)
    data.set((inspection, CKG.rating, concept_iri("failing", "high caseloads")))
    assert_violation(data, inspection, "ckg:rating", "not a concept of ckg:RatingScheme",
                     "ckg:failing-high-caseloads")


def test_rating_as_a_string() -> None:
    data = build_valid_graph()
    inspection = only(data, CKG.Inspection)
    data.set((inspection, CKG.rating, Literal("inadequate")))
    assert_violation(data, inspection, "not a concept of ckg:RatingScheme")


def test_year_as_a_date() -> None:
    data = build_valid_graph()
    inspection = only(data, CKG.Inspection)
    data.set((inspection, CKG.year, Literal(dt.date(2018, 1, 1))))
    assert_violation(data, inspection, "ckg:year", "xsd:gYear")


def test_amount_as_a_string() -> None:
    data = build_valid_graph()
    response = fact_iri("response", "E08000036", "funding")
    data.set((response, CKG.amountGBP, Literal("£1 million")))
    assert_violation(data, response, "ckg:amountGBP", "xsd:decimal", '"£1 million"')


def test_negative_amount() -> None:
    data = build_valid_graph()
    response = fact_iri("response", "E08000036", "funding")
    data.set((response, CKG.amountGBP, Literal(Decimal("-5"))))
    assert_violation(data, response, "non-negative", '"-5"')


def test_response_type_from_the_wrong_scheme() -> None:
    data = build_valid_graph()
    response = fact_iri("response", "E08000036", "funding")
    data.set((response, CKG.responseType, concept_iri("measure", "caseload")))
    assert_violation(data, response, "not a concept of ckg:ResponseScheme")


def test_failing_outside_the_scheme() -> None:
    data = build_valid_graph()
    finding = fact_iri("finding", "E08000036", "high caseloads")
    data.set((finding, CKG.failing, concept_iri("response", "training")))
    assert_violation(data, finding, "ckg:failing", "not a concept of ckg:FailingScheme")


def test_statistic_value_as_text_and_missing_measure() -> None:
    data = build_valid_graph()
    statistic = only(data, CKG.Statistic)
    data.set((statistic, CKG.value, Literal("17.7 children")))
    data.remove((statistic, CKG.measure, None))
    assert_violation(data, statistic, "xsd:decimal", "exactly one measure")


def test_fact_without_evidence() -> None:
    data = build_valid_graph()
    finding = fact_iri("finding", "E08000036", "high caseloads")
    data.remove((finding, CKG.evidence, None))
    assert_violation(data, finding, "ckg:evidence", "has no evidence")


def test_fact_with_empty_evidence() -> None:
    data = build_valid_graph()
    statistic = only(data, CKG.Statistic)
    data.set((statistic, CKG.evidence, Literal("  ")))
    assert_violation(data, statistic, "non-empty")


def test_fact_without_derivation() -> None:
    data = build_valid_graph()
    quotation = only(data, SCHEMA.Quotation)
    data.remove((quotation, PROV.wasDerivedFrom, None))
    assert_violation(data, quotation, "prov:wasDerivedFrom", "has no derivation")


def test_fact_derived_from_a_comment() -> None:
    data = build_valid_graph()
    finding = fact_iri("finding", "E08000036", "high caseloads")
    comment = comment_iri(SHA, "1")
    data.set((finding, PROV.wasDerivedFrom, comment))
    assert_violation(data, finding, "prov:wasDerivedFrom", "never a reader comment")
    lines = assert_violation(data, comment, "^prov:wasDerivedFrom", "derived from this reader comment")
    assert any(kg.graph.ontology._name(finding) in line for line in lines)  # the line names the fact


def test_quotation_from_a_comment_fails_the_document_check() -> None:
    """The comment shape names the five kinds of the contract; a quotation fails the class check."""
    data = build_valid_graph()
    quotation = only(data, SCHEMA.Quotation)
    comment = comment_iri(SHA, "1")
    data.set((quotation, PROV.wasDerivedFrom, comment))
    result = validate(data)
    assert not result.conforms
    assert not any(v.startswith(kg.graph.ontology._name(comment)) for v in result.violations)
    assert any(v.startswith(kg.graph.ontology._name(quotation)) and "never a reader comment" in v
               for v in result.violations)


def test_inspection_type_is_optional_but_must_come_from_its_scheme() -> None:
    data = build_valid_graph()
    inspection = only(data, CKG.Inspection)
    data.remove((inspection, CKG.inspectionType, None))
    assert validate(data).conforms
    data.add((inspection, CKG.inspectionType, concept_iri("rating", "good")))
    assert_violation(data, inspection, "ckg:inspectionType", "ckg:InspectionTypeScheme")


def test_council_with_a_bad_gss_code() -> None:
    data = build_valid_graph()
    data.set((WAKEFIELD, CKG.gssCode, Literal("W06000015")))
    assert_violation(data, WAKEFIELD, "ckg:gssCode", "not an English ONS GSS code", '"W06000015"')


def test_council_with_two_labels() -> None:
    data = build_valid_graph()
    data.add((WAKEFIELD, RDFS.label, Literal("Wakefield Council")))
    assert_violation(data, WAKEFIELD, "rdfs:label", "exactly one rdfs:label")


def test_membership_of_a_non_person_in_an_unlabelled_role() -> None:
    data = build_valid_graph()
    post = fact_iri("membership", "beate-wagner", "E08000036")
    data.set((post, ORG.member, WAKEFIELD))
    data.remove((role_iri("director of children's services"), RDFS.label, None))
    assert_violation(data, post, "org:member", "not a ckg:Person")
    assert_violation(data, role_iri("director of children's services"), "role must have an rdfs:label")


def test_quotation_without_a_speaker() -> None:
    data = build_valid_graph()
    quotation = only(data, SCHEMA.Quotation)
    data.remove((quotation, SCHEMA.creator, None))
    assert_violation(data, quotation, "schema:creator", "exactly one speaker")


def test_article_without_source_file_and_with_a_text_date() -> None:
    data = build_valid_graph()
    data.remove((ARTICLE, CKG.sourceFile, None))
    data.set((ARTICLE, SCHEMA.datePublished, Literal("18 July 2018")))
    assert_violation(data, ARTICLE, "ckg:sourceFile", "schema:datePublished must be an xsd:date")


def test_comment_about_nothing() -> None:
    data = build_valid_graph()
    comment = comment_iri(SHA, "1")
    data.remove((comment, SCHEMA.about, None))
    assert_violation(data, comment, "schema:about exactly one article")


def test_broken_taxonomy_edit_is_caught() -> None:
    """Two prefLabels on a top concept would make the scorer count a fact twice."""
    data = build_valid_graph()
    concept = concept_iri("failing", "supervision")
    data.add((concept, SKOS.prefLabel, Literal("poor supervision", lang="en")))
    assert_violation(data, concept, "skos:prefLabel", "exactly one skos:prefLabel")


def test_violation_lines_show_complex_paths() -> None:
    report = Graph()
    path = BNode()
    inner = BNode()
    report.add((inner, kg.graph.ontology.SH.zeroOrMorePath, SKOS.broader))
    from rdflib.collection import Collection

    Collection(report, path, [CKG.failing, inner, SKOS.topConceptOf])
    assert kg.graph.ontology._path(report, path) == "ckg:failing/skos:broader*/skos:topConceptOf"


def test_lifting_property_shapes_keeps_the_results(shapes: Graph) -> None:
    """validate() runs lifted shapes for speed; plain pyshacl on the file must agree with it."""
    import pyshacl

    data = build_valid_graph()
    inspection = only(data, CKG.Inspection)
    data.remove((inspection, CKG.council, None))
    data.set((inspection, CKG.rating, concept_iri("failing", "leadership")))
    data.set((only(data, CKG.Statistic), CKG.value, Literal("many")))
    data.set((WAKEFIELD, CKG.gssCode, Literal("E0800003")))
    data.remove((only(data, SCHEMA.Quotation), CKG.evidence, None))
    data.set((fact_iri("finding", "E08000036", "high caseloads"), PROV.wasDerivedFrom,
              comment_iri(SHA, "1")))
    lifted = kg.graph.ontology._lift_property_shapes(shapes)
    assert len(set(lifted.subjects(RDF.type, kg.graph.ontology.SH.PropertyShape))) > 50
    _, plain_report, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none",
                                          allow_warnings=True)
    plain, _ = kg.graph.ontology._describe(plain_report, data)
    result = validate(data, shapes=shapes)
    assert len(result.violations) >= 7
    assert result.violations == plain


def test_synthetic_graph_of_many_facts_conforms() -> None:
    data = synthetic_graph(300)
    result = validate(data)
    assert result.conforms, messages(result)


def test_docstring_examples_run() -> None:
    failures, tried = doctest.testmod(kg.graph.ontology, optionflags=doctest.ELLIPSIS)
    assert tried > 0 and failures == 0


def synthetic_graph(facts: int) -> Graph:
    """A graph of ``facts`` facts of every kind over 150 councils and 100 articles (for timing)."""
    g = load_ontology()
    bind_prefixes(g)
    kinds = [
        ("failing", CKG.Finding, CKG.failing), ("failing", CKG.Recommendation, CKG.failing),
        ("response", CKG.Response, CKG.responseType), ("measure", CKG.Statistic, CKG.measure),
        ("rating", CKG.Inspection, CKG.rating),
    ]
    tops = {key: sorted(top_labels(g, SCHEMES[key])) for key in ("failing", "response", "measure", "rating")}
    councils = [council_iri(f"E{8000000 + i:08d}") for i in range(150)]
    for i, council in enumerate(councils):
        g.add((council, RDF.type, CKG.Council))
        g.add((council, RDFS.label, Literal(f"Council {i}")))
        g.add((council, CKG.gssCode, Literal(str(council).rsplit("/", 1)[1])))
    articles = [article_iri(digest(i, length=40)) for i in range(100)]
    for i, article in enumerate(articles):
        g.add((article, RDF.type, SCHEMA.NewsArticle))
        g.add((article, CKG.sourceFile, Literal(f"{i:03d}.txt")))
        g.add((article, SCHEMA.datePublished, Literal(dt.date(2020, 1, 1 + i % 28))))
    for n in range(facts):
        key, kind, prop = kinds[n % len(kinds)]
        fact = fact_iri(str(kind).rsplit("#", 1)[1], n)
        g.add((fact, RDF.type, kind))
        g.add((fact, CKG.evidence, Literal(f"Sentence number {n} says so.")))
        g.add((fact, CKG.extractedBy, Literal("synthetic")))
        g.add((fact, PROV.wasDerivedFrom, articles[n % len(articles)]))
        g.add((fact, CKG.council, councils[n % len(councils)]))
        labels = tops[key]
        g.add((fact, prop, concept_iri(key, labels[n % len(labels)])))
        if kind == CKG.Statistic:
            g.add((fact, CKG.value, Literal(Decimal(n % 40) + Decimal("0.5"))))
        if kind == CKG.Inspection:
            g.add((fact, CKG.year, Literal(str(2010 + n % 14), datatype=XSD.gYear)))
        if kind == CKG.Response and n % 2:
            g.add((fact, CKG.amountGBP, Literal(Decimal(n * 1000))))
    return g


# --- validation beside the extraction --------------------------------------------------------


def _turtle(graph: Graph) -> str:
    return graph.serialize(format="turtle")


@pytest.mark.parametrize("side_process", [True, False])
def test_batch_validator_accepts_only_conforming_batches(side_process: bool) -> None:
    """Items reach ``accept`` only once their batch conforms; ``finish`` raises with the
    violations of the batches that failed, whether they run in the side process (started
    early, its shapes loaded once for every batch) or in the caller's."""
    good = _turtle(build_valid_graph())
    bad_graph = build_valid_graph()
    bad_graph.set((WAKEFIELD, CKG.gssCode, Literal("W06000015")))
    accepted: list[str] = []
    validator = kg.graph.ontology.BatchValidator(accepted.append, side_process=side_process)
    validator.start()
    assert (validator._pool is not None) is side_process
    validator.submit(good, ["a", "b"])
    validator.submit(good, ["c"])  # the second batch reuses what the first one loaded
    validator.submit(_turtle(bad_graph), ["bad"])
    with pytest.raises(ValidationError) as caught:
        validator.finish()
    assert any("W06000015" in line for line in caught.value.violations)
    assert sorted(accepted) == ["a", "b", "c"]
    assert validator._pool is None  # finish shuts the side process down


def test_default_shapes_are_lifted_once_per_process() -> None:
    assert kg.graph.ontology._default_lifted_shapes() is kg.graph.ontology._default_lifted_shapes()
    bad = build_valid_graph()
    bad.set((WAKEFIELD, CKG.gssCode, Literal("W06000015")))
    again = [validate(bad).violations for _ in range(2)]  # pyshacl may add to the shapes it reads
    fresh = validate(bad, shapes=load_shapes())  # explicit shapes are lifted anew
    assert again[0] == again[1] == fresh.violations and fresh.violations
    assert validate(build_valid_graph()).conforms


def test_a_model_fact_carries_a_confidence_from_0_to_1() -> None:
    data = build_valid_graph()
    finding = fact_iri("finding", "E08000036", "high caseloads")
    data.set((finding, CKG.extractedBy, Literal("model:sentence_classifier@1.0.0")))
    data.set((finding, CKG.confidence, Literal(Decimal("0.812"), datatype=XSD.decimal)))
    assert validate(data).conforms
    data.set((finding, CKG.confidence, Literal(Decimal("1.5"), datatype=XSD.decimal)))
    assert_violation(data, finding, "ckg:confidence", "from 0 to 1")
    data.set((finding, CKG.confidence, Literal("high")))
    assert_violation(data, finding, "ckg:confidence")
