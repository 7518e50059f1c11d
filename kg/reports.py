"""Ofsted's own reports as a source: PDF -> :class:`~kg.graph.facts.Article` -> structured facts.

Ofsted's reports on a local authority's children's services are the primary source that news
articles report on. This stage reads one (``read_report``) into an Article of kind
``"inspection-report"`` whose body is the report's text, cleaned of running headers, page
numbers and footnotes, with line-wrap hyphenation mended, one paragraph per line-separated
block (numbered paragraphs verbatim, "12. ..."); ``Article.page_offsets`` records where each
page begins in the body. ``report_facts`` then reads the structure of that body:

* the authority (GSS code, through the gazetteer), the inspection dates, the lead inspector;
* the overall effectiveness judgement and every sub-judgement, as one ``Inspection`` with its
  ``judgements`` (reports from April 2026 give no overall grade: the Inspection then has
  ``rating=None`` and the article a warning that says so);
* every "What needs to improve" item (or numbered recommendation of the older single
  inspection framework) as ``Recommendation`` facts, classified into the FailingScheme by the
  recommendation-topic rules of ``data/rules``;
* the failings the findings state (sentence by sentence, with the failing rules of
  ``data/rules``) as ``Finding`` facts;

each with the verbatim text as evidence and its place in the report ("paragraph 12, page 3").
The formats' headings, field lines, judgement areas and grade wording are data, in
``data/report_patterns.json``; nothing here knows a particular report.

>>> parse_date_range("21 November to 2 December 2022")
(datetime.date(2022, 11, 21), datetime.date(2022, 12, 2))
>>> parse_date_range("9–24 November 2017")
(datetime.date(2017, 11, 9), datetime.date(2017, 11, 24))
"""
from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import logging
import math
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from kg import config
from kg.extract import failings
from kg.extract.rules import ALLOWED_KEYS, REQUIRED_KEYS, Rule, RuleSet, cached_rules
from kg.files import read_json_object
from kg.graph.facts import Article, ArticleFacts, Evidence, Fact, Finding, Inspection, Membership, Recommendation, SubJudgement
from kg.graph.gazetteer import Gazetteer
from kg.sources.articles import IngestError, UnreadableFile

log = logging.getLogger(__name__)

#: Where the report-format patterns live.
PATTERNS_FILE = config.DATA / "report_patterns.json"

#: The kind of Article this stage makes.
KIND = "inspection-report"

#: PDFs larger than this are refused: Ofsted's reports are well under 2 MB.
MAX_BYTES = 50 * 1024 * 1024

#: A PDF whose text layer has fewer letters than this per page (on average) is taken to be a
#: scan (images of text, which this stage cannot read).
MIN_LETTERS_PER_PAGE = 40

#: Running headers and footers are looked for in this many non-blank lines at the top and
#: bottom of each page ...
HEADER_LINES, FOOTER_LINES = 4, 3
#: ... and are lines (digits ignored) found there on at least this share of the pages.
RUNNING_SHARE = 0.4

#: An unnumbered paragraph ends at a line that ends a sentence and is shorter than this share
#: of the document's usual full line.
SHORT_LINE_SHARE = 0.8

_MONTHS = {m: i for i, m in enumerate(
    ("january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"), start=1)}
_MONTH_RE = "(?:" + "|".join(m.capitalize() for m in _MONTHS) + ")"
_DATE = re.compile(rf"(\d{{1,2}})(?:st|nd|rd|th)?\s+({_MONTH_RE})\s+(\d{{4}})", re.IGNORECASE)
_DAY = re.compile(rf"(\d{{1,2}})(?:st|nd|rd|th)?(?:\s+({_MONTH_RE}))?(?:\s+(\d{{4}}))?", re.IGNORECASE)
_NUMBERED = re.compile(r"^(\d{1,3})\.(\d{1,2})?\s+(?=\S)")
_LONE_NUMBER = re.compile(r"^\s*\d{1,3}\s*$")
_TERMINAL = re.compile(r"[.!?;:][\"'’”)\]]*\s*$")
_FOOTNOTE_MARK = re.compile(r"(?<=[a-z?:).’])(\d{1,2})(?=\s*$)")
_FOOTNOTE_LINE = re.compile(r"^\s*(\d{1,2})\s+(?=[A-Z])")
_HYPHEN_END = re.compile(r"(\w+)-$")
#: Words after a suspended hyphen ("short- and longer-term"): the hyphen stays, with a space.
_SUSPENDED = frozenset({"and", "or", "to", "nor", "as"})
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'’”)\]]*\s+(?=[“‘\"'(]?[A-Z0-9])")
_ABBREVIATIONS = re.compile(r"\b(?:e\.g|i\.e|etc|Mr|Mrs|Ms|Dr|No|St|vs|approx|para|paras)\.$", re.IGNORECASE)

_PATTERN_KEYS = {
    "_doc", "version", "bullets", "sub_bullets", "title_start", "authority_from_title", "generic_titles",
    "fields", "field_continuation", "inspector_suffix", "letter_date", "visit_dates_in_text",
    "inspector_in_letter", "grade", "grade_labels", "grade_continuation", "judgement_connector",
    "judgement_areas", "overall_sentence", "headings", "whole_line_headings", "recommendation_sections",
    "recommendation_annotation", "recommendation_marker", "non_finding_sections", "finding_sections",
    "finding_negation", "end_of_report", "inspection_types", "single_inspection_framework_areas",
    "short_inspection_max_days", "no_overall_grade_from", "case_sensitive", "recommendation_topics",
    "finding_criticism",
}
_FIELD_KEYS = ("local_authority", "inspection_dates", "lead_inspector", "published")


# --------------------------------------------------------------------------------------------
# Patterns


@dataclass(frozen=True)
class JudgementArea:
    area: str  # canonical name ("impact of leaders")
    regex: re.Pattern[str]  # the whole judgement row: area, connector, grade
    overall: bool = False


@dataclass(frozen=True)
class ReportPatterns:
    """Compiled ``data/report_patterns.json``."""

    bullets: re.Pattern[str]
    sub_bullets: re.Pattern[str]
    title_start: tuple[re.Pattern[str], ...]
    authority_from_title: tuple[re.Pattern[str], ...]
    generic_titles: tuple[re.Pattern[str], ...]
    fields: dict[str, re.Pattern[str]]
    field_continuation: re.Pattern[str]
    inspector_suffix: re.Pattern[str]
    letter_date: re.Pattern[str]
    visit_dates_in_text: re.Pattern[str]
    inspector_in_letter: re.Pattern[str]
    grade_labels: dict[str, str]
    grade_end: re.Pattern[str]
    grade_continuation: re.Pattern[str]
    areas: tuple[JudgementArea, ...]
    overall_sentence: re.Pattern[str]
    headings: tuple[re.Pattern[str], ...]
    whole_line_headings: tuple[re.Pattern[str], ...]
    recommendation_sections: tuple[re.Pattern[str], ...]
    recommendation_annotation: re.Pattern[str]
    recommendation_marker: re.Pattern[str]
    non_finding_sections: tuple[re.Pattern[str], ...]
    finding_sections: tuple[re.Pattern[str], ...]
    finding_negation: re.Pattern[str]
    finding_criticism: re.Pattern[str]
    end_of_report: tuple[re.Pattern[str], ...]
    inspection_types: tuple[tuple[str, re.Pattern[str]], ...]
    recommendation_topics: RuleSet
    sif_areas: frozenset[str]
    short_inspection_max_days: int
    no_overall_grade_from: dt.date

    def grade_label(self, text: str) -> str | None:
        """'Requires improvement to be good' -> 'requires improvement'; None for a non-grade."""
        return self.grade_labels.get(" ".join(text.lower().split()))


def load_patterns(path: Path | None = None) -> ReportPatterns:
    """Read and validate a patterns file (default :data:`PATTERNS_FILE`); cached per path.

    Unknown or missing keys, bad regular expressions and missing named groups are errors that
    name the file and key, so a typo fails loudly instead of silently matching nothing.
    """
    return _load_patterns_cached(str(Path(path or PATTERNS_FILE).resolve()))


@lru_cache(maxsize=4)
def _load_patterns_cached(path: str) -> ReportPatterns:
    raw = read_json_object(path, allowed=_PATTERN_KEYS, required=_PATTERN_KEYS - {"_doc", "version"})
    sensitive = raw["case_sensitive"]
    if not isinstance(sensitive, list) or set(sensitive) - _PATTERN_KEYS:
        raise ValueError(f"{path}: case_sensitive: expected a list of pattern keys")

    def rx(key: str, source: object, groups: tuple[str, ...] = ()) -> re.Pattern[str]:
        if not isinstance(source, str):
            raise ValueError(f"{path}: {key}: expected a regular expression string, got {source!r}")
        flags = 0 if key.split("[")[0].split(".")[0] in sensitive else re.IGNORECASE
        try:
            pattern = re.compile(source, flags)
        except re.error as exc:
            raise ValueError(f"{path}: {key}: bad regular expression {source!r}: {exc}") from exc
        lacking = set(groups) - set(pattern.groupindex)
        if lacking:
            raise ValueError(f"{path}: {key}: {source!r} lacks the group(s) {sorted(lacking)}")
        return pattern

    def rx_list(key: str, groups: tuple[str, ...] = ()) -> tuple[re.Pattern[str], ...]:
        sources = raw[key]
        if not isinstance(sources, list) or not sources:
            raise ValueError(f"{path}: {key}: expected a non-empty list of regular expressions")
        return tuple(rx(f"{key}[{i}]", s, groups) for i, s in enumerate(sources))

    fields_raw = raw["fields"]
    if not isinstance(fields_raw, dict) or set(fields_raw) != set(_FIELD_KEYS):
        raise ValueError(f"{path}: fields: expected exactly the keys {list(_FIELD_KEYS)}")
    rx("grade", raw["grade"], ("grade",))  # validated here, compiled where used
    labels = raw["grade_labels"]
    if not isinstance(labels, dict) or not all(isinstance(v, str) for v in labels.values()):
        raise ValueError(f"{path}: grade_labels: expected an object of strings")
    connector = raw["judgement_connector"]
    rx("judgement_connector", connector)
    areas = []
    for i, spec in enumerate(raw["judgement_areas"]):
        if not isinstance(spec, dict) or not {"area", "pattern"} <= set(spec) or set(spec) - {"area", "pattern", "overall"}:
            raise ValueError(f"{path}: judgement_areas[{i}]: expected {{area, pattern[, overall]}}")
        row = (rf"^(?:\d{{1,2}}(?:\.\d{{1,2}})?\.?\s+)?(?P<area>{spec['pattern']}){connector}"
               rf"{raw['grade']}\s*[.;]?\s*$")
        areas.append(JudgementArea(spec["area"], rx(f"judgement_areas[{i}]", row, ("area", "grade")),
                                   bool(spec.get("overall", False))))
    types = []
    for i, spec in enumerate(raw["inspection_types"]):
        if not isinstance(spec, dict) or set(spec) != {"type", "pattern"}:
            raise ValueError(f"{path}: inspection_types[{i}]: expected {{type, pattern}}")
        types.append((spec["type"], rx(f"inspection_types[{i}]", spec["pattern"])))
    topics = []
    seen_ids: set[str] = set()
    for i, spec in enumerate(raw["recommendation_topics"]):
        where = f"recommendation_topics[{i}]"
        if not isinstance(spec, dict) or not REQUIRED_KEYS <= set(spec) or set(spec) - ALLOWED_KEYS:
            raise ValueError(f"{path}: {where}: a rule needs {sorted(REQUIRED_KEYS)} and may have {sorted(ALLOWED_KEYS)}")
        if spec["kind"] != "rec-topic" or spec["id"] in seen_ids:
            raise ValueError(f"{path}: {where}: expected kind rec-topic and a unique id, got {spec['kind']!r}, {spec['id']!r}")
        seen_ids.add(spec["id"])
        topics.append(Rule(id=spec["id"], kind="rec-topic", label=spec["label"], regex=rx(where, spec["pattern"]),
                           examples=tuple(spec.get("examples", ())), counter=tuple(spec.get("counter", ()))))
    try:
        no_overall_from = dt.date.fromisoformat(raw["no_overall_grade_from"])
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{path}: no_overall_grade_from: expected an ISO date") from exc
    if not isinstance(raw["short_inspection_max_days"], int):
        raise ValueError(f"{path}: short_inspection_max_days: expected an integer")
    return ReportPatterns(
        bullets=rx("bullets", raw["bullets"]),
        sub_bullets=rx("sub_bullets", raw["sub_bullets"]),
        title_start=rx_list("title_start"),
        authority_from_title=rx_list("authority_from_title", ("authority",)),
        generic_titles=rx_list("generic_titles"),
        fields={key: rx(f"fields.{key}", fields_raw[key], ("value",)) for key in _FIELD_KEYS},
        field_continuation=rx("field_continuation", raw["field_continuation"]),
        inspector_suffix=rx("inspector_suffix", raw["inspector_suffix"]),
        letter_date=rx("letter_date", raw["letter_date"], ("value",)),
        visit_dates_in_text=rx("visit_dates_in_text", raw["visit_dates_in_text"], ("value",)),
        inspector_in_letter=rx("inspector_in_letter", raw["inspector_in_letter"]),
        grade_labels={" ".join(k.lower().split()): v for k, v in labels.items()},
        grade_end=rx("grade", rf"{raw['grade']}\s*[.;]?\s*$", ("grade",)),
        grade_continuation=rx("grade_continuation", raw["grade_continuation"]),
        areas=tuple(areas),
        overall_sentence=rx("overall_sentence", raw["overall_sentence"], ("grade",)),
        headings=rx_list("headings"),
        whole_line_headings=rx_list("whole_line_headings"),
        recommendation_sections=rx_list("recommendation_sections"),
        recommendation_annotation=rx("recommendation_annotation", raw["recommendation_annotation"]),
        recommendation_marker=rx("recommendation_marker", raw["recommendation_marker"]),
        non_finding_sections=rx_list("non_finding_sections"),
        finding_sections=rx_list("finding_sections"),
        finding_negation=rx("finding_negation", raw["finding_negation"]),
        finding_criticism=rx("finding_criticism", raw["finding_criticism"]),
        end_of_report=rx_list("end_of_report"),
        inspection_types=tuple(types),
        recommendation_topics=RuleSet(tuple(topics)),
        sif_areas=frozenset(raw["single_inspection_framework_areas"]),
        short_inspection_max_days=raw["short_inspection_max_days"],
        no_overall_grade_from=no_overall_from,
    )


def _any(patterns: tuple[re.Pattern[str], ...], text: str) -> re.Match[str] | None:
    for pattern in patterns:
        match = pattern.search(text)
        if match:
            return match
    return None


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


class _PypdfWarnings(logging.Handler):
    """Collects what pypdf logs while reading a damaged file."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def pdf_pages(data: bytes) -> tuple[list[str], list[str]]:
    """The text of every page, and warnings; raises :class:`UnreadableFile` for a PDF that
    cannot be read (not a PDF, damaged, password-protected, image-only)."""
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PyPdfError

    if not data.strip():
        raise UnreadableFile("empty file")
    if b"%PDF" not in data[:1024]:
        raise UnreadableFile("not a PDF: no %PDF header")
    handler = _PypdfWarnings()
    pypdf_log = logging.getLogger("pypdf")
    pypdf_log.addHandler(handler)
    warnings: list[str] = []
    try:
        import io

        try:
            reader = PdfReader(io.BytesIO(data))
        except PyPdfError as exc:
            raise UnreadableFile(f"corrupt PDF: {exc}") from exc
        except (ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError) as exc:
            raise UnreadableFile(f"corrupt PDF: {type(exc).__name__}: {exc}") from exc
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")
            except DependencyError as exc:
                raise UnreadableFile(f"encrypted PDF that needs a decryption library: {exc}") from exc
            except (PyPdfError, ValueError, TypeError, KeyError, NotImplementedError) as exc:
                raise UnreadableFile(f"encrypted PDF that cannot be opened: {exc}") from exc
            if not opened:
                raise UnreadableFile("password-protected PDF: it cannot be opened without its password")
            warnings.append("encrypted PDF opened without a password (owner restrictions only)")
        try:
            count = len(reader.pages)
        except (PyPdfError, ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError) as exc:
            raise UnreadableFile(f"corrupt PDF: cannot find its pages ({exc})") from exc
        if count == 0:
            raise UnreadableFile("corrupt PDF: no pages")
        pages: list[str] = []
        failed: list[int] = []
        for number in range(count):
            try:
                pages.append(reader.pages[number].extract_text() or "")
            except FileNotDecryptedError as exc:
                raise UnreadableFile("password-protected PDF: it cannot be opened without its password") from exc
            except (PyPdfError, ValueError, TypeError, KeyError, IndexError, AttributeError,
                    RecursionError, ZeroDivisionError, OverflowError) as exc:
                log.debug("page %d: %s", number + 1, exc)
                pages.append("")
                failed.append(number + 1)
    finally:
        pypdf_log.removeHandler(handler)
    if failed and len(failed) == count:
        raise UnreadableFile("corrupt PDF: no page could be read")
    if failed:
        warnings.append(f"damaged PDF: page(s) {', '.join(map(str, failed))} could not be read")
    letters = sum(ch.isalpha() for page in pages for ch in page)
    if letters < MIN_LETTERS_PER_PAGE * count:
        raise UnreadableFile(f"no text layer: {letters} letters on {count} page(s) (a scanned or image-only PDF?)")
    damage = sorted(set(handler.messages))
    if damage:
        warnings.append("damaged PDF, read what could be read: " + "; ".join(damage[:3])
                        + (f" (and {len(damage) - 3} more)" if len(damage) > 3 else ""))
    return pages, warnings


# --------------------------------------------------------------------------------------------
# Cleaning pages


@dataclass
class _Line:
    text: str
    page: int  # 1-based


def _normalise_line(line: str, patterns: ReportPatterns) -> str:
    line = line.replace("\u00ad", "").replace("\ufb01", "fi").replace("\ufb02", "fl")
    line = _SPACES.sub(" ", line).strip()
    line = patterns.bullets.sub("•", line) if patterns.bullets.match(line) else line
    if patterns.sub_bullets.match(line) and line[:1] not in "–—":
        line = "–" + line[1:]
    if line.startswith(("•", "–")) and len(line) > 1 and line[1] != " ":
        line = line[0] + " " + line[1:]
    return line


def clean_pages(pages: list[str], patterns: ReportPatterns) -> list[_Line]:
    """Lines of every page without running headers, footers, page numbers and footnotes."""
    per_page = [[_normalise_line(line, patterns) for line in page.splitlines()] for page in pages]
    n = len(per_page)
    zones: list[set[int]] = []
    counts: Counter[str] = Counter()
    for lines in per_page:
        filled = [i for i, line in enumerate(lines) if line]
        zone = set(filled[:HEADER_LINES]) | set(filled[-FOOTER_LINES:])
        zones.append(zone)
        for key in {re.sub(r"\d+", "#", lines[i]) for i in zone}:
            counts[key] += 1
    threshold = max(2, math.ceil(RUNNING_SHARE * n))
    running = {key for key, c in counts.items() if c >= threshold}

    # Footnotes: a marker ("improve?1") in the text and a note at the foot of a page ("1 The ...").
    markers: set[str] = set()
    for lines in per_page:
        for line in lines:
            m = _FOOTNOTE_MARK.search(line)
            if m:
                markers.add(m.group(1))
    notes_found: set[str] = set()
    cleaned: list[list[str]] = []
    for p, lines in enumerate(per_page):
        kept = []
        for i, line in enumerate(lines):
            # Page 1 keeps its lines (a one-line title may read like the running header).
            running_line = p > 0 and re.sub(r"\d+", "#", line) in running
            if i in zones[p] and (running_line or _LONE_NUMBER.match(line)):
                kept.append("")
                continue
            kept.append(line)
        # A footnote starts after a blank line in the lower part of the page and runs to its end.
        cut = None
        for i in range(len(kept) - 1, 0, -1):
            m = _FOOTNOTE_LINE.match(kept[i])
            if m and m.group(1) in markers and not kept[i - 1].strip() and i >= len(kept) // 3:
                cut = i
                notes_found.add(m.group(1))
        if cut is not None:
            kept = kept[:cut]
        cleaned.append(kept)
    out: list[_Line] = []
    for p, lines in enumerate(cleaned, start=1):
        for line in lines:
            if notes_found:
                m = _FOOTNOTE_MARK.search(line)
                if m and m.group(1) in notes_found:
                    line = line[: m.start()].rstrip()
            out.append(_Line(line, p))
    return out


# --------------------------------------------------------------------------------------------
# Paragraphs


@dataclass
class _Para:
    lines: list[_Line] = field(default_factory=list)
    kind: str = "text"  # "text", "numbered", "item", "heading", "field", "row"


def _usual_width(lines: list[_Line]) -> int:
    lengths = sorted(len(line.text) for line in lines if len(line.text) >= 20)
    if not lengths:
        return 80
    return lengths[int(0.75 * (len(lengths) - 1))]


def _block_start(text: str, patterns: ReportPatterns) -> str | None:
    """The kind of block a line starts, or None for a line that may continue a paragraph."""
    if text.startswith(("• ", "– ")):
        return "item"
    if _NUMBERED.match(text):
        return "numbered"
    if any(p.search(text) for p in patterns.fields.values()):
        return "field"
    if _any(patterns.headings, text) or _any(patterns.title_start, text):
        return "heading"
    if patterns.letter_date.match(text) or _any(patterns.end_of_report, text):
        return "heading"
    return None


def _whole_line(text: str, patterns: ReportPatterns) -> bool:
    """A heading that is one line, never continued on the next ("Recommendations", a letter's date)."""
    return bool(_any(patterns.whole_line_headings, text) or patterns.letter_date.match(text))


def _is_row(text: str, patterns: ReportPatterns) -> JudgementArea | None:
    for area in patterns.areas:
        if area.regex.match(text):
            return area
    return None


def assemble_paragraphs(lines: list[_Line], patterns: ReportPatterns) -> list[_Para]:
    """Join wrapped lines into paragraphs; stop at the report's closing boilerplate.

    Within a page a blank line ends a paragraph. Across a page break (where the blank lines are
    layout, not text) a paragraph goes on unless the next page starts a new block or the last
    line ended a sentence and was short, the mark of a paragraph's last line.
    """
    width = _usual_width(lines)
    vocabulary = _vocabulary(lines)
    paras: list[_Para] = []
    current: _Para | None = None
    blank = False

    def flush() -> None:
        nonlocal current
        if current is not None and current.lines:
            paras.append(current)
        current = None

    for index, line in enumerate(lines):
        text = line.text
        if not text:
            blank = True
            continue
        if _any(patterns.end_of_report, text):
            flush()
            break
        start = _block_start(text, patterns)
        if current is not None:
            prev = current.lines[-1]
            if start is not None:
                if not (current.kind == "field" and patterns.field_continuation.match(text)):
                    flush()
            elif prev.page == line.page:
                if blank or _ends_paragraph(current, prev, line, width, patterns):
                    flush()
            elif not text[:1].islower() and (_ends_paragraph(current, prev, line, width, patterns)
                                              or (_TERMINAL.search(prev.text) and _looks_like_heading(text, width))):
                flush()
        blank = False
        if current is None:
            current = _Para(kind=start or "text")
        glued = False
        if current.lines and _HYPHEN_END.search(current.lines[-1].text):
            mended, glued = _mend_hyphen(current.lines[-1].text, text, vocabulary)
            current.lines[-1] = _Line(mended, current.lines[-1].page)
        current.lines.append(_Line("\x00" + text if glued else text, line.page))  # \x00: no space before
        # A paragraph that is a whole judgement row or a one-line heading ends here.
        joined = _para_text(current)
        following = _next_text(lines, index)
        if _is_row(joined, patterns) and not (following and patterns.grade_continuation.match(following)):
            current.kind = "row"
            flush()
        elif current.kind == "heading" and len(current.lines) == 1 and _whole_line(text, patterns):
            flush()
        elif current.kind == "field" and not (following and patterns.field_continuation.match(following)):
            flush()
    flush()
    return paras


def _looks_like_heading(text: str, width: int) -> bool:
    """A short line in capitals that does not end a sentence: at the top of a page after a
    finished sentence, a heading rather than the rest of a paragraph."""
    return len(text) < 0.6 * width and text[:1].isupper() and not _TERMINAL.search(text) and not text.endswith(",")


def _next_text(lines: list[_Line], index: int) -> str | None:
    for line in lines[index + 1:]:
        if line.text:
            return line.text
    return None


def _ends_paragraph(current: _Para, prev: _Line, line: _Line, width: int, patterns: ReportPatterns) -> bool:
    """Does the line after ``prev`` start a new paragraph, with no blank line or marker between?"""
    if current.kind == "field":
        return not patterns.field_continuation.match(line.text)
    if current.kind == "row":
        return True
    if current.kind == "heading" and _whole_line(_para_text(current), patterns):
        return True
    if current.kind in ("numbered", "item"):
        return False  # they run to the next blank line, number, bullet or heading
    ends_sentence = bool(_TERMINAL.search(prev.text))
    starts_sentence = line.text[:1].isupper() or line.text[:1] in "“‘\"'(0123456789"
    return ends_sentence and starts_sentence and len(prev.text) < SHORT_LINE_SHARE * width


def _vocabulary(lines: list[_Line]) -> Counter[str]:
    words: Counter[str] = Counter()
    for line in lines:
        for word in re.findall(r"\w+(?:-\w+)*", line.text.lower()):
            words[word] += 1
    return words


def _mend_hyphen(prev: str, following: str, vocabulary: Counter[str]) -> tuple[str, bool]:
    """A line that ends in a hyphen, and whether the next line joins it without a space: keep
    the hyphen of a compound ("decision-" + "making"), drop the one of a hyphenated word
    ("assess-" + "ment") when the document knows the word whole, and keep a suspended hyphen
    apart ("short-" + "and longer-term").

    >>> _mend_hyphen("both short-", "and longer-term", Counter())
    ('both short-', False)
    >>> _mend_hyphen("timely assess-", "ments", Counter({"assessments": 3}))
    ('timely assess', True)
    >>> _mend_hyphen("decision-", "making is slow", Counter({"decision": 1, "making": 2}))
    ('decision-', True)
    """
    head = _HYPHEN_END.search(prev)
    tail = re.match(r"\w+", following)
    if not head or not tail:
        return prev, False
    left, right = head.group(1).lower(), tail.group(0).lower()
    if vocabulary[f"{left}-{right}"] == 0 and right in _SUSPENDED:
        return prev, False
    if vocabulary[f"{left}-{right}"] == 0 and vocabulary[left + right] > 0 and right.islower():
        return prev[:-1], True
    return prev, True


def _para_text(para: _Para) -> str:
    parts: list[str] = []
    for line in para.lines:
        if line.text.startswith("\x00"):
            parts.append(line.text[1:])
        else:
            if parts:
                parts.append(" ")
            parts.append(line.text)
    return " ".join("".join(parts).split())


def _join(paras: list[_Para], n_pages: int) -> tuple[str, tuple[int, ...]]:
    """The body (paragraphs separated by blank lines) and the body offset of each page's start."""
    chunks: list[str] = []
    page_starts: dict[int, int] = {}
    offset = 0
    for para in paras:
        if chunks:
            offset += 2
        # Find where each page's first line lands inside this paragraph.
        text = ""
        for line in para.lines:
            piece = line.text[1:] if line.text.startswith("\x00") else line.text
            if text and not line.text.startswith("\x00"):
                text += " "
            page_starts.setdefault(line.page, offset + len(text))
            text += piece
        text = " ".join(text.split())
        chunks.append(text)
        offset += len(text)
    body = "\n\n".join(chunks)
    offsets: list[int] = []
    for page in range(1, n_pages + 1):
        start = page_starts.get(page)
        if start is None:
            later = [page_starts[p] for p in page_starts if p > page]
            start = min(later) if later else len(body)
        offsets.append(min(start, len(body)))
    for i in range(1, len(offsets)):  # monotone even where whitespace collapsing moved things
        offsets[i] = max(offsets[i], offsets[i - 1])
    offsets[0] = 0
    return body, tuple(offsets)


# --------------------------------------------------------------------------------------------
# The body's structure, read back from the Article


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of a report's body, with where it is."""

    index: int
    text: str
    start: int  # offset in Article.body
    page: int
    number: str | None  # "12" for a numbered paragraph, "2.1" for a sub-numbered row
    kind: str  # "item", "numbered", "heading", "row", "field", "text"
    section: str | None  # the heading it falls under, as written


def paragraphs(article: Article, patterns: ReportPatterns | None = None) -> list[Paragraph]:
    """The body's paragraphs with their page, number, kind and section heading."""
    patterns = patterns or load_patterns()
    out: list[Paragraph] = []
    section: str | None = None
    offset = 0
    for index, text in enumerate(article.body.split("\n\n")):
        start = offset
        offset += len(text) + 2
        if not text.strip():
            continue
        numbered = _NUMBERED.match(text)
        if _is_row(text, patterns):
            kind = "row"
        elif text.startswith(("• ", "– ")):
            kind = "item"
        elif numbered:
            kind = "numbered"
        elif any(p.search(text) for p in patterns.fields.values()):
            kind = "field"
        elif _any(patterns.headings, text) or _any(patterns.title_start, text):
            kind = "heading"
        else:
            kind = "text"
        number = None
        if numbered:
            number = numbered.group(1) + (f".{numbered.group(2)}" if numbered.group(2) else "")
        if kind == "heading" or (kind == "row" and _any(patterns.headings, text)):
            section = text
        out.append(Paragraph(index, text, start, page_of(article, start), number, kind, section))
    return out


def page_of(article: Article, offset: int) -> int:
    """The 1-based page on which a body offset lies (1 when pages are unknown)."""
    if not article.page_offsets:
        return 1
    return max(1, bisect.bisect_right(article.page_offsets, offset))


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


def parse_date(text: str) -> dt.date | None:
    """The first 'day Month year' date in a text.

    >>> parse_date("Report published: 20 September 2016")
    datetime.date(2016, 9, 20)
    """
    m = _DATE.search(text)
    if not m:
        return None
    try:
        return dt.date(int(m.group(3)), _MONTHS[m.group(2).lower()], int(m.group(1)))
    except ValueError:
        return None


def parse_date_range(text: str) -> tuple[dt.date, dt.date] | None:
    """'4 June to 15 June 2018', '11 to 22 May 2026', '05 July 2016–27 July 2016', '19 and 20
    February 2019' -> (first day, last day). The end is the last full date; the start borrows
    its month and year from the end when it omits them. A single date is both."""
    dates = list(_DATE.finditer(text))
    if not dates:
        return None
    last = dates[-1]
    try:
        end = dt.date(int(last.group(3)), _MONTHS[last.group(2).lower()], int(last.group(1)))
    except ValueError:
        return None
    first = _DAY.search(text)
    if first is None:
        return end, end
    month = _MONTHS[first.group(2).lower()] if first.group(2) else end.month
    year = int(first.group(3)) if first.group(3) else (end.year if month <= end.month else end.year - 1)
    try:
        start = dt.date(year, month, int(first.group(1)))
    except ValueError:
        return end, end
    if start > end:
        start = end
    return start, end


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
                head.published = parse_date(value)
    if head.published is None:
        for para in first_page[:20]:
            m = patterns.letter_date.match(para.text)
            if m:
                head.published = parse_date(m.group("value"))
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


# --------------------------------------------------------------------------------------------
# Facts


@dataclass(frozen=True)
class ReportItem:
    """One item of "What needs to improve" (or one numbered recommendation)."""

    text: str  # verbatim, without its bullet or number
    start: int  # offset of ``text`` in Article.body
    page: int
    number: str | None  # the paragraph number of a numbered recommendation
    position: int  # 1-based position in its section
    section: str  # the heading, as written

    @property
    def location(self) -> str:
        if self.number:
            return f"paragraph {self.number}, page {self.page}"
        heading = self.section.rstrip(" ?:")
        return f"{heading}, item {self.position}, page {self.page}"


def recommendation_items(article: Article, patterns: ReportPatterns | None = None) -> list[ReportItem]:
    """Every item listed under "What needs to improve" / "Recommendations" (areas for priority
    action and for improvement in visit letters), in order: bullets and numbered paragraphs."""
    patterns = patterns or load_patterns()
    items: list[ReportItem] = []
    section: str | None = None
    position = 0
    for para in paragraphs(article, patterns):
        if para.kind in ("heading", "row", "field"):
            if _any(patterns.recommendation_sections, para.text):
                section, position = para.text, 0
            elif section is not None:
                section = None
            continue
        if section is None or para.kind not in ("item", "numbered"):
            if section is not None and para.kind == "text" and position:
                section = None  # prose after the list: the list is over
            continue
        if para.text.startswith("– "):
            continue  # a sub-bullet belongs to the item above
        if para.kind == "item":
            offset = 2
            number = None
        else:
            m = _NUMBERED.match(para.text)
            offset, number = m.end(), para.number
        text = para.text[offset:]
        text = patterns.recommendation_marker.sub("", text)
        if not text.strip():
            continue
        position += 1
        items.append(ReportItem(text.strip(), para.start + offset, para.page, number, position, section))
    return items


def _text_offset(article: Article) -> int:
    """Where the body starts in Article.text_for_extraction (evidence offsets are in that)."""
    prefix = [p for p in (article.title, article.standfirst) if p]
    return sum(len(p) + 2 for p in prefix)


def _council(head: ReportHeader, article: Article, gazetteer: Gazetteer, year: int | None) -> str | None:
    """The authority's GSS code: from the 'Local authority' line or the title, then any council
    named on the first page."""
    tries = []
    if head.authority_name:
        tries.append(head.authority_name)
    if head.title:
        tries.append(head.title)
    for text in tries:
        council = gazetteer.resolve(text, year=year, ignore_case=True)
        if council:
            return council.code
        found = _scan_for_council(text, gazetteer, year)
        if found:
            return found
    first = article.body[: article.page_offsets[1] if len(article.page_offsets) > 1 else 3000]
    return _scan_for_council(first, gazetteer, year)


def _scan_for_council(text: str, gazetteer: Gazetteer, year: int | None) -> str | None:
    """The first council named in a text: its longest word n-gram that the gazetteer resolves."""
    words = re.findall(r"[\w’'&-]+|,", text)
    best: tuple[int, int, str] | None = None  # (start, -length, code)
    for i in range(len(words)):
        for n in range(min(8, len(words) - i), 0, -1):
            phrase = " ".join(words[i:i + n]).replace(" ,", ",")
            if not phrase[:1].isupper():
                break
            council = gazetteer.resolve(phrase, year=year)
            if council:
                if best is None or (i, -n) < best[:2]:
                    best = (i, -n, council.code)
                break
        if best is not None and best[0] < i:
            break
    return best[2] if best else None


def report_facts(article: Article, gazetteer: Gazetteer, *, rules: RuleSet | None = None,
                 patterns: ReportPatterns | None = None) -> ArticleFacts:
    """The structured facts of one report: its Inspection (with sub-judgements, dates and lead
    inspector), its recommendations, the failings its findings state, and the lead inspector's
    post at Ofsted. Problems are warnings on the article, never exceptions."""
    patterns = patterns or load_patterns()
    rules = rules or cached_rules(str(config.DATA / "rules"))
    head = read_header(article, patterns)
    end = head.dates[1] if head.dates else None
    year = end.year if end else (article.date.year if article.date else None)
    result = ArticleFacts(article=article)
    code = _council(head, article, gazetteer, year)
    if code is None:
        article.warnings.append(f"authority not recognised: {head.authority_name or head.title or '?'}")
    else:
        result.councils.append(code)
    base = _text_offset(article)
    facts: list[Fact] = []

    def evidence(rule: str, text: str, start: int, location: str) -> Evidence:
        return Evidence(text=text, rule=rule, start=base + start, location=location)

    # The inspection and its judgements.
    if code is not None:
        inspection = _inspection(article, head, code, end, patterns, evidence)
        if inspection is not None:
            facts.append(inspection)
    if head.inspector and head.inspector_text is not None and gazetteer.organisation("ofsted") is not None:
        para = head.inspector_text
        facts.append(Membership(person=head.inspector, role="lead inspector", organisation="ofsted",
                                evidence=evidence("report.lead-inspector", para.text, para.start, f"page {para.page}")))

    # Recommendations.
    items = recommendation_items(article, patterns)
    unclassified = []
    for item in items:
        text = patterns.recommendation_annotation.sub("", item.text).strip()
        labels = classify_recommendation(text, rules, patterns)
        if not labels:
            unclassified.append(item)
            continue
        for label, rid in labels:
            facts.append(Recommendation(code, label, evidence(rid, item.text, item.start, item.location)))
    if unclassified:
        article.warnings.append(
            f"{len(unclassified)} of {len(items)} recommendation(s) fit no failing category and are not in the "
            "graph: " + "; ".join(f"{i.location}: {i.text[:80]}" for i in unclassified))
    if not items:
        article.warnings.append("no 'What needs to improve' or recommendations section found")

    # Findings: the failings the report's findings state, sentence by sentence.
    facts.extend(_findings(article, code, rules, patterns, evidence))
    result.facts = _dedupe(facts)
    return result


def classify_recommendation(text: str, rules: RuleSet, patterns: ReportPatterns | None = None) -> list[tuple[str, str]]:
    """FailingScheme labels of a "What needs to improve" item, with the id of the rule that
    gave each: the rec-topic rules of ``data/rules`` and of the patterns file, in order of
    appearance; failing to find a topic, the failing rules (an item may state a failing).

    >>> from kg.extract.rules import load_rules
    >>> classify_recommendation("Manageable caseloads for social workers.", load_rules(config.DATA / "rules"))
    [('high caseloads', 'rec.topic.high-caseloads')]
    """
    patterns = patterns or load_patterns()
    found: dict[str, tuple[int, str]] = {}
    for ruleset in (rules, patterns.recommendation_topics):
        for rule in ruleset.of_kind("rec-topic"):
            match = rule.search(text)
            if match and (rule.label not in found or match.start() < found[rule.label][0]):
                found[rule.label] = (match.start(), rule.id)
    if not found:
        return [(label, rid) for label, rid, _, _ in failings.classify(rules, text)]
    return [(label, rid) for label, (_, rid) in sorted(found.items(), key=lambda kv: (kv[1][0], kv[0]))]


def _inspection(article: Article, head: ReportHeader, code: str, end: dt.date | None,
                patterns: ReportPatterns, evidence) -> Inspection | None:
    table_page = min((p.page for _, _, p in head.judgement_rows), default=1)
    overall: tuple[str, Evidence] | None = None
    subs: list[SubJudgement] = []
    seen: set[str] = set()
    covering = {"children in care and care leavers": {"children in care", "care leavers"}}
    for area, grade, para in head.judgement_rows:
        if area.overall:
            if overall is None:
                overall = (grade, evidence("report.judgement.overall", para.text, para.start, f"judgement table, page {para.page}"))
            continue
        if area.area in seen or any(area.area in covering.get(s, ()) or s in covering.get(area.area, ()) for s in seen):
            continue  # a section heading repeating the table
        if para.page > table_page and para.section is not None and area.area not in ("local safeguarding children board",) and seen:
            continue
        seen.add(area.area)
        where = f"judgement table, page {para.page}" if para.page == table_page else f"page {para.page}"
        subs.append(SubJudgement(area.area, grade, evidence(f"report.judgement.{_slug(area.area)}", para.text, para.start, where)))
    if overall is None and head.overall_sentence is not None:
        grade, para, s, e = head.overall_sentence
        overall = (grade, evidence("report.judgement.overall-sentence", para.text[s:e], para.start + s, f"page {para.page}"))
    # Repeated section headings must agree with the table.
    for area, grade, para in head.judgement_rows:
        for sub in subs:
            if sub.area == area.area and sub.rating != grade:
                article.warnings.append(f"judgement of {area.area} differs: {sub.rating} in the table, {grade} on page {para.page}")
    graded_types = ("ILACS inspection", "short inspection", "single inspection framework inspection")
    if overall is None:
        if head.inspection_type in graded_types:
            if end is not None and end >= patterns.no_overall_grade_from:
                article.warnings.append("no overall effectiveness grade: reports of inspections from "
                                        f"{patterns.no_overall_grade_from:%B %Y} give none; sub-judgements only")
            else:
                article.warnings.append("no overall effectiveness judgement found")
        if not subs and head.inspection_type in graded_types:
            return None
        if head.dates_text is not None:
            ev = evidence("report.inspection-dates", head.dates_text.text, head.dates_text.start, f"page {head.dates_text.page}")
        elif subs:
            ev = subs[0].evidence
        else:
            return None
        rating = None
    else:
        rating, ev = overall
    start, last = head.dates if head.dates else (None, None)
    return Inspection(
        council=code, rating=rating, evidence=ev, year=last.year if last else None, date=last,
        inspection_type=head.inspection_type, judgements=tuple(subs), inspector=head.inspector,
        start_date=start, end_date=last,
    )


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of a paragraph; abbreviations do not end one.

    >>> t = "Caseloads are high. Managers, e.g. team leaders, are new. Plans drift."
    >>> [t[s:e] for s, e in split_sentences(t)]
    ['Caseloads are high.', 'Managers, e.g. team leaders, are new.', 'Plans drift.']
    """
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        candidate = text[start:m.start()]
        if _ABBREVIATIONS.search(candidate):
            continue
        spans.append((start, m.start()))
        start = m.end()
    if start < len(text):
        spans.append((start, len(text)))
    return [(s, e) for s, e in spans if text[s:e].strip()]


def _findings(article: Article, code: str | None, rules: RuleSet, patterns: ReportPatterns, evidence) -> list[Finding]:
    out: list[Finding] = []
    in_findings = True
    rec_section = False
    for para in paragraphs(article, patterns):
        if para.kind in ("heading", "row"):
            if _any(patterns.non_finding_sections, para.text):
                in_findings = False
            elif _any(patterns.finding_sections, para.text):
                in_findings = True
            rec_section = bool(_any(patterns.recommendation_sections, para.text))
            continue
        if para.kind == "field" or not in_findings or rec_section and para.kind in ("item", "numbered"):
            continue
        if para.page == 1 and para.kind != "numbered" and para.index < 3:
            continue  # the title block
        body_start = 0
        if para.kind == "numbered":
            body_start = _NUMBERED.match(para.text).end()
        elif para.kind == "item":
            body_start = 2
        text = para.text
        for s, e in split_sentences(text[body_start:]):
            s += body_start
            e += body_start
            sentence = text[s:e]
            if not patterns.finding_criticism.search(sentence):
                continue  # praise ("children are seen alone"): no failing, whatever its words
            for label, rid, ms, _me in failings.classify(rules, sentence):
                if patterns.finding_negation.search(sentence[:ms][-50:]):
                    continue
                page = page_of(article, para.start + s)
                where = f"paragraph {para.number}, page {page}" if para.number else f"page {page}"
                out.append(Finding(code, label, evidence(rid, sentence, para.start + s, where)))
    return out


def _dedupe(facts: list[Fact]) -> list[Fact]:
    seen: set[tuple] = set()
    out: list[Fact] = []
    for fact in facts:
        if isinstance(fact, (Finding, Recommendation)):
            key = (type(fact).__name__, fact.council, fact.failing, fact.evidence.text)
        else:
            key = (type(fact).__name__, id(fact))
        if key not in seen:
            seen.add(key)
            out.append(fact)
    return out


__all__ = [
    "KIND", "Paragraph", "ReportHeader", "ReportItem", "ReportPatterns", "load_patterns", "page_of",
    "paragraphs", "parse_date", "parse_date_range", "pdf_pages", "read_header", "read_report",
    "classify_recommendation", "recommendation_items", "report_facts", "report_from_bytes", "split_sentences",
]
