"""pandas tables from the graph: the canned queries (or any SPARQL SELECT) with typed columns,
each council's ratings by year, what councils did after what inspectors found (through
``data/response_addresses.json``), and the ratings of the graph against Ofsted's published
record.
"""
from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Union

import pandas as pd
import pyoxigraph as ox
import rdflib

from kg import config
from kg.sources.dates import parse_numeric_date
from kg.store.queries import execute, load_queries

log = logging.getLogger(__name__)

#: An output folder, a graph file, or a graph in memory.
GraphSource = Union[str, os.PathLike, rdflib.Graph]



RESPONSE_ADDRESSES = config.DATA / "response_addresses.json"
#: Ofsted's published outcomes, where the shared reference folder sits beside the project.
OFFICIAL_CSV = config.SHARED / "reference" / "ofsted_csc_ilacs_history.csv"

#: Ofsted's four-point scale, worst first: a rating's position + 1 is its ``rank`` (1 to 4).
RATINGS = ("inadequate", "requires improvement", "good", "outstanding")
#: How failings-by-council names a finding with no council.
SECTOR_WIDE = "(sector-wide)"

#: Outcomes of :func:`compare_with_official`.
AGREE, DISAGREE, NOT_IN_RECORD, NO_YEAR = "agree", "disagree", "not in the record", "no year"

#: Column types of the canned queries' results, by column name (SPARQL variable).
_INT_COLUMNS = frozenset({"year", "articles", "findings", "councilCount", "responses"})
_FLOAT_COLUMNS = frozenset({"amountGBP", "value"})
_BOOL_COLUMNS = frozenset({"isCouncil", "current"})
_DATE_COLUMNS = frozenset({"date", "published"})

_SPARQL = re.compile(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)
_YEAR = re.compile(r"-?\d{4}")
#: Official grade wordings (lower case) and the RatingScheme label each one means.
_OFFICIAL_GRADES = {
    "outstanding": "outstanding",
    "good": "good",
    "requires improvement": "requires improvement",
    "requires improvement to be good": "requires improvement",
    "inadequate": "inadequate",
}


# --------------------------------------------------------------------------------------------
# sources and tables


def load_graph(source: GraphSource) -> rdflib.Graph:
    """The union graph of ``source``: ``OUT/graph.ttl`` for a folder, the file itself for a
    file (format from its suffix), the union of all named graphs for a ``Dataset``."""
    if isinstance(source, rdflib.Graph):
        if isinstance(source, rdflib.graph.ConjunctiveGraph):  # Dataset is a subclass
            union = rdflib.Graph()
            for s, p, o, _ctx in source.quads((None, None, None, None)):
                union.add((s, p, o))
            return union
        return source
    path = Path(source)
    if path.is_dir():
        path = path / "graph.ttl"
    if not path.is_file():
        raise FileNotFoundError(f"no built graph at {path}: run `python build.py build --out DIR` first")
    if path.suffix in (".trig", ".nq"):
        dataset = rdflib.Dataset()
        dataset.parse(path)
        return load_graph(dataset)
    graph = rdflib.Graph()
    graph.parse(path)
    return graph


def _store(source: GraphSource) -> ox.Store:
    """A pyoxigraph store to run SPARQL on: the output folder's persisted store, or an
    in-memory one holding the graph (its union in the default graph, as kg.store does)."""
    if not isinstance(source, rdflib.Graph) and (Path(source) / "graph.trig").is_file():
        from kg.store.local import open_store

        return open_store(Path(source))
    graph = load_graph(source)
    store = ox.Store()
    store.load(graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
    return store


def _query_text(query: str) -> str:
    """The text of a canned query named by its file stem, or ``query`` itself when it is SPARQL."""
    canned = {q.name: q for q in load_queries()}
    if query in canned:
        return canned[query].text
    if _SPARQL.search(query):
        return query
    raise ValueError(f"no query named {query!r}; known: {', '.join(sorted(canned))}")


def _year(value: str) -> int | None:
    match = _YEAR.match(value.strip()) if value else None
    return int(match.group()) if match else None


def typed(df: pd.DataFrame) -> pd.DataFrame:
    """Give a table of plain strings (as kg.store.queries returns them) the obvious column types.

    >>> t = typed(pd.DataFrame({"year": ["2018", ""], "amountGBP": ["1000000", ""], "council": ["Bradford", ""]}))
    >>> [str(t[c].dtype) for c in t], t["year"].tolist()[0], pd.isna(t["council"].iloc[1])
    (['Int64', 'float64', 'string'], 2018, True)
    """
    out = pd.DataFrame(index=df.index)
    for column in df.columns:
        values = df[column].replace("", pd.NA)
        if column in _INT_COLUMNS:
            out[column] = pd.array([None if pd.isna(v) else _year(v) if column == "year" else int(float(v))
                                    for v in values], dtype="Int64")
        elif column in _FLOAT_COLUMNS:
            out[column] = pd.to_numeric(values, errors="coerce").astype("float64")
        elif column in _BOOL_COLUMNS:
            out[column] = pd.array([None if pd.isna(v) else str(v).lower() in ("true", "1") for v in values],
                                   dtype="boolean")
        elif column in _DATE_COLUMNS:
            out[column] = pd.to_datetime(values, errors="coerce", format="ISO8601")
        else:
            out[column] = values.astype("string")
    return out


def frame(source: GraphSource, query: str, /, **params: str) -> pd.DataFrame:
    """Run a canned query (its file stem, e.g. ``"failings-by-council"``) or SPARQL text and
    return the result as a typed DataFrame (see :func:`typed`). ``params`` bind the query's
    declared parameters, e.g. ``frame(out, "failings-by-council", council="Bradford")``.
    Raises ValueError for an unknown query name or parameter."""
    text = _query_text(query)
    columns, rows = execute(_store(source), text, params={k: str(v) for k, v in params.items()} or None)
    return typed(pd.DataFrame(rows, columns=columns, dtype=object))


# --------------------------------------------------------------------------------------------
# ratings over time


def ratings_timeline(source: GraphSource, *, council: str | None = None) -> pd.DataFrame:
    """Each council's ratings by year (oldest first): ``council``, ``year`` (Int64, ``<NA>``
    when the articles give none), ``rating``, ``rank`` (1 inadequate ... 4 outstanding),
    ``inspection_type``, ``date`` and ``articles`` (how many report it)."""
    params = {"council": council} if council else {}
    df = frame(source, "ratings-by-council-and-year", **params)
    df = df.rename(columns={"inspectionType": "inspection_type"})
    df["rank"] = pd.array([RATINGS.index(r) + 1 if r in RATINGS else None for r in df["rating"]], dtype="Int64")
    columns = ["council", "year", "rating", "rank", "inspection_type", "date", "articles"]
    return df[columns].sort_values(["council", "year", "date"], na_position="last", kind="stable").reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# responses and failings


def load_response_addresses(path: Path = RESPONSE_ADDRESSES) -> dict[str, frozenset[str]]:
    """The response type -> failings it addresses mapping (``{"addresses": {type: [failing, ...]}}``).
    Raises ValueError naming the file when the shape is wrong."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    mapping = data.get("addresses") if isinstance(data, dict) else None
    if not isinstance(mapping, dict) or not all(
            isinstance(k, str) and isinstance(v, list) and all(isinstance(x, str) and x for x in v)
            for k, v in mapping.items()):
        raise ValueError(f"{path}: want {{\"addresses\": {{response type: [failing, ...]}}}}")
    return {k: frozenset(v) for k, v in mapping.items()}


def _council_failings(source: GraphSource) -> pd.DataFrame:
    df = frame(source, "failings-by-council")
    return df[df["council"] != SECTOR_WIDE].reset_index(drop=True)


def responses_after_failings(source: GraphSource, mapping: Mapping[str, Iterable[str]] | Path | None = None
                             ) -> pd.DataFrame:
    """For each council and kind of response it made: does it address a failing found there?

    Columns: ``council``, ``response``, ``responses`` (how many were reported), ``amount_gbp``
    (money announced, ``NaN`` when none was stated), ``addresses`` (the failings this kind of
    response is meant to address, from ``mapping``: default ``data/response_addresses.json``),
    ``failings_addressed`` (those of them found at this council) and ``follows_failing``
    (whether there is any). Councils with failings but no response do not appear here; see
    :func:`failing_coverage`.
    """
    table = _mapping(mapping)
    failings = {council: set(group) for council, group in _council_failings(source).groupby("council")["failing"]}
    responses = frame(source, "responses-and-funding")
    rows = []
    for r in responses.itertuples(index=False):
        addresses = sorted(table.get(r.response, ()))
        found = sorted(set(addresses) & failings.get(r.council, set()))
        rows.append({"council": r.council, "response": r.response, "responses": r.responses,
                     "amount_gbp": r.amountGBP, "addresses": addresses, "failings_addressed": found,
                     "follows_failing": bool(found)})
    columns = ["council", "response", "responses", "amount_gbp", "addresses", "failings_addressed", "follows_failing"]
    out = pd.DataFrame(rows, columns=columns)
    out["responses"] = out["responses"].astype("Int64")
    out["amount_gbp"] = out["amount_gbp"].astype("float64")
    out["follows_failing"] = out["follows_failing"].astype("bool")
    return out.sort_values(["council", "response"], kind="stable").reset_index(drop=True)


def failing_coverage(source: GraphSource, mapping: Mapping[str, Iterable[str]] | Path | None = None) -> pd.DataFrame:
    """For each council and failing found there: ``findings``, ``addressed_by`` (the kinds of
    response made by that council that address it, per ``mapping``) and ``addressed``."""
    table = _mapping(mapping)
    failings = _council_failings(source)
    made = {council: set(group) for council, group in frame(source, "responses-and-funding").groupby("council")["response"]}
    rows = []
    for f in failings.itertuples(index=False):
        by = sorted(r for r in made.get(f.council, set()) if f.failing in table.get(r, ()))
        rows.append({"council": f.council, "failing": f.failing, "findings": f.findings,
                     "addressed_by": by, "addressed": bool(by)})
    out = pd.DataFrame(rows, columns=["council", "failing", "findings", "addressed_by", "addressed"])
    out["findings"] = out["findings"].astype("Int64")
    out["addressed"] = out["addressed"].astype("bool")
    return out.sort_values(["council", "findings", "failing"], ascending=[True, False, True],
                           kind="stable").reset_index(drop=True)


def _mapping(mapping: Mapping[str, Iterable[str]] | Path | None) -> dict[str, frozenset[str]]:
    if mapping is None:
        return load_response_addresses()
    if isinstance(mapping, (str, os.PathLike)):
        return load_response_addresses(Path(mapping))
    return {k: frozenset(v) for k, v in mapping.items()}


# --------------------------------------------------------------------------------------------
# the official record


def _official_date(text: object) -> pd.Timestamp | None:
    """A ``dd/mm/yy`` or ``dd/mm/yyyy`` cell; None when blank or unreadable."""
    if not isinstance(text, str) or not text.strip():
        return None
    try:
        return pd.Timestamp(parse_numeric_date(text))
    except ValueError:
        log.warning("official record: not a dd/mm/yy date: %r", text)
        return None


def official_ratings(official_csv: Path = OFFICIAL_CSV, *, gazetteer=None) -> pd.DataFrame:
    """Ofsted's published judgements, one row per report: ``local_authority`` as written,
    ``gss_code`` and ``council`` (resolved with the gazetteer, case-insensitively, for the
    inspection's year), ``start``, ``end``, ``published``, ``year`` (of the inspection's end,
    else of publication), ``framework``, ``rating`` (the overall grade, ``<NA>`` when the record
    has none: unreadable, not reported) and ``link``."""
    from kg.graph.gazetteer import Gazetteer

    gazetteer = gazetteer or Gazetteer.load()
    raw = pd.read_csv(official_csv, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    missing = [c for c in ("local_authority", "inspection_end_date", "publication_date",
                           "overall_effectiveness_grade") if c not in raw.columns]
    if missing:
        raise ValueError(f"{official_csv}: not an official-outcomes table: missing columns {missing}")
    rows = []
    for record in raw.to_dict("records"):
        start = _official_date(record.get("inspection_start_date"))
        end = _official_date(record.get("inspection_end_date"))
        published = _official_date(record.get("publication_date"))
        when = end if end is not None else published
        year = when.year if when is not None else None
        name = record["local_authority"].strip()
        council = gazetteer.resolve(name, year=year, ignore_case=True) if name else None
        grade = " ".join(record["overall_effectiveness_grade"].lower().split())
        rows.append({"local_authority": name, "gss_code": council.code if council else None,
                     "council": council.name if council else None, "start": start, "end": end,
                     "published": published, "year": year,
                     "framework": record.get("inspection_framework") or None,
                     "rating": _OFFICIAL_GRADES.get(grade), "link": record.get("inspection_link") or None})
    out = pd.DataFrame(rows, columns=["local_authority", "gss_code", "council", "start", "end", "published", "year",
                                      "framework", "rating", "link"])
    for column in ("start", "end", "published"):
        out[column] = pd.to_datetime(out[column])
    out["year"] = out["year"].astype("Int64")
    for column in ("local_authority", "gss_code", "council", "framework", "rating", "link"):
        out[column] = out[column].astype("string")
    return out


def compare_with_official(source: GraphSource, official_csv: Path = OFFICIAL_CSV, *, gazetteer=None) -> pd.DataFrame:
    """Each rating the graph holds next to the official record of the same council and year.

    One row per inspection of the graph (query ``inspection-claims``): ``council``,
    ``gss_code``, ``year``, ``rating``, ``inspection_type``, ``sources``, ``evidence``, then the
    record's ``official_rating``, ``official_end`` and ``official_link``, and the ``outcome``:

    - ``agree``: a report of that council whose inspection ended that year (or, failing that,
      was published that year) gives the same overall grade;
    - ``disagree``: it gives another grade;
    - ``not in the record``: the record has no graded report of that council that year (the
      ``note`` says whether it has an ungraded one, or does not know the council at all);
    - ``no year``: the articles give no year, so there is nothing to match.

    Monitoring and focused visits give no grade of their own: the ``note`` says so. For a
    finer match (by date, the judgement in force, sub-judgements) see kg.analysis.crosscheck.
    """
    from kg.graph.gazetteer import Gazetteer

    gazetteer = gazetteer or Gazetteer.load()
    official = official_ratings(official_csv, gazetteer=gazetteer)
    claims = frame(source, "inspection-claims")
    rows = []
    for claim in claims.to_dict("records"):
        code = claim["gssCode"]
        if pd.isna(code):
            found = gazetteer.resolve(str(claim["council"]), ignore_case=True)
            code = found.code if found else None
        year = claim["year"]
        record = official[official["gss_code"] == code] if code else official.iloc[0:0]
        matches = record.iloc[0:0]
        if not pd.isna(year):
            matches = record[record["end"].dt.year == year]
            if matches.empty:
                matches = record[record["end"].isna() & (record["published"].dt.year == year)]
        graded = matches[matches["rating"].notna()]
        note = ""
        official_rating = official_end = official_link = None
        if pd.isna(year):
            outcome = NO_YEAR
            note = "the articles give no year for this rating"
        elif graded.empty:
            outcome = NOT_IN_RECORD
            if record.empty:
                note = "the record has no report of this council"
            elif not matches.empty:
                note = f"the record's {year} report has no readable grade"
                official_link = matches.iloc[0]["link"]
            else:
                note = f"the record has no report of this council in {year}"
        else:
            same = graded[graded["rating"] == claim["rating"]]
            best = (same if not same.empty else graded).sort_values("end").iloc[-1]
            outcome = AGREE if not same.empty else DISAGREE
            official_rating, official_end, official_link = best["rating"], best["end"], best["link"]
        if isinstance(claim["inspectionType"], str) and claim["inspectionType"] in ("monitoring visit", "focused visit"):
            note = (note + "; " if note else "") + f"a {claim['inspectionType']} gives no grade of its own"
        rows.append({"council": claim["council"], "gss_code": code, "year": year, "rating": claim["rating"],
                     "inspection_type": claim["inspectionType"], "sources": claim["sources"],
                     "evidence": claim["evidence"], "official_rating": official_rating,
                     "official_end": official_end, "official_link": official_link, "outcome": outcome, "note": note})
    columns = ["council", "gss_code", "year", "rating", "inspection_type", "sources", "evidence",
               "official_rating", "official_end", "official_link", "outcome", "note"]
    out = pd.DataFrame(rows, columns=columns)
    out["year"] = out["year"].astype("Int64")
    out["official_end"] = pd.to_datetime(out["official_end"])
    for column in ("council", "gss_code", "rating", "inspection_type", "sources", "evidence", "official_rating",
                   "official_link", "outcome", "note"):
        out[column] = out[column].astype("string")
    return out.sort_values(["council", "year"], na_position="last", kind="stable").reset_index(drop=True)
