"""report.json: every input file with its status, the reason a person understands, and counts."""
from __future__ import annotations

from collections import Counter

from rdflib import Graph

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


def build_report(results: list[ArticleFacts], rejected: list, duplicates: dict[str, str], graph: Graph) -> dict:
    files = [file_entry(r, duplicates.get(r.article.source_file)) for r in results]
    files += [{"file": e.path.name, "status": STATUS_REJECTED, "reason": e.reason} for e in rejected]
    files.sort(key=lambda f: f["file"])
    statuses = Counter(f["status"] for f in files)
    return {
        "inputs": len(files),
        "status": dict(sorted(statuses.items())),
        "triples": len(graph),
        "files": files,
    }
