"""The projection as GraphML for Gephi and other graph tools: written as a stream, node and
edge attributes flattened to GraphML's types, text made valid XML.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import rdflib

from kg.view.project import project
from kg.view.viewer import _str

log = logging.getLogger(__name__)



# --------------------------------------------------------------------------------------------
# GraphML


def _flat(value: Any) -> str | int | float | bool:
    if isinstance(value, (str, int, float, bool)):
        return value
    return _str(value)


def write_graphml(graph: rdflib.Graph, path: Path) -> Path:
    """Write the projection of ``graph`` as GraphML (for Gephi) to ``path``, atomically."""
    proj = project(graph)
    return write_graphml_stream(proj.nodes(data=True), proj.edges(keys=True, data=True), path)


#: GraphML attribute keys: (id, for, type). Declared whether used or not, so that the file can
#: be written as a stream.
_GRAPHML_KEYS = (
    ("details", "edge", "string"), ("label", "edge", "string"), ("relation", "edge", "string"),
    ("evidence", "node", "string"), ("facts", "node", "long"), ("details", "node", "string"),
    ("label", "node", "string"), ("kind", "node", "string"),
)
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


_XML_SPECIAL = re.compile('[&<>"]|' + _NOT_XML.pattern)


def _xml(value: Any) -> str:
    """Text for a GraphML element or attribute: escaped, without characters XML 1.0 forbids.
    (Most values need neither: one search tells, and they are written as they are.)"""
    text = str(value)
    if _XML_SPECIAL.search(text) is None:
        return text
    text = _NOT_XML.sub("", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _graphml_data(attrs: dict[str, Any], names: tuple[str, ...]) -> list[str]:
    out = []
    for name in names:
        value = attrs.get(name)
        if value is None or value == "":
            continue
        out.append(f'      <data key="{name}">{_xml(_flat(value))}</data>')
    return out


def write_graphml_stream(nodes: Iterable[tuple[str, dict[str, Any]]],
                         edges: Iterable[tuple[str, str, str, dict[str, Any]]], path: Path) -> Path:
    """Write a projection given as streams of nodes and edges as GraphML, atomically, holding
    one node or edge at a time. Attributes are GraphML scalars: details as JSON text, a
    fact's evidence also as one ``|``-joined string."""
    from kg.files import atomic_stream

    n_nodes = n_edges = 0
    with atomic_stream(Path(path)) as fh:
        fh.write('<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
                 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
                 'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
                 'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n')
        for key, scope, kind in _GRAPHML_KEYS:
            fh.write(f'  <key id="{key}" for="{scope}" attr.name="{key}" attr.type="{kind}" />\n')
        fh.write('  <graph edgedefault="directed">\n')
        for n, data in nodes:
            attrs = dict(data)
            evidence = (data.get("details") or {}).get("evidence")
            if evidence:
                attrs["evidence"] = " | ".join(evidence)
            lines = [f'    <node id="{_xml(n)}">', *_graphml_data(attrs, ("kind", "label", "details", "facts", "evidence")),
                     "    </node>"]
            fh.write("\n".join(lines) + "\n")
            n_nodes += 1
        for u, v, k, data in edges:
            lines = [f'    <edge source="{_xml(u)}" target="{_xml(v)}" id="{_xml(k)}">',
                     *_graphml_data(data, ("relation", "label", "details")), "    </edge>"]
            fh.write("\n".join(lines) + "\n")
            n_edges += 1
        fh.write("  </graph>\n</graphml>\n")
    log.info("GraphML written to %s (%d nodes, %d edges)", path, n_nodes, n_edges)
    return Path(path)
