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
