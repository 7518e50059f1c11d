"""Ofsted's published judgements as a source.

* :func:`read_official` reads Ofsted's published outcomes (the columns of
  ``ofsted_csc_ilacs_history.csv``: one row per inspection report, dates ``dd/mm/yy`` or
  ``dd/mm/yyyy``, grades or the markers ``data_unreadable``, ``not_reported_post_reform``,
  ``inspection_pre_dates_judgement``) into :class:`OfficialJudgement` records;
* :func:`official_graph` turns them into ``ckg:Inspection`` facts (with their sub-judgements),
  each ``prov:wasDerivedFrom`` the CSV as a ``ckg:OfficialRecord`` source, with the row's text
  as evidence.

>>> parse_official_date("02/12/22"), parse_official_date("21/11/2022"), parse_official_date("")
(datetime.date(2022, 12, 2), datetime.date(2022, 11, 21), None)
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import logging
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, XSD

from kg.graph.gazetteer import Gazetteer
from kg.graph.namespaces import (
    CKG,
    article_iri,
    bind_prefixes,
    concept_iri,
    fact_iri,
    organisation_iri,
)
from kg.sources.dates import parse_numeric_date

log = logging.getLogger(__name__)



#: The columns an official-outcomes CSV must have (more are allowed and ignored).
COLUMNS = (
    "urn", "local_authority", "inspection_link", "pdf_filename", "publication_date", "inspection_framework",
    "inspector_name", "inspection_start_date", "inspection_end_date", "overall_effectiveness_grade",
    "impact_of_leaders_grade", "help_and_protection_grade", "in_care_grade", "care_leavers_grade",
)

#: Judgement areas (as kg.extract.reports names them) and the column that holds each one's grade.
AREA_COLUMNS = {
    "overall effectiveness": "overall_effectiveness_grade",
    "impact of leaders": "impact_of_leaders_grade",
    "help and protection": "help_and_protection_grade",
    "children in care": "in_care_grade",
    "children in care and care leavers": "in_care_grade",
    "care leavers": "care_leavers_grade",
}
OVERALL = "overall effectiveness"

#: The RatingScheme's prefLabels, and the wordings of the CSV that mean one of them.
RATINGS = ("outstanding", "good", "requires improvement", "inadequate")
_GRADE_WORDS = {
    "outstanding": "outstanding",
    "good": "good",
    "requires improvement": "requires improvement",
    "requires improvement to be good": "requires improvement",
    "to requires improvement": "requires improvement",
    "require improvement": "requires improvement",
    "inadequate": "inadequate",
}
#: Markers of the CSV that are not grades.
NOT_REPORTED = "not_reported_post_reform"
PRE_DATES = "inspection_pre_dates_judgement"
UNREADABLE = "data_unreadable"

#: The framework column's values and the inspection type (prefLabel) each one means.
FRAMEWORK_TYPES = {"standard": "ILACS inspection", "short": "short inspection"}

#: Kinds of claim whose grade is the one in force (a monitoring visit reports the last full
#: inspection's judgement, it gives none of its own).
UNGRADED_TYPES = ("monitoring visit", "focused visit", "joint targeted area inspection")

#: The rule id written as ckg:extractedBy on the official facts.
RULE = "official.csv-row"



# --------------------------------------------------------------------------------------------
# Reading the official record


@dataclass(frozen=True)
class OfficialJudgement:
    """One row of the official record: one inspection report and its judgements."""

    source_file: str
    source_sha1: str  # of the CSV's bytes: the identity of the source
    line: int  # 1-based line of the row in the CSV
    text: str  # the row as written in the file: the evidence of facts derived from it
    urn: str
    local_authority: str  # as written ("bournemouth, christchurch & poole")
    council: str | None  # GSS code, when the gazetteer knows the name
    link: str | None
    pdf_filename: str | None
    published: dt.date | None
    framework: str | None
    inspector: str | None
    start: dt.date | None
    end: dt.date | None
    grades: tuple[tuple[str, str], ...]  # (area, RatingScheme prefLabel), real grades only
    markers: tuple[tuple[str, str], ...]  # (area, marker) for cells that hold no grade ("" when blank)

    @property
    def date(self) -> dt.date | None:
        """The judgement's date: the inspection's last day, else the publication date."""
        return self.end or self.published

    @property
    def year(self) -> int | None:
        return self.date.year if self.date else None

    def grade(self, area: str) -> str | None:
        return dict(self.grades).get(area)

    def marker(self, area: str) -> str | None:
        return dict(self.markers).get(area)

    @property
    def overall(self) -> str | None:
        return self.grade(OVERALL)

    @property
    def inspection_type(self) -> str | None:
        if self.framework in FRAMEWORK_TYPES:
            return FRAMEWORK_TYPES[self.framework]
        return "ILACS inspection" if self.framework else None

    def cell(self, area: str) -> str:
        """What the record says for an area: a grade, or its marker (blank as 'blank')."""
        return self.grade(area) or self.marker(area) or "blank"


def parse_official_date(text: str) -> dt.date | None:
    """A ``dd/mm/yy`` or ``dd/mm/yyyy`` date; None for a blank cell; ValueError otherwise
    (:func:`kg.sources.dates.parse_numeric_date`)."""
    return parse_numeric_date(text)


def _grade(cell: str) -> tuple[str | None, str | None]:
    """(RatingScheme label, None) for a grade; (None, marker) for anything else."""
    text = " ".join(cell.strip().lower().split())
    if text in _GRADE_WORDS:
        return _GRADE_WORDS[text], None
    return None, text


def read_official(csv_path: Path, gazetteer: Gazetteer | None = None) -> list[OfficialJudgement]:
    """Every row of an official-outcomes CSV; councils resolved when a gazetteer is given.

    A file without the expected columns raises ``ValueError`` naming the file and the missing
    columns. A cell that cannot be read (a malformed date) is logged and read as blank: one bad
    cell does not lose the rest of the record.
    """
    path = Path(csv_path)
    data = path.read_bytes()
    sha1 = hashlib.sha1(data).hexdigest()
    text = data.decode("utf-8-sig")
    lines = text.splitlines()
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or ())]
    if missing:
        raise ValueError(f"{path}: not an official-outcomes table: missing columns {missing}")
    rows: list[OfficialJudgement] = []
    previous_line = 1
    for record in reader:
        line = reader.line_num
        raw = "\n".join(lines[previous_line:line]).strip()
        previous_line = line
        where = f"{path.name}:{line}"

        def date(column: str) -> dt.date | None:
            try:
                return parse_official_date(record.get(column) or "")
            except ValueError as exc:
                log.warning("%s: %s: %s", where, column, exc)
                return None

        published = date("publication_date")
        start, end = date("inspection_start_date"), date("inspection_end_date")
        grades, markers = [], []
        in_care_area = "children in care and care leavers"
        leavers_grade, leavers_marker = _grade(record.get("care_leavers_grade") or "")
        if leavers_grade or (leavers_marker and leavers_marker not in (PRE_DATES, "")):
            in_care_area = "children in care"
        for area, column in (("overall effectiveness", "overall_effectiveness_grade"),
                             ("impact of leaders", "impact_of_leaders_grade"),
                             ("help and protection", "help_and_protection_grade"),
                             (in_care_area, "in_care_grade"),
                             ("care leavers", "care_leavers_grade")):
            grade, marker = _grade(record.get(column) or "")
            if grade:
                grades.append((area, grade))
            else:
                markers.append((area, marker or ""))
        name = (record.get("local_authority") or "").strip()
        council = None
        if gazetteer is not None and name:
            year = (end or published).year if (end or published) else None
            found = gazetteer.resolve(name, year=year, ignore_case=True)
            council = found.code if found else None
            if found is None:
                log.info("%s: local authority not in the gazetteer: %r", where, name)
        framework = (record.get("inspection_framework") or "").strip().lower() or None
        rows.append(OfficialJudgement(
            source_file=path.name, source_sha1=sha1, line=line, text=raw,
            urn=(record.get("urn") or "").strip(), local_authority=name, council=council,
            link=(record.get("inspection_link") or "").strip() or None,
            pdf_filename=(record.get("pdf_filename") or "").strip() or None,
            published=published, framework=framework,
            inspector=(record.get("inspector_name") or "").strip() or None,
            start=start, end=end, grades=tuple(grades), markers=tuple(markers),
        ))
    log.info("%s: %d official judgements", path.name, len(rows))
    return rows


# --------------------------------------------------------------------------------------------
# The official record as RDF


def source_node(row: OfficialJudgement) -> URIRef:
    """The CSV as a source document (identified, like an article, by its content)."""
    return article_iri(row.source_sha1)


def official_node(row: OfficialJudgement) -> URIRef | None:
    """The IRI of a row's inspection fact (None for a row that gives none: an unknown council,
    no date, or no grade at all)."""
    if not _has_facts(row):
        return None
    return fact_iri("inspection", "official", row.council, row.date.isoformat())


def _has_facts(row: OfficialJudgement) -> bool:
    return row.council is not None and row.date is not None and (
        bool(row.grades) or row.marker(OVERALL) == NOT_REPORTED)


def official_graph(rows: list[OfficialJudgement], gazetteer: Gazetteer) -> Graph:
    """The official record as facts: one ckg:Inspection per row with a grade (rating = overall
    effectiveness; none, with ckg:graded false, for reports without an overall grade), each
    sub-judgement a ckg:SubJudgement, all prov:wasDerivedFrom the CSV (a ckg:OfficialRecord)
    with the row's text as ckg:evidence. A council's latest row is its current judgement."""
    from kg.graph import (
        rdf,  # the model's council nodes, so both agree triple for triple
    )

    g = Graph()
    bind_prefixes(g)
    latest: dict[str, dt.date] = {}
    for row in rows:
        if _has_facts(row):
            latest[row.council] = max(latest.get(row.council, row.date), row.date)
    ofsted = organisation_iri("ofsted")
    sources: set[URIRef] = set()
    for row in rows:
        src = source_node(row)
        if src not in sources:
            sources.add(src)
            g.add((src, RDF.type, CKG.OfficialRecord))
            g.add((src, CKG.sourceFile, Literal(row.source_file)))
            g.add((src, RDFS.label, Literal(f"Ofsted's published judgements of local authority children's services ({row.source_file})")))
            g.add((src, DCTERMS.publisher, ofsted))
            g.add((ofsted, RDF.type, URIRef("http://www.w3.org/ns/org#Organization")))
            g.add((ofsted, RDFS.label, Literal(gazetteer.organisation("ofsted").label if gazetteer.organisation("ofsted") else "Ofsted")))
        if not _has_facts(row):
            continue
        node = official_node(row)
        assert node is not None
        council = rdf.add_council(g, gazetteer, row.council)
        g.add((node, RDF.type, CKG.Inspection))
        g.add((node, CKG.council, council))
        if row.overall:
            g.add((node, CKG.rating, concept_iri("rating", row.overall)))
        else:
            g.add((node, CKG.graded, Literal(False)))
        g.add((node, CKG.year, Literal(str(row.date.year), datatype=XSD.gYear)))
        g.add((node, CKG.date, Literal(row.date.isoformat(), datatype=XSD.date)))
        if row.start:
            g.add((node, CKG.startDate, Literal(row.start.isoformat(), datatype=XSD.date)))
        if row.end:
            g.add((node, CKG.endDate, Literal(row.end.isoformat(), datatype=XSD.date)))
        if row.inspection_type:
            g.add((node, CKG.inspectionType, concept_iri("inspectiontype", row.inspection_type)))
        g.add((node, CKG.current, Literal(row.date == latest[row.council])))
        if row.link:
            g.add((node, DCTERMS.source, URIRef(row.link)))
        _provenance(g, node, row)
        for area, grade in row.grades:
            if area == OVERALL:
                continue
            part = fact_iri("subjudgement", "official", row.council, row.date.isoformat(), area)
            g.add((part, RDF.type, CKG.SubJudgement))
            g.add((part, CKG.rating, concept_iri("rating", grade)))
            g.add((part, CKG.judgementArea, Literal(area)))
            g.add((node, CKG.subJudgement, part))
            _provenance(g, part, row)
    return g


def _provenance(g: Graph, node: URIRef, row: OfficialJudgement) -> None:
    g.add((node, PROV.wasDerivedFrom, source_node(row)))
    g.add((node, CKG.evidence, Literal(row.text)))
    g.add((node, CKG.extractedBy, Literal(RULE)))
    g.add((node, CKG.location, Literal(f"line {row.line}")))
