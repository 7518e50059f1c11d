"""Agreement between the two annotators of the same 200 report sentences."""
from __future__ import annotations

import json

import pytest

from kg import config
from kg.extract.agreement import agreement, cohen_kappa, main

AGREEMENT = config.DATA / "annotations" / "agreement" / "second-annotator.jsonl"


def test_kappa() -> None:
    assert cohen_kappa(["a", "b", "a", "b"], ["a", "b", "a", "b"]) == 1.0
    assert cohen_kappa([1, 0, 1, 0], [1, 1, 0, 0]) == 0.0
    assert cohen_kappa([1, 1, 1], [1, 1, 1]) is None  # no variation: kappa undefined
    assert cohen_kappa([1, 1, 0, 0, 1], [1, 1, 0, 1, 1]) == pytest.approx(0.545, abs=0.001)
    with pytest.raises(ValueError):
        cohen_kappa([1], [1, 0])


def test_agreement_counts_per_label() -> None:
    first = [{"file": "a", "start": 0, "end": 5, "kind": "finding", "failings": ["supervision"]},
             {"file": "a", "start": 6, "end": 9, "kind": "neither", "failings": []}]
    second = [{"file": "a", "start": 0, "end": 5, "kind": "finding", "failings": ["supervision", "leadership"]},
              {"file": "a", "start": 6, "end": 9, "kind": "neither", "failings": []}]
    result = agreement(first, second)
    assert result["sentences"] == 2
    assert result["labels"]["kind"]["kappa"] == 1.0
    assert result["labels"]["leadership"] == {"kappa": 0.0, "first": 0, "second": 1, "both": 0}


def test_the_second_annotator_labelled_200_sentences_of_the_first(capsys) -> None:
    second = [json.loads(line) for line in AGREEMENT.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(second) == 200 and {r["annotator"] for r in second} == {"B"}
    assert main([]) == 0
    out = capsys.readouterr().out
    assert out.startswith("200 sentences labelled by both annotators")
