"""The rule files: valid, self-documenting (examples match, counter-examples do not)."""
import json

import pytest

from kg import config
from kg.rules import RuleError, load_rules

RULES = load_rules(config.DATA / "rules")


@pytest.mark.parametrize("rule", [r for r in RULES.rules if r.examples], ids=lambda r: r.id)
def test_rule_matches_its_examples(rule):
    for example in rule.examples:
        assert rule.search(example), f"{rule.id} does not match its example {example!r}"


#: Counter-examples that document what the extractor (not the pattern) rules out: a rec cue in a
#: council speaker's quote, a failing the sentence says was prevented or fixed. The pattern alone
#: matches them; they stay as documentation, and the test knows them by id.
EXTRACTOR_COUNTERS = {"failing.agency.reliance", "failing.risk.not-recognised", "rec.cue.must"}


@pytest.mark.parametrize("rule", [r for r in RULES.rules if r.counter and r.id not in EXTRACTOR_COUNTERS],
                         ids=lambda r: r.id)
def test_rule_does_not_match_its_counter_examples(rule):
    for counter in rule.counter:
        assert not rule.search(counter), f"{rule.id} matches its counter-example {counter!r}"


def test_extractor_counters_still_need_the_extractor():
    """The exceptions above are exceptions: each of them does match one of its counters."""
    for rule_id in EXTRACTOR_COUNTERS:
        rule = RULES.get(rule_id)
        assert any(rule.search(c) for c in rule.counter), rule_id


def test_labels_are_contract_concepts():
    from kg.graph.ontology import load_ontology
    from rdflib.namespace import SKOS

    graph = load_ontology()
    labels = {str(o) for o in graph.objects(None, SKOS.prefLabel)}
    for kind in ("failing", "rec-topic", "response", "measure", "rating", "inspection-type"):
        for rule in RULES.of_kind(kind):
            assert rule.label in labels, f"{rule.id}: label {rule.label!r} is not a prefLabel of the taxonomies"


def _write(tmp_path, *objs):
    (tmp_path / "x.jsonl").write_text("\n".join(o if isinstance(o, str) else json.dumps(o) for o in objs), encoding="utf-8")
    return tmp_path


def test_unknown_key_is_an_error(tmp_path):
    with pytest.raises(RuleError, match=r"x.jsonl:1: unknown key\(s\) \['paterns'\]"):
        load_rules(_write(tmp_path, {"id": "a", "kind": "k", "label": "l", "pattern": "x", "paterns": "y"}))


def test_bad_regex_is_an_error(tmp_path):
    with pytest.raises(RuleError, match="x.jsonl:2: bad pattern"):
        load_rules(_write(tmp_path, {"id": "a", "kind": "k", "label": "l", "pattern": "x"},
                          {"id": "b", "kind": "k", "label": "l", "pattern": "(unclosed"}))


def test_duplicate_id_and_bad_json_are_errors(tmp_path):
    with pytest.raises(RuleError, match="duplicate rule id 'a'"):
        load_rules(_write(tmp_path, {"id": "a", "kind": "k", "label": "l", "pattern": "x"},
                          {"id": "a", "kind": "k", "label": "l", "pattern": "y"}))
    with pytest.raises(RuleError, match="x.jsonl:1: not valid JSON"):
        load_rules(_write(tmp_path, "{not json"))


def test_missing_folder_is_an_error(tmp_path):
    with pytest.raises(RuleError, match="no rule files"):
        load_rules(tmp_path)


CODE_PATTERN_KINDS = ("person-pattern", "statistic-pattern", "rating-cue", "context-cue", "failing-cue", "response-cue")


def test_every_rule_has_an_example():
    assert [r.id for r in RULES.rules if not r.examples] == []


@pytest.mark.parametrize("kind", CODE_PATTERN_KINDS)
def test_extractor_patterns_document_themselves(kind):
    """The patterns the extractors read by id each have examples and counter-examples."""
    rules = RULES.of_kind(kind)
    assert rules, kind
    for rule in rules:
        assert rule.examples and rule.counter, f"{rule.id} lacks examples or counter-examples"


def test_pattern_by_id():
    from kg.rules import pattern

    assert pattern("person.pronoun").match("She")
    missing = pattern("no.such.rule")  # looked up on first use
    with pytest.raises(RuleError, match="no rule with id 'no.such.rule'"):
        missing.search("anything")


def test_every_rule_an_extractor_names_exists():
    """Extractors name their patterns by id and read them on first use: a misspelt id must fail
    here, not in the middle of a build."""
    import re as _re

    from kg.rules import default_rules

    ids = set()
    for path in (config.ROOT / "kg").rglob("*.py"):
        ids |= set(_re.findall(r"""\bpattern\(["']([^"']+)["']\)""", path.read_text(encoding="utf-8")))
    assert len(ids) > 40
    rules = default_rules()
    for rule_id in sorted(ids):
        assert rules.get(rule_id).regex is not None, rule_id
