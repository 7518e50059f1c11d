"""Council KG: the knowledge graph of England's children's services failures.

The data flows one way, a package per stage (``lint-imports`` keeps the layers honest):
:mod:`kg.sources` (files -> Article records) -> :mod:`kg.extract` (spaCy, rules and the trained
classifier -> facts) -> :mod:`kg.graph` (facts -> RDF, ontology, validation) -> :mod:`kg.store`
and :mod:`kg.view` (SPARQL, the viewer, GraphML) -> :mod:`kg.analysis` (notebooks, the
cross-check, evaluation); :mod:`kg.pipeline` runs the stages in order and :mod:`kg.cli` is the
command line. Importing this package does no work.
"""
