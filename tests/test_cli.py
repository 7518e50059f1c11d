"""The command line as users type it: query (every canned question on the real sample build), view."""
from __future__ import annotations

import json

import pytest

from kg.cli import main
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


def test_a_canned_query_is_found_by_its_name_from_any_folder(out, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["query", "inadequate-councils", "--out", str(out), "--format", "csv"]) == 0
    by_name = capsys.readouterr().out
    assert main(["query", str(config.QUERIES / "inadequate-councils.rq"), "--out", str(out), "--format", "csv"]) == 0
    assert by_name == capsys.readouterr().out and "Bradford" in by_name
    assert main(["query", "no-such-question", "--out", str(out)]) == 1


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


def _serve(out, port, *, seconds=60.0):
    """`build.py serve` as a user runs it, stopped once it says where it listens (or exits)."""
    import signal
    import subprocess
    import sys
    import time

    proc = subprocess.Popen([sys.executable, str(config.ROOT / "build.py"), "serve", "--out", str(out), "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=str(config.ROOT))
    lines = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        if "SPARQL endpoint at" in line:
            proc.send_signal(signal.SIGINT)
    proc.wait(30)
    return proc.returncode, "".join(lines) + proc.stdout.read()


def test_serve_prints_one_address_its_own(out):
    from kg.store.endpoint import free_port

    port = free_port()
    code, output = _serve(out, port)
    assert f"http://127.0.0.1:{port}/query" in output
    assert "Listening for requests" not in output and output.count("http://") == 1


def test_serve_on_a_port_in_use_is_one_line(out):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        code, output = _serve(out, taken.getsockname()[1])
    assert code == 1
    assert "choose another with --port" in output and "Traceback" not in output


def test_serve_before_any_build_is_one_line(tmp_path):
    code, output = _serve(tmp_path / "nothing", 1)
    assert code == 1 and "build it first" in output and "Traceback" not in output


def test_evaluate_checks_its_gold_before_building(tmp_path, caplog):
    assert main(["evaluate", "--articles", str(config.DATA / "articles"), "--gold", str(tmp_path / "missing")]) == 1
    assert "no gold annotations" in caplog.text and "built" not in caplog.text  # nothing was built
    other = tmp_path / "gold"
    other.mkdir()
    (other / "x.json").write_text(json.dumps({"article": "not-here.txt", "councils": []}), encoding="utf-8")
    assert main(["evaluate", "--articles", str(config.DATA / "articles"), "--gold", str(other)]) == 1
    assert "none of the 1 gold files" in caplog.text


def test_an_unexpected_error_is_one_line_and_debug_shows_the_traceback(monkeypatch, caplog):
    from kg import cli

    def broken(args):
        raise RuntimeError("the disk\nis on fire")

    monkeypatch.setattr(cli, "cmd_query", broken)
    assert main(["query", "--sparql", "ASK {}"]) == 1
    errors = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert errors == ["unexpected error: RuntimeError: the disk is on fire (run again with --debug for the traceback)"]
    with pytest.raises(RuntimeError, match="on fire"):
        main(["--debug", "query", "--sparql", "ASK {}"])
