"""kg.analysis.evaluate: P/R/F1 per kind and per category, and the confusion table by statement, on a
small graph built by hand (not through the extractor)."""
from __future__ import annotations

from rdflib import RDF, Graph, Literal, Namespace

from kg import config
from kg.analysis.evaluate import confusion, format_table, score
from kg.graph.namespaces import CKG, concept_iri

PROV = Namespace("http://www.w3.org/ns/prov#")
RDFS = Namespace("http://www.w3.org/2000/01/rdf-schema#")
ID = Namespace("https://w3id.org/councilkg/id/")


def _graph() -> Graph:
    g = Graph()
    g.parse(config.ONTOLOGY / "taxonomies.ttl")
    council, article = ID["council/E08000036"], ID["article/a1"]
    g.add((council, RDF.type, CKG.Council))
    g.add((council, RDFS.label, Literal("Wakefield")))
    g.add((article, CKG.sourceFile, Literal("a.txt")))
    facts = [("f1", "high caseloads", "Caseloads were too high in Wakefield."),
             ("f2", "supervision", "Caseloads were too high in Wakefield."),  # a second, wrong category
             ("f3", "leadership", "The weather was bad.")]  # a statement the gold does not have
    for name, label, evidence in facts:
        node = ID[f"finding/{name}"]
        g.add((node, RDF.type, CKG.Finding))
        g.add((node, CKG.council, council))
        g.add((node, CKG.failing, concept_iri("failing", label)))
        g.add((node, CKG.evidence, Literal(evidence)))
        g.add((node, PROV.wasDerivedFrom, article))
    return g


GOLD = [{"article": "a.txt", "councils": ["Wakefield"], "ratings": [], "recommendations": [], "responses": [],
         "people": [], "statistics": [],
         "failings": [{"council": "Wakefield", "category": "high caseloads", "evidence": "Caseloads were too high"},
                      {"council": "Wakefield", "category": "drift in plans", "evidence": "Plans drifted."}]}]


def test_per_category_scores() -> None:
    result = score(_graph(), GOLD)
    rows = result["per_category"]["failings"]
    assert rows["high caseloads"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0, "gold": 1, "found": 1}
    assert rows["drift in plans"]["recall"] == 0.0 and rows["drift in plans"]["gold"] == 1
    assert rows["supervision"]["precision"] == 0.0 and rows["supervision"]["found"] == 1


def test_confusion_by_statement() -> None:
    table = confusion(_graph(), GOLD)["failings"]
    assert table == {"(extra) -> leadership": 1, "drift in plans -> (missed)": 1,
                     "high caseloads -> high caseloads": 1}


def test_the_table_prints_categories_and_confusions() -> None:
    result = score(_graph(), GOLD)
    result["confusion"] = confusion(_graph(), GOLD)
    text = format_table(result)
    assert "failings by category" in text and "drift in plans -> (missed)" in text
