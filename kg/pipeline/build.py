"""The build, in stage order: read the inputs (:mod:`kg.pipeline.inputs`), find near-duplicate
stories, extract each article's facts (cached per article, in a side process or on a Dask
cluster), map them to RDF, validate against the shapes, write ``graph.trig``/``graph.ttl``,
the views and ``report.json``, and add the official record when the output folder keeps one.
Every output is written atomically: an interrupted build leaves the previous outputs whole.

Exit codes: 0 every input built; 3 some inputs were rejected but the graph was written for the
rest; 1 a fatal error (no inputs, unusable arguments, a graph that fails its own shapes).
"""
from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
from collections import Counter
from pathlib import Path

from kg import config
from kg.pipeline.inputs import (
    Released,
    _distinct_identities,
    _input_bytes,
    _inputs,
    _release,
    _restore,
    _return_freed_memory,
)

log = logging.getLogger("councilkg")



EXIT_OK, EXIT_FATAL, EXIT_PARTIAL = 0, 1, 3


def cmd_build(args: argparse.Namespace) -> int:
    """Ingest -> extract (cached per article) -> model -> validate -> write the outputs."""
    from kg.extract import PipelineError
    from kg.pipeline.cache import code_version
    from kg.pipeline.cache import IngestCache
    from kg.sources import duplicates
    from kg.sources.decode import IngestError

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
    from kg.files import atomic_write
    from kg.graph import ontology, rdf
    from kg.graph.gazetteer import Gazetteer
    from kg.graph.namespaces import article_iri, digest, graph_iri
    from kg.pipeline import summary
    from kg.pipeline.cache import CachedArticle, ExtractionCache, code_version
    from kg.pipeline.progress import progress
    from kg.view.outputs import write_projection_outputs
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
                        from kg.extract.classifier import load_for_build

                        # structured, with the sentence classifier on its findings: no spaCy pass
                        result = reports.report_facts(_restore(article), gazetteer, classifier=load_for_build())
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


def _extract(gazetteer, articles: list, args):
    """Facts of ``articles`` in order: on a Dask cluster, or with local spaCy processes."""
    if getattr(args, "dask", None):
        from kg.pipeline.distributed import extract_on_cluster

        return extract_on_cluster(args.dask, [_restore(a) for a in articles])  # sent to the cluster at once
    from kg.extract.extractor import Extractor

    side = getattr(args, "side_parser", False) and _input_bytes(articles) >= SIDE_PARSER_MIN
    return Extractor(gazetteer=gazetteer).extract_many((_restore(a) for a in articles), n_process=max(1, args.jobs),
                                                       side_process=side)


def _load_union(out_dir: Path):
    from rdflib import Graph

    path = out_dir / "graph.ttl"
    if not path.is_file():
        raise FileNotFoundError(f"no built graph at {path}: run `python build.py build --out {out_dir}` first")
    graph = Graph()
    graph.parse(path)
    return graph
