"""Tests for kg.analysis.official and kg.analysis.crosscheck: the official record read, turned into facts, and compared with the
inspections that news articles and reports state. Small hand-made graphs and CSV rows; the real
record (``../shared/reference/ofsted_csc_ilacs_history.csv``) is read when present."""
from __future__ import annotations

import csv
import datetime as dt
import doctest
import hashlib
import json
import logging
import warnings
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF

from kg.analysis import crosscheck
from kg.analysis import official
from kg import config
from kg.graph import rdf
from kg.analysis.crosscheck import AGREES, DISAGREES, NO_GRADE, NOT_IN_RECORD, UNKNOWN_COUNCIL, claims, format_table, to_csv, to_json
from kg.analysis.official import official_graph, official_node, read_official
from kg.graph.facts import Article, ArticleFacts, Evidence, Inspection
from kg.graph.gazetteer import Gazetteer
from kg.graph.namespaces import CKG, PREFIXES, SCHEMA, article_iri, bind_prefixes, concept_iri, council_iri, fact_iri, graph_iri

XSD = PREFIXES["xsd"]  # a plain Namespace: rdflib's XSD warns when pytest inspects the module
BRADFORD, WAKEFIELD, BCP, NORTH_NORTHANTS, LEEDS = "E08000032", "E08000036", "E06000058", "E06000061", "E08000035"
HEADER = ("urn,local_authority,inspection_link,pdf_filename,publication_date,inspection_framework,inspector_name,"
          "inspection_start_date,inspection_end_date,overall_effectiveness_grade,impact_of_leaders_grade,"
          "help_and_protection_grade,in_care_grade,care_leavers_grade,parser_version")
ROWS = [
    "80449,bradford,https://files.ofsted.gov.uk/v1/file/1,x.pdf,21/05/26,standard,Catherine Heron,12/01/2026,23/01/2026,"
    "requires improvement,good,requires improvement,requires improvement,good,1",
    "80449,bradford,https://files.ofsted.gov.uk/v1/file/2,x.pdf,31/01/23,standard,Matt Reed,21/11/2022,02/12/2022,"
    "inadequate,inadequate,inadequate,inadequate,inspection_pre_dates_judgement,1",
    "80449,bradford,https://files.ofsted.gov.uk/v1/file/3,x.pdf,29/10/18,standard,Neil Penswick,17/09/2018,28/09/2018,"
    "inadequate,requires improvement,inadequate,requires improvement,inspection_pre_dates_judgement,1",
    "80451,wakefield,https://files.ofsted.gov.uk/v1/file/4,x.pdf,20/09/16,,,,,,data_unreadable,data_unreadable,"
    "data_unreadable,data_unreadable,1",
    "80451,wakefield,https://files.ofsted.gov.uk/v1/file/5,x.pdf,17/07/2018,standard,Neil Penswick,04/06/2018,15/06/2018,"
    "inadequate,inadequate,to requires improvement,inadequate,inspection_pre_dates_judgement,1",
    '2532287,"bournemouth, christchurch & poole",https://files.ofsted.gov.uk/v1/file/6,x.pdf,11/02/22,standard,Steve Lowe,'
    "06/12/2021,17/12/2021,inadequate,inadequate,inadequate,requires improvement,inspection_pre_dates_judgement,1",
    "2637539,north northamptonshire,https://files.ofsted.gov.uk/v1/file/7,x.pdf,07/07/26,standard,David Cohen,11/05/2026,"
    "22/05/2026,not_reported_post_reform,outstanding,good,good,good,1",
    "80429,birmingham,https://files.ofsted.gov.uk/v1/file/8,x.pdf,17/01/19,standard,Pauline Higham,03/12/2018,14/12/2018,"
    "requires improvement,requires improvement,requires improvement,requires improvement,inspection_pre_dates_judgement,1",
    "99999,nowhere-on-sea,https://files.ofsted.gov.uk/v1/file/9,x.pdf,31/13/22,standard,,,,good,good,good,good,good,1",
]


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer.load()


@pytest.fixture()
def official_csv(tmp_path: Path) -> Path:
    path = tmp_path / "official.csv"
    path.write_text("\n".join([HEADER, *ROWS]) + "\n", encoding="utf-8")
    return path


@pytest.fixture()
def rows(official_csv: Path, gazetteer: Gazetteer):
    return read_official(official_csv, gazetteer)


def by(rows, council: str, year: int):
    return next(r for r in rows if r.council == council and r.year == year)


# --------------------------------------------------------------------------------------------
# Reading the record


def test_read_official_parses_dates_grades_and_markers(rows) -> None:
    assert len(rows) == len(ROWS)
    row = by(rows, BRADFORD, 2022)
    assert (row.published, row.start, row.end) == (dt.date(2023, 1, 31), dt.date(2022, 11, 21), dt.date(2022, 12, 2))
    assert row.date == dt.date(2022, 12, 2) and row.year == 2022
    assert row.overall == "inadequate" and row.framework == "standard" and row.inspection_type == "ILACS inspection"
    assert dict(row.grades) == {"overall effectiveness": "inadequate", "impact of leaders": "inadequate",
                                "help and protection": "inadequate", "children in care and care leavers": "inadequate"}
    assert row.marker("care leavers") == "inspection_pre_dates_judgement"
    assert row.inspector == "Matt Reed" and row.link == "https://files.ofsted.gov.uk/v1/file/2"
    # From 2023 children in care and care leavers are judged apart.
    assert dict(by(rows, BRADFORD, 2026).grades)["children in care"] == "requires improvement"
    assert dict(by(rows, BRADFORD, 2026).grades)["care leavers"] == "good"


def test_read_official_evidence_is_the_row_as_written(rows, official_csv: Path) -> None:
    lines = official_csv.read_text(encoding="utf-8").splitlines()
    for row in rows:
        assert row.text == lines[row.line - 1]
        assert row.source_file == "official.csv" and len(row.source_sha1) == 40


def test_read_official_resolves_councils_and_odd_cells(rows, caplog) -> None:
    bcp = next(r for r in rows if r.urn == "2532287")
    assert bcp.council == BCP and bcp.local_authority == "bournemouth, christchurch & poole"
    wakefield_2018 = by(rows, WAKEFIELD, 2018)
    assert wakefield_2018.published == dt.date(2018, 7, 17)  # dd/mm/yyyy
    assert wakefield_2018.grade("help and protection") == "requires improvement"  # "to requires improvement"
    old = next(r for r in rows if r.council == WAKEFIELD and r.published == dt.date(2016, 9, 20))
    assert old.grades == () and old.marker("overall effectiveness") == "" and old.end is None
    unknown = next(r for r in rows if r.urn == "99999")
    assert unknown.council is None and unknown.published is None  # 31/13/22 is no date


def test_read_official_logs_a_bad_date(official_csv: Path, gazetteer: Gazetteer, caplog) -> None:
    with caplog.at_level(logging.WARNING, logger="kg.analysis.official"):
        read_official(official_csv, gazetteer)
    assert any("official.csv:10" in r.getMessage() and "publication_date" in r.getMessage() for r in caplog.records)


def test_read_official_rejects_another_table(tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("name,grade\nBradford,inadequate\n", encoding="utf-8")
    with pytest.raises(ValueError, match="missing columns"):
        read_official(path)


def test_parse_official_date() -> None:
    assert official.parse_official_date("05/01/22") == dt.date(2022, 1, 5)
    assert official.parse_official_date("5/1/2022") == dt.date(2022, 1, 5)
    with pytest.raises(ValueError):
        official.parse_official_date("2022-01-05")


# --------------------------------------------------------------------------------------------
# The record as RDF


def test_official_graph(rows, gazetteer: Gazetteer) -> None:
    g = official_graph(rows, gazetteer)
    node = official_node(by(rows, BRADFORD, 2022))
    assert (node, RDF.type, CKG.Inspection) in g
    assert (node, CKG.council, council_iri(BRADFORD)) in g
    assert (node, CKG.rating, concept_iri("rating", "inadequate")) in g
    assert (node, CKG.year, Literal("2022", datatype=XSD.gYear)) in g
    assert (node, CKG.date, Literal("2022-12-02", datatype=XSD.date)) in g
    assert (node, CKG.startDate, Literal("2022-11-21", datatype=XSD.date)) in g
    assert (node, CKG.inspectionType, concept_iri("inspectiontype", "ILACS inspection")) in g
    assert (node, CKG.current, Literal(False)) in g  # Bradford's 2026 judgement is the latest
    assert (official_node(by(rows, BRADFORD, 2026)), CKG.current, Literal(True)) in g
    source = g.value(node, PROV.wasDerivedFrom)
    assert (source, RDF.type, CKG.OfficialRecord) in g and str(g.value(source, CKG.sourceFile)) == "official.csv"
    assert str(g.value(node, CKG.evidence)) == by(rows, BRADFORD, 2022).text
    parts = {(str(g.value(p, CKG.judgementArea)), g.value(p, CKG.rating)) for p in g.objects(node, CKG.subJudgement)}
    assert parts == {("impact of leaders", concept_iri("rating", "inadequate")),
                     ("help and protection", concept_iri("rating", "inadequate")),
                     ("children in care and care leavers", concept_iri("rating", "inadequate"))}
    for part in g.objects(node, CKG.subJudgement):
        assert (part, RDF.type, CKG.SubJudgement) in g and g.value(part, PROV.wasDerivedFrom) == source
    # No overall grade from April 2026: no rating, graded false, the sub-judgements kept.
    nn = official_node(next(r for r in rows if r.council == NORTH_NORTHANTS))
    assert g.value(nn, CKG.rating) is None and g.value(nn, CKG.graded) == Literal(False)
    assert len(list(g.objects(nn, CKG.subJudgement))) == 4
    # Rows without a grade, or of an unknown council, give no facts.
    assert official_node(next(r for r in rows if r.council == WAKEFIELD and r.year == 2016)) is None
    assert len(set(g.subjects(RDF.type, CKG.Inspection))) == 7
    assert (council_iri(BRADFORD), RDF.type, CKG.Council) in g


# --------------------------------------------------------------------------------------------
# Claims and the comparison


def sha(name: str) -> str:
    return hashlib.sha1(name.encode("utf-8")).hexdigest()


def news(g: Graph, gazetteer: Gazetteer, name: str, published: dt.date | None, *facts: Inspection) -> URIRef:
    """A news article stating inspections, through the model (as the build writes it)."""
    article = Article(source_file=name, sha1=sha(name), title=name, body="...", date=published)
    for triple in rdf.article_graph(ArticleFacts(article=article, facts=list(facts)), gazetteer):
        g.add(triple)
    return article_iri(article.sha1)


def claim(council: str, rating: str, year: int | None, *, itype: str | None = None) -> Inspection:
    return Inspection(council=council, rating=rating, year=year, inspection_type=itype,
                      evidence=Evidence(f"{council} was rated {rating}.", "rating.test"))


def report(g: Graph, name: str, council: str, rating: str | None, date: dt.date, parts: dict[str, str]) -> URIRef:
    """A report's inspection, with sub-judgements, as the RDF mapping maps kg.extract.reports' facts."""
    doc = article_iri(sha(name))
    g.add((doc, RDF.type, CKG.InspectionReport))
    g.add((doc, CKG.sourceFile, Literal(name)))
    g.add((doc, SCHEMA.datePublished, Literal(date.isoformat(), datatype=XSD.date)))
    node = fact_iri("inspection", council, rating, date.year, date.isoformat())
    g.add((node, RDF.type, CKG.Inspection))
    g.add((node, CKG.council, council_iri(council)))
    if rating:
        g.add((node, CKG.rating, concept_iri("rating", rating)))
    else:
        g.add((node, CKG.graded, Literal(False)))
    g.add((node, CKG.year, Literal(str(date.year), datatype=XSD.gYear)))
    g.add((node, CKG.date, Literal(date.isoformat(), datatype=XSD.date)))
    g.add((node, PROV.wasDerivedFrom, doc))
    g.add((node, CKG.evidence, Literal(f"Overall effectiveness {rating}")))
    for area, grade in parts.items():
        part = fact_iri("subjudgement", council, area, grade, date.isoformat())
        g.add((part, RDF.type, CKG.SubJudgement))
        g.add((part, CKG.judgementArea, Literal(area)))
        g.add((part, CKG.rating, concept_iri("rating", grade)))
        g.add((node, CKG.subJudgement, part))
    return node


def outcomes(results, area: str = "overall effectiveness") -> dict[tuple, str]:
    return {(d.council, d.claimed, d.claim_year, d.sources): d.outcome for d in results if d.area == area}


def test_news_claims_agree_disagree_or_are_not_in_the_record(rows, gazetteer: Gazetteer) -> None:
    g = Graph()
    news(g, gazetteer, "a.txt", dt.date(2018, 10, 30), claim(BRADFORD, "inadequate", 2018))
    news(g, gazetteer, "b.txt", dt.date(2018, 10, 30), claim(BRADFORD, "good", 2018))
    news(g, gazetteer, "c.txt", dt.date(2020, 6, 1), claim(BRADFORD, "inadequate", 2020))
    news(g, gazetteer, "d.txt", dt.date(2019, 1, 20), claim("E08000025", "requires improvement", 2019))
    news(g, gazetteer, "e.txt", dt.date(2019, 1, 20), claim(LEEDS, "outstanding", 2018))
    news(g, gazetteer, "f.txt", dt.date(2016, 9, 21), claim(WAKEFIELD, "requires improvement", 2016))
    results = crosscheck.crosscheck(g, rows, gazetteer)
    got = outcomes(results)
    assert got[(BRADFORD, "inadequate", 2018, ("a.txt",))] == AGREES
    assert got[(BRADFORD, "good", 2018, ("b.txt",))] == DISAGREES
    assert got[(BRADFORD, "inadequate", 2020, ("c.txt",))] == NOT_IN_RECORD  # no inspection ended in 2020
    assert got[("E08000025", "requires improvement", 2019, ("d.txt",))] == AGREES  # ended 2018, published 2019
    assert got[(LEEDS, "outstanding", 2018, ("e.txt",))] == UNKNOWN_COUNCIL
    assert got[(WAKEFIELD, "requires improvement", 2016, ("f.txt",))] == NO_GRADE  # data_unreadable
    disagreement = next(d for d in results if d.outcome == DISAGREES)
    assert (disagreement.official, disagreement.official_end, disagreement.matched_by) == (
        "inadequate", dt.date(2018, 9, 28), "year")
    # an earlier framework's grade ("adequate") neither agrees nor disagrees with the four-point record
    g2 = Graph()
    news(g2, gazetteer, "g.txt", dt.date(2018, 10, 30), claim(BRADFORD, "other", 2018))
    earlier = [d for d in crosscheck.crosscheck(g2, rows, gazetteer) if d.area == "overall effectiveness"]
    assert [(d.outcome, d.official) for d in earlier] == [(NOT_IN_RECORD, None)]
    assert "earlier framework" in earlier[0].note
    assert disagreement.official_evidence == by(rows, BRADFORD, 2018).text
    assert disagreement.evidence == f"{BRADFORD} was rated good."
    missing = next(d for d in results if d.outcome == NOT_IN_RECORD)
    assert "2020" in missing.note and missing.official is None


def test_claim_without_a_year_is_checked_against_the_judgement_in_force(rows, gazetteer: Gazetteer) -> None:
    g = Graph()
    news(g, gazetteer, "then.txt", dt.date(2021, 5, 1), claim(BRADFORD, "inadequate", None))
    news(g, gazetteer, "later.txt", dt.date(2023, 6, 1), claim(BRADFORD, "inadequate", None))
    news(g, gazetteer, "early.txt", dt.date(2015, 6, 1), claim(BRADFORD, "good", None))
    results = [d for d in crosscheck.crosscheck(g, rows, gazetteer) if d.area == "overall effectiveness"]
    by_source = {d.sources: d for d in results}
    then = by_source[("then.txt",)]
    assert then.outcome == AGREES and then.matched_by == "current at 2021-05-01"
    assert then.official_end == dt.date(2018, 9, 28)
    assert by_source[("later.txt",)].official_end == dt.date(2022, 12, 2)
    assert by_source[("early.txt",)].outcome == NOT_IN_RECORD


def test_a_monitoring_visit_is_compared_with_the_judgement_in_force(rows, gazetteer: Gazetteer) -> None:
    g = Graph()
    news(g, gazetteer, "visit.txt", dt.date(2020, 3, 1), claim(BRADFORD, "inadequate", 2020, itype="monitoring visit"))
    (d,) = crosscheck.crosscheck(g, rows, gazetteer)
    assert d.outcome == AGREES and d.official_end == dt.date(2018, 9, 28)
    assert "monitoring visit" in d.note


def test_an_ungraded_visit_report_is_not_a_disagreement(rows, gazetteer: Gazetteer) -> None:
    g = Graph()
    node = report(g, "visit.pdf", BRADFORD, None, dt.date(2020, 2, 20), {})
    g.add((node, CKG.inspectionType, concept_iri("inspectiontype", "monitoring visit")))
    (d,) = crosscheck.crosscheck(g, rows, gazetteer)
    assert d.outcome == crosscheck.UNGRADED and d.claimed is None and d.official == "inadequate"
    assert len(crosscheck.link_graph([d])) == 0


def test_report_claims_with_sub_judgements(rows, gazetteer: Gazetteer) -> None:
    g = Graph()
    report(g, "bradford.pdf", BRADFORD, "inadequate", dt.date(2022, 12, 2), {
        "impact of leaders": "inadequate", "help and protection": "requires improvement",
        "children in care and care leavers": "inadequate"})
    report(g, "nn.pdf", NORTH_NORTHANTS, None, dt.date(2026, 5, 22), {
        "impact of leaders": "outstanding", "help and protection": "good", "children in care": "good",
        "care leavers": "good"})
    results = crosscheck.crosscheck(g, rows, gazetteer)
    table = {(d.council, d.area): (d.outcome, d.claimed, d.official) for d in results}
    assert table[(BRADFORD, "overall effectiveness")] == (AGREES, "inadequate", "inadequate")
    assert table[(BRADFORD, "impact of leaders")] == (AGREES, "inadequate", "inadequate")
    assert table[(BRADFORD, "help and protection")] == (DISAGREES, "requires improvement", "inadequate")
    assert table[(BRADFORD, "children in care and care leavers")] == (AGREES, "inadequate", "inadequate")
    assert table[(NORTH_NORTHANTS, "overall effectiveness")] == (AGREES, None, "not_reported_post_reform")
    assert table[(NORTH_NORTHANTS, "impact of leaders")] == (AGREES, "outstanding", "outstanding")
    assert table[(NORTH_NORTHANTS, "care leavers")] == (AGREES, "good", "good")
    bradford = next(d for d in results if d.council == BRADFORD and d.area == "overall effectiveness")
    assert bradford.matched_by == "date" and bradford.source_kinds == ("inspection-report",)
    assert bradford.official_node == str(official_node(by(rows, BRADFORD, 2022)))


def test_a_date_far_from_any_inspection_is_not_in_the_record(rows, gazetteer: Gazetteer) -> None:
    g = Graph()
    report(g, "odd.pdf", BRADFORD, "inadequate", dt.date(2020, 6, 30), {})
    (d,) = crosscheck.crosscheck(g, rows, gazetteer)
    assert d.outcome == NOT_IN_RECORD and "2020-06-30" in d.note


def test_official_facts_are_not_claims(rows, gazetteer: Gazetteer) -> None:
    g = official_graph(rows, gazetteer)
    assert claims(g) == []
    news(g, gazetteer, "a.txt", dt.date(2018, 10, 30), claim(BRADFORD, "inadequate", 2018))
    assert [c.sources[0].file for c in claims(g)] == ["a.txt"]


def test_links_and_output_formats(rows, gazetteer: Gazetteer) -> None:
    g = Graph()
    news(g, gazetteer, "a.txt", dt.date(2018, 10, 30), claim(BRADFORD, "good", 2018))
    results = crosscheck.crosscheck(g, rows, gazetteer)
    links = crosscheck.link_graph(results)
    (claim_node,) = set(g.subjects(RDF.type, CKG.Inspection))
    assert (claim_node, CKG.officialJudgement, official_node(by(rows, BRADFORD, 2018))) in links
    table = format_table(results)
    assert "disagrees" in table and "Bradford" in table and "disagrees: 1" in table
    parsed = list(csv.DictReader(to_csv(results).splitlines()))
    assert parsed[0]["outcome"] == "disagrees" and parsed[0]["claimed"] == "good" and parsed[0]["official"] == "inadequate"
    assert json.loads(to_json(results))["counts"] == {"disagrees": 1}


# --------------------------------------------------------------------------------------------
# The command


def test_run_adds_the_record_to_the_built_graph(tmp_path: Path, official_csv: Path, gazetteer: Gazetteer) -> None:
    out = tmp_path / "out"
    out.mkdir()
    dataset = Dataset()
    bind_prefixes(dataset)
    g = Graph()
    news(g, gazetteer, "a.txt", dt.date(2018, 10, 30), claim(BRADFORD, "inadequate", 2018))
    named = dataset.graph(graph_iri("a" * 40))
    for triple in g:
        named.add(triple)
    with warnings.catch_warnings():  # rdflib's TriG writer uses its own deprecated names
        warnings.simplefilter("ignore", DeprecationWarning)
        (out / "graph.trig").write_bytes(rdf.serialise(dataset, "trig"))
    (out / "graph.ttl").write_bytes(rdf.serialise(g, "turtle"))

    result = crosscheck.run(official_csv, out, gazetteer=gazetteer)
    assert result.counts == {"agrees": 1}
    assert (out / "crosscheck.csv").is_file() and (out / "crosscheck.json").is_file()
    merged = Graph().parse(out / "graph.ttl")
    (claim_node,) = [s for s in merged.subjects(RDF.type, CKG.Inspection)
                     if merged.value(s, PROV.wasDerivedFrom) is not None
                     and (merged.value(s, PROV.wasDerivedFrom), RDF.type, SCHEMA.NewsArticle) in merged]
    assert merged.value(claim_node, CKG.officialJudgement) is not None
    assert len(set(merged.subjects(RDF.type, CKG.OfficialRecord))) == 1
    reread = Dataset()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        reread.parse(out / "graph.trig", format="trig")
    names = {c.identifier for c in reread.graphs()}
    assert graph_iri("a" * 40) in names and any(n == graph_iri(rows_sha(official_csv)) for n in names)
    size = len(merged)
    crosscheck.run(official_csv, out, gazetteer=gazetteer)  # a re-run replaces, never doubles
    assert len(Graph().parse(out / "graph.ttl")) == size


def rows_sha(path: Path) -> str:
    return hashlib.sha1(path.read_bytes()).hexdigest()


def test_run_without_a_built_graph(tmp_path: Path, official_csv: Path, gazetteer: Gazetteer) -> None:
    with pytest.raises(FileNotFoundError, match="run the build first"):
        crosscheck.run(official_csv, tmp_path, gazetteer=gazetteer)


def test_docstring_examples_run() -> None:
    result = doctest.testmod(official)
    assert result.attempted >= 1 and result.failed == 0


# --------------------------------------------------------------------------------------------
# The real record


REAL = config.SHARED / "reference" / "ofsted_csc_ilacs_history.csv"


@pytest.mark.skipif(not REAL.is_file(), reason=f"official record not found at {REAL}")
def test_the_real_record_reads_whole(gazetteer: Gazetteer) -> None:
    rows = read_official(REAL, gazetteer)
    with REAL.open(encoding="utf-8-sig", newline="") as handle:
        assert len(rows) == sum(1 for _ in csv.DictReader(handle))
    assert sum(r.council is None for r in rows) == 0, [r.local_authority for r in rows if r.council is None]
    graded = [r for r in rows if r.overall]
    assert len(graded) > 250
    assert {r.overall for r in graded} == {"outstanding", "good", "requires improvement", "inadequate"}
    assert sum(r.marker("overall effectiveness") == "not_reported_post_reform" for r in rows) >= 5
    g = official_graph(rows, gazetteer)
    assert len(set(g.subjects(RDF.type, CKG.Inspection))) >= len(graded)


def test_run_on_a_build_keeps_its_layout_and_is_byte_stable(tmp_path: Path, official_csv: Path,
                                                            gazetteer: Gazetteer) -> None:
    from kg.cli import main

    out = tmp_path / "out"
    assert main(["build", "--articles", str(config.DATA / "articles"), "--out", str(out)]) == 0
    built = Graph().parse(out / "graph.ttl")
    crosscheck.run(official_csv, out, gazetteer=gazetteer)
    first = {n: (out / n).read_bytes() for n in ("graph.trig", "graph.ttl")}
    crosscheck.run(official_csv, out, gazetteer=gazetteer)  # a re-run replaces the record, byte for byte
    assert {n: (out / n).read_bytes() for n in first} == first
    union = Graph().parse(out / "graph.ttl")
    reread = Dataset()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        reread.parse(out / "graph.trig", format="trig")
    from rdflib.compare import isomorphic

    quads = Graph()
    for s, p, o, _ in reread.quads((None, None, None, None)):
        quads.add((s, p, o))
    assert isomorphic(quads, union)  # graph.ttl is still the union of graph.trig
    assert len(union) > len(built) and len(set(union.subjects(RDF.type, CKG.OfficialRecord))) == 1
    # the article graphs are untouched: the build's blocks are all still there, verbatim
    _, before = rdf.trig_blocks(first["graph.trig"].decode("utf-8"))
    assert len(before) == len(rdf.trig_blocks((out / "graph.trig").read_text(encoding="utf-8"))[1])


def test_articles_disagreeing_on_an_inspections_type_or_date_make_two_valid_claims(gazetteer: Gazetteer) -> None:
    """Found by the 10,000-article benchmark: two articles giving one council, grade and year
    another inspection type (or date) made one node with two types, and the build failed its shapes."""
    from kg.graph.ontology import validate

    g = Graph()
    news(g, gazetteer, "a.txt", dt.date(2019, 1, 2), claim(BRADFORD, "inadequate", 2018, itype="monitoring visit"))
    news(g, gazetteer, "b.txt", dt.date(2019, 1, 3), claim(BRADFORD, "inadequate", 2018, itype="full inspection"))
    dated = Inspection(council=BRADFORD, rating="inadequate", year=2018, date=dt.date(2018, 10, 1),
                       evidence=Evidence("Bradford was rated inadequate on 1 October 2018.", "rating.test"))
    news(g, gazetteer, "c.txt", dt.date(2019, 1, 4), dated)
    news(g, gazetteer, "d.txt", dt.date(2019, 1, 5), claim(BRADFORD, "inadequate", 2018))
    assert len(set(g.subjects(RDF.type, CKG.Inspection))) == 4
    assert validate(g).conforms


# --------------------------------------------------------------------------------------------
# The official record as a layer of the build (issue 18)


def _records(out: Path) -> int:
    return len(set(Graph().parse(out / "graph.ttl").subjects(RDF.type, CKG.OfficialRecord)))


def test_build_official_keeps_the_record_through_every_rebuild(tmp_path: Path, official_csv: Path) -> None:
    import shutil

    from kg.cli import main

    articles, out = tmp_path / "articles", tmp_path / "out"
    shutil.copytree(config.DATA / "articles", articles)
    assert main(["build", "--articles", str(articles), "--out", str(out), "--official", str(official_csv)]) == 0
    assert _records(out) == 1 and (out / crosscheck.LAYER_DIR / "official.csv").is_file()
    csv_first = (out / "crosscheck.csv").read_bytes()
    outputs = {n: (out / n).read_bytes() for n in ("graph.trig", "graph.ttl", "crosscheck.csv", "crosscheck.json")}
    # nothing changed: nothing is rewritten, the record stays
    assert main(["build", "--articles", str(articles), "--out", str(out)]) == 0
    assert {n: (out / n).read_bytes() for n in outputs} == outputs
    # one more article: the graph is written again and the record added again, without --official
    extra = sorted((config.DATA / "dev").glob("1*.txt"))[0]
    shutil.copy(extra, articles / extra.name)
    assert main(["build", "--articles", str(articles), "--out", str(out)]) == 0
    assert _records(out) == 1
    assert (out / "graph.trig").read_bytes() != outputs["graph.trig"]
    # crosscheck.csv/.json were written again from the new graph: the new article's claims are in them
    rows = json.loads((out / "crosscheck.json").read_text(encoding="utf-8"))["discrepancies"]
    sources = " ".join(str(d["sources"]) for d in rows)
    assert extra.name in sources and extra.name.encode() not in csv_first
    assert extra.name.encode() in (out / "crosscheck.csv").read_bytes()
    state = json.loads((out / crosscheck.APPLIED).read_text(encoding="utf-8"))
    assert state["graph"] == hashlib.sha1((out / "graph.trig").read_bytes()).hexdigest()


def test_crosscheck_makes_the_record_a_layer_too(tmp_path: Path, official_csv: Path) -> None:
    import shutil

    from kg.cli import main

    articles, out = tmp_path / "articles", tmp_path / "out"
    shutil.copytree(config.DATA / "articles", articles)
    assert main(["build", "--articles", str(articles), "--out", str(out)]) == 0
    assert main(["crosscheck", "--official", str(official_csv), "--out", str(out)]) == 0
    assert _records(out) == 1
    extra = sorted((config.DATA / "dev").glob("1*.txt"))[0]
    shutil.copy(extra, articles / extra.name)
    assert main(["build", "--articles", str(articles), "--out", str(out)]) == 0
    assert _records(out) == 1, "a rebuild after crosscheck keeps the record"


def test_a_bad_official_table_is_one_error(tmp_path: Path, caplog) -> None:
    from kg.cli import main

    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    assert main(["build", "--articles", str(config.DATA / "articles"), "--out", str(tmp_path / "out"),
                 "--official", str(bad)]) == 1
    assert "official record could not be added" in caplog.text
