"""News text -> Article: the file cut into headline, standfirst, date, byline, body and
comments.

The input is plain text saved from news pages: a headline, an optional standfirst, a photo
credit, sometimes a date line and a byline, the body, site trailers, then the reader comments.
The body keeps the journalist's words verbatim (modulo whitespace), because every fact's
evidence sentence is later checked against the file. What counts as a credit, a date line, a
byline, a trailer, a comments heading or a comment header is data, in
``data/ingest_patterns.json``.

Beyond Community Care's layout, the head of the file (the first few paragraphs, short lines
only) may hold date lines in the forms other outlets use ("Published: 3 March 2017", "First
published on Fri 3 Mar 2017 10.42 GMT", "By Jane Smith | 3 March 2017", "BBC News, 3 March
2017", "03/03/2017", "Date: 3 March 2017" ...), bylines and page furniture; they are taken out
of the text, the date preferring a labelled line over an unlabelled one and an "Updated" line
last. A dateline ("LONDON, 3 March 2017 — ") is cut from the start of the first paragraph,
leaving the rest of it verbatim. Comments may follow a generic heading ("Comments (3)", "Reader
comments", "Have your say"); text after a comments heading is never body.

>>> art = parse_text(
...     "Council rated inadequate\\n\\nInspectors find failings\\n\\nPhoto: A. N. Other\\n\\n"
...     "The council was rated inadequate.\\n\\nMore from Community Care\\n",
...     source_file="x.txt")
>>> art.title, art.standfirst, art.body
('Council rated inadequate', 'Inspectors find failings', 'The council was rated inadequate.')
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace

from kg.graph.facts import Article, Comment
from kg.sources.comments import (
    COMMENT_HEADER_MAX_CHARS,
    _comment_header_at,
    _parse_comments,
)
from kg.sources.dates import parse_date
from kg.sources.patterns import (
    IngestPatterns,
    _next_nonblank,
    _paragraphs,
    _search_any,
    load_patterns,
)

#: A first line longer than this is not a headline but a paragraph.
TITLE_MAX_CHARS = 300

#: A standfirst is one short paragraph.
STANDFIRST_MAX_CHARS = 600

#: The photo credit is looked for in this many paragraphs after the headline ...
HEAD_MAX_PARAS = 5
#: ... as long as none of them is longer than this (a longer one is already body text).
HEAD_PARA_MAX_CHARS = 700

#: Image captions (alt text) left between the standfirst and the credit are at most this long.
CAPTION_MAX_CHARS = 200

#: Date lines and bylines are looked for in this many paragraphs after the headline ...
HEAD_SCAN_PARAS = 6
#: ... on lines no longer than this (the first line of the file excepted).
HEAD_LINE_MAX_CHARS = 160

#: Rank of each kind of date line: the lowest rank found gives the publication date.
DATE_RANKS = {"date_line": 0, "date_line_plain": 1, "dateline": 1, "date_line_updated": 2}
_TERMINAL = re.compile(r"[.!?…:;][\"'’”)\]]*$")
_WORD = re.compile(r"\w+")


def parse_text(
    text: str,
    *,
    source_file: str,
    sha1: str = "",
    warnings: list[str] | None = None,
    patterns: IngestPatterns | None = None,
) -> Article:
    """Split decoded text into title, standfirst, date, byline, body and comments."""
    pats = patterns or load_patterns()
    warnings = list(warnings or [])
    lines = text.split("\n")
    first_line = next((ln.strip() for ln in lines if ln.strip()), "")

    end, heading = _find_body_end(lines, first_line, pats)
    head = _split_head(_paragraphs(lines[:end]), pats, warnings)
    title = head.title

    comments: list[Comment] = []
    declared: int | None = None
    if heading is None:
        heading = _find_heading_after(lines, end, first_line, pats)
    if heading is not None:
        count = heading.count
        if count:
            declared = int(count) if count.isdigit() else pats.number_words.get(count.lower())
        if title is None and heading.title:
            title = heading.title
        comments = _parse_comments(lines[heading.line + 1:], pats, warnings, after_heading=True)
    elif end < len(lines):
        comments = _parse_comments(lines[end:], pats, warnings)
    if declared is not None and declared != len(comments):
        warnings.append(f"declares {declared} responses but {len(comments)} comments were read")

    if not head.body:
        warnings.append("empty body")
    if head.date is None:
        head.date = _date_anywhere_in_the_margins(lines[:end], pats)
    reference_date = head.date
    if reference_date is None:
        created = [c.created for c in comments if c.created is not None]
        if created:
            reference_date = min(created).date()
    return Article(
        source_file=source_file,
        sha1=sha1,
        title=title,
        body=head.body,
        standfirst=head.standfirst,
        date=head.date,
        reference_date=reference_date,
        comments=comments,
        comments_declared=declared,
        warnings=warnings,
        byline=head.byline,
    )


#: A date stated anywhere in a short line: "PA NEWSWIRE | HOME NEWS | Thu 05 Dec 2013 14:32 GMT",
#: "March 3 2016, 12:01am, The Times", "Wednesday 3 March 2021 14:12, UK".
_DATE_IN_LINE = re.compile(
    r"\b(?:\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?[A-Za-z]{3,9}\.?,?\s+\d{4}|[A-Za-z]{3,9}\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}"
    r"|\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{4})\b")
#: A line of page furniture is short and is not a sentence of the article; a head line is never long.
_MARGIN_LINE_CHARS = 120
_HEAD_LINE_CHARS = 300


def _date_anywhere_in_the_margins(lines: list[str], pats: IngestPatterns, tail: int = 10) -> dt.date | None:
    """The publication date when no date line was recognised in the head: a labelled date line
    ("Published: 28 February 2019", "The Dales Diary, Thursday 8th February 2024") among the last
    ``tail`` non-blank lines before the comments (papers that print the date at the end), else the first date in a short line of the head
    (mastheads, section lines, timestamps: "PA NEWSWIRE | HOME NEWS | Thu 05 Dec 2013 14:32 GMT").
    The head ends at the article's running text: a long line, or the third line that reads as a
    sentence (a headline and a standfirst may come first); a bare date further down is not read."""
    nonblank = [ln.strip() for ln in lines if ln.strip()]
    for line in nonblank[-tail:]:
        for pattern in (*pats.date_line, *pats.date_line_plain):
            match = pattern.search(line)
            if match is None or pattern in pats.date_line_plain and not (
                    match.groupdict().get("source") or match.groupdict().get("byline")):
                continue  # a bare date at the end may be anything; "The Dales Diary, 8 February 2024" is not
            if (date := parse_date(match.group("date"))) is not None:
                return date
    sentences = 0
    for line in nonblank:
        if len(line) > _HEAD_LINE_CHARS:
            break
        if line.endswith((".", "!", "?", "\u201d", '"')) and len(line.split()) > 4:
            sentences += 1
            if sentences > 2:
                break
            continue
        if len(line) <= _MARGIN_LINE_CHARS and not line.endswith(":"):
            for match in _DATE_IN_LINE.finditer(line):
                date = parse_date(match.group())
                if date is not None:
                    return date
    return None


@dataclass(frozen=True)
class _Heading:
    """Where the comments begin: the heading's line, its declared count, a headline it repeats."""

    line: int
    count: str | None = None
    title: str | None = None


def _find_body_end(
    lines: list[str], first_line: str, pats: IngestPatterns
) -> tuple[int, _Heading | None]:
    """Index of the first line past the body, and the comments heading if that is it."""
    para = -1
    blank = True
    for i, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            blank = True
            continue
        if blank:
            para += 1
            blank = False
        if _search_any(pats.end_of_body, stripped):
            return i, None
        heading = _comments_header(lines, i, first_line, pats) or _comments_heading(
            lines, i, pats, strict=para <= HEAD_SCAN_PARAS
        )
        if heading is not None:
            return i, heading
        match = pats.comment_header.search(line.expandtabs(4))
        if match and match.group("num"):
            return i, None
    return len(lines), None


def _find_heading_after(
    lines: list[str], start: int, first_line: str, pats: IngestPatterns
) -> _Heading | None:
    """A comments heading among the trailers that follow the body (strict: comments must follow,
    or the heading opens with the word and gives their count)."""
    for i in range(start, len(lines)):
        heading = _comments_header(lines, i, first_line, pats) or _comments_heading(
            lines, i, pats, strict=True, after_body=True
        )
        if heading is not None:
            return heading
    return None


def _comments_header(
    lines: list[str], i: int, first_line: str, pats: IngestPatterns
) -> _Heading | None:
    """A "N Responses to <title>" line, accepted only where comments really follow.

    It must repeat the headline, be followed by a comment header, or end the file: a sentence
    such as "2 responses to the consultation ..." in the body is none of these.
    """
    match = pats.comments_header.search(lines[i].strip())
    if not match:
        return None
    title = (match.groupdict().get("title") or "").strip().strip("“”\"'‘’")
    heading = _Heading(i, match.group("count"), title or None)
    if title and _fold(title) == _fold(first_line):
        return heading
    following = _next_nonblank(lines, i + 1)
    if following is None or _comment_header_at(lines, following, pats, plain=True):
        return heading
    return None


#: a heading that opens with the word ("Comments 4", "Reader comments (12)"), not a "3 comments" link
COMMENTS_FIRST = re.compile(r"(?i)(?:readers?['’]?\s+)?comments?\b")


def _comments_heading(
    lines: list[str], i: int, pats: IngestPatterns, *, strict: bool, after_body: bool = False
) -> _Heading | None:
    """A generic comments heading ("Comments (3)", "Reader comments", "Have your say").

    Accepted when a comment, a comments trailer or nothing follows it; a strong heading is also
    accepted before other text unless ``strict`` (in the head of the file, where "3 comments" is
    a link under the headline, or among the trailers after the body).
    """
    stripped = lines[i].strip()
    if len(stripped) > COMMENT_HEADER_MAX_CHARS:
        return None
    weak = False
    match = _search_any(pats.comments_heading, stripped)
    if match is None:
        match = _search_any(pats.comments_heading_weak, stripped)
        if match is None:
            return None
        weak = True
    heading = _Heading(i, match.groupdict().get("count"))
    following = _next_nonblank(lines, i + 1)
    while following is not None and _search_any(pats.comment_noise, lines[following].strip()):
        following = _next_nonblank(lines, following + 1)  # "Share what you think", a sort bar
    if following is None:
        return heading
    text = lines[following].strip()
    if _search_any(pats.comments_end, text) or _search_any(pats.end_of_body, text):
        return heading
    if _comment_header_at(lines, following, pats, plain=True):
        return heading
    if after_body and heading.count is not None and COMMENTS_FIRST.match(stripped):
        return heading  # "Comments 4" after the trailers: comments follow, whatever their format
    return None if weak or strict else heading


def _fold(text: str) -> str:
    return " ".join(_WORD.findall(text.casefold()))


@dataclass
class _Head:
    """What :func:`_split_head` finds before the trailers."""

    title: str | None = None
    standfirst: str | None = None
    date: dt.date | None = None
    byline: str | None = None
    body: str = ""


@dataclass(frozen=True)
class _LineHit:
    """A head line that is not the journalist's text: a date line, a byline or page furniture."""

    rank: int | None = None  # DATE_RANKS value for a date line
    date: dt.date | None = None
    byline: str | None = None
    rest: str = ""  # what follows a date line prefix on the same line


def _split_head(paras: list[list[str]], pats: IngestPatterns, warnings: list[str]) -> _Head:
    """Headline, standfirst, stated date, byline and body from the paragraphs before the trailers.

    Lines are only ever taken away whole, or as a prefix (the date of a date line, a dateline),
    and a paragraph that loses an inner line is split there: every body paragraph stays a
    contiguous slice of the file. The date is the first of the best-ranked date lines found:
    labelled ("Published: ...") before unlabelled, "Updated ..." only when nothing else.
    """
    head = _Head()
    dates: list[tuple[int, int, dt.date]] = []  # (rank, order found, date)

    def cut_line(p: int, i: int, rest: str = "") -> None:
        """Replace line i of paragraph p by ``rest`` (a suffix of it), splitting before it."""
        after = ([rest] if rest else []) + paras[p][i + 1:]
        paras[p:p + 1] = [part for part in (paras[p][:i], after) if part]

    def note(hit: _LineHit) -> None:
        if hit.date is not None and hit.rank is not None:
            dates.append((hit.rank, len(dates), hit.date))
        if hit.byline and head.byline is None:
            head.byline = hit.byline

    # Above the headline: date lines and page furniture ("For immediate release"); the site's
    # masthead over its section line ("Hull Daily Mail" over "News > Hull & East Yorkshire News"),
    # or a section line alone ("OPINION"), is furniture too, not the headline.
    lead = False
    for round_ in range(4 * HEAD_SCAN_PARAS):  # each round cuts a line or stops
        if not paras:
            break
        furniture = _furniture_lines(paras, pats, top=round_ == 0)
        if furniture:
            for _ in range(furniture):
                cut_line(0, 0)
            continue
        hit = _line_hit(paras[0][0], pats, bylines=False)
        if hit is None:
            break
        note(hit)
        lead = True
        cut_line(0, 0, hit.rest)

    if paras:
        first = paras[0][0]
        if _search_any(pats.credit_line, first):
            pass  # no headline: the file opens with the picture
        elif lead:  # a headline under the date line, when it looks like one
            if len(paras) > 1 and _looks_like_heading(paras[0]):
                head.title = first
                cut_line(0, 0)
        elif len(first) <= TITLE_MAX_CHARS:
            head.title = first
            cut_line(0, 0)
        else:
            warnings.append("first line is too long to be a headline: no title")

    # Under the headline: date lines, bylines and page furniture, on short lines.
    cuts: list[tuple[int, int, str]] = []
    for p, plines in enumerate(paras[:HEAD_SCAN_PARAS]):
        if len(" ".join(plines)) > HEAD_PARA_MAX_CHARS:
            break
        i = 0
        while i < len(plines):
            hits, rest, used = _head_line(plines, i, pats)
            for hit in hits:
                note(hit)
            if hits:
                cuts.extend((p, k, rest if k == i else "") for k in range(i, i + used))
            i += max(used, 1)
    above_meta = 0  # paragraphs left between the headline and the last byline or date line
    if cuts:
        paras[:], above_meta = _apply_cuts(paras, {(p, i): rest for p, i, rest in cuts})

    credit_at = _find_head_credit(paras, pats)
    if credit_at is not None:
        lead_paras = paras[:credit_at]
        credit_para = paras[credit_at]
        last_credit = max(
            i for i, line in enumerate(credit_para) if _search_any(pats.credit_line, line)
        )
        after = credit_para[last_credit + 1:]
        body_paras = ([after] if after else []) + paras[credit_at + 1:]
        if lead_paras and len(" ".join(lead_paras[0])) <= STANDFIRST_MAX_CHARS:
            head.standfirst = " ".join(lead_paras.pop(0))
        kept = [p for p in lead_paras if not _looks_like_caption(p)]
        body_paras = kept + body_paras
    else:
        body_paras = paras
        if (
            head.title is not None
            and 0 < above_meta <= 2
            and len(" ".join(paras[0])) <= STANDFIRST_MAX_CHARS
        ):
            head.standfirst = " ".join(body_paras.pop(0))  # it stands above the byline or date
        elif (
            head.title is not None
            and len(body_paras) > 1
            and len(body_paras[0]) == 1
            and _looks_like_heading(body_paras[0], STANDFIRST_MAX_CHARS)
        ):
            head.standfirst = body_paras.pop(0)[0]

    if body_paras:  # a dateline opening the first paragraph: "LONDON, 3 March 2017 - ..."
        match = _search_any(pats.dateline, body_paras[0][0])
        date = parse_date(match.group("date")) if match else None
        if match and date is not None:
            dates.append((DATE_RANKS["dateline"], len(dates), date))
            rest = match.group("rest").strip()
            body_paras[0] = ([rest] if rest else []) + body_paras[0][1:]
            if not body_paras[0]:
                body_paras.pop(0)
    if dates:
        head.date = min(dates)[2]

    body_parts = []
    links = False  # inside a block of links to other stories ("RELATED ARTICLES", "Read more")
    for lines in body_paras:
        for piece in _split_at_credits(lines, pats):
            rest = piece
            if _search_any(pats.links_heading, piece[0].strip()):
                links, rest = True, piece[1:]
            if links and all(_link_line(line, pats) for line in rest):
                continue
            links = False
            if not _search_any(pats.drop_paragraph, " ".join(piece)):
                body_parts.append("\n".join(piece))
    head.body = "\n\n".join(body_parts)
    return head


#: the end of a sentence: a line that ends so is text, not a headline linking to another story
SENTENCE_END = re.compile(r"[.!?][\"'’”)]*$")
ELLIPSIS = re.compile(r"(?:\.\.\.|…)[\"'’”]*$")


def _link_line(line: str, pats: IngestPatterns) -> bool:
    """A line of a block of links: a headline ("Council apologises", "Mother 'was let down'..."),
    "Previous" / "Next", page furniture; not a sentence."""
    stripped = line.strip()
    return (not stripped or _search_any(pats.links_heading, stripped) is not None
            or ELLIPSIS.search(stripped) is not None or not SENTENCE_END.search(stripped))


def _apply_cuts(
    paras: list[list[str]], cuts: dict[tuple[int, int], str]
) -> tuple[list[list[str]], int]:
    """Paragraphs without the cut lines (a cut line with a rest keeps it), split where a line
    went, and how many of them start before the last cut."""
    last = max(cuts)
    out: list[list[str]] = []
    above = 0
    for p, lines in enumerate(paras):
        piece: list[str] = []
        start = (p, 0)
        for i, line in enumerate(lines):
            if (p, i) not in cuts:
                piece.append(line)
                continue
            if piece:
                out.append(piece)
                above += start < last
            rest = cuts[(p, i)]
            piece, start = ([rest] if rest else []), (p, i)
        if piece:
            out.append(piece)
            above += start < last
    return out, above


def _head_line(lines: list[str], i: int, pats: IngestPatterns) -> tuple[list[_LineHit], str, int]:
    """Read line i of a head paragraph: (hits, what is left of the line, lines used).

    A date line's rest is read again (it may be another date line or a byline); a byline or a
    bare name followed by a line naming a journalist's post takes that line too.
    """
    line = lines[i]
    if len(line) > HEAD_LINE_MAX_CHARS:
        return [], line, 1
    hits: list[_LineHit] = []
    rest = line
    for _ in range(4):
        hit = _line_hit(rest, pats, bylines=True)
        if hit is None:
            break
        hits.append(hit)
        rest = hit.rest
        if not rest:
            break
    following = lines[i + 1] if i + 1 < len(lines) else ""
    role = _search_any(pats.byline_role, following) if following else None
    if role is not None:
        if hits and hits[-1].byline and not rest:
            hits[-1] = replace(hits[-1], byline=f"{hits[-1].byline}, {role.group('role')}")
            return hits, "", 2
        name = None if hits else _search_any(pats.byline_name, line)
        if name is not None:
            return [_LineHit(byline=f"{name.group('byline')}, {role.group('role')}")], "", 2
    return hits, rest, 1


def _line_hit(line: str, pats: IngestPatterns, *, bylines: bool) -> _LineHit | None:
    """A date line (with its rank, any byline and rest), a byline or a page-furniture line."""
    line = line.strip()
    for key in ("date_line", "date_line_plain", "date_line_updated"):
        for pattern in getattr(pats, key):
            match = pattern.search(line)
            if not match:
                continue
            date = parse_date(match.group("date"))
            if date is None:
                continue
            groups = match.groupdict()
            return _LineHit(
                rank=DATE_RANKS[key],
                date=date,
                byline=_clean_byline(groups.get("byline")),
                rest=(groups.get("rest") or "").strip(),
            )
    if bylines:
        match = _search_any(pats.byline_line, line)
        if match:
            return _LineHit(byline=_clean_byline(match.group("byline")))
    if _search_any(pats.head_meta_line, line):
        return _LineHit()
    return None


def _clean_byline(text: str | None) -> str | None:
    text = (text or "").strip(" \t,;:|-–—")
    return text or None


def _split_at_credits(lines: list[str], pats: IngestPatterns) -> list[list[str]]:
    """Drop credit lines, splitting the paragraph where they stood (keeps pieces contiguous)."""
    pieces: list[list[str]] = [[]]
    for line in lines:
        if _search_any(pats.credit_line, line):
            pieces.append([])
        else:
            pieces[-1].append(line)
    return [piece for piece in pieces if piece]


def _find_head_credit(paras: list[list[str]], pats: IngestPatterns) -> int | None:
    for p, lines in enumerate(paras[:HEAD_MAX_PARAS]):
        if any(_search_any(pats.credit_line, line) for line in lines):
            return p
        if len(" ".join(lines)) > HEAD_PARA_MAX_CHARS:
            return None
    return None


#: A masthead: the site's name, its motto or a "Skip to content" link, each on a short line of its
#: own without sentence punctuation, at most this many over the site's section lines.
MASTHEAD_MAX_WORDS = 12
MASTHEAD_MAX_LINES = 4
SECTION_MAX_LINES = 6


def _furniture_lines(paras: list[list[str]], pats: IngestPatterns, *, top: bool = True) -> int:
    """How many of the first lines are page furniture over the headline: a run of section lines
    ("News > Politics", "OPINION", "Home | News | Sport"), under at most a few short lines without
    sentence punctuation (the site's name, its motto, "Skip to content") when they open the file
    (``top``); and only when a line that can be the headline follows them."""
    lines = [line for para in paras[:HEAD_SCAN_PARAS] for line in para][:MASTHEAD_MAX_LINES + SECTION_MAX_LINES + 1]
    above = 0  # short lines over the first section line
    while above < len(lines) and not _search_any(pats.section_line, lines[above]):
        if not top or above == MASTHEAD_MAX_LINES:
            return 0
        line = lines[above]
        if len(line.split()) > MASTHEAD_MAX_WORDS or _TERMINAL.search(line) or _line_hit(line, pats, bylines=False):
            return 0  # a sentence, or a date line: what is above it is no masthead
        above += 1
    end = above
    while end < len(lines) and end - above < SECTION_MAX_LINES and _search_any(pats.section_line, lines[end]):
        end += 1
    if end == above or end >= len(lines):
        return 0  # no section line, or nothing after it to be the headline
    following = lines[end]
    if above and (len(following) > TITLE_MAX_CHARS or _TERMINAL.search(following)):
        return 0
    return end


def _looks_like_heading(lines: list[str], max_chars: int = TITLE_MAX_CHARS) -> bool:
    """One line, not too long, not ending like a sentence."""
    return len(lines) == 1 and len(lines[0]) <= max_chars and not _TERMINAL.search(lines[0])


def _looks_like_caption(lines: list[str]) -> bool:
    return _looks_like_heading(lines, CAPTION_MAX_CHARS)
