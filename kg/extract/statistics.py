"""Statistics: caseloads, vacancy, turnover and agency rates, with their year and council."""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from kg.extract.context import YEAR, DocContext, number_in_words
from kg.graph.facts import Statistic, plain_decimal
from kg.rules import pattern

PERCENT = pattern("statistic.percent")
#: "nine per cent", "twenty-five per cent"
PERCENT_WORDS = pattern("statistic.percent-words")
NUMBER = re.compile(r"(?<![\d.,£$])(?P<num>\d+(?:\.\d+)?)(?!\d|,\d|\.\d|\s?%|\s?per ?cent)")
BEFORE_OK = pattern("statistic.before-quantity")
AFTER_OK = pattern("statistic.after-quantity")
AFTER_BAD = pattern("statistic.not-a-caseload-unit")
#: "a cap of 15", "a target of 20", "no more than 18": not a figure that was measured.
NOT_ACTUAL = pattern("statistic.not-actual")
#: "15% of children", "20 per cent increase": a percentage that is not a workforce rate.
RATE_NOT_MEASURE = pattern("statistic.rate-not-measure")
CLAUSE = pattern("statistic.clause")
#: A figure for a region or the country, not for the council: "the England average of 16%".
ELSEWHERE = pattern("statistic.elsewhere")
#: "... to 12% next year": a rate aimed for, not measured
TARGET_AFTER = pattern("statistic.target-after")
#: "raised salaries by 5 per cent": how much something changed, not a rate
CHANGE_BY = pattern("statistic.change-by")
#: a sentence that points at a council ("its", "the borough"): not part of a run of national figures
LOCAL_REFERENCE = pattern("statistic.local-reference")
#: "that figure", "the rate": a figure of the measure the sentence before gave
ANAPHOR = pattern("statistic.anaphor")
#: " children per worker", " cases per social worker": a caseload's own unit
PER_WORKER = pattern("statistic.per-worker")
IN_YEAR = re.compile(r"^\s+in\s+(?P<year>(?:19|20)\d{2})\b")


FRACTION = pattern("statistic.fraction")
PARTS = {"half": Decimal(50), "a quarter": Decimal(25), "a third": Decimal("33.3"),
         "two thirds": Decimal("66.7"), "three quarters": Decimal(75), "a fifth": Decimal(20),
         "two fifths": Decimal(40), "three fifths": Decimal(60), "a tenth": Decimal(10)}


@dataclass(frozen=True)
class _Rate:
    """A proportion found in a sentence, as a percentage."""

    start_: int
    end_: int
    value: Decimal

    def start(self) -> int:
        return self.start_

    def end(self) -> int:
        return self.end_


def _rates(text: str) -> list[_Rate]:
    """Percentages ("24.6%", "22 per cent") and proportions in words ("one in four", "almost
    half of"), as percentages, in order."""
    found = [_Rate(m.start(), m.end(), _value(m.group("num"))) for m in PERCENT.finditer(text)]
    found += [_Rate(m.start(), m.end(), Decimal(number_in_words(m.group("words")))) for m in PERCENT_WORDS.finditer(text)]
    for m in FRACTION.finditer(text):
        if m.group("part"):
            value = PARTS[m.group("part").lower()]
        else:
            a, b = (number_in_words(x) for x in (m.group("a"), m.group("b")))
            if not 0 < a < b:
                continue
            value = plain_decimal((Decimal(a * 100) / Decimal(b)).quantize(Decimal("0.1")))
        found.append(_Rate(m.start(), m.end(), value))
    return sorted(found, key=lambda r: r.start_)


def _value(text: str) -> Decimal:
    return plain_decimal(text)


def extract(ctx: DocContext) -> list[Statistic]:
    measure_rules = ctx.rules.of_kind("measure")
    out: list[Statistic] = []
    last_year: int | None = None
    last_national = -10  # index of the last sentence that gave a national or regional figure
    last_rate: tuple[int, int, object] | None = None  # (sentence index, line, measure rule) of the last rate
    for sent in ctx.sentences:
        text = sent.text
        if sent.is_claim:
            continue  # figures a union, a parent or the opposition reports are not statistics
        # a sentence among national figures that names no council and points at none
        # ("The turnover rate stood at 15.2%") continues them
        national_run = sent.index - last_national <= 1 and not sent.councils and not LOCAL_REFERENCE.search(text)
        # a sentence that speaks of the country or a region, and names or points at no council
        # ("... posts in England at 30 September, a vacancy rate of 17.8%")
        national_scope = not sent.council_spans and bool(ELSEWHERE.search(text)) and not LOCAL_REFERENCE.search(text)
        national = national_run or national_scope or _national_opening(text, sent)
        scopes: set[str | None] = set()
        keywords = sorted(
            ((m.start(), m.end(), rule) for rule in measure_rules for m in rule.finditer(text)),
            key=lambda k: k[0],
        )
        if not keywords and last_rate is not None and last_rate[0] == sent.index - 1 and last_rate[1] == sent.line:
            # "30% of its social workers were agency staff. That figure has now fallen to 26%."
            anaphor = ANAPHOR.search(text)
            if anaphor:
                keywords = [(anaphor.start(), anaphor.end(), last_rate[2])]
        if not keywords:
            continue
        sentence_years = [int(y) for y in YEAR.findall(text)]
        taken: set[int] = set()
        # Percentages belong to a measure: the only one the sentence names, else the nearest
        # one named before them (within 80 characters), else one named just after them
        # ("22 per cent of posts were covered by agency staff").
        rate_kinds = {k[2].label for k in keywords if k[2].label != "caseload"}
        for m in _rates(text):
            if RATE_NOT_MEASURE.match(text[m.end():]) or TARGET_AFTER.match(text[m.end():]):
                continue
            if CHANGE_BY.search(text[max(0, m.start() - 90):m.start()]):
                continue
            before = [k for k in keywords if k[1] <= m.start() and m.start() - k[1] <= 80 and k[2].label != "caseload"]
            # a measure named after the figure in its own clause may stand further away ("..., and
            # that one in three of its children's social workers is employed through an agency")
            own = [k for k in keywords if k[0] >= m.end() and k[0] - m.end() <= 70 and k[2].label != "caseload"]
            after = [k for k in own if k[0] - m.end() <= 50]
            if before and own and CLAUSE.search(text[before[-1][1]:m.start()]) and not CLAUSE.search(text[m.end():own[0][0]]):
                chosen = own[0]  # "... vacant in 2019, and 31% were filled by agency workers"
            elif before:
                chosen = before[-1]
            elif after:
                chosen = after[0]
            elif len(rate_kinds) == 1:
                chosen = next(k for k in keywords if k[2].label in rate_kinds)
            else:
                continue
            rule = chosen[2]
            year = _year_after(text, m.end()) or _year(text, m.end(), sentence_years, last_year, ctx.reference_year)
            lo, hi = min(chosen[0], m.start()), max(chosen[1], m.end())
            elsewhere = national or _about_elsewhere(text, m.start(), m.end(), sent) or _about_elsewhere(text, lo, hi, sent)
            council = None if elsewhere else _council_for(ctx, sent, m.start(), m.end())
            scopes.add(council)
            out.append(Statistic(council, rule.label, m.value,
                                 sent.evidence(rule.id, lo, hi), year=year, unit="percent"))
            taken.add(m.start())
            last_year = year or last_year
            last_rate = (sent.index, sent.line, rule)
        # Caseload figures: numbers after the word, introduced like a quantity.
        for start, end, rule in keywords:
            if rule.label != "caseload":
                continue
            window = text[end:]
            for m in NUMBER.finditer(window):
                # a figure with its unit ("17 children per worker") may stand further from the word
                if m.start() > 90 and not (m.start() <= 130 and PER_WORKER.match(window[m.end():])):
                    break
                value_text = m.group("num")
                absolute = end + m.start()
                if absolute in taken or ("." not in value_text and 1900 <= int(value_text) <= 2100):
                    continue
                before_text, after_text = window[: m.start()], window[m.end():]
                if AFTER_BAD.match(after_text):
                    continue
                if not (BEFORE_OK.search(before_text) or AFTER_OK.match(after_text)):
                    continue
                if NOT_ACTUAL.search(text[max(0, start - 40):end + m.start()]):
                    continue  # a cap or a target, not a caseload anyone holds
                stated = IN_YEAR.match(after_text)
                year = int(stated.group("year")) if stated else _year(text, absolute, sentence_years, last_year, ctx.reference_year)
                ev_end = end + m.end() + (stated.end() if stated else 0)
                council = None if national or _about_elsewhere(text, start, end + m.end(), sent) else ctx.council_at(sent, start)
                scopes.add(council)
                out.append(Statistic(council, "caseload", _value(value_text),
                                     sent.evidence(rule.id, start, ev_end), year=year, unit="cases per worker"))
                taken.add(absolute)
                last_year = year or last_year
        if scopes:  # only national figures: the next sentence may go on with them
            last_national = sent.index if scopes == {None} else -10
    return _dedupe(out)


def _clause(text: str, lo: int, hi: int) -> tuple[int, int]:
    """Bounds of the comma- or semicolon-delimited clause around ``text[lo:hi]``."""
    left = max(text.rfind(",", 0, lo), text.rfind(";", 0, lo), -1) + 1
    right_candidates = [i for i in (text.find(",", hi), text.find(";", hi)) if i >= 0]
    return left, (min(right_candidates) if right_candidates else len(text))


def _about_elsewhere(text: str, lo: int, hi: int, sent) -> bool:
    """The clause around a figure speaks of a region or the country and names no council: the
    figure is a national or regional one (a statistic without a council), not the council's."""
    left, right = _clause(text, lo, hi)
    named = any(left <= start < right for start, _ in sent.council_spans)
    return bool(ELSEWHERE.search(text[left:right])) and not named


def _national_opening(text: str, sent) -> bool:
    """An opening that sets the scope of the whole sentence, which names no council:
    "Nationally, 17.7% of ..."."""
    comma = text.find(",")
    return 0 < comma <= 40 and bool(ELSEWHERE.search(text[:comma])) and not sent.council_spans


def _council_for(ctx: DocContext, sent, lo: int, hi: int) -> str | None:
    """The council a figure belongs to: one named in its own clause ("compared with 8 per cent
    in the county"), else the council the sentence is about at that point."""
    left, right = _clause(sent.text, lo, hi)
    inside = [(abs(start - lo), code) for start, code in sent.council_spans if left <= start < right]
    return min(inside)[1] if inside else ctx.council_at(sent, lo)


def _year_after(text: str, position: int) -> int | None:
    """A year stated right after a figure: "24.6% in 2021", "33% in March 2018"."""
    m = re.match(r"^\)?\s+in\s+(?:[A-Z][a-z]+\s+)?(?P<year>(?:19|20)\d{2})\b", text[position:])
    return int(m.group("year")) if m else None


def _year(text, position, sentence_years, last_year, reference_year):
    if sentence_years:
        return max(sentence_years)
    return last_year or reference_year


def _dedupe(found):
    seen = set()
    out = []
    for s in found:
        key = (s.council, s.measure, s.value, s.year)
        if key not in seen:
            seen.add(key)
            out.append(s)
    return out
