"""The page-layout patterns of news text (credits, date lines, bylines, trailers, comment
headings and headers), read from ``data/ingest_patterns.json`` and checked against a whitelist
of keys. Every pattern is an entry ``{"id", "pattern", "examples", "counter"}`` validated by
:func:`kg.rules.compile_entry` after macro expansion; the tests run its examples.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from kg.config import DATA
from kg.files import read_json_object
from kg.rules import ENTRY_KEYS, Rule, RuleError, compile_entry, compile_entries

#: Where the credit/trailer/comment patterns live.
PATTERNS_FILE = DATA / "ingest_patterns.json"

_PATTERN_LIST_KEYS = (
    "credit_line", "date_line", "date_line_plain", "date_line_updated", "dateline",
    "byline_line", "byline_name", "byline_role", "head_meta_line", "section_line",
    "end_of_body", "drop_paragraph", "links_heading", "comments_heading", "comments_heading_weak",
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
    section_line: tuple[re.Pattern[str], ...]
    end_of_body: tuple[re.Pattern[str], ...]
    drop_paragraph: tuple[re.Pattern[str], ...]
    links_heading: tuple[re.Pattern[str], ...]
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
    #: every entry of the file, with its examples and counter-examples (for the tests)
    rules: tuple[Rule, ...] = ()


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
                raise RuleError(f"{path}: {key}: unknown macros {sorted(unknown)}")
            source = _MACRO.sub(lambda m: macros[m.group(1)], source)
        raise RuleError(f"{path}: {key}: macros nest too deeply (a cycle?)")

    def options(key: str) -> dict:
        return {"allowed": ENTRY_KEYS, "required": ("id", "pattern"), "flags": 0, "kind": key, "label": key,
                "groups": _REQUIRED_GROUPS.get(key, set()), "expand": lambda source: expand(key, source)}

    entries: dict[str, tuple[Rule, ...]] = {}
    for key in _PATTERN_LIST_KEYS:
        entries[key] = compile_entries(f"{path}: {key}", raw[key], **options(key)) if raw[key] != [] else ()
    for key in _PATTERN_ONE_KEYS:
        entries[key] = (compile_entry(f"{path}: {key}", raw[key], **options(key)),)
    every = [rule for rules in entries.values() for rule in rules]
    ids = [rule.id for rule in every]
    if len(set(ids)) != len(ids):
        raise RuleError(f"{path}: duplicate ids {sorted({i for i in ids if ids.count(i) > 1})}")
    words = raw.get("number_words", {})
    if not isinstance(words, dict) or not all(isinstance(v, int) for v in words.values()):
        raise ValueError(f"{path}: number_words: expected an object of integers")
    return IngestPatterns(
        **{key: tuple(rule.regex for rule in entries[key]) for key in _PATTERN_LIST_KEYS},
        comments_header=entries["comments_header"][0].regex,
        comment_header=entries["comment_header"][0].regex,
        number_words={str(k).lower(): v for k, v in words.items()},
        rules=tuple(every),
    )


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


def _next_nonblank(lines: list[str], start: int, limit: int | None = None) -> int | None:
    stop = len(lines) if limit is None else min(len(lines), start + limit)
    return next((k for k in range(start, stop) if lines[k].strip()), None)
