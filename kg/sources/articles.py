"""Files -> :class:`~kg.graph.facts.Article` records: the entry points of the news stage.

* :func:`read_article` reads one file (raises :class:`UnreadableFile` for a file that is empty,
  binary, too large or undecodable);
* :func:`iter_articles` reads a folder and never raises for one bad file: it yields an
  :class:`IngestError` instead.

Decoding is :mod:`kg.sources.decode`, the split into title, date, body and comments
:mod:`kg.sources.news` and :mod:`kg.sources.comments`, near-duplicates
:mod:`kg.sources.duplicates`.
"""
from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import Iterator, Sequence

from kg.config import ARTICLE_SUFFIXES
from kg.graph.facts import Article
from kg.sources.decode import IngestError, UnreadableFile, decode_bytes
from kg.sources.news import parse_text
from kg.sources.patterns import IngestPatterns

log = logging.getLogger(__name__)



#: Files larger than this are refused ("too large"): no news article comes near it.
MAX_BYTES = 20 * 1024 * 1024


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
