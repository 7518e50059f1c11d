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

from kg.extract.context import DocContext
from kg.graph.facts import Finding, Inspection, Recommendation, Response, Statistic

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
    out = []
    for fact in facts:
        out.append(fact)
        if not isinstance(fact, SERVICE_FACTS):
            continue
        index = bisect.bisect_right(starts, fact.evidence.start) - 1
        sent = ctx.sentences[index] if index >= 0 else None
        group = _group(ctx, sent, fact.council)
        for code in group:
            if code == fact.council:
                continue
            if isinstance(fact, Inspection):
                if (code, fact.rating, fact.year) in judged:
                    continue
                judged.add((code, fact.rating, fact.year))
            out.append(dataclasses.replace(fact, council=code))
    return out


def _group(ctx: DocContext, sent, council: str | None) -> tuple[str, ...]:
    """The councils a fact of ``council`` in ``sent`` holds for: the list the sentence names
    together, or the councils a trust serves jointly when the sentence names no single one."""
    if sent is None or council is None:
        return ()
    if council in sent.together:
        return sent.together
    named = set(sent.named)
    if council in ctx.joint and len(named) != 1 and named <= set(ctx.joint):
        return ctx.joint
    return ()  # one member named, or another council: the fact is that council's
