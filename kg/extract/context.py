"""What every fact extractor needs to know about one parsed article.

:class:`DocContext` wraps the spaCy ``Doc`` of an article's own words (title, standfirst, body;
never the comments) and answers the questions each extractor asks: which sentences are there,
which council each one is about, which year the article was written in, which rules apply.
"""
from __future__ import annotations

import bisect
import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kg.graph.facts import Article, Evidence
from kg.graph.gazetteer import Gazetteer
from kg.rules import RuleSet, pattern

if TYPE_CHECKING:  # spaCy is imported where documents are parsed, not where rules are read
    from spacy.tokens import Doc, Span

#: how many mentions the one council a headline names is worth when choosing an article's focus
HEADLINE_WEIGHT = 2
YEAR = re.compile(r"\b(?:19[5-9]\d|20[0-4]\d)\b")
#: numbers written as words, by the extractors that read them ("three years ago", "one in four",
#: "twenty-five per cent")
NUMBER_WORDS = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
                "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30,
                "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}


def number_in_words(text: str) -> int | None:
    """A number written in figures or words, tens and units joined by a hyphen or a space
    ("18", "three", "twenty-four"); None for words that are no number.

    >>> number_in_words("18"), number_in_words("Twenty-four"), number_in_words("a"), number_in_words("few")
    (18, 24, 1, None)
    """
    if text.isdigit():
        return int(text)
    parts = [NUMBER_WORDS.get(word) for word in re.split(r"[- ]", text.lower())]
    return None if None in parts else sum(parts)
NUMBERING = re.compile(r"(?:\d+|[a-z]|[ivx]+)[.)]|[•●▪◦\-–*]")
BULLET = re.compile(r"^\s*(?:[•●▪◦\-–*]|\d+[.)])\s+")
#: A sentence that speaks of councils in general, not of the one the article is about.
GENERIC = pattern("context.generic")
#: "the council", "the authority": a sentence about the article's own council, even when it compares
#: it with councils in general ("31% of the council's social workers, against 16% across England").
OWN_COUNCIL = pattern("context.own-council")
#: Who speaks in a claim, and the inspectors' voice that a claim may still report.
CLAIMANT = pattern("failing-cue.claimant")
INSPECTORS = pattern("failing-cue.inspectors")
#: Words before a council's name that make it where someone came from, not the subject.
ORIGIN = pattern("context.origin")
#: Words before a council's name that make it a partner helping the council the sentence is
#: about ("the council has been paired with Camden"), not the subject.
PARTNER = pattern("context.partner")
#: Words after a council's name that make it a partner ("named Essex County Council as the
#: county's improvement partner", "Hampshire was directed ... to help turn them around").
PARTNER_AFTER = pattern("context.partner-after")
#: "a cash-strapped Essex council", "an Essex authority": a council in that area, not the county
INDEFINITE = pattern("context.indefinite")
INDEFINITE_AFTER = pattern("context.indefinite-after")
#: What stands between two councils of one list (", ", " and "), and words that say the list's
#: councils share what the sentence states ("both", "each", "all").
LIST_JOINER = pattern("context.list-joiner")
COLLECTIVE = pattern("context.collective")
#: A post someone held before, said in the sentence before a council's name ("Until 2023 she
#: was assistant director at Northumberland County Council"): where they worked, not the subject.
PAST_POST = pattern("context.past-post")


@dataclass
class Sentence:
    index: int
    span: Span
    text: str  # verbatim, stripped of surrounding whitespace and bullet marks
    start: int  # character offset of ``text`` in the doc
    line: int  # index of the line (paragraph or bullet) it belongs to
    bullet: bool
    councils: list[str]  # GSS codes named in the sentence, in order
    council: str | None = None  # the council the sentence is about (named, or by coreference)
    council_spans: list[tuple[int, str]] = field(default_factory=list)  # (offset in text, code)
    #: councils served by a trust or shared service the sentence names (several for a shared one)
    trust_members: tuple[str, ...] = ()
    #: part of the headline: it names what the article is about, the body states the facts
    headline: bool = False
    #: the councils the sentence names itself (not added for a trust it names)
    named: tuple[str, ...] = ()
    #: councils the sentence names as one list and says something of together ("Doncaster and
    #: Sunderland have both had their services transferred"): what it states holds for each
    together: tuple[str, ...] = ()

    @property
    def is_question(self) -> bool:
        """A question states nothing: no failing, no response."""
        return self.text.rstrip().endswith("?")

    @property
    def is_claim(self) -> bool:
        """A claim by a union, a parent, the opposition or a columnist ("Unison said its members
        hold 30 cases"): no finding and no statistic, unless it reports what inspectors found."""
        return bool(CLAIMANT.search(self.text)) and not INSPECTORS.search(self.text)

    def is_clause(self, min_words: int = 5) -> bool:
        """Whether the sentence states something: enough words and a verb (spaCy's tags), not
        a heading, a name line or a time stamp that a model could score by its words alone."""
        return len(self.text.split()) >= min_words and any(t.pos_ in ("VERB", "AUX") for t in self.span)

    def states_action(self) -> bool:
        """Whether the sentence says someone did something: a full verb (spaCy's tags; not only
        "was", "is"), not done by the inspectors ("Two years ago the service was inadequate" and
        "Inspectors asked the council to strengthen ..." state no action of a council)."""
        verb = next((t for t in self.span if t.pos_ == "VERB"), None)
        if verb is None:
            return False
        return not INSPECTORS.search(self.span.text[: verb.idx - self.span.start_char])

    def evidence(self, rule: str, start: int | None = None, end: int | None = None, *,
                 confidence: float | None = None) -> Evidence:
        """Evidence for a fact: the whole sentence, or a sub-span of it (offsets in ``text``);
        ``confidence`` is the score of the model that found the fact, if a model did."""
        if start is None:
            return Evidence(self.text, rule, self.start, confidence=confidence)
        return Evidence(self.text[start:end].strip(" ,;:–-"), rule, self.start + start, confidence=confidence)


@dataclass
class DocContext:
    article: Article
    doc: Doc
    gazetteer: Gazetteer
    rules: RuleSet
    sentences: list[Sentence] = field(default_factory=list)
    focus: str | None = None  # the council the article is mostly about
    mentioned: list[str] = field(default_factory=list)  # councils named, in order of first mention
    #: councils whose service one trust delivers jointly, when the article names several of them
    #: ("the trust that runs social care for North and West Northamptonshire"): what it states
    #: of the trust, or of "the councils", holds for each (see :mod:`kg.extract.joint`)
    joint: tuple[str, ...] = ()
    #: what the trained sentence classifier says of each sentence (same order), when it is loaded
    scores: list | None = None
    classifier_name: str | None = None

    @property
    def reference_date(self) -> dt.date | None:
        return self.article.date or self.article.reference_date

    @property
    def reference_year(self) -> int | None:
        date = self.reference_date
        return date.year if date else None

    def council_at(self, sent: "Sentence", position: int) -> str | None:
        """The council a part of a sentence is about: the one named last before ``position``
        in the sentence ("Kent has launched X, while Hertfordshire has opened Y"), else the
        sentence's council."""
        best = sent.council
        for start, code in sent.council_spans:
            if start <= position:
                best = code
        return best

    def council_name(self, code: str | None) -> str:
        if code is None:
            return "-"
        council = self.gazetteer.by_code(code)
        return council.name if council else code


def _line_starts(text: str) -> list[int]:
    starts = [0]
    starts.extend(m.end() for m in re.finditer(r"\n", text))
    return starts


def build_context(article: Article, doc: Doc, gazetteer: Gazetteer, rules: RuleSet) -> DocContext:
    """Split the doc into sentences and attribute each one to a council."""
    ctx = DocContext(article=article, doc=doc, gazetteer=gazetteer, rules=rules)
    text = doc.text
    starts = _line_starts(text)
    counts: Counter[str] = Counter()
    first_seen: dict[str, int] = {}
    trusts: list[tuple[int, int, tuple[str, ...]]] = []  # (sentence index, offset, member councils)
    title_end = len(article.title) if article.title else 0
    for sent in doc.sents:
        raw = sent.text
        stripped = raw.strip()
        if not stripped or NUMBERING.fullmatch(stripped):
            continue  # blank, or a list item's number ("1.") split off as a sentence
        offset = sent.start_char + raw.index(stripped)
        line = bisect.bisect_right(starts, offset) - 1
        clean = stripped
        lead = BULLET.match(clean)
        if lead:  # the sentence carries its own bullet mark
            clean = clean[lead.end():]
            offset += lead.end()
        # or the mark opens its line and the model split it off
        bullet = bool(lead) or (offset - starts[line] < 8 and BULLET.match(text[starts[line]:starts[line] + 8]) is not None)
        councils, spans = [], []
        listed: list[tuple[int, int, str]] = []  # (start, end, code) of the councils it names
        pairs: list[tuple[str, str]] = []  # councils named as one ("North and West Northamptonshire")
        for ent in sent.ents:
            if ent.label_ == "ORG_KNOWN" and ent.ent_id_:
                org = gazetteer.organisation(ent.ent_id_)
                if org is not None and org.councils:  # a children's trust or a shared service
                    trusts.append((len(ctx.sentences), ent.start_char - offset, org.councils))
                continue
            if ent.label_ != "COUNCIL" or not ent.ent_id_:
                continue
            code = _council_in_year(gazetteer, ent, ctx.reference_year)
            # "joins from Hampshire County Council", "is working with Camden": named, but not what
            # the sentence is about
            before = text[max(0, ent.start_char - 40):ent.start_char]
            is_origin = (ORIGIN.search(before) or PARTNER.search(before)
                         or (INDEFINITE.search(before) and (INDEFINITE_AFTER.match(text, ent.end_char)
                                                            or INDEFINITE_AFTER.search(ent.text)))
                         or PAST_POST.search(text[sent.start_char:ent.start_char])
                         or PARTNER_AFTER.search(text[ent.end_char:min(sent.end_char, ent.end_char + 120)]))
            if not is_origin:
                elided = _elided_council(gazetteer, text, ent, code, ctx.reference_year)
                if elided is not None:  # "North and West Northamptonshire": North Northamptonshire too
                    start, other = elided
                    pairs.append((other, code))
                    councils.append(other)
                    spans.append((start - offset, other))
                    listed.append((start, ent.end_char, other))
                    counts[other] += 1
                    first_seen.setdefault(other, start)
                councils.append(code)
                spans.append((ent.start_char - offset, code))
                listed.append((ent.start_char, ent.end_char, code))
            counts[code] += 0 if is_origin else 1
            first_seen.setdefault(code, ent.start_char)
        ctx.sentences.append(Sentence(len(ctx.sentences), sent, clean, offset, line, bullet, councils,
                                      council_spans=spans, headline=offset < title_end, named=tuple(councils),
                                      together=_together(text, listed, clean) or (pairs[0] if len(pairs) == 1 else ())))

    ctx.mentioned = sorted(first_seen, key=first_seen.get)
    _count_tier_mentions(ctx, counts)
    if counts:
        # the one council the headline names is what the article is about, unless the body
        # speaks of another much more
        year = ctx.reference_year
        headline = {c for s in ctx.sentences if s.headline for c in s.councils
                    if year is None or (known := gazetteer.by_code(c)) is None or known.valid_in(year)}
        weight = Counter(counts)
        if len(headline) == 1:
            weight[headline.pop()] += HEADLINE_WEIGHT
        # a council abolished before the article's year is what it looks back on, not what it is
        # about, when it names one that exists ("Northamptonshire" in 2025, beside its successors)
        existing = {c for c in weight if year is None or (known := gazetteer.by_code(c)) is None or known.valid_in(year)}
        if existing:
            weight = Counter({c: n for c, n in weight.items() if c in existing})
        ctx.focus = max(weight, key=lambda c: (weight[c], -first_seen[c]))
    _trust_councils(ctx, trusts, counts)
    _shared_service(ctx)
    _attribute(ctx)
    return ctx


def _count_tier_mentions(ctx: DocContext, counts: Counter[str]) -> None:
    """"The island", "the county" count as mentions of the one council of that kind the article
    names (an article about the Isle of Wight that calls it "the island" and names Hampshire, its
    partner, more often by name is still about the island)."""
    for sent in ctx.sentences:
        for m in TIER.finditer(sent.text):
            kind = KIND_NAMES.get(m.group(1).lower(), m.group(1).lower())
            matching = [code for code in counts if _of_kind(ctx, code, kind)]
            if len(matching) == 1:
                counts[matching[0]] += 1


def _of_kind(ctx: DocContext, code: str, kind: str) -> bool:
    """Whether a council is of that kind ("county", "city", "isle") in the article's year."""
    council = ctx.gazetteer.by_code(code)
    year = ctx.reference_year
    return (council is not None and kind in f"{council.official_name} {council.authority_type}".lower()
            and (year is None or council.valid_in(year)))


def _together(text: str, listed: list[tuple[int, int, str]], sentence: str) -> tuple[str, ...]:
    """The councils a sentence names as one list ("Doncaster and Sunderland", "Kent, Medway
    and Surrey") when it says what they share ("both", "each", "all", "respectively"): its first
    list of two or more. Other councils may be named before or after the list ("..., and Sandwell
    is expected to follow"), but none of the list again ("..., but Medway's caseloads are high":
    that part is not shared)."""
    if len(listed) < 2 or not COLLECTIVE.search(sentence):
        return ()
    # the first list of two or more (after a clause of its own: "Wiltshire was graded good, while
    # Plymouth and Cornwall were rated adequate, in 2012 and 2011 respectively")
    for first in range(len(listed) - 1):
        run = [listed[first][2]]
        for (_, end, _), (start, _, code) in zip(listed[first:], listed[first + 1:]):
            if not LIST_JOINER.match(text[end:start]):
                break
            run.append(code)
        if len(run) < 2:
            continue
        others = [code for _, _, code in listed[:first]] + [code for _, _, code in listed[first + len(run):]]
        if len(set(run)) < len(run) or set(others) & set(run):
            return ()
        return tuple(run)
    return ()


def _trust_councils(ctx: DocContext, trusts: list[tuple[int, int, tuple[str, ...]]], counts: Counter[str]) -> None:
    """A trust or shared service named in a sentence speaks for a council: its only one, or,
    for one that serves several ("Achieving for Children" for Kingston, Richmond and Windsor),
    the member the article is about (its focus, else the member it names most; none when it
    names none of them, since the article may be about any). The council is added where the
    trust is named, after any council the sentence names itself."""
    for index, position, members in trusts:
        named = [m for m in members if counts.get(m)]
        if len(named) >= 2 and not ctx.joint and JOINT_PLURAL.search(ctx.doc.text):
            ctx.joint = tuple(named)  # "the trust that runs social care for both councils"
        if len(members) == 1:
            code = members[0]
        else:
            if ctx.focus in members:
                code = ctx.focus
            elif named:
                code = max(named, key=lambda m: counts[m])
            else:
                continue
        sent = ctx.sentences[index]
        sent.trust_members = tuple(dict.fromkeys((*sent.trust_members, *members)))
        if code not in sent.councils:
            sent.councils.append(code)
        sent.council_spans = sorted([*sent.council_spans, (position, code)])
        if ctx.focus is None:
            ctx.focus = code
        if code not in ctx.mentioned:
            ctx.mentioned.append(code)


#: "since 2011", "since April 2018" before a grade: when a state began, not the grade's year
SINCE_YEAR = pattern("context.since-year")
#: ", when": the year after "since" is described by the clause that follows ("since 2016, when ...")
SINCE_WHEN = pattern("context.since-when")
#: "North and ", "East & ": the first half of two councils' names that share their last words
ELIDED = pattern("context.elided")


def _shared_service(ctx: DocContext) -> None:
    """Two councils whose service one company or department the gazetteer does not know runs
    ("Ofsted rated the services run for both councils by their jointly owned company"): the
    first sentence that names exactly two councils and says so makes them the article's joint
    councils, as a known trust would."""
    if ctx.joint:
        return
    for sent in ctx.sentences:
        named = tuple(dict.fromkeys(sent.named))
        if len(named) == 2 and not sent.headline and SHARED_SERVICE.search(sent.text):
            ctx.joint = named
            return


def _elided_council(gazetteer: Gazetteer, text: str, ent: Span, code: str,
                    year: int | None) -> tuple[int, str] | None:
    """The council a name shortened before "and" means ("North and West Northamptonshire",
    "East and West Sussex"): where its word starts, and its code, when the word and the named
    council's last words name another council."""
    words = ent.text.split()
    if len(words) < 2:
        return None
    match = ELIDED.search(text, max(0, ent.start_char - 20), ent.start_char)
    if match is None:
        return None
    other = gazetteer.resolve(" ".join([match.group("word"), *words[1:]]), year=year)
    if other is None or other.code == code:
        return None
    return match.start("word"), other.code


def _council_in_year(gazetteer: Gazetteer, ent: Span, year: int | None) -> str:
    """The authority a name meant in the article's year ("Bournemouth" in 2022 is BCP)."""
    council = gazetteer.by_code(ent.ent_id_)
    if year is None or council is None or council.valid_in(year):
        return ent.ent_id_
    then = gazetteer.resolve(ent.text, year=year)
    return then.code if then else ent.ent_id_


def _attribute(ctx: DocContext) -> None:
    """Each sentence is about the council it names; else, by coreference, the council named in
    the last two sentences ("the county council" and "the city council" pick the last county or
    city named, for articles about a city and its county); else the article's focus council. A
    sentence about councils in general that names none stays sector-wide (None)."""
    last: str | None = None
    last_index = -10
    last_line = -1
    recent: list[str] = []
    pair: tuple[str, ...] = ()  # the two councils the last sentence naming councils named
    pair_index = -10
    for sent in ctx.sentences:
        # "the county" / "the city council" inside a sentence point at the last council of that kind
        for m in TIER.finditer(sent.text):
            code = _last_of_kind(ctx, recent, m.group(1).lower())
            if code:
                sent.council_spans = sorted([*sent.council_spans, (m.start(), code)])
        if sent.councils:
            sent.council = sent.councils[0]
            # "the council" after a sentence naming several is the article's own council, when named
            last = ctx.focus if ctx.focus in sent.councils else sent.councils[-1]
            last_index, last_line = sent.index, sent.line
            recent = [c for c in recent if c not in sent.councils] + list(sent.councils)
            named = tuple(dict.fromkeys(sent.named))
            pair, pair_index = (named if len(named) == 2 else ()), sent.index
            continue
        kind = TIER.search(sent.text)
        chosen = _last_of_kind(ctx, recent, kind.group(1).lower()) if kind else None
        if chosen:
            sent.council = chosen
            last, last_index, last_line = chosen, sent.index, sent.line
        elif ctx.joint and JOINT_REFERENCE.search(sent.text):
            # "the councils", "the trust" in an article about a trust serving several councils
            sent.council = ctx.focus if ctx.focus in ctx.joint else ctx.joint[0]
            sent.together = ctx.joint
            last, last_index, last_line = sent.council, sent.index, sent.line
        elif pair and sent.index - pair_index <= PAIR_DISTANCE and PAIR_REFERENCE.search(sent.text):
            # "Both councils had been rated good": the two councils named just before, each
            sent.council = ctx.focus if ctx.focus in pair else pair[0]
            sent.together = pair
            last, last_index, last_line = sent.council, sent.index, sent.line
        elif GENERIC.search(sent.text) and not OWN_COUNCIL.search(sent.text):
            sent.council = None  # about councils in general: sector-wide
        elif last is not None and (sent.index - last_index <= 2 or sent.line in (last_line, last_line + 1)):
            sent.council = last
            # a line right under the last one (no blank line between: a live blog's entry) goes on
            # with the same council, as the same paragraph does
            if sent.line in (last_line, last_line + 1):
                last_index, last_line = sent.index, sent.line
        else:
            sent.council = ctx.focus


#: "the county council", "the city council": which of two neighbouring councils is meant.
TIER = pattern("context.tier")
#: "the councils", "both councils", "the trust": the councils one trust serves, when the article is
#: about such a trust (:attr:`DocContext.joint`).
JOINT_REFERENCE = pattern("context.joint-reference")
#: "their jointly owned company", "a shared children's services department": one service for two councils
SHARED_SERVICE = pattern("context.shared-service")
#: "both councils", "the two authorities", "each council": the two councils named just before
PAIR_REFERENCE = pattern("context.pair-reference")
#: how many sentences after the one naming two councils "both councils" may still mean them
PAIR_DISTANCE = 3
#: "the councils", "both councils", "the two authorities": an article about what a trust does for
#: several councils together (not one that names a trust's other councils in passing)
JOINT_PLURAL = pattern("context.joint-plural")


#: what a council of a kind the text names is called ("the island" is the Isle of Wight or of Scilly)
KIND_NAMES = {"island": "isle"}


def _last_of_kind(ctx: DocContext, recent: list[str], kind: str) -> str | None:
    """The last council of that kind named; the article's own council when it is one of them."""
    kind = KIND_NAMES.get(kind, kind)
    # ("the county" in 2024 is not one abolished in 2021)
    matching = [code for code in recent if _of_kind(ctx, code, kind)]
    if ctx.focus in matching:
        return ctx.focus
    return matching[-1] if matching else None


def year_near(text: str, position: int, window: int = 80, *, end: int | None = None) -> int | None:
    """The year closest to ``position`` in ``text``: after it first, then before it. With ``end``
    (where the phrase at ``position`` ends), a year after it is measured from its end.

    >>> year_near("rated inadequate in 2016 and moved up to requires improvement in 2019", 41, end=61)
    2019

    A year after "since" before the phrase dates something else, not the phrase:

    >>> year_near("run by a trust since April 2018, were judged good in January", 42, end=46) is None
    True
    """
    best: tuple[int, int] | None = None
    after = position if end is None else end
    for match in YEAR.finditer(text):
        since = SINCE_YEAR.search(text, max(0, match.start() - 30), match.start())
        # "since 2016, when it was rated ...": the clause after the year is of that year, not a grade before
        when = since is not None and SINCE_WHEN.match(text[match.end():match.end() + 12]) is not None
        if match.start() >= position:
            if when:
                continue
            distance = max(0, match.start() - after)
        elif since and not when:
            continue  # "which have shared a department since 2011, were judged": when a state began
        else:
            distance = (position - match.end()) + 5  # prefer a year that follows
        if distance <= window and (best is None or distance < best[0]):
            best = (distance, int(match.group()))
    return best[1] if best else None
