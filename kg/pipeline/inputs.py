"""The build's inputs: every file of the articles folder read by the reader of its kind (text,
saved HTML page, Ofsted report PDF) in file-name order, bad files turned into errors that name
them, and an article's text released from memory once parsed (:class:`Released`) and read
again from its file when it is needed.
"""
from __future__ import annotations

import datetime as dt
import logging
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from kg import config

log = logging.getLogger("councilkg")



def _return_freed_memory() -> None:
    """Give the memory freed since the corpus was read back to the system (glibc keeps freed
    heap pages, so the build's peak would otherwise carry the reading's). A no-op elsewhere."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    try:
        ctypes.CDLL(None).malloc_trim(0)  # the C library the interpreter runs on
    except (OSError, AttributeError):  # another C library (musl has no malloc_trim)
        pass


#: The parts of an Article that are its content: once it is read (and shingled, for
#: near-duplicate detection), a news article is released (:func:`_release`) to a record of what
#: identifies it, and its text is read again from its file when it is extracted
#: (:func:`_restore`), so that memory does not grow with the corpus. (Reports keep theirs until
#: they are modelled: a PDF costs more to parse twice.)
_CONTENT = ("body", "standfirst", "comments", "page_offsets")


@dataclass(slots=True)
class Released:
    """A released article: its identity, title and dates (which near-duplicate detection and
    the cache keys use, and which the build may change), the warnings it was read with, and how
    to read it again. Under 0.6 KB, however long the article."""

    source_file: str
    sha1: str
    title: str | None
    date: dt.date | None
    reference_date: dt.date | None
    kind: str
    duplicate_of: str | None
    warnings: tuple[str, ...]
    read: object  # the reader that read it (see _inputs)
    path: str

    def as_record(self) -> dict:
        """What the reading cache keeps (:class:`kg.pipeline.cache.IngestCache`): the record as read."""
        return {"source_file": self.source_file, "sha1": self.sha1, "title": self.title,
                "date": self.date and self.date.isoformat(),
                "reference_date": self.reference_date and self.reference_date.isoformat(),
                "kind": self.kind, "warnings": list(self.warnings)}

    @classmethod
    def from_record(cls, record: dict, read, path: Path) -> "Released":
        """The record :meth:`as_record` kept, of the file at ``path`` that ``read`` reads."""
        def day(text):
            return dt.date.fromisoformat(text) if text else None

        return cls(record["source_file"], record["sha1"], record["title"], day(record["date"]),
                   day(record["reference_date"]), record["kind"], None, tuple(record["warnings"]), read,
                   os.fspath(path))


def _release(article):
    """The :class:`Released` record of an article read from a file (one that was not, or a
    record already, is returned as it is)."""
    again = getattr(article, "_read_again", None)
    if again is None or isinstance(article, Released):
        return article
    read, path = again
    return Released(article.source_file, article.sha1, article.title, article.date, article.reference_date,
                    article.kind, article.duplicate_of, tuple(article.warnings), read, os.fspath(path))


def _restore(article):
    """The whole article of a :class:`Released` record, read again from its file (the same bytes
    give the same content); the identity, dates, duplicate link and warnings ingest and the
    build gave it are kept. An article that was not released is returned as it is."""
    if not isinstance(article, Released):
        return article
    fresh = article.read(Path(article.path))
    fresh.source_file, fresh.sha1 = article.source_file, article.sha1
    fresh.reference_date, fresh.duplicate_of = article.reference_date, article.duplicate_of
    fresh.warnings = list(article.warnings)
    fresh._read_again = (article.read, Path(article.path))
    return fresh


def _inputs(folder: Path, known=None):
    """(path, Article or IngestError) for every input in ``folder``, in file-name order: news
    articles (text and saved HTML pages) and inspection reports. One bad file never stops the
    others: whatever reading it raises becomes an IngestError naming the file. Hidden files
    (names starting with ".") are ignored, with a warning naming each. A file name that
    is not valid UTF-8 is recorded with its stray bytes written as ``\\xNN`` (and a warning).
    ``known(name, path, read)``, when given, may return the :class:`Released` record of a file
    read before, unchanged: it is yielded instead of reading the file."""
    from kg.sources import articles, html, reports

    readers = {**{s: articles.read_article for s in config.ARTICLE_SUFFIXES},
               **{s: html.read_html for s in config.HTML_SUFFIXES},
               **{s: reports.read_report for s in config.REPORT_SUFFIXES}}
    for path in sorted(folder.iterdir(), key=lambda p: p.name):
        read = readers.get(path.suffix.lower())
        if read is None:
            continue
        if path.name.startswith("."):  # "._x.txt" (macOS), ".~lock.x.txt": never the user's articles
            log.warning("ignored hidden file %r: names starting with '.' are not inputs", path.name)
            continue
        name = os.fsencode(path.name).decode("utf-8", "backslashreplace")
        try:
            if not path.is_file():
                continue
            item = known(name, path, read) if known is not None else None
            if item is None:
                item = read(path)
        except articles.UnreadableFile as exc:
            item = articles.IngestError(path, exc.reason)
        except OSError as exc:
            item = articles.IngestError(path, f"cannot read: {exc.strerror or exc}")
        except Exception as exc:  # noqa: BLE001 - a reader's bug must cost one file, not the build
            log.debug("reading %s failed", path, exc_info=True)
            item = articles.IngestError(path, f"could not be read ({type(exc).__name__}: {exc})")
        if isinstance(item, Released):  # read by an earlier build, unchanged
            yield path.with_name(name), item
            continue
        if not isinstance(item, articles.IngestError):
            item._read_again = (read, path)  # see _release
        if name != path.name:  # undecodable bytes in the name: keep the file, show the bytes
            path = path.with_name(name)
            if isinstance(item, articles.IngestError):
                item = articles.IngestError(path, item.reason)
            else:
                item.source_file = name
                item.warnings.append(f"the file name is not valid UTF-8: recorded as {name!r}")
        yield path, item


def _input_bytes(articles: list) -> int:
    """The size of the files ``articles`` were read from (see :func:`_inputs`)."""
    total = 0
    for article in map(_release, articles):
        if not isinstance(article, Released):
            continue
        try:
            total += os.stat(article.path).st_size
        except OSError:  # gone since it was read: it will be reported when it is read again
            continue
    return total


def _distinct_identities(articles: list) -> None:
    """Byte-identical files are two sources of one story: give the second its own identity
    (content hash and file name) so both files keep their provenance."""
    from kg.graph.namespaces import digest

    seen: set[str] = set()
    for article in articles:
        if article.sha1 in seen:
            article.sha1 = digest(article.sha1, article.source_file, length=40)
        seen.add(article.sha1)
