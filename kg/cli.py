"""The command line (the ``councilkg`` console script; ``python build.py`` calls it too):
argument parsing and one function per command, each a thin call into its stage.

    councilkg                                   # data/articles -> out/
    councilkg build --articles DIR --out DIR    # any folder of articles
    councilkg evaluate --articles DIR --gold DIR

Exit codes: 0 every input built; 3 some inputs were rejected but the graph was written for the
rest; 1 a fatal error (no inputs, unusable arguments, a graph that fails its own shapes).
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import tempfile
from pathlib import Path

from kg import config
from kg.pipeline.build import EXIT_FATAL, EXIT_OK, _load_union, cmd_build

log = logging.getLogger("councilkg")



def cmd_view(args: argparse.Namespace) -> int:
    """A viewer page focused on one council's neighbourhood: read from the build's projection
    store (without loading the graph) when it is as new as graph.ttl, else from graph.ttl."""
    from kg.files import atomic_write
    from kg.graph.namespaces import slug
    from kg.view import viewer
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


def _query_file(name: str) -> Path:
    """A .rq file by path, or one of the package's canned queries by name ("inadequate-councils")."""
    path = Path(name)
    if path.exists():
        return path
    canned = config.QUERIES / (name if name.endswith(".rq") else f"{name}.rq")
    return canned if canned.is_file() else path


def cmd_query(args: argparse.Namespace) -> int:
    """Run a .rq file or SPARQL text against the built graph (embedded pyoxigraph store)."""
    from kg.store import queries

    params = {}
    for item in args.param or []:
        name, sep, value = item.partition("=")
        if not sep or not name:
            log.error("--param takes NAME=VALUE, got %r", item)
            return EXIT_FATAL
        params[name.strip()] = value
    try:
        text = args.sparql if args.sparql is not None else queries.load_query(_query_file(args.file),
                                                                               require_summary=False).text
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
    corpus = train.load_corpus(reports, news_dev=news_dev, news_train=train.SPENT_HELD_OUT if args.spent_sets else ())
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
    b.add_argument("--out", default=str(config.DEFAULT_OUT), help="output folder")
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
    src.add_argument("file", nargs="?", help="a .rq file, e.g. queries/ratings-by-council-and-year.rq, or the name "
                                            "of a canned query (ratings-by-council-and-year)")
    src.add_argument("--sparql", help="SPARQL query text")
    q.add_argument("--out", default=str(config.DEFAULT_OUT), help="the built output folder")
    q.add_argument("--format", choices=("table", "csv", "json"), default="table")
    q.add_argument("--param", action="append", metavar="NAME=VALUE",
                   help="bind a parameter the .rq file declares (safely, never pasted into the text)")
    q.set_defaults(func=cmd_query)

    s = sub.add_parser("serve", help="a read-only SPARQL 1.1 endpoint over the built graph")
    s.add_argument("--out", default=str(config.DEFAULT_OUT), help="the built output folder")
    s.add_argument("--host", default="127.0.0.1", help="address to bind (default: loopback only)")
    s.add_argument("--port", type=int, default=7878)
    s.add_argument("--timeout", type=float, default=30.0, help="query time limit in seconds")
    s.set_defaults(func=cmd_serve)

    pu = sub.add_parser("push", help="load the graph into a SPARQL 1.1 Graph Store (Oxigraph, Fuseki, GraphDB...)")
    pu.add_argument("--endpoint", required=True, help="Graph Store base URL, e.g. http://127.0.0.1:7878/store")
    pu.add_argument("--out", default=str(config.DEFAULT_OUT), help="the built output folder")
    pu.add_argument("--no-union", dest="union", action="store_false",
                    help="leave the union of the graphs out of the remote default graph (by default it is written "
                         "there, so that queries without GRAPH answer remotely as they do locally)")
    pu.set_defaults(func=cmd_push)

    c = sub.add_parser("crosscheck", help="check the graph against Ofsted's published judgements")
    c.add_argument("--official", required=True,
                   help="CSV of official outcomes (the columns of ofsted_csc_ilacs_history.csv)")
    c.add_argument("--out", default=str(config.DEFAULT_OUT),
                   help="the built output folder: its graph gets the record, crosscheck.csv/json are written there")
    c.add_argument("--all", action="store_true", help="list the agreements too")
    c.add_argument("--json", action="store_true", help="print every comparison as JSON")
    c.set_defaults(func=cmd_crosscheck)

    v = sub.add_parser("view", help="write a viewer page focused on one council")
    v.add_argument("--council", required=True, help="council name as people write it (Bradford, Hull, BCP...)")
    v.add_argument("--out", default=str(config.DEFAULT_OUT), help="the built output folder")
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
    t.add_argument("--spent-sets", action=argparse.BooleanOptionalAction, default=True,
                   help="train on the spent held-out sets too (data/holdout, holdout-2 to holdout-5: dev data now; "
                        "the default, as the shipped model was trained); --no-spent-sets leaves them out")
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

