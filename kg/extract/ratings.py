"""Inspections: which council Ofsted judged, with which grade, in which year."""
from __future__ import annotations

import datetime as dt
import re

from kg.extract.context import GENERIC, DocContext, year_near
from kg.facts import Inspection

NEGATED = re.compile(r"\b(?:no longer|not|never|nor|avoid\w*|escape\w*)\s+(?:been\s+|be\s+|being\s+)?(?:rated\s+|judged\s+)?[‘'“\"]?$", re.IGNORECASE)
LAST_YEAR = re.compile(r"\blast year\b|\bprevious year\b", re.IGNORECASE)
LAST_MONTH = re.compile(r"\blast month\b", re.IGNORECASE)
CURRENT = re.compile(
    r"\b(?:has|have|had) (?:now )?been (?:rated|judged|graded|deemed|found|declared|labelled|branded)\b|"
    r"\b(?:is|are) (?:now )?(?:rated|judged)\b|\b(?:has|have) (?:now )?(?:improved|moved|risen|been upgraded|been downgraded)\b|"
    r"\b(?:improved|upgraded|downgraded) to\b|\bthis (?:month|week|year)\b|\btoday\b|\byesterday\b|"
    r"\b(?:most recent|latest|new|recent|this) (?:full )?(?:inspection|report|visit|judgement)\b",
    re.IGNORECASE,
)
RATED = re.compile(r"\b(?:rated|judged|graded|deemed|inspect\w*|visit|report)\b", re.IGNORECASE)
PAST = re.compile(r"\b(?:previous(?:ly)?|last (?:full )?inspection|earlier|former(?:ly)?|since)\b", re.IGNORECASE)


#: A grade hoped for, aimed at or predicted is not a judgement.
HYPOTHETICAL = re.compile(
    r"\b(?:will|would|could|might|may|hope[sd]?|hoping|aim(?:s|ed|ing)?|expect(?:s|ed|ing)?|target(?:s|ed|ing)?|"
    r"ambition|want(?:s|ed)?|bid|on track|next (?:full )?inspection|in order to|if)\b[^.;]*$",
    re.IGNORECASE,
)
FROM = re.compile(r"\bfrom\s+(?:an?\s+|its\s+)?[‘'“\"]?$", re.IGNORECASE)


def resolve_year(ctx: DocContext, text: str, position: int) -> int | None:
    """The year of a judgement: stated near it, else worked out from the article's date.
    A grade the council moved away from ("improved from inadequate to good") is a past one:
    only a stated year dates it."""
    year = year_near(text, position)
    if year is not None:
        return year
    if FROM.search(text[:position]):
        return None
    ref = ctx.reference_date
    if ref is None:
        return None
    if LAST_MONTH.search(text) and RATED.search(text):
        return (ref.replace(day=1) - dt.timedelta(days=1)).year
    if LAST_YEAR.search(text):
        return ref.year - 1
    if CURRENT.search(text) and not PAST.search(text[:position]):
        return ref.year
    return None


def extract(ctx: DocContext) -> list[Inspection]:
    rating_rules = ctx.rules.of_kind("rating")
    type_rules = ctx.rules.of_kind("inspection-type")
    found: list[Inspection] = []
    for sent in ctx.sentences:
        if sent.council is None:
            continue
        if not sent.councils and GENERIC.search(sent.text):
            continue  # "a quarter of authorities are inadequate": not this council's grade
        itype = next((r.label for r in type_rules if r.search(sent.text)), None)
        for rule in rating_rules:
            for match in rule.finditer(sent.text):
                position = _grade_position(match, rule.label)
                before = sent.text[:position]
                if NEGATED.search(before[-40:]) or HYPOTHETICAL.search(before[-80:]):
                    continue
                council = _nearest_council(ctx, sent, position)
                year = resolve_year(ctx, sent.text, position)
                found.append(Inspection(
                    council=council, rating=rule.label, year=year, inspection_type=itype,
                    evidence=sent.evidence(rule.id),
                ))
    return _merge(found)


def _grade_position(match: re.Match, label: str) -> int:
    """Where the grade word itself stands in a match that may include its context."""
    word = {"requires improvement": "requir"}.get(label, label)
    found = match.group().lower().rfind(word)
    return match.start() + (found if found >= 0 else 0)


def _nearest_council(ctx: DocContext, sent, position: int) -> str:
    """With several councils in a sentence, the one named closest before the grade."""
    best = sent.council
    for ent in sent.span.ents:
        if ent.label_ == "COUNCIL" and ent.ent_id_ and ent.start_char - sent.start <= position:
            best = ent.ent_id_
    return best


def _merge(found: list[Inspection]) -> list[Inspection]:
    """One inspection per (council, grade, year); a grade given without a year joins the same
    council's dated judgement of that grade when there is one. The latest judgement of each
    council is its current one."""
    dated = {(i.council, i.rating) for i in found if i.year is not None}
    out: dict[tuple, Inspection] = {}
    for insp in found:
        if insp.year is None and (insp.council, insp.rating) in dated:
            continue
        key = (insp.council, insp.rating, insp.year)
        if key not in out:
            out[key] = insp
        elif out[key].inspection_type is None and insp.inspection_type:
            out[key] = insp
    latest: dict[str, int] = {}
    for (council, _, year) in out:
        if year is not None:
            latest[council] = max(latest.get(council, year), year)
    result = []
    for (council, rating, year), insp in out.items():
        current = None if year is None else year == latest.get(council)
        result.append(Inspection(council=council, rating=rating, year=year, date=insp.date,
                                 inspection_type=insp.inspection_type, current=current,
                                 evidence=insp.evidence))
    return result
