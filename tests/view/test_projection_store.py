"""kg/view/projection_store.py: per-article fragments merged on disk give the projection of the union graph,
one council's neighbourhood, a bounded overview and streamed GraphML."""
from __future__ import annotations

import json
import os
import re
import shutil

import networkx as nx
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from kg.cli import main
from kg import config
from kg.view import graphml
from kg.view import outputs
from kg.view import project
from kg.graph.namespaces import CKG, SCHEMA, article_iri
from kg.graph.ontology import load_ontology
from kg.view.projection_store import OVERVIEW_KINDS, ProjectionStore, fragment, triple_hashes

DEV = config.ROOT / "data" / "dev"


def _dump(proj: nx.MultiDiGraph) -> tuple[dict, dict]:
    nodes = {n: json.dumps(d) for n, d in proj.nodes(data=True)}  # details in the same order too
    edges = {(u, v, k): json.dumps(d) for u, v, k, d in proj.edges(keys=True, data=True)}
    return nodes, edges


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The sample corpus plus the annotated dev articles (same councils in many articles, a
    same-story pair, people named in several articles)."""
    corpus = tmp_path_factory.mktemp("corpus")
    for path in [*(config.DATA / "articles").iterdir(), *DEV.glob("*.txt")]:
        if path.is_file():
            shutil.copy(path, corpus / path.name)
    out = tmp_path_factory.mktemp("out")
    assert main(["build", "--articles", str(corpus), "--out", str(out)]) == 0
    union = Graph()
    union.parse(out / "graph.ttl")
    return out, union


def test_merged_fragments_equal_the_projection_of_the_union(built):
    out, union = built
    with ProjectionStore(out / ".cache" / "projection.sqlite") as store:
        merged = store.projection()
        assert store.node_count() == merged.number_of_nodes()
    whole = project.project(union)
    assert merged.number_of_nodes() > 300 and merged.number_of_edges() > 800
    assert _dump(merged) == _dump(whole)


def test_triple_count_is_that_of_the_union(built):
    out, union = built
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["triples"] == len(union)


@pytest.mark.parametrize("council", ["Bradford", "wakefield council", "E10000003"])
def test_neighbourhood_read_from_the_store_equals_the_projected_one(built, council):
    out, union = built
    with ProjectionStore(out / ".cache" / "projection.sqlite") as store:
        near = store.neighbourhood(council)
        with pytest.raises(ValueError, match="no council named 'Atlantis'"):
            store.neighbourhood("Atlantis")
    expected = project.project(union, council=council)
    assert near.graph["focus"] == expected.graph["focus"]
    assert _dump(near) == _dump(expected)


def test_overview_is_councils_and_concepts_with_aggregated_facts(built):
    out, union = built
    with ProjectionStore(out / ".cache" / "projection.sqlite") as store:
        whole = store.projection()
        overview = store.overview()
    assert {k for _, k in overview.nodes(data="kind")} <= set(OVERVIEW_KINDS)
    assert {n for n, k in whole.nodes(data="kind") if k in OVERVIEW_KINDS} == set(overview)
    bradford = "https://w3id.org/councilkg/id/council/E08000032"
    # every inspection of Bradford in the whole projection is counted on one "rated" edge per rating
    inspections = [v for v in whole.successors(bradford) if whole.nodes[v]["kind"] == "inspection"]
    rated = [(v, d) for _, v, d in overview.out_edges(bradford, data=True) if d["relation"] == "rating"]
    assert sum(int(d["details"]["inspections"]) for _, d in rated) == len(inspections)
    assert overview.nodes[bradford]["details"]["inspections"] == str(len(inspections))
    findings = {k for _, _, k, d in whole.out_edges(bradford, keys=True, data=True) if d["relation"] == "finding"}
    found = [d for _, _, d in overview.out_edges(bradford, data=True) if d["relation"] == "finding"]
    assert sum(int(d["details"]["findings"]) for d in found) == len(findings) > 0


def test_viewer_switches_to_the_overview_above_the_limit(built, tmp_path, caplog):
    out, _ = built
    with ProjectionStore(out / ".cache" / "projection.sqlite") as store:
        counts = outputs.write_projection_outputs(store, tmp_path, max_nodes=50)
        full = outputs.write_projection_outputs(store, tmp_path / "full", max_nodes=10**6)
    assert counts["nodes"] == full["nodes"] == full["drawn"] > counts["drawn"]
    page = (tmp_path / "viewer.html").read_text(encoding="utf-8")
    assert "Council KG overview" in page and "view --council" in page
    assert "more than the viewer draws" in caplog.text
    blob = json.loads(re.search(r'<script type="application/json" id="kg-data">(.*?)</script>', page, re.S).group(1))
    bradford = next(n for n in blob["nodes"].values() if n["l"] == "Bradford")
    assert bradford["r"] and {"inspections", "findings"} <= {row[0] for row in bradford["d"]}


def test_streamed_graphml_round_trips(built, tmp_path):
    out, _ = built
    read = nx.read_graphml(out / "graph.graphml", force_multigraph=True)
    with ProjectionStore(out / ".cache" / "projection.sqlite") as store:
        proj = store.projection()
    assert set(read) == set(proj)
    assert read.number_of_edges() == proj.number_of_edges()
    bradford = "https://w3id.org/councilkg/id/council/E08000032"
    assert read.nodes[bradford]["facts"] == proj.nodes[bradford]["facts"]
    assert json.loads(read.nodes[bradford]["details"]) == proj.nodes[bradford]["details"]


def test_graphml_drops_characters_xml_forbids(tmp_path):
    nodes = [("a<&>", {"kind": "quotation", "label": "bell\x07 \"q\"", "details": {"evidence": ["x\x0by"]}})]
    edges = [("a<&>", "a<&>", "k", {"relation": "said", "label": "s\x00"})]
    graphml.write_graphml_stream(nodes, edges, tmp_path / "g.graphml")
    read = nx.read_graphml(tmp_path / "g.graphml", force_multigraph=True)
    assert read.nodes["a<&>"]["label"] == 'bell "q"'
    assert read.nodes["a<&>"]["evidence"] == "xy"


def _article(sha: str, headline: str | None, council_fact: bool = True) -> Graph:
    g = Graph()
    art = article_iri(sha)
    g.add((art, RDF.type, SCHEMA.NewsArticle))
    g.add((art, CKG.sourceFile, Literal(f"{sha}.txt")))
    if headline:
        g.add((art, SCHEMA.headline, Literal(headline)))
    council = URIRef("https://w3id.org/councilkg/id/council/E08000032")
    g.add((council, RDF.type, CKG.Council))
    g.add((council, RDFS.label, Literal("Bradford")))
    g.add((art, SCHEMA.mentions, council))
    return g


def test_an_article_named_by_its_twin_is_described_by_its_own_graph(tmp_path):
    reference = load_ontology()
    a, b = _article("a" * 40, "The headline"), _article("b" * 40, None)
    b.add((article_iri("b" * 40), CKG.sameStoryAs, article_iri("a" * 40)))
    b.add((article_iri("a" * 40), RDF.type, SCHEMA.NewsArticle))
    b.add((article_iri("a" * 40), CKG.sourceFile, Literal("a" * 40 + ".txt")))
    path = tmp_path / "p.sqlite"
    with ProjectionStore.create(path) as store:  # the twin's stub comes first
        store.add(0, fragment(b, reference, article_iri("b" * 40)), triple_hashes(b))
        store.add(1, fragment(a, reference, article_iri("a" * 40)), triple_hashes(a))
    with ProjectionStore(path) as store:
        proj = store.projection()
        assert store.triple_count() == len(a + b)
    assert proj.nodes[str(article_iri("a" * 40))]["label"] == "The headline"
    union = a + b
    assert _dump(proj) == _dump(project.project(union))
    assert proj.nodes["https://w3id.org/councilkg/id/council/E08000032"]["facts"] == 2


def test_an_interrupted_store_leaves_the_previous_one(tmp_path):
    path = tmp_path / "p.sqlite"
    frag = {"nodes": [["c", "council", "Bradford", {"iri": "c"}, 0, []]], "edges": []}
    with ProjectionStore.create(path) as store:
        store.add(0, frag)
    with pytest.raises(RuntimeError):
        with ProjectionStore.create(path) as store:
            store.add(0, {"nodes": [], "edges": []})
            raise RuntimeError("killed")
    assert [p.name for p in tmp_path.iterdir()] == ["p.sqlite"]
    with ProjectionStore(path) as store:
        assert [n for n, _ in store.nodes()] == ["c"]


def test_missing_store_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="run `python build.py build` first"):
        ProjectionStore(tmp_path / "none.sqlite")


def test_view_reads_the_store_and_falls_back_to_a_newer_graph(built, tmp_path, monkeypatch):
    out, _ = built
    calls = []
    original = ProjectionStore.neighbourhood
    monkeypatch.setattr(ProjectionStore, "neighbourhood", lambda self, *a, **k: calls.append(a) or original(self, *a, **k))
    assert main(["view", "--council", "Bradford", "--out", str(out), "--output", str(tmp_path / "a.html")]) == 0
    assert calls == [("Bradford",)]
    graph_file = out / "graph.ttl"
    store = out / ".cache" / "projection.sqlite"
    later = store.stat().st_mtime + 10
    os.utime(graph_file, (later, later))  # e.g. rewritten by crosscheck: the store is stale
    try:
        assert main(["view", "--council", "Bradford", "--out", str(out), "--output", str(tmp_path / "b.html")]) == 0
    finally:
        os.utime(graph_file, (store.stat().st_mtime, store.stat().st_mtime))
    assert calls == [("Bradford",)]
    assert (tmp_path / "a.html").read_bytes() == (tmp_path / "b.html").read_bytes()


def test_module_examples_hold():
    import doctest

    from kg import files
    from kg.view import projection_store
    from kg.graph import rdf

    for module in (projection_store, files, rdf):
        result = doctest.testmod(module)
        assert result.attempted > 0 and result.failed == 0, module.__name__


def test_build_option_sets_the_viewer_limit(tmp_path, caplog):
    out = tmp_path / "out"
    assert main(["build", "--articles", str(config.DATA / "articles"), "--out", str(out)]) == 0
    assert "Council KG overview" not in (out / "viewer.html").read_text(encoding="utf-8")
    assert main(["build", "--articles", str(config.DATA / "articles"), "--out", str(out),
                 "--viewer-max-nodes", "10"]) == 0  # same corpus, other limit: the viewer is redrawn
    assert "Council KG overview" in (out / "viewer.html").read_text(encoding="utf-8")


def _frag(council_label: str, pointers: list[str], edge_to: str | None = None) -> dict:
    edges = [["c", edge_to, "k", "finding", "found", {"evidence": [council_label]}]] if edge_to else []
    return {"nodes": [["c", "council", council_label, {"iri": "c", "other names": [council_label]}, 0, pointers]],
            "edges": edges}


def _contents(path):
    with ProjectionStore(path) as store:
        return list(store.nodes()), list(store.edges()), store.triple_count()


def test_an_updated_store_equals_one_built_anew(tmp_path):
    """Replacing one article's fragment in place (its triples counted out, shared ones kept)
    gives what a store built from scratch with the same fragments gives."""
    path, anew = tmp_path / "p.sqlite", tmp_path / "q.sqlite"
    with ProjectionStore.create(path) as store:
        store.add("a.txt", _frag("Bradford", ["f1"], "x"), [1, 2, 3], key="ka")
        store.add("b.txt", _frag("Bradford MDC", ["f2"]), [3, 4], key="kb")
    with ProjectionStore.update(path) as store:
        assert store.articles() == {"a.txt": "ka", "b.txt": "kb"}
        store.remove("b.txt")
        store.add("b.txt", _frag("City of Bradford", ["f2", "f3"], "y"), [3, 5], key="kb2")
        store.add("c.txt", _frag("Bradford", ["f1"]), [2], key="kc")
    with ProjectionStore.create(anew) as store:
        store.add("a.txt", _frag("Bradford", ["f1"], "x"), [1, 2, 3], key="ka")
        store.add("b.txt", _frag("City of Bradford", ["f2", "f3"], "y"), [3, 5], key="kb2")
        store.add("c.txt", _frag("Bradford", ["f1"]), [2], key="kc")
    assert _contents(path) == _contents(anew)
    nodes, edges, triples = _contents(path)
    assert triples == 4  # 1, 2, 3, 5: 4 went with the old b.txt, 3 stayed (a.txt holds it too)
    assert nodes[0][1]["facts"] == 3 and nodes[0][1]["details"]["other names"] == ["Bradford", "City of Bradford"]
    with ProjectionStore.update(path) as store:
        store.remove("a.txt")
        store.remove("missing.txt")  # nothing to take out
    assert _contents(path)[2] == 3  # 2 (c.txt), 3 and 5 (b.txt)


def test_an_interrupted_update_leaves_the_store_as_it_was(tmp_path):
    path = tmp_path / "p.sqlite"
    with ProjectionStore.create(path) as store:
        store.add("a.txt", _frag("Bradford", ["f1"]), [1], key="ka")
    before = _contents(path)
    with pytest.raises(RuntimeError):
        with ProjectionStore.update(path) as store:
            store.remove("a.txt")
            store.add("b.txt", _frag("Leeds", ["f9"]), [7], key="kb")
            raise RuntimeError("a shape violation, say")
    assert _contents(path) == before


def test_a_store_of_another_version_or_unreadable_is_built_anew(tmp_path, caplog):
    path = tmp_path / "p.sqlite"
    with ProjectionStore.create(path) as store:
        store.add("a.txt", _frag("Bradford", ["f1"]), [1], key="ka")
        store.set_meta(schema=1)
    with ProjectionStore.update(path) as store:
        assert store.articles() == {}  # an old layout is not reused
    path.write_bytes(b"not a database at all, just bytes" * 100)
    with caplog.at_level("WARNING"):
        with ProjectionStore.update(path) as store:
            assert store.articles() == {}
            store.add("b.txt", _frag("Leeds", ["f9"]), [7], key="kb")
    assert "unreadable" in caplog.text
    assert [n for n, _ in _contents(path)[0]] == ["c"]


def _merge_pairwise(rows):
    """The merge as it was first written (each row's lists merged into the running union one
    row at a time): the reference the single union must equal."""
    from kg.view.projection_store import _merge_lists

    first = next((r for r in rows if r is not None), None)
    if first is None:
        return None
    merged, order = dict(first), list(first)
    for other in rows:
        if other is None or other is first:
            continue
        previous = None
        for key, value in other.items():
            if key not in merged:
                order.insert(order.index(previous) + 1 if previous is not None else 0, key)
                merged[key] = value
            elif isinstance(value, list) and isinstance(merged[key], list):
                merged[key] = _merge_lists(merged[key], value)
            previous = key
    return {key: merged[key] for key in order}


def test_details_of_many_rows_merge_as_one_row_at_a_time_would():
    """A node found in thousands of articles is merged in one union per key; the result, key
    order and item order included, is what merging row after row gives."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from kg.view.projection_store import _merge_details

    text = st.sampled_from(["Bradford", "Leeds", "2018", "inadequate", "Ofsted", "café", "a, b"])
    source = st.fixed_dictionaries({"article": st.sampled_from(["a.txt", "b.txt", "c.txt"]),
                                    "sentence": text})
    value = st.one_of(text, st.lists(text, max_size=4), st.lists(source, max_size=3))
    row = st.none() | st.dictionaries(st.sampled_from(["kind", "names", "sources", "years", "grade"]),
                                      value, max_size=5)

    @settings(max_examples=400, deadline=None, derandomize=True)
    @given(st.lists(row, max_size=8))
    def check(rows):
        expected = _merge_pairwise(rows)
        got = _merge_details(rows)
        assert json.dumps(got, ensure_ascii=False) == json.dumps(expected, ensure_ascii=False)

    check()
