"""Services delivered jointly: a children's trust that runs social care for several councils.

When an article names several councils one trust serves ("the trust that runs social care for North
and West Northamptonshire"), what it says of the trust, or of "the councils", holds for each of them:
a fact found for one member in a sentence that names no single member is given to every member the
article names. A sentence that names one member ("a West Northamptonshire report said ...") keeps it.
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
    right after it, when its sentence names no single member."""
    if not ctx.joint:
        return facts
    starts = [s.start for s in ctx.sentences]
    # one judgement per council, grade and year (as kg.extract.ratings merges them)
    judged = {(f.council, f.rating, f.year) for f in facts if isinstance(f, Inspection)}
    out = []
    for fact in facts:
        out.append(fact)
        if not isinstance(fact, SERVICE_FACTS) or fact.council not in ctx.joint:
            continue
        index = bisect.bisect_right(starts, fact.evidence.start) - 1
        named = set(ctx.sentences[index].named) if index >= 0 else set()
        if len(named) == 1 or not named <= set(ctx.joint):
            continue  # one member named, or another council: the fact is that council's
        for code in ctx.joint:
            if code == fact.council:
                continue
            if isinstance(fact, Inspection):
                if (code, fact.rating, fact.year) in judged:
                    continue
                judged.add((code, fact.rating, fact.year))
            out.append(dataclasses.replace(fact, council=code))
    return out
