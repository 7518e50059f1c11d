"""Inspections: which council Ofsted judged, with which grade, in which year."""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import replace

from kg.extract.context import GENERIC, YEAR, DocContext, number_in_words, year_near
from kg.graph.facts import EARLIER_FRAMEWORK, Inspection
from kg.rules import pattern
from kg.sources.dates import month_number

NEGATED = pattern("rating-cue.negated")
#: "with leadership judged outstanding", "care leavers, which were judged good": a grade for a
#: part of the service, not the overall judgement
SUB_JUDGEMENT = pattern("rating-cue.sub-judgement")
#: "judged outstanding for children in care": the part named after the grade
SUB_JUDGEMENT_AFTER = pattern("rating-cue.sub-judgement-after")
#: "a partner, a neighbouring trust rated good": the grade of another body, not of this council
OTHER_BODY = pattern("rating-cue.other-body")
#: "a primary school in the city was rated": a provider's grade, never a council's
OTHER_PROVIDER = pattern("rating-cue.other-provider")
#: "requires improvement to be good": the grade's name, not a second grade
RI_TAIL = pattern("rating-cue.requires-improvement-tail")
LAST_YEAR = pattern("rating-cue.last-year")
LAST_MONTH = pattern("rating-cue.last-month")
CURRENT = pattern("rating-cue.current")
RATED = pattern("rating-cue.rated")
YEARS_AGO = pattern("rating-cue.years-ago")
#: "rated inadequate two years earlier": counted back from the year the sentence states, else
#: from the article's
YEARS_EARLIER = pattern("rating-cue.years-earlier")
#: "four years after being rated good": the earlier grade, dated from the article's year.
YEARS_AFTER = pattern("rating-cue.years-after")
#: "nine months ago", "nine months after the council was rated": counted back from the article's date
MONTHS_AGO = pattern("rating-cue.months-ago")
MONTHS_AFTER = pattern("rating-cue.months-after")
IN_MONTH = pattern("rating-cue.in-month")
IN_SEASON = pattern("rating-cue.in-season")
SEASON_MONTH = {"spring": 4, "summer": 7, "autumn": 10, "fall": 10, "winter": 1}
PAST = pattern("rating-cue.past")
HAD_BEEN = pattern("rating-cue.had-been")
#: "an 'inadequate' council", "the inadequate-rated service": the grade a council stands at, named as
#: what it is, not a judgement the article announces.
STANDING = pattern("rating-cue.standing")
#: "Islington, which is rated ", "Camden, a council rated ": the grade is said of the council just named
OF_PARTNER = pattern("rating-cue.of-partner")
#: "the borough was rated ": a grade told in the past tense (its year may be the sentence before's)
PAST_SIMPLE = pattern("rating-cue.past-simple")
#: "and again in 2016", after a grade and its year: the grade given a second time
AGAIN = pattern("rating-cue.again")
#: "they were judged", "its services were rated": the council graded, named before
PRONOUN_SUBJECT = pattern("rating-cue.pronoun-subject")


#: A grade hoped for, aimed at or predicted is not a judgement.
HYPOTHETICAL = pattern("rating-cue.hypothetical")
#: "Its self-assessment describes several areas as outstanding": the council's own grading
SELF_ASSESSMENT = pattern("rating-cue.self-assessment")
#: the 2009-2013 framework judged the services for looked after children overall, in their own right
LOOKED_AFTER = pattern("rating-cue.looked-after")
#: the last year a grade was given under that framework
OLD_FRAMEWORK_END = 2013
#: "a four-point scale from 'outstanding' to 'inadequate'": grades named, none given.
SCALE = pattern("rating-cue.scale")
FROM = pattern("rating-cue.from")
#: "outstanding, the highest grade": a grade word with the phrase that names it in apposition
APPOSED = pattern("rating-cue.apposed")


def resolve_year(ctx: DocContext, text: str, position: int, *, preceding: str | None = None,
                 end: int | None = None) -> int | None:
    """The year of a judgement: stated near it, else worked out from the article's date.
    A grade the council moved away from ("improved from inadequate to good") is a past one:
    only a stated year dates it. ``text`` is the grade's stretch of the sentence; ``preceding``
    (default: the stretch before the grade) is where time words before the grade are sought; ``end``
    is where the grade's phrase ends, from which a year after it is measured."""
    earlier = YEARS_EARLIER.search(text, position)
    if earlier:
        stated = [int(y.group()) for y in YEAR.finditer(preceding if preceding is not None else text[:position])]
        stated += [int(y.group()) for y in YEAR.finditer(text[:earlier.start()])]
        base = max(stated) if stated else (ctx.reference_date.year if ctx.reference_date else None)
        if base is not None:
            return base - _count(earlier)
    year = year_near(text, position, end=end)
    if year is not None:
        return year
    if FROM.search(text[:position]):
        return None
    ref = ctx.reference_date
    if ref is None:
        return None
    # time words after the grade speak of it first ("inadequate three years ago"), then those before
    rated = bool(RATED.search(text))  # "rated ... inadequate last month": the verb may stand before the grade
    for before, part in ((False, text[position:]), (True, text[:position] if preceding is None else preceding)):
        year = _relative_year(part, ref, before=before, rated=rated)
        if year is not None:
            return year
    return None


def _relative_year(text: str, ref: dt.date, *, before: bool, rated: bool = False) -> int | None:
    """The year the time words of ``text`` (a grade's words after it, or before it when ``before``)
    give, counted from ``ref``: of several, those nearest the grade ("inadequate following an
    inspection in June, the same grade it was given three years ago": June)."""
    found: list[tuple[int, int]] = []  # (where the words stand, the year they give)
    if rated or RATED.search(text):
        found += [(m.start(), (ref.replace(day=1) - dt.timedelta(days=1)).year) for m in LAST_MONTH.finditer(text)]
    found += [(m.start(), ref.year - 1) for m in LAST_YEAR.finditer(text)]
    for pattern_ in (YEARS_AGO, YEARS_AFTER) if before else (YEARS_AGO,):
        found += [(m.start(), ref.year - _count(m)) for m in pattern_.finditer(text)]
    for pattern_ in (MONTHS_AGO, MONTHS_AFTER) if before else (MONTHS_AGO,):
        found += [(m.start(), (ref.year * 12 + ref.month - 1 - _count(m)) // 12) for m in pattern_.finditer(text)]
    for month in IN_MONTH.finditer(text):
        number = month_number(month.group("month"))
        found.append((month.start(), ref.year if number <= ref.month and not month.group().lower().startswith("last")
                      or number < ref.month else ref.year - 1))
    for season in IN_SEASON.finditer(text):
        number = SEASON_MONTH[season.group("season").lower()]
        found.append((season.start(), ref.year if number <= ref.month and not season.group().lower().startswith("last")
                      else ref.year - 1))
    if found:
        return (max if before else min)(found)[1]
    if CURRENT.search(text) and not (before and PAST.search(text)):
        return ref.year
    return None


def _count(match: re.Match) -> int:
    """The number of years or months a match counts ("three", "18")."""
    return number_in_words(match.group("n")) or 0


def extract(ctx: DocContext) -> list[Inspection]:
    rating_rules = ctx.rules.of_kind("rating")
    type_rules = ctx.rules.of_kind("inspection-type")
    found: list[Inspection] = []
    fresh: list[bool] = []  # for each grade: nothing in its own stretch marks it as a past one
    for sent in ctx.sentences:
        if sent.council is None:
            continue
        if not sent.councils and not sent.together and GENERIC.search(sent.text):
            continue  # "a quarter of authorities are inadequate": not this council's grade
        itype = next((r.label for r in type_rules if r.search(sent.text)), None)
        matches = sorted(
            ((_grade_position(m, rule.label), m, rule) for rule in rating_rules for m in _grade_matches(sent, rule)),
            key=lambda item: item[0],
        )
        taken_year: int | None = None  # the year of the sentence's grade before
        for n, (position, match, rule) in enumerate(matches):
            before = sent.text[:position]
            if NEGATED.search(before[-40:]) or HYPOTHETICAL.search(before[-80:]) or SELF_ASSESSMENT.search(before[-120:]):
                continue
            part = SUB_JUDGEMENT.search(before[-130:])
            if part and not (LOOKED_AFTER.search(part.group()) and _old_framework(ctx, sent.text)):
                continue
            if SUB_JUDGEMENT_AFTER.match(sent.text[position:position + 120]):
                continue
            if RI_TAIL.search(before[-30:]):
                continue
            if OTHER_BODY.search(before[-60:]) and not _named_before(sent, position, 60):
                continue  # "a neighbouring trust rated good", unnamed ("Camden, a council rated outstanding" is Camden's)
            if OTHER_PROVIDER.search(before[-80:]):
                continue
            if any(m.start() <= position < m.end() for m in SCALE.finditer(sent.text)):
                continue
            # each grade's year is looked for between its neighbours ("outstanding in 2019, up
            # from good in 2014": 2014 belongs to good)
            lo = matches[n - 1][1].end() if n > 0 else 0
            hi = matches[n + 1][0] if n + 1 < len(matches) else len(sent.text)
            # nor beyond a semicolon ("rated inadequate in 2014; by 2018 it was good")
            lo = max(lo, sent.text.rfind(";", lo, position) + 1)
            semicolon = sent.text.find(";", match.end(), hi)
            hi = semicolon if semicolon >= 0 else hi
            # a year the grade before took, stated after it, is that grade's ("rated inadequate in
            # 2010, was judged good at its most recent inspection last summer")
            if taken_year is not None:
                taken = sent.text.rfind(str(taken_year), lo, position)
                lo = taken + 4 if taken >= 0 else lo
            council = _nearest_council(ctx, sent, position)
            year = resolve_year(ctx, sent.text[lo:hi], position - lo, preceding=before, end=match.end() - lo)
            if year is None and len(matches) == 1 and PAST_SIMPLE.search(before[-40:]):
                year = _previous_sentence_year(ctx, sent)
            # "upgraded to good two years ago, four years after it was rated inadequate": counted
            # back from the year of the grade before
            later = YEARS_AFTER.search(sent.text, lo, position)
            if later and taken_year is not None:
                year = taken_year - _count(later)
            taken_year = year
            stretch = sent.text[lo:hi]
            new = (not sent.headline and not PAST.search(stretch) and not HAD_BEEN.search(stretch)
                   and not FROM.search(before) and not YEARS_AGO.search(stretch)
                   and not STANDING.match(sent.text[position:]))
            # "Leeds and North Yorkshire are outstanding": each council the name list holds
            # "rated inadequate in 2013 and again in 2016": the grade given twice
            again = AGAIN.match(sent.text[match.end():hi]) if year is not None else None
            years = [year, int(again.group("year"))] if again else [year]
            for code in dict.fromkeys([council, *_listed_councils(sent, match)]):
                for when in years:
                    found.append(Inspection(
                        council=code, rating=rule.label, year=when, inspection_type=itype,
                        evidence=sent.evidence(rule.id),
                    ))
                    fresh.append(new)
    found = _announced_year(ctx, _news_year(ctx, found), fresh)
    found = [_predecessor(ctx, i) for i in found]
    return _merge([i for i in found if _existed(ctx, i)])


def _old_framework(ctx: DocContext, text: str) -> bool:
    """Whether a sentence speaks of the 2009-2013 framework's years: a year it states, else the
    article's, is no later than its last."""
    years = [int(y.group()) for y in YEAR.finditer(text)]
    year = max(years) if years else ctx.reference_year
    return year is not None and year <= OLD_FRAMEWORK_END


def _predecessor(ctx: DocContext, insp: Inspection) -> Inspection:
    """A grade dated before its council existed is its predecessor's, when there is one: "the
    county's services were rated inadequate four years ago" in 2023, of West Northamptonshire, is
    Northamptonshire's (abolished in 2021). Without a single predecessor it stays as it is."""
    council = ctx.gazetteer.by_code(insp.council)
    if insp.year is None or council is None or council.valid_from is None or insp.year >= council.valid_from:
        return insp
    before = [c for c in ctx.gazetteer.councils if insp.council in c.successors and c.valid_in(insp.year)]
    if len(before) > 1:  # "Poole had been rated good in 2016", of BCP's three: the one the sentence names
        named = [c for c in before if re.search(rf"\b{re.escape(c.name)}\b", insp.evidence.text)]
        before = named if len(named) == 1 else before
    return replace(insp, council=before[0].code) if len(before) == 1 else insp


def _previous_sentence_year(ctx: DocContext, sent) -> int | None:
    """The one year the sentence before states, in the same paragraph, for a grade told in the past
    tense without one ("In 2019 Ofsted found that ... The borough was rated inadequate.")."""
    if sent.index == 0 or YEAR.search(sent.text):
        return None
    prev = ctx.sentences[sent.index - 1]
    if prev.line != sent.line:
        return None
    years = {int(m.group()) for m in YEAR.finditer(prev.text)}
    ref = ctx.reference_date
    if len(years) != 1 or (ref is not None and next(iter(years)) > ref.year):
        return None
    return years.pop()


def _announced_year(ctx: DocContext, found: list[Inspection], fresh: list[bool]) -> list[Inspection]:
    """The grade an article announces beside an earlier, dated one ("judged to require improvement,
    down from the good rating it received in 2016") is of the article's year: the one grade of
    the council without a year whose own words mark it as no past one, when every dated grade
    of the council is of an earlier year."""
    ref = ctx.reference_date
    if ref is None:
        return found
    undated: dict[str, set[str]] = {}
    latest: dict[str, int] = {}
    for insp, new in zip(found, fresh):
        if insp.year is None and new and insp.rating != EARLIER_FRAMEWORK:  # an earlier framework's is no new grade
            undated.setdefault(insp.council, set()).add(insp.rating)
        elif insp.year is not None:
            latest[insp.council] = max(latest.get(insp.council, insp.year), insp.year)
    out = []
    for insp, new in zip(found, fresh):
        if (insp.year is None and new and insp.rating != EARLIER_FRAMEWORK and len(undated[insp.council]) == 1
                and insp.council in latest and latest[insp.council] < ref.year):
            insp = replace(insp, year=ref.year)
        out.append(insp)
    return out


def _existed(ctx: DocContext, insp: Inspection) -> bool:
    """Whether the council existed in the judgement's year: "Northamptonshire trust rated ..." in
    2024 names the county split into two unitary councils in 2021, and no grade of it."""
    council = ctx.gazetteer.by_code(insp.council)
    if insp.year is None or council is None or council.valid_to is None or len(council.successors) < 2:
        return True  # a council renamed or recoded keeps its grades under its one successor
    return insp.year < council.valid_to


def _news_year(ctx: DocContext, found: list[Inspection]) -> list[Inspection]:
    """A judgement the article announces without a year is of the article's year: the only
    grade it gives a council, in a sentence that does not mark it as past ("previously",
    "last inspection", "since") or as one the council moved from."""
    ref = ctx.reference_date
    if ref is None:
        return found
    # an earlier framework's grade is a past one: it leaves the grade the article announces alone
    on_scale = [i for i in found if i.rating != EARLIER_FRAMEWORK]
    councils_with_year = {i.council for i in on_scale if i.year is not None}
    grades: dict[str, set[str]] = {}
    for i in on_scale:
        grades.setdefault(i.council, set()).add(i.rating)
    out = []
    for insp in found:
        text = insp.evidence.text
        if (insp.year is None and insp.rating != EARLIER_FRAMEWORK
                and insp.council not in councils_with_year and len(grades[insp.council]) == 1
                and not PAST.search(text) and not HAD_BEEN.search(text)
                and not FROM.search(text)):
            insp = replace(insp, year=ref.year)
        out.append(insp)
    return out


def _grade_position(match: re.Match, label: str) -> int:
    """Where the grade word itself stands in a match that may include its context."""
    word = {"requires improvement": "requir", EARLIER_FRAMEWORK: "adequate"}.get(label, label)
    found = match.group().lower().rfind(word)
    if found < 0:
        # "judged ... to be outstanding, the highest grade": the phrase names the grade just before it
        named = APPOSED.search(match.string, 0, match.start())
        if named and named.group("grade").lower().startswith(word):
            return named.start("grade")
    return match.start() + (found if found >= 0 else 0)


def _grade_matches(sent, rule) -> Iterator[re.Match]:
    """The matches of a grade rule in a sentence. One that captures a name before the grade
    which is no council's ("Supervision is inadequate", "We were rated good") is dropped, and the
    rule is tried again from the next character ("rated good")."""
    text, position = sent.text, 0
    while (match := rule.regex.search(text, position)) is not None:
        if _names_a_council(sent, match):
            yield match
            position = max(match.end(), match.start() + 1)
        else:
            position = match.start() + 1


def _captured_name(sent, match: re.Match) -> tuple[int, int] | None:
    """Where, in the doc, the name a match captures before its grade stands ("Bradford is
    inadequate", "Leeds: outstanding (2022)"); None for a match that captures none."""
    if "council" not in match.re.groupindex or match.group("council") is None:
        return None
    return match.start("council") + sent.start, match.end("council") + sent.start


def _names_a_council(sent, match: re.Match) -> bool:
    """Whether a match whose grade follows a name it captures ("Bradford is inadequate",
    "Leeds: outstanding (2022)", "... and Doncaster inadequate in 2017") has a council's name there:
    a council or trust named in the sentence ends where the captured name ends."""
    name = _captured_name(sent, match)
    if name is None:
        return True
    return any(ent.end_char == name[1] and (ent.label_ == "COUNCIL" or ent.label_ == "ORG_KNOWN") and ent.ent_id_
               for ent in sent.span.ents)


def _listed_councils(sent, match: re.Match) -> list[str]:
    """The councils named inside the name a match captures ("Leeds and North Yorkshire are
    outstanding"), in order."""
    name = _captured_name(sent, match)
    if name is None:
        return []
    start, end = name
    return [ent.ent_id_ for ent in sent.span.ents
            if ent.label_ == "COUNCIL" and ent.ent_id_ and start <= ent.start_char and ent.end_char <= end]


def _named_before(sent, position: int, window: int) -> bool:
    """Whether a council is named in the ``window`` characters before ``position``."""
    return any(ent.label_ == "COUNCIL" and ent.ent_id_ and position - window <= ent.end_char - sent.start <= position
               for ent in sent.span.ents)


def _nearest_council(ctx: DocContext, sent, position: int) -> str:
    """With several councils in a sentence, the one named closest before the grade."""
    best = sent.council
    best_end = None
    for ent in sent.span.ents:
        if ent.label_ == "COUNCIL" and ent.ent_id_ and ent.start_char - sent.start <= position:
            best, best_end = ent.ent_id_, ent.end_char - sent.start
    # a council named as a partner ("run in partnership with Hampshire since 2013, and were judged
    # to require improvement") is not what is graded, unless the grade is said of it ("Islington,
    # which is rated outstanding"): then the grade is of the council the sentence is about
    # ("a cash-strapped Essex council", a council in Essex, is the article's own when none is named)
    about = [code for offset, code in sent.council_spans if offset <= position]
    # "Three years ago they were judged inadequate, prompting ... to hand the service to Hampshire":
    # councils named only after the grade, a pronoun before it: the council of the sentence before
    if best_end is None and not about and sent.index > 0 and PRONOUN_SUBJECT.search(sent.text[:position]):
        before = ctx.sentences[sent.index - 1]
        if before.council is not None and before.line == sent.line:
            return before.council
    if (best_end is not None and best not in {code for _, code in sent.council_spans}
            and not OF_PARTNER.search(sent.text[best_end:position])):
        best = about[-1] if about else (sent.council or best)
    # a shared trust's members named beside it ("AfC, which also runs Kingston's services"): the
    # grade is of the member the article is about
    if best in sent.trust_members and ctx.focus in sent.trust_members and best not in sent.together:
        best = ctx.focus  # (not when the sentence names members as one list: "in Kingston and Richmond were both")
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
