"""Rules are data: JSONL files in ``data/rules/``, validated on load.

Each line is one rule::

    {"id": "failing.caseload.too-high", "kind": "failing", "label": "high caseloads",
     "pattern": "\\b(case|work) ?loads?\\b[^.]{0,40}\\btoo high\\b",
     "examples": ["Many social workers have too high caseloads."]}

``pattern`` is a Python regular expression matched case-insensitively against one sentence.
``label`` is a prefLabel of the matching SKOS scheme (or a value the extractor knows, for cue
rules). ``examples`` are sentences the rule must match and ``counter`` sentences it must not:
the test suite checks both, so every rule documents itself.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

#: The keys a rule may have: a typo in a rule file is an error, not a silently ignored key.
ALLOWED_KEYS = {"id", "kind", "label", "pattern", "examples", "counter", "note", "case"}
REQUIRED_KEYS = {"id", "kind", "label", "pattern"}


class RuleError(ValueError):
    """A rule file is malformed: the message names the file and line."""


@dataclass(frozen=True)
class Rule:
    id: str
    kind: str
    label: str
    regex: re.Pattern
    examples: tuple[str, ...] = ()
    counter: tuple[str, ...] = ()

    def finditer(self, text: str):
        return self.regex.finditer(text)

    def search(self, text: str):
        return self.regex.search(text)


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...] = field(default_factory=tuple)

    def of_kind(self, kind: str) -> tuple[Rule, ...]:
        return tuple(r for r in self.rules if r.kind == kind)

    def labels(self, kind: str) -> list[str]:
        return sorted({r.label for r in self.of_kind(kind)})


def _parse_line(path: Path, number: int, line: str) -> Rule:
    where = f"{path.name}:{number}"
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        raise RuleError(f"{where}: not valid JSON ({exc.msg})") from exc
    if not isinstance(obj, dict):
        raise RuleError(f"{where}: a rule must be a JSON object")
    unknown = set(obj) - ALLOWED_KEYS
    if unknown:
        raise RuleError(f"{where}: unknown key(s) {sorted(unknown)}; allowed: {sorted(ALLOWED_KEYS)}")
    missing = REQUIRED_KEYS - set(obj)
    if missing:
        raise RuleError(f"{where}: missing key(s) {sorted(missing)}")
    flags = 0 if obj.get("case") == "sensitive" else re.IGNORECASE
    try:
        regex = re.compile(obj["pattern"], flags)
    except re.error as exc:
        raise RuleError(f"{where}: bad pattern for rule {obj['id']!r}: {exc}") from exc
    return Rule(
        id=str(obj["id"]),
        kind=str(obj["kind"]),
        label=str(obj["label"]),
        regex=regex,
        examples=tuple(obj.get("examples", ())),
        counter=tuple(obj.get("counter", ())),
    )


def load_rules(directory: Path) -> RuleSet:
    """Load every ``*.jsonl`` in ``directory`` (sorted by name; blank lines and ``//`` lines skipped)."""
    rules: list[Rule] = []
    seen: dict[str, str] = {}
    files = sorted(Path(directory).glob("*.jsonl"))
    if not files:
        raise RuleError(f"no rule files (*.jsonl) in {directory}")
    for path in files:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip() or line.lstrip().startswith("//"):
                continue
            rule = _parse_line(path, number, line)
            if rule.id in seen:
                raise RuleError(f"{path.name}:{number}: duplicate rule id {rule.id!r} (first in {seen[rule.id]})")
            seen[rule.id] = f"{path.name}:{number}"
            rules.append(rule)
    return RuleSet(tuple(rules))


@lru_cache(maxsize=4)
def cached_rules(directory: str) -> RuleSet:
    return load_rules(Path(directory))
