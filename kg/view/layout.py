"""Node positions for large projections: anchors (councils, organisations, concepts) laid out
once with a seeded spring layout, then the rest placed around them and pushed apart, so that
vis-network does not have to simulate thousands of nodes in the browser.
"""
from __future__ import annotations

import logging
import math
from collections import defaultdict
from typing import Any

import networkx as nx

from kg.view.project import _KIND_RANK

log = logging.getLogger(__name__)



#: Above this many nodes the layout is computed here and vis-network's physics is off.
LAYOUT_THRESHOLD = 300
#: Seed of every random choice in a layout (networkx and vis-network): same graph, same page.
LAYOUT_SEED = 42
#: Kinds that anchor the precomputed layout (each other node is placed around its nearest one).
ANCHOR_KINDS = ("council", "organisation", "rating", "failing")
#: networkx's spring layout needs scipy from 500 nodes on; the skeleton stays below that.
MAX_ANCHORS = 450


# --------------------------------------------------------------------------------------------
# layout for large graphs


def _layout(proj: nx.MultiDiGraph, *, seed: int = LAYOUT_SEED) -> dict[str, tuple[float, float]]:
    """Positions (pixels) for a large projection, in about a second for 5,000 nodes.

    A force layout of every node is quadratic (and networkx needs scipy beyond 500 nodes), so
    the anchors (councils, organisations and concepts) get a seeded ``spring_layout`` on the
    skeleton graph (anchors joined when their neighbourhoods touch), every other node is
    placed on a sunflower spiral around its nearest anchor, and overlapping clusters are
    pushed apart. Nodes in components with no anchor are laid out in a grid below.
    """
    import numpy as np  # networkx's own dependency; only needed for large graphs

    und = nx.Graph()
    und.add_nodes_from(sorted(proj))
    und.add_edges_from((u, v) for u, v in proj.edges() if u != v)
    kind = dict(proj.nodes(data="kind"))
    rank = {n: (_KIND_RANK.get(kind[n], 99), n) for n in und}

    anchors = [n for n in und if kind[n] in ANCHOR_KINDS]
    anchor_set = set(anchors)
    for comp in sorted(nx.connected_components(und), key=min):
        if len(comp) >= 3 and not comp & anchor_set:
            anchors.append(min(comp, key=lambda n: (-und.degree(n), n)))
    if len(anchors) > MAX_ANCHORS:
        anchors = sorted(anchors, key=lambda n: (-und.degree(n), n))[:MAX_ANCHORS]
    anchors.sort(key=lambda n: rank[n])

    # nearest anchor by breadth-first search; ties go to the anchor of lower kind rank
    home: dict[str, str] = {a: a for a in anchors}
    frontier = list(anchors)
    while frontier:
        nxt = []
        for u in frontier:
            for v in sorted(und[u]):
                if v not in home:
                    home[v] = home[u]
                    nxt.append(v)
        frontier = nxt

    skeleton = nx.Graph()
    skeleton.add_nodes_from(anchors)
    for u, v in und.edges():
        hu, hv = home.get(u), home.get(v)
        if hu is not None and hv is not None and hu != hv:
            w = skeleton.get_edge_data(hu, hv, {"n": 0})["n"] + 1
            skeleton.add_edge(hu, hv, n=w, weight=1.0 + math.log(w))
    members: dict[str, list[str]] = defaultdict(list)
    for n in sorted(home, key=lambda n: rank[n]):
        if home[n] != n:
            members[home[n]].append(n)

    spacing = 34.0
    golden = math.pi * (3.0 - math.sqrt(5.0))
    radius = np.array([spacing * (1.2 + 0.62 * math.sqrt(len(members[a]) + 1)) for a in anchors])
    pos: dict[str, tuple[float, float]] = {}
    if anchors:
        sk = nx.spring_layout(skeleton, seed=seed, weight="weight", iterations=80)
        P = np.array([sk[a] for a in anchors], dtype=float)
        area = float(np.sum(np.pi * (radius + spacing) ** 2))
        P *= math.sqrt(area / 0.45) / 2.0  # fill about half of the square the layout spans
        _separate(P, radius + spacing / 2)
        for i, a in enumerate(anchors):
            ax, ay = P[i]
            pos[a] = (ax, ay)
            for k, n in enumerate(members[a]):
                r = spacing * (1.2 + 0.62 * math.sqrt(k + 1))
                t = k * golden
                pos[n] = (ax + r * math.cos(t), ay + r * math.sin(t))
    orphans = [n for n in sorted(und, key=lambda n: rank[n]) if n not in pos]
    if orphans:
        top = max((y for _x, y in pos.values()), default=0.0) + 4 * spacing
        left = min((x for x, _y in pos.values()), default=0.0)
        cols = max(10, int(math.sqrt(len(orphans)) * 2))
        for i, n in enumerate(orphans):
            pos[n] = (left + (i % cols) * spacing * 2, top + (i // cols) * spacing)
    return {n: (round(x, 1), round(y, 1)) for n, (x, y) in pos.items()}


def _separate(P: Any, radius: Any, *, rounds: int = 300) -> None:
    """Push apart overlapping circles (centres P, radii radius) in place, deterministically."""
    import numpy as np

    n = len(P)
    if n < 2:
        return
    # a fixed, tiny jitter so that coincident centres have a direction to move apart in
    P += np.stack([np.cos(np.arange(n) * 2.399), np.sin(np.arange(n) * 2.399)], axis=1) * 1e-3
    need = radius[:, None] + radius[None, :]
    np.fill_diagonal(need, 0.0)
    for _ in range(rounds):
        D = P[:, None, :] - P[None, :, :]
        dist = np.hypot(D[..., 0], D[..., 1])
        np.fill_diagonal(dist, 1.0)
        overlap = np.clip(need - dist, 0.0, None)
        np.fill_diagonal(overlap, 0.0)
        if overlap.max() < 0.5:
            break
        P += np.sum(D / dist[..., None] * (overlap / 2.0)[..., None], axis=1)
