"""The layout pattern files (data/ingest_patterns.json, data/report_patterns.json): every entry
is a rule of the shared shape, and its examples match and its counter-examples do not (the ingest
file's after macro expansion), as tests/test_rules.py checks for data/rules/*.jsonl."""
from __future__ import annotations

import pytest

from kg.rules import Rule
from kg.sources import patterns as ingest_patterns
from kg.sources import report_patterns

INGEST = ingest_patterns.load_patterns().rules
REPORT = report_patterns.load_patterns().rules
ENTRIES = [pytest.param(rule, id=f"{name}:{rule.id}") for name, rules in (("ingest", INGEST), ("report", REPORT))
           for rule in rules]


@pytest.mark.parametrize("rule", ENTRIES)
def test_entry_has_examples_that_match(rule: Rule) -> None:
    assert rule.examples, f"{rule.id} documents no example"
    for example in rule.examples:
        assert rule.search(example), f"{rule.id} does not match its example {example!r}"


@pytest.mark.parametrize("rule", ENTRIES)
def test_entry_does_not_match_its_counter_examples(rule: Rule) -> None:
    for counter in rule.counter:
        assert not rule.search(counter), f"{rule.id} matches its counter-example {counter!r}"


def test_every_entry_is_a_rule() -> None:
    assert len(INGEST) >= 60 and len(REPORT) >= 120
