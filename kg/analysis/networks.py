"""networkx graphs of who shares what: the bipartite council-failing graph (from
:func:`kg.view.project.project`, failings folded into their top concept), edge ``weight`` the
number of findings; councils linked by the Jaccard similarity of their failing sets, grouped
by greedy modularity (deterministic); failings counted by the councils where both were found;
who holds a post where.

>>> jaccard({"a", "b"}, {"b", "c"})
0.3333333333333333
>>> G = nx.Graph([("A", "B", {"weight": 1.0}), ("C", "D", {"weight": 1.0})])
>>> [sorted(group) for group in clusters(G)]
[['A', 'B'], ['C', 'D']]
"""
from __future__ import annotations

import os
from collections import Counter, defaultdict
from typing import Union

import networkx as nx
import pandas as pd
import rdflib

from kg.analysis.frames import load_graph

#: An output folder, a graph file, or a graph in memory.
GraphSource = Union[str, os.PathLike, rdflib.Graph]



# --------------------------------------------------------------------------------------------
# councils and failings


def _projection(source: GraphSource) -> nx.MultiDiGraph:
    from kg.view.project import project

    return project(load_graph(source))


def _names(proj: nx.MultiDiGraph, kind: str) -> dict[str, str]:
    """Node id -> a unique display name for the nodes of one kind: the label, followed by the
    last segment of the IRI when two nodes share a label."""
    nodes = sorted(n for n, k in proj.nodes(data="kind") if k == kind)
    counts = Counter(str(proj.nodes[n]["label"]) for n in nodes)
    return {n: (str(proj.nodes[n]["label"]) if counts[str(proj.nodes[n]["label"])] == 1
                else f"{proj.nodes[n]['label']} ({n.rstrip('/').rsplit('/', 1)[-1]})") for n in nodes}


def _top_concept(proj: nx.MultiDiGraph, node: str) -> str:
    """Follow ``narrower than`` edges up to the top concept (the contract's categories)."""
    seen = {node}
    while True:
        up = sorted(v for _u, v, d in proj.out_edges(node, data=True) if d.get("relation") == "broader")
        if not up or up[0] in seen:
            return node
        node = up[0]
        seen.add(node)


def council_failing_graph(source: GraphSource | nx.Graph) -> nx.Graph:
    """The bipartite graph of councils and the failings found at them.

    Councils (``bipartite=0``, ``kind="council"``) and failings (``bipartite=1``,
    ``kind="failing"``; narrower concepts folded into their top concept) are keyed by name and
    carry their ``iri``. An edge means inspectors found that failing at that council; its
    ``weight`` is the number of findings, ``evidence`` their sentences. Sector-wide findings (no
    council) are left out. Every council of the graph is a node, with or without findings.
    Given an ``nx.Graph`` (already such a graph), returns it unchanged.
    """
    if isinstance(source, nx.Graph):
        return source
    proj = _projection(source)
    councils, failings = _names(proj, "council"), _names(proj, "failing")
    graph = nx.Graph()
    for node, name in sorted(councils.items(), key=lambda kv: kv[1]):
        graph.add_node(name, bipartite=0, kind="council", iri=node)
    edges: dict[tuple[str, str], list[str]] = defaultdict(list)
    for u, v, _key, data in proj.edges(keys=True, data=True):
        if data.get("relation") != "finding" or u not in councils:
            continue
        top = _top_concept(proj, v)
        edges[(councils[u], failings[top])] += list(data.get("details", {}).get("evidence", [])) or [""]
        if failings[top] not in graph:
            graph.add_node(failings[top], bipartite=1, kind="failing", iri=top)
    for (council, failing), evidence in sorted(edges.items()):
        graph.add_edge(council, failing, weight=len(evidence), evidence=sorted(e for e in evidence if e))
    return graph


def _sides(bipartite: nx.Graph) -> tuple[list[str], list[str]]:
    councils = sorted(n for n, d in bipartite.nodes(data=True) if d.get("bipartite") == 0)
    failings = sorted(n for n, d in bipartite.nodes(data=True) if d.get("bipartite") == 1)
    return councils, failings


def failing_sets(source: GraphSource | nx.Graph) -> dict[str, set[str]]:
    """Each council's set of failings (empty when none was found there)."""
    bipartite = council_failing_graph(source)
    councils, _ = _sides(bipartite)
    return {c: set(bipartite[c]) for c in councils}


def jaccard(a: set[str], b: set[str]) -> float:
    """|a ∩ b| / |a ∪ b|; 0.0 for two empty sets."""
    union = a | b
    return len(a & b) / len(union) if union else 0.0


def council_similarity(source: GraphSource | nx.Graph, *, min_similarity: float = 0.0) -> nx.Graph:
    """Councils linked by how alike their failings are.

    Every council is a node (``failings``: how many kinds were found there). Two councils are
    joined when the Jaccard similarity of their failing sets is above ``min_similarity``; the
    edge's ``weight`` is that similarity (in [0, 1]) and ``shared`` the failings they share.
    Counts are ignored on purpose: how often a failing is reported depends on how much was
    written about a council, not on how bad things were.
    """
    sets = failing_sets(source)
    graph = nx.Graph()
    for council in sorted(sets):
        graph.add_node(council, failings=len(sets[council]))
    names = sorted(sets)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            similarity = jaccard(sets[a], sets[b])
            if similarity > min_similarity:
                graph.add_edge(a, b, weight=similarity, shared=sorted(sets[a] & sets[b]))
    return graph


def clusters(sim_graph: nx.Graph, *, weight: str = "weight", resolution: float = 1.0) -> list[set[str]]:
    """Groups of alike councils: greedy modularity communities of the similarity graph.

    Deterministic (no random seed involved); every node is in exactly one group (a council
    linked to none is a group of its own). Largest groups first, ties by their first name.
    """
    if sim_graph.number_of_nodes() == 0:
        return []
    ordered = nx.Graph()
    ordered.add_nodes_from(sorted(sim_graph.nodes))
    ordered.add_edges_from(sorted((min(u, v), max(u, v), d) for u, v, d in sim_graph.edges(data=True)))
    if ordered.number_of_edges() == 0:
        groups = [{n} for n in ordered]
    else:
        groups = [set(c) for c in nx.community.greedy_modularity_communities(ordered, weight=weight,
                                                                             resolution=resolution)]
    return sorted(groups, key=lambda g: (-len(g), min(g)))


def failing_cooccurrence(source: GraphSource | nx.Graph) -> pd.DataFrame:
    """Failing x failing: the number of councils where both were found (the diagonal: where
    each was found). Rows and columns ordered from the most widespread failing down."""
    bipartite = council_failing_graph(source)
    councils, failings = _sides(bipartite)
    incidence = pd.DataFrame(0, index=councils, columns=failings, dtype="int64")
    for council in councils:
        for failing in bipartite[council]:
            incidence.loc[council, failing] = 1
    counts = incidence.T.dot(incidence)
    order = sorted(failings, key=lambda f: (-int(counts.loc[f, f]), f))
    result = counts.loc[order, order]
    result.index.name = result.columns.name = "failing"
    return result


# --------------------------------------------------------------------------------------------
# people


def people_council_graph(source: GraphSource, *, councils_only: bool = False) -> nx.Graph:
    """Who holds a post where: people (``kind="person"``, ``quotes``: what they were quoted
    saying) joined to the councils (``kind="council"``) and other organisations
    (``kind="organisation"``) they work for. Edge ``roles`` lists the posts as written and
    ``weight`` counts them. With ``councils_only``, organisations other than councils (Ofsted,
    ADCS, ...) and the people linked only to them are left out."""
    proj = _projection(source)
    people, councils, orgs = _names(proj, "person"), _names(proj, "council"), _names(proj, "organisation")
    orgs.update(councils)
    graph = nx.Graph()
    roles: dict[tuple[str, str], set[str]] = defaultdict(set)
    for u, v, _key, data in proj.edges(keys=True, data=True):
        if data.get("relation") == "membership" and u in people and v in orgs:
            if councils_only and v not in councils:
                continue
            roles[(people[u], orgs[v])].add(str(data.get("label", "")))
    person_node = {name: node for node, name in people.items()}
    org_node = {name: node for node, name in orgs.items()}
    for (person, org), posts in sorted(roles.items()):
        for name, kind in ((person, "person"), (org, proj.nodes[org_node[org]]["kind"])):
            if name not in graph:
                node = person_node[name] if kind == "person" else org_node[name]
                graph.add_node(name, kind=kind, iri=node)
        graph.add_edge(person, org, roles=sorted(posts), weight=len(posts))
    for name in [n for n, k in graph.nodes(data="kind") if k == "person"]:
        node = person_node[name]
        quotes = sorted(str(proj.nodes[q]["details"].get("quote", "")) for _p, q, d in proj.out_edges(node, data=True)
                        if d.get("relation") == "said")
        graph.nodes[name]["quotes"] = quotes
    return graph
