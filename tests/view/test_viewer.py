"""kg/view (project, layout, viewer, graphml): the entity projection, the viewer page (offline, deterministic, escaped) and
the GraphML export. The browser-side behaviour is in tests/view/test_viewer_browser.py."""
from __future__ import annotations

import doctest
import json
import re
from collections import Counter
from html.parser import HTMLParser

import networkx as nx
import pytest
from rdflib import Dataset, Graph, Literal
from rdflib.namespace import RDF, RDFS

from kg.view import layout
from kg.view import viewer
from kg.graph.namespaces import CKG, SCHEMA, concept_iri, council_iri, graph_iri, organisation_iri, person_iri
from kg.view.project import KINDS, project
from kg.view.viewer import load_styles, write_viewer
from kg.view.graphml import write_graphml
from tests.fixtures.viewer_graphs import HOSTILE, SMALL_KINDS, GraphBuilder, hostile_graph, small_graph, synthetic_graph

BRADFORD = str(council_iri("E08000032"))
LEEDS = str(council_iri("E08000035"))


def _edges(proj: nx.MultiDiGraph, relation: str) -> list[tuple[str, str, dict]]:
    return [(u, v, d) for u, v, d in proj.edges(data=True) if d["relation"] == relation]


def _by_label(proj: nx.MultiDiGraph, label: str) -> str:
    hits = [n for n, d in proj.nodes(data=True) if d["label"] == label]
    assert len(hits) == 1, (label, hits)
    return hits[0]


def _with_wakefield() -> Graph:
    """The small graph plus an unrelated council whose inspection shares Bradford's rating."""
    b = GraphBuilder()
    b.g += small_graph()
    wakefield = b.council("E08000036", "Wakefield", "Wakefield Council")
    art = b.article("w1", "Wakefield rated inadequate", "002_wakefield.txt", None, wakefield)
    b.inspection(wakefield, "inadequate", 2016, art, "Wakefield was rated inadequate in 2016.")
    return b.g


# ---------------------------------------------------------------------------------------------
# projection


def test_projection_has_one_node_per_entity_and_no_literal_nodes():
    proj = project(small_graph())
    assert Counter(kind for _n, kind in proj.nodes(data="kind")) == SMALL_KINDS
    for node, data in proj.nodes(data=True):
        assert node.startswith("https://w3id.org/councilkg/"), node  # IRIs only, never literals
        assert data["kind"] in KINDS
        assert isinstance(data["label"], str) and data["label"]
        assert data["details"]["iri"] == node
    # comments are opinion: counted on their article, never drawn
    article = _by_label(proj, "Bradford children's services rated inadequate")
    assert proj.nodes[article]["details"]["reader comments"] == "1"


def test_inspections_link_council_rating_and_source_article():
    proj = project(small_graph())
    inspection = _by_label(proj, "inadequate 2018")
    details = proj.nodes[inspection]["details"]
    assert details["rating"] == "inadequate" and details["year"] == "2018" and details["council"] == "Bradford"
    assert details["evidence"] == ["Ofsted rated Bradford's children's services inadequate in 2018."]
    assert details["sources"] == [{
        "article": _by_label(proj, "Bradford children's services rated inadequate"),
        "headline": "Bradford children's services rated inadequate",
        "file": "000_bradford.txt",
        "date": "2018-10-05",
    }]
    assert (BRADFORD, inspection) in {(u, v) for u, v, _ in _edges(proj, "inspected")}
    assert (inspection, str(concept_iri("rating", "inadequate"))) in {(u, v) for u, v, _ in _edges(proj, "rating")}
    assert proj.nodes[str(concept_iri("rating", "inadequate"))]["kind"] == "rating"
    assert any(u == inspection and proj.nodes[v]["kind"] == "article" for u, v, _ in _edges(proj, "source"))


def test_findings_are_edges_carrying_their_evidence():
    proj = project(small_graph())
    found = {(u, v): d for u, v, d in _edges(proj, "finding")}
    edge = found[(BRADFORD, str(concept_iri("failing", "high caseloads")))]
    assert edge["label"] == "found"
    assert edge["details"]["evidence"] == ["Social workers had caseloads that were too high."]
    assert edge["details"]["sources"][0]["file"] == "001_bradford_copy.txt"
    assert edge["details"]["sources"][0]["headline"] == "Ofsted: caseloads too high in Bradford"
    # a sector-wide finding hangs off its article, not off a council
    sector = [(u, v, d) for (u, v), d in found.items() if d["label"] == "found (sector-wide)"]
    assert len(sector) == 1
    assert proj.nodes[sector[0][0]]["kind"] == "article"
    assert proj.nodes[sector[0][1]]["label"] == "recruitment and retention"
    assert not any(d["kind"] == "finding" for _n, d in proj.nodes(data=True))


def test_people_roles_quotes_responses_statistics():
    proj = project(small_graph())
    irene, ofsted = str(person_iri("Irene Smith")), str(organisation_iri("Ofsted"))
    roles = {(u, v): d for u, v, d in _edges(proj, "membership")}
    assert roles[(irene, BRADFORD)]["label"] == "strategic director of children's services"
    assert roles[(str(person_iri("Adele Jones")), ofsted)]["details"]["role"] == "regional director"
    assert proj.nodes[ofsted]["kind"] == "organisation"
    assert proj.nodes[irene]["details"]["roles"] == ["strategic director of children's services, Bradford"]
    quote = _by_label(proj, "\u201cWe accept the findings in full.\u201d")
    assert (irene, quote) in {(u, v) for u, v, _ in _edges(proj, "said")}
    assert proj.nodes[quote]["details"]["quote"] == "We accept the findings in full."
    response = _by_label(proj, "funding £1.2m")
    assert proj.nodes[response]["details"]["amount"] == "£1.2m"
    stat = _by_label(proj, "caseload: 25")
    assert proj.nodes[stat]["details"]["value"] == "25" and proj.nodes[stat]["details"]["year"] == "2018"
    rec = _by_label(proj, "improve: supervision")
    assert (rec, str(concept_iri("failing", "supervision"))) in {(u, v) for u, v, _ in _edges(proj, "area")}


def test_articles_mention_councils_and_copies_are_linked_once():
    proj = project(small_graph())
    mentions = {(proj.nodes[u]["details"]["file"], proj.nodes[v]["label"]) for u, v, _ in _edges(proj, "mentions")}
    assert mentions == {("000_bradford.txt", "Bradford"), ("000_bradford.txt", "Leeds"), ("001_bradford_copy.txt", "Bradford")}
    assert len(_edges(proj, "sameStoryAs")) == 1


def test_councils_are_sized_by_what_the_graph_says_about_them():
    proj = project(small_graph())
    assert proj.nodes[BRADFORD]["facts"] > proj.nodes[LEEDS]["facts"] > 0
    html = viewer.render_projection(proj)
    nodes = _vis_nodes(html)
    size = {n["label"]: n.get("size") for n in nodes if n["group"] == "council"}
    assert size["Bradford"] > size["Leeds"]


def test_dataset_input_is_read_as_the_union_of_its_named_graphs():
    ds = Dataset()
    union = small_graph()
    for i, triple in enumerate(sorted(union)):
        ds.graph(graph_iri(f"{i % 3:040x}")).add(triple)
    a, b = project(ds), project(union)
    assert sorted(a.nodes) == sorted(b.nodes)
    assert sorted(a.edges(keys=True)) == sorted(b.edges(keys=True))


# ---------------------------------------------------------------------------------------------
# council focus


@pytest.mark.parametrize("name", ["Bradford", "bradford", "BRADFORD COUNCIL", "City of Bradford Metropolitan District Council", "e08000032"])
def test_focus_finds_the_council_by_any_of_its_names(name):
    proj = project(_with_wakefield(), council=name)
    assert proj.graph["focus"] == BRADFORD
    labels = {d["label"] for _n, d in proj.nodes(data=True)}
    assert "Bradford" in labels and "Wakefield" not in labels
    assert "inadequate 2016" not in labels  # Wakefield's inspection


def test_focus_respects_hops_and_does_not_walk_through_shared_concepts():
    g = _with_wakefield()
    one = project(g, council="Wakefield", hops=1)
    assert {d["label"] for _n, d in one.nodes(data=True)} == {"Wakefield", "inadequate 2016", "Wakefield rated inadequate"}
    three = project(g, council="Wakefield", hops=3)
    labels = {d["label"] for _n, d in three.nodes(data=True)}
    assert "inadequate" in labels  # the rating concept is shown ...
    assert "inadequate 2018" not in labels and "Bradford" not in labels  # ... but not walked through
    whole = project(g)
    assert set(three.nodes) < set(whole.nodes)
    for u, v, k in three.edges(keys=True):
        assert whole.has_edge(u, v, k)


def test_focus_on_an_unknown_council_says_which_exist():
    with pytest.raises(ValueError, match="Nowhere.*Bradford"):
        project(small_graph(), council="Nowhere")


# ---------------------------------------------------------------------------------------------
# the page


class _Assets(HTMLParser):
    """Collects every URL-bearing attribute and the tags of the page (script text is opaque)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[tuple[str, str, str]] = []
        self.tags: Counter = Counter()
        self.attributes: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.tags[tag] += 1
        for name, value in attrs:
            self.attributes.add(name)
            if name in ("src", "href", "action", "srcset", "poster", "data", "formaction", "background") and value:
                self.urls.append((tag, name, value))


def _page_parts(html: str) -> _Assets:
    parser = _Assets()
    parser.feed(html)
    return parser


def _vis_nodes(html: str) -> list[dict]:
    m = re.search(r"nodes = new vis\.DataSet\((\[.*?\])\);\n", html, re.S)
    assert m, "no vis DataSet of nodes in the page"
    return json.loads(m.group(1))


def _vis_options(html: str) -> dict:
    m = re.search(r"\n\s*options = (\{.*?\});\n", html, re.S)
    assert m
    return json.loads(m.group(1))


def _blob(html: str) -> dict:
    m = re.search(r'<script type="application/json" id="kg-data">(.*?)</script>', html, re.S)
    assert m
    return json.loads(m.group(1))


def test_page_is_self_contained(tmp_path):
    out = write_viewer(small_graph(), tmp_path / "viewer.html")
    html = out.read_text(encoding="utf-8")
    parts = _page_parts(html)
    assert parts.urls == []  # no src=, href=, ... at all: every asset is inline
    assert parts.tags["link"] == 0 and parts.tags["iframe"] == 0 and parts.tags["img"] == 0
    assert parts.tags["script"] == 3  # vis-network, the data blob, the viewer code
    assert "vis.Network" in html and "vis-network" in html  # vis-network's CSS/JS are inlined
    for remote in ("cdn.jsdelivr", "cdnjs", "bootstrap", "unpkg", "googleapis", "@import"):
        assert remote not in html.lower(), remote
    assert len(html) > 400_000  # vis-network itself is in the file


def test_page_has_legend_filters_search_and_panel(tmp_path):
    html = write_viewer(small_graph(), tmp_path / "viewer.html", title="Council KG: test").read_text(encoding="utf-8")
    assert "<title>Council KG: test</title>" in html
    for element in ('id="kg-search"', 'id="kg-council"', 'id="kg-rating"', 'id="kg-year"', 'id="kg-panel"', 'id="kg-legend"'):
        assert element in html
    styles = load_styles()
    for kind in KINDS:
        assert f'value="{kind}"' in html and styles["kinds"][kind]["label"] in html
    blob = _blob(html)
    assert len(blob["nodes"]) == len(_vis_nodes(html)) == sum(SMALL_KINDS.values())
    bradford = next(n for n in blob["nodes"].values() if n["l"] == "Bradford")
    assert bradford["k"] == "council" and "inadequate" in bradford["r"] and "2018" in bradford["y"]
    inspection = next(n for n in blob["nodes"].values() if n["l"] == "inadequate 2018")
    assert inspection["ev"] == ["Ofsted rated Bradford's children's services inadequate in 2018."]
    assert inspection["src"][0]["file"] == "000_bradford.txt" and inspection["src"][0]["a"] in blob["nodes"]
    # edge labels say the relation; finding edges carry their evidence for the panel
    found = [e for e in blob["edges"].values() if e["l"] == "found"]
    assert {f["ev"][0] for e in found for f in e["facts"]} == {
        "Social workers had caseloads that were too high.", "Management oversight of cases was weak."}


def test_output_is_deterministic(tmp_path):
    a = write_viewer(small_graph(), tmp_path / "a.html").read_bytes()
    b = write_viewer(small_graph(), tmp_path / "b.html").read_bytes()
    assert a == b
    ga = write_graphml(small_graph(), tmp_path / "a.graphml").read_bytes()
    gb = write_graphml(small_graph(), tmp_path / "b.graphml").read_bytes()
    assert ga == gb


def test_large_graph_is_laid_out_here_with_physics_off(tmp_path):
    g = synthetic_graph(700)
    first = write_viewer(g, tmp_path / "a.html").read_bytes()
    assert first == write_viewer(synthetic_graph(700), tmp_path / "b.html").read_bytes()
    html = first.decode("utf-8")
    nodes = _vis_nodes(html)
    assert len(nodes) > layout.LAYOUT_THRESHOLD
    assert all(isinstance(n["x"], float) and isinstance(n["y"], float) for n in nodes)
    assert len({(n["x"], n["y"]) for n in nodes}) == len(nodes)  # no two nodes on one spot
    options = _vis_options(html)
    assert options["physics"] == {"enabled": False}
    assert options["layout"]["improvedLayout"] is False
    small = _vis_options(write_viewer(small_graph(), tmp_path / "s.html").read_text(encoding="utf-8"))
    assert small["physics"]["enabled"] is True and small["layout"]["randomSeed"] == layout.LAYOUT_SEED


def test_hostile_text_is_escaped_everywhere(tmp_path):
    html = write_viewer(hostile_graph(), tmp_path / "viewer.html").read_text(encoding="utf-8")
    for attack in HOSTILE:
        assert attack not in html, attack
    for fragment in ("<script>window", "<img", "</script><script>", "<!-- <script"):
        assert fragment not in html, fragment
    parts = _page_parts(html)
    assert parts.tags["script"] == 3 and parts.tags["img"] == 0 and parts.urls == []
    assert not [a for a in parts.attributes if a.startswith("on")]  # no inline event handlers
    # pyvis turns on an innerHTML popup when a title contains "href"; our template has none
    vis_js = (viewer._vis_dir() / "vis-network.min.js").read_text(encoding="utf-8")
    assert vis_js in html
    assert "innerHTML" not in html.replace(vis_js, "")
    # ... and the text itself survives, as data
    blob = _blob(html)
    labels = {n["l"] for n in blob["nodes"].values()}
    assert f"Evil {HOSTILE[0]}" in labels and f"Headline {HOSTILE[3]}" in labels
    titles = {n["title"] for n in _vis_nodes(html)}
    assert any(HOSTILE[1] in t for t in titles)


def test_writes_are_atomic_and_replace_the_old_file(tmp_path):
    target = tmp_path / "out" / "viewer.html"
    target.parent.mkdir()
    target.write_text("old")
    write_viewer(small_graph(), target)
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert sorted(p.name for p in target.parent.iterdir()) == ["viewer.html"]


def test_focused_page_opens_on_its_council(tmp_path):
    html = write_viewer(_with_wakefield(), tmp_path / "v.html", council="Wakefield").read_text(encoding="utf-8")
    blob = _blob(html)
    assert blob["nodes"][blob["focus"]]["l"] == "Wakefield"
    assert "Bradford" not in {n["l"] for n in blob["nodes"].values()}


# ---------------------------------------------------------------------------------------------
# GraphML


def test_graphml_is_readable_with_kinds_and_labels(tmp_path):
    path = write_graphml(small_graph(), tmp_path / "graph.graphml")
    back = nx.read_graphml(path, force_multigraph=True)
    proj = project(small_graph())
    assert back.is_directed() and back.is_multigraph()
    assert set(back.nodes) == set(proj.nodes)
    assert Counter(d["kind"] for _n, d in back.nodes(data=True)) == SMALL_KINDS
    assert back.nodes[BRADFORD]["label"] == "Bradford"
    assert back.nodes[BRADFORD]["facts"] == proj.nodes[BRADFORD]["facts"]
    details = json.loads(back.nodes[_by_label(proj, "inadequate 2018")]["details"])
    assert details["rating"] == "inadequate" and details["sources"][0]["file"] == "000_bradford.txt"
    assert back.number_of_edges() == proj.number_of_edges()
    relations = Counter(d["relation"] for _u, _v, d in back.edges(data=True))
    assert relations["finding"] == 3 and relations["membership"] == 2
    found = [d for _u, _v, d in back.edges(data=True) if d["relation"] == "finding"]
    assert all(json.loads(d["details"])["evidence"] for d in found)


# ---------------------------------------------------------------------------------------------
# the style table and the docstring examples


def test_style_table_covers_every_kind_with_distinct_looks():
    styles = load_styles()
    looks = {(s["shape"], s["colour"]) for s in styles["kinds"].values()}
    assert set(styles["kinds"]) >= set(KINDS) and len(looks) == len(styles["kinds"])
    assert set(styles["rating_colours"]) == {"outstanding", "good", "requires improvement", "inadequate", "other"}


def test_style_table_is_checked(tmp_path):
    bad = load_styles()
    bad["kinds"]["council"]["shape"] = "blob"
    path = tmp_path / "styles.json"
    path.write_text(json.dumps(bad))
    with pytest.raises(ValueError, match="blob"):
        load_styles(path)


def test_docstring_examples_run():
    from kg.view import project as project_module

    result = doctest.testmod(project_module)
    assert result.attempted > 0 and result.failed == 0


def test_unlabelled_resources_get_readable_labels():
    b = GraphBuilder()
    c = b.council("E06000001", "Hartlepool")
    art = b.article("x", "Hartlepool story", "x.txt", None, c)
    fact = b.inspection(c, "good", 2019, art, "Rated good.")
    b.g.remove((concept_iri("rating", "good"), None, None))  # no taxonomy in this graph
    b.g.add((fact, CKG.extractedBy, Literal("second-rule")))
    b.g.add((person_iri("Nobody"), RDFS.label, Literal("Nobody")))
    proj = project(b.g)
    assert proj.nodes[str(concept_iri("rating", "good"))]["label"] == "good"
    assert proj.nodes[str(fact)]["details"]["rule"] == "second-rule, test-inspection"
    assert str(person_iri("Nobody")) not in proj  # untyped, unlinked: not an entity of the graph


def test_inspection_reports_are_source_documents_too():
    b = GraphBuilder()
    c = b.council("E06000001", "Hartlepool")
    report = b.article("r", "unused", "ofsted-report.pdf", None, c)
    b.g.remove((report, None, None))
    b.g.add((report, RDF.type, CKG.InspectionReport))
    b.g.add((report, CKG.sourceFile, Literal("ofsted-report.pdf")))
    b.g.add((report, SCHEMA.mentions, c))
    fact = b.inspection(c, "good", 2019, report, "Overall effectiveness: good.")
    proj = project(b.g)
    node = proj.nodes[str(report)]
    assert node["kind"] == "article" and node["label"] == "ofsted-report.pdf"  # no headline: the file name
    assert node["details"]["type"] == "inspection report"
    assert (str(fact), str(report)) in {(u, v) for u, v, _ in _edges(proj, "source")}
    assert (str(report), str(c)) in {(u, v) for u, v, _ in _edges(proj, "mentions")}


@pytest.mark.parametrize("value", ["plain text", 'a & b < c > "d"', "nul\x00 and vtab\x0b dropped", "é ü 😀",
                                   "it's", 42, "lone \ud800 surrogate", "&amp; already", "\t\n\r kept"])
def test_graphml_text_is_escaped_like_the_xml_library(value):
    """The fast path (nothing to escape) and the slow path give what xml.sax.saxutils gives
    once the characters XML 1.0 forbids are dropped; the result parses as XML."""
    from xml.dom.minidom import parseString
    from xml.sax.saxutils import escape

    from kg.view.graphml import _NOT_XML, _xml

    assert _xml(value) == escape(_NOT_XML.sub("", str(value)), {'"': "&quot;"})
    element = parseString(f'<d a="{_xml(value)}">{_xml(value)}</d>').documentElement
    read = _NOT_XML.sub("", str(value)).replace("\r\n", "\n").replace("\r", "\n")  # XML's line ends
    assert element.firstChild is None or element.firstChild.data == read
