"""Extraction on a Dask cluster: per-document work sent to workers, results back in order.

Each worker loads the spaCy pipeline once (per process, on first use) and extracts batches of
articles; the client streams the results back in input order, so the build writes exactly what
a local build writes. The graph then goes to a shared SPARQL store with ``build.py push``.

    python build.py build --articles DIR --out DIR --dask tcp://scheduler:8786

Needs the optional ``distributed`` package (``pip install -e '.[dask]'``).
"""
from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence

from kg.graph.facts import Article, ArticleFacts

log = logging.getLogger(__name__)

#: Articles per task: large enough to amortise scheduling, small enough to balance the load.
BATCH = 32

_EXTRACTOR = None


def _extract_batch(articles: Sequence[Article]) -> list[ArticleFacts]:
    """Runs on a worker: the process's pipeline, loaded on first use, extracts a batch."""
    global _EXTRACTOR
    if _EXTRACTOR is None:
        from kg.extract.extractor import Extractor

        _EXTRACTOR = Extractor()
    return list(_EXTRACTOR.extract_many(articles))


def batches(articles: Sequence[Article], size: int = BATCH) -> list[list[Article]]:
    """>>> [len(b) for b in batches(list(range(70)), 32)]
    [32, 32, 6]
    """
    return [list(articles[i:i + size]) for i in range(0, len(articles), size)]


def extract_on_cluster(address: str, articles: Sequence[Article], *, batch_size: int = BATCH) -> Iterator[ArticleFacts]:
    """Yield the facts of ``articles``, in order, extracted by the workers of the Dask
    scheduler at ``address`` (or an existing ``distributed.Client`` object's scheduler)."""
    try:
        from distributed import Client
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise RuntimeError("--dask needs the 'distributed' package: pip install -e '.[dask]'") from exc
    client = address if isinstance(address, Client) else Client(address)
    own_client = client is not address
    try:
        futures = client.map(_extract_batch, batches(articles, batch_size), pure=False)
        log.info("sent %d articles in %d tasks to %s", len(articles), len(futures), client.scheduler.address)
        originals = iter(articles)
        for future in futures:
            for result in future.result():
                # the worker returns a copy of each Article: hand back the caller's own object
                result.article = next(originals)
                yield result
            future.release()
    finally:
        if own_client:
            client.close()
