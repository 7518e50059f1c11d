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
import json
import logging
import sys
from pathlib import Path

from kg import config

log = logging.getLogger("councilkg")

EXIT_OK, EXIT_FATAL, EXIT_PARTIAL = 0, 1, 3


def cmd_build(args: argparse.Namespace) -> int:
    """Ingest -> extract -> model -> validate -> write (graph.ttl, graph.trig, viewer.html, report.json)."""
    from kg import ingest, model, ontology, render, report
    from kg.extract.pipeline import Extractor
    from kg.gazetteer import Gazetteer

    articles_dir, out_dir = Path(args.articles), Path(args.out)
    if not articles_dir.is_dir():
        log.error("articles folder not found: %s", articles_dir)
        return EXIT_FATAL
    articles, rejected = [], []
    for path, item in ingest.iter_articles(articles_dir, suffixes=config.ARTICLE_SUFFIXES):
        if isinstance(item, ingest.IngestError):
            rejected.append(item)
            print(f"rejected: {path.name}: {item.reason}", file=sys.stderr)
        else:
            articles.append(item)
    _distinct_identities(articles)
    if not articles and not rejected:
        log.error("no input files (%s) in %s", ", ".join(config.ARTICLE_SUFFIXES), articles_dir)
        return EXIT_FATAL
    duplicates = ingest.find_duplicates(articles)

    gazetteer = Gazetteer.load()
    extractor = Extractor(gazetteer=gazetteer)
    results = list(extractor.extract_many(articles))

    by_file = {a.source_file: a for a in articles}
    same_story: dict[str, list] = {}
    for dup, canon in duplicates.items():
        same_story.setdefault(dup, []).append(by_file[canon])
        same_story.setdefault(canon, []).append(by_file[dup])
    named = {}
    from kg.namespaces import graph_iri
    for result in results:
        named[graph_iri(result.article.sha1)] = model.article_graph(
            result, gazetteer, same_story=same_story.get(result.article.source_file, ()))
    dataset = model.assemble(named, ontology.load_ontology())
    union = model.union(dataset)

    if args.validate:
        outcome = ontology.validate(union)
        if not outcome.conforms:
            for line in outcome.violations[:50]:
                log.error("shape violation: %s", line)
            log.error("the graph does not conform to ontology/shapes.ttl (%d violations); nothing written",
                      len(outcome.violations))
            return EXIT_FATAL

    out_dir.mkdir(parents=True, exist_ok=True)
    model.atomic_write(out_dir / "graph.trig", model.serialise_trig(dataset))
    model.atomic_write(out_dir / "graph.ttl", model.serialise(union, "turtle"))
    render.write_viewer(union, out_dir / "viewer.html")
    render.write_graphml(union, out_dir / "graph.graphml")
    summary = report.build_report(results, rejected, duplicates, union)
    model.atomic_write(out_dir / "report.json", (json.dumps(summary, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
    log.info("built %d articles (%d rejected) into %s: %d triples", len(results), len(rejected), out_dir, len(union))
    return EXIT_PARTIAL if rejected else EXIT_OK


def _distinct_identities(articles: list) -> None:
    """Byte-identical files are two sources of one story: give the second its own identity
    (content hash and file name) so both files keep their provenance."""
    from kg.namespaces import digest

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
    """A viewer page focused on one council's neighbourhood."""
    from kg import render
    from kg.namespaces import slug

    out_dir = Path(args.out)
    try:
        graph = _load_union(out_dir)
        target = Path(args.output) if args.output else out_dir / f"viewer-{slug(args.council)}.html"
        render.write_viewer(graph, target, council=args.council, title=f"Council KG: {args.council}")
    except (FileNotFoundError, ValueError) as exc:
        log.error("%s", exc)
        return EXIT_FATAL
    print(target)
    return EXIT_OK


def cmd_evaluate(args: argparse.Namespace) -> int:
    """Build the articles into a temporary folder and score the graph against gold annotations."""
    import tempfile

    from kg import evaluate

    with tempfile.TemporaryDirectory() as tmp:
        ns = argparse.Namespace(articles=args.articles, out=args.out or tmp, validate=True)
        code = cmd_build(ns)
        if code == EXIT_FATAL:
            return code
        result = evaluate.score_graph(Path(ns.out) / "graph.ttl", Path(args.gold), Path(args.articles))
    print(evaluate.format_table(result) if not args.json else json.dumps(result, indent=2, default=str))
    return EXIT_OK


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="build.py", description=__doc__.splitlines()[0])
    p.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = p.add_subparsers(dest="command")

    b = sub.add_parser("build", help="build articles into a knowledge graph")
    b.add_argument("--articles", default=str(config.DATA / "articles"), help="folder of input files")
    b.add_argument("--out", default=str(config.ROOT / "out"), help="output folder")
    b.add_argument("--no-validate", dest="validate", action="store_false", help="skip SHACL validation")
    b.set_defaults(func=cmd_build)

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
    return p


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    p = parser()
    if not argv or argv[0].startswith("-") and argv[0] not in ("-h", "--help", "-v", "--verbose"):
        argv = ["build", *argv]
    if argv in (["-v"], ["--verbose"]):
        argv = [*argv, "build"]
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(levelname)s %(name)s: %(message)s")
    if not getattr(args, "func", None):
        args = p.parse_args([*argv, "build"]) if argv and argv[0] in ("-v", "--verbose") else args
    try:
        return args.func(args)
    except KeyboardInterrupt:
        log.error("interrupted: previous outputs are untouched")
        return EXIT_FATAL


if __name__ == "__main__":
    sys.exit(main())
