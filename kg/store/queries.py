"""Run the canned questions in ``queries/*.rq`` (or any SPARQL) against the built graph.

Each ``.rq`` file starts with a header of ``#+`` comment lines that any SPARQL tool ignores::

    #+ summary: Ofsted ratings of each council's children's services, by year.
    #+ param: council ?councilName A council's name or alias, matched case-insensitively.

``summary`` is required. Each ``param`` line declares an optional parameter: its name on the
command line (``--param council=Bradford``), the query variable it binds, and a description.

Parameters are bound safely: the value becomes an RDF literal given to pyoxigraph's
``substitutions`` (SPARQL SEP-0007), never pasted into the query text, so a value such as
``Bradford" } ; DROP ALL ; #`` is just a string that matches nothing. Two rules follow from
how pyoxigraph implements substitution, and the ``.rq`` files obey them:

- the parameter variable must be in the SELECT projection (the runner hides that column);
- "no value given" is tested with ``COALESCE(?var, "") = ""``, not ``!BOUND(?var)``: the query
  optimiser folds ``BOUND`` of a variable that the pattern never binds to a constant before the
  substitution is applied.

Queries run on the store's default graph, which holds the union of all graphs as a set (the
triples of ``graph.ttl``, see kg.store); ``GRAPH ?g`` reaches each article's own graph.

>>> header = parse_header('#+ summary: Ratings.\\n#+ param: council ?councilName A council.\\nSELECT ...')
>>> header.summary, header.params[0].name, header.params[0].variable
('Ratings.', 'council', 'councilName')
>>> print(format_result(["council", "year"], [["Bradford", "2018"], ["Wakefield", ""]]))
council    year
---------  ----
Bradford   2018
Wakefield
(2 rows)
"""
from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

import pyoxigraph as ox

from kg.graph.namespaces import PREFIXES

from kg import config
from kg.store.local import open_store

_HEADER = re.compile(r"^\s*#\+\s*(?P<key>[A-Za-z_][\w-]*)\s*:\s*(?P<value>.*?)\s*$")
_PARAM = re.compile(r"^(?P<name>[A-Za-z_][\w-]*)\s+[?$](?P<var>[A-Za-z_]\w*)\s*(?P<description>.*)$")


class ResultFormat(str, Enum):
    """Output formats of :func:`format_result`."""

    TABLE = "table"  # aligned plain text for a terminal
    CSV = "csv"  # RFC 4180 (CRLF line ends), header row first
    JSON = "json"  # a JSON array of objects, one per row, keyed by column name


@dataclass(frozen=True)
class Param:
    """An optional query parameter declared by a ``#+ param:`` header line."""

    name: str  # as given on the command line: --param council=Bradford
    variable: str  # the SPARQL variable it binds, without "?"
    description: str = ""


@dataclass(frozen=True)
class Header:
    summary: str | None
    params: tuple[Param, ...] = ()


@dataclass
class Query:
    """One canned question: a ``queries/*.rq`` file."""

    name: str  # file stem, e.g. "ratings-by-council-and-year"
    summary: str
    text: str
    path: Path | None = None
    params: tuple[Param, ...] = field(default_factory=tuple)


def parse_header(text: str) -> Header:
    """Read the ``#+ key: value`` lines of a query (anywhere before the first non-comment line)."""
    summary: str | None = None
    params: list[Param] = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            break
        match = _HEADER.match(line)
        if not match:
            continue
        key, value = match["key"].lower(), match["value"]
        if key == "summary":
            summary = value
        elif key == "param":
            pm = _PARAM.match(value)
            if not pm:
                raise ValueError(f"bad '#+ param:' line (want 'name ?variable description'): {line!r}")
            params.append(Param(pm["name"], pm["var"], pm["description"].strip()))
    return Header(summary, tuple(params))


def load_query(path: Path, *, require_summary: bool = True) -> Query:
    """Read one ``.rq`` file; a canned question (``queries/``) must carry a ``#+ summary:``
    header, a user's own file need not (its summary is then its name)."""
    text = Path(path).read_text(encoding="utf-8")
    header = parse_header(text)
    if not header.summary and require_summary:
        raise ValueError(f"{path}: no '#+ summary:' header")
    return Query(name=Path(path).stem, summary=header.summary or Path(path).stem, text=text, path=Path(path),
                 params=header.params)


def load_queries(directory: Path = config.QUERIES) -> list[Query]:
    """Every ``*.rq`` file of ``directory``, sorted by name."""
    return [load_query(p) for p in sorted(Path(directory).glob("*.rq"))]


def _term_text(term: object) -> str:
    """The plain text of an RDF term: an IRI, a literal's lexical form, ``_:id`` for a blank node."""
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, (ox.NamedNode, ox.Literal)):
        return term.value
    return str(term)


def _substitutions(text: str, params: dict[str, str] | None) -> tuple[dict[ox.Variable, ox.Literal], set[str]]:
    """Map ``name=value`` parameters to variable bindings (plain string literals)."""
    declared = {p.name: p.variable for p in parse_header(text).params}
    hidden = set(declared.values())
    subs: dict[ox.Variable, ox.Literal] = {}
    for name, value in (params or {}).items():
        if not isinstance(value, str):
            raise TypeError(f"parameter {name!r} must be a string, not {type(value).__name__}")
        variable = declared.get(name)
        if variable is None:
            if not declared and re.search(rf"[?$]{re.escape(name)}\b", text):
                variable = name  # an ad-hoc query (--sparql) that names the variable itself
            else:
                known = ", ".join(sorted(declared)) or "none"
                raise ValueError(f"unknown parameter {name!r}; this query declares: {known}")
        subs[ox.Variable(variable)] = ox.Literal(value)
        hidden.add(variable)
    return subs, hidden


#: The graph's prefixes, known to every query without PREFIX lines (a query's own PREFIX wins).
PREFIX_IRIS = {prefix: str(ns) for prefix, ns in PREFIXES.items()}
#: An update operation, after the prologue: refused by name, the store is read-only.
_UPDATE = re.compile(
    r"^\s*(?:(?:PREFIX\s+\S*\s*<[^>]*>|BASE\s+<[^>]*>)\s*)*(?P<op>INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b",
    re.IGNORECASE)


def _without_comments(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


def execute(store: ox.Store, text: str, *, params: dict[str, str] | None = None) -> tuple[list[str], list[list[str]]]:
    """Run ``text`` on an open store; see :func:`run_query`. The graph's prefixes (ckg, rdf,
    rdfs, skos, prov, schema, org, foaf, xsd, dcterms, ...) are known without PREFIX lines."""
    update = _UPDATE.match(_without_comments(text))
    if update:
        raise ValueError(f"updates are not allowed: {update.group('op').upper()} would change the graph; "
                         "queries are read-only (SELECT, ASK, CONSTRUCT, DESCRIBE)")
    subs, hidden = _substitutions(text, params)
    try:
        result = store.query(text, substitutions=subs or None, prefixes=PREFIX_IRIS)
    except SyntaxError as exc:  # one line, not the parser's table of expected characters
        raise SyntaxError(f"not a valid SPARQL query: {_first_line(str(exc))}") from None
    except RuntimeError as exc:  # e.g. a parameter variable missing from the SELECT projection
        raise ValueError(f"cannot run query: {exc}") from exc
    if isinstance(result, ox.QueryBoolean):
        return ["ask"], [["true" if bool(result) else "false"]]
    if isinstance(result, ox.QueryTriples):
        return ["subject", "predicate", "object"], [
            [_term_text(t.subject), _term_text(t.predicate), _term_text(t.object)] for t in result
        ]
    names = [v.value for v in result.variables]
    keep = [i for i, n in enumerate(names) if n not in hidden]
    rows = [[_term_text(solution[i]) for i in keep] for solution in result]
    return [names[i] for i in keep], rows


def _first_line(message: str, limit: int = 200) -> str:
    """The SPARQL parser's message in one line, without its tables of expected characters.

    >>> _first_line("error at 1:15: expected one of REDUCED, [_]")
    'error at 1:15: expected REDUCED'
    >>> _first_line("error at 1:34: expected one of Prefix not found, ['%'], [':']")
    'error at 1:34: unknown prefix (known without PREFIX lines: ckg, id, org, prov, schema, skos, dcterms, foaf, rdfs, rdf, owl, xsd, sh)'
    """
    flat = " ".join(message.split())
    m = re.match(r"(?P<at>error at \d+:\d+): expected one of (?P<what>.*)$", flat)
    if not m:
        return flat[:limit] or "syntax error"
    words = [w.strip() for w in re.sub(r"\[[^\]]*\]", "", m.group("what")).split(",") if w.strip()]
    if "Prefix not found" in words:
        return f"{m.group('at')}: unknown prefix (known without PREFIX lines: {', '.join(PREFIX_IRIS)})"
    return (f"{m.group('at')}: expected {' or '.join(words)}" if words else f"{m.group('at')}: unexpected text")[:limit]


def run_query(out_dir: Path, text: str, *, params: dict[str, str] | None = None) -> tuple[list[str], list[list[str]]]:
    """Run a SPARQL query on the graph built in ``out_dir`` (its embedded pyoxigraph store).

    Returns the column names and the rows, each value as plain text: an IRI, a literal's
    lexical form, ``_:id`` for a blank node, ``""`` when unbound. ASK gives one ``ask`` column;
    CONSTRUCT and DESCRIBE give ``subject``, ``predicate``, ``object``. ``params`` bind the
    variables declared by ``#+ param:`` lines (in a query without such lines, the variable of the
    same name) to plain string literals; parameter columns are left out of the result.
    """
    store = open_store(Path(out_dir))
    return execute(store, text, params=params)


def _one_line(value: str, width: int | None) -> str:
    value = " ".join(value.split())
    if width is not None and len(value) > width:
        return value[: max(width - 1, 0)] + "…"
    return value


def format_result(columns: Sequence[str], rows: Sequence[Sequence[str]], fmt: str | ResultFormat = "table", *,
                  max_width: int | None = 80) -> str:
    """Render a result as ``table`` (aligned text; values on one line, cut at ``max_width``
    characters), ``csv`` (RFC 4180) or ``json`` (an array of ``{column: value}`` objects; all
    values are strings, ``""`` when unbound). CSV and JSON are never cut.

    >>> format_result(["a", "b"], [["1", "x, y"]], "csv")
    'a,b\\r\\n1,"x, y"\\r\\n'
    >>> format_result(["a"], [["x"]], "json")
    '[\\n  {\\n    "a": "x"\\n  }\\n]'
    """
    fmt = ResultFormat(fmt)
    if fmt is ResultFormat.CSV:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(columns)
        writer.writerows(rows)
        return buffer.getvalue()
    if fmt is ResultFormat.JSON:
        return json.dumps([dict(zip(columns, row)) for row in rows], ensure_ascii=False, indent=2)
    cells = [[_one_line(v, max_width) for v in row] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(v.ljust(w) for v, w in zip(row, widths)).rstrip() for row in cells]
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(lines)
