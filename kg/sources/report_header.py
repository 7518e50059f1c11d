"""The header of an Ofsted report: the local authority, the inspection dates, the lead
inspector and the publication date, read from the first pages' labelled fields, and the
judgement rows.
Dates are read by :mod:`kg.sources.dates`.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from kg.graph.facts import (
    Article,
)
from kg.sources.dates import find_date, parse_date_range
from kg.sources.pdf import _TERMINAL, Paragraph, _is_row, paragraphs
from kg.sources.report_patterns import (
    JudgementArea,
    ReportPatterns,
    _any,
    load_patterns,
)

# --------------------------------------------------------------------------------------------
# The report's header: title, authority, dates, inspector, judgements


@dataclass
class ReportHeader:
    title: str | None = None
    authority_name: str | None = None
    dates: tuple[dt.date, dt.date] | None = None
    dates_text: Paragraph | None = None
    published: dt.date | None = None
    inspector: str | None = None
    inspector_text: Paragraph | None = None
    inspection_type: str | None = None
    judgement_rows: list[tuple[JudgementArea, str, Paragraph]] = field(default_factory=list)
    overall_sentence: tuple[str, Paragraph, int, int] | None = None


def read_header(article: Article, patterns: ReportPatterns | None = None) -> ReportHeader:
    """Title, authority, dates, inspector, inspection type and judgement rows of a report."""
    patterns = patterns or load_patterns()
    paras = paragraphs(article, patterns)
    head = ReportHeader()
    first_page = [p for p in paras if p.page == 1] or paras[:12]

    # Title: the report-title paragraphs of page 1 ("Inspection of ...", "Review of ...",
    # "Monitoring visit to ..."), after the authority's name when that stands above them.
    front: list[Paragraph] = []
    lead: list[str] = []
    titled = next((i for i, p in enumerate(first_page) if _any(patterns.title_start, p.text)), None)
    if titled is not None:
        for para in first_page[titled:]:
            if para.kind in ("field", "row", "numbered") or (front and not _any(patterns.title_start, para.text)
                                                             and (_TERMINAL.search(para.text) or len(para.text) > 160)):
                break
            front.append(para)
        if titled > 0 and _names_authority(first_page[titled - 1].text, patterns):
            lead = [first_page[titled - 1].text]
    else:  # no title line: the paragraphs before the first field
        for para in first_page:
            if para.kind in ("field", "row", "numbered") or (para.kind == "heading" and front):
                break
            front.append(para)
    if front:
        rest = [p.text for p in front]
        head.title = (" ".join(lead) + ": " if lead else "") + " ".join(rest)
        for text in rest:
            if _any(patterns.generic_titles, text):
                continue
            for rx in patterns.authority_from_title:
                m = rx.search(text)
                if m:
                    head.authority_name = m.group("authority").strip(" ,:")
                    break
            if head.authority_name:
                break
        if head.authority_name is None and lead:
            head.authority_name = lead[0]
        head.title = head.title.strip()

    # Fields.
    for para in paras:
        for key, rx in patterns.fields.items():
            m = rx.search(para.text)
            if not m:
                continue
            value = m.group("value").strip()
            if key == "local_authority" and value:
                head.authority_name = value
            elif key == "inspection_dates" and head.dates is None:
                head.dates = parse_date_range(value)
                head.dates_text = para
            elif key == "lead_inspector" and head.inspector is None:
                name = patterns.inspector_suffix.sub("", value).strip(" ,;")
                head.inspector = name or None
                head.inspector_text = para
            elif key == "published" and head.published is None:
                head.published = find_date(value)
    if head.published is None:
        for para in first_page[:20]:
            m = patterns.letter_date.match(para.text)
            if m:
                head.published = find_date(m.group("value"))
                break
    if head.dates is None:
        for para in paras[:40]:
            m = patterns.visit_dates_in_text.search(para.text)
            if m:
                head.dates = parse_date_range(m.group("value"))
                head.dates_text = para
                break
    if head.inspector is None:
        for i, para in enumerate(paras):
            if patterns.inspector_in_letter.search(para.text):
                tail = para.text[patterns.inspector_in_letter.search(para.text).end():].strip()
                candidate = tail or (paras[i + 1].text if i + 1 < len(paras) else "")
                name = patterns.inspector_suffix.sub("", candidate).strip(" ,;")
                if name and len(name.split()) <= 5:
                    head.inspector, head.inspector_text = name, para if tail else paras[i + 1]
                break

    # Judgements: rows anywhere (the table on page 1, section headings later).
    for para in paras:
        area = _is_row(para.text, patterns)
        if area is None:
            continue
        grade = patterns.grade_label(area.regex.match(para.text).group("grade"))
        if grade:
            head.judgement_rows.append((area, grade, para))
    for para in first_page:
        m = patterns.overall_sentence.search(para.text)
        if m:
            grade = patterns.grade_label(m.group("grade"))
            if grade:
                end = _sentence_end(para.text, m.end())
                head.overall_sentence = (grade, para, 0, end)
                break

    # Inspection type.
    title_text = " ".join(p.text for p in front) if front else (head.title or "")
    for itype, rx in patterns.inspection_types:
        if rx.search(title_text):
            head.inspection_type = itype
            break
    areas = {area.area for area, _, _ in head.judgement_rows}
    if areas & patterns.sif_areas:
        head.inspection_type = "single inspection framework inspection"
    if head.inspection_type == "ILACS inspection" and head.dates:
        if (head.dates[1] - head.dates[0]).days <= patterns.short_inspection_max_days:
            head.inspection_type = "short inspection"
    return head


def _names_authority(text: str, patterns: ReportPatterns) -> bool:
    """Is a paragraph above a report's title the authority's name (not a date, a greeting or
    prose)?"""
    return (len(text) <= 100 and not _TERMINAL.search(text) and not patterns.letter_date.match(text)
            and not re.match(r"(?:Dear|To|From|Re)\b", text) and not any(ch.isdigit() for ch in text))


def _sentence_end(text: str, position: int) -> int:
    m = re.compile(r"[.!?](?=\s|$)").search(text, position)
    return m.end() if m else len(text)
