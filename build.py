#!/usr/bin/env python3
"""Council KG: build the knowledge graph of England's children's services failures.

    python build.py                                   # data/articles -> out/
    python build.py build --articles DIR --out DIR    # any folder of articles
    python build.py evaluate --articles DIR --gold DIR

Exit codes: 0 every input built; 3 some inputs were rejected but the graph was written for the
rest; 1 a fatal error (no inputs, unusable arguments, a graph that fails its own shapes).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from kg import config

log = logging.getLogger("councilkg")

EXIT_OK, EXIT_FATAL, EXIT_PARTIAL = 0, 1, 3


def cmd_build(args: argparse.Namespace) -> int:
    """Ingest -> extract (cached per article) -> model -> validate -> write the outputs."""
    from kg.sources import duplicates
    from kg.sources.decode import IngestError
    from kg.pipeline.cache import code_version
    from kg.extract import PipelineError
    from kg.pipeline.ingest_cache import IngestCache

    articles_dir, out_dir = Path(args.articles), Path(args.out)
    if not articles_dir.is_dir():
        log.error("articles folder not found: %s", articles_dir)
        return EXIT_FATAL
    if out_dir.exists() and not out_dir.is_dir():
        log.error("the output folder is a file, not a folder: %s", out_dir)
        return EXIT_FATAL
    if out_dir.resolve() == articles_dir.resolve():
        log.error("the output folder must not be the articles folder (%s): its viewer.html would be read as input",
                  out_dir)
        return EXIT_FATAL
    articles, rejected = [], []
    version = code_version()
    reading = IngestCache(out_dir / ".cache" / "ingest.sqlite" if args.cache else None, version)
    # what near-duplicate detection needs of each news body, mostly in a temporary file
    with reading, duplicates.ShingleIndex() as shingled:
        unread: dict[str, str] = {}  # the reading cache's keys of the files read now

        def known(name: str, path: Path, read):
            """The record of a file read before (its shingles go to the index), or None."""
            key, hit = reading.lookup(name, path)
            if hit is None:
                unread[name] = key
                return None
            record = Released.from_record(hit.record, read, path)
            if record.kind == "news":
                shingled.add_shingles(name, hit.shingles, hit.length)
            return record

        for path, item in _inputs(articles_dir, known=known if args.cache else None):
            if isinstance(item, IngestError):
                rejected.append(item)
                unread.pop(path.name, None)
                print(f"rejected: {path.name}: {item.reason}", file=sys.stderr)
                continue
            articles.append(item)
            if isinstance(item, Released):  # read before, unchanged
                continue
            record = _release(item)
            if item.kind == "news":  # its text is read again when it is extracted
                shingled.add(item.source_file, item.body)
                articles[-1] = record
            if item.source_file in unread:
                news = item.kind == "news"
                reading.remember(unread.pop(item.source_file), record.as_record(),
                                 shingled.shingles(item.source_file).tobytes() if news else b"",
                                 len(item.body) if news else 0)
        reading.commit()
        if reading.hits:
            log.info("read %d of %d files again (%d unchanged since the last build)", reading.misses,
                     reading.hits + reading.misses, reading.hits)
        if not articles and not rejected:
            log.error("no input files (%s) in %s", ", ".join(config.ARTICLE_SUFFIXES + config.REPORT_SUFFIXES),
                      articles_dir)
            return EXIT_FATAL
        articles.sort(key=lambda a: a.source_file)
        _distinct_identities(articles)
        duplicates = duplicates.find_duplicates([a for a in articles if a.kind == "news"], prepared=shingled)
    _return_freed_memory()  # reading and comparing left the heap full of holes
    try:
        # report.json's entries wait in an unnamed temporary file, not in memory
        with tempfile.TemporaryFile("w+", encoding="utf-8", newline="\n") as spool:
            written = _write_graph(args, out_dir, articles, duplicates, rejected, spool, version)
    except OSError as exc:  # a full disk, a read-only folder: previous outputs are untouched
        log.error("cannot write the outputs to %s: %s", out_dir, exc)
        return EXIT_FATAL
    except PipelineError as exc:  # the model cannot load, or the parser died: nothing written
        first, _, detail = str(exc).partition("\n")
        log.debug("%s", detail)
        log.error("spaCy failed: %s; previous outputs are untouched", first)
        return EXIT_FATAL
    except ShapeViolation as exc:
        for line in exc.violations[:50]:
            log.error("shape violation: %s", line)
        log.error("the graph does not conform to ontology/shapes.ttl (%d violations); nothing written",
                  len(exc.violations))
        return EXIT_FATAL
    if written is None:
        log.info("nothing changed since the last build of %s: outputs kept", out_dir)
    else:
        triples = written
        log.info("built %d articles (%d rejected) into %s: %d triples", len(articles), len(rejected), out_dir, triples)
    if not _official_layer(args, out_dir):
        return EXIT_FATAL
    return EXIT_PARTIAL if rejected else EXIT_OK


def _official_layer(args: argparse.Namespace, out_dir: Path) -> bool:
    """The official record as a layer: ``--official FILE`` is kept in OUT (as ``crosscheck``
    keeps it), and the kept record is added again to every graph a build writes, with
    ``crosscheck.csv``/``.json`` rewritten, in its own named graph. False on an error (said)."""
    from kg.analysis import crosscheck

    try:
        if getattr(args, "official", None):
            crosscheck.keep_layer(Path(args.official), out_dir)
        result = crosscheck.apply_layer(out_dir)
    except (FileNotFoundError, ValueError, OSError) as exc:
        log.error("the official record could not be added to the graph in %s: %s", out_dir, exc)
        return False
    if result is not None:
        log.info("official record %s added: %s", crosscheck.layer_file(out_dir).name,
                 ", ".join(f"{k} {v}" for k, v in result.counts.items()) or "nothing to compare")
    return True


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
        """What the reading cache keeps (:mod:`kg.pipeline.ingest_cache`): the record as read."""
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


class ShapeViolation(Exception):
    def __init__(self, violations: list[str]) -> None:
        super().__init__(f"{len(violations)} shape violations")
        self.violations = violations


def _write_graph(args, out_dir: Path, articles: list, duplicates: dict[str, str], rejected: list, spool,
                 version: str | None = None):
    """Every article's named graph, from the cache or freshly extracted, streamed into the
    outputs; freshly built graphs are validated (in batches) before they are cached. Returns
    the number of triples, or None when the corpus and the pipeline are unchanged since the
    outputs were written. report.json's entries wait in ``spool`` (JSON lines, in file-name
    order) until it is written, last before the corpus stamp."""
    from kg.pipeline.progress import progress

    from kg.view.outputs import write_projection_outputs
    from kg.pipeline import summary
    from kg.graph import ontology
    from kg.graph import rdf
    from kg.pipeline.cache import CachedArticle, ExtractionCache, code_version
    from kg.files import atomic_write
    from kg.graph.gazetteer import Gazetteer
    from kg.graph.namespaces import article_iri, digest, graph_iri
    from kg.view.projection_store import ProjectionStore, fragment, triple_hashes

    linked = set(duplicates) | set(duplicates.values())
    by_file = {a.source_file: a for a in articles if a.source_file in linked}
    same_story: dict[str, list] = {}
    for dup, canon in sorted(duplicates.items()):
        same_story.setdefault(dup, []).append(by_file[canon])
        same_story.setdefault(canon, []).append(by_file[dup])
    version = version or code_version()
    keys = {a.source_file: digest(version, a.sha1, a.source_file, a.reference_date, a.date, a.title,
                                   *sorted(o.sha1 for o in same_story.get(a.source_file, ())), length=40)
            for a in articles}
    corpus_key = digest(version, *sorted(keys.values()), *sorted(f"{e.path.name}:{e.reason}" for e in rejected),
                        f"viewer-max-nodes:{getattr(args, 'viewer_max_nodes', None)}")
    stamp = out_dir / ".cache" / "corpus.json"
    outputs = [out_dir / n for n in ("graph.ttl", "graph.trig", "viewer.html", "graph.graphml", "report.json")]
    if args.cache and all(p.exists() for p in outputs) and stamp.exists() \
            and json.loads(stamp.read_text(encoding="utf-8")).get("corpus") == corpus_key:
        return None

    cache = ExtractionCache(out_dir / ".cache" / "articles")
    # which articles have an entry; each is read once, as the outputs are written, so that memory
    # does not grow with the corpus (one found damaged then is extracted then)
    cached = bytearray(args.cache and cache.has(keys[a.source_file]) for a in articles)  # 1: it has one
    todo = [a for a, has in zip(articles, cached) if not has]
    gazetteer = Gazetteer.load()
    statuses: Counter = Counter()
    pending: list[tuple[str, CachedArticle]] = []
    validator = ontology.BatchValidator(lambda item: cache.put(*item) if args.cache else None,
                                        side_process=getattr(args, "side_process", True))
    left = len(todo)  # articles still to extract
    late = None  # an in-process extractor for an entry found unusable while writing

    def check(header: str) -> None:
        """Validate the pending article graphs as one batch (in the side process)."""
        if not pending:
            return
        if args.validate:
            validator.submit(header + "\n".join(entry.turtle for _, entry in pending), list(pending))
        else:
            for item in pending:
                validator.accept(item)
        pending.clear()

    try:
        fresh = iter(())
        if todo:
            if args.validate:
                validator.start()  # the side process loads pyshacl while spaCy loads
            log.info("extracting %d of %d articles (%d from the cache)", len(todo), len(articles),
                     len(articles) - len(todo))
            news = [a for a in todo if a.kind == "news"]
            if news:
                fresh = _extract(gazetteer, news, args)
        reference = ontology.load_ontology()
        statements, prefixes = rdf.turtle_chunk(reference)
        with rdf.GraphWriter(out_dir, extra_prefixes=prefixes) as writer, \
                _open_projection(out_dir / ".cache" / "projection.sqlite", args.cache) as views:
            header = "\n".join(writer.prefixes) + "\n\n"
            writer.add(rdf.ONTOLOGY_GRAPH, statements)
            # the store keeps the fragments of the last build: only those whose key changed
            # (or whose article left the corpus) are replaced
            ontology_key = digest(version, "ontology")  # the ontology's fragment is stored under ""
            stale, kept = [], 0
            for seq, key in views.keys():  # read one row at a time, taken out once all are read
                if (ontology_key if seq == "" else keys.get(seq)) != key:
                    stale.append(seq)
                else:
                    kept += 1
            for seq in sorted(stale, key=str):
                views.remove(seq)
            log.info("projection store: %d of %d fragments kept, %d taken out", kept, len(keys) + 1, len(stale))
            del stale
            # what is left in the store is up to date: a fragment is added where there is none
            if views.key_of("") != ontology_key:
                views.add("", {"nodes": [], "edges": []}, triple_hashes(reference), key=ontology_key)
            for position, article in enumerate(progress(articles, desc="articles", unit="doc")):
                name = graph_iri(article.sha1)
                entry = cache.get(keys[article.source_file]) if cached[position] else None
                if entry is None:
                    if article.kind == "inspection-report":
                        from kg.extract import reports

                        result = reports.report_facts(_restore(article), gazetteer)  # structured: no spaCy pass
                    elif cached[position]:  # its entry was damaged, or removed meanwhile
                        log.warning("the cache entry of %s is unusable: extracting it again", article.source_file)
                        from kg.extract.extractor import Extractor

                        late = late or Extractor(gazetteer=gazetteer)
                        result = late.extract(_restore(article))
                    else:
                        result = next(fresh)
                    if result.article.source_file != article.source_file:  # pragma: no cover - order is kept
                        raise RuntimeError("extraction returned articles out of order")
                    graph = rdf.article_graph(result, gazetteer, same_story=same_story.get(article.source_file, ()))
                    entry = CachedArticle(writer.statements(graph), len(graph),
                                          summary.file_entry(result, duplicates.get(article.source_file)),
                                          fragment(graph, reference, article_iri(article.sha1)), triple_hashes(graph))
                    pending.append((keys[article.source_file], entry))
                    left -= 1
                    if len(pending) >= _batch_size(validator.side_process, left):
                        check(header)
                articles[position] = _release(article)  # a report's text, once it is modelled
                writer.add(name, entry.turtle)
                if views.key_of(article.source_file) is None:
                    views.add(article.source_file, entry.view, entry.hashes, key=keys[article.source_file])
                spool.write(json.dumps(entry.report, ensure_ascii=False) + "\n")
                statuses[entry.report["status"]] += 1
            check(header)
            validator.finish()  # inside the with blocks: a violation leaves the previous outputs
            triples = views.triple_count()
    except ontology.ValidationError as exc:
        raise ShapeViolation(exc.violations) from None
    finally:
        validator.close()
    with ProjectionStore(out_dir / ".cache" / "projection.sqlite") as views:
        write_projection_outputs(views, out_dir, max_nodes=getattr(args, "viewer_max_nodes", None))
    if args.cache:
        cache.prune(set(keys.values()))
    spool.seek(0)
    summary.write_report(out_dir / "report.json", (json.loads(line) for line in spool), statuses, rejected, triples)
    stamp.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(stamp, json.dumps({"corpus": corpus_key}).encode("utf-8"))
    return triples


def _open_projection(path: Path, incremental: bool):
    """The projection store, opened to be updated (the cache is on) or created anew."""
    from kg.view.projection_store import ProjectionStore

    return ProjectionStore.update(path) if incremental else ProjectionStore.create(path)


#: Freshly extracted article graphs are validated together, this many at a time; in smaller
#: batches when a side process validates them while spaCy parses the next ones, and in the
#: smallest for the last articles, so that the build waits little for the last batch.
VALIDATION_BATCH = 200
SIDE_BATCH = 25
TAIL_BATCH = 5


def _batch_size(side_process: bool, left: int) -> int:
    """How many new article graphs to validate together when ``left`` are still to extract."""
    if not side_process:
        return VALIDATION_BATCH
    return SIDE_BATCH if left >= SIDE_BATCH else TAIL_BATCH


#: Less new text than this (bytes of input files) is parsed in the build's own process: starting
#: a side process (another Python, another spaCy import) would cost more than it saves. About 30
#: news articles, or one long report.
SIDE_PARSER_MIN = 128 * 1024


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


def _extract(gazetteer, articles: list, args):
    """Facts of ``articles`` in order: on a Dask cluster, or with local spaCy processes."""
    if getattr(args, "dask", None):
        from kg.pipeline.distributed import extract_on_cluster

        return extract_on_cluster(args.dask, [_restore(a) for a in articles])  # sent to the cluster at once
    from kg.extract.extractor import Extractor

    side = getattr(args, "side_parser", False) and _input_bytes(articles) >= SIDE_PARSER_MIN
    return Extractor(gazetteer=gazetteer).extract_many((_restore(a) for a in articles), n_process=max(1, args.jobs),
                                                       side_process=side)


def _distinct_identities(articles: list) -> None:
    """Byte-identical files are two sources of one story: give the second its own identity
    (content hash and file name) so both files keep their provenance."""
    from kg.graph.namespaces import digest

    seen: set[str] = set()
    for article in articles:
        if article.sha1 in seen:
            article.sha1 = digest(article.sha1, article.source_file, length=40)
        seen.add(article.sha1)


def _load_union(out_dir: Path):
    from rdflib import Graph

    path = out_dir / "graph.ttl"
    if not path.is_file():
        raise FileNotFoundError(f"no built graph at {path}: run `python build.py build --out {out_dir}` first")
    graph = Graph()
    graph.parse(path)
    return graph


def cmd_view(args: argparse.Namespace) -> int:
    """A viewer page focused on one council's neighbourhood: read from the build's projection
    store (without loading the graph) when it is as new as graph.ttl, else from graph.ttl."""
    from kg.view import viewer
    from kg.files import atomic_write
    from kg.graph.namespaces import slug
    from kg.view.projection_store import ProjectionStore

    out_dir = Path(args.out)
    target = Path(args.output) if args.output else out_dir / f"viewer-{slug(args.council)}.html"
    title = f"Council KG: {args.council}"
    store = out_dir / ".cache" / "projection.sqlite"
    graph_file = out_dir / "graph.ttl"
    try:
        if store.is_file() and graph_file.is_file() and store.stat().st_mtime >= graph_file.stat().st_mtime:
            with ProjectionStore(store) as views:
                proj = views.neighbourhood(args.council)
            atomic_write(target, viewer.render_projection(proj, title=title))
        else:
            viewer.write_viewer(_load_union(out_dir), target, council=args.council, title=title)
    except (FileNotFoundError, ValueError) as exc:
        log.error("%s", exc)
        return EXIT_FATAL
    print(target)
    return EXIT_OK


def cmd_query(args: argparse.Namespace) -> int:
    """Run a .rq file or SPARQL text against the built graph (embedded pyoxigraph store)."""
    from UNKNOWN import queries
    from kg.store import endpoint
    from kg.store import push

    params = {}
    for item in args.param or []:
        name, sep, value = item.partition("=")
        if not sep or not name:
            log.error("--param takes NAME=VALUE, got %r", item)
            return EXIT_FATAL
        params[name.strip()] = value
    try:
        text = args.sparql if args.sparql is not None else queries.load_query(Path(args.file), require_summary=False).text
        columns, rows = queries.run_query(Path(args.out), text, params=params)
    except (FileNotFoundError, ValueError, TypeError, SyntaxError) as exc:  # SyntaxError: bad SPARQL
        log.error("%s", exc)
        return EXIT_FATAL
    print(queries.format_result(columns, rows, args.format))
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    """A read-only SPARQL 1.1 endpoint over the built graph."""
    import errno

    from kg.store import endpoint
    from kg.store import push

    out = Path(args.out)
    if not (out / "graph.trig").is_file():
        log.error("no graph in %s: build it first (python build.py build --out %s)", out, out)
        return EXIT_FATAL
    try:
        return endpoint.serve(out, host=args.host, port=args.port, timeout_s=args.timeout)
    except OSError as exc:
        if exc.errno in (errno.EADDRINUSE, errno.EACCES):
            log.error("cannot listen on %s port %d (%s): choose another with --port", args.host, args.port,
                      os.strerror(exc.errno))
        else:
            log.error("the SPARQL endpoint could not start: %s", exc)
        return EXIT_FATAL
    except (RuntimeError, TimeoutError) as exc:
        log.error("the SPARQL endpoint could not start: %s", exc)
        return EXIT_FATAL


def cmd_push(args: argparse.Namespace) -> int:
    """Load the built graph into any SPARQL 1.1 Graph Store (named graphs replaced, never duplicated)."""
    from kg.store import endpoint
    from kg.store import push

    try:
        counts = push.push(Path(args.out), endpoint=args.endpoint, union=args.union)
    except (FileNotFoundError, OSError, ValueError) as exc:
        log.error("push to %s failed: %s", args.endpoint, exc)
        return EXIT_FATAL
    print(json.dumps(counts, indent=2))
    return EXIT_OK


def cmd_crosscheck(args: argparse.Namespace) -> int:
    """Check the built graph against Ofsted's published judgements, and add the record to it."""
    from kg.analysis import crosscheck
    from kg.graph.gazetteer import Gazetteer

    out = Path(args.out)
    try:
        if not (out / "graph.trig").exists() and not (out / "graph.ttl").exists():
            raise FileNotFoundError(f"no built graph in {out} (graph.trig or graph.ttl): run the build first")
        crosscheck.keep_layer(Path(args.official), out)  # every later build of OUT keeps the record
        result = crosscheck.apply_layer(out, gazetteer=Gazetteer.load(), force=True)
    except (FileNotFoundError, ValueError) as exc:
        log.error("%s", exc)
        return EXIT_FATAL
    if args.json:
        print(crosscheck.to_json(result.discrepancies), end="")
    else:
        print(crosscheck.format_table(result.discrepancies, agreements=args.all))
    return EXIT_OK


def cmd_evaluate(args: argparse.Namespace) -> int:
    """Build the articles into a temporary folder and score the graph against gold annotations.
    The gold is checked before anything is built: a missing folder, or gold for none of the
    articles, is one line and exit 1."""
    from kg.analysis import evaluate

    gold_dir, articles = Path(args.gold), Path(args.articles)
    if not articles.is_dir():
        log.error("no folder of articles at %s", articles)
        return EXIT_FATAL
    if not gold_dir.is_dir() or not any(gold_dir.glob("*.json")):
        log.error("no gold annotations (*.json) in %s: give the folder of gold files (format of "
                  "shared/eval/README.md) with --gold", gold_dir)
        return EXIT_FATAL
    try:
        golds = evaluate.load_gold(gold_dir)
    except (ValueError, OSError) as exc:
        log.error("cannot read the gold in %s: %s", gold_dir, exc)
        return EXIT_FATAL
    names = {p.name for p in articles.iterdir() if p.is_file()}
    matching = [g for g in golds if g.get("article") in names]
    if not matching:
        log.error("none of the %d gold files in %s is about an article in %s (their \"article\" fields name "
                  "other files): nothing to score", len(golds), gold_dir, articles)
        return EXIT_FATAL
    if len(matching) < len(golds):
        log.warning("%d of %d gold files name articles that are not in %s; they count as missed",
                    len(golds) - len(matching), len(golds), articles)

    with tempfile.TemporaryDirectory() as tmp:
        ns = argparse.Namespace(articles=args.articles, out=args.out or tmp, validate=True, cache=True,
                                jobs=1, dask=None)
        code = cmd_build(ns)
        if code == EXIT_FATAL:
            return code
        result = evaluate.score_graph(Path(ns.out) / "graph.ttl", Path(args.gold), Path(args.articles))
    print(evaluate.format_table(result) if not args.json else json.dumps(result, indent=2, default=str))
    return EXIT_OK


def cmd_train(args: argparse.Namespace) -> int:
    """Train the sentence classifier from the annotations (spaCy's training, seeded) and measure it."""
    from kg.extract import train

    reports = Path(args.reports) if args.reports else train.DEFAULT_REPORTS
    if not reports.is_dir():
        log.error("no Ofsted reports in %s: the annotations point into them; give --reports DIR "
                  "(the team's shared/corpus/ofsted-reports)", reports)
        return EXIT_FATAL
    news_dev = (config.DATA / "dev", config.DATA / "dev" / "gold")
    corpus = train.load_corpus(reports, news_dev=news_dev)
    out = Path(args.out) if args.out else train.MODEL_DIR
    train.train(args.config, out=out, corpus=corpus, seed=args.seed)
    for name, part in (("report sentences, dev split", corpus.dev), ("report sentences, test split", corpus.test),
                       ("news-check sentences (never trained on)", corpus.news_check),
                       ("data/dev news sentences", corpus.news_dev)):
        if part:
            print(train.format_measure(name, train.measure(out, part)))
            print()
    print(f"trained {args.config} (seed {args.seed}) into {out}")
    return EXIT_OK


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="build.py", description=__doc__.splitlines()[0])
    p.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    p.add_argument("--debug", action="store_true",
                   help="show the Python traceback of an unexpected error (by default: one line)")
    sub = p.add_subparsers(dest="command")

    b = sub.add_parser("build", help="build articles into a knowledge graph")
    b.add_argument("--articles", default=str(config.DATA / "articles"), help="folder of input files")
    b.add_argument("--out", default=str(config.ROOT / "out"), help="output folder")
    b.add_argument("--no-validate", dest="validate", action="store_false", help="skip SHACL validation")
    b.add_argument("--viewer-max-nodes", type=int, default=None, metavar="N",
                   help="draw every fact in viewer.html up to N nodes, the overview of councils and concepts "
                        "beyond (default 5000)")
    b.add_argument("--validate-in-process", dest="side_process", action="store_false",
                   default=(os.cpu_count() or 1) > 1,
                   help="run SHACL validation in the build's own process (default: a side process, on another "
                        "core, while spaCy parses; in-process on a one-core machine)")
    b.add_argument("--parse-in-process", dest="side_parser", action="store_false",
                   default=(os.cpu_count() or 1) > 1,
                   help="run spaCy in the build's own process (default with -j 1: a side process parses while "
                        "this one applies the rules and writes the graph; in-process on a one-core machine)")
    b.add_argument("--no-cache", dest="cache", action="store_false",
                   help="extract every article again (default: reuse OUT/.cache for unchanged articles)")
    b.add_argument("-j", "--jobs", type=int, default=1, help="spaCy worker processes (nlp.pipe n_process)")
    b.add_argument("--official", metavar="CSV", default=None,
                   help="Ofsted's published outcomes table: kept in OUT and added to every build's graph in its own "
                        "named graph, with crosscheck.csv/.json rewritten whenever the graph changes")
    b.add_argument("--dask", metavar="ADDRESS", default=None,
                   help="send extraction to a Dask scheduler (tcp://host:8786) instead of local processes")
    b.set_defaults(func=cmd_build)

    q = sub.add_parser("query", help="run a SPARQL query (a queries/*.rq file or --sparql TEXT)")
    src = q.add_mutually_exclusive_group(required=True)
    src.add_argument("file", nargs="?", help="a .rq file, e.g. queries/ratings-by-council-and-year.rq")
    src.add_argument("--sparql", help="SPARQL query text")
    q.add_argument("--out", default=str(config.ROOT / "out"), help="the built output folder")
    q.add_argument("--format", choices=("table", "csv", "json"), default="table")
    q.add_argument("--param", action="append", metavar="NAME=VALUE",
                   help="bind a parameter the .rq file declares (safely, never pasted into the text)")
    q.set_defaults(func=cmd_query)

    s = sub.add_parser("serve", help="a read-only SPARQL 1.1 endpoint over the built graph")
    s.add_argument("--out", default=str(config.ROOT / "out"), help="the built output folder")
    s.add_argument("--host", default="127.0.0.1", help="address to bind (default: loopback only)")
    s.add_argument("--port", type=int, default=7878)
    s.add_argument("--timeout", type=float, default=30.0, help="query time limit in seconds")
    s.set_defaults(func=cmd_serve)

    pu = sub.add_parser("push", help="load the graph into a SPARQL 1.1 Graph Store (Oxigraph, Fuseki, GraphDB...)")
    pu.add_argument("--endpoint", required=True, help="Graph Store base URL, e.g. http://127.0.0.1:7878/store")
    pu.add_argument("--out", default=str(config.ROOT / "out"), help="the built output folder")
    pu.add_argument("--no-union", dest="union", action="store_false",
                    help="leave the union of the graphs out of the remote default graph (by default it is written "
                         "there, so that queries without GRAPH answer remotely as they do locally)")
    pu.set_defaults(func=cmd_push)

    c = sub.add_parser("crosscheck", help="check the graph against Ofsted's published judgements")
    c.add_argument("--official", required=True,
                   help="CSV of official outcomes (the columns of ofsted_csc_ilacs_history.csv)")
    c.add_argument("--out", default=str(config.ROOT / "out"),
                   help="the built output folder: its graph gets the record, crosscheck.csv/json are written there")
    c.add_argument("--all", action="store_true", help="list the agreements too")
    c.add_argument("--json", action="store_true", help="print every comparison as JSON")
    c.set_defaults(func=cmd_crosscheck)

    v = sub.add_parser("view", help="write a viewer page focused on one council")
    v.add_argument("--council", required=True, help="council name as people write it (Bradford, Hull, BCP...)")
    v.add_argument("--out", default=str(config.ROOT / "out"), help="the built output folder")
    v.add_argument("--output", default=None, help="page to write (default OUT/viewer-<council>.html)")
    v.set_defaults(func=cmd_view)

    e = sub.add_parser("evaluate", help="score the extractor against gold annotations")
    e.add_argument("--articles", required=True, help="folder of articles")
    e.add_argument("--gold", required=True, help="folder of gold *.json (format of shared/eval/README.md)")
    e.add_argument("--out", default=None, help="keep the built graph in this folder")
    e.add_argument("--json", action="store_true", help="print the full result as JSON")
    e.set_defaults(func=cmd_evaluate)
    t = sub.add_parser("train", help="train the sentence classifier from data/annotations (spaCy training, seeded)")
    t.add_argument("--config", default="ensemble-glove", choices=("bow", "ensemble", "ensemble-glove"),
                   help="training config in data/model/configs (default: the shipped model's, ensemble-glove)")
    t.add_argument("--reports", default=None,
                   help="folder of the Ofsted report PDFs the annotations point into "
                        "(default ../shared/corpus/ofsted-reports)")
    t.add_argument("--out", default=None, help="where to write the trained pipeline (default: the shipped "
                                                "data/model/sentence-classifier)")
    t.add_argument("--seed", type=int, default=16, help="random seed (default 16, the shipped model's)")
    t.set_defaults(func=cmd_train)
    return p


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    p = parser()
    if not argv or argv[0].startswith("-") and argv[0] not in ("-h", "--help", "-v", "--verbose", "--debug"):
        argv = ["build", *argv]
    if argv and all(a in ("-v", "--verbose", "--debug") for a in argv):
        argv = [*argv, "build"]
    try:
        args = p.parse_args(argv)
    except SystemExit as exc:  # argparse: a usage error exits 1 (its "error:" line is the reason), --help 0
        return EXIT_OK if exc.code in (0, None) else EXIT_FATAL
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(levelname)s %(name)s: %(message)s")
    if not getattr(args, "func", None):
        args = p.parse_args([*argv, "build"]) if argv and argv[0] in ("-v", "--verbose", "--debug") else args
    try:
        return args.func(args)
    except KeyboardInterrupt:
        log.error("interrupted: previous outputs are untouched")
        return EXIT_FATAL
    except BrokenPipeError:  # output piped into `head` and the like
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except Exception as exc:  # noqa: BLE001 - a user sees one line; --debug shows the traceback
        if args.debug:
            raise
        log.error("unexpected error: %s: %s (run again with --debug for the traceback)", type(exc).__name__,
                  " ".join(str(exc).split())[:300])
        return EXIT_FATAL


if __name__ == "__main__":
    sys.exit(main())
