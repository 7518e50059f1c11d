"""Tests for kg.pipeline.summary: report.json written as a stream has the bytes of one dump."""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from kg.pipeline import summary


class Rejected:
    def __init__(self, name: str, reason: str) -> None:
        self.path, self.reason = Path(name), reason


ENTRIES = [
    {"file": "a.txt", "status": "built", "title": "é “quoted” \"q\"\nline", "facts": {}, "councils": []},
    {"file": "c.txt", "status": "built with warnings", "warnings": ["odd date"], "facts": {"Finding": 2}},
]


@pytest.mark.parametrize("entries, rejected", [
    (ENTRIES, [Rejected("b.bin.txt", "binary"), Rejected("0.txt", "empty")]),
    ([], []),
    (ENTRIES, []),
    ([], [Rejected("z.txt", "too large")]),
], ids=["mixed", "nothing", "no-rejected", "only-rejected"])
def test_streamed_report_equals_one_dump(tmp_path, entries, rejected):
    path = summary.write_report(tmp_path / "report.json", iter(entries), Counter(e["status"] for e in entries),
                               rejected, 42)
    expected = json.dumps(summary.build_report(entries, rejected, 42), indent=2, ensure_ascii=False) + "\n"
    assert path.read_text(encoding="utf-8") == expected
    assert [f["file"] for f in json.loads(expected)["files"]] == sorted(
        [e["file"] for e in entries] + [r.path.name for r in rejected])
