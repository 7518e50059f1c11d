"""Agreement between two annotators on the same sentences: Cohen's kappa per label.

    python -m kg.extract.agreement

compares ``data/annotations/agreement/second-annotator.jsonl`` with the first annotator's
labels of the same sentences in ``data/annotations/reports/`` (matched by report file and
offsets) and prints kappa for the kind (three classes) and for each failing category
(present or absent).
"""
from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from kg.extract.annotations import read_jsonl
from kg.extract.train import ANNOTATIONS, FAILINGS


def cohen_kappa(a: list, b: list) -> float | None:
    """Cohen's kappa of two equal-length label sequences; None when chance agreement is total.

    >>> cohen_kappa([1, 1, 0, 0], [1, 1, 0, 0])
    1.0
    >>> cohen_kappa([1, 0, 1, 0], [1, 1, 0, 0])
    0.0
    """
    if len(a) != len(b) or not a:
        raise ValueError("two non-empty sequences of the same length")
    n = len(a)
    observed = sum(x == y for x, y in zip(a, b)) / n
    ca, cb = Counter(a), Counter(b)
    expected = sum(ca[k] * cb[k] for k in set(ca) | set(cb)) / (n * n)
    if expected == 1:
        return None
    return round((observed - expected) / (1 - expected), 3)


def agreement(first: list[dict], second: list[dict]) -> dict:
    """Kappa and counts for each label over the sentences both annotated."""
    key = lambda r: (r["file"], r["start"], r["end"])  # noqa: E731
    firsts = {key(r): r for r in first}
    pairs = [(firsts[key(r)], r) for r in second if key(r) in firsts]
    result = {"sentences": len(pairs), "labels": {}}
    kinds_a = [p[0]["kind"] for p in pairs]
    kinds_b = [p[1]["kind"] for p in pairs]
    result["labels"]["kind"] = {"kappa": cohen_kappa(kinds_a, kinds_b),
                                "agree": round(sum(x == y for x, y in zip(kinds_a, kinds_b)) / len(pairs), 3)}
    for category in (*FAILINGS, "other"):
        a = [category in p[0]["failings"] for p in pairs]
        b = [category in p[1]["failings"] for p in pairs]
        result["labels"][category] = {"kappa": cohen_kappa(a, b), "first": sum(a), "second": sum(b),
                                      "both": sum(x and y for x, y in zip(a, b))}
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--annotations", type=Path, default=ANNOTATIONS)
    args = parser.parse_args(argv)
    first = [r for p in sorted((args.annotations / "reports").glob("*.jsonl")) for r in read_jsonl(p)]
    second = list(read_jsonl(args.annotations / "agreement" / "second-annotator.jsonl"))
    result = agreement(first, second)
    print(f"{result['sentences']} sentences labelled by both annotators")
    print(f"{'label':36} {'kappa':>6}  first second both")
    for label, row in result["labels"].items():
        kappa = "-" if row["kappa"] is None else f"{row['kappa']:.3f}"
        counts = f"{row.get('first', ''):>5} {row.get('second', ''):>6} {row.get('both', ''):>4}" if "first" in row \
            else f"  (agree {row['agree']:.3f})"
        print(f"{label:36} {kappa:>6}  {counts}")
    print(json.dumps({k: v["kappa"] for k, v in result["labels"].items()}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
