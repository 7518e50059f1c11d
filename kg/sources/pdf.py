"""Ofsted inspection reports (PDF) -> :class:`~kg.graph.facts.Article`: the text of every page
(pypdf), running heads and footers and page numbers taken out, lines joined into paragraphs
(numbered paragraphs, bullets, judgement rows, headings), hyphens mended against the report's
own vocabulary, and each paragraph's page kept so that a fact can cite it.
"""
from __future__ import annotations

import bisect
import logging
import math
import re
from collections import Counter
from dataclasses import dataclass, field

from kg.graph.facts import (
    Article,
)
from kg.sources.articles import UnreadableFile
from kg.sources.report_patterns import (
    JudgementArea,
    ReportPatterns,
    _any,
    load_patterns,
)

log = logging.getLogger(__name__)



#: The kind of Article this stage makes.
KIND = "inspection-report"

#: Running headers and footers are looked for in this many non-blank lines at the top and
#: bottom of each page ...
HEADER_LINES, FOOTER_LINES = 4, 3

#: A PDF whose text layer has fewer letters than this per page (on average) is taken to be a
#: scan (images of text, which this stage cannot read).
MIN_LETTERS_PER_PAGE = 40
#: ... and are lines (digits ignored) found there on at least this share of the pages.
RUNNING_SHARE = 0.4

#: An unnumbered paragraph ends at a line that ends a sentence and is shorter than this share
#: of the document's usual full line.
SHORT_LINE_SHARE = 0.8
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

