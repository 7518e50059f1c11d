"""Facts from an Ofsted inspection report (as :mod:`kg.sources.reports` reads it): ``report_facts``
reads the structure of its body:

* the authority (GSS code, through the gazetteer), the inspection dates, the lead inspector;
* the overall effectiveness judgement and every sub-judgement, as one ``Inspection`` with its
  ``judgements`` (reports from April 2026 give no overall grade: the Inspection then has
  ``rating=None`` and the article a warning that says so);
* every "What needs to improve" item (or numbered recommendation of the older single
  inspection framework) as ``Recommendation`` facts, classified into the FailingScheme by the
  recommendation-topic rules of ``data/rules``;
* the failings the findings state (sentence by sentence, with the failing rules of
  ``data/rules``) as ``Finding`` facts;

each with the verbatim text as evidence and its place in the report ("paragraph 12, page 3").
The formats' headings, field lines, judgement areas and grade wording are data, in
``data/report_patterns.json``; nothing here knows a particular report.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from kg import config
from kg.extract import failings
from kg.extract.classifier import REPORT_CATEGORY_THRESHOLD, SentenceClassifier
from kg.graph.facts import (
    Article,
    ArticleFacts,
    Evidence,
    Fact,
    Finding,
    Inspection,
    Membership,
    Recommendation,
    SubJudgement,
)
from kg.graph.gazetteer import Gazetteer
from kg.rules import RuleSet, cached_rules
from kg.sources.pdf import (
    _NUMBERED,
    page_of,
    paragraphs,
    split_sentences,
)
from kg.sources.report_header import (
    ReportHeader,
    read_header,
)
from kg.sources.report_patterns import ReportPatterns, _any, load_patterns

# --------------------------------------------------------------------------------------------
# Facts


@dataclass(frozen=True)
class ReportItem:
    """One item of "What needs to improve" (or one numbered recommendation)."""

    text: str  # verbatim, without its bullet or number
    start: int  # offset of ``text`` in Article.body
    page: int
    number: str | None  # the paragraph number of a numbered recommendation
    position: int  # 1-based position in its section
    section: str  # the heading, as written

    @property
    def location(self) -> str:
        if self.number:
            return f"paragraph {self.number}, page {self.page}"
        heading = self.section.rstrip(" ?:")
        return f"{heading}, item {self.position}, page {self.page}"


def recommendation_items(article: Article, patterns: ReportPatterns | None = None) -> list[ReportItem]:
    """Every item listed under "What needs to improve" / "Recommendations" (areas for priority
    action and for improvement in visit letters), in order: bullets and numbered paragraphs."""
    patterns = patterns or load_patterns()
    items: list[ReportItem] = []
    section: str | None = None
    position = 0
    for para in paragraphs(article, patterns):
        if para.kind in ("heading", "row", "field"):
            if _any(patterns.recommendation_sections, para.text):
                section, position = para.text, 0
            elif section is not None:
                section = None
            continue
        if section is None or para.kind not in ("item", "numbered"):
            if section is not None and para.kind == "text" and position:
                section = None  # prose after the list: the list is over
            continue
        if para.text.startswith("– "):
            continue  # a sub-bullet belongs to the item above
        if para.kind == "item":
            offset = 2
            number = None
        else:
            m = _NUMBERED.match(para.text)
            offset, number = m.end(), para.number
        text = para.text[offset:]
        text = patterns.recommendation_marker.sub("", text)
        if not text.strip():
            continue
        position += 1
        items.append(ReportItem(text.strip(), para.start + offset, para.page, number, position, section))
    return items


def _text_offset(article: Article) -> int:
    """Where the body starts in Article.text_for_extraction (evidence offsets are in that)."""
    prefix = [p for p in (article.title, article.standfirst) if p]
    return sum(len(p) + 2 for p in prefix)


def _council(head: ReportHeader, article: Article, gazetteer: Gazetteer, year: int | None) -> str | None:
    """The authority's GSS code: from the 'Local authority' line or the title, then any council
    named on the first page."""
    tries = []
    if head.authority_name:
        tries.append(head.authority_name)
    if head.title:
        tries.append(head.title)
    for text in tries:
        council = gazetteer.resolve(text, year=year, ignore_case=True)
        if council:
            return council.code
        found = _scan_for_council(text, gazetteer, year)
        if found:
            return found
    first = article.body[: article.page_offsets[1] if len(article.page_offsets) > 1 else 3000]
    return _scan_for_council(first, gazetteer, year)


def _scan_for_council(text: str, gazetteer: Gazetteer, year: int | None) -> str | None:
    """The first council named in a text: its longest word n-gram that the gazetteer resolves."""
    words = re.findall(r"[\w’'&-]+|,", text)
    best: tuple[int, int, str] | None = None  # (start, -length, code)
    for i in range(len(words)):
        for n in range(min(8, len(words) - i), 0, -1):
            phrase = " ".join(words[i:i + n]).replace(" ,", ",")
            if not phrase[:1].isupper():
                break
            council = gazetteer.resolve(phrase, year=year)
            if council:
                if best is None or (i, -n) < best[:2]:
                    best = (i, -n, council.code)
                break
        if best is not None and best[0] < i:
            break
    return best[2] if best else None


def report_facts(article: Article, gazetteer: Gazetteer, *, rules: RuleSet | None = None,
                 patterns: ReportPatterns | None = None, classifier: SentenceClassifier | None = None) -> ArticleFacts:
    """The structured facts of one report: its Inspection (with sub-judgements, dates and lead
    inspector), its recommendations, the failings its findings state (by the rules, and by the
    trained sentence ``classifier`` when one is given), and the lead inspector's post at Ofsted.
    Problems are warnings on the article, never exceptions."""
    patterns = patterns or load_patterns()
    rules = rules or cached_rules(str(config.DATA / "rules"))
    head = read_header(article, patterns)
    end = head.dates[1] if head.dates else None
    year = end.year if end else (article.date.year if article.date else None)
    result = ArticleFacts(article=article)
    code = _council(head, article, gazetteer, year)
    if code is None:
        article.warnings.append(f"authority not recognised: {head.authority_name or head.title or '?'}")
    else:
        result.councils.append(code)
    base = _text_offset(article)
    facts: list[Fact] = []

    def evidence(rule: str, text: str, start: int, location: str, confidence: float | None = None) -> Evidence:
        return Evidence(text=text, rule=rule, start=base + start, location=location, confidence=confidence)

    # The inspection and its judgements.
    if code is not None:
        inspection = _inspection(article, head, code, end, patterns, evidence)
        if inspection is not None:
            facts.append(inspection)
    if head.inspector and head.inspector_text is not None and gazetteer.organisation("ofsted") is not None:
        para = head.inspector_text
        facts.append(Membership(person=head.inspector, role="lead inspector", organisation="ofsted",
                                evidence=evidence("report.lead-inspector", para.text, para.start, f"page {para.page}")))

    # Recommendations.
    items = recommendation_items(article, patterns)
    unclassified = []
    for item in items:
        text = patterns.recommendation_annotation.sub("", item.text).strip()
        labels = classify_recommendation(text, rules, patterns)
        if not labels:
            unclassified.append(item)
            continue
        for label, rid in labels:
            facts.append(Recommendation(code, label, evidence(rid, item.text, item.start, item.location)))
    if unclassified:
        article.warnings.append(
            f"{len(unclassified)} of {len(items)} recommendation(s) fit no failing category and are not in the "
            "graph: " + "; ".join(f"{i.location}: {i.text[:80]}" for i in unclassified))
    if not items:
        article.warnings.append("no 'What needs to improve' or recommendations section found")

    # Findings: the failings the report's findings state, sentence by sentence.
    facts.extend(_findings(article, code, rules, patterns, evidence, classifier))
    result.facts = _dedupe(facts)
    return result


def classify_recommendation(text: str, rules: RuleSet, patterns: ReportPatterns | None = None) -> list[tuple[str, str]]:
    """FailingScheme labels of a "What needs to improve" item, with the id of the rule that
    gave each: the rec-topic rules of ``data/rules`` and of the patterns file, in order of
    appearance; failing to find a topic, the failing rules (an item may state a failing).

    >>> from kg.rules import load_rules
    >>> classify_recommendation("Manageable caseloads for social workers.", load_rules(config.DATA / "rules"))
    [('high caseloads', 'rec.topic.high-caseloads')]
    """
    patterns = patterns or load_patterns()
    found: dict[str, tuple[int, str]] = {}
    for ruleset in (rules, patterns.recommendation_topics):
        for rule in ruleset.of_kind("rec-topic"):
            match = rule.search(text)
            if match and (rule.label not in found or match.start() < found[rule.label][0]):
                found[rule.label] = (match.start(), rule.id)
    if not found:
        return [(label, rid) for label, rid, _, _ in failings.classify(rules, text)]
    return [(label, rid) for label, (_, rid) in sorted(found.items(), key=lambda kv: (kv[1][0], kv[0]))]


def _inspection(article: Article, head: ReportHeader, code: str, end: dt.date | None,
                patterns: ReportPatterns, evidence) -> Inspection | None:
    table_page = min((p.page for _, _, p in head.judgement_rows), default=1)
    overall: tuple[str, Evidence] | None = None
    subs: list[SubJudgement] = []
    seen: set[str] = set()
    covering = {"children in care and care leavers": {"children in care", "care leavers"}}
    for area, grade, para in head.judgement_rows:
        if area.overall:
            if overall is None:
                overall = (grade, evidence("report.judgement.overall", para.text, para.start, f"judgement table, page {para.page}"))
            continue
        if area.area in seen or any(area.area in covering.get(s, ()) or s in covering.get(area.area, ()) for s in seen):
            continue  # a section heading repeating the table
        if para.page > table_page and para.section is not None and area.area not in ("local safeguarding children board",) and seen:
            continue
        seen.add(area.area)
        where = f"judgement table, page {para.page}" if para.page == table_page else f"page {para.page}"
        subs.append(SubJudgement(area.area, grade, evidence(f"report.judgement.{_slug(area.area)}", para.text, para.start, where)))
    if overall is None and head.overall_sentence is not None:
        grade, para, s, e = head.overall_sentence
        overall = (grade, evidence("report.judgement.overall-sentence", para.text[s:e], para.start + s, f"page {para.page}"))
    # Repeated section headings must agree with the table.
    for area, grade, para in head.judgement_rows:
        for sub in subs:
            if sub.area == area.area and sub.rating != grade:
                article.warnings.append(f"judgement of {area.area} differs: {sub.rating} in the table, {grade} on page {para.page}")
    graded_types = ("ILACS inspection", "short inspection", "single inspection framework inspection")
    if overall is None:
        if head.inspection_type in graded_types:
            if end is not None and end >= patterns.no_overall_grade_from:
                article.warnings.append("no overall effectiveness grade: reports of inspections from "
                                        f"{patterns.no_overall_grade_from:%B %Y} give none; sub-judgements only")
            else:
                article.warnings.append("no overall effectiveness judgement found")
        if not subs and head.inspection_type in graded_types:
            return None
        if head.dates_text is not None:
            ev = evidence("report.inspection-dates", head.dates_text.text, head.dates_text.start, f"page {head.dates_text.page}")
        elif subs:
            ev = subs[0].evidence
        else:
            return None
        rating = None
    else:
        rating, ev = overall
    start, last = head.dates if head.dates else (None, None)
    return Inspection(
        council=code, rating=rating, evidence=ev, year=last.year if last else None, date=last,
        inspection_type=head.inspection_type, judgements=tuple(subs), inspector=head.inspector,
        start_date=start, end_date=last,
    )


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _findings(article: Article, code: str | None, rules: RuleSet, patterns: ReportPatterns, evidence,
              classifier: SentenceClassifier | None = None) -> list[Finding]:
    """The failings the findings sections state, sentence by sentence: the rules' categories in
    sentences that criticise, and, with a ``classifier``, the categories it names in sentences
    it scores as findings where no rule found that category (as for news: :func:`failings.model_facts`)."""
    out: list[Finding] = []
    sentences: list[tuple[str, int, str, set[str]]] = []  # text, offset, location, categories the rules found
    in_findings = True
    rec_section = False
    for para in paragraphs(article, patterns):
        if para.kind in ("heading", "row"):
            if _any(patterns.non_finding_sections, para.text):
                in_findings = False
            elif _any(patterns.finding_sections, para.text):
                in_findings = True
            rec_section = bool(_any(patterns.recommendation_sections, para.text))
            continue
        if para.kind == "field" or not in_findings or rec_section and para.kind in ("item", "numbered"):
            continue
        if para.page == 1 and para.kind != "numbered" and para.index < 3:
            continue  # the title block
        body_start = 0
        if para.kind == "numbered":
            body_start = _NUMBERED.match(para.text).end()
        elif para.kind == "item":
            body_start = 2
        text = para.text
        for s, e in split_sentences(text[body_start:]):
            s += body_start
            e += body_start
            sentence = text[s:e]
            page = page_of(article, para.start + s)
            where = f"paragraph {para.number}, page {page}" if para.number else f"page {page}"
            found: set[str] = set()
            sentences.append((sentence, para.start + s, where, found))
            if not patterns.finding_criticism.search(sentence):
                continue  # praise ("children are seen alone"): no failing, whatever its words
            for label, rid, ms, _me in failings.classify(rules, sentence):
                if patterns.finding_negation.search(sentence[:ms][-50:]):
                    continue
                found.add(label)
                out.append(Finding(code, label, evidence(rid, sentence, para.start + s, where)))
    if classifier is not None and sentences:
        for (sentence, start, where, found), scores in zip(sentences, classifier.scores([t[0] for t in sentences])):
            kind, kind_score = scores.kind()
            if kind == "neither" or len(sentence.split()) < 4:
                continue
            for label, score in scores.failings(REPORT_CATEGORY_THRESHOLD):
                if label not in found:
                    out.append(Finding(code, label, evidence(classifier.name, sentence, start, where,
                                                             round(kind_score * score, 3))))
    return out


def _dedupe(facts: list[Fact]) -> list[Fact]:
    seen: set[tuple] = set()
    out: list[Fact] = []
    for fact in facts:
        if isinstance(fact, (Finding, Recommendation)):
            key = (type(fact).__name__, fact.council, fact.failing, fact.evidence.text)
        else:
            key = (type(fact).__name__, id(fact))
        if key not in seen:
            seen.add(key)
            out.append(fact)
    return out
