"""report.json: every input file with its status, the reason a person understands, and counts."""
from __future__ import annotations

from collections import Counter

from kg.facts import ArticleFacts

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


def build_report(entries: list[dict], rejected: list, triples: int) -> dict:
    """The whole report: one entry per input file, sorted by name, and totals."""
    files = list(entries) + [{"file": e.path.name, "status": STATUS_REJECTED, "reason": e.reason} for e in rejected]
    files.sort(key=lambda f: f["file"])
    statuses = Counter(f["status"] for f in files)
    return {
        "inputs": len(files),
        "status": dict(sorted(statuses.items())),
        "triples": triples,
        "files": files,
    }
