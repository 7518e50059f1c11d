"""Ofsted's own reports as a source: PDF -> :class:`~kg.graph.facts.Article` (the entry points).

Ofsted's reports on a local authority's children's services are the primary source that news
articles report on. :func:`read_report` reads one into an Article of kind
``"inspection-report"`` whose body is the report's text, cleaned of running headers, page
numbers and footnotes, with line-wrap hyphenation mended, one paragraph per line-separated
block (numbered paragraphs verbatim, "12. ..."); ``Article.page_offsets`` records where each
page begins in the body (:mod:`kg.sources.pdf`). Its title and dates come from the report's
header (:mod:`kg.sources.report_header`). :func:`read_report` never raises for a bad file (it
returns an :class:`~kg.sources.decode.IngestError`); :func:`report_from_bytes` raises
:class:`~kg.sources.decode.UnreadableFile`.
"""
from __future__ import annotations

import hashlib
import logging
import time
from pathlib import Path

from kg.graph.facts import Article
from kg.sources.decode import IngestError, UnreadableFile
from kg.sources.pdf import KIND, _join, assemble_paragraphs, clean_pages, pdf_pages
from kg.sources.report_header import read_header
from kg.sources.report_patterns import ReportPatterns, load_patterns

log = logging.getLogger(__name__)

#: PDFs larger than this are refused: Ofsted's reports are well under 2 MB.
MAX_BYTES = 50 * 1024 * 1024


# --------------------------------------------------------------------------------------------
# Reading PDFs


def read_report(path: Path, *, patterns: ReportPatterns | None = None,
                max_bytes: int = MAX_BYTES) -> Article | IngestError:
    """Read one report PDF into an Article, or an :class:`IngestError` saying why it cannot be.

    Never raises for a bad file: a corrupt, truncated, password-protected or image-only PDF,
    or one that is not an Ofsted children's services report, gives an IngestError whose
    ``reason`` a person understands.
    """
    path = Path(path)
    started = time.perf_counter()
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return IngestError(path, f"too large: {size} bytes (limit {max_bytes})")
        data = path.read_bytes()
    except OSError as exc:
        return IngestError(path, f"cannot read: {exc.strerror or exc}")
    try:
        article = report_from_bytes(data, path.name, patterns=patterns)
    except UnreadableFile as exc:
        log.warning("skipping %s: %s", path.name, exc.reason)
        return IngestError(path, exc.reason)
    log.debug("%s: read in %.2f s", path.name, time.perf_counter() - started)
    return article


def report_from_bytes(data: bytes, source_file: str, *, patterns: ReportPatterns | None = None) -> Article:
    """PDF bytes -> Article (kind ``"inspection-report"``); raises :class:`UnreadableFile`."""
    patterns = patterns or load_patterns()
    pages, warnings = pdf_pages(data)
    lines = clean_pages(pages, patterns)
    paragraphs = assemble_paragraphs(lines, patterns)
    if not paragraphs:
        raise UnreadableFile("no text: the PDF has no readable text layer")
    body, offsets = _join(paragraphs, len(pages))
    article = Article(source_file=source_file, sha1=hashlib.sha1(data).hexdigest(), title=None, body=body,
                      kind=KIND, warnings=warnings, page_offsets=offsets)
    head = read_header(article, patterns)
    if head.dates is None and not head.judgement_rows and head.inspection_type is None:
        raise UnreadableFile("not an Ofsted children's services inspection report: no inspection dates, "
                             "judgements or report title found")
    article.title = head.title
    article.date = head.published or (head.dates[1] if head.dates else None)
    article.reference_date = article.date
    if head.dates is None:
        article.warnings.append("no inspection dates found")
    return article
