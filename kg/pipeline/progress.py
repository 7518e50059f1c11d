"""Progress of a long loop: a bar on a terminal, a log line every few seconds elsewhere.

With stderr not a terminal (CI, a log file, a pipe) a bar would print nothing useful, so the
loop logs ``articles: 120 of 300 (40%), 3.1 doc/s`` at INFO every ``every_s`` seconds and once at
the end.
"""
from __future__ import annotations

import logging
import sys
import time
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")
log = logging.getLogger("councilkg")


def progress(items: Iterable[T], *, total: int | None = None, desc: str = "articles", unit: str = "doc",
             every_s: float = 5.0, clock=time.monotonic, stream=None) -> Iterator[T]:
    """``items``, unchanged, with progress shown while they are consumed."""
    stream = stream if stream is not None else sys.stderr
    if getattr(stream, "isatty", lambda: False)():
        from tqdm import tqdm

        yield from tqdm(items, total=total, desc=desc, unit=unit, file=stream)
        return
    if total is None and hasattr(items, "__len__"):
        total = len(items)  # type: ignore[arg-type]
    start = last = clock()
    done = 0
    for item in items:
        yield item
        done += 1
        now = clock()
        if now - last >= every_s:
            last = now
            log.info("%s", _line(desc, unit, done, total, now - start))
    if done:
        log.info("%s", _line(desc, unit, done, total, clock() - start))


def _line(desc: str, unit: str, done: int, total: int | None, seconds: float) -> str:
    """
    >>> _line("articles", "doc", 120, 300, 40.0)
    'articles: 120 of 300 (40%), 3.0 doc/s'
    >>> _line("articles", "doc", 5, None, 0.0)
    'articles: 5'
    """
    text = f"{desc}: {done}" + (f" of {total} ({100 * done // total}%)" if total else "")
    return text + (f", {done / seconds:.1f} {unit}/s" if seconds > 0 else "")
