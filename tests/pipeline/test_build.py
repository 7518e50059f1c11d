"""The main job end to end: the sample corpus in, a valid, stable, provenanced graph out."""
from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from kg.cli import main
from kg import config
from kg.graph.facts import Article
from kg.graph.namespaces import CKG, ORG, PROV, SCHEMA
from kg.graph.ontology import validate

FACT_CLASSES = (CKG.Inspection, CKG.Finding, CKG.Recommendation, CKG.Response, CKG.Statistic,
                ORG.Membership, SCHEMA.Quotation)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    assert main(["build", "--articles", str(config.DATA / "articles"), "--out", str(out)]) == 0
    graph = Graph()
    graph.parse(out / "graph.ttl")
    return out, graph


def test_outputs_exist(built):
    out, _ = built
    for name in ("graph.ttl", "graph.trig", "viewer.html", "report.json"):
        assert (out / name).stat().st_size > 0, name


def test_graph_conforms_to_shapes(built):
    _, graph = built
    result = validate(graph)
    assert result.conforms, result.violations[:5]


def test_every_fact_has_provenance_and_verbatim_evidence(built):
    _, graph = built
    texts = {p.name: " ".join(p.read_text(encoding="utf-8").split()) for p in (config.DATA / "articles").glob("*.txt")}
    facts = {s for cls in FACT_CLASSES for s in graph.subjects(RDF.type, cls)}
    assert len(facts) > 50
    for fact in facts:
        sources = [str(graph.value(a, CKG.sourceFile)) for a in graph.objects(fact, PROV.wasDerivedFrom)]
        evidence = [" ".join(str(e).split()) for e in graph.objects(fact, CKG.evidence)]
        assert sources and evidence, fact
        assert any(ev in texts[src] for ev in evidence for src in sources), (fact, evidence)
        for article in graph.objects(fact, PROV.wasDerivedFrom):
            assert (article, RDF.type, SCHEMA.Comment) not in graph


def test_every_kind_of_fact_is_found(built):
    _, graph = built
    for cls in FACT_CLASSES:
        assert any(True for _ in graph.subjects(RDF.type, cls)), cls


def test_councils_carry_gss_codes(built):
    _, graph = built
    councils = set(graph.subjects(RDF.type, CKG.Council))
    assert {str(graph.value(c, CKG.gssCode)) for c in councils} >= {"E08000032", "E08000036", "E10000003"}


def test_comments_are_in_the_graph_but_yield_no_fact(built):
    _, graph = built
    comments = set(graph.subjects(RDF.type, SCHEMA.Comment))
    assert len(comments) == 11 + 4 + 5  # seeds 000, 002, 003
    authors = {str(graph.value(c, SCHEMA.author)) for c in comments}
    assert {"Opal Lady", "HandsomeSw", "LongtimeSW", "LM"} <= authors
    # "Lincolnshire was deemed good in 2014" is only said in a comment
    lincs = [s for s in graph.subjects(CKG.gssCode, Literal("E10000019"))]
    assert lincs == []


def test_duplicate_story_is_linked_and_not_counted_twice(built):
    out, graph = built
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    files = {f["file"]: f for f in report["files"]}
    assert files["001_129f06aa5f6cc46a.txt"].get("duplicate_of") == "000_b235c312336cbcdc.txt"
    same = list(graph.subject_objects(CKG.sameStoryAs))
    assert same
    # the Bradford 2018 judgement is one node, derived from both copies
    inspections = [i for i in graph.subjects(RDF.type, CKG.Inspection)
                   if str(graph.value(graph.value(i, CKG.council), CKG.gssCode)) == "E08000032"]
    assert len(inspections) == 1
    assert len(set(graph.objects(inspections[0], PROV.wasDerivedFrom))) == 2


def test_report_lists_every_input(built):
    out, _ = built
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["inputs"] == 5
    assert all(f["status"] == "built" for f in report["files"])
    assert report["files"][0]["comments"] == 11


def test_same_input_gives_byte_identical_output(built, tmp_path):
    out, _ = built
    again = tmp_path / "again"
    assert main(["build", "--articles", str(config.DATA / "articles"), "--out", str(again)]) == 0
    for name in ("graph.ttl", "graph.trig", "viewer.html", "report.json"):
        assert (out / name).read_bytes() == (again / name).read_bytes(), name


def test_iris_do_not_depend_on_folder_or_order(built, tmp_path):
    """Copies of the corpus under other file-system order give the same subjects."""
    _, graph = built
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    for path in sorted((config.DATA / "articles").glob("*.txt"), reverse=True):
        shutil.copy(path, folder / path.name)
    out = tmp_path / "o"
    assert main(["build", "--articles", str(folder), "--out", str(out)]) == 0
    other = Graph()
    other.parse(out / "graph.ttl")
    iris = lambda g: {s for s in g.subjects() if isinstance(s, URIRef)}  # noqa: E731
    assert iris(graph) == iris(other)


def test_cli_default_command_and_exit_codes(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    proc = subprocess.run([sys.executable, str(config.ROOT / "build.py"), "build", "--articles", str(empty),
                           "--out", str(tmp_path / "o")], capture_output=True, text=True)
    assert proc.returncode == 1 and "no input files" in proc.stderr
    proc = subprocess.run([sys.executable, str(config.ROOT / "build.py"), "build", "--articles",
                           str(tmp_path / "missing"), "--out", str(tmp_path / "o")], capture_output=True, text=True)
    assert proc.returncode == 1 and "not found" in proc.stderr


def test_bad_file_is_rejected_and_the_rest_builds(tmp_path):
    folder = tmp_path / "mixed"
    folder.mkdir()
    shutil.copy(config.DATA / "articles" / "003_9133ede774c676cf.txt", folder)
    (folder / "empty.txt").write_bytes(b"   \n")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 8)
    out = tmp_path / "o"
    proc = subprocess.run([sys.executable, str(config.ROOT / "build.py"), "build", "--articles", str(folder),
                           "--out", str(out)], capture_output=True, text=True)
    assert proc.returncode == 3, proc.stderr
    assert "empty.txt" in proc.stderr and "binary.txt" in proc.stderr
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    status = {f["file"]: f["status"] for f in report["files"]}
    assert status == {"003_9133ede774c676cf.txt": "built", "empty.txt": "rejected", "binary.txt": "rejected"}
    assert all(f.get("reason") for f in report["files"] if f["status"] == "rejected")


def test_identical_files_keep_both_sources(tmp_path):
    folder = tmp_path / "twins"
    folder.mkdir()
    src = config.DATA / "articles" / "003_9133ede774c676cf.txt"
    shutil.copy(src, folder / "a.txt")
    shutil.copy(src, folder / "b.txt")
    out = tmp_path / "o"
    assert main(["build", "--articles", str(folder), "--out", str(out)]) == 0
    graph = Graph()
    graph.parse(out / "graph.ttl")
    files = {str(o) for o in graph.objects(None, CKG.sourceFile)}
    assert files == {"a.txt", "b.txt"}


def test_unchanged_corpus_is_not_rebuilt_and_one_change_costs_one_article(tmp_path, caplog):
    folder = tmp_path / "corpus"
    shutil.copytree(config.DATA / "articles", folder)
    out = tmp_path / "o"
    assert main(["build", "--articles", str(folder), "--out", str(out)]) == 0
    before = {name: (out / name).read_bytes() for name in ("graph.ttl", "graph.trig", "report.json")}
    mtime = (out / "graph.ttl").stat().st_mtime_ns

    caplog.clear()
    with caplog.at_level("INFO"):
        assert main(["build", "--articles", str(folder), "--out", str(out)]) == 0
    assert "nothing changed" in caplog.text
    assert (out / "graph.ttl").stat().st_mtime_ns == mtime

    path = folder / "003_9133ede774c676cf.txt"
    path.write_text(path.read_text(encoding="utf-8").replace("Peter Box", "Peter Bux"), encoding="utf-8")
    caplog.clear()
    with caplog.at_level("INFO"):
        assert main(["build", "--articles", str(folder), "--out", str(out)]) == 0
    assert "extracting 1 of 5 articles (4 from the cache)" in caplog.text
    assert "read 1 of 5 files again (4 unchanged since the last build)" in caplog.text  # parsed: one
    assert "projection store: 5 of 6 fragments kept, 1 taken out" in caplog.text  # 5 = 4 articles + ontology
    graph = Graph()
    graph.parse(out / "graph.ttl")
    names = {str(o) for o in graph.objects(None, CKG.evidence)}
    assert any("Peter Bux" in n for n in names) and not any("Peter Box" in n for n in names)
    # a build without the cache gives the same bytes as the cached one
    fresh = tmp_path / "fresh"
    assert main(["build", "--articles", str(folder), "--out", str(fresh), "--no-cache"]) == 0
    for name in (*before, "graph.graphml", "viewer.html"):
        assert (out / name).read_bytes() == (fresh / name).read_bytes(), name

    # an article leaves the corpus, another arrives: their fragments leave and arrive with them
    (folder / "003_9133ede774c676cf.txt").rename(folder / "zz_renamed.txt")
    caplog.clear()
    with caplog.at_level("INFO"):
        assert main(["build", "--articles", str(folder), "--out", str(out)]) == 0
    assert "projection store: 5 of 6 fragments kept, 1 taken out" in caplog.text
    assert main(["build", "--articles", str(folder), "--out", str(fresh), "--no-cache"]) == 0
    for name in (*before, "graph.graphml", "viewer.html"):
        assert (out / name).read_bytes() == (fresh / name).read_bytes(), name


REPORTS = config.SHARED / "reference" / "ofsted-reports"


@pytest.mark.skipif(not REPORTS.is_dir(), reason="needs ../shared/reference/ofsted-reports (the team's reference PDFs)")
def test_reports_beside_articles_build_into_one_valid_graph(tmp_path):
    folder = tmp_path / "mixed"
    folder.mkdir()
    shutil.copy(config.DATA / "articles" / "003_9133ede774c676cf.txt", folder)
    shutil.copy(REPORTS / "wakefield_17-july-2018.pdf", folder)
    (folder / "broken.pdf").write_bytes(b"%PDF-1.7\n1 0 obj <<")
    out = tmp_path / "o"
    assert main(["build", "--articles", str(folder), "--out", str(out)]) == 3  # broken.pdf rejected
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    status = {f["file"]: f["status"] for f in report["files"]}
    assert status["broken.pdf"] == "rejected"
    assert status["wakefield_17-july-2018.pdf"].startswith("built")
    graph = Graph()
    graph.parse(out / "graph.ttl")
    assert validate(graph).conforms
    reports = list(graph.subjects(RDF.type, CKG.InspectionReport))
    assert len(reports) == 1
    inspections = [i for i in graph.subjects(PROV.wasDerivedFrom, reports[0]) if (i, RDF.type, CKG.Inspection) in graph]
    assert len(inspections) == 1
    assert str(graph.value(inspections[0], CKG.endDate)) == "2018-06-15"
    assert len(list(graph.objects(inspections[0], CKG.subJudgement))) == 3

    # rebuilt from the reading cache, with and without the extraction cache: the report is
    # parsed again only when its facts are not cached, and the outputs are the same bytes
    before = {n: (out / n).read_bytes() for n in ("graph.ttl", "graph.trig", "graph.graphml", "report.json")}
    shutil.rmtree(out / ".cache" / "articles")
    (out / ".cache" / "corpus.json").unlink()
    assert main(["build", "--articles", str(folder), "--out", str(out)]) == 3
    assert {n: (out / n).read_bytes() for n in before} == before
    news = folder / "003_9133ede774c676cf.txt"
    news.write_text(news.read_text(encoding="utf-8") + "\nA sentence added.\n", encoding="utf-8")
    assert main(["build", "--articles", str(folder), "--out", str(out)]) == 3
    fresh = tmp_path / "fresh"
    assert main(["build", "--articles", str(folder), "--out", str(fresh), "--no-cache"]) == 3
    assert {n: (out / n).read_bytes() for n in before} == {n: (fresh / n).read_bytes() for n in before}


def test_output_folder_that_is_a_file_is_a_clear_error(tmp_path):
    target = tmp_path / "out"
    target.write_text("not a folder", encoding="utf-8")
    proc = subprocess.run([sys.executable, str(config.ROOT / "build.py"), "build", "--articles",
                           str(config.DATA / "articles"), "--out", str(target)], capture_output=True, text=True)
    assert proc.returncode == 1 and "is a file" in proc.stderr
    assert target.read_text(encoding="utf-8") == "not a folder"


def test_released_articles_read_their_content_again_unchanged(tmp_path):
    """Articles drop their text once near-duplicates are known and read it again when they are
    extracted: the content read again is what was read first, identity and dates untouched."""
    from kg.pipeline import inputs

    folder = tmp_path / "in"
    shutil.copytree(config.DATA / "articles", folder)
    (folder / "page.html").write_text("<html><head><title>Ofsted rates Bradford inadequate</title></head><body>"
                                      "<article><h1>Ofsted rates Bradford inadequate</h1><p>Bradford's children's "
                                      "services were rated inadequate by Ofsted in 2018.</p></article></body></html>",
                                      encoding="utf-8")
    items = [item for _, item in inputs._inputs(folder)]
    assert len(items) == 6
    for item in items:
        record = inputs._release(item)
        assert isinstance(record, inputs.Released) and inputs._release(record) is record
        assert not any(hasattr(record, name) for name in inputs._CONTENT)  # the text is not kept
        # what the build may change after release is carried into the article read again
        record.sha1, record.reference_date, record.duplicate_of = "f" * 40, dt.date(2019, 7, 15), "other.txt"
        record.warnings += ("the file name is not valid UTF-8",)
        again = inputs._restore(record)
        assert again is not item and isinstance(again, Article)
        item.sha1, item.reference_date, item.duplicate_of = "f" * 40, dt.date(2019, 7, 15), "other.txt"
        item.warnings.append("the file name is not valid UTF-8")
        assert again == item  # every field, the content included
        assert inputs._restore(again) is again  # an article that was not released is itself


def test_validation_batches_shrink_for_the_last_articles():
    """The side process validates 25 new graphs at a time, then 5 at a time for the last
    ones, so that the build waits little for the last batch; in-process, 200 at a time."""
    from kg.pipeline import build

    assert build._batch_size(True, 1000) == build.SIDE_BATCH == 25
    assert build._batch_size(True, build.SIDE_BATCH) == 25
    assert build._batch_size(True, build.SIDE_BATCH - 1) == build.TAIL_BATCH == 5
    assert build._batch_size(True, 0) == 5
    assert build._batch_size(False, 3) == build.VALIDATION_BATCH == 200


def test_spacy_in_a_side_process_or_in_process_gives_identical_outputs(built, tmp_path, monkeypatch):
    """By default spaCy parses in a side process while the build applies the rules (from
    SIDE_PARSER_MIN bytes of new input: here from one); ``--parse-in-process`` keeps it in the
    build's process: the outputs are byte-identical."""
    from kg.pipeline import build

    monkeypatch.setattr(build, "SIDE_PARSER_MIN", 1)
    out = tmp_path / "side"
    assert main(["build", "--articles", str(config.DATA / "articles"), "--out", str(out)]) == 0
    for name in ("graph.ttl", "graph.trig", "graph.graphml", "viewer.html", "report.json"):
        assert (out / name).read_bytes() == (built[0] / name).read_bytes(), name
    here = tmp_path / "here"
    assert main(["build", "--articles", str(config.DATA / "articles"), "--out", str(here), "--parse-in-process"]) == 0
    for name in ("graph.ttl", "graph.trig", "graph.graphml", "viewer.html", "report.json"):
        assert (here / name).read_bytes() == (out / name).read_bytes(), name


@pytest.mark.parametrize("side_from", [1, 10**9], ids=["side-process", "in-process"])
def test_a_spacy_pipeline_that_cannot_load_fails_the_build_cleanly(tmp_path, monkeypatch, caplog, side_from):
    """spaCy cannot load the model, in the side process or in the build's: one clear error,
    exit 1, previous outputs kept."""
    from kg.pipeline import build
    import kg.extract.nlp

    monkeypatch.setattr(build, "SIDE_PARSER_MIN", side_from)
    out = tmp_path / "out"
    out.mkdir()
    (out / "graph.ttl").write_text("previous\n", encoding="utf-8")
    monkeypatch.setattr(kg.extract.nlp, "model_name", lambda: "no_such_spacy_model")
    assert main(["build", "--articles", str(config.DATA / "articles"), "--out", str(out), "--no-cache"]) == 1
    assert "spaCy failed: could not load the spaCy pipeline (OSError" in caplog.text
    assert "no_such_spacy_model" in caplog.text
    assert (out / "graph.ttl").read_text(encoding="utf-8") == "previous\n"


def test_a_damaged_cache_entry_is_extracted_again_with_the_same_result(built, tmp_path, caplog):
    """Each cache entry is read once, while the outputs are written: one found damaged then
    (truncated JSON, here) is extracted again in the build's process, with a warning naming the
    article, and the outputs are those of a clean build."""
    out, _ = built
    copy = tmp_path / "o"
    shutil.copytree(out, copy)
    (copy / ".cache" / "corpus.json").unlink()  # as if the corpus had changed
    entries = sorted((copy / ".cache" / "articles").glob("*/*.json"))
    assert len(entries) == 5
    entries[2].write_text(entries[2].read_text(encoding="utf-8")[:100], encoding="utf-8")
    caplog.clear()
    with caplog.at_level("INFO"):
        assert main(["build", "--articles", str(config.DATA / "articles"), "--out", str(copy)]) == 0
    assert "from the cache)" not in caplog.text  # every entry looked usable up front
    assert "is unusable: extracting it again" in caplog.text
    for name in ("graph.ttl", "graph.trig", "graph.graphml", "viewer.html", "report.json"):
        assert (copy / name).read_bytes() == (out / name).read_bytes(), name
    assert entries[2].read_text(encoding="utf-8") != "" and len(entries[2].read_bytes()) > 100  # cached again


def test_the_side_parser_starts_from_enough_new_text(tmp_path):
    """A handful of short articles is parsed in-process; a corpus or a long report beside."""
    from kg.pipeline import build
    from kg.pipeline import inputs
    from kg.sources.articles import read_article

    articles = []
    for path in sorted((config.DATA / "articles").glob("*.txt")):
        article = read_article(path)
        article._read_again = (read_article, path)
        articles.append(inputs._release(article))
    size = sum(p.stat().st_size for p in (config.DATA / "articles").glob("*.txt"))
    assert inputs._input_bytes(articles) == size < build.SIDE_PARSER_MIN
    assert inputs._input_bytes(articles * 40) >= build.SIDE_PARSER_MIN


def test_report_json_is_written_as_a_stream_with_the_bytes_of_one_dump(tmp_path):
    """report.json's entries wait in a temporary file, not in memory; the file is the same
    bytes as one ``json.dumps`` of the whole report, rejected inputs merged in name order."""
    from kg.pipeline import summary

    folder = tmp_path / "corpus"
    shutil.copytree(config.DATA / "articles", folder)
    (folder / "002a_empty.txt").write_text("   \n", encoding="utf-8")
    (folder / "zz_binary.txt").write_bytes(b"\x00\x01\x02" * 400)
    out = tmp_path / "o"
    assert main(["build", "--articles", str(folder), "--out", str(out)]) == 3
    data = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert [f["file"] for f in data["files"]] == sorted(f["file"] for f in data["files"])
    assert data["status"]["rejected"] == 2 and data["inputs"] == 7
    again = json.dumps(summary.build_report([f for f in data["files"] if f["status"] != "rejected"],
                                           [type("E", (), {"path": Path(f["file"]), "reason": f["reason"]})
                                            for f in data["files"] if f["status"] == "rejected"],
                                           data["triples"]), indent=2, ensure_ascii=False) + "\n"
    assert (out / "report.json").read_text(encoding="utf-8") == again


def test_a_build_from_the_caches_does_not_import_spacy(tmp_path):
    """Every article read and extracted before: the build neither parses a file nor imports
    spaCy (its import alone costs most of a cached rebuild)."""
    out = tmp_path / "o"
    assert main(["build", "--articles", str(config.DATA / "articles"), "--out", str(out)]) == 0
    (out / ".cache" / "corpus.json").unlink()  # not "nothing changed": every output is written again
    code = ("import sys, build\n"
            f"code = build.main(['build', '--articles', {str(config.DATA / 'articles')!r}, '--out', {str(out)!r}])\n"
            "print(code, sorted(m for m in sys.modules if m.split('.')[0] in ('spacy', 'thinc')))\n")
    proc = subprocess.run([sys.executable, "-c", code], cwd=config.ROOT, capture_output=True, text=True)
    assert proc.stdout.split("\n")[0] == "0 []", proc.stdout + proc.stderr[-2000:]
    assert "read 0 of 5 files again" in proc.stderr and "extracting" not in proc.stderr
