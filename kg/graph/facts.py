"""Plain dataclasses that flow between the stages: articles in, facts out.

Every fact carries an :class:`Evidence`: the verbatim span of the article body that states it
and the id of the rule that produced it (provenance for free).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal


def plain_decimal(value: Decimal | str | int) -> Decimal:
    """A Decimal without exponent or trailing zeros: '50.0' -> 50, '3.50' -> 3.5, 1E+6 -> 1000000.

    >>> plain_decimal("50.0"), plain_decimal("3.50"), plain_decimal(Decimal("1E+6"))
    (Decimal('50'), Decimal('3.5'), Decimal('1000000'))
    """
    value = Decimal(value)
    if value == value.to_integral_value():
        return Decimal(int(value))
    return value.normalize()


@dataclass(frozen=True)
class Comment:
    """A reader comment under an article. Opinion only: never a source of facts."""

    number: str  # "1", "1.1" (first reply to comment 1), ...
    author: str
    text: str
    created: dt.datetime | None = None
    reply_to: str | None = None  # number of the comment it replies to


@dataclass
class Article:
    """One input document, split into its parts."""

    source_file: str  # file name as given in the input folder
    sha1: str  # of the raw bytes: identity of the document
    title: str | None
    body: str  # verbatim slice(s) of the decoded file: evidence is searched here
    standfirst: str | None = None
    date: dt.date | None = None  # stated publication date
    reference_date: dt.date | None = None  # best known date, for "last month" and the like
    comments: list[Comment] = field(default_factory=list)
    comments_declared: int | None = None  # "11 Responses to ..."
    kind: str = "news"  # "news" or "inspection-report"
    duplicate_of: str | None = None  # source_file of the article this one repeats
    warnings: list[str] = field(default_factory=list)
    #: Inspection reports (PDF): offset in ``body`` at which each page begins (page n at index n-1).
    page_offsets: tuple[int, ...] = ()
    #: The credited author as written ("Jane Smith, Social Affairs Correspondent"), from a byline
    #: or date line in the head of the article; None when there is none.
    byline: str | None = None

    @property
    def text_for_extraction(self) -> str:
        """Title, standfirst and body: all the journalist's own words."""
        return "\n\n".join(p for p in (self.title, self.standfirst, self.body) if p)


@dataclass(frozen=True)
class Evidence:
    text: str  # verbatim span of the article's text
    rule: str  # id of the rule that produced the fact
    start: int = -1  # character offset in Article.text_for_extraction, -1 when unknown
    location: str | None = None  # where in a report: "paragraph 12, page 3", "What needs to improve, item 2, page 2"
    confidence: float | None = None  # the trained model's score, for a fact a model found (None for a rule's)


#: The RatingScheme's prefLabel for a grade outside the four-point scale: the "adequate" of the
#: 2009-2013 frameworks (ckg:rating-other), always a past grade.
EARLIER_FRAMEWORK = "other"


@dataclass(frozen=True)
class SubJudgement:
    """The grade of one judgement area within an inspection ("help and protection": "good")."""

    area: str  # canonical area name, e.g. "impact of leaders", "children in care", "care leavers"
    rating: str  # prefLabel in the RatingScheme
    evidence: Evidence


@dataclass(frozen=True)
class Inspection:
    council: str  # GSS code
    #: prefLabel in the RatingScheme; None only when the inspection gives no overall grade
    #: (ILACS reports from April 2026, monitoring and focused visits), read from a report.
    rating: str | None
    evidence: Evidence
    year: int | None = None
    date: dt.date | None = None
    inspection_type: str | None = None
    current: bool | None = None
    judgements: tuple[SubJudgement, ...] = ()  # sub-judgements, in the report's order
    inspector: str | None = None  # lead inspector, as named in the report
    start_date: dt.date | None = None  # first day of the inspection or visit
    end_date: dt.date | None = None  # last day of the inspection or visit


@dataclass(frozen=True)
class Finding:
    council: str | None  # GSS code; None when sector-wide
    failing: str  # prefLabel in the FailingScheme
    evidence: Evidence


@dataclass(frozen=True)
class Recommendation:
    council: str | None
    failing: str
    evidence: Evidence


@dataclass(frozen=True)
class Response:
    council: str
    response_type: str  # prefLabel in the ResponseScheme
    evidence: Evidence
    amount_gbp: Decimal | None = None


@dataclass(frozen=True)
class Statistic:
    council: str | None
    measure: str  # prefLabel in the MeasureScheme
    value: Decimal
    evidence: Evidence
    year: int | None = None
    unit: str | None = None


@dataclass(frozen=True)
class Membership:
    person: str  # name as written, honorifics stripped
    role: str  # as written
    evidence: Evidence
    council: str | None = None  # GSS code when the post is at a council
    organisation: str | None = None  # gazetteer id of another organisation (ofsted, adcs, ...)


@dataclass(frozen=True)
class Quotation:
    person: str
    text: str
    evidence: Evidence


Fact = Inspection | Finding | Recommendation | Response | Statistic | Membership | Quotation


@dataclass
class ArticleFacts:
    """Everything extracted from one article."""

    article: Article
    councils: list[str] = field(default_factory=list)  # GSS codes the body mentions, in order
    facts: list[Fact] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
