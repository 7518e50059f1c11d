"""Files -> :class:`~kg.graph.facts.Article` records: decoding, title/date/body/comments split, dedup.

The input is plain text saved from news pages: a headline, an optional standfirst, a photo
credit, sometimes a date line and a byline, the body, site trailers, then the reader comments.
This stage cuts a file into those parts. The body keeps the journalist's words verbatim (modulo
whitespace), because every fact's evidence sentence is later checked against the file. What
counts as a credit, a date line, a byline, a trailer, a comments heading or a comment header is
data, in ``data/ingest_patterns.json``.

Beyond Community Care's layout, the head of the file (the first few paragraphs, short lines
only) may hold date lines in the forms other outlets use ("Published: 3 March 2017", "First
published on Fri 3 Mar 2017 10.42 GMT", "By Jane Smith | 3 March 2017", "BBC News, 3 March
2017", "03/03/2017", "Date: 3 March 2017" ...), bylines and page furniture; they are taken out
of the text, the date preferring a labelled line over an unlabelled one and an "Updated" line
last. A dateline ("LONDON, 3 March 2017 — ") is cut from the start of the first paragraph,
leaving the rest of it verbatim. Comments may follow a generic heading ("Comments (3)", "Reader
comments", "Have your say") in several formats ("Jane D | 3 March 2017 10:42", "Jane D wrote:",
an author line over a date line ...), with replies marked by indentation, "> " or "Reply to
Jane D". Text after a comments heading is never body: what reads as no comment format is kept
as one comment with no author, and a warning.

Three public entry points:

* :func:`read_article` reads one file (raises :class:`UnreadableFile` for a file that is empty,
  binary, too large or undecodable);
* :func:`iter_articles` reads a folder and never raises for one bad file: it yields an
  :class:`IngestError` instead;
* :func:`find_duplicates` finds near-duplicate stories among the articles read.

>>> art = parse_text(
...     "Council rated inadequate\\n\\nInspectors find failings\\n\\nPhoto: A. N. Other\\n\\n"
...     "The council was rated inadequate.\\n\\nMore from Community Care\\n",
...     source_file="x.txt")
>>> art.title, art.standfirst, art.body
('Council rated inadequate', 'Inspectors find failings', 'The council was rated inadequate.')
"""
from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import logging
import os
import re
import unicodedata
from array import array
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator, Sequence

from kg.config import ARTICLE_SUFFIXES, DATA
from kg.files import read_json_object
from kg.graph.facts import Article, Comment

log = logging.getLogger(__name__)

#: Where the credit/trailer/comment patterns live.
PATTERNS_FILE = DATA / "ingest_patterns.json"

#: Files larger than this are refused ("too large"): no news article comes near it.
MAX_BYTES = 20 * 1024 * 1024

#: A file whose share of control bytes (other than NUL, tab, newlines, form feed) exceeds this
#: is refused as binary. Text has none; random or compressed data has about 10 %.
BINARY_CONTROL_RATIO = 0.05

#: A first line longer than this is not a headline but a paragraph.
TITLE_MAX_CHARS = 300

#: A standfirst is one short paragraph.
STANDFIRST_MAX_CHARS = 600

#: The photo credit is looked for in this many paragraphs after the headline ...
HEAD_MAX_PARAS = 5
#: ... as long as none of them is longer than this (a longer one is already body text).
HEAD_PARA_MAX_CHARS = 700

#: Image captions (alt text) left between the standfirst and the credit are at most this long.
CAPTION_MAX_CHARS = 200

#: Date lines and bylines are looked for in this many paragraphs after the headline ...
HEAD_SCAN_PARAS = 6
#: ... on lines no longer than this (the first line of the file excepted).
HEAD_LINE_MAX_CHARS = 160

#: A comment's author/date line is never longer than this.
COMMENT_HEADER_MAX_CHARS = 160

#: Rank of each kind of date line: the lowest rank found gives the publication date.
DATE_RANKS = {"date_line": 0, "date_line_plain": 1, "dateline": 1, "date_line_updated": 2}

_PATTERN_LIST_KEYS = (
    "credit_line", "date_line", "date_line_plain", "date_line_updated", "dateline",
    "byline_line", "byline_name", "byline_role", "head_meta_line",
    "end_of_body", "drop_paragraph", "comments_heading", "comments_heading_weak",
    "comment_header_plain", "comment_author_line", "comment_date_line", "comment_reply_marker",
    "comment_noise", "comments_end",
)
_PATTERN_ONE_KEYS = ("comments_header", "comment_header")
_ALLOWED_KEYS = frozenset(
    {"_doc", "version", "number_words", "macros", *_PATTERN_LIST_KEYS, *_PATTERN_ONE_KEYS}
)
_REQUIRED_GROUPS = {
    "date_line": {"date"},
    "date_line_plain": {"date"},
    "date_line_updated": {"date"},
    "dateline": {"date", "rest"},
    "byline_line": {"byline"},
    "byline_name": {"byline"},
    "byline_role": {"role"},
    "comments_header": {"count"},
    "comment_header": {"indent", "num", "bullet", "author", "when"},
    "comment_header_plain": {"author"},
    "comment_author_line": {"author"},
    "comment_date_line": {"when"},
    "comment_reply_marker": {"author"},
}
_MACRO = re.compile(r"\{([A-Z][A-Z_]*)\}")

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
            ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
            ("september", "sept", "sep"), ("october", "oct"), ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?([A-Za-z]+)\.?,?\s+(\d{4})")
_MONTH_DAY_YEAR = re.compile(r"([A-Za-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})")
#: "03/03/2017", "3.3.2017", "3-3-2017": day first (British usage).
_NUMERIC_DATE = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4})")
_WEEKDAY = re.compile(r"(?i:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+")
_TIME = re.compile(
    r"(\d{1,2})[:.](\d{2})(?::\d{2}(?:\.\d+)?)?\s*(?:([aApP])\.?[mM]\.?)?"
    r"\s*(?:GMT|BST|UTC|Z|[+-]\d{2}:?\d{2})?\s*$"
)
_BEFORE_TIME = re.compile(r"(?:,?\s+at|,|\s+[-–]|T)?\s*$")
_TERMINAL = re.compile(r"[.!?…:;][\"'’”)\]]*$")

_UNICODE_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
#: C0 control bytes other than NUL and the whitespace ones (tab, LF, VT, FF, CR), plus DEL.
_CONTROL_BYTES = bytes(range(1, 9)) + bytes(range(14, 28)) + b"\x7f"
_ASCII_BYTES = bytes(range(128))
_ESCAPED = re.compile("[\udc80-\udcff]")
_ESCAPED_RUN = re.compile("[\udc80-\udcff]+")
_NON_ASCII = re.compile("[^\x00-\x7f]")
_CONTROL_CHARS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_LATIN_FAMILY = frozenset({"ascii", "latin_1", "iso8859_1", "iso8859_15", "cp1252", "windows_1252"})
_WORD = re.compile(r"\w+")


# --------------------------------------------------------------------------------------------
# Public records


@dataclass(frozen=True)
class IngestError:
    """A file that could not be read as an article, and why (yielded, never raised)."""

    path: Path
    reason: str


class UnreadableFile(ValueError):
    """Raised by :func:`read_article` for a file that is not an article at all."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class IngestPatterns:
    """Compiled ``data/ingest_patterns.json``."""

    credit_line: tuple[re.Pattern[str], ...]
    date_line: tuple[re.Pattern[str], ...]
    date_line_plain: tuple[re.Pattern[str], ...]
    date_line_updated: tuple[re.Pattern[str], ...]
    dateline: tuple[re.Pattern[str], ...]
    byline_line: tuple[re.Pattern[str], ...]
    byline_name: tuple[re.Pattern[str], ...]
    byline_role: tuple[re.Pattern[str], ...]
    head_meta_line: tuple[re.Pattern[str], ...]
    end_of_body: tuple[re.Pattern[str], ...]
    drop_paragraph: tuple[re.Pattern[str], ...]
    comments_heading: tuple[re.Pattern[str], ...]
    comments_heading_weak: tuple[re.Pattern[str], ...]
    comment_header_plain: tuple[re.Pattern[str], ...]
    comment_author_line: tuple[re.Pattern[str], ...]
    comment_date_line: tuple[re.Pattern[str], ...]
    comment_reply_marker: tuple[re.Pattern[str], ...]
    comment_noise: tuple[re.Pattern[str], ...]
    comments_end: tuple[re.Pattern[str], ...]
    comments_header: re.Pattern[str]
    comment_header: re.Pattern[str]
    number_words: dict[str, int] = field(default_factory=dict)


def load_patterns(path: Path | None = None) -> IngestPatterns:
    """Read and validate a patterns file (default :data:`PATTERNS_FILE`); cached per path.

    Unknown keys, missing keys, bad regular expressions and missing named groups are errors,
    so a typo in the data file fails loudly instead of silently matching nothing.
    """
    return _load_patterns_cached(str(Path(path or PATTERNS_FILE).resolve()))


@lru_cache(maxsize=8)
def _load_patterns_cached(path: str) -> IngestPatterns:
    raw = read_json_object(path, allowed=_ALLOWED_KEYS, required=_PATTERN_LIST_KEYS + _PATTERN_ONE_KEYS)

    macros = raw.get("macros", {})
    if not isinstance(macros, dict) or not all(isinstance(v, str) for v in macros.values()):
        raise ValueError(f"{path}: macros: expected an object of strings")

    def expand(key: str, source: str) -> str:
        for _ in range(10):  # macros may use macros; ten levels is plenty, more is a cycle
            names = set(_MACRO.findall(source))
            if not names:
                return source
            unknown = names - set(macros)
            if unknown:
                raise ValueError(f"{path}: {key}: unknown macros {sorted(unknown)}")
            source = _MACRO.sub(lambda m: macros[m.group(1)], source)
        raise ValueError(f"{path}: {key}: macros nest too deeply (a cycle?)")

    def compile_one(key: str, source: object) -> re.Pattern[str]:
        if not isinstance(source, str):
            raise ValueError(f"{path}: {key}: expected a string, got {source!r}")
        source = expand(key, source)
        try:
            pattern = re.compile(source)
        except re.error as exc:
            raise ValueError(f"{path}: {key}: bad regular expression {source!r}: {exc}") from exc
        needed = _REQUIRED_GROUPS.get(key, set())
        if not needed <= set(pattern.groupindex):
            raise ValueError(f"{path}: {key}: {source!r} lacks groups {sorted(needed)}")
        return pattern

    lists = {}
    for key in _PATTERN_LIST_KEYS:
        sources = raw[key]
        if not isinstance(sources, list):
            raise ValueError(f"{path}: {key}: expected a list of regular expressions")
        lists[key] = tuple(compile_one(key, source) for source in sources)
    words = raw.get("number_words", {})
    if not isinstance(words, dict) or not all(isinstance(v, int) for v in words.values()):
        raise ValueError(f"{path}: number_words: expected an object of integers")
    return IngestPatterns(
        **lists,
        comments_header=compile_one("comments_header", raw["comments_header"]),
        comment_header=compile_one("comment_header", raw["comment_header"]),
        number_words={str(k).lower(): v for k, v in words.items()},
    )


# --------------------------------------------------------------------------------------------
# Reading files


def iter_articles(
    folder: Path,
    suffixes: Sequence[str] = ARTICLE_SUFFIXES,
    *,
    patterns: IngestPatterns | None = None,
    max_bytes: int = MAX_BYTES,
) -> Iterator[tuple[Path, Article | IngestError]]:
    """Yield ``(path, Article or IngestError)`` for every article file directly in ``folder``.

    Files are taken in name order, top level only, skipping hidden files and files whose
    suffix (case-insensitive) is not in ``suffixes``. A file that cannot be read gives an
    :class:`IngestError`; one bad file never stops the others.
    """
    folder = Path(folder)
    wanted = tuple(s.lower() for s in suffixes)
    paths = sorted(
        (p for p in folder.iterdir() if not p.name.startswith(".") and p.suffix.lower() in wanted),
        key=lambda p: p.name,
    )
    for path in paths:
        result: Article | IngestError
        try:
            if not path.is_file():
                continue
            result = read_article(path, patterns=patterns, max_bytes=max_bytes)
        except UnreadableFile as exc:
            result = IngestError(path, exc.reason)
        except OSError as exc:
            result = IngestError(path, f"cannot read: {exc.strerror or exc}")
        if isinstance(result, IngestError):
            log.warning("skipping %s: %s", path.name, result.reason)
        else:
            for warning in result.warnings:
                log.info("%s: %s", path.name, warning)
        yield path, result


def read_article(
    path: Path, *, patterns: IngestPatterns | None = None, max_bytes: int = MAX_BYTES
) -> Article:
    """Read one file into an :class:`Article`.

    Raises :class:`UnreadableFile` when the file is empty, binary, too large or undecodable
    (and ``OSError`` when it cannot be opened); everything else is a warning on the article.
    """
    path = Path(path)
    size = path.stat().st_size
    if size > max_bytes:
        raise UnreadableFile(f"too large: {size} bytes (limit {max_bytes})")
    data = path.read_bytes()
    if len(data) > max_bytes:  # grew since stat
        raise UnreadableFile(f"too large: {len(data)} bytes (limit {max_bytes})")
    return article_from_bytes(data, path.name, patterns=patterns)


def article_from_bytes(
    data: bytes, source_file: str, *, patterns: IngestPatterns | None = None
) -> Article:
    """Decode ``data`` and split it into an :class:`Article` (sha1 is of the raw bytes)."""
    text, warnings = decode_bytes(data)
    return parse_text(
        text,
        source_file=source_file,
        sha1=hashlib.sha1(data).hexdigest(),
        warnings=warnings,
        patterns=patterns,
    )


# --------------------------------------------------------------------------------------------
# Decoding


def decode_bytes(data: bytes) -> tuple[str, list[str]]:
    """Bytes -> (text with LF newlines and no control characters, warnings).

    UTF-8 (with or without BOM) first; UTF-16/32 when a byte-order mark or the pattern of NUL
    bytes says so; otherwise a legacy 8-bit encoding: cp1252 for mostly-ASCII text (this is an
    English-language corpus, and charset detectors guess Central European code pages for short
    English texts), else charset-normalizer's best guess. Never produces U+FFFD: bytes that do
    not decode are mapped through cp1252 or dropped, with a warning.

    >>> decode_bytes(b"caf\\xe9 \\x93quoted\\x94\\r\\n")
    ('café “quoted”\\n', ['not valid UTF-8: decoded as cp1252'])
    """
    if not data.strip():
        raise UnreadableFile("empty file")
    warnings: list[str] = []
    text = _decode_unicode_bom(data)
    if text is None:
        text = _decode_utf16_sniffed(data, warnings)
    if text is None:
        nuls = data.count(0)
        controls = len(data) - len(data.translate(None, _CONTROL_BYTES))
        non_nul = len(data) - nuls
        if non_nul == 0 or controls / non_nul > BINARY_CONTROL_RATIO:
            share = round(100 * (controls + nuls) / len(data))
            raise UnreadableFile(f"looks binary: {share}% control bytes")
        if nuls:
            data = data.replace(b"\x00", b"")
            warnings.append(f"removed {nuls} NUL byte(s)")
        text = _decode_8bit(data, warnings)
    text = _clean_text(text, warnings)
    if not text.strip():
        raise UnreadableFile("empty file")
    return text, warnings


def _decode_unicode_bom(data: bytes) -> str | None:
    for bom, encoding in _UNICODE_BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(encoding)
            except UnicodeDecodeError as exc:
                raise UnreadableFile(
                    f"undecodable: starts with a {encoding} byte-order mark but is not "
                    f"{encoding} ({exc.reason} at byte {exc.start + len(bom)})"
                ) from exc
    return None


def _decode_utf16_sniffed(data: bytes, warnings: list[str]) -> str | None:
    """UTF-16 without a BOM: ASCII-range text has NUL in every other byte."""
    if len(data) < 4 or len(data) % 2:
        return None
    half = len(data) // 2
    even_nuls = data[0::2].count(0) / half
    odd_nuls = data[1::2].count(0) / half
    if odd_nuls > 0.4 and even_nuls < 0.05:
        encoding = "utf-16-le"
    elif even_nuls > 0.4 and odd_nuls < 0.05:
        encoding = "utf-16-be"
    else:
        return None
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return None
    warnings.append(f"no byte-order mark: decoded as {encoding}")
    return text


def _decode_8bit(data: bytes, warnings: list[str]) -> str:
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    escaped = data.decode("utf-8", "surrogateescape")
    bad = len(_ESCAPED.findall(escaped))
    good = len(_NON_ASCII.findall(escaped)) - bad
    if good >= bad:
        # UTF-8 with a few stray legacy bytes (typically cp1252 quotes pasted in).
        text, dropped = _unescape(escaped)
        warnings.append(f"{bad} byte(s) not valid UTF-8 in a UTF-8 file: read as cp1252")
        if dropped:
            warnings.append(f"dropped {dropped} byte(s) that no encoding could read")
        return text
    ascii_share = 1 - len(data.translate(None, _ASCII_BYTES)) / len(data)
    encoding = "cp1252"
    if ascii_share < 0.7:
        from charset_normalizer import from_bytes  # heavy-ish import, only when needed

        best = from_bytes(data).best()
        if best is not None and best.encoding not in _LATIN_FAMILY:
            encoding = best.encoding
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        text, dropped = _decode_lenient(data, encoding)
        warnings.append(
            f"not valid UTF-8 and not cleanly {encoding}: decoded as {encoding}, "
            f"{dropped} undecodable byte(s) dropped"
        )
        return text
    warnings.append(f"not valid UTF-8: decoded as {encoding}")
    return text


def _decode_lenient(data: bytes, encoding: str) -> tuple[str, int]:
    """Decode, mapping bytes the codec rejects through cp1252 (or dropping them)."""
    try:
        escaped = data.decode(encoding, "surrogateescape")
    except (UnicodeDecodeError, LookupError):
        escaped = data.decode("cp1252", "surrogateescape")
    return _unescape(escaped)


def _unescape(escaped: str) -> tuple[str, int]:
    dropped = 0

    def one(match: re.Match[str]) -> str:
        nonlocal dropped
        out = []
        for ch in match.group():
            byte = bytes([ord(ch) - 0xDC00])
            try:
                out.append(byte.decode("cp1252"))
            except UnicodeDecodeError:
                dropped += 1
        return "".join(out)

    return _ESCAPED_RUN.sub(one, escaped), dropped


@lru_cache(maxsize=1)
def _control_table() -> dict[int, str | None]:
    """Newline-like controls become LF; other control characters go."""
    table: dict[int, str | None] = {}
    for code in list(range(0x00, 0x20)) + list(range(0x7F, 0xA0)):
        ch = chr(code)
        if ch in "\t\n":
            continue
        table[code] = "\n" if ch.isspace() else None
    table[0x2028] = "\n"
    table[0x2029] = "\n"
    return table


def _clean_text(text: str, warnings: list[str]) -> str:
    if text.startswith("\ufeff"):
        text = text[1:]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _CONTROL_CHARS.search(text):
        nuls = text.count("\x00")
        before = len(text)
        text = text.translate(_control_table())
        removed = before - len(text) - nuls
        if nuls:
            warnings.append(f"removed {nuls} NUL character(s)")
        if removed:
            warnings.append(f"removed {removed} control character(s)")
    replacement = text.count("\ufffd")
    if replacement:
        warnings.append(f"the file itself contains {replacement} U+FFFD replacement character(s)")
    return text


# --------------------------------------------------------------------------------------------
# Splitting the text


def _paragraphs(lines: Iterable[str]) -> list[list[str]]:
    """Blank-line separated paragraphs, each a list of stripped lines."""
    out: list[list[str]] = []
    current: list[str] = []
    for line in lines:
        stripped = line.strip()
        if stripped:
            current.append(stripped)
        elif current:
            out.append(current)
            current = []
    if current:
        out.append(current)
    return out


def _search_any(patterns: Iterable[re.Pattern[str]], text: str) -> re.Match[str] | None:
    for pattern in patterns:
        match = pattern.search(text)
        if match:
            return match
    return None


def parse_text(
    text: str,
    *,
    source_file: str,
    sha1: str = "",
    warnings: list[str] | None = None,
    patterns: IngestPatterns | None = None,
) -> Article:
    """Split decoded text into title, standfirst, date, byline, body and comments."""
    pats = patterns or load_patterns()
    warnings = list(warnings or [])
    lines = text.split("\n")
    first_line = next((ln.strip() for ln in lines if ln.strip()), "")

    end, heading = _find_body_end(lines, first_line, pats)
    head = _split_head(_paragraphs(lines[:end]), pats, warnings)
    title = head.title

    comments: list[Comment] = []
    declared: int | None = None
    if heading is None:
        heading = _find_heading_after(lines, end, first_line, pats)
    if heading is not None:
        count = heading.count
        if count:
            declared = int(count) if count.isdigit() else pats.number_words.get(count.lower())
        if title is None and heading.title:
            title = heading.title
        comments = _parse_comments(lines[heading.line + 1:], pats, warnings, after_heading=True)
    elif end < len(lines):
        comments = _parse_comments(lines[end:], pats, warnings)
    if declared is not None and declared != len(comments):
        warnings.append(f"declares {declared} responses but {len(comments)} comments were read")

    if not head.body:
        warnings.append("empty body")
    if head.date is None:
        head.date = _date_anywhere_in_the_margins(lines[:end], pats)
    reference_date = head.date
    if reference_date is None:
        created = [c.created for c in comments if c.created is not None]
        if created:
            reference_date = min(created).date()
    return Article(
        source_file=source_file,
        sha1=sha1,
        title=title,
        body=head.body,
        standfirst=head.standfirst,
        date=head.date,
        reference_date=reference_date,
        comments=comments,
        comments_declared=declared,
        warnings=warnings,
        byline=head.byline,
    )


#: A date stated anywhere in a short line: "PA NEWSWIRE | HOME NEWS | Thu 05 Dec 2013 14:32 GMT",
#: "March 3 2016, 12:01am, The Times", "Wednesday 3 March 2021 14:12, UK".
_DATE_IN_LINE = re.compile(
    r"\b(?:\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?[A-Za-z]{3,9}\.?,?\s+\d{4}|[A-Za-z]{3,9}\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}"
    r"|\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{4})\b")
#: A line of page furniture is short and is not a sentence of the article; a head line is never long.
_MARGIN_LINE_CHARS = 120
_HEAD_LINE_CHARS = 300


def _date_anywhere_in_the_margins(lines: list[str], pats: IngestPatterns, tail: int = 6) -> dt.date | None:
    """The publication date when no date line was recognised in the head: a labelled date line
    ("Published: 28 February 2019", "The Dales Diary, Thursday 8th February 2024") among the last
    ``tail`` non-blank lines before the comments (papers that print the date at the end), else the first date in a short line of the head
    (mastheads, section lines, timestamps: "PA NEWSWIRE | HOME NEWS | Thu 05 Dec 2013 14:32 GMT").
    The head ends at the article's running text: a long line, or the third line that reads as a
    sentence (a headline and a standfirst may come first); a bare date further down is not read."""
    nonblank = [ln.strip() for ln in lines if ln.strip()]
    for line in nonblank[-tail:]:
        for pattern in (*pats.date_line, *pats.date_line_plain):
            match = pattern.search(line)
            if match is None or pattern in pats.date_line_plain and not (
                    match.groupdict().get("source") or match.groupdict().get("byline")):
                continue  # a bare date at the end may be anything; "The Dales Diary, 8 February 2024" is not
            if (date := parse_date(match.group("date"))) is not None:
                return date
    sentences = 0
    for line in nonblank:
        if len(line) > _HEAD_LINE_CHARS:
            break
        if line.endswith((".", "!", "?", "\u201d", '"')) and len(line.split()) > 4:
            sentences += 1
            if sentences > 2:
                break
            continue
        if len(line) <= _MARGIN_LINE_CHARS and not line.endswith(":"):
            for match in _DATE_IN_LINE.finditer(line):
                date = parse_date(match.group())
                if date is not None:
                    return date
    return None


@dataclass(frozen=True)
class _Heading:
    """Where the comments begin: the heading's line, its declared count, a headline it repeats."""

    line: int
    count: str | None = None
    title: str | None = None


def _find_body_end(
    lines: list[str], first_line: str, pats: IngestPatterns
) -> tuple[int, _Heading | None]:
    """Index of the first line past the body, and the comments heading if that is it."""
    para = -1
    blank = True
    for i, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            blank = True
            continue
        if blank:
            para += 1
            blank = False
        if _search_any(pats.end_of_body, stripped):
            return i, None
        heading = _comments_header(lines, i, first_line, pats) or _comments_heading(
            lines, i, pats, strict=para <= HEAD_SCAN_PARAS
        )
        if heading is not None:
            return i, heading
        match = pats.comment_header.search(line.expandtabs(4))
        if match and match.group("num"):
            return i, None
    return len(lines), None


def _find_heading_after(
    lines: list[str], start: int, first_line: str, pats: IngestPatterns
) -> _Heading | None:
    """A comments heading among the trailers that follow the body (strict: comments must follow)."""
    for i in range(start, len(lines)):
        heading = _comments_header(lines, i, first_line, pats) or _comments_heading(
            lines, i, pats, strict=True
        )
        if heading is not None:
            return heading
    return None


def _next_nonblank(lines: list[str], start: int, limit: int | None = None) -> int | None:
    stop = len(lines) if limit is None else min(len(lines), start + limit)
    return next((k for k in range(start, stop) if lines[k].strip()), None)


def _comments_header(
    lines: list[str], i: int, first_line: str, pats: IngestPatterns
) -> _Heading | None:
    """A "N Responses to <title>" line, accepted only where comments really follow.

    It must repeat the headline, be followed by a comment header, or end the file: a sentence
    such as "2 responses to the consultation ..." in the body is none of these.
    """
    match = pats.comments_header.search(lines[i].strip())
    if not match:
        return None
    title = (match.groupdict().get("title") or "").strip().strip("“”\"'‘’")
    heading = _Heading(i, match.group("count"), title or None)
    if title and _fold(title) == _fold(first_line):
        return heading
    following = _next_nonblank(lines, i + 1)
    if following is None or _comment_header_at(lines, following, pats, plain=True):
        return heading
    return None


def _comments_heading(
    lines: list[str], i: int, pats: IngestPatterns, *, strict: bool
) -> _Heading | None:
    """A generic comments heading ("Comments (3)", "Reader comments", "Have your say").

    Accepted when a comment, a comments trailer or nothing follows it; a strong heading is also
    accepted before other text unless ``strict`` (in the head of the file, where "3 comments" is
    a link under the headline, or among the trailers after the body).
    """
    stripped = lines[i].strip()
    if len(stripped) > COMMENT_HEADER_MAX_CHARS:
        return None
    weak = False
    match = _search_any(pats.comments_heading, stripped)
    if match is None:
        match = _search_any(pats.comments_heading_weak, stripped)
        if match is None:
            return None
        weak = True
    heading = _Heading(i, match.groupdict().get("count"))
    following = _next_nonblank(lines, i + 1)
    if following is None:
        return heading
    text = lines[following].strip()
    if _search_any(pats.comments_end, text) or _search_any(pats.end_of_body, text):
        return heading
    if _comment_header_at(lines, following, pats, plain=True):
        return heading
    return None if weak or strict else heading


def _fold(text: str) -> str:
    return " ".join(_WORD.findall(text.casefold()))


@dataclass
class _Head:
    """What :func:`_split_head` finds before the trailers."""

    title: str | None = None
    standfirst: str | None = None
    date: dt.date | None = None
    byline: str | None = None
    body: str = ""


@dataclass(frozen=True)
class _LineHit:
    """A head line that is not the journalist's text: a date line, a byline or page furniture."""

    rank: int | None = None  # DATE_RANKS value for a date line
    date: dt.date | None = None
    byline: str | None = None
    rest: str = ""  # what follows a date line prefix on the same line


def _split_head(paras: list[list[str]], pats: IngestPatterns, warnings: list[str]) -> _Head:
    """Headline, standfirst, stated date, byline and body from the paragraphs before the trailers.

    Lines are only ever taken away whole, or as a prefix (the date of a date line, a dateline),
    and a paragraph that loses an inner line is split there: every body paragraph stays a
    contiguous slice of the file. The date is the first of the best-ranked date lines found:
    labelled ("Published: ...") before unlabelled, "Updated ..." only when nothing else.
    """
    head = _Head()
    dates: list[tuple[int, int, dt.date]] = []  # (rank, order found, date)

    def cut_line(p: int, i: int, rest: str = "") -> None:
        """Replace line i of paragraph p by ``rest`` (a suffix of it), splitting before it."""
        after = ([rest] if rest else []) + paras[p][i + 1:]
        paras[p:p + 1] = [part for part in (paras[p][:i], after) if part]

    def note(hit: _LineHit) -> None:
        if hit.date is not None and hit.rank is not None:
            dates.append((hit.rank, len(dates), hit.date))
        if hit.byline and head.byline is None:
            head.byline = hit.byline

    # Above the headline: date lines and page furniture ("For immediate release").
    lead = False
    for _ in range(4 * HEAD_SCAN_PARAS):  # each round cuts a line or stops
        if not paras:
            break
        hit = _line_hit(paras[0][0], pats, bylines=False)
        if hit is None:
            break
        note(hit)
        lead = True
        cut_line(0, 0, hit.rest)

    if paras:
        first = paras[0][0]
        if _search_any(pats.credit_line, first):
            pass  # no headline: the file opens with the picture
        elif lead:  # a headline under the date line, when it looks like one
            if len(paras) > 1 and _looks_like_heading(paras[0]):
                head.title = first
                cut_line(0, 0)
        elif len(first) <= TITLE_MAX_CHARS:
            head.title = first
            cut_line(0, 0)
        else:
            warnings.append("first line is too long to be a headline: no title")

    # Under the headline: date lines, bylines and page furniture, on short lines.
    cuts: list[tuple[int, int, str]] = []
    for p, plines in enumerate(paras[:HEAD_SCAN_PARAS]):
        if len(" ".join(plines)) > HEAD_PARA_MAX_CHARS:
            break
        i = 0
        while i < len(plines):
            hits, rest, used = _head_line(plines, i, pats)
            for hit in hits:
                note(hit)
            if hits:
                cuts.extend((p, k, rest if k == i else "") for k in range(i, i + used))
            i += max(used, 1)
    above_meta = 0  # paragraphs left between the headline and the last byline or date line
    if cuts:
        paras[:], above_meta = _apply_cuts(paras, {(p, i): rest for p, i, rest in cuts})

    credit_at = _find_head_credit(paras, pats)
    if credit_at is not None:
        lead_paras = paras[:credit_at]
        credit_para = paras[credit_at]
        last_credit = max(
            i for i, line in enumerate(credit_para) if _search_any(pats.credit_line, line)
        )
        after = credit_para[last_credit + 1:]
        body_paras = ([after] if after else []) + paras[credit_at + 1:]
        if lead_paras and len(" ".join(lead_paras[0])) <= STANDFIRST_MAX_CHARS:
            head.standfirst = " ".join(lead_paras.pop(0))
        kept = [p for p in lead_paras if not _looks_like_caption(p)]
        body_paras = kept + body_paras
    else:
        body_paras = paras
        if (
            head.title is not None
            and 0 < above_meta <= 2
            and len(" ".join(paras[0])) <= STANDFIRST_MAX_CHARS
        ):
            head.standfirst = " ".join(body_paras.pop(0))  # it stands above the byline or date
        elif (
            head.title is not None
            and len(body_paras) > 1
            and len(body_paras[0]) == 1
            and _looks_like_heading(body_paras[0], STANDFIRST_MAX_CHARS)
        ):
            head.standfirst = body_paras.pop(0)[0]

    if body_paras:  # a dateline opening the first paragraph: "LONDON, 3 March 2017 - ..."
        match = _search_any(pats.dateline, body_paras[0][0])
        date = parse_date(match.group("date")) if match else None
        if match and date is not None:
            dates.append((DATE_RANKS["dateline"], len(dates), date))
            rest = match.group("rest").strip()
            body_paras[0] = ([rest] if rest else []) + body_paras[0][1:]
            if not body_paras[0]:
                body_paras.pop(0)
    if dates:
        head.date = min(dates)[2]

    body_parts = []
    for lines in body_paras:
        for piece in _split_at_credits(lines, pats):
            if not _search_any(pats.drop_paragraph, " ".join(piece)):
                body_parts.append("\n".join(piece))
    head.body = "\n\n".join(body_parts)
    return head


def _apply_cuts(
    paras: list[list[str]], cuts: dict[tuple[int, int], str]
) -> tuple[list[list[str]], int]:
    """Paragraphs without the cut lines (a cut line with a rest keeps it), split where a line
    went, and how many of them start before the last cut."""
    last = max(cuts)
    out: list[list[str]] = []
    above = 0
    for p, lines in enumerate(paras):
        piece: list[str] = []
        start = (p, 0)
        for i, line in enumerate(lines):
            if (p, i) not in cuts:
                piece.append(line)
                continue
            if piece:
                out.append(piece)
                above += start < last
            rest = cuts[(p, i)]
            piece, start = ([rest] if rest else []), (p, i)
        if piece:
            out.append(piece)
            above += start < last
    return out, above


def _head_line(lines: list[str], i: int, pats: IngestPatterns) -> tuple[list[_LineHit], str, int]:
    """Read line i of a head paragraph: (hits, what is left of the line, lines used).

    A date line's rest is read again (it may be another date line or a byline); a byline or a
    bare name followed by a line naming a journalist's post takes that line too.
    """
    line = lines[i]
    if len(line) > HEAD_LINE_MAX_CHARS:
        return [], line, 1
    hits: list[_LineHit] = []
    rest = line
    for _ in range(4):
        hit = _line_hit(rest, pats, bylines=True)
        if hit is None:
            break
        hits.append(hit)
        rest = hit.rest
        if not rest:
            break
    following = lines[i + 1] if i + 1 < len(lines) else ""
    role = _search_any(pats.byline_role, following) if following else None
    if role is not None:
        if hits and hits[-1].byline and not rest:
            hits[-1] = replace(hits[-1], byline=f"{hits[-1].byline}, {role.group('role')}")
            return hits, "", 2
        name = None if hits else _search_any(pats.byline_name, line)
        if name is not None:
            return [_LineHit(byline=f"{name.group('byline')}, {role.group('role')}")], "", 2
    return hits, rest, 1


def _line_hit(line: str, pats: IngestPatterns, *, bylines: bool) -> _LineHit | None:
    """A date line (with its rank, any byline and rest), a byline or a page-furniture line."""
    line = line.strip()
    for key in ("date_line", "date_line_plain", "date_line_updated"):
        for pattern in getattr(pats, key):
            match = pattern.search(line)
            if not match:
                continue
            date = parse_date(match.group("date"))
            if date is None:
                continue
            groups = match.groupdict()
            return _LineHit(
                rank=DATE_RANKS[key],
                date=date,
                byline=_clean_byline(groups.get("byline")),
                rest=(groups.get("rest") or "").strip(),
            )
    if bylines:
        match = _search_any(pats.byline_line, line)
        if match:
            return _LineHit(byline=_clean_byline(match.group("byline")))
    if _search_any(pats.head_meta_line, line):
        return _LineHit()
    return None


def _clean_byline(text: str | None) -> str | None:
    text = (text or "").strip(" \t,;:|-–—")
    return text or None


def _split_at_credits(lines: list[str], pats: IngestPatterns) -> list[list[str]]:
    """Drop credit lines, splitting the paragraph where they stood (keeps pieces contiguous)."""
    pieces: list[list[str]] = [[]]
    for line in lines:
        if _search_any(pats.credit_line, line):
            pieces.append([])
        else:
            pieces[-1].append(line)
    return [piece for piece in pieces if piece]


def _find_head_credit(paras: list[list[str]], pats: IngestPatterns) -> int | None:
    for p, lines in enumerate(paras[:HEAD_MAX_PARAS]):
        if any(_search_any(pats.credit_line, line) for line in lines):
            return p
        if len(" ".join(lines)) > HEAD_PARA_MAX_CHARS:
            return None
    return None


def _looks_like_heading(lines: list[str], max_chars: int = TITLE_MAX_CHARS) -> bool:
    """One line, not too long, not ending like a sentence."""
    return len(lines) == 1 and len(lines[0]) <= max_chars and not _TERMINAL.search(lines[0])


def _looks_like_caption(lines: list[str]) -> bool:
    return _looks_like_heading(lines, CAPTION_MAX_CHARS)


def parse_date(text: str) -> dt.date | None:
    """Parse "2019-07-15", "15 July 2019", "July 15, 2019", "Friday 3rd of March 2017" and the
    day-first numeric forms "03/03/2017", "3.3.2017" (month first when only that is a date:
    "12/25/2023"; English month names, any locale).

    Impossible dates and years outside 1900-2100 give None.

    >>> parse_date("15 July 2019"), parse_date("Sept 3rd, 2020"), parse_date("2019-02-30")
    (datetime.date(2019, 7, 15), datetime.date(2020, 9, 3), None)
    >>> parse_date("Fri 3 Mar 2017"), parse_date("03/12/2017"), parse_date("13/13/2017")
    (datetime.date(2017, 3, 3), datetime.date(2017, 12, 3), None)
    >>> parse_date("12/25/2023"), parse_date("Tuesday 14th March 2023")  # US order when only it can be
    (datetime.date(2023, 12, 25), datetime.date(2023, 3, 14))
    """
    text = _WEEKDAY.sub("", text.strip(), count=1) if _WEEKDAY.match(text.strip()) else text.strip()
    date = _parse_date_parts(text)
    return date if date is not None and 1900 <= date.year <= 2100 else None


def _parse_date_parts(text: str) -> dt.date | None:
    try:
        if match := _ISO_DATE.fullmatch(text):
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        if match := _DAY_MONTH_YEAR.fullmatch(text):
            month = _MONTHS.get(match[2].lower())
            return dt.date(int(match[3]), month, int(match[1])) if month else None
        if match := _MONTH_DAY_YEAR.fullmatch(text):
            month = _MONTHS.get(match[1].lower())
            return dt.date(int(match[3]), month, int(match[2])) if month else None
        if match := _NUMERIC_DATE.fullmatch(text):
            first, second = int(match[1]), int(match[3])
            if second > 12 >= first:  # "12/25/2023": only the US order is a date
                first, second = second, first
            return dt.date(int(match[4]), second, first)
    except ValueError:
        return None
    return None


def parse_datetime(text: str) -> dt.datetime | None:
    """Parse a comment timestamp such as "July 15, 2019 at 5:04 pm" (naive, site time).

    A time zone ("GMT", "Z", "+01:00") is read past and ignored; seconds are dropped.

    >>> parse_datetime("July 15, 2019 at 5:04 pm")
    datetime.datetime(2019, 7, 15, 17, 4)
    >>> parse_datetime("15 July 2019 12:30 am")
    datetime.datetime(2019, 7, 15, 0, 30)
    >>> parse_datetime("Fri 3 Mar 2017 10.42 GMT"), parse_datetime("2017-03-03T10:42:00Z")
    (datetime.datetime(2017, 3, 3, 10, 42), datetime.datetime(2017, 3, 3, 10, 42))
    """
    text = text.strip()
    time = _TIME.search(text)
    if not time or time.start() == 0:
        date = parse_date(text)
        return dt.datetime(date.year, date.month, date.day) if date else None
    date_part = _BEFORE_TIME.sub("", text[: time.start()], count=1)
    date = parse_date(date_part)
    if date is None:
        return None
    hour, minute, half = int(time[1]), int(time[2]), (time[3] or "").lower()
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "p" else 0)
    if hour > 23 or minute > 59:
        return None
    return dt.datetime(date.year, date.month, date.day, hour, minute)


@dataclass
class _RawComment:
    """One comment as read, before numbering."""

    kind: str  # "num" (numbered), "bullet" (bulleted reply), "plain" (other formats), "stray"
    depth: int = 0  # indentation; each "> " before a plain header counts as a deeper level
    num: str | None = None
    author: str = ""
    when: str | None = None
    quotes: int = 0  # "> " markers before a plain header, stripped from its text lines too
    reply_to_author: str | None = None  # from a "Reply to Jane D" marker
    lines: list[str] = field(default_factory=list)


_QUOTE_PREFIX = re.compile(r"([ \t]*)((?:>[ \t]?)*)(.*)")
#: A "> " level counts as this much indentation.
_QUOTE_DEPTH = 1000


def _split_quote(line: str) -> tuple[int, int, str]:
    """(indentation, number of "> " markers, content) of an expanded line."""
    match = _QUOTE_PREFIX.fullmatch(line)
    assert match is not None  # the pattern matches any line without a newline
    return len(match.group(1)), match.group(2).count(">"), match.group(3).strip()


def _comment_header_at(
    lines: list[str], j: int, pats: IngestPatterns, *, plain: bool
) -> tuple[int, _RawComment] | None:
    """The comment header starting at line j, if any, and how many lines it takes.

    Community Care's numbered and bulleted headers always; with ``plain``, also the other
    formats: "Jane D | 3 March 2017 10:42", "Jane D, 3 March 2017", "Jane D on ... said:",
    "Posted by Jane D on ...", "Jane D wrote:", and an author line with the date on the next line.
    """
    expanded = lines[j].expandtabs(4)
    match = pats.comment_header.search(expanded)
    if match:
        return 1, _RawComment(
            kind="num" if match.group("num") else "bullet",
            depth=len(match.group("indent")),
            num=match.group("num"),
            author=(match.group("author") or "").strip(),
            when=match.group("when"),
        )
    if not plain:
        return None
    indent, quotes, content = _split_quote(expanded)
    if not content or len(content) > COMMENT_HEADER_MAX_CHARS:
        return None
    when: str | None = None
    match = _search_any(pats.comment_header_plain, content)
    if match:
        when = match.groupdict().get("when")
    else:
        match = _search_any(pats.comment_author_line, content)
        if match is None:
            return None
    author = match.group("author").strip()
    consumed = 1
    if when is None:  # the date may stand on the next line
        k = _next_nonblank(lines, j + 1, limit=2)
        if k is not None:
            date_text = _split_quote(lines[k].expandtabs(4))[2]
            date_match = (
                _search_any(pats.comment_date_line, date_text)
                if len(date_text) <= COMMENT_HEADER_MAX_CHARS
                else None
            )
            if date_match and parse_datetime(date_match.group("when")) is not None:
                when = date_match.group("when")
                consumed = k - j + 1
        if when is None and match.re in pats.comment_author_line:
            return None  # a bare name is a header only with its date under it
    return consumed, _RawComment(
        kind="plain", depth=indent + _QUOTE_DEPTH * quotes, author=author, when=when, quotes=quotes
    )


def _parse_comments(
    lines: list[str], pats: IngestPatterns, warnings: list[str], *, after_heading: bool = False
) -> list[Comment]:
    """Comments and their replies, in page order.

    A numbered header starts a top-level comment ("1", "2", ...); a bulleted header replies to
    the nearest header above it that is less indented (never climbing above the top-level
    comment), numbered "<parent>.<k>". After a comments heading (``after_heading``) the other
    formats count too (see :func:`_comment_header_at`): a plain header replies to the nearest
    less indented (or less "> "-quoted) header above it, or to the latest comment by the
    author a "Reply to <author>" line names; page furniture ("Reply", "Report") is dropped; and
    text before the first header is kept as one comment with no author, with a warning.
    Without ``after_heading`` (comments found after a trailer), text before the first header
    is page furniture and is skipped.
    """
    raws: list[_RawComment] = []
    stray = _RawComment(kind="stray")
    current: _RawComment | None = None
    pending: tuple[str, str] | None = None  # a reply marker waiting for its comment: (line, author)

    def known(author: str, among: list[_RawComment]) -> bool:
        folded = author.casefold()
        return any(r.author.casefold() == folded for r in among if r.author)

    def target() -> _RawComment | None:
        return current if current is not None else (stray if after_heading else None)

    j = 0
    while j < len(lines):
        found = _comment_header_at(lines, j, pats, plain=after_heading)
        if found:
            consumed, raw = found
            if pending is not None:
                if raw.kind == "plain":
                    raw.reply_to_author = pending[1]
                elif (owner := target()) is not None:  # numbered pages mark replies otherwise
                    owner.lines.append(pending[0])
                pending = None
            raws.append(raw)
            current = raw
            j += consumed
            continue
        line = lines[j]
        j += 1
        stripped = line.strip()
        if _search_any(pats.comments_end, stripped):
            break
        if after_heading and stripped:
            if _search_any(pats.comment_noise, stripped):
                continue
            marker = _search_any(pats.comment_reply_marker, stripped)
            if marker:
                named = marker.group("author").strip()
                if (
                    current is not None
                    and current.kind == "plain"
                    and current.reply_to_author is None
                    and not any(ln.strip() for ln in current.lines)
                    and known(named, raws[:-1])
                ):
                    current.reply_to_author = named  # "Reply to X" under the header
                    continue
                if pending is None and known(named, raws):
                    pending = (line, named)  # "Reply to X" above the next header
                    continue
            if pending is not None:  # not followed by a header after all: it is text
                owner = target()
                if owner is not None:
                    owner.lines.append(pending[0])
                pending = None
        owner = target()
        if owner is not None:
            owner.lines.append(line)
    if pending is not None and (owner := target()) is not None:
        owner.lines.append(pending[0])

    if any(ln.strip() for ln in stray.lines):
        raws.insert(0, stray)
        warnings.append(
            "text after the comments heading is in no known comment format: "
            "kept as one comment with no author"
        )
    return _number_comments(raws, warnings)


def _number_comments(raws: list[_RawComment], warnings: list[str]) -> list[Comment]:
    comments: list[Comment] = []
    stack: list[tuple[int, str]] = []
    children: Counter[str] = Counter()
    top = 0
    renumbered = False

    def child_of(parent: str) -> str:
        children[parent] += 1
        return f"{parent}.{children[parent]}"

    for raw in raws:
        reply_to: str | None = None
        if raw.kind == "stray":
            top += 1
            number = str(top)
            stack = []
        elif raw.kind == "num" or (raw.kind == "bullet" and not stack):
            if raw.kind == "bullet":
                warnings.append("a reply with no comment above it: read as a comment")
            top += 1
            number = str(top)
            if raw.num and int(raw.num) != top and not renumbered:
                renumbered = True
                warnings.append("comment numbers on the page are not 1, 2, 3...: renumbered")
            stack = [(raw.depth, number)]
        elif raw.kind == "bullet":
            while len(stack) > 1 and stack[-1][0] >= raw.depth:
                stack.pop()
            reply_to = stack[-1][1]
            number = child_of(reply_to)
            stack.append((raw.depth, number))
        else:
            folded = (raw.reply_to_author or "").casefold()
            parent = next(
                (c for c in reversed(comments) if folded and c.author.casefold() == folded), None
            )
            if parent is not None:
                reply_to = parent.number
                number = child_of(reply_to)
            elif not stack or raw.depth <= stack[0][0]:
                top += 1
                number = str(top)
                stack = [(raw.depth, number)]
            else:
                while len(stack) > 1 and stack[-1][0] >= raw.depth:
                    stack.pop()
                reply_to = stack[-1][1]
                number = child_of(reply_to)
                stack.append((raw.depth, number))
        created = None
        if raw.when is not None:
            created = parse_datetime(raw.when)
            if created is None:
                warnings.append(f"comment {number}: unreadable date {raw.when!r}")
        comments.append(
            Comment(
                number=number,
                author=raw.author,
                text=_comment_text(raw),
                created=created,
                reply_to=reply_to,
            )
        )
    return comments


def _comment_text(raw: _RawComment) -> str:
    lines = raw.lines
    if raw.quotes:
        unquote = re.compile(rf"^[ \t]*(?:>[ \t]?){{1,{raw.quotes}}}")
        lines = [unquote.sub("", line, count=1) for line in lines]
    return "\n\n".join("\n".join(p) for p in _paragraphs(lines))


# --------------------------------------------------------------------------------------------
# Near-duplicates


def shingles(text: str, size: int = 5, *, _ids: dict[str, int] | None = None) -> frozenset[int]:
    """Hashes of the word ``size``-grams of ``text`` (case-folded, punctuation ignored).

    Hashes are stable across runs and machines of the same word size: words are hashed with
    BLAKE2b and n-grams with Python's (unsalted) tuple hash of those integers.

    >>> shingles("One two three", 2) == shingles("ONE, two -- three!", 2)
    True
    """
    ids = _ids if _ids is not None else {}
    words = _WORD.findall(unicodedata.normalize("NFKC", text).casefold())
    for word in set(words).difference(ids):
        digest = hashlib.blake2b(word.encode("utf-8", "surrogatepass"), digest_size=8).digest()
        ids[word] = int.from_bytes(digest, "big")
    hashed = list(map(ids.__getitem__, words))
    if not hashed:
        return frozenset()
    if len(hashed) < size:
        return frozenset({hash(tuple(hashed))})
    return frozenset(map(hash, zip(*(hashed[i:] for i in range(size)))))


def similarity(a: frozenset[int], b: frozenset[int], min_size_ratio: float = 0.5) -> float:
    """How much of the smaller shingle set the larger contains, when sizes are comparable.

    Containment (|A∩B| / min(|A|,|B|)) finds a copy that lost a section or its last paragraphs;
    when the smaller set is under ``min_size_ratio`` of the larger (a short item quoted inside a
    long one), plain Jaccard is used instead so that it does not count as the same story.

    >>> similarity(frozenset({1, 2, 3, 4}), frozenset({1, 2, 3}))
    1.0
    >>> similarity(frozenset({1, 2, 3, 4, 5, 6, 7, 8}), frozenset({1, 2, 3}))
    0.375
    """
    if not a or not b:
        return 0.0
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    return _overlap(len(a), len(b), sum(1 for h in small if h in large), min_size_ratio)


def _overlap(size_a: int, size_b: int, common: int, min_size_ratio: float) -> float:
    """Containment of the smaller set when the sizes are comparable, else Jaccard."""
    small, large = sorted((size_a, size_b))
    if small >= min_size_ratio * large:
        return common / small
    return common / (size_a + size_b - common)


class ShingleIndex:
    """What :func:`find_duplicates` needs of each body, kept out of memory.

    Each body's shingles (:func:`shingles`, as a sorted array of 64-bit hashes) go to an unnamed
    temporary file as the body is added, so that the body itself can be let go at once. In
    memory stay only the ``bottom_size`` smallest hashes of each (what the sketches are drawn
    from), the body's length and where its shingles are in the file: under 0.7 KB an article,
    however long it is. The shingles of a pair are read back only when the pair is compared.
    """

    #: The cache of word hashes is emptied when it grows beyond this many words (a real
    #: archive's vocabulary has no end); hashes are computed again, to the same values.
    MAX_WORDS = 200_000

    def __init__(self, shingle_size: int = 5, bottom_size: int = 64) -> None:
        import tempfile

        self.shingle_size, self.bottom_size = shingle_size, bottom_size
        self._file = tempfile.TemporaryFile(buffering=0)
        self._empty()

    def _empty(self) -> None:
        """What the index holds in memory, as it is before the first body."""
        self._end = 0
        self._rows: dict[str, int] = {}
        self._where = array("q")  # offset in the file and number of shingles, two per body
        self._lengths = array("q")
        self._bottoms = array("q")
        self._bottom_ends = array("q")
        self._ids: dict[str, int] = {}

    def add(self, name: str, body: str) -> None:
        """Shingle ``body`` under ``name`` (a file name; added once)."""
        import numpy as np  # spaCy's own dependency

        if name in self._rows:
            raise ValueError(f"{name!r} is in the index already")
        if len(self._ids) > self.MAX_WORDS:
            self._ids.clear()
        hashes = shingles(body, self.shingle_size, _ids=self._ids)
        values = np.fromiter(hashes, dtype=np.int64, count=len(hashes))
        values.sort()
        self.add_shingles(name, values.tobytes(), len(body))

    def add_shingles(self, name: str, data: bytes, length: int) -> None:
        """Add a body by its shingles as :meth:`shingles` gives them (bytes of the sorted array,
        kept from an earlier build) and its length."""
        import numpy as np

        if name in self._rows:
            raise ValueError(f"{name!r} is in the index already")
        values = np.frombuffer(data, dtype=np.int64)
        view = memoryview(data)
        while view:  # an unbuffered write may write less than asked
            view = view[self._file.write(view):]
        self._rows[name] = len(self._lengths)
        self._where.extend((self._end, len(values)))
        self._end += len(data)
        self._lengths.append(length)
        self._bottoms.extend(values[: self.bottom_size].tolist())
        self._bottom_ends.append(len(self._bottoms))

    def __contains__(self, name: str) -> bool:
        return name in self._rows

    def __len__(self) -> int:
        return len(self._rows)

    def length(self, name: str) -> int:
        """The length of the body added under ``name``, in characters."""
        return self._lengths[self._rows[name]]

    def bottom(self, name: str):
        """The smallest shingles of ``name``'s body, in order (a numpy array)."""
        import numpy as np

        row = self._rows[name]
        start = self._bottom_ends[row - 1] if row else 0
        return np.frombuffer(self._bottoms, dtype=np.int64)[start:self._bottom_ends[row]]

    def shingles(self, name: str):
        """All the shingles of ``name``'s body, sorted (a numpy array read from the file)."""
        import numpy as np

        row = self._rows[name]
        offset, count = self._where[2 * row], self._where[2 * row + 1]
        data = os.pread(self._file.fileno(), 8 * count, offset)
        if len(data) != 8 * count:  # pragma: no cover - the file is ours and unnamed
            raise OSError(f"the shingles of {name} could not be read back")
        return np.frombuffer(data, dtype=np.int64)

    def close(self) -> None:
        """Close the file and let go of what is in memory (the index is empty afterwards)."""
        self._file.close()
        self._empty()

    def __enter__(self) -> "ShingleIndex":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _common_counts(mine, theirs: list) -> list[int]:
    """How many values ``mine`` shares with each array of ``theirs`` (all sorted, each of
    distinct values), in one pass over them all."""
    import numpy as np

    if not len(mine) or not theirs:
        return [0] * len(theirs)
    values = np.concatenate(theirs)
    at = np.searchsorted(mine, values)
    at[at == len(mine)] = 0
    hits = np.concatenate(([0], np.cumsum(mine[at] == values)))
    ends = np.cumsum([len(t) for t in theirs])
    return (hits[ends] - hits[ends - [len(t) for t in theirs]]).tolist()


def _ranges(starts, sizes):
    """The positions ``starts[i]``, ..., ``starts[i] + sizes[i] - 1`` of every range, in order."""
    import numpy as np

    total = int(sizes.sum())
    return np.repeat(starts - (np.cumsum(sizes) - sizes), sizes) + np.arange(total, dtype=np.int64)


def find_duplicates(
    articles: list[Article],
    threshold: float = 0.8,
    *,
    shingle_size: int = 5,
    sketch_size: int = 32,
    min_size_ratio: float = 0.5,
    max_df: int | None = None,
    max_posting: int = 1000,
    stats: dict | None = None,
    prepared: ShingleIndex | None = None,
) -> dict[str, str]:
    """Find articles whose bodies tell the same story; return ``{duplicate: canonical}``.
    ``prepared`` is a :class:`ShingleIndex` holding every article's body by file name, added as
    it was read (its body may be gone since); without it the bodies are shingled here.

    Each body becomes a set of word 5-gram hashes. Candidate pairs come from an inverted index
    over bottom-k sketches (the ``sketch_size`` smallest hashes of each set): two sets with
    Jaccard J share about J·k of their sketches, so near-duplicates meet in the index while
    unrelated articles rarely share two. Shingles in more than ``max_df`` articles' sketches
    (default: 1 % of the articles, at least 20) are stock phrases ("the director of children's
    services said") and stay out of the sketches, unless an article has nothing else. Only
    candidates are compared in full (:func:`similarity`), so the work grows with the number of
    articles, not its square; the index is a pair of sorted arrays (12 bytes a sketch value),
    and each pair's shingles are read back from the index's file when it is compared.
    Clusters are closed transitively; in each, the canonical article has a title, then the
    longest body, then the first file name. Sets ``duplicate_of`` on every article (``None``
    for canonical and unique ones) and shares the best known date inside a cluster:
    an article with no stated date takes the earliest date stated by another member as its
    ``reference_date``. ``stats``, when given, receives counts for monitoring.
    """
    if prepared is None:
        with ShingleIndex(shingle_size, 2 * sketch_size) as index:
            for article in articles:
                index.add(article.source_file, article.body)
            return find_duplicates(articles, threshold, sketch_size=sketch_size, min_size_ratio=min_size_ratio,
                                   max_df=max_df, max_posting=max_posting, stats=stats, prepared=index)
    import numpy as np

    if prepared.bottom_size < 2 * sketch_size:
        raise ValueError(f"the index keeps {prepared.bottom_size} smallest shingles a body; "
                         f"sketches of {sketch_size} need {2 * sketch_size}")
    order = sorted(range(len(articles)), key=lambda i: articles[i].source_file)
    names = [articles[i].source_file for i in order]
    n = len(names)

    # Document frequency is sampled on twice the sketch: a stock phrase is frequent there too.
    bottoms = [prepared.bottom(name)[: 2 * sketch_size] for name in names]
    sizes = np.fromiter(map(len, bottoms), dtype=np.int64, count=n)
    values = np.concatenate(bottoms) if n else np.zeros(0, dtype=np.int64)
    del bottoms
    owner = np.repeat(np.arange(n, dtype=np.int64), sizes)
    rank = np.arange(len(values), dtype=np.int64) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    _, inverse, counts = np.unique(values, return_inverse=True, return_counts=True)
    limit = max_df if max_df is not None else max(20, n // 100)
    rare = counts[inverse] <= limit
    del inverse, counts
    # each sketch: its body's smallest rare shingles, or its smallest ones when none is rare
    rare_count = np.bincount(owner[rare], minlength=n)
    rare_rank = np.cumsum(rare) - np.repeat(np.cumsum(rare_count) - rare_count, sizes)  # from 1
    has_rare = rare_count > 0
    keep = np.where(has_rare[owner], rare & (rare_rank <= sketch_size), rank < sketch_size)
    values, owner = values[keep], owner[keep]
    sketch_len = np.bincount(owner, minlength=n)
    sketch_end = np.cumsum(sketch_len)
    del rank, rare, rare_count, rare_rank, has_rare, keep

    # the inverted index: sketch values in order, and whose sketch each is in (file-name order)
    by_value = np.lexsort((owner, values))
    posting_owner = owner[by_value]
    keys, starts, posting_size = np.unique(values[by_value], return_index=True, return_counts=True)
    del by_value
    # boilerplate common to too many articles joins nothing
    skipped = int(np.count_nonzero(posting_size > max_posting))

    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    # the articles sharing sketch values with each one, found one article at a time (the
    # candidate pairs of a large corpus would be millions)
    candidates = compared = matched = 0
    for a in range(n):
        mine = values[sketch_end[a] - sketch_len[a]:sketch_end[a]]
        at = np.searchsorted(keys, mine)
        size = posting_size[at]
        used = (size >= 2) & (size <= max_posting)
        others = posting_owner[_ranges(starts[at][used], size[used])]
        others, shared = np.unique(others[others > a], return_counts=True)
        candidates += len(others)
        needed = np.minimum(np.minimum(2, sketch_len[a]), sketch_len[others])
        others = others[shared >= needed]
        if not len(others):
            continue
        mine = prepared.shingles(names[a])
        theirs = [prepared.shingles(names[b]) for b in others.tolist()]
        compared += len(theirs)
        for b, size, common in zip(others.tolist(), map(len, theirs), _common_counts(mine, theirs)):
            if not len(mine) or not size:
                continue
            if _overlap(len(mine), size, common, min_size_ratio) >= threshold:
                matched += 1
                ra, rb = find(a), find(b)
                if ra != rb:
                    parent[max(ra, rb)] = min(ra, rb)

    clusters: defaultdict[int, list[Article]] = defaultdict(list)
    for pos, i in enumerate(order):
        clusters[find(pos)].append(articles[i])
    result: dict[str, str] = {}
    for members in clusters.values():
        for art in members:
            art.duplicate_of = None
        if len(members) < 2:
            continue
        canonical = min(members, key=lambda a: (a.title is None, -prepared.length(a.source_file), a.source_file))
        for art in members:
            if art is not canonical:
                art.duplicate_of = canonical.source_file
                result[art.source_file] = canonical.source_file
        _share_dates(members)
    if stats is not None:
        stats.update(
            articles=len(articles),
            candidate_pairs=candidates,
            compared_pairs=compared,
            duplicate_pairs=matched,
            skipped_postings=skipped,
        )
    log.info("duplicates: %d of %d articles repeat another", len(result), len(articles))
    return dict(sorted(result.items()))


def _share_dates(members: list[Article]) -> None:
    stated = [a.date for a in members if a.date is not None]
    if stated:
        earliest = min(stated)
        for art in members:
            if art.date is None:
                art.reference_date = earliest
        return
    known = [a.reference_date for a in members if a.reference_date is not None]
    if known:
        for art in members:
            if art.reference_date is None:
                art.reference_date = min(known)
