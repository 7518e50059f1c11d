"""The layout patterns of Ofsted inspection reports (running heads, judgement rows, block
starts, header fields, section headings), read from ``data/report_patterns.json`` and checked
against a whitelist of keys. Every pattern is an entry ``{"id", "pattern", "examples", "counter"}``
validated by :func:`kg.rules.compile_entry`; the tests run its examples.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kg import config
from kg.files import read_json_object
from kg.rules import ALLOWED_KEYS, ENTRY_KEYS, REQUIRED_KEYS, Rule, RuleError, RuleSet, compile_entry

#: Where the report-format patterns live.
PATTERNS_FILE = config.DATA / "report_patterns.json"

_PATTERN_KEYS = {
    "_doc", "version", "bullets", "sub_bullets", "title_start", "authority_from_title", "generic_titles",
    "fields", "field_continuation", "inspector_suffix", "letter_date", "visit_dates_in_text",
    "inspector_in_letter", "grade", "grade_labels", "grade_continuation", "judgement_connector",
    "judgement_areas", "overall_sentence", "headings", "whole_line_headings", "recommendation_sections",
    "recommendation_annotation", "recommendation_marker", "non_finding_sections", "finding_sections",
    "finding_negation", "end_of_report", "inspection_types", "single_inspection_framework_areas",
    "short_inspection_max_days", "no_overall_grade_from", "case_sensitive", "recommendation_topics",
    "finding_criticism",
}
_FIELD_KEYS = ("local_authority", "inspection_dates", "lead_inspector", "published")


# --------------------------------------------------------------------------------------------
# Patterns


@dataclass(frozen=True)
class JudgementArea:
    area: str  # canonical name ("impact of leaders")
    regex: re.Pattern[str]  # the whole judgement row: area, connector, grade
    overall: bool = False


@dataclass(frozen=True)
class ReportPatterns:
    """Compiled ``data/report_patterns.json``."""

    bullets: re.Pattern[str]
    sub_bullets: re.Pattern[str]
    title_start: tuple[re.Pattern[str], ...]
    authority_from_title: tuple[re.Pattern[str], ...]
    generic_titles: tuple[re.Pattern[str], ...]
    fields: dict[str, re.Pattern[str]]
    field_continuation: re.Pattern[str]
    inspector_suffix: re.Pattern[str]
    letter_date: re.Pattern[str]
    visit_dates_in_text: re.Pattern[str]
    inspector_in_letter: re.Pattern[str]
    grade_labels: dict[str, str]
    grade_end: re.Pattern[str]
    grade_continuation: re.Pattern[str]
    areas: tuple[JudgementArea, ...]
    overall_sentence: re.Pattern[str]
    headings: tuple[re.Pattern[str], ...]
    whole_line_headings: tuple[re.Pattern[str], ...]
    recommendation_sections: tuple[re.Pattern[str], ...]
    recommendation_annotation: re.Pattern[str]
    recommendation_marker: re.Pattern[str]
    non_finding_sections: tuple[re.Pattern[str], ...]
    finding_sections: tuple[re.Pattern[str], ...]
    finding_negation: re.Pattern[str]
    finding_criticism: re.Pattern[str]
    end_of_report: tuple[re.Pattern[str], ...]
    inspection_types: tuple[tuple[str, re.Pattern[str]], ...]
    recommendation_topics: RuleSet
    sif_areas: frozenset[str]
    short_inspection_max_days: int
    no_overall_grade_from: dt.date
    #: every pattern entry of the file, with its examples and counter-examples (for the tests)
    rules: tuple[Rule, ...] = ()

    def grade_label(self, text: str) -> str | None:
        """'Requires improvement to be good' -> 'requires improvement'; None for a non-grade."""
        return self.grade_labels.get(" ".join(text.lower().split()))


def load_patterns(path: Path | None = None) -> ReportPatterns:
    """Read and validate a patterns file (default :data:`PATTERNS_FILE`); cached per path.

    Unknown or missing keys, bad regular expressions and missing named groups are errors that
    name the file and key, so a typo fails loudly instead of silently matching nothing.
    """
    return _load_patterns_cached(str(Path(path or PATTERNS_FILE).resolve()))


@lru_cache(maxsize=4)
def _load_patterns_cached(path: str) -> ReportPatterns:
    raw = read_json_object(path, allowed=_PATTERN_KEYS, required=_PATTERN_KEYS - {"_doc", "version"})
    sensitive = raw["case_sensitive"]
    if not isinstance(sensitive, list) or set(sensitive) - _PATTERN_KEYS:
        raise ValueError(f"{path}: case_sensitive: expected a list of pattern keys")

    entries: list[Rule] = []

    def flags(key: str) -> int:
        return 0 if key.split("[")[0].split(".")[0] in sensitive else re.IGNORECASE

    def entry(key: str, spec: object, groups: tuple[str, ...] = (), extra: tuple[str, ...] = (),
              row: Callable[[str], str] | None = None) -> Rule:
        """One pattern entry of the file (``row`` builds the regex that is matched from its pattern)."""
        rule = compile_entry(f"{path}: {key}", spec, allowed=ENTRY_KEYS | set(extra), required=("id", "pattern"),
                             flags=flags(key), groups=groups, expand=row, kind=key.split("[")[0], label=key)
        entries.append(rule)
        return rule

    def rx(key: str, groups: tuple[str, ...] = ()) -> re.Pattern[str]:
        return entry(key, raw[key], groups).regex

    def rx_list(key: str, groups: tuple[str, ...] = ()) -> tuple[re.Pattern[str], ...]:
        sources = raw[key]
        if not isinstance(sources, list) or not sources:
            raise RuleError(f"{path}: {key}: expected a non-empty list of pattern entries")
        return tuple(entry(f"{key}[{i}]", s, groups).regex for i, s in enumerate(sources))

    def derived(key: str, source: str, groups: tuple[str, ...]) -> re.Pattern[str]:
        """A regex the loader builds from entries (not itself an entry of the file)."""
        return compile_entry(f"{path}: {key}", {"id": key, "pattern": source}, required=("id", "pattern"),
                             flags=flags(key), groups=groups).regex

    fields_raw = raw["fields"]
    if not isinstance(fields_raw, dict) or set(fields_raw) != set(_FIELD_KEYS):
        raise ValueError(f"{path}: fields: expected exactly the keys {list(_FIELD_KEYS)}")
    entry("grade", raw["grade"], ("grade",))  # a fragment of the rows below: validated and tested here
    grade_source = raw["grade"]["pattern"]
    labels = raw["grade_labels"]
    if not isinstance(labels, dict) or not all(isinstance(v, str) for v in labels.values()):
        raise ValueError(f"{path}: grade_labels: expected an object of strings")
    entry("judgement_connector", raw["judgement_connector"])
    connector_source = raw["judgement_connector"]["pattern"]
    areas = []
    for i, spec in enumerate(raw["judgement_areas"]):
        if not isinstance(spec, dict) or "area" not in spec:
            raise ValueError(f"{path}: judgement_areas[{i}]: expected {{id, area, pattern[, overall], examples...}}")
        rule = entry(f"judgement_areas[{i}]", spec, ("area", "grade"), ("area", "overall"),
                     row=lambda area: (rf"^(?:\d{{1,2}}(?:\.\d{{1,2}})?\.?\s+)?(?P<area>{area}){connector_source}"
                                       rf"{grade_source}\s*[.;]?\s*$"))
        areas.append(JudgementArea(spec["area"], rule.regex, bool(spec.get("overall", False))))
    types = []
    for i, spec in enumerate(raw["inspection_types"]):
        if not isinstance(spec, dict) or "type" not in spec:
            raise ValueError(f"{path}: inspection_types[{i}]: expected {{id, type, pattern, examples...}}")
        types.append((spec["type"], entry(f"inspection_types[{i}]", spec, (), ("type",)).regex))
    topics = []
    seen_ids: set[str] = set()
    for i, spec in enumerate(raw["recommendation_topics"]):
        where = f"recommendation_topics[{i}]"
        rule = compile_entry(f"{path}: {where}", spec, allowed=ALLOWED_KEYS, required=REQUIRED_KEYS, flags=flags(where))
        if rule.kind != "rec-topic" or rule.id in seen_ids:
            raise ValueError(f"{path}: {where}: expected kind rec-topic and a unique id, got {rule.kind!r}, {rule.id!r}")
        seen_ids.add(rule.id)
        topics.append(rule)
        entries.append(rule)
    try:
        no_overall_from = dt.date.fromisoformat(raw["no_overall_grade_from"])
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{path}: no_overall_grade_from: expected an ISO date") from exc
    if not isinstance(raw["short_inspection_max_days"], int):
        raise ValueError(f"{path}: short_inspection_max_days: expected an integer")
    result = dict(
        bullets=rx("bullets"),
        sub_bullets=rx("sub_bullets"),
        title_start=rx_list("title_start"),
        authority_from_title=rx_list("authority_from_title", ("authority",)),
        generic_titles=rx_list("generic_titles"),
        fields={key: entry(f"fields.{key}", fields_raw[key], ("value",)).regex for key in _FIELD_KEYS},
        field_continuation=rx("field_continuation"),
        inspector_suffix=rx("inspector_suffix"),
        letter_date=rx("letter_date", ("value",)),
        visit_dates_in_text=rx("visit_dates_in_text", ("value",)),
        inspector_in_letter=rx("inspector_in_letter"),
        grade_labels={" ".join(k.lower().split()): v for k, v in labels.items()},
        grade_end=derived("grade", rf"{grade_source}\s*[.;]?\s*$", ("grade",)),
        grade_continuation=rx("grade_continuation"),
        areas=tuple(areas),
        overall_sentence=rx("overall_sentence", ("grade",)),
        headings=rx_list("headings"),
        whole_line_headings=rx_list("whole_line_headings"),
        recommendation_sections=rx_list("recommendation_sections"),
        recommendation_annotation=rx("recommendation_annotation"),
        recommendation_marker=rx("recommendation_marker"),
        non_finding_sections=rx_list("non_finding_sections"),
        finding_sections=rx_list("finding_sections"),
        finding_negation=rx("finding_negation"),
        finding_criticism=rx("finding_criticism"),
        end_of_report=rx_list("end_of_report"),
        inspection_types=tuple(types),
        recommendation_topics=RuleSet(tuple(topics)),
        sif_areas=frozenset(raw["single_inspection_framework_areas"]),
        short_inspection_max_days=raw["short_inspection_max_days"],
        no_overall_grade_from=no_overall_from,
    )
    ids = [rule.id for rule in entries]
    if len(set(ids)) != len(ids):
        raise RuleError(f"{path}: duplicate ids {sorted({i for i in ids if ids.count(i) > 1})}")
    return ReportPatterns(**result, rules=tuple(entries))


def _any(patterns: tuple[re.Pattern[str], ...], text: str) -> re.Match[str] | None:
    for pattern in patterns:
        match = pattern.search(text)
        if match:
            return match
    return None
