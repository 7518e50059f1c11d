"""Facts that hold for several councils at once: a children's trust that runs social care for
several councils, and a sentence that names a list of councils and says what they share.

When an article names several councils one trust serves ("the trust that runs social care for North
and West Northamptonshire"), what it says of the trust, or of "the councils", holds for each of them:
a fact found for one member in a sentence that names no single member is given to every member the
article names. A sentence that names one member ("a West Northamptonshire report said ...") keeps it.
A sentence that opens with a list and says what its councils share ("Doncaster and Sunderland have
both had their services transferred") gives each of them the fact.
"""
from __future__ import annotations

import bisect
import dataclasses

from kg.extract.context import YEAR, DocContext
from kg.graph.facts import Finding, Inspection, Recommendation, Response, Statistic
from kg.rules import pattern

#: "jointly owned by", "which also runs", "on behalf of": who owns or runs a trust
OWNERS = pattern("context.trust-owners")
#: "in 2012 and 2011 respectively": one year for each council of the list, in order
RESPECTIVELY = pattern("context.respectively")
#: the facts that hold for a service (people and quotations belong to who said them)
SERVICE_FACTS = (Inspection, Finding, Recommendation, Response, Statistic)


def expand(ctx: DocContext, facts: list) -> list:
    """``facts`` with each service fact of a jointly served council repeated for the other members,
    right after it, when its sentence names no single member; and each fact of a sentence about a
    list of councils ("Doncaster and Sunderland have both ...") repeated for the list's others."""
    if not ctx.joint and not any(s.together for s in ctx.sentences):
        return facts
    starts = [s.start for s in ctx.sentences]
    # one judgement per council, grade and year (as kg.extract.ratings merges them)
    judged = {(f.council, f.rating, f.year) for f in facts if isinstance(f, Inspection)}
    # the grades each sentence gives its councils: a sentence that gives two of a trust's members
    # different grades tells them apart ("Inspectors rated Kingston's services good, but Richmond's were
    # judged to require improvement"), so neither grade is shared
    graded: dict[int, set[tuple[str, str]]] = {}
    for fact in facts:
        if isinstance(fact, Inspection):
            graded.setdefault(_sentence_index(starts, fact), set()).add((fact.council, fact.rating))
    out = []
    spread: set[int] = set()  # positions in ``out`` of inspection findings given to another member
    for fact in facts:
        out.append(fact)
        if not isinstance(fact, SERVICE_FACTS):
            continue
        index = _sentence_index(starts, fact)
        sent = ctx.sentences[index] if index >= 0 else None
        group = _group(ctx, sent, fact.council)
        if isinstance(fact, Inspection) and group == ctx.joint and _told_apart(graded[index], group):
            continue  # the trust's members graded one by one
        years = _respective_years(sent, group) if isinstance(fact, Inspection) else None
        if years is not None:
            # "Plymouth and Cornwall were rated adequate, in 2012 and 2011 respectively": each its year
            out.pop()
            for code, year in zip(group, years):
                if (code, fact.rating, year) not in judged or code == fact.council:
                    judged.add((code, fact.rating, year))
                    out.append(dataclasses.replace(fact, council=code, year=year))
            continue
        for code in group:
            if code == fact.council:
                continue
            if isinstance(fact, Inspection):
                if (code, fact.rating, fact.year) in judged:
                    continue
                judged.add((code, fact.rating, fact.year))
            elif isinstance(fact, (Finding, Recommendation)) and group == ctx.joint:
                spread.add(len(out))
            out.append(dataclasses.replace(fact, council=code))
    inspected = _inspected(ctx, out)
    return [fact for n, fact in enumerate(out) if n not in spread or not inspected or fact.council in inspected]


def _respective_years(sent, group: tuple[str, ...]) -> list[int] | None:
    """The years a sentence gives its list of councils "respectively", in the list's order, when it
    gives one for each."""
    if not group or sent.together != group or not RESPECTIVELY.search(sent.text):
        return None
    last = max(offset for offset, code in sent.council_spans if code in group)
    years = [int(m.group()) for m in YEAR.finditer(sent.text, last)]
    return years if len(years) == len(group) else None


def _told_apart(grades: set[tuple[str, str]], members: tuple[str, ...]) -> bool:
    """Whether a sentence gives several of the ``members`` grades, not all the same."""
    mine = {(council, rating) for council, rating in grades if council in members}
    return len({council for council, _ in mine}) > 1 and len({rating for _, rating in mine}) > 1


def _sentence_index(starts: list[int], fact) -> int:
    """The index of the sentence a fact's evidence starts in."""
    return bisect.bisect_right(starts, fact.evidence.start) - 1


def _inspected(ctx: DocContext, facts: list) -> set[str]:
    """The trust's members the article's latest judgement is of, when it is of some of them only
    ("Richmond rated good", in an article about the company that also serves Kingston, graded in
    an earlier year): what inspectors found is theirs, not every member's. Empty when the latest
    judgement is of all the members, or of none."""
    dated = [(f.year, f.council) for f in facts
             if isinstance(f, Inspection) and f.year is not None and f.council in ctx.joint]
    if not dated:
        return set()
    latest = max(year for year, _ in dated)
    members = {council for year, council in dated if year == latest}
    return members if members < set(ctx.joint) else set()


def _group(ctx: DocContext, sent, council: str | None) -> tuple[str, ...]:
    """The councils a fact of ``council`` in ``sent`` holds for: the list the sentence names
    together, or the councils a trust serves jointly when the sentence names no single one."""
    if sent is None or council is None:
        return ()
    if _others_describe_the_trust(sent, council):
        return ()  # "Richmond has been rated good ... the company jointly owned by Richmond and Kingston"
    if council in sent.together:
        return sent.together
    named = set(sent.named)
    if council in ctx.joint and len(named) != 1 and named <= set(ctx.joint):
        return ctx.joint
    return ()  # one member named, or another council: the fact is that council's


def _others_describe_the_trust(sent, council: str) -> bool:
    """Whether the sentence is about ``council`` and names the trust's other members only where it
    says who owns or runs the trust ("Children's services in Richmond have been rated good, since
    they moved to AfC, the company jointly owned by Richmond and Kingston")."""
    first: dict[str, int] = {}  # where the sentence names each council itself (not as the trust's)
    named = set(sent.named)
    for offset, code in sent.council_spans:
        if code in named and any(ent.label_ == "COUNCIL" and ent.start_char - sent.start == offset for ent in sent.span.ents):
            first.setdefault(code, offset)
    mine = first.get(council)
    if mine is None:
        return False
    cue = OWNERS.search(sent.text, mine)
    return cue is not None and all(offset > cue.start() for code, offset in first.items() if code != council)
