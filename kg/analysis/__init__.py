"""Analysis for notebooks, the cross-check against the official record, and evaluation.

The graph as analysts use it: pandas tables from the canned queries, networkx graphs of who
shares what, and the ratings of the news checked against Ofsted's published record.

Every function takes the built output folder (``OUT``, holding ``graph.ttl`` and ``graph.trig``),
the path of a Turtle/TriG file, or an rdflib ``Graph``/``Dataset`` already in memory:

- :func:`frame` runs a ``queries/*.rq`` file (by stem) or any SPARQL SELECT and gives a
  DataFrame with typed columns (years and counts ``Int64``, amounts and values ``float``,
  dates ``datetime64``, flags ``boolean``, the rest ``string``; unbound values are ``<NA>``);
- :func:`council_failing_graph` is the bipartite council-failing graph (from
  :func:`kg.view.project.project`, failings folded into their top concept), edge ``weight`` the number
  of findings; :func:`council_similarity` links councils by the Jaccard similarity of their
  failing sets, :func:`clusters` groups them (greedy modularity: deterministic),
  :func:`failing_cooccurrence` counts the councils where two failings were both found;
- :func:`people_council_graph` is who holds a post where (and what they were quoted saying);
- :func:`ratings_timeline` lists each council's ratings by year;
- :func:`responses_after_failings` and :func:`failing_coverage` ask whether what a council did
  addresses what inspectors found, through the small mapping ``data/response_addresses.json``;
- :func:`compare_with_official` checks each rating of the graph against Ofsted's published
  outcomes (``ofsted_csc_ilacs_history.csv``) for the same council and year.

The functions live in :mod:`kg.analysis.frames` and :mod:`kg.analysis.networks`; they are
imported here on first use (``from kg import analysis; analysis.frame(...)``), so that the
build, which needs only :mod:`kg.analysis.crosscheck`, never imports pandas.
"""
from __future__ import annotations

import importlib

_HOMES = {
    "frames": ("AGREE", "DISAGREE", "NOT_IN_RECORD", "NO_YEAR", "OFFICIAL_CSV", "RATINGS", "RESPONSE_ADDRESSES",
               "compare_with_official", "failing_coverage", "frame", "load_graph", "load_response_addresses",
               "official_ratings", "ratings_timeline", "responses_after_failings", "typed", "GraphSource", "SECTOR_WIDE"),
    "networks": ("clusters", "council_failing_graph", "council_similarity", "failing_cooccurrence", "failing_sets",
                 "jaccard", "people_council_graph"),
}
_HOME = {name: module for module, names in _HOMES.items() for name in names}

__all__ = sorted(_HOME)


def __getattr__(name: str):
    """``kg.analysis.frame`` and the rest: the function of the module that defines it."""
    if name not in _HOME:
        raise AttributeError(f"module 'kg.analysis' has no attribute {name!r}")
    return getattr(importlib.import_module(f"kg.analysis.{_HOME[name]}"), name)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_HOME))
