"""kg.analysis (frames, networks) on a real build of data/articles: typed tables from the canned queries, the
council-failing graphs, people, ratings over time, responses against failings, and the ratings
checked against Ofsted's published record."""
from __future__ import annotations

import doctest
import itertools
import json
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest
from networkx.algorithms import bipartite as nxb
from rdflib import Graph
from rdflib.namespace import RDF

from kg import cli
from kg import analysis
from kg import config
from kg.analysis import (
    AGREE,
    DISAGREE,
    NO_YEAR,
    NOT_IN_RECORD,
    SECTOR_WIDE,
    clusters,
    compare_with_official,
    council_failing_graph,
    council_similarity,
    failing_cooccurrence,
    failing_coverage,
    failing_sets,
    frame,
    jaccard,
    load_graph,
    load_response_addresses,
    official_ratings,
    people_council_graph,
    ratings_timeline,
    responses_after_failings,
)
from kg.graph.namespaces import CKG
from tests.fixtures.sample_graph import build_sample_dataset

OFFICIAL = config.SHARED / "reference" / "ofsted_csc_ilacs_history.csv"
needs_reference = pytest.mark.skipif(not OFFICIAL.is_file(), reason=f"reference data absent: {OFFICIAL}")

COUNCILS = {"Bradford", "Wakefield", "Cambridgeshire"}
OFFICIAL_HEADER = ("urn,local_authority,inspection_link,pdf_filename,publication_date,inspection_framework,"
                   "inspector_name,inspection_start_date,inspection_end_date,overall_effectiveness_grade,"
                   "impact_of_leaders_grade,help_and_protection_grade,in_care_grade,care_leavers_grade,parser_version")


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """data/articles built once for this module."""
    target = tmp_path_factory.mktemp("analysis") / "out"
    assert cli.main(["build", "--articles", str(config.DATA / "articles"), "--out", str(target)]) == 0
    return target


@pytest.fixture(scope="module")
def graph(out: Path) -> Graph:
    return load_graph(out)


def test_doctests():
    from kg.analysis import networks

    result = doctest.testmod(networks, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 3 and result.failed == 0


# --------------------------------------------------------------------------- frame


def test_frame_types_the_columns_of_a_canned_query(out: Path):
    df = frame(out, "ratings-by-council-and-year")
    assert str(df["year"].dtype) == "Int64" and str(df["articles"].dtype) == "Int64"
    assert str(df["council"].dtype) == "string"
    assert pd.api.types.is_datetime64_any_dtype(df["date"])
    rows = {(r.council, r.year, r.rating) for r in df.itertuples()}
    assert ("Bradford", 2018, "inadequate") in rows
    assert ("Wakefield", 2016, "requires improvement") in rows
    bradford = df[(df["council"] == "Bradford") & (df["year"] == 2018)]
    assert int(bradford["articles"].iloc[0]) == 2  # two files tell the same story


def test_frame_amounts_are_floats_and_unbound_values_are_missing(out: Path):
    df = frame(out, "responses-and-funding")
    assert df["amountGBP"].dtype == "float64"
    wakefield = df[(df["council"] == "Wakefield") & (df["response"] == "funding")].iloc[0]
    assert wakefield["amountGBP"] == pytest.approx(4_500_000.0)  # £1m + £3.5m
    assert df[df["council"] == "Bradford"]["amountGBP"].isna().all()
    people = frame(out, "people-roles-quotes")
    assert str(people["isCouncil"].dtype) == "boolean"
    assert set(people[people["isCouncil"]]["organisation"]) == COUNCILS


def test_frame_binds_parameters_and_takes_sparql_text(out: Path, graph: Graph):
    bradford = frame(out, "failings-by-council", council="bradford")
    assert set(bradford["council"]) == {"Bradford"} and len(bradford) >= 5
    text = ("PREFIX ckg: <https://w3id.org/councilkg/def#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
            "SELECT ?council ?year WHERE { ?c a ckg:Council ; rdfs:label ?council . BIND(\"2018\" AS ?year) }")
    councils = frame(out, text)
    assert set(councils["council"]) == COUNCILS and str(councils["year"].dtype) == "Int64"
    # an rdflib graph in memory gives the same table as the output folder's store
    pd.testing.assert_frame_equal(frame(graph, "failings-by-council"), frame(out, "failings-by-council"))


def test_frame_rejects_unknown_queries_and_parameters(out: Path):
    with pytest.raises(ValueError, match="no query named"):
        frame(out, "no-such-question")
    with pytest.raises(ValueError, match="unknown parameter"):
        frame(out, "failings-by-council", region="Yorkshire")


# --------------------------------------------------------------------------- councils and failings


def test_council_failing_graph_is_bipartite_and_weighted_by_findings(out: Path):
    g = council_failing_graph(out)
    councils = {n for n, d in g.nodes(data=True) if d["bipartite"] == 0}
    failings = {n for n, d in g.nodes(data=True) if d["bipartite"] == 1}
    assert councils == COUNCILS and SECTOR_WIDE not in g
    assert nxb.is_bipartite_node_set(g, councils)
    assert "agency staff reliance" in g["Bradford"] and "agency staff reliance" in g["Wakefield"]
    # the same numbers as the SPARQL route: one finding, one unit of weight
    table = frame(out, "failings-by-council")
    table = table[table["council"] != SECTOR_WIDE]
    expected = {(r.council, r.failing): int(r.findings) for r in table.itertuples()}
    got = {(c, f) if c in councils else (f, c): w for c, f, w in g.edges(data="weight")}
    assert got == expected
    assert all(g.edges[e]["evidence"] for e in g.edges)
    # failings are the taxonomy's top concepts
    top = frame(out, "PREFIX ckg: <https://w3id.org/councilkg/def#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>"
                     " SELECT ?l WHERE { ?c skos:topConceptOf ckg:FailingScheme ; skos:prefLabel ?l }")
    assert failings <= set(top["l"])


def test_narrower_failings_fold_into_their_top_concept():
    g = council_failing_graph(build_sample_dataset())  # "drift in child protection plans" is narrower
    assert "drift in child protection plans" not in g
    assert g.has_edge("Bradford", "drift in plans")
    assert g.nodes["drift in plans"]["iri"].endswith("#failing-drift-in-plans")


def test_council_similarity_is_jaccard_of_failing_sets(out: Path):
    sim = council_similarity(out)
    sets = failing_sets(out)
    assert set(sim) == COUNCILS
    for a, b, d in sim.edges(data=True):
        assert 0.0 <= d["weight"] <= 1.0
        assert d["weight"] == pytest.approx(len(sets[a] & sets[b]) / len(sets[a] | sets[b]))
        assert d["shared"] == sorted(sets[a] & sets[b])
    assert "agency staff reliance" in sim["Bradford"]["Wakefield"]["shared"]
    strongest = max(sim.edges(data="weight"), key=lambda e: e[2])
    assert council_similarity(council_failing_graph(out), min_similarity=strongest[2]).number_of_edges() == 0
    assert jaccard(set(), set()) == 0.0


def test_clusters_cover_every_council_once_and_are_deterministic(out: Path):
    sim = council_similarity(out)
    groups = clusters(sim)
    assert sorted(itertools.chain.from_iterable(groups)) == sorted(COUNCILS)
    assert sum(len(g) for g in groups) == len(COUNCILS)
    assert groups == clusters(council_similarity(out))


def test_clusters_find_separate_groups_and_keep_loners():
    two = nx.Graph()
    for a, b in itertools.combinations("ABC", 2):
        two.add_edge(a, b, weight=0.9)
    for a, b in itertools.combinations("XYZ", 2):
        two.add_edge(a, b, weight=0.8)
    two.add_edge("C", "X", weight=0.05)
    two.add_node("Q")
    assert clusters(two) == [{"A", "B", "C"}, {"X", "Y", "Z"}, {"Q"}]
    lonely = nx.Graph()
    lonely.add_nodes_from(["b", "a"])
    assert clusters(lonely) == [{"a"}, {"b"}]
    assert clusters(nx.Graph()) == []


def test_failing_cooccurrence_counts_councils(out: Path):
    co = failing_cooccurrence(out)
    assert list(co.index) == list(co.columns)
    assert (co.values == co.values.T).all()
    sets = failing_sets(out)
    for a, b in itertools.product(co.index, repeat=2):
        assert co.loc[a, b] == sum(1 for s in sets.values() if a in s and b in s)
    assert co.loc["agency staff reliance", "recruitment and retention"] == 3
    shared = frame(out, "shared-failings")
    for row in shared.itertuples():
        assert co.loc[row.failing, row.failing] == row.councilCount
    diagonal = [co.loc[f, f] for f in co.index]
    assert diagonal == sorted(diagonal, reverse=True)


# --------------------------------------------------------------------------- people


def test_people_council_graph(out: Path):
    g = people_council_graph(out)
    assert g.nodes["Mark Douglas"]["kind"] == "person" and g.nodes["Bradford"]["kind"] == "council"
    assert g["Mark Douglas"]["Bradford"]["roles"] == ["strategic director of children's services"]
    assert g.nodes["Ofsted"]["kind"] == "organisation" and g.has_edge("Michael Wilshaw", "Ofsted")
    assert any("Ofsted" in q for q in g.nodes["Mark Douglas"]["quotes"])
    table = frame(out, "people-roles-quotes")
    assert {(r.person, r.organisation) for r in table.itertuples()} == {
        (p, o) if g.nodes[p]["kind"] == "person" else (o, p) for p, o in g.edges}
    councils_only = people_council_graph(out, councils_only=True)
    assert "Ofsted" not in councils_only and "Michael Wilshaw" not in councils_only
    assert {n for n, k in councils_only.nodes(data="kind") if k != "person"} == COUNCILS


# --------------------------------------------------------------------------- ratings over time


def test_ratings_timeline(out: Path):
    tl = ratings_timeline(out)
    wakefield = tl[tl["council"] == "Wakefield"]
    assert list(zip(wakefield["year"], wakefield["rating"], wakefield["rank"])) == [
        (2016, "requires improvement", 2), (2018, "inadequate", 1)]
    assert str(tl["year"].dtype) == "Int64" and set(tl["council"]) == COUNCILS
    assert list(ratings_timeline(out, council="bradford")["council"]) == ["Bradford"]


# --------------------------------------------------------------------------- responses and failings


def test_the_mapping_speaks_the_taxonomies(out: Path):
    mapping = load_response_addresses()
    labels = frame(out, "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> SELECT ?scheme ?label WHERE "
                        "{ ?c skos:topConceptOf ?scheme ; skos:prefLabel ?label }")
    responses = set(labels[labels["scheme"].str.endswith("#ResponseScheme")]["label"])
    failings = set(labels[labels["scheme"].str.endswith("#FailingScheme")]["label"])
    assert set(mapping) == responses
    assert set().union(*mapping.values()) <= failings
    assert {"recruitment and retention", "high caseloads", "agency staff reliance"} <= mapping["recruitment"]


def test_bad_mapping_file_is_refused(tmp_path: Path):
    bad = tmp_path / "m.json"
    bad.write_text(json.dumps({"addresses": {"funding": "high caseloads"}}), encoding="utf-8")
    with pytest.raises(ValueError, match="m.json"):
        load_response_addresses(bad)


def test_responses_after_failings(out: Path):
    df = responses_after_failings(out)
    row = df[(df["council"] == "Wakefield") & (df["response"] == "recruitment")].iloc[0]
    assert row["follows_failing"]
    assert {"recruitment and retention", "high caseloads"} <= set(row["failings_addressed"])
    assert set(row["failings_addressed"]) <= set(row["addresses"])
    funding = df[(df["council"] == "Wakefield") & (df["response"] == "funding")].iloc[0]
    assert funding["amount_gbp"] == pytest.approx(4_500_000.0)
    # with a mapping under which training addresses nothing found anywhere, it follows nothing
    custom = responses_after_failings(out, {"training": ["leadership"], "recruitment": ["recruitment and retention"]})
    training = custom[custom["response"] == "training"]
    assert not training.empty and not training["follows_failing"].any()
    assert custom[custom["response"] == "funding"]["addresses"].map(len).eq(0).all()


def test_failing_coverage(out: Path):
    cov = failing_coverage(out)
    table = frame(out, "failings-by-council")
    assert len(cov) == (table["council"] != SECTOR_WIDE).sum()
    row = cov[(cov["council"] == "Wakefield") & (cov["failing"] == "recruitment and retention")].iloc[0]
    assert "recruitment" in row["addressed_by"] and row["addressed"]
    assert (cov["addressed"] == cov["addressed_by"].map(bool)).all()
    made = frame(out, "responses-and-funding")
    for r in cov.itertuples():
        assert set(r.addressed_by) <= set(made[made["council"] == r.council]["response"])


# --------------------------------------------------------------------------- the official record


def _csv(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "official.csv"
    path.write_text("\n".join((OFFICIAL_HEADER, *rows)) + "\n", encoding="utf-8")
    return path


def test_compare_with_official_outcomes_on_a_small_record(tmp_path: Path, graph: Graph):
    official = _csv(
        tmp_path,
        "1,bradford,https://x/1,a.pdf,29/10/18,standard,A,17/09/2018,28/09/2018,good,good,good,good,good,1",
        "2,cambridgeshire,https://x/2,b.pdf,08/08/14,,,,,,data_unreadable,data_unreadable,data_unreadable,x,1",
    )
    # drop the year of Wakefield's 2016 rating: a claim with no year
    copy = Graph()
    for triple in graph:
        copy.add(triple)
    for inspection in list(copy.subjects(RDF.type, CKG.Inspection)):
        if any(str(y) == "2016" for y in copy.objects(inspection, CKG.year)):
            copy.remove((inspection, CKG.year, None))
    df = compare_with_official(copy, official)
    outcome = {(r.council, None if pd.isna(r.year) else int(r.year)): r.outcome for r in df.itertuples()}
    assert outcome[("Bradford", 2018)] == DISAGREE
    assert outcome[("Wakefield", None)] == NO_YEAR
    assert outcome[("Wakefield", 2018)] == NOT_IN_RECORD
    assert outcome[("Cambridgeshire", 2019)] == NOT_IN_RECORD
    bradford = df[df["council"] == "Bradford"].iloc[0]
    assert bradford["official_rating"] == "good" and bradford["official_end"] == pd.Timestamp("2018-09-28")
    notes = dict(zip(df["council"] + df["year"].astype("string").fillna(""), df["note"]))
    assert "no report of this council" in notes["Wakefield2018"]
    assert "no report of this council in 2019" in notes["Cambridgeshire2019"]


@needs_reference
def test_compare_with_official_on_the_real_record(out: Path):
    df = compare_with_official(out, OFFICIAL)
    bradford = df[(df["council"] == "Bradford") & (df["year"] == 2018)].iloc[0]
    assert bradford["outcome"] == AGREE and bradford["official_rating"] == "inadequate"
    assert bradford["official_end"].year == 2018 and bradford["gss_code"] == "E08000032"
    wakefield = df[df["council"] == "Wakefield"].set_index("year")
    assert wakefield.loc[2018, "outcome"] == AGREE
    assert wakefield.loc[2016, "outcome"] == NOT_IN_RECORD  # the 2016 report's grade is unreadable
    assert "no readable grade" in wakefield.loc[2016, "note"]
    assert set(df["outcome"]) <= {AGREE, DISAGREE, NOT_IN_RECORD, NO_YEAR}


@needs_reference
def test_official_ratings_resolve_councils():
    record = official_ratings(OFFICIAL)
    assert record["gss_code"].notna().mean() > 0.95
    bradford = record[(record["gss_code"] == "E08000032") & (record["year"] == 2018)]
    assert list(bradford["rating"]) == ["inadequate"]
    bcp = record[record["local_authority"] == "bournemouth, christchurch & poole"]
    assert not bcp.empty and bcp["council"].notna().all()
    assert set(record["rating"].dropna()) <= set(analysis.RATINGS)
