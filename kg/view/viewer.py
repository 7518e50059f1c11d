"""Projection -> pyvis HTML viewer.

The viewer is one self-contained HTML file written by pyvis through our own template
(``kg/view/templates/viewer.html``): vis-network's JS and CSS are inlined from pyvis's package
files and nothing is fetched from the network. Article text reaches the page only as JSON
(escaped so that it cannot close a ``<script>`` element), as vis-network labels (drawn on a
canvas) and as plain-text tooltips (vis-network 9 sets a string title with ``innerText``);
the side panel renders it with ``textContent`` only. Node shapes and colours are the
``data/node_styles.json`` table, kept apart from graph logic.
"""
from __future__ import annotations

import json
import logging
import math
import re
from collections import defaultdict
from importlib import resources
from pathlib import Path
from typing import Any

import networkx as nx
import rdflib

from kg import config
from kg.files import atomic_write
from kg.view.layout import LAYOUT_SEED, LAYOUT_THRESHOLD, _layout
from kg.view.project import _KIND_RANK, KINDS, _short, project

log = logging.getLogger(__name__)

Details = dict[str, Any]



#: The NODE_STYLES table (shape and colour per kind), kept apart from graph logic.
STYLES_PATH = config.DATA / "node_styles.json"
TEMPLATES = Path(str(resources.files("kg.view") / "templates"))
TEMPLATE_NAME = "viewer.html"

_GLYPHS = {
    "dot": "\u25cf",
    "square": "\u25a0",
    "star": "\u2605",
    "triangle": "\u25b2",
    "triangleDown": "\u25bc",
    "diamond": "\u25c6",
    "hexagon": "\u2b22",
}
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


# --------------------------------------------------------------------------------------------
# styles


def load_styles(path: Path = STYLES_PATH) -> dict[str, Any]:
    """Read and check the NODE_STYLES table: every kind has a known shape and a #rrggbb colour."""
    styles = json.loads(Path(path).read_text(encoding="utf-8"))
    kinds = styles.get("kinds", {})
    missing = [k for k in KINDS if k not in kinds]
    if missing:
        raise ValueError(f"{path}: no style for kinds {missing}")
    colours = [s["colour"] for s in kinds.values()]
    colours += list(styles.get("rating_colours", {}).values())
    colours += [styles.get("edge_colour", "#999999"), styles.get("highlight_colour", "#ffd400")]
    for kind, style in kinds.items():
        if style.get("shape") not in _GLYPHS:
            raise ValueError(f"{path}: kind {kind!r} has shape {style.get('shape')!r}; known: {sorted(_GLYPHS)}")
    bad = [c for c in colours if not _COLOUR.match(str(c))]
    if bad:
        raise ValueError(f"{path}: colours must be #rrggbb, got {bad}")
    return styles


# --------------------------------------------------------------------------------------------
# the viewer


def _script_json(data: Any) -> str:
    """JSON that is safe inside a <script> element: no '<', '>' or '&' appears literally, so
    neither '</script>' nor '<!--' in article text can end or confuse the element."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(ch, esc)
    return text


def _str(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)


def _split_details(details: Details, page_id: dict[str, str]) -> dict[str, Any]:
    """Details as the page wants them: ordered [key, value] rows, evidence, sources (each
    with ``a``, the page id of its article when the article is drawn)."""
    rows = []
    for key, value in details.items():
        if key in ("evidence", "sources") or value in (None, "", []):
            continue
        rows.append([key, "; ".join(map(str, value)) if isinstance(value, list) else str(value)])
    return {
        "d": rows,
        "ev": [str(e) for e in details.get("evidence", [])],
        "src": [
            {**{k: str(v) for k, v in s.items() if k != "article"}, "a": page_id.get(s.get("article", ""), "")}
            for s in details.get("sources", [])
        ],
    }


def _tooltip(label: str, kind_label: str, details: Details) -> str:
    """A short plain-text tooltip (vis-network shows a string title as text, not HTML)."""
    lines = [_short(label, 80), kind_label]
    for key, value in details.items():
        if key in ("iri", "sources", "evidence", "rule") or value in (None, "", []):
            continue
        text = "; ".join(map(str, value)) if isinstance(value, list) else str(value)
        lines.append(f"{key}: {_short(text, 80)}")
        if len(lines) >= 5:
            break
    evidence = details.get("evidence") or []
    if evidence:
        lines.append("\u201c" + _short(str(evidence[0]), 100) + "\u201d")
    lines.append("(click for details)")
    return "\n".join(lines)


def _filter_sets(proj: nx.MultiDiGraph) -> dict[str, dict[str, list[str]]]:
    """Per node: the councils, inspection ratings and years it belongs with, for the filters.

    A node's own values come from itself and its direct neighbours (a fact's council, an
    inspection's rating, an article's publication year); other nodes (concepts, people,
    quotations, articles) also take those of their neighbours, one step further.
    """
    kind = dict(proj.nodes(data="kind"))
    nbrs = {n: sorted(set(proj.successors(n)) | set(proj.predecessors(n))) for n in proj}

    def own_year(n: str) -> set[str]:
        d = proj.nodes[n]["details"]
        if kind[n] == "article":
            return {d["published"][:4]} if d.get("published") else set()
        if d.get("year"):
            return {str(d["year"])[:4]}
        return {s["date"][:4] for s in d.get("sources", []) if s.get("date")}

    direct_c = {n: ({n} if kind[n] == "council" else {v for v in nbrs[n] if kind[v] == "council"}) for n in proj}
    direct_y = {n: own_year(n) for n in proj}
    councils: dict[str, set[str]] = {}
    years: dict[str, set[str]] = {}
    for n in proj:
        c, y = set(direct_c[n]), set(direct_y[n])
        if kind[n] != "council":
            for v in nbrs[n]:
                if kind[v] not in ("rating", "failing", "organisation"):
                    c |= direct_c[v]
        for v in nbrs[n]:
            if kind[n] in ("council", "rating", "failing", "person", "organisation") or not y:
                y |= direct_y[v]
        councils[n], years[n] = c, y
    council_ratings: dict[str, set[str]] = defaultdict(set)
    for n in proj:
        if kind[n] == "inspection":
            for c in councils[n]:
                council_ratings[c].add(proj.nodes[n]["details"].get("rating", ""))
        elif kind[n] == "council":  # the overview links councils to their ratings directly
            council_ratings[n].update(proj.nodes[v]["label"] for v in proj.successors(n) if kind[v] == "rating")
    result: dict[str, dict[str, list[str]]] = {}
    for n in proj:
        if kind[n] == "inspection":
            ratings = {proj.nodes[n]["details"].get("rating", "")}
        elif kind[n] == "rating":
            ratings = {proj.nodes[n]["label"]}
        else:
            ratings = set().union(*(council_ratings[c] for c in councils[n])) if councils[n] else set()
        result[n] = {"c": sorted(councils[n]), "r": sorted(r for r in ratings if r), "y": sorted(years[n])}
    return result


def _search_text(proj: nx.MultiDiGraph, n: str) -> str:
    d = proj.nodes[n]["details"]
    parts = [str(proj.nodes[n]["label"])]
    for key in ("name", "also known as", "GSS code", "headline", "quote"):
        v = d.get(key)
        if v:
            parts.extend(v if isinstance(v, list) else [v])
    return " | ".join(parts).casefold()


def _council_size(facts: int, base: float) -> float:
    return round(min(base + 5.0 * math.sqrt(max(facts, 0)), 70.0), 1)


def _vis_options(styles: dict[str, Any], *, large: bool) -> dict[str, Any]:
    """vis-network options: one group per kind (so nodes carry no style of their own), seeded
    layout, and for large graphs no physics, straight edges and edges hidden while moving."""
    highlight = styles.get("highlight_colour", "#ffd400")
    groups = {}
    for kind, style in styles["kinds"].items():
        groups[kind] = {
            "shape": style["shape"],
            "size": style.get("size", 12),
            "color": {"background": style["colour"], "border": "#333333",
                      "highlight": {"background": highlight, "border": "#000000"},
                      "hover": {"background": style["colour"], "border": "#000000"}},
        }
    groups["council"]["font"] = {"size": 16, "strokeWidth": 3, "strokeColor": "#ffffff"}
    options: dict[str, Any] = {
        "autoResize": True,
        "groups": groups,
        "layout": {"randomSeed": LAYOUT_SEED, "improvedLayout": not large},
        "interaction": {"hover": True, "tooltipDelay": 120, "hideEdgesOnDrag": large,
                        "hideEdgesOnZoom": large, "multiselect": False},
        "nodes": {"borderWidth": 1, "font": {"size": 12, "face": "sans-serif"}},
        "edges": {
            "arrows": {"to": {"enabled": True, "scaleFactor": 0.45}},
            "color": {"color": styles.get("edge_colour", "#999999"), "highlight": "#333333", "hover": "#555555"},
            "font": {"size": 9, "color": "#555555", "strokeWidth": 2, "align": "middle"},
            "smooth": False if large else {"enabled": True, "type": "continuous", "roundness": 0.3},
            "width": 1,
        },
    }
    if large:
        options["physics"] = {"enabled": False}
    else:
        options["physics"] = {
            "enabled": True,
            "solver": "forceAtlas2Based",
            "forceAtlas2Based": {"gravitationalConstant": -70, "springLength": 110, "avoidOverlap": 0.4},
            "stabilization": {"enabled": True, "iterations": 400, "fit": True},
        }
    return options


def _build_network(proj: nx.MultiDiGraph, styles: dict[str, Any], title: str) -> Any:
    """A pyvis Network holding the projection, set to render through our template.

    Node ids on the page are short (``n0``, ``n1``, ... in a fixed order) so that a
    5,000-node page stays small; each node's IRI is among its details.
    """
    from jinja2 import Environment, FileSystemLoader, select_autoescape
    from pyvis.network import Network

    kinds = styles["kinds"]
    rating_colours = {k.casefold(): v for k, v in styles.get("rating_colours", {}).items()}
    large = proj.number_of_nodes() > LAYOUT_THRESHOLD
    positions = _layout(proj) if large else {}
    filters = _filter_sets(proj)
    order = sorted(proj, key=lambda n: (_KIND_RANK.get(proj.nodes[n]["kind"], 99), n))
    pid = {n: f"n{i}" for i, n in enumerate(order)}

    net = Network(height="100%", width="100%", directed=True, cdn_resources="in_line", heading=title)
    page_nodes: dict[str, Any] = {}
    for n in order:
        data = proj.nodes[n]
        kind = data["kind"] if data["kind"] in kinds else "article"
        label = str(data["label"])
        opts: dict[str, Any] = {
            "group": kind,
            "title": _tooltip(label, kinds[kind]["label"], data["details"]),
        }
        if kind == "council":
            opts["size"] = _council_size(int(data.get("facts", 0)), float(kinds[kind].get("size", 20)))
        if kind == "rating" and label.casefold() in rating_colours:
            opts["color"] = rating_colours[label.casefold()]
        if n in positions:
            opts["x"], opts["y"] = positions[n]
        net.add_node(pid[n], label=_short(label, 48), shape=kinds[kind]["shape"], **opts)
        page_nodes[pid[n]] = {
            "k": kind,
            "l": label,
            "s": _search_text(proj, n),
            "c": [pid[c] for c in filters[n]["c"]],
            "r": filters[n]["r"],
            "y": filters[n]["y"],
            **_split_details(data["details"], pid),
        }

    # parallel edges with the same relation become one drawn edge that lists each fact
    grouped: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for u, v, _k, d in proj.edges(keys=True, data=True):
        grouped[(u, v, str(d["label"]))].append(d)
    page_edges: dict[str, Any] = {}
    for i, ((u, v, label), ds) in enumerate(sorted(grouped.items())):
        eid = f"e{i}"
        shown = label if len(ds) == 1 else f"{label} \u00d7{len(ds)}"
        opts = {"id": eid}
        if not large:  # on a large page the panel, not 10,000 labels, tells what an edge is
            opts["label"] = _short(shown, 40)
            opts["title"] = f"{_short(str(proj.nodes[u]['label']), 60)} \u2192 {shown} \u2192 {_short(str(proj.nodes[v]['label']), 60)}"
        net.add_edge(pid[u], pid[v], **opts)
        facts = [_split_details(d["details"], pid) for d in ds if d.get("details")]
        page_edges[eid] = {"f": pid[u], "t": pid[v], "l": shown, "facts": facts}
    net.options = _vis_options(styles, large=large)

    counts = defaultdict(int)
    for n in order:
        counts[proj.nodes[n]["kind"]] += 1
    legend = [
        {"kind": k, "label": kinds[k]["label"], "colour": kinds[k]["colour"], "glyph": _GLYPHS[kinds[k]["shape"]],
         "count": counts[k]}
        for k in KINDS
    ]
    blob = {
        "nodes": page_nodes,
        "edges": page_edges,
        "order": [pid[n] for n in order],
        "kinds": {k: kinds[k]["label"] for k in KINDS},
        "focus": pid.get(proj.graph.get("focus", ""), ""),
        "large": large,
    }
    vis_dir = _vis_dir()
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]),
                      keep_trailing_newline=True)
    env.globals.update(
        kg_json=_script_json(blob),
        legend=legend,
        rating_legend=[{"label": k, "colour": c} for k, c in styles.get("rating_colours", {}).items()],
        vis_js=(vis_dir / "vis-network.min.js").read_text(encoding="utf-8"),
        vis_css=(vis_dir / "vis-network.css").read_text(encoding="utf-8"),
    )
    net.templateEnv = env  # what pyvis's own set_template_dir does, with autoescaping on
    net.path = TEMPLATE_NAME
    return net


def _vis_dir() -> Path:
    """vis-network as shipped inside the pyvis package (nothing is fetched at run time)."""
    import pyvis

    lib = Path(pyvis.__file__).resolve().parent / "templates" / "lib"
    for name in ("vis-9.1.2", *sorted((p.name for p in lib.glob("vis-*")), reverse=True)):
        if (lib / name / "vis-network.min.js").is_file():
            return lib / name
    raise FileNotFoundError(f"vis-network not found under {lib}")


def viewer_html(graph: rdflib.Graph, *, council: str | None = None, title: str = "Council KG") -> str:
    """The viewer page as a string (what :func:`write_viewer` writes)."""
    proj = project(graph, council=council)
    return render_projection(proj, title=title)


def render_projection(proj: nx.MultiDiGraph, *, title: str = "Council KG") -> str:
    """The viewer page for an already projected graph."""
    styles = load_styles()
    net = _build_network(proj, styles, title)
    return net.generate_html()


def write_viewer(graph: rdflib.Graph, path: Path, *, council: str | None = None, title: str = "Council KG") -> Path:
    """Write the self-contained viewer page to ``path`` (atomically) and return the path.

    The same graph always gives a byte-identical file. With ``council=`` the page shows that
    council's neighbourhood (see :func:`project`).
    """
    html = viewer_html(graph, council=council, title=title)
    out = atomic_write(Path(path), html)
    log.info("viewer written to %s (%d bytes)", out, len(html.encode("utf-8")))
    return out
