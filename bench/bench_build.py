"""Benchmark: the whole build, as a process, against bare spaCy on the same texts; rebuilds; memory.

    python -m bench.bench_build                                    # quick check: 100 synthetic articles
    python -m bench.bench_build --sizes 100,1000 --corpus synthetic,reports --n-process 2
    python -m bench.bench_build --sizes 1000,10000 --n-process 2   # memory flatness (see bench/README.md)

For every corpus and size it runs, each as a separate process from the repository root:

1. **bare spaCy**: a small worker (``python -m bench.bench_build bare``) that loads the build's
   pipeline by name (``kg.extract.nlp.model_name()``, full pipeline, nothing excluded) and
   runs ``nlp.pipe`` over the text of the same files, with the build's batch size and the same
   ``n_process``;
2. **first build**: ``python build.py build --articles CORPUS --out OUT`` into a fresh folder;
3. **unchanged rebuild**: the same command again, same corpus, same output folder;
4. **one article changed**: one file's text is edited (a sentence added to a body paragraph),
   then the same command again.

Each process is timed (wall clock, start to exit) and its memory measured two ways: the peak of
the summed RSS of the process and all its descendants (psutil, polled every 50 ms; spaCy's
``n_process`` workers count), and the largest peak RSS of any single process of the tree
(``ru_maxrss`` from ``wait4``). Throughput is documents and whitespace-separated words of the
corpus files per second of process wall time; ``ratio`` is build time / bare time (both whole
processes, model loading included) and ``ratio_pipe`` build time / bare ``nlp.pipe`` time alone.

Prints a table and writes everything (with the git commit) to ``bench/results/<UTC time>.json``.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bench.generate_corpus import generate, real_report_corpus

log = logging.getLogger("bench.bench_build")

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "bench" / "results"
CORPORA = ("synthetic", "reports")
#: Exit codes of build.py that mean "graph written" (0 all inputs, 3 some rejected).
BUILD_OK = (0, 3)
MB = 1024 * 1024

_EXTRACTING = re.compile(r"extracting (\d+) of (\d+) articles \((\d+) from the cache\)")
_BUILT = re.compile(r"built (\d+) articles \((\d+) rejected\).*?: (\d+) triples")


# --------------------------------------------------------------------------------------------
# Measuring one process


@dataclass
class ProcessRun:
    """One measured process."""

    argv: list[str]
    wall_s: float
    exit_code: int
    peak_tree_rss_mb: float | None  # peak of the summed RSS of the process and its descendants
    max_rss_mb: float  # largest peak RSS of any single process of the tree (ru_maxrss)
    cpu_s: float  # user + system CPU time of the process and its waited-for descendants
    samples: int
    loadavg: float  # 1-minute load average when the process started: others' work skews wall time
    stdout: str = field(repr=False, default="")
    stderr: str = field(repr=False, default="")


def _tree_rss(proc) -> int:
    """Summed RSS (bytes) of ``proc`` and its descendants; processes that vanish count 0."""
    import psutil

    total = 0
    try:
        members = [proc, *proc.children(recursive=True)]
    except (psutil.NoSuchProcess, psutil.ZombieProcess, psutil.AccessDenied):
        return 0
    for member in members:
        try:
            total += member.memory_info().rss
        except (psutil.NoSuchProcess, psutil.ZombieProcess, psutil.AccessDenied):
            pass
    return total


def run_measured(argv: list[str], *, cwd: Path, logs: Path, poll_s: float = 0.05,
                 timeout_s: float | None = None) -> ProcessRun:
    """Run ``argv`` in ``cwd`` (stdout and stderr to ``logs``.out/.err) and measure it.

    A thread waits for the child with ``os.wait4`` (exact end time and ``ru_maxrss``) while this
    thread samples the process tree's RSS every ``poll_s``. The child gets its own session, so a
    timeout ends exactly the processes it started.
    """
    try:
        import psutil
    except ImportError:  # the ru_maxrss figure still comes from wait4
        psutil = None
        log.warning("psutil is not installed: no process-tree memory, only the largest single process")
    logs.parent.mkdir(parents=True, exist_ok=True)
    out_path, err_path = logs.with_suffix(".out"), logs.with_suffix(".err")
    finished = threading.Event()
    waited: dict[str, object] = {}
    loadavg = os.getloadavg()[0]
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=cwd, stdout=out, stderr=err, start_new_session=True)

    def wait() -> None:
        waited["result"] = os.wait4(proc.pid, 0)
        waited["end"] = time.perf_counter()
        finished.set()

    threading.Thread(target=wait, daemon=True).start()
    watched = psutil.Process(proc.pid) if psutil else None
    peak, samples = 0, 0
    while not finished.is_set():
        if watched is not None:
            peak = max(peak, _tree_rss(watched))
            samples += 1
        if timeout_s is not None and time.perf_counter() - started > timeout_s:
            log.error("timeout after %.0f s: stopping %s", timeout_s, " ".join(argv[:4]))
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            timeout_s = None
        finished.wait(poll_s)
    _, status, usage = waited["result"]  # type: ignore[misc]
    proc.returncode = os.waitstatus_to_exitcode(status)
    scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB on Linux
    return ProcessRun(
        argv=[str(a) for a in argv],
        wall_s=float(waited["end"]) - started,  # type: ignore[arg-type]
        exit_code=proc.returncode,
        peak_tree_rss_mb=round(peak / MB, 1) if watched is not None else None,
        max_rss_mb=round(usage.ru_maxrss * scale / MB, 1),
        cpu_s=usage.ru_utime + usage.ru_stime,
        samples=samples,
        loadavg=loadavg,
        stdout=out_path.read_text(encoding="utf-8", errors="replace"),
        stderr=err_path.read_text(encoding="utf-8", errors="replace"),
    )


# --------------------------------------------------------------------------------------------
# The bare spaCy worker (runs in its own process)


def corpus_files(folder: Path) -> list[Path]:
    """The files the build reads from ``folder``: top level, not hidden, its suffixes, by name."""
    from kg.config import ARTICLE_SUFFIXES

    wanted = tuple(s.lower() for s in ARTICLE_SUFFIXES)
    return sorted((p for p in Path(folder).iterdir()
                   if p.is_file() and not p.name.startswith(".") and p.suffix.lower() in wanted),
                  key=lambda p: p.name)


def build_batch_size() -> int:
    """The batch size the build gives ``nlp.pipe``: ``kg.config.BATCH_SIZE`` when it exists,
    else the default of ``Extractor.extract_many``, else spaCy's own default."""
    import inspect

    from kg import config

    value = getattr(config, "BATCH_SIZE", None)
    if isinstance(value, int):
        return value
    from kg.extract.extractor import Extractor

    parameter = inspect.signature(Extractor.extract_many).parameters.get("batch_size")
    if parameter is not None and isinstance(parameter.default, int):
        return parameter.default
    return 1000  # spacy.Language.pipe's default


def bare_main(argv: list[str]) -> int:
    """Worker: load the pipeline by name, pipe the texts, print one JSON line of counts and times."""
    p = argparse.ArgumentParser(prog="bench.bench_build bare")
    p.add_argument("folder", type=Path)
    p.add_argument("--batch-size", type=int, default=None)
    p.add_argument("--n-process", type=int, default=1)
    p.add_argument("--text", choices=("file", "extraction"), default="file")
    p.add_argument("--limit", type=int, default=None)
    args = p.parse_args(argv)

    started = time.perf_counter()
    import spacy

    from kg.extract.nlp import model_name

    name = model_name()
    batch_size = args.batch_size or build_batch_size()
    nlp = spacy.load(name)
    loaded = time.perf_counter()
    files = corpus_files(args.folder)[: args.limit]
    if args.text == "extraction":
        from kg.sources.articles import read_article

        texts = [read_article(path).text_for_extraction for path in files]
    else:
        texts = [path.read_text(encoding="utf-8", errors="replace") for path in files]
    read = time.perf_counter()
    docs = tokens = 0
    for doc in nlp.pipe(texts, batch_size=batch_size, n_process=args.n_process):
        docs += 1
        tokens += len(doc)
    piped = time.perf_counter()
    sys.stdout.write(json.dumps({
        "model": name, "model_version": nlp.meta.get("version"), "spacy": spacy.__version__,
        "pipeline": nlp.pipe_names, "batch_size": batch_size, "n_process": args.n_process,
        "text": args.text, "docs": docs, "tokens": tokens,
        "words": sum(len(t.split()) for t in texts),
        "load_s": loaded - started, "read_s": read - loaded, "pipe_s": piped - read,
    }) + "\n")
    return 0


# --------------------------------------------------------------------------------------------
# Corpora and the build command


def build_flags(n_process: int, root: Path = ROOT) -> list[str]:
    """The build's option for spaCy worker processes, as its ``--help`` names it today."""
    helptext = subprocess.run([sys.executable, "build.py", "build", "--help"], cwd=root,
                              capture_output=True, text=True, check=False).stdout
    for flag in ("--n-process", "--n_process", "--jobs"):
        if re.search(rf"(?<![\w-]){re.escape(flag)}\b", helptext):
            return [flag, str(n_process)]
    if n_process != 1:
        log.warning("build.py build has no --n-process/--jobs option: the build runs with its own default")
    return []


def touch_article(path: Path) -> None:
    """Change one article's text (and so its content hash): add a sentence to its first body
    paragraph (the first one of more than 20 words), else a paragraph at the end."""
    text = path.read_text(encoding="utf-8")
    paragraphs = text.split("\n\n")
    sentence = " This article was updated after publication to correct a figure."
    for i, paragraph in enumerate(paragraphs):
        if len(paragraph.split()) > 20 and not paragraph.startswith(" "):
            paragraphs[i] = paragraph.rstrip() + sentence
            break
    else:
        paragraphs.append(sentence.strip())
    path.write_text("\n\n".join(paragraphs), encoding="utf-8")


def corpus_words(folder: Path) -> dict[str, int]:
    """Documents, words of the files, and words of the text the build parses (title, standfirst
    and body: comments are never parsed)."""
    from kg.sources.articles import UnreadableFile, read_article

    files = corpus_files(folder)
    words = extraction = 0
    for path in files:
        words += len(path.read_text(encoding="utf-8", errors="replace").split())
        try:
            extraction += len(read_article(path).text_for_extraction.split())
        except (UnreadableFile, OSError):
            pass
    return {"docs": len(files), "words": words, "extraction_words": extraction}


def prepare_corpus(kind: str, size: int, work: Path, *, seed: int, reports_cache: list[Path]) -> Path | None:
    """A fresh folder holding the corpus of ``kind`` and ``size`` (reports: at most all of them)."""
    folder = work / f"{kind}-{size}"
    if folder.exists():
        shutil.rmtree(folder)
    if kind == "synthetic":
        generate(size, folder, seed=seed)
        return folder
    if not reports_cache:
        reports_cache.extend(real_report_corpus(work / "reports-all"))
    if not reports_cache:
        return None
    folder.mkdir(parents=True)
    for path in reports_cache[:size]:
        shutil.copy2(path, folder / path.name)
    return folder


def report_sizes(sizes: list[int], available: int) -> list[int]:
    """The reports corpus has only ``available`` documents: sizes above it collapse into one."""
    out: list[int] = []
    for size in sizes:
        capped = min(size, available)
        if capped != size:
            log.warning("the reports corpus has %d documents: size %d runs as %d", available, size, capped)
        if capped not in out:
            out.append(capped)
    return out


# --------------------------------------------------------------------------------------------
# One measurement


def _build_summary(run: ProcessRun) -> dict:
    summary = {k: v for k, v in asdict(run).items() if k not in ("stdout", "stderr")}
    if m := _EXTRACTING.search(run.stderr):
        summary["extracted"], summary["cached"] = int(m[1]), int(m[3])
    if m := _BUILT.search(run.stderr):
        summary["articles_built"], summary["rejected"], summary["triples"] = int(m[1]), int(m[2]), int(m[3])
    if run.exit_code not in BUILD_OK:
        summary["stderr_tail"] = run.stderr.strip().splitlines()[-15:]
    return summary


def measure(kind: str, corpus: Path, work: Path, *, n_process: int, flags: list[str], bare_text: str,
            batch_size: int | None, incremental: bool, extra: list[str], timeout_s: float | None,
            root: Path = ROOT, bare_run: bool = True) -> dict:
    """Bare spaCy, first build, unchanged rebuild and one-article rebuild of one corpus
    (``bare_run=False``: the build alone, for memory and throughput at sizes where a second
    full spaCy pass would double a long run)."""
    counts = corpus_words(corpus)
    label = f"{kind}-{counts['docs']}"
    log.info("%s: %d documents, %d words", label, counts["docs"], counts["words"])
    result: dict = {"corpus": kind, **counts, "n_process": n_process}

    bare_argv = [sys.executable, "-m", "bench.bench_build", "bare", str(corpus),
                 "--n-process", str(n_process), "--text", bare_text]
    if batch_size:
        bare_argv += ["--batch-size", str(batch_size)]
    bare = run_measured(bare_argv, cwd=root, logs=work / "logs" / f"{label}-bare", timeout_s=timeout_s) \
        if bare_run else None
    if bare is None:
        result["bare"] = {}
    elif bare.exit_code != 0:
        log.error("%s: bare spaCy failed (exit %d):\n%s", label, bare.exit_code, bare.stderr[-2000:])
        result["bare"] = {**asdict(bare), "stdout": None, "stderr": bare.stderr[-2000:]}
    else:
        inner = json.loads(bare.stdout.strip().splitlines()[-1])
        result["bare"] = {k: v for k, v in asdict(bare).items() if k not in ("stdout", "stderr")} | inner
        result["bare"]["docs_per_s"] = counts["docs"] / bare.wall_s
        result["bare"]["words_per_s"] = counts["words"] / bare.wall_s
        result["bare"]["pipe_docs_per_s"] = inner["docs"] / inner["pipe_s"] if inner["pipe_s"] else None

    fingerprint = source_fingerprint(root)
    out = work / f"out-{label}"
    if out.exists():
        shutil.rmtree(out)
    build_argv = [sys.executable, "build.py", "build", "--articles", str(corpus), "--out", str(out), *flags, *extra]
    first = run_measured(build_argv, cwd=root, logs=work / "logs" / f"{label}-build", timeout_s=timeout_s)
    result["build"] = _build_summary(first)
    result["build"]["docs_per_s"] = counts["docs"] / first.wall_s
    result["build"]["words_per_s"] = counts["words"] / first.wall_s
    if first.exit_code not in BUILD_OK:
        log.error("%s: build failed (exit %d):\n%s", label, first.exit_code, first.stderr[-3000:])
        return result
    if bare is not None and bare.exit_code == 0:
        result["ratio"] = first.wall_s / bare.wall_s
        result["ratio_cpu"] = first.cpu_s / bare.cpu_s if bare.cpu_s else None
        result["ratio_pipe"] = first.wall_s / result["bare"]["pipe_s"] if result["bare"]["pipe_s"] else None

    if incremental:
        again = run_measured(build_argv, cwd=root, logs=work / "logs" / f"{label}-rebuild", timeout_s=timeout_s)
        result["rebuild"] = _build_summary(again) | {"ratio": again.wall_s / first.wall_s}
        changed_file = corpus_files(corpus)[counts["docs"] // 2]
        touch_article(changed_file)
        changed = run_measured(build_argv, cwd=root, logs=work / "logs" / f"{label}-changed", timeout_s=timeout_s)
        result["changed"] = _build_summary(changed) | {
            "file": changed_file.name,
            "ratio": changed.wall_s / first.wall_s,
            "extra_s_over_rebuild": changed.wall_s - again.wall_s,
        }
    if source_fingerprint(root) != fingerprint:
        result["source_changed"] = True
        log.warning("%s: the project's code or data changed during the measurement: the build's cache "
                    "was invalidated and the rebuild figures are not meaningful", label)
    return result


def source_fingerprint(root: Path = ROOT) -> str:
    """Names, sizes and modification times of what the build's cache key covers (build.py,
    kg/, data/, ontology/): a change during a measurement explains a rebuild that missed the cache."""
    import hashlib

    digest = hashlib.sha1()
    paths = [root / "build.py"]
    for folder in ("kg", "data", "ontology"):
        paths += sorted(p for p in (root / folder).rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    for path in paths:
        try:
            stat = path.stat()
        except FileNotFoundError:
            continue
        digest.update(f"{path.relative_to(root)}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def snapshot(work: Path) -> Path:
    """A private copy of the project (build.py, kg/, data/, ontology/, queries/, bench/) to build
    from, so that edits made to the working tree during a long run do not change what is measured
    (or invalidate the build's cache between the first build and the rebuild)."""
    target = work / "snapshot"
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "results")
    for name in ("build.py", "pyproject.toml"):
        if (ROOT / name).exists():
            shutil.copy2(ROOT / name, target / name)
    for name in ("kg", "data", "ontology", "queries", "bench"):
        if (ROOT / name).is_dir():
            # symlinks kept: kg/resources/ links to data/, ontology/ and queries/ of the copy
            shutil.copytree(ROOT / name, target / name, ignore=ignore, symlinks=True)
    return target


def warm_up(corpus: Path, work: Path, flags: list[str], extra: list[str], root: Path = ROOT) -> None:
    """One tiny bare run and one tiny build, so that no measurement pays for a cold disk cache or
    for compiling the project's bytecode."""
    tiny = work / "warmup"
    tiny.mkdir(parents=True, exist_ok=True)
    for path in corpus_files(corpus)[:2]:
        shutil.copy2(path, tiny / path.name)
    run_measured([sys.executable, "-m", "bench.bench_build", "bare", str(tiny)], cwd=root, logs=work / "logs" / "warmup-bare")
    run_measured([sys.executable, "build.py", "build", "--articles", str(tiny), "--out", str(work / "out-warmup"),
                  *flags, *extra], cwd=root, logs=work / "logs" / "warmup-build")


# --------------------------------------------------------------------------------------------
# Report


def _fmt(value: float | None, spec: str = ".1f") -> str:
    return "-" if value is None else format(value, spec)


def table(results: list[dict]) -> str:
    """A plain-text table of the measurements."""
    header = ("corpus", "docs", "words", "bare s", "build s", "ratio", "r.pipe", "r.cpu", "bare doc/s",
              "build doc/s", "build word/s", "build MB", "1-proc MB", "bare MB", "rebuild", "1 changed")
    rows = [header]
    for r in results:
        bare, build = r.get("bare", {}), r.get("build", {})
        rebuild, changed = r.get("rebuild"), r.get("changed")
        rows.append((
            r["corpus"], str(r["docs"]), str(r["words"]),
            _fmt(bare.get("wall_s")), _fmt(build.get("wall_s")), _fmt(r.get("ratio"), ".2f"),
            _fmt(r.get("ratio_pipe"), ".2f"), _fmt(r.get("ratio_cpu"), ".2f"), _fmt(bare.get("docs_per_s")),
            _fmt(build.get("docs_per_s")) if build.get("exit_code") in BUILD_OK else f"exit {build.get('exit_code')}",
            _fmt(build.get("words_per_s"), ".0f"),
            _fmt(build.get("peak_tree_rss_mb"), ".0f"), _fmt(build.get("max_rss_mb"), ".0f"),
            _fmt(bare.get("peak_tree_rss_mb"), ".0f"),
            f"{rebuild['wall_s']:.1f}s ({rebuild['ratio']:.2f}){'*' if r.get('source_changed') else ''}" if rebuild else "-",
            f"{changed['wall_s']:.1f}s ({changed['ratio']:.2f})" if changed else "-",
        ))
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(cell.rjust(w) if i else cell.ljust(w) for i, (cell, w) in enumerate(zip(row, widths)))
             for row in rows]
    lines.insert(1, "-" * len(lines[0]))
    notes = [
        "ratio = build wall time / bare spaCy process wall time (model load included); r.pipe = build / bare nlp.pipe alone;",
        "r.cpu = build CPU time / bare CPU time (user + system, all processes: robust to other load on the machine)",
        "build MB = peak summed RSS of the build's process tree; 1-proc MB = largest single process (ru_maxrss)",
        "rebuild = unchanged corpus into the same out dir (s, ratio to first build); 1 changed = after editing one file",
    ]
    if any(r.get("source_changed") for r in results):
        notes.append("* the project's code or data changed during this measurement: its cache was invalidated")
    busy = [r["bare"]["loadavg"] for r in results if "loadavg" in r.get("bare", {})]
    if busy and max(busy) > (os.cpu_count() or 1) * 0.75:
        notes.append(f"note: load average up to {max(busy):.1f} on {os.cpu_count()} CPUs during the run: "
                     "wall times include other work; compare r.cpu")
    for kind in CORPORA:
        runs = sorted((r for r in results if r["corpus"] == kind and r.get("build", {}).get("peak_tree_rss_mb")),
                      key=lambda r: r["docs"])
        if len(runs) >= 2:
            a, b = runs[-2], runs[-1]
            notes.append(f"{kind}: peak build memory {a['docs']} -> {b['docs']} documents: "
                         f"{a['build']['peak_tree_rss_mb']:.0f} -> {b['build']['peak_tree_rss_mb']:.0f} MB "
                         f"(x{b['build']['peak_tree_rss_mb'] / a['build']['peak_tree_rss_mb']:.2f})")
    return "\n".join(lines + [""] + notes)


def git_commit() -> str | None:
    done = subprocess.run(["git", "-C", str(ROOT), "log", "--oneline", "-1"], capture_output=True, text=True, check=False)
    dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True, check=False)
    if done.returncode != 0:
        return None
    return done.stdout.strip() + (" (+ uncommitted changes)" if dirty.stdout.strip() else "")


def write_results(payload: dict, directory: Path = RESULTS_DIR) -> Path:
    """Write ``payload`` to ``directory/<UTC timestamp>.json`` (atomically); return the path."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{payload['timestamp']}.json"
    fd, tmp = tempfile.mkstemp(prefix=".results.", dir=directory)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(payload, handle, indent=2, default=str)
        handle.write("\n")
    os.replace(tmp, path)
    return path


def _int_list(text: str) -> list[int]:
    try:
        values = [int(part) for part in text.split(",") if part.strip()]
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers, got {text!r}") from exc
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError(f"expected sizes >= 1, got {text!r}")
    return values


def _corpus_list(text: str) -> list[str]:
    kinds = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [k for k in kinds if k not in CORPORA]
    if unknown or not kinds:
        raise argparse.ArgumentTypeError(f"corpus must be among {', '.join(CORPORA)}, got {text!r}")
    return kinds


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench.bench_build", description=__doc__.splitlines()[0])
    p.add_argument("--sizes", type=_int_list, default=[100], help="corpus sizes, comma-separated (default 100)")
    p.add_argument("--corpus", type=_corpus_list, default=["synthetic"],
                   help="synthetic, reports, or both comma-separated (default synthetic)")
    p.add_argument("--n-process", type=int, default=1, help="spaCy processes, for the build and bare spaCy alike")
    p.add_argument("--batch-size", type=int, default=None, help="bare spaCy's batch size (default: the build's)")
    p.add_argument("--bare-text", choices=("file", "extraction"), default="file",
                   help="bare spaCy parses each whole file (default) or only the text the build parses")
    p.add_argument("--seed", type=int, default=0, help="synthetic corpus seed")
    p.add_argument("--no-incremental", dest="incremental", action="store_false", help="skip the two rebuilds")
    p.add_argument("--no-bare", dest="bare", action="store_false",
                   help="skip bare spaCy (no ratio): memory and throughput of the build alone, for large sizes")
    p.add_argument("--no-warmup", dest="warmup", action="store_false", help="skip the warm-up runs")
    p.add_argument("--build-arg", action="append", default=[], metavar="ARG",
                   help="extra argument for build.py build (repeatable), e.g. --build-arg=--no-validate")
    p.add_argument("--work", type=Path, default=None, help="folder for corpora and outputs (kept; default: a temporary one)")
    p.add_argument("--keep", action="store_true", help="keep the temporary work folder")
    p.add_argument("--results", type=Path, default=RESULTS_DIR, help="folder for the JSON results")
    p.add_argument("--timeout", type=float, default=3600, help="seconds allowed per process")
    p.add_argument("--snapshot", action="store_true",
                   help="build from a private copy of the project taken at the start (immune to concurrent edits)")
    return p


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["bare"]:
        return bare_main(argv[1:])
    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    work = args.work or Path(tempfile.mkdtemp(prefix="councilkg-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    commit = git_commit()
    root = snapshot(work) if args.snapshot else ROOT
    flags = build_flags(args.n_process, root)
    log.info("commit %s; building from %s; work folder %s", commit, root, work)
    results: list[dict] = []
    reports_cache: list[Path] = []
    warmed = not args.warmup
    try:
        for kind in args.corpus:
            sizes = args.sizes
            if kind == "reports":
                reports_cache[:] = real_report_corpus(work / "reports-all")
                if not reports_cache:
                    continue
                sizes = report_sizes(sizes, len(reports_cache))
            for size in sizes:
                corpus = prepare_corpus(kind, size, work, seed=args.seed, reports_cache=reports_cache)
                if corpus is None:
                    continue
                if not warmed:
                    warm_up(corpus, work, flags, args.build_arg, root)
                    warmed = True
                results.append(measure(kind, corpus, work, n_process=args.n_process, flags=flags,
                                       bare_text=args.bare_text, batch_size=args.batch_size,
                                       incremental=args.incremental, extra=args.build_arg,
                                       timeout_s=args.timeout, root=root, bare_run=args.bare))
                log.info("%s", json.dumps({k: results[-1].get(k) for k in ("corpus", "docs", "ratio")}))
    finally:
        if args.work is None and not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        elif results:
            log.info("corpora, outputs and process logs kept in %s", work)
    if not results:
        log.error("nothing was measured")
        return 1
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    payload = {
        "timestamp": stamp, "git_commit": commit, "python": sys.version.split()[0],
        "platform": platform.platform(), "cpu_count": os.cpu_count(),
        "args": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "build_flags": flags, "build_root": str(root), "source_fingerprint": source_fingerprint(root),
        "results": results,
    }
    path = write_results(payload, args.results)
    sys.stdout.write(table(results) + f"\n\nresults: {path}\n")
    failed = [r for r in results if r.get("build", {}).get("exit_code") not in BUILD_OK]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
