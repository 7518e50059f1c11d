"""Rules are data: JSONL files in ``data/rules/``, validated on load.

Each line is one rule::

    {"id": "failing.caseload.too-high", "kind": "failing", "label": "high caseloads",
     "pattern": "\\b(case|work) ?loads?\\b[^.]{0,40}\\btoo high\\b",
     "examples": ["Many social workers have too high caseloads."]}

``pattern`` is a Python regular expression matched case-insensitively (unless ``"case":
"sensitive"``) against one sentence.
``label`` is a prefLabel of the matching SKOS scheme (or a value the extractor knows, for cue
rules). ``examples`` are sentences the rule must match and ``counter`` sentences it must not:
the test suite checks both, so every rule documents itself.

The extractors' own patterns (people, statistics, ratings, context, failings, responses) are rules
too, of kinds the extractor reads by id (:func:`pattern`): ``"case": "sensitive"`` keeps one
case-sensitive, and named groups work as in any regular expression.

The layout patterns of ``data/report_patterns.json`` and ``data/ingest_patterns.json`` are entries
of the same shape (``{"id", "pattern", "examples", "counter"}``), validated by the same function,
:func:`compile_entry`.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from kg.files import check_keys, jsonl_objects

#: The keys a rule may have: a typo in a rule file is an error, not a silently ignored key.
ALLOWED_KEYS = {"id", "kind", "label", "pattern", "examples", "counter", "note", "case"}
REQUIRED_KEYS = {"id", "kind", "label", "pattern"}
#: The keys of a layout pattern entry of the JSON pattern files (some keys add their own, e.g. ``area``).
ENTRY_KEYS = {"id", "pattern", "examples", "counter", "note"}


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

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        return self.regex.finditer(text)

    def search(self, text: str) -> re.Match[str] | None:
        return self.regex.search(text)


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...] = field(default_factory=tuple)

    def of_kind(self, kind: str) -> tuple[Rule, ...]:
        return tuple(r for r in self.rules if r.kind == kind)

    def labels(self, kind: str) -> list[str]:
        return sorted({r.label for r in self.of_kind(kind)})

    def get(self, rule_id: str) -> Rule:
        """The rule of that id; a missing id is a :class:`RuleError`."""
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise RuleError(f"no rule with id {rule_id!r}")


def _strings(where: str, key: str, value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RuleError(f"{where}: {key}: expected a list of strings")
    return tuple(value)


def compile_entry(where: str, obj: object, *, allowed: Collection[str] = ALLOWED_KEYS,
                  required: Collection[str] = REQUIRED_KEYS, flags: int | None = None,
                  groups: Iterable[str] = (), expand: Callable[[str], str] | None = None,
                  kind: str = "", label: str = "") -> Rule:
    """One rule or layout-pattern entry, validated and compiled: the one check every rule and
    pattern file goes through. ``where`` names the file and the entry in any error; only
    ``allowed`` keys may appear and every ``required`` one must; ``expand`` rewrites the pattern
    first (macros); ``flags`` default to ``case`` (case-insensitive unless ``"sensitive"``); the
    compiled pattern must have the named ``groups``. ``kind`` and ``label`` are used when the
    entry has none."""
    if not isinstance(obj, dict):
        raise RuleError(f"{where}: expected a rule object {{id, pattern, examples, ...}}, got {obj!r}")
    check_keys(obj, where, allowed=allowed, required=required, error=RuleError)
    ident, source = obj["id"], obj["pattern"]
    if not isinstance(ident, str) or not ident or not isinstance(source, str):
        raise RuleError(f"{where}: id and pattern must be strings")
    if expand is not None:
        source = expand(source)
    if flags is None:
        flags = 0 if obj.get("case") == "sensitive" else re.IGNORECASE
    try:
        regex = re.compile(source, flags)
    except re.error as exc:
        raise RuleError(f"{where}: bad pattern for rule {ident!r}: {source!r}: {exc}") from exc
    lacking = set(groups) - set(regex.groupindex)
    if lacking:
        raise RuleError(f"{where}: rule {ident!r}: {source!r} lacks groups {sorted(lacking)}")
    return Rule(
        id=ident,
        kind=str(obj.get("kind", kind)),
        label=str(obj.get("label", label)),
        regex=regex,
        examples=_strings(where, "examples", obj.get("examples", [])),
        counter=_strings(where, "counter", obj.get("counter", [])),
    )


def compile_entries(where: str, entries: object, **options: object) -> tuple[Rule, ...]:
    """A non-empty list of entries (see :func:`compile_entry`) with unique ids."""
    if not isinstance(entries, list) or not entries:
        raise RuleError(f"{where}: expected a non-empty list of rule objects")
    out = tuple(compile_entry(f"{where}[{i}]", e, **options) for i, e in enumerate(entries))  # type: ignore[arg-type]
    ids = [r.id for r in out]
    if len(set(ids)) != len(ids):
        raise RuleError(f"{where}: duplicate ids {sorted({i for i in ids if ids.count(i) > 1})}")
    return out


def load_rules(directory: Path) -> RuleSet:
    """Load every ``*.jsonl`` in ``directory`` (sorted by name; blank lines and ``//`` lines skipped)."""
    rules: list[Rule] = []
    seen: dict[str, str] = {}
    files = sorted(Path(directory).glob("*.jsonl"))
    if not files:
        raise RuleError(f"no rule files (*.jsonl) in {directory}")
    for path in files:
        for where, obj in jsonl_objects(path, error=RuleError, comments=True):
            rule = compile_entry(where, obj)
            if rule.id in seen:
                raise RuleError(f"{where}: duplicate rule id {rule.id!r} (first in {seen[rule.id]})")
            seen[rule.id] = where
            rules.append(rule)
    return RuleSet(tuple(rules))


@lru_cache(maxsize=4)
def cached_rules(directory: str) -> RuleSet:
    return load_rules(Path(directory))


def default_rules() -> RuleSet:
    """The project's rules, ``data/rules/*.jsonl`` (loaded once)."""
    from kg import config

    return cached_rules(str(config.DATA / "rules"))


class RulePattern:
    """One rule's compiled pattern, looked up by id the first time it is used, so that
    importing an extractor reads no file. It answers as the compiled pattern does
    (``search``, ``finditer``, ``fullmatch``, ``sub``, ``pattern``, ...).

    >>> p = pattern("failing-cue.found-none")
    >>> bool(p.search("Inspectors did not identify any children at risk"))
    True
    """

    __slots__ = ("rule_id", "_regex")

    def __init__(self, rule_id: str) -> None:
        self.rule_id = rule_id
        self._regex: re.Pattern | None = None

    @property
    def regex(self) -> re.Pattern:
        if self._regex is None:
            self._regex = default_rules().get(self.rule_id).regex
        return self._regex

    def __getattr__(self, name: str):
        if name.startswith("_"):  # never for private or special names (copy, pickle): only the pattern's own
            raise AttributeError(name)
        return getattr(self.regex, name)

    def __repr__(self) -> str:
        return f"RulePattern({self.rule_id!r})"


def pattern(rule_id: str) -> RulePattern:
    """The compiled pattern of one rule of the project's rules, by id: how an extractor names the
    patterns it uses (``pattern("person.apposed-name")``). The rules are read on first use."""
    return RulePattern(rule_id)
