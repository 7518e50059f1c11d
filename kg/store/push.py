"""Push to a remote store.

:func:`push` replaces, graph by graph, the content of a remote store over the SPARQL 1.1 Graph
  Store HTTP Protocol (Oxigraph ``/store``, Fuseki ``/ds/data``, GraphDB, Virtuoso), so that
  pushing again never duplicates a triple.
"""
from __future__ import annotations

import base64
import logging
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from pathlib import Path

import pyoxigraph as ox

from kg.store.local import SOURCE

log = logging.getLogger(__name__)



# --------------------------------------------------------------------------- push to a remote store


class PushError(OSError):
    """The remote Graph Store refused a request, or could not be reached (an OSError, like any
    failed network call)."""


def _split_credentials(endpoint: str) -> tuple[str, dict[str, str]]:
    """Move ``user:password@`` out of the URL into a Basic Authorization header."""
    parts = urllib.parse.urlsplit(endpoint)
    if parts.scheme not in ("http", "https"):
        raise ValueError(f"endpoint must be an http(s) URL, not {endpoint!r}")
    if parts.username is None:
        return endpoint, {}
    netloc = parts.hostname or ""
    if ":" in netloc:
        netloc = f"[{netloc}]"
    if parts.port:
        netloc += f":{parts.port}"
    user = urllib.parse.unquote(parts.username)
    password = urllib.parse.unquote(parts.password or "")
    token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc)), {"Authorization": f"Basic {token}"}


def _graph_url(base: str, graph: ox.NamedNode | None) -> str:
    """``base?graph=<iri>`` for a named graph, ``base?default`` for the default graph."""
    query = "default" if graph is None else "graph=" + urllib.parse.quote(graph.value, safe="")
    return f"{base}{'&' if '?' in base else '?'}{query}"


def _graphs_of(source: Path) -> dict[ox.NamedNode | None, list[ox.Triple]]:
    """The triples of each graph of a TriG file (None: the default graph), in file order."""
    graphs: dict[ox.NamedNode | None, list[ox.Triple]] = {None: []}
    for quad in ox.parse(path=str(source), format=ox.RdfFormat.TRIG):
        name = None if isinstance(quad.graph_name, ox.DefaultGraph) else quad.graph_name
        graphs.setdefault(name, []).append(quad.triple)
    return graphs


def push(out_dir: Path, *, endpoint: str, timeout_s: float = 120.0,
         headers: Mapping[str, str] | None = None, union: bool = True) -> dict:
    """Copy ``out_dir/graph.trig`` into a SPARQL 1.1 Graph Store HTTP Protocol endpoint.

    ``endpoint`` is the Graph Store base URL (``http://host:7878/store`` for Oxigraph,
    ``http://host:3030/DATASET/data`` for Fuseki; credentials may go in the URL as
    ``http://user:password@host/...``). Each named graph is replaced (HTTP PUT
    ``?graph=<iri>``), then the default graph (PUT ``?default``; empty when the ontology and
    taxonomies have their own graph), so pushing again never duplicates. With ``union`` (the
    default) the remote default graph receives the union of every pushed graph, as a set, so that
    a query without ``GRAPH`` gives on the remote store the rows it gives here (the local store's
    default graph is that union too); without it, only ``graph.trig``'s own default graph. Graphs
    that exist only on the remote are left alone (and are not in the union). Data go as N-Triples labelled ``text/turtle`` (N-Triples is a
    subset of Turtle, the one syntax every Graph Store accepts). Returns counts: named graphs,
    triples in them, triples in the default graph, total.
    """
    base, auth = _split_credentials(endpoint)
    extra = {**auth, **dict(headers or {})}
    source = Path(out_dir) / SOURCE
    if not source.is_file():
        raise FileNotFoundError(f"{source} not found: build the graph first")
    graphs = _graphs_of(source)
    named = sorted((g for g in graphs if g is not None), key=lambda g: g.value)
    counts = {"endpoint": urllib.parse.urlsplit(base)._replace(query="").geturl(),
              "named_graphs": 0, "named_triples": 0, "default_triples": 0}
    if union:  # the default graph is what every graph says, once
        graphs[None] = [t for g in [*named, None] for t in graphs.get(g, [])]
    for graph in [*named, None]:
        triples = list(dict.fromkeys(graphs.get(graph, [])))  # a graph is a set
        data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
        request = urllib.request.Request(_graph_url(base, graph), data=data, method="PUT",
                                         headers={"Content-Type": "text/turtle; charset=utf-8", **extra})
        try:
            with urllib.request.urlopen(request, timeout=timeout_s) as response:
                response.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read(500).decode("utf-8", "replace")
            raise PushError(f"PUT {request.full_url} -> HTTP {exc.code}: {detail}") from exc
        except urllib.error.URLError as exc:
            raise PushError(f"PUT {request.full_url} failed: {exc.reason}") from exc
        if graph is None:
            counts["default_triples"] = len(triples)
        else:
            counts["named_graphs"] += 1
            counts["named_triples"] += len(triples)
    counts["triples"] = counts["named_triples"] + counts["default_triples"]
    log.info("pushed %d triples in %d named graphs (+%d in the default graph) to %s",
             counts["named_triples"], counts["named_graphs"], counts["default_triples"], counts["endpoint"])
    return counts
