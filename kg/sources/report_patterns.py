"""The layout patterns of Ofsted inspection reports (running heads, judgement rows, block
starts, header fields, section headings), read from ``data/report_patterns.json`` and checked
against a whitelist of keys.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kg import config
from kg.files import read_json_object
from kg.rules import ALLOWED_KEYS, REQUIRED_KEYS, Rule, RuleSet

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

    def rx(key: str, source: object, groups: tuple[str, ...] = ()) -> re.Pattern[str]:
        if not isinstance(source, str):
            raise ValueError(f"{path}: {key}: expected a regular expression string, got {source!r}")
        flags = 0 if key.split("[")[0].split(".")[0] in sensitive else re.IGNORECASE
        try:
            pattern = re.compile(source, flags)
        except re.error as exc:
            raise ValueError(f"{path}: {key}: bad regular expression {source!r}: {exc}") from exc
        lacking = set(groups) - set(pattern.groupindex)
        if lacking:
            raise ValueError(f"{path}: {key}: {source!r} lacks the group(s) {sorted(lacking)}")
        return pattern

    def rx_list(key: str, groups: tuple[str, ...] = ()) -> tuple[re.Pattern[str], ...]:
        sources = raw[key]
        if not isinstance(sources, list) or not sources:
            raise ValueError(f"{path}: {key}: expected a non-empty list of regular expressions")
        return tuple(rx(f"{key}[{i}]", s, groups) for i, s in enumerate(sources))

    fields_raw = raw["fields"]
    if not isinstance(fields_raw, dict) or set(fields_raw) != set(_FIELD_KEYS):
        raise ValueError(f"{path}: fields: expected exactly the keys {list(_FIELD_KEYS)}")
    rx("grade", raw["grade"], ("grade",))  # validated here, compiled where used
    labels = raw["grade_labels"]
    if not isinstance(labels, dict) or not all(isinstance(v, str) for v in labels.values()):
        raise ValueError(f"{path}: grade_labels: expected an object of strings")
    connector = raw["judgement_connector"]
    rx("judgement_connector", connector)
    areas = []
    for i, spec in enumerate(raw["judgement_areas"]):
        if not isinstance(spec, dict) or not {"area", "pattern"} <= set(spec) or set(spec) - {"area", "pattern", "overall"}:
            raise ValueError(f"{path}: judgement_areas[{i}]: expected {{area, pattern[, overall]}}")
        row = (rf"^(?:\d{{1,2}}(?:\.\d{{1,2}})?\.?\s+)?(?P<area>{spec['pattern']}){connector}"
               rf"{raw['grade']}\s*[.;]?\s*$")
        areas.append(JudgementArea(spec["area"], rx(f"judgement_areas[{i}]", row, ("area", "grade")),
                                   bool(spec.get("overall", False))))
    types = []
    for i, spec in enumerate(raw["inspection_types"]):
        if not isinstance(spec, dict) or set(spec) != {"type", "pattern"}:
            raise ValueError(f"{path}: inspection_types[{i}]: expected {{type, pattern}}")
        types.append((spec["type"], rx(f"inspection_types[{i}]", spec["pattern"])))
    topics = []
    seen_ids: set[str] = set()
    for i, spec in enumerate(raw["recommendation_topics"]):
        where = f"recommendation_topics[{i}]"
        if not isinstance(spec, dict) or not REQUIRED_KEYS <= set(spec) or set(spec) - ALLOWED_KEYS:
            raise ValueError(f"{path}: {where}: a rule needs {sorted(REQUIRED_KEYS)} and may have {sorted(ALLOWED_KEYS)}")
        if spec["kind"] != "rec-topic" or spec["id"] in seen_ids:
            raise ValueError(f"{path}: {where}: expected kind rec-topic and a unique id, got {spec['kind']!r}, {spec['id']!r}")
        seen_ids.add(spec["id"])
        topics.append(Rule(id=spec["id"], kind="rec-topic", label=spec["label"], regex=rx(where, spec["pattern"]),
                           examples=tuple(spec.get("examples", ())), counter=tuple(spec.get("counter", ()))))
    try:
        no_overall_from = dt.date.fromisoformat(raw["no_overall_grade_from"])
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{path}: no_overall_grade_from: expected an ISO date") from exc
    if not isinstance(raw["short_inspection_max_days"], int):
        raise ValueError(f"{path}: short_inspection_max_days: expected an integer")
    return ReportPatterns(
        bullets=rx("bullets", raw["bullets"]),
        sub_bullets=rx("sub_bullets", raw["sub_bullets"]),
        title_start=rx_list("title_start"),
        authority_from_title=rx_list("authority_from_title", ("authority",)),
        generic_titles=rx_list("generic_titles"),
        fields={key: rx(f"fields.{key}", fields_raw[key], ("value",)) for key in _FIELD_KEYS},
        field_continuation=rx("field_continuation", raw["field_continuation"]),
        inspector_suffix=rx("inspector_suffix", raw["inspector_suffix"]),
        letter_date=rx("letter_date", raw["letter_date"], ("value",)),
        visit_dates_in_text=rx("visit_dates_in_text", raw["visit_dates_in_text"], ("value",)),
        inspector_in_letter=rx("inspector_in_letter", raw["inspector_in_letter"]),
        grade_labels={" ".join(k.lower().split()): v for k, v in labels.items()},
        grade_end=rx("grade", rf"{raw['grade']}\s*[.;]?\s*$", ("grade",)),
        grade_continuation=rx("grade_continuation", raw["grade_continuation"]),
        areas=tuple(areas),
        overall_sentence=rx("overall_sentence", raw["overall_sentence"], ("grade",)),
        headings=rx_list("headings"),
        whole_line_headings=rx_list("whole_line_headings"),
        recommendation_sections=rx_list("recommendation_sections"),
        recommendation_annotation=rx("recommendation_annotation", raw["recommendation_annotation"]),
        recommendation_marker=rx("recommendation_marker", raw["recommendation_marker"]),
        non_finding_sections=rx_list("non_finding_sections"),
        finding_sections=rx_list("finding_sections"),
        finding_negation=rx("finding_negation", raw["finding_negation"]),
        finding_criticism=rx("finding_criticism", raw["finding_criticism"]),
        end_of_report=rx_list("end_of_report"),
        inspection_types=tuple(types),
        recommendation_topics=RuleSet(tuple(topics)),
        sif_areas=frozenset(raw["single_inspection_framework_areas"]),
        short_inspection_max_days=raw["short_inspection_max_days"],
        no_overall_grade_from=no_overall_from,
    )


def _any(patterns: tuple[re.Pattern[str], ...], text: str) -> re.Match[str] | None:
    for pattern in patterns:
        match = pattern.search(text)
        if match:
            return match
    return None
