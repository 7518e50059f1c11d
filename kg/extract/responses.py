"""Responses: what a council did or announced, with amounts in pounds."""
from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal

from kg.extract.context import DocContext
from kg.graph.facts import Response, plain_decimal
from kg.rules import pattern

AMOUNT = pattern("response-cue.amount")
MULTIPLIER = {"bn": 10**9, "billion": 10**9, "m": 10**6, "million": 10**6, "k": 10**3, "thousand": 10**3}
#: Money that is not a response: cuts, savings, overspends.
NOT_SPENDING = pattern("response-cue.not-spending")
#: A sum paid to each worker ("a £2,000 golden hello", "a market supplement of up to £4,000"):
#: an incentive of a recruitment or retention scheme, not a budget for the service.
PER_HEAD = pattern("response-cue.per-head")
#: Words of money: a funding response without any ("has flown in 22 social workers") is none.
MONEY = pattern("response-cue.money")
#: A response ruled out or advised against: "don't restructure", "has no plans to".
NEGATED = pattern("response-cue.negated")
#: A call by others, advice or an option: "called for a review", "could bring in a trust".
CALL = pattern("response-cue.call")
#: "A DfE spokesman said the government had already invested in ...": what the government does
#: is a response of no council, unless it is an intervention in one.
GOVERNMENT_ACTOR = pattern("response-cue.government-actor")
#: "options including an improvement notice were being considered": an option, said after it.
OPTION_AFTER = pattern("response-cue.option-after")
#: "the commissioner said ...": an office holder speaking is not an intervention.
SPEAKS = pattern("response-cue.speaks")
#: a sentence that reports what someone said: for the model, words about the government are
#: not an intervention unless they name what government does ("said an adviser would be appointed")
SPEECH = pattern("response-cue.speech")
INTERVENTION_ACT = pattern("response-cue.intervention-act")
CLAUSE_BREAK = pattern("response-cue.clause-break")


def parse_amount(number: str, unit: str | None) -> Decimal:
    """'£3.5 million' -> 3500000.

    >>> parse_amount("3.5", "million"), parse_amount("1,200", None), parse_amount("9.2", "m")
    (Decimal('3500000'), Decimal('1200'), Decimal('9200000'))
    """
    value = Decimal(number.replace(",", ""))
    if unit:
        value *= MULTIPLIER[unit.lower()]
    return plain_decimal(value)


def spending(text: str) -> Iterator[tuple[re.Match, int, int, Decimal]]:
    """Each sum of money in ``text`` that is spent, not cut, saved or owed: (match, start and
    end of its clause, amount in pounds).

    >>> [a for *_, a in spending("It will invest £2m, while cutting £1m from transport.")]
    [Decimal('2000000')]
    """
    for m in AMOUNT.finditer(text):
        start, end = _clause(text, m.start())
        if _per_head(text, m, start):
            continue
        if not NOT_SPENDING.search(text[start:end]):
            yield m, start, end, parse_amount(m.group("num"), m.group("unit"))


def _per_head(text: str, m: re.Match, clause_start: int = 0) -> bool:
    """Whether the sum ``m`` is paid to each worker: "a £2,000 golden hello", "a market
    supplement of up to £4,000"."""
    return bool(PER_HEAD.search(text[max(clause_start, m.start() - 40):m.end()])
                or PER_HEAD.search(text[m.start():m.end() + 40]))


def _clause(text: str, position: int) -> tuple[int, int]:
    """Bounds of the clause of ``text`` around ``position``."""
    start, end = 0, len(text)
    for m in CLAUSE_BREAK.finditer(text):
        if m.end() <= position:
            start = m.end()
        elif m.start() >= position:
            end = m.start()
            break
    return start, end


def demanded(ctx: DocContext) -> set[int]:
    """The sentences of bulleted lists that a call introduces ("UNISON is calling on the council
    to:"): what others ask for, not what a council did."""
    out: set[int] = set()
    owner = None
    for sent in ctx.sentences:
        if owner is not None and sent.bullet and sent.line > owner.line:
            out.add(sent.index)
            continue
        owner = sent if not sent.bullet and sent.text.rstrip().endswith(":") and CALL.search(sent.text) else None
    return out


def extract(ctx: DocContext) -> list[Response]:
    rules = ctx.rules.of_kind("response")
    funding_rules = [r for r in rules if r.label == "funding"]
    out: list[Response] = []
    asked = demanded(ctx)
    for sent in ctx.sentences:
        if sent.council is None or sent.headline or sent.index in asked:
            continue
        text = sent.text
        with_amount = False
        if "£" in text and any(r.search(text) for r in funding_rules):
            for m, start, end, amount in spending(text):
                out.append(Response(ctx.council_at(sent, m.start()), "funding",
                                    sent.evidence("response.funding.amount", start, end), amount))
                with_amount = True
        for rule in rules:
            if rule.label == "funding" and with_amount:
                continue
            match = rule.search(text)
            if match is None:
                continue
            if rule.label == "funding" and NOT_SPENDING.search(text[max(0, match.start() - 30): match.end() + 30]):
                continue
            sums = list(AMOUNT.finditer(text, match.start(), match.end())) if rule.label == "funding" else []
            if sums and all(_per_head(text, m) for m in sums):
                continue  # its sums are payments to each worker: a recruitment or retention scheme
            if NEGATED.search(text[:match.start()][-40:]):
                continue
            start, end = _clause(text, match.start())
            if CALL.search(text[start:match.start()]) or OPTION_AFTER.search(text[match.end():end]):
                continue
            if rule.label != "government intervention" and GOVERNMENT_ACTOR.search(text[start:match.start()]):
                continue
            if rule.label == "government intervention" and SPEAKS.match(text[match.end():]):
                continue
            out.append(Response(ctx.council_at(sent, match.start()), rule.label, sent.evidence(rule.id, start, end)))
    out.extend(model_responses(ctx, out, asked))
    return _dedupe(out)


def model_responses(ctx: DocContext, found: list[Response], asked: set[int] | None = None) -> list[Response]:
    """Responses the trained classifier finds in sentences where no rule found that type: an
    action stated without the type's word ("has appointed", "is recruiting from abroad").
    The amount of a funding response is read as the rules read it. ``asked``: the sentences that
    are demands (:func:`demanded`), when the caller has them already."""
    if ctx.scores is None:
        return []
    by_rules: set[tuple[int, str]] = set()  # (sentence index, type) the rules found
    for r in found:
        for sent in ctx.sentences:
            if sent.start <= r.evidence.start < sent.start + len(sent.text):
                by_rules.add((sent.index, r.response_type))
                break
    out: list[Response] = []
    asked = demanded(ctx) if asked is None else asked
    for sent, scores in zip(ctx.sentences, ctx.scores):
        if sent.council is None or sent.headline or not sent.is_clause() or sent.is_question or not sent.states_action():
            continue
        if sent.index in asked:
            continue
        if CALL.search(sent.text) or OPTION_AFTER.search(sent.text):
            continue
        for label, score in scores.responses():
            if (sent.index, label) in by_rules:
                continue
            if label != "government intervention" and GOVERNMENT_ACTOR.search(sent.text):
                continue
            if label == "government intervention" and SPEECH.search(sent.text) and not INTERVENTION_ACT.search(sent.text):
                continue  # "the DfE said it would monitor progress": words, not an intervention
            amount = None
            if label == "funding" and not MONEY.search(sent.text):
                continue
            if label == "funding":
                spent = next(spending(sent.text), None)
                if spent is None and AMOUNT.search(sent.text):
                    continue  # its only sums are cuts, savings or overspends: money, but no response
                amount = spent[3] if spent else None
            out.append(Response(sent.council, label, sent.evidence(ctx.classifier_name, confidence=score), amount))
    return out


def _dedupe(found: list[Response]) -> list[Response]:
    seen = set()
    out = []
    for r in found:
        key = (r.council, r.response_type, r.amount_gbp, r.evidence.text)
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out
