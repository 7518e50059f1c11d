"""The graph against the official record (:mod:`kg.analysis.official`): where the news (or a
report read into the graph) says something else.

* :func:`crosscheck` links every inspection of the graph that a document states to the official
  judgement of the same council and date (or year; or, for a claim without a year, the judgement
  current when the document was written) and says whether they agree, disagree, or the record
  shows no such inspection: one :class:`Discrepancy` per claim (and per sub-judgement).
* :func:`run` is the command: it reads a built graph, adds the official record and the links to
  it, and writes ``crosscheck.csv`` and ``crosscheck.json`` beside it.
* :func:`keep_layer` and :func:`apply_layer` keep the record as a layer of the build, added
  again by every build that writes the graph.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import logging
import re
import warnings
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path

from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import PROV, RDF, SKOS

from kg.analysis.official import (
    AREA_COLUMNS,
    COLUMNS,
    NOT_REPORTED,
    OVERALL,
    RATINGS,
    UNGRADED_TYPES,
    OfficialJudgement,
    official_graph,
    official_node,
    parse_official_date,
    read_official,
    source_node,
)
from kg.files import atomic_write
from kg.graph.facts import EARLIER_FRAMEWORK
from kg.graph.gazetteer import Gazetteer
from kg.graph.namespaces import (
    CKG,
    SCHEMA,
    bind_prefixes,
    concept_iri,
    graph_iri,
)

log = logging.getLogger(__name__)



#: How far the date a document gives may lie from the official inspection's last day.
DATE_TOLERANCE = dt.timedelta(days=75)

AGREES, DISAGREES, NOT_IN_RECORD, NO_GRADE, UNKNOWN_COUNCIL, UNGRADED = (
    "agrees", "disagrees", "not in record", "record has no grade", "council not in record", "ungraded visit")


# --------------------------------------------------------------------------------------------
# Claims: what the graph says


@dataclass(frozen=True)
class Source:
    node: str
    file: str | None
    kind: str  # "news", "inspection-report", "official"
    published: dt.date | None


@dataclass(frozen=True)
class Claim:
    """One inspection as the graph states it, with the documents that state it."""

    node: str
    council: str
    rating: str | None
    year: int | None
    date: dt.date | None
    inspection_type: str | None
    judgements: tuple[tuple[str, str], ...]
    sources: tuple[Source, ...]
    evidence: tuple[str, ...]


def _label(graph: Graph, concept, scheme: str, known: tuple[str, ...] = ()) -> str | None:
    if concept is None:
        return None
    for label in known:
        if concept == concept_iri(scheme, label):
            return label
    pref = graph.value(concept, SKOS.prefLabel)
    if pref is not None:
        return str(pref)
    return str(concept).rsplit("#", 1)[-1].removeprefix(f"{scheme}-").replace("-", " ")


def _date(value) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _year(value) -> int | None:
    if value is None:
        return None
    m = re.match(r"-?\d{4}", str(value))
    return int(m.group()) if m else None


def _council_code(graph: Graph, node) -> str | None:
    if node is None:
        return None
    code = graph.value(node, CKG.gssCode)
    if code is not None:
        return str(code)
    return str(node).rsplit("/", 1)[-1]


def claims(graph: Graph) -> list[Claim]:
    """Every ckg:Inspection the graph's documents state (not those of an official record)."""
    types = ("ILACS inspection", "short inspection", "single inspection framework inspection", "full inspection",
             "monitoring visit", "focused visit", "joint targeted area inspection", "unannounced inspection")
    out: list[Claim] = []
    for node in sorted(set(graph.subjects(RDF.type, CKG.Inspection)), key=str):
        sources = []
        for doc in graph.objects(node, PROV.wasDerivedFrom):
            if (doc, RDF.type, CKG.OfficialRecord) in graph:
                continue
            kind = "inspection-report" if (doc, RDF.type, CKG.InspectionReport) in graph else "news"
            file = graph.value(doc, CKG.sourceFile)
            sources.append(Source(str(doc), str(file) if file is not None else None, kind,
                                  _date(graph.value(doc, SCHEMA.datePublished))))
        if not sources:
            continue
        council = _council_code(graph, graph.value(node, CKG.council))
        if council is None:
            continue
        parts = []
        for part in graph.objects(node, CKG.subJudgement):
            area, rating = graph.value(part, CKG.judgementArea), graph.value(part, CKG.rating)
            if area is not None and rating is not None:
                parts.append((str(area), _label(graph, rating, "rating", RATINGS)))
        out.append(Claim(
            node=str(node), council=council,
            rating=_label(graph, graph.value(node, CKG.rating), "rating", RATINGS),
            year=_year(graph.value(node, CKG.year)), date=_date(graph.value(node, CKG.date)),
            inspection_type=_label(graph, graph.value(node, CKG.inspectionType), "inspectiontype", types),
            judgements=tuple(sorted(parts)), sources=tuple(sorted(sources, key=lambda s: (s.file or "", s.node))),
            evidence=tuple(sorted(str(e) for e in graph.objects(node, CKG.evidence))),
        ))
    return out


# --------------------------------------------------------------------------------------------
# Matching and comparing


@dataclass(frozen=True)
class Discrepancy:
    """One comparison of a claim (or one of its sub-judgements) with the official record."""

    outcome: str  # agrees, disagrees, not in record, record has no grade, council not in record, ungraded visit
    council: str
    council_name: str
    area: str  # "overall effectiveness" or a sub-judgement's area
    claimed: str | None  # the graph's grade (None: no overall grade)
    official: str | None  # the record's grade, or its marker (data_unreadable, ...)
    claim_year: int | None
    claim_date: dt.date | None
    inspection_type: str | None
    official_start: dt.date | None
    official_end: dt.date | None
    official_published: dt.date | None
    matched_by: str | None  # "date", "year", "current at <date>"
    sources: tuple[str, ...]  # source files that state the claim
    source_kinds: tuple[str, ...]
    evidence: str
    official_evidence: str | None
    official_link: str | None
    claim_node: str
    official_node: str | None
    note: str = ""

    def as_row(self) -> dict[str, str]:
        row = {}
        for key, value in asdict(self).items():
            if isinstance(value, tuple):
                value = "; ".join(value)
            elif isinstance(value, dt.date):
                value = value.isoformat()
            row[key] = "" if value is None else str(value)
        return row


def match_official(claim: Claim, rows: list[OfficialJudgement], at: dt.date | None = None
                   ) -> tuple[OfficialJudgement | None, str | None]:
    """The official judgement a claim speaks of, and how it was found.

    With a date: the inspection that ran over it, else the one that ended (or was published)
    nearest to it within :data:`DATE_TOLERANCE`. With a year: the inspection that ended that
    year, else the one published that year. A monitoring or focused visit, or a claim with
    neither (then ``at``, its document's date, is used): the judgement in force at the time,
    the latest published on or before it.
    """
    dated = [r for r in rows if r.date is not None]
    if not dated:
        return None, None
    in_force_at = None
    if claim.inspection_type in UNGRADED_TYPES:
        in_force_at = claim.date or (dt.date(claim.year, 12, 31) if claim.year else at)
    elif claim.date is not None:
        for row in dated:
            if row.start and row.end and row.start <= claim.date <= row.end:
                return row, "date"
        near = [(min(abs((d - claim.date).days) for d in (row.end, row.published) if d), row) for row in dated]
        near = [(days, row) for days, row in near if days <= DATE_TOLERANCE.days]
        if near:
            return min(near, key=lambda x: (x[0], x[1].line))[1], "date"
        return None, "date"
    elif claim.year is not None:
        for key in (lambda r: r.end.year if r.end else None, lambda r: r.published.year if r.published else None):
            same = [r for r in dated if key(r) == claim.year]
            if same:
                graded = [r for r in same if r.overall == claim.rating] or same
                return max(graded, key=lambda r: r.date), "year"
        return None, "year"
    else:
        in_force_at = at
    if in_force_at is None:
        return None, None
    before = [r for r in dated if (r.published or r.date) <= in_force_at]
    if not before:
        return None, f"current at {in_force_at.isoformat()}"
    return max(before, key=lambda r: (r.published or r.date, r.line)), f"current at {in_force_at.isoformat()}"


def _compare(claimed: str | None, row: OfficialJudgement, area: str) -> tuple[str, str | None]:
    official = row.grade(area)
    if official is not None:
        return (AGREES if claimed == official else DISAGREES), official
    marker = row.marker(area) or "blank"
    if area == OVERALL and marker == NOT_REPORTED:
        return (AGREES if claimed is None else DISAGREES), marker
    return NO_GRADE, marker


def crosscheck(graph: Graph, rows: list[OfficialJudgement], gazetteer: Gazetteer) -> list[Discrepancy]:
    """Compare every inspection the graph's documents state with the official record.

    One Discrepancy per claim for its overall grade, plus one per sub-judgement the claim and
    the record both name; a claim without a year is checked once per document, against the
    judgement in force when that document was published.
    """
    by_council: dict[str, list[OfficialJudgement]] = defaultdict(list)
    for row in rows:
        if row.council:
            by_council[row.council].append(row)
    out: list[Discrepancy] = []
    for claim in claims(graph):
        council = gazetteer.by_code(claim.council)
        name = council.name if council else claim.council
        groups: list[tuple[tuple[Source, ...], dt.date | None]]
        if claim.date is None and claim.year is None:
            groups = [((s,), s.published) for s in claim.sources]
        else:
            groups = [(claim.sources, None)]
        for sources, at in groups:
            candidates = by_council.get(claim.council, [])
            row, how = match_official(claim, candidates, at)

            def make(outcome: str, area: str, claimed: str | None, official: str | None, note: str = "") -> Discrepancy:
                return Discrepancy(
                    outcome=outcome, council=claim.council, council_name=name, area=area, claimed=claimed,
                    official=official, claim_year=claim.year, claim_date=claim.date,
                    inspection_type=claim.inspection_type,
                    official_start=row.start if row else None, official_end=row.end if row else None,
                    official_published=row.published if row else None, matched_by=how if row else None,
                    sources=tuple(s.file or s.node for s in sources), source_kinds=tuple(sorted({s.kind for s in sources})),
                    evidence=claim.evidence[0] if claim.evidence else "",
                    official_evidence=row.text if row else None, official_link=row.link if row else None,
                    claim_node=claim.node, official_node=str(official_node(row)) if row and official_node(row) else None,
                    note=note,
                )

            if not candidates:
                out.append(make(UNKNOWN_COUNCIL, OVERALL, claim.rating, None,
                                "the record has no judgement of this council"))
                continue
            if row is None:
                when = claim.date.isoformat() if claim.date else (str(claim.year) if claim.year else
                                                                   (f"before {at.isoformat()}" if at else "undated"))
                out.append(make(NOT_IN_RECORD, OVERALL, claim.rating, None,
                                f"no official judgement of {name} matches {when}"))
                continue
            if claim.rating is None and claim.inspection_type in UNGRADED_TYPES:
                out.append(make(UNGRADED, OVERALL, None, row.overall or row.cell(OVERALL),
                                f"a {claim.inspection_type} gives no grade; the judgement in force is shown"))
                continue
            if claim.rating == EARLIER_FRAMEWORK:
                out.append(make(NOT_IN_RECORD, OVERALL, claim.rating, None,
                                "a grade of an earlier framework (\"adequate\"): the record holds the four-point scale only"))
                continue
            note = ""
            if claim.date and row.end and claim.date != row.end and not (row.start and row.start <= claim.date <= row.end):
                note = f"date differs: the record's inspection ended {row.end.isoformat()}"
            outcome, official = _compare(claim.rating, row, OVERALL)
            if claim.inspection_type in UNGRADED_TYPES:
                note = (note + "; " if note else "") + f"a {claim.inspection_type} gives no grade: compared with the judgement in force"
            out.append(make(outcome, OVERALL, claim.rating, official, note))
            for area, claimed in claim.judgements:
                if area not in AREA_COLUMNS or area == OVERALL:
                    continue
                sub_outcome, sub_official = _compare(claimed, row, area)
                if sub_outcome == NO_GRADE and area in ("children in care", "children in care and care leavers"):
                    other = "children in care and care leavers" if area == "children in care" else "children in care"
                    sub_outcome, sub_official = _compare(claimed, row, other)
                out.append(make(sub_outcome, area, claimed, sub_official))
    out.sort(key=lambda d: (d.council_name, d.claim_year or 0, str(d.claim_date or ""), d.area != OVERALL, d.area, d.sources))
    return out


def link_graph(discrepancies: list[Discrepancy]) -> Graph:
    """``claim ckg:officialJudgement official`` for every claim matched to a row."""
    g = Graph()
    bind_prefixes(g)
    for d in discrepancies:
        if d.official_node and d.area == OVERALL and d.outcome != UNGRADED:
            g.add((URIRef(d.claim_node), CKG.officialJudgement, URIRef(d.official_node)))
    return g


# --------------------------------------------------------------------------------------------
# Output


FIELDS = tuple(Discrepancy.__dataclass_fields__)


def to_csv(discrepancies: list[Discrepancy]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    for d in discrepancies:
        writer.writerow(d.as_row())
    return buffer.getvalue()


def to_json(discrepancies: list[Discrepancy]) -> str:
    counts = Counter(d.outcome for d in discrepancies)
    return json.dumps({"counts": dict(sorted(counts.items())),
                       "discrepancies": [d.as_row() for d in discrepancies]}, indent=2, ensure_ascii=False) + "\n"


def format_table(discrepancies: list[Discrepancy], *, agreements: bool = False) -> str:
    """A plain-text table of the disagreements and unverifiable claims (all rows with
    ``agreements``), then the counts of each outcome."""
    shown = [d for d in discrepancies if agreements or d.outcome != AGREES]
    header = ("outcome", "council", "area", "graph", "record", "year/date", "sources")
    rows = [(d.outcome, d.council_name, d.area, d.claimed or "(none)", d.official or "-",
             str(d.claim_date or d.claim_year or "-"), ", ".join(d.sources)[:60]) for d in shown]
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip() for r in [header, *rows]]
    counts = Counter(d.outcome for d in discrepancies)
    lines.append("")
    lines.append(", ".join(f"{k}: {v}" for k, v in sorted(counts.items())) or "nothing to compare")
    return "\n".join(lines)


@dataclass
class Result:
    discrepancies: list[Discrepancy]
    rows: int
    official_triples: int
    written: dict[str, Path] = field(default_factory=dict)

    @property
    def counts(self) -> dict[str, int]:
        return dict(sorted(Counter(d.outcome for d in self.discrepancies).items()))


def run(official_csv: Path, out_dir: Path, *, gazetteer: Gazetteer | None = None) -> Result:
    """The ``crosscheck`` command: read the graph built in ``out_dir``, read the official
    record, add it (and the claim-to-record links) to the graph as the named graph of the CSV
    (replacing the one an earlier run added), and write ``crosscheck.csv`` and
    ``crosscheck.json``. Every write is atomic: an interrupted run leaves the outputs whole.

    Raises ``FileNotFoundError`` when there is no built graph or no CSV, ``ValueError`` for a
    CSV that is not an official-outcomes table.
    """
    from kg.graph import rdf

    out_dir = Path(out_dir)
    gazetteer = gazetteer or Gazetteer.load()
    trig, ttl = out_dir / "graph.trig", out_dir / "graph.ttl"
    if not trig.exists() and not ttl.exists():
        raise FileNotFoundError(f"no built graph in {out_dir} (graph.trig or graph.ttl): run the build first")
    official_csv = Path(official_csv)
    if not official_csv.is_file():
        raise FileNotFoundError(f"official record not found: {official_csv}")
    rows = read_official(official_csv, gazetteer)
    name = graph_iri(hashlib.sha1(official_csv.read_bytes()).hexdigest())
    dataset = Dataset()
    with warnings.catch_warnings():  # rdflib's TriG parser and writer use its own deprecated names
        warnings.simplefilter("ignore", DeprecationWarning)
        if trig.exists():
            dataset.parse(trig, format="trig")
        else:
            dataset.parse(ttl, format="turtle")
    bind_prefixes(dataset)
    for context in list(dataset.graphs()):  # a re-run replaces the record, never doubles it
        if context.identifier == name or any(True for _ in context.triples((None, RDF.type, CKG.OfficialRecord))):
            dataset.remove_graph(context)
    discrepancies = crosscheck(_union(dataset), rows, gazetteer)
    target = dataset.graph(name)
    for triple in official_graph(rows, gazetteer):
        target.add(triple)
    for triple in link_graph(discrepancies):
        target.add(triple)
    official_triples = len(target)
    written = {"graph.trig": trig, "graph.ttl": ttl,
               "crosscheck.csv": out_dir / "crosscheck.csv", "crosscheck.json": out_dir / "crosscheck.json"}
    layout = rdf.trig_blocks(trig.read_text(encoding="utf-8")) if trig.exists() else None
    if layout is not None:  # the build's own layout: rewritten as a stream, byte for byte stable
        prefixes, blocks = layout
        with rdf.GraphWriter(out_dir, extra_prefixes=prefixes) as writer:
            for block_name, statements in blocks:
                if URIRef(block_name) != name and not _RECORD_BLOCK.search(statements):
                    writer.add(URIRef(block_name), statements)
            writer.add(name, rdf.statements(target))
    else:  # a graph from elsewhere: rdflib writes it whole
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            trig_bytes = rdf.serialise(dataset, "trig")
        atomic_write(trig, trig_bytes)
        atomic_write(ttl, rdf.serialise(_union(dataset), "turtle"))
    atomic_write(written["crosscheck.csv"], to_csv(discrepancies).encode("utf-8"))
    atomic_write(written["crosscheck.json"], to_json(discrepancies).encode("utf-8"))
    log.info("crosscheck: %d official judgements, %d comparisons (%s)", len(rows), len(discrepancies),
             ", ".join(f"{k} {v}" for k, v in sorted(Counter(d.outcome for d in discrepancies).items())))
    return Result(discrepancies, len(rows), official_triples, written)


# --------------------------------------------------------------------------------------------
# The official record as a layer of the build

#: Where an output folder keeps the official record it was cross-checked with (one CSV, under
#: its own name), and the state of the last application of it.
LAYER_DIR = "official"
APPLIED = ".official-applied.json"


def _digest(path: Path) -> str:
    return hashlib.sha1(path.read_bytes()).hexdigest()


def layer_file(out_dir: Path) -> Path | None:
    """The official record kept in ``out_dir``, if any."""
    folder = Path(out_dir) / LAYER_DIR
    files = sorted(folder.glob("*.csv")) if folder.is_dir() else []
    return files[0] if files else None


def keep_layer(official_csv: Path, out_dir: Path) -> Path:
    """Keep a copy of ``official_csv`` in ``out_dir`` (replacing an earlier one), so that every
    later build of that folder adds the record again; returns the copy."""
    official_csv, folder = Path(official_csv), Path(out_dir) / LAYER_DIR
    if not official_csv.is_file():
        raise FileNotFoundError(f"official record not found: {official_csv}")
    read_official(official_csv)  # refuse a table that is not one before keeping it
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / official_csv.name
    if not target.exists() or target.read_bytes() != official_csv.read_bytes():
        atomic_write(target, official_csv.read_bytes())
    for other in folder.glob("*.csv"):
        if other != target:
            other.unlink()
    return target


def apply_layer(out_dir: Path, *, gazetteer: Gazetteer | None = None, force: bool = False) -> Result | None:
    """Add the kept official record to the graph of ``out_dir`` and write ``crosscheck.csv`` and
    ``.json`` again, unless it was already applied to this very graph (same record, same
    ``graph.trig``) and ``force`` is false. None when there is nothing to do."""
    out_dir = Path(out_dir)
    record = layer_file(out_dir)
    if record is None:
        return None
    state_path, trig = out_dir / APPLIED, out_dir / "graph.trig"
    state = {"record": _digest(record), "graph": _digest(trig) if trig.exists() else None}
    try:
        applied = json.loads(state_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        applied = None
    if applied == state and not force:
        return None
    result = run(record, out_dir, gazetteer=gazetteer)
    state["graph"] = _digest(trig) if trig.exists() else None
    atomic_write(state_path, (json.dumps(state, sort_keys=True) + "\n").encode("utf-8"))
    return result


#: A named graph holding an official record (one line starts a subject: literals are one-line).
_RECORD_BLOCK = re.compile(r"^\S+ a ckg:OfficialRecord\b", re.MULTILINE)


def _union(dataset: Dataset) -> Graph:
    g = Graph()
    bind_prefixes(g)
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        g.add((s, p, o))
    return g


__all__ = [
    "APPLIED", "AREA_COLUMNS", "COLUMNS", "Claim", "Discrepancy", "LAYER_DIR", "OfficialJudgement", "Result",
    "apply_layer", "claims", "crosscheck", "keep_layer", "layer_file",
    "format_table", "link_graph", "match_official", "official_graph", "official_node", "parse_official_date",
    "read_official", "run", "source_node", "to_csv", "to_json",
]
