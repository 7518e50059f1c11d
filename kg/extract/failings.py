"""Findings (failings inspectors identified) and recommendations (what they told a council
to improve), classified into the FailingScheme by the rules in ``data/rules/``."""
from __future__ import annotations

import re

from kg.extract.context import INSPECTORS, DocContext, Sentence
from kg.graph.facts import Finding, Recommendation
from kg.rules import RuleSet, pattern

#: Words before a cue that turn a failing into its opposite ("prevented children being left
#: at risk", "no longer reliant on agency staff").
CANCELLED = pattern("failing-cue.cancelled")
#: A subject that denies the failing: "no child was left at risk".
NO_SUBJECT = pattern("failing-cue.no-subject")
#: Inspectors looked and found nothing: "did not identify any children at immediate risk".
FOUND_NONE = pattern("failing-cue.found-none")
#: Right after a cue, the failing is said to be fixed or praised: "delays ... have been
#: eliminated", "management oversight is evident".
RESOLVED_AFTER = pattern("failing-cue.resolved-after")
#: "no" just before a cue that names the problem itself denies it ("there were no delays"),
#: while "no" before a good thing is the failing ("cases with no allocated social worker").
NO_BEFORE = pattern("failing-cue.no-problem")
PROBLEM_WORD = pattern("failing-cue.problem-word")
#: Words of children's social care: a sentence without any ("Metro delays on the Bury line",
#: a travel item beside the article) states no failing of a children's service.
DOMAIN = pattern("failing-cue.domain")
#: A workforce figure, and words that present one as a problem: a figure stated plainly (a
#: council's or the DfE's numbers) is a statistic, not a failing.
FIGURE = pattern("failing-cue.figure")
JUDGEMENT = pattern("failing-cue.judgement")
#: Whom a recommendation cue addresses when it is not a council: "urged ministers to", "recommended
#: that the government introduce".
NOT_COUNCIL = pattern("rec.addressee.not-council")
#: "The scrutiny committee recommended that ...": the council's own recommendation, not Ofsted's
NOT_INSPECTORS = pattern("rec.recommender.not-inspectors")
WORKFORCE = frozenset({"agency staff reliance", "recruitment and retention", "staff turnover", "high caseloads"})
DOUBLE_QUOTES = re.compile(r"[“”\"]")


def _without_quotes(text: str) -> tuple[str, list[int]]:
    """``text`` without double quotation marks, and for each character of the result (and its
    end) the offset it came from in ``text``."""
    kept = [i for i, ch in enumerate(text) if not DOUBLE_QUOTES.match(ch)]
    return "".join(text[i] for i in kept), kept + [len(text)]


#: A sentence that praises rather than criticises (and holds no failing cue of its own).
INTRO_LIST = pattern("failing-cue.intro-list")
#: A heading or a lead-in that opens a list of what must improve ("What needs to improve",
#: "Ofsted's recommendations:", "The council should:").
LIST_HEADING = pattern("failing-cue.list-heading")


def classify(rules: RuleSet, text: str) -> list[tuple[str, str, int, int]]:
    """Failing categories a sentence states: (label, rule id, start, end) per category.

    >>> from kg import config; from kg.rules import load_rules
    >>> [h[0] for h in classify(load_rules(config.DATA / "rules"), "Many social workers have too high caseloads.")]
    ['high caseloads']
    """
    hits: dict[str, tuple[str, str, int, int]] = {}
    # quotation marks inside a phrase ('caseloads were “high and rising”') do not change its sense
    plain, positions = _without_quotes(text)
    for rule in rules.of_kind("failing"):
        for match in rule.finditer(plain):
            before = plain[: match.start()]
            if CANCELLED.search(before[-60:]) or NO_SUBJECT.search(before) or _denied(plain, match.start(), match.end()):
                continue
            if RESOLVED_AFTER.search(plain[match.end():match.end() + 100]):
                continue
            if CONTRAST.search(match.group()):
                continue  # "a stronger front door, but plans ... are not reviewed": two clauses, two subjects
            if NO_BEFORE.search(before[-30:]) and PROBLEM_WORD.match(match.group()):
                continue
            hits.setdefault(rule.label, (rule.label, rule.id, positions[match.start()], positions[match.end()]))
            break
    return sorted(hits.values(), key=lambda h: (h[2], h[0]))


#: A contrast inside a cue's match: its words belong to two clauses.
CONTRAST = pattern("failing-cue.contrast")
#: Where a new clause begins, so that a denial before it no longer holds ("found no drift, but ...").
CLAUSE_BREAK = pattern("failing-cue.clause-break")


def _denied(text: str, start: int, end: int) -> bool:
    """Whether the sentence denies the cue at text[start:end] in the cue's own clause:
    "Inspectors did not identify any children at immediate risk", "did not, however, find any
    widespread difficulty in recruiting"; not "found no evidence of drift, but caseloads were high"."""
    for denial in FOUND_NONE.finditer(text):
        between = text[denial.end():start] if denial.start() < start else text[end:denial.start()]
        if not CLAUSE_BREAK.search(between):
            return True
    return False


def states_failings(sent: Sentence) -> bool:
    """Whether a sentence can state a finding at all: in the body, about children's social care,
    and not a claim by a union, a parent, the opposition or a columnist."""
    return not sent.headline and not sent.is_claim and bool(DOMAIN.search(sent.text))


def plain_figure(text: str, label: str) -> bool:
    """A workforce category in a sentence that only states a figure ("The turnover rate stood
    at 15.2%"): a statistic, which nothing in the sentence presents as a problem."""
    return label in WORKFORCE and bool(FIGURE.search(text)) and not JUDGEMENT.search(text)


def topics(rules: RuleSet, text: str) -> list[tuple[str, str]]:
    """Areas a recommendation names: (label, rule id), in order of appearance."""
    seen: dict[str, tuple[int, str]] = {}
    for rule in rules.of_kind("rec-topic"):
        match = rule.search(text)
        if match and rule.label not in seen:
            seen[rule.label] = (match.start(), rule.id)
    return [(label, rid) for label, (_, rid) in sorted(seen.items(), key=lambda kv: kv[1][0])]


def extract(ctx: DocContext) -> list[Finding | Recommendation]:
    facts: list[Finding | Recommendation] = []
    cue_rules = ctx.rules.of_kind("rec-cue")
    list_owner: Sentence | None = None  # a recommendation sentence that introduces a list
    by_rules: set[tuple[int, str]] = set()  # (sentence, category) of the findings the rules made
    for sent in ctx.sentences:
        council = sent.council
        # A list introduced by a recommendation: each bullet is a recommendation.
        if list_owner is not None and not (sent.bullet and sent.line > list_owner.line):
            list_owner = None
        if list_owner is not None:
            areas = dict(topics(ctx.rules, sent.text))
            for label, rid, _s, _e in classify(ctx.rules, sent.text):
                areas.setdefault(label, rid)
            owner = list_owner.council or council
            for label, rid in sorted(areas.items()):
                facts.append(Recommendation(owner, label, sent.evidence(rid)))
                facts.append(Finding(owner, label, sent.evidence("finding.from-recommendation")))
            continue
        if LIST_HEADING.search(sent.text) and not sent.bullet:
            list_owner = sent
        if not states_failings(sent):
            continue
        cue = next((m for r in cue_rules for m in [r.search(sent.text)] if m), None)
        if cue is not None and NOT_COUNCIL.search(sent.text[cue.start():]):
            cue = None  # "recommended that the government introduce a cap": nothing a council was told
        if (cue is not None and NOT_INSPECTORS.search(sent.text[:cue.start()])
                and not INSPECTORS.search(sent.text[:cue.start()])):
            cue = None  # "The scrutiny committee recommended that the council publish ...": its own
        if cue is not None:
            tail = sent.text[cue.start():]
            areas = topics(ctx.rules, tail)
            if not areas:  # the area is the subject: "the quality of written records of supervision should improve"
                subject = next((m for r in ctx.rules.of_kind("rec-subject") for m in [r.search(sent.text)] if m), None)
                areas = topics(ctx.rules, subject.group("head")) if subject else []
            for label, rid in areas:
                facts.append(Recommendation(council, label, sent.evidence(rid, cue.start() if cue.start() > 0 else None)))
                facts.append(Finding(council, label, sent.evidence("finding.from-recommendation", cue.start() if cue.start() > 0 else None)))
            if INTRO_LIST.search(sent.text):
                list_owner = sent
        if sent.is_question:
            continue
        for label, rid, start, _end in classify(ctx.rules, sent.text):
            if plain_figure(sent.text, label):
                continue
            facts.append(Finding(ctx.council_at(sent, start), label, sent.evidence(rid)))
            by_rules.add((sent.index, label))
    facts.extend(model_facts(ctx, by_rules))
    return _dedupe(facts)


def model_facts(ctx: DocContext, by_rules: frozenset | set = frozenset()) -> list[Finding | Recommendation]:
    """What the trained classifier finds: each sentence it scores as a finding or a
    recommendation, with each failing category it names (``ckg:extractedBy`` the model, and
    its score as the confidence). A recommendation's area is a failing too, as for the rules.
    A finding the rules made of the same category in the same sentence is left to them: they
    know where in the sentence it stands, and so which of its councils it is about."""
    if ctx.scores is None:
        return []
    out: list[Finding | Recommendation] = []
    for sent, scores in zip(ctx.sentences, ctx.scores):
        kind, kind_score = scores.kind()
        if kind == "neither" or (not sent.bullet and len(sent.text.split()) < 4):  # a heading
            continue
        if sent.is_question or FOUND_NONE.search(sent.text) or not states_failings(sent):
            continue  # "inspectors found no drift" denies it
        for label, score in scores.failings():
            if kind == "finding" and plain_figure(sent.text, label):
                continue
            evidence = sent.evidence(ctx.classifier_name, confidence=round(kind_score * score, 3))
            if kind == "recommendation":
                out.append(Recommendation(sent.council, label, evidence))
            if (sent.index, label) not in by_rules:
                out.append(Finding(sent.council, label, evidence))
    return out


def _dedupe(facts):
    seen = set()
    out = []
    for fact in facts:
        key = (type(fact).__name__, fact.council, fact.failing, fact.evidence.text)
        if key not in seen:
            seen.add(key)
            out.append(fact)
    return out
