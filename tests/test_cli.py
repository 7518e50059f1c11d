"""The command line as users type it: query (every canned question on the real sample build), view."""
from __future__ import annotations

import json

import pytest

from build import main
from kg import config

QUERIES = sorted(config.QUERIES.glob("*.rq"))


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli")
    assert main(["build", "--articles", str(config.DATA / "articles"), "--out", str(out)]) == 0
    return out


def test_there_are_at_least_eight_canned_questions():
    assert len(QUERIES) >= 8


@pytest.mark.parametrize("path", QUERIES, ids=lambda p: p.stem)
def test_each_canned_query_returns_rows_on_the_sample_corpus(out, path, capsys):
    assert main(["query", str(path), "--out", str(out), "--format", "json"]) == 0
    result = json.loads(capsys.readouterr().out)
    rows = result["results"]["bindings"] if isinstance(result, dict) and "results" in result else result
    assert len(rows) > 0, path.name


def test_parameter_is_bound_not_pasted(out, capsys):
    path = config.QUERIES / "council-timeline.rq"
    assert main(["query", str(path), "--out", str(out), "--param", "council=Wakefield", "--format", "csv"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) > 1 and all(line.startswith("Wakefield") for line in lines[1:])
    assert main(["query", str(path), "--out", str(out), "--param", 'council=Wakefield" } ; DROP ALL ; #',
                 "--format", "csv"]) == 0
    assert capsys.readouterr().out.strip().splitlines()[1:] == []


def test_unknown_parameter_and_bad_sparql_fail_cleanly(out, capsys):
    path = config.QUERIES / "council-timeline.rq"
    assert main(["query", str(path), "--out", str(out), "--param", "nope=1"]) == 1
    assert main(["query", "--sparql", "SELECT WHERE {", "--out", str(out)]) == 1


def test_view_writes_a_council_page(out):
    assert main(["view", "--council", "Bradford council", "--out", str(out)]) == 0
    page = (out / "viewer-bradford-council.html").read_text(encoding="utf-8")
    assert "Bradford" in page
    assert main(["view", "--council", "Atlantis", "--out", str(out)]) == 1


def test_the_graph_prefixes_are_known_without_prefix_lines(out, capsys):
    assert main(["query", "--sparql", "SELECT (COUNT(*) AS ?n) WHERE { ?f a ckg:Finding ; ckg:failing/skos:prefLabel ?l }",
                 "--out", str(out), "--format", "csv"]) == 0
    assert int(capsys.readouterr().out.splitlines()[1]) > 0


def test_updates_are_refused_by_name(out, capsys, caplog):
    for update in ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", "PREFIX x: <urn:x#>\nDELETE WHERE { ?s ?p ?o }",
                   "# a comment\nDROP ALL"):
        assert main(["query", "--sparql", update, "--out", str(out)]) == 1
    assert caplog.text.count("updates are not allowed") == 3
    assert "expected CONSTRUCT" not in caplog.text


def test_a_syntax_error_is_one_line(out, caplog):
    assert main(["query", "--sparql", "SELECT ?x WHERE { ?x a nope:Thing }", "--out", str(out)]) == 1
    errors = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert len(errors) == 1 and "\n" not in errors[0] and "unknown prefix" in errors[0]
    assert "\\u{" not in errors[0]


def test_a_users_own_query_file_needs_no_summary(out, tmp_path, capsys):
    mine = tmp_path / "mine.rq"
    mine.write_text("SELECT DISTINCT ?council WHERE { ?c a ckg:Council ; rdfs:label ?council }\n", encoding="utf-8")
    assert main(["query", str(mine), "--out", str(out), "--format", "csv"]) == 0
    assert "Bradford" in capsys.readouterr().out


def test_the_readme_example_runs_and_gives_distinct_rows(out, capsys):
    readme = (config.ROOT / "README.md").read_text(encoding="utf-8")
    example = readme.split("```sparql\n", 1)[1].split("```", 1)[0]
    assert main(["query", "--sparql", example, "--out", str(out), "--format", "csv"]) == 0
    rows = capsys.readouterr().out.strip().splitlines()[1:]
    assert rows and len(rows) == len(set(rows))
    without_prefixes = "\n".join(line for line in example.splitlines() if not line.startswith("PREFIX"))
    assert main(["query", "--sparql", without_prefixes, "--out", str(out), "--format", "csv"]) == 0
    assert capsys.readouterr().out.strip().splitlines()[1:] == rows
