"""Benchmark: the canned queries (queries/*.rq) on a synthetic graph, embedded pyoxigraph versus
plain rdflib.

    python -m bench.bench_sparql [--triples 1000000] [--seed 0] [--repeat 5] [--rdflib-repeat 3]

Generates the graph (bench/synthetic_graph.py; the same seed gives the same graph), loads it into
the persisted pyoxigraph store the project queries (kg.store.local.open_store: bulk load of graph.trig
plus the materialised union) and into an rdflib Dataset (default_union=True, parsed from the same
graph.trig), then runs every query N times on each engine and prints the median wall time per
query, the ratio rdflib / pyoxigraph, and the row counts (which must agree). Both sides turn every
row into strings, so each pays for the whole result. rdflib runs in a forked child with a time
budget per query (it cannot be interrupted otherwise); a query past it shows ">budget".
"""
from __future__ import annotations

import argparse
import logging
import math
import multiprocessing
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import rdflib

from bench.synthetic_graph import write_synthetic_out
from kg.store.queries import execute, load_queries
from kg.store.local import ensure_store, open_store

log = logging.getLogger("bench_sparql")


def _timed(fn, repeat: int, *, budget_s: float) -> tuple[float, int]:
    """Median seconds over ``repeat`` runs (fewer when one run exceeds ``budget_s``), and rows."""
    times, rows = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        rows = fn()
        times.append(time.perf_counter() - started)
        if times[-1] > budget_s:
            break
    return statistics.median(times), rows


def _rdflib_rows(ds: rdflib.Dataset, text: str) -> int:
    return len([[str(v) if v is not None else "" for v in row] for row in ds.query(text)])


def _rdflib_worker(ds: rdflib.Dataset, text: str, repeat: int, conn) -> None:
    for _ in range(repeat):
        started = time.perf_counter()
        rows = _rdflib_rows(ds, text)
        elapsed = time.perf_counter() - started
        conn.send((elapsed, rows))
        if elapsed > 60:
            break
    conn.close()


def _rdflib_timed(ds: rdflib.Dataset, text: str, repeat: int, *, budget_s: float) -> tuple[float, int | None]:
    """Like :func:`_timed`, in a forked child (it inherits the parsed Dataset) that is killed
    after ``budget_s``: rdflib cannot be interrupted otherwise. (nan, None) when no run finished."""
    ctx = multiprocessing.get_context("fork")
    receiver, sender = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_rdflib_worker, args=(ds, text, repeat, sender), daemon=True)
    child.start()
    sender.close()
    deadline = time.monotonic() + budget_s
    runs: list[tuple[float, int]] = []
    while len(runs) < repeat:
        remaining = deadline - time.monotonic()
        try:
            if remaining <= 0 or not receiver.poll(remaining):
                break
            runs.append(receiver.recv())
        except EOFError:
            break
    if child.is_alive():
        child.kill()
    child.join()
    if not runs:
        return math.nan, None
    return statistics.median(t for t, _ in runs), runs[-1][1]


def run(out: Path, *, triples: int, seed: int, repeat: int, rdflib_repeat: int, skip_rdflib: bool,
        rdflib_budget_s: float) -> list[dict]:
    started = time.perf_counter()
    trig = write_synthetic_out(out, triples=triples, seed=seed)
    generated = time.perf_counter() - started
    log.info("generated %s (%.1f MB) in %.1f s", trig, trig.stat().st_size / 1e6, generated)

    started = time.perf_counter()
    ensure_store(out, force=True)
    ox_load = time.perf_counter() - started
    store = open_store(out)
    log.info("pyoxigraph: %d quads (named graphs + union) loaded in %.1f s", len(store), ox_load)

    ds = None
    rdf_load = float("nan")
    if not skip_rdflib:
        started = time.perf_counter()
        ds = rdflib.Dataset(default_union=True)
        ds.parse(trig, format="trig")
        rdf_load = time.perf_counter() - started
        log.info("rdflib: %d quads parsed in %.1f s", sum(len(g) for g in ds.graphs()), rdf_load)

    results = [{"query": "(load graph.trig)", "ox_s": ox_load, "rdflib_s": rdf_load, "ox_rows": None, "rdflib_rows": None}]
    for query in load_queries():
        ox_s, ox_rows = _timed(lambda: len(execute(store, query.text)[1]), repeat, budget_s=60)
        row = {"query": query.name, "ox_s": ox_s, "ox_rows": ox_rows, "rdflib_s": float("nan"), "rdflib_rows": None}
        if ds is not None:
            row["rdflib_s"], row["rdflib_rows"] = _rdflib_timed(ds, query.text, rdflib_repeat,
                                                                budget_s=rdflib_budget_s)
            row["rdflib_budget_s"] = rdflib_budget_s
        log.info("%-28s pyoxigraph %8.3f s  rdflib %8.3f s", query.name, row["ox_s"], row["rdflib_s"])
        results.append(row)
    return results


def report(results: list[dict]) -> str:
    """A plain-text table; a query that rdflib did not finish within its budget shows ``>budget``
    and a ratio that is a lower bound."""
    lines = [f"{'query':28} {'pyoxigraph s':>12} {'rdflib s':>10} {'ratio':>8} {'rows ox':>8} {'rows rdflib':>11}"]
    for r in results:
        rdf_s, bound = r["rdflib_s"], ""
        if math.isnan(rdf_s) and r.get("rdflib_budget_s"):
            rdf_s, bound = r["rdflib_budget_s"], ">"
        ratio = rdf_s / r["ox_s"] if r["ox_s"] else math.nan
        rdf_text = f"{bound}{rdf_s:.3f}"
        ratio_text = f"{bound}{ratio:.1f}"
        rows_ox = "" if r["ox_rows"] is None else str(r["ox_rows"])
        rows_rdf = "" if r["rdflib_rows"] is None else str(r["rdflib_rows"])
        lines.append(f"{r['query']:28} {r['ox_s']:12.3f} {rdf_text:>10} {ratio_text:>8} {rows_ox:>8} {rows_rdf:>11}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=5, help="runs per query on pyoxigraph (median)")
    parser.add_argument("--rdflib-repeat", type=int, default=3, help="runs per query on rdflib (median)")
    parser.add_argument("--rdflib-budget", type=float, default=180.0,
                        help="seconds allowed to rdflib per query (all its runs); past it the query is stopped")
    parser.add_argument("--skip-rdflib", action="store_true")
    parser.add_argument("--out", type=Path, help="keep the graph and store here (default: a temporary folder)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    out = args.out or Path(tempfile.mkdtemp(prefix="councilkg-bench-"))
    try:
        results = run(out, triples=args.triples, seed=args.seed, repeat=args.repeat,
                      rdflib_repeat=args.rdflib_repeat, skip_rdflib=args.skip_rdflib,
                      rdflib_budget_s=args.rdflib_budget)
    finally:
        if args.out is None:
            shutil.rmtree(out, ignore_errors=True)
    sys.stdout.write(report(results) + "\n")
    mismatched = [r["query"] for r in results if r["rdflib_rows"] is not None and r["rdflib_rows"] != r["ox_rows"]]
    if mismatched:
        log.error("row counts differ between the engines: %s", ", ".join(mismatched))
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
