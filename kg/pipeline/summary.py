"""report.json: every input file with its status, the reason a person understands, and counts."""
from __future__ import annotations

import heapq
import json
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from kg.graph.facts import ArticleFacts

STATUS_BUILT, STATUS_WARNINGS, STATUS_REJECTED = "built", "built with warnings", "rejected"


def file_entry(result: ArticleFacts, duplicate_of: str | None) -> dict:
    article = result.article
    counts = Counter(type(f).__name__ for f in result.facts)
    warnings = list(article.warnings) + list(result.errors)
    entry = {
        "file": article.source_file,
        "status": STATUS_WARNINGS if warnings else STATUS_BUILT,
        "kind": article.kind,
        "title": article.title,
        "date": article.date.isoformat() if article.date else None,
        "sha1": article.sha1,
        "comments": len(article.comments),
        "councils": result.councils,
        "facts": dict(sorted(counts.items())),
    }
    if duplicate_of:
        entry["duplicate_of"] = duplicate_of
    if warnings:
        entry["warnings"] = warnings
    return entry


def _rejected_entry(error) -> dict:
    return {"file": error.path.name, "status": STATUS_REJECTED, "reason": error.reason}


def build_report(entries: list[dict], rejected: list, triples: int) -> dict:
    """The whole report: one entry per input file, sorted by name, and totals."""
    files = list(entries) + [_rejected_entry(e) for e in rejected]
    files.sort(key=lambda f: f["file"])
    statuses = Counter(f["status"] for f in files)
    return {
        "inputs": len(files),
        "status": dict(sorted(statuses.items())),
        "triples": triples,
        "files": files,
    }


def write_report(path: Path, entries: Iterable[dict], statuses: Counter, rejected: list, triples: int) -> Path:
    """Write report.json as a stream, holding one entry at a time: the same bytes as
    ``json.dumps(build_report(...), indent=2, ensure_ascii=False)`` plus a line end.

    ``entries`` come sorted by file name (as the build writes them), ``statuses`` counts them.
    """
    from kg.files import atomic_stream

    refused = sorted((_rejected_entry(e) for e in rejected), key=lambda f: f["file"])
    counts = Counter(statuses)
    counts.update(f["status"] for f in refused)
    head = {"inputs": sum(counts.values()), "status": dict(sorted(counts.items())), "triples": triples,
            "files": "\u0000files"}
    before, after = json.dumps(head, indent=2, ensure_ascii=False).split('"\\u0000files"')
    with atomic_stream(Path(path)) as fh:
        fh.write(before)
        first = True
        for entry in heapq.merge(entries, refused, key=lambda f: f["file"]):
            fh.write("[\n" if first else ",\n")
            fh.write("\n".join("    " + line for line in json.dumps(entry, indent=2, ensure_ascii=False).split("\n")))
            first = False
        fh.write("[]" if first else "\n  ]")
        fh.write(after + "\n")
    return Path(path)
