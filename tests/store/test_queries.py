"""kg.store.queries: the real queries/*.rq files on the sample graph, safe parameters, output formats."""
from __future__ import annotations

import csv
import doctest
import io
import json
import re
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

import kg.store.queries
from kg import config
from kg.store.queries import Query, ResultFormat, execute, format_result, load_queries, parse_header, run_query
from kg.store.local import open_store
from tests.fixtures.sample_graph import sample_out  # noqa: F401 - a pytest fixture

QUERY_FILES = sorted(config.QUERIES.glob("*.rq"))
HOSTILE = 'Bradford" } ; DROP ALL ; #'


def by_name() -> dict[str, Query]:
    return {q.name: q for q in load_queries()}


def as_dicts(columns: list[str], rows: list[list[str]]) -> list[dict[str, str]]:
    return [dict(zip(columns, row)) for row in rows]


# --------------------------------------------------------------------------- the real files


def test_the_questions_of_the_issue_are_all_there():
    names = set(by_name())
    assert len(names) >= 9
    for expected in ("ratings-by-council-and-year", "inadequate-councils", "failings-by-council",
                     "shared-failings", "recommendations-by-council", "responses-and-funding",
                     "people-roles-quotes", "evidence-and-source", "council-timeline"):
        assert expected in names


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.stem)
def test_every_query_file_has_a_summary_and_returns_rows(path: Path, sample_out: Path):  # noqa: F811
    query = kg.store.queries.load_query(path)
    assert query.summary and len(query.summary) > 20
    assert query.text.lstrip().startswith("#+ summary:")
    columns, rows = run_query(sample_out, query.text)
    assert rows, f"{path.name} returned no rows on the sample graph"
    assert all(len(row) == len(columns) for row in rows)
    for param in query.params:  # parameter columns are hidden
        assert param.variable not in columns


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.stem)
def test_rdflib_agrees_with_pyoxigraph(path: Path, sample_out: Path):  # noqa: F811
    """The files are standard SPARQL 1.1: rdflib's engine gives the same number of rows."""
    text = path.read_text(encoding="utf-8")
    _, rows = run_query(sample_out, text)
    ds = rdflib.Dataset(default_union=True)
    ds.parse(sample_out / "graph.trig", format="trig")
    assert len(list(ds.query(text))) == len(rows)


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.stem)
def test_parameters_follow_the_substitution_rules(path: Path):
    """A parameter variable must be projected, and never tested with BOUND (see kg.store.queries)."""
    query = kg.store.queries.load_query(path)
    select = re.search(r"\bSELECT\b(.*?)\bWHERE\b", query.text, re.S | re.I)
    for param in query.params:
        assert select and re.search(rf"\?{param.variable}\b", select.group(1)), f"?{param.variable} not projected"
        assert not re.search(rf"BOUND\s*\(\s*\?{param.variable}\b", query.text, re.I)


def test_load_queries_reads_params_of_the_real_files():
    queries = by_name()
    timeline = queries["council-timeline"]
    assert [(p.name, p.variable) for p in timeline.params] == [("council", "councilName")]
    evidence = queries["evidence-and-source"]
    assert {p.name for p in evidence.params} == {"council", "kind"}
    assert all(p.description for q in queries.values() for p in q.params)
    assert timeline.path == config.QUERIES / "council-timeline.rq"


# --------------------------------------------------------------------------- answers


def test_ratings_by_council_and_year(sample_out: Path):  # noqa: F811
    rows = as_dicts(*run_query(sample_out, by_name()["ratings-by-council-and-year"].text))
    got = {(r["council"], r["year"], r["rating"]) for r in rows}
    assert ("Bradford", "2018", "inadequate") in got
    assert ("Birmingham", "2022", "requires improvement") in got
    bradford_2018 = next(r for r in rows if r["council"] == "Bradford" and r["year"] == "2018")
    assert bradford_2018["articles"] == "2"  # one fact, stated by two copies of the story
    assert bradford_2018["date"] == "2018-09-28"


def test_inadequate_councils(sample_out: Path):  # noqa: F811
    rows = as_dicts(*run_query(sample_out, by_name()["inadequate-councils"].text))
    assert {(r["council"], r["year"]) for r in rows} == {
        ("Bradford", "2018"), ("Wakefield", "2018"), ("Birmingham", "2014"), ("Birmingham", "2016")}


def test_failings_fold_narrower_concepts_and_keep_sector_wide(sample_out: Path):  # noqa: F811
    rows = as_dicts(*run_query(sample_out, by_name()["failings-by-council"].text))
    got = {(r["council"], r["failing"]) for r in rows}
    assert ("Bradford", "drift in plans") in got  # stated as "drift in child protection plans"
    assert ("(sector-wide)", "high caseloads") in got
    shared = as_dicts(*run_query(sample_out, by_name()["shared-failings"].text))
    caseloads = next(r for r in shared if r["failing"] == "high caseloads")
    assert caseloads["councilCount"] == "3"
    assert set(caseloads["councils"].split("; ")) == {"Bradford", "Wakefield", "Birmingham"}
    assert all(int(r["councilCount"]) >= 2 for r in shared)


def test_recommendations_responses_and_funding(sample_out: Path):  # noqa: F811
    recs = as_dicts(*run_query(sample_out, by_name()["recommendations-by-council"].text))
    assert ("Wakefield", "supervision") in {(r["council"], r["area"]) for r in recs}
    assert all(r["evidence"] and r["sourceFile"] for r in recs)
    money = as_dicts(*run_query(sample_out, by_name()["responses-and-funding"].text))
    funding = {(r["council"], r["response"]): r for r in money}
    assert float(funding[("Birmingham", "funding")]["amountGBP"]) == 10_000_000
    assert funding[("Wakefield", "recruitment")]["amountGBP"] == ""


def test_people_roles_and_quotations(sample_out: Path):  # noqa: F811
    rows = as_dicts(*run_query(sample_out, by_name()["people-roles-quotes"].text))
    douglas = next(r for r in rows if r["person"] == "Mark Douglas")
    assert douglas["organisation"] == "Bradford" and douglas["isCouncil"] == "true"
    assert douglas["role"] == "strategic director of children’s services"
    assert douglas["quotation"].startswith("We accept the findings")
    assert any(r["organisation"] == "Ofsted" and r["isCouncil"] == "false" for r in rows)


def test_evidence_is_paired_with_the_article_it_was_read_in(sample_out: Path):  # noqa: F811
    text = by_name()["evidence-and-source"].text
    rows = as_dicts(*run_query(sample_out, text, params={"council": "Bradford", "kind": "inspection"}))
    pairs = {(r["sourceFile"], r["evidence"]) for r in rows}
    assert ("001_bradford_inadequate.txt",
            "Ofsted has rated Bradford’s children’s services as inadequate following an inspection in September.") in pairs
    assert ("002_bradford_inadequate_copy.txt",
            "Bradford’s children’s services have been rated inadequate by Ofsted.") in pairs
    # no cross pairing of one article's sentence with the other article
    assert ("002_bradford_inadequate_copy.txt",
            "Ofsted has rated Bradford’s children’s services as inadequate following an inspection in September.") not in pairs
    assert {r["kind"] for r in rows} == {"Inspection"} and {r["council"] for r in rows} == {"Bradford"}
    assert all(r["headline"] and r["published"] for r in rows)


def test_timeline_of_one_council(sample_out: Path):  # noqa: F811
    text = by_name()["council-timeline"].text
    rows = as_dicts(*run_query(sample_out, text, params={"council": "bradford"}))
    assert {r["council"] for r in rows} == {"Bradford"}
    assert {r["event"] for r in rows} == {"inspection", "response", "statistic"}
    assert [r["year"] for r in rows] == sorted(r["year"] for r in rows)
    everyone = as_dicts(*run_query(sample_out, text))
    assert {r["council"] for r in everyone} == {"Bradford", "Wakefield", "Birmingham"}


# --------------------------------------------------------------------------- parameters


@pytest.mark.parametrize("value", ["Bradford", "bradford", "BRADFORD COUNCIL",
                                   "City of Bradford Metropolitan District Council"])
def test_council_parameter_matches_label_or_alias_case_insensitively(value: str, sample_out: Path):  # noqa: F811
    text = by_name()["ratings-by-council-and-year"].text
    columns, rows = run_query(sample_out, text, params={"council": value})
    assert "councilName" not in columns
    assert rows and {r["council"] for r in as_dicts(columns, rows)} == {"Bradford"}


def test_hostile_parameter_is_just_a_string(sample_out: Path):  # noqa: F811
    before = len(open_store(sample_out))
    for query in load_queries():
        if any(p.name == "council" for p in query.params):
            _, rows = run_query(sample_out, query.text, params={"council": HOSTILE})
            assert rows == [], query.name
    assert len(open_store(sample_out)) == before
    _, rows = run_query(sample_out, by_name()["evidence-and-source"].text,
                        params={"kind": 'x") || true || ("'})
    assert rows == []


def test_parameters_are_substituted_not_pasted(sample_out: Path, monkeypatch):  # noqa: F811
    seen: list[tuple[str, dict]] = []
    real_query = ox.Store.query

    class Spy:
        def __init__(self, store):
            self.store = store

        def query(self, text, **kwargs):
            seen.append((text, kwargs))
            return real_query(self.store, text, **kwargs)

    text = by_name()["council-timeline"].text
    execute(Spy(open_store(sample_out)), text, params={"council": HOSTILE})
    sent_text, kwargs = seen[0]
    assert sent_text == text and HOSTILE not in sent_text
    assert kwargs["substitutions"] == {ox.Variable("councilName"): ox.Literal(HOSTILE)}


def test_ad_hoc_query_binds_a_variable_of_the_same_name(sample_out: Path):  # noqa: F811
    text = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
    PREFIX ckg: <https://w3id.org/councilkg/def#>
    SELECT DISTINCT ?c ?label WHERE { ?c a ckg:Council ; rdfs:label ?label }"""
    columns, rows = run_query(sample_out, text, params={"label": "Wakefield"})
    assert columns == ["c"]
    assert rows == [["https://w3id.org/councilkg/id/council/E08000036"]]


def test_unknown_or_misplaced_parameters_are_errors(sample_out: Path):  # noqa: F811
    with pytest.raises(ValueError, match="unknown parameter 'year'"):
        run_query(sample_out, by_name()["council-timeline"].text, params={"year": "2018"})
    with pytest.raises(ValueError, match="cannot run query"):  # not in the SELECT projection
        run_query(sample_out, "SELECT ?s WHERE { ?s ?p ?o FILTER(?o = ?x) }", params={"x": "1"})


def test_ask_and_construct(sample_out: Path):  # noqa: F811
    assert run_query(sample_out, "ASK { ?s a <https://w3id.org/councilkg/def#Council> }") == (["ask"], [["true"]])
    columns, rows = run_query(sample_out, "CONSTRUCT { ?s a ?t } WHERE { ?s a ?t } LIMIT 3")
    assert columns == ["subject", "predicate", "object"] and len(rows) == 3


def test_syntax_error_is_reported(sample_out: Path):  # noqa: F811
    with pytest.raises(SyntaxError):
        run_query(sample_out, "SELEKT * WHERE { ?s ?p ?o }")


# --------------------------------------------------------------------------- headers and formats


def test_parse_header():
    header = parse_header("#+ summary: Ratings.\n# a comment\n#+ param: council ?councilName A council.\n"
                          "SELECT * WHERE { ?s ?p ?o }\n#+ summary: not a header any more\n")
    assert header.summary == "Ratings."
    assert [(p.name, p.variable, p.description) for p in header.params] == [("council", "councilName", "A council.")]
    with pytest.raises(ValueError, match="bad '#\\+ param:'"):
        parse_header("#+ summary: x\n#+ param: council\n")


def test_a_query_file_without_summary_is_refused(tmp_path: Path):
    (tmp_path / "a.rq").write_text("#+ summary: fine\nASK {}\n", encoding="utf-8")
    assert [q.name for q in load_queries(tmp_path)] == ["a"]
    (tmp_path / "b.rq").write_text("# summary: wrong form\nASK {}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="no '#\\+ summary:' header"):
        load_queries(tmp_path)


ROWS = [["Bradford", 'said "no", twice'], ["Wakefield", "line one\nline two"], ["", "x"]]


def test_table_format_aligns_and_keeps_one_line_per_row():
    text = format_result(["council", "quote"], ROWS, "table", max_width=12)
    lines = text.splitlines()
    assert lines[0].split() == ["council", "quote"]
    assert set(lines[1]) == {"-", " "}
    assert lines[2].startswith("Bradford   said \"no\",")  # column width 9 plus two spaces
    assert lines[3] == "Wakefield  line one li…"
    assert lines[-1] == "(3 rows)"
    assert len(lines) == 6


def test_csv_format_is_rfc4180():
    text = format_result(["council", "quote"], ROWS, ResultFormat.CSV)
    assert text.startswith("council,quote\r\n") and text.endswith("\r\n")
    assert '"said ""no"", twice"' in text
    assert list(csv.reader(io.StringIO(text, newline=""))) == [["council", "quote"], *ROWS]


def test_json_format_is_a_list_of_objects():
    data = json.loads(format_result(["council", "quote"], ROWS, "json"))
    assert data == [dict(zip(["council", "quote"], row)) for row in ROWS]
    with pytest.raises(ValueError):
        format_result(["a"], [], "xml")


def test_docstring_examples_run():
    assert doctest.testmod(kg.store.queries).failed == 0
