"""The build's views, from the projection store: ``viewer.html`` (the whole projection when it
is small enough to explore, else the overview) and ``graph.graphml`` (always whole, streamed).
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from kg.files import atomic_write
from kg.view.graphml import write_graphml_stream
from kg.view.projection_store import VIEWER_MAX_NODES
from kg.view.viewer import render_projection

log = logging.getLogger(__name__)



def write_projection_outputs(store: Any, out_dir: Path, *, max_nodes: int | None = None) -> dict[str, int]:
    """``viewer.html`` and ``graph.graphml`` from a :class:`kg.view.projection_store.ProjectionStore`.

    GraphML always holds the whole projection, streamed. The viewer draws the whole projection
    up to ``max_nodes`` nodes (default :data:`kg.view.projection_store.VIEWER_MAX_NODES`); beyond, it
    draws the overview of councils and concepts and says how to see one council's facts.
    Returns the node counts: ``nodes`` (whole projection) and ``drawn`` (on the page)."""
    limit = VIEWER_MAX_NODES if max_nodes is None else max_nodes
    write_graphml_stream(store.nodes(), store.edges(), Path(out_dir) / "graph.graphml")
    total = store.node_count()
    if total <= limit:
        proj = store.projection()
        title = "Council KG"
    else:
        proj = store.overview()
        log.warning("the projection has %d nodes, more than the viewer draws (%d): viewer.html shows the overview "
                    "of councils and concepts; `python build.py view --council NAME` draws one council's facts",
                    total, limit)
        title = (f"Council KG overview: {total:,} nodes in all, councils and concepts drawn; "
                 "`python build.py view --council NAME` shows one council's facts")
    html = render_projection(proj, title=title)
    atomic_write(Path(out_dir) / "viewer.html", html)
    return {"nodes": total, "drawn": proj.number_of_nodes()}
