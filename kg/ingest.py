"""Files -> :class:`~kg.facts.Article` records: decoding, title/date/body/comments split, dedup.

The input is plain text saved from news pages (Community Care): a headline, an optional
standfirst, a photo credit, sometimes a date line, the body, site trailers, then the reader
comments. This stage cuts a file into those parts. The body keeps the journalist's words
verbatim (modulo whitespace), because every fact's evidence sentence is later checked against
the file. What counts as a credit, a trailer or a comment header is data, in
``data/ingest_patterns.json``.

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
import json
import logging
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import combinations
from pathlib import Path
from typing import Iterable, Iterator, Sequence

from kg.config import ARTICLE_SUFFIXES, DATA
from kg.facts import Article, Comment

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

_PATTERN_LIST_KEYS = ("credit_line", "date_line", "end_of_body", "drop_paragraph", "comments_end")
_PATTERN_ONE_KEYS = ("comments_header", "comment_header")
_ALLOWED_KEYS = frozenset({"_doc", "version", "number_words", *_PATTERN_LIST_KEYS, *_PATTERN_ONE_KEYS})
_REQUIRED_GROUPS = {
    "date_line": {"date"},
    "comments_header": {"count"},
    "comment_header": {"indent", "num", "bullet", "author", "when"},
}

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
_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]+)\.?,?\s+(\d{4})")
_MONTH_DAY_YEAR = re.compile(r"([A-Za-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})")
_TIME = re.compile(r"(\d{1,2})[:.](\d{2})\s*(?:([aApP])\.?[mM]\.?)?\s*$")
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
    end_of_body: tuple[re.Pattern[str], ...]
    drop_paragraph: tuple[re.Pattern[str], ...]
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
    with open(path, encoding="utf-8") as handle:
        raw = json.load(handle)
    if not isinstance(raw, dict):
        raise ValueError(f"{path}: expected a JSON object")
    unknown = set(raw) - _ALLOWED_KEYS
    if unknown:
        raise ValueError(f"{path}: unknown keys {sorted(unknown)}")
    missing = set(_PATTERN_LIST_KEYS + _PATTERN_ONE_KEYS) - set(raw)
    if missing:
        raise ValueError(f"{path}: missing keys {sorted(missing)}")

    def compile_one(key: str, source: object) -> re.Pattern[str]:
        if not isinstance(source, str):
            raise ValueError(f"{path}: {key}: expected a string, got {source!r}")
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
    """Split decoded text into title, standfirst, date, body and comments."""
    pats = patterns or load_patterns()
    warnings = list(warnings or [])
    lines = text.split("\n")
    first_line = next((ln.strip() for ln in lines if ln.strip()), "")

    end, header_at = _find_body_end(lines, first_line, pats)
    title, standfirst, date, body = _split_head(_paragraphs(lines[:end]), pats, warnings)

    comments: list[Comment] = []
    declared: int | None = None
    if header_at is None:
        header_at = next(
            (i for i in range(end, len(lines)) if _comments_header(lines, i, first_line, pats)),
            None,
        )
    if header_at is not None:
        match = _comments_header(lines, header_at, first_line, pats)
        assert match is not None
        count = match.group("count")
        declared = int(count) if count.isdigit() else pats.number_words.get(count.lower())
        if title is None and match.groupdict().get("title"):
            title = match.group("title").strip().strip("“”\"'‘’") or None
        comments = _parse_comments(lines[header_at + 1:], pats, warnings)
    elif end < len(lines):
        comments = _parse_comments(lines[end:], pats, warnings)
    if declared is not None and declared != len(comments):
        warnings.append(f"declares {declared} responses but {len(comments)} comments were read")

    if not body:
        warnings.append("empty body")
    reference_date = date
    if reference_date is None:
        created = [c.created for c in comments if c.created is not None]
        if created:
            reference_date = min(created).date()
    return Article(
        source_file=source_file,
        sha1=sha1,
        title=title,
        body=body,
        standfirst=standfirst,
        date=date,
        reference_date=reference_date,
        comments=comments,
        comments_declared=declared,
        warnings=warnings,
    )


def _find_body_end(
    lines: list[str], first_line: str, pats: IngestPatterns
) -> tuple[int, int | None]:
    """Index of the first line past the body, and of the comments header if that is it."""
    for i, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            continue
        if _search_any(pats.end_of_body, stripped):
            return i, None
        if _comments_header(lines, i, first_line, pats):
            return i, i
        match = pats.comment_header.search(line.expandtabs(4))
        if match and match.group("num"):
            return i, None
    return len(lines), None


def _comments_header(
    lines: list[str], i: int, first_line: str, pats: IngestPatterns
) -> re.Match[str] | None:
    """A "N Responses to <title>" line, accepted only where comments really follow.

    It must repeat the headline, be followed by a comment header, or end the file: a sentence
    such as "2 responses to the consultation ..." in the body is none of these.
    """
    match = pats.comments_header.search(lines[i].strip())
    if not match:
        return None
    title = (match.groupdict().get("title") or "").strip().strip("“”\"'‘’")
    if title and _fold(title) == _fold(first_line):
        return match
    following = next((ln for ln in lines[i + 1:] if ln.strip()), None)
    if following is None or pats.comment_header.search(following.expandtabs(4)):
        return match
    return None


def _fold(text: str) -> str:
    return " ".join(_WORD.findall(text.casefold()))


def _split_head(
    paras: list[list[str]], pats: IngestPatterns, warnings: list[str]
) -> tuple[str | None, str | None, dt.date | None, str]:
    """Headline, standfirst, stated date and body from the paragraphs before the trailers.

    Lines are only ever taken away whole, or as a prefix (the date of a date line), and a
    paragraph that loses an inner line is split there: every body paragraph stays a
    contiguous slice of the file.
    """
    title: str | None = None
    standfirst: str | None = None
    date: dt.date | None = None
    date_first = False

    def cut_line(p: int, i: int, rest: str = "") -> None:
        """Replace line i of paragraph p by ``rest`` (a suffix of it), splitting before it."""
        after = ([rest] if rest else []) + paras[p][i + 1:]
        paras[p:p + 1] = [part for part in (paras[p][:i], after) if part]

    if paras:
        first = paras[0][0]
        date, rest = _date_prefix(first, pats)
        if date is not None:
            date_first = True
            cut_line(0, 0, rest)
        elif _search_any(pats.credit_line, first):
            pass  # no headline: the file opens with the picture
        elif len(first) <= TITLE_MAX_CHARS:
            title = first
            cut_line(0, 0)
        else:
            warnings.append("first line is too long to be a headline: no title")

    credit_at = _find_head_credit(paras, pats)
    head_end = credit_at + 1 if credit_at is not None else min(1, len(paras))
    if date is None:  # a date line just under the headline
        for p in range(head_end):
            for i, line in enumerate(paras[p]):
                found, rest = _date_prefix(line, pats)
                if found is not None:
                    date = found
                    cut_line(p, i, rest)
                    break
            if date is not None:
                credit_at = _find_head_credit(paras, pats)
                break

    if credit_at is not None:
        head = paras[:credit_at]
        credit_para = paras[credit_at]
        last_credit = max(
            i for i, line in enumerate(credit_para) if _search_any(pats.credit_line, line)
        )
        after = credit_para[last_credit + 1:]
        body_paras = ([after] if after else []) + paras[credit_at + 1:]
        if title is None and date_first and head and _looks_like_heading(head[0]):
            title = head.pop(0)[0]
        if head and len(" ".join(head[0])) <= STANDFIRST_MAX_CHARS:
            standfirst = " ".join(head.pop(0))
        kept = [p for p in head if not _looks_like_caption(p)]
        body_paras = kept + body_paras
    else:
        body_paras = paras
        if (
            title is not None
            and len(body_paras) > 1
            and len(body_paras[0]) == 1
            and _looks_like_heading(body_paras[0], STANDFIRST_MAX_CHARS)
        ):
            standfirst = body_paras.pop(0)[0]

    body_parts = []
    for lines in body_paras:
        for piece in _split_at_credits(lines, pats):
            if not _search_any(pats.drop_paragraph, " ".join(piece)):
                body_parts.append("\n".join(piece))
    return title, standfirst, date, "\n\n".join(body_parts)


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


def _date_prefix(line: str, pats: IngestPatterns) -> tuple[dt.date | None, str]:
    """(date, rest of the line) when ``line`` is or starts with a date line."""
    match = _search_any(pats.date_line, line.strip())
    if not match:
        return None, line
    date = parse_date(match.group("date"))
    if date is None:
        return None, line
    return date, (match.groupdict().get("rest") or "").strip()


def parse_date(text: str) -> dt.date | None:
    """Parse "2019-07-15", "15 July 2019", "July 15, 2019" (English month names, any locale).

    Impossible dates and years outside 1900-2100 give None.

    >>> parse_date("15 July 2019"), parse_date("Sept 3rd, 2020"), parse_date("2019-02-30")
    (datetime.date(2019, 7, 15), datetime.date(2020, 9, 3), None)
    """
    text = text.strip()
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
    except ValueError:
        return None
    return None


def parse_datetime(text: str) -> dt.datetime | None:
    """Parse a comment timestamp such as "July 15, 2019 at 5:04 pm" (naive, site time).

    >>> parse_datetime("July 15, 2019 at 5:04 pm")
    datetime.datetime(2019, 7, 15, 17, 4)
    >>> parse_datetime("15 July 2019 12:30 am")
    datetime.datetime(2019, 7, 15, 0, 30)
    """
    text = text.strip()
    time = _TIME.search(text)
    if not time:
        date = parse_date(text)
        return dt.datetime(date.year, date.month, date.day) if date else None
    date_part = re.sub(r"(?:,?\s+at|,)?\s*$", "", text[: time.start()])
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


def _parse_comments(lines: list[str], pats: IngestPatterns, warnings: list[str]) -> list[Comment]:
    """Numbered comments and their bulleted replies, in page order.

    A numbered header starts a top-level comment ("1", "2", ...); a bulleted header replies to
    the nearest header above it that is less indented (never climbing above the top-level
    comment), numbered "<parent>.<k>".
    """
    comments: list[Comment] = []
    stack: list[tuple[int, str]] = []
    children: Counter[str] = Counter()
    top = 0
    renumbered = False
    current: dict | None = None
    body: list[str] = []

    def flush() -> None:
        if current is None:
            return
        text = "\n\n".join("\n".join(p) for p in _paragraphs(body))
        comments.append(Comment(text=text, **current))

    for line in lines:
        expanded = line.expandtabs(4)
        match = pats.comment_header.search(expanded)
        if match:
            flush()
            body = []
            indent = len(match.group("indent"))
            if match.group("num") or not stack:
                if not match.group("num"):
                    warnings.append("a reply with no comment above it: read as a comment")
                top += 1
                number, reply_to = str(top), None
                if match.group("num") and int(match.group("num")) != top and not renumbered:
                    renumbered = True
                    warnings.append("comment numbers on the page are not 1, 2, 3...: renumbered")
                stack = [(indent, number)]
            else:
                while len(stack) > 1 and stack[-1][0] >= indent:
                    stack.pop()
                reply_to = stack[-1][1]
                children[reply_to] += 1
                number = f"{reply_to}.{children[reply_to]}"
                stack.append((indent, number))
            when = match.group("when")
            created = parse_datetime(when)
            if created is None:
                warnings.append(f"comment {number}: unreadable date {when!r}")
            current = {
                "number": number,
                "author": (match.group("author") or "").strip(),
                "created": created,
                "reply_to": reply_to,
            }
            continue
        if _search_any(pats.comments_end, line.strip()):
            break
        if current is not None:
            body.append(line)
    flush()
    return comments


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
    common = sum(1 for h in small if h in large)
    if len(small) >= min_size_ratio * len(large):
        return common / len(small)
    return common / (len(a) + len(b) - common)


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
) -> dict[str, str]:
    """Find articles whose bodies tell the same story; return ``{duplicate: canonical}``.

    Each body becomes a set of word 5-gram hashes. Candidate pairs come from an inverted index
    over bottom-k sketches (the ``sketch_size`` smallest hashes of each set): two sets with
    Jaccard J share about J·k of their sketches, so near-duplicates meet in the index while
    unrelated articles rarely share two. Shingles in more than ``max_df`` articles' sketches
    (default: 1 % of the articles, at least 20) are stock phrases ("the director of children's
    services said") and stay out of the sketches, unless an article has nothing else. Only
    candidates are compared in full (:func:`similarity`), so the work grows with the number of
    articles, not its square.
    Clusters are closed transitively; in each, the canonical article has a title, then the
    longest body, then the first file name. Sets ``duplicate_of`` on every article (``None``
    for canonical and unique ones) and shares the best known date inside a cluster:
    an article with no stated date takes the earliest date stated by another member as its
    ``reference_date``. ``stats``, when given, receives counts for monitoring.
    """
    order = sorted(range(len(articles)), key=lambda i: articles[i].source_file)
    ids: dict[str, int] = {}
    sets = [shingles(articles[i].body, shingle_size, _ids=ids) for i in order]
    # Document frequency is sampled on twice the sketch: a stock phrase is frequent there too.
    bottoms = [sorted(s)[: 2 * sketch_size] for s in sets]
    df = Counter(h for bottom in bottoms for h in bottom)
    limit = max_df if max_df is not None else max(20, len(sets) // 100)
    sketches = [
        [h for h in bottom if df[h] <= limit][:sketch_size] or bottom[:sketch_size]
        for bottom in bottoms
    ]
    del df, bottoms

    index: defaultdict[int, list[int]] = defaultdict(list)
    for pos, sketch in enumerate(sketches):
        for value in sketch:
            index[value].append(pos)
    shared: Counter[tuple[int, int]] = Counter()
    skipped = 0
    for posting in index.values():
        if len(posting) < 2:
            continue
        if len(posting) > max_posting:  # boilerplate common to too many articles
            skipped += 1
            continue
        shared.update(combinations(posting, 2))

    parent = list(range(len(order)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    compared = matched = 0
    for (a, b), count in sorted(shared.items()):
        if count < min(2, len(sketches[a]), len(sketches[b])):
            continue
        compared += 1
        if similarity(sets[a], sets[b], min_size_ratio) >= threshold:
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
        canonical = min(members, key=lambda a: (a.title is None, -len(a.body), a.source_file))
        for art in members:
            if art is not canonical:
                art.duplicate_of = canonical.source_file
                result[art.source_file] = canonical.source_file
        _share_dates(members)
    if stats is not None:
        stats.update(
            articles=len(articles),
            candidate_pairs=len(shared),
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
