"""Reader comments under an article: headers in several formats ("Jane D | 3 March 2017 10:42",
"Jane D wrote:", an author line over a date line ...), replies marked by indentation, "> " or
"Reply to Jane D", numbered in page order with their parents.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from kg.graph.facts import Comment
from kg.sources.dates import parse_datetime
from kg.sources.patterns import IngestPatterns, _next_nonblank, _paragraphs, _search_any

#: A comment's author/date line is never longer than this.
COMMENT_HEADER_MAX_CHARS = 160


@dataclass
class _RawComment:
    """One comment as read, before numbering."""

    kind: str  # "num" (numbered), "bullet" (bulleted reply), "plain" (other formats), "stray"
    depth: int = 0  # indentation; each "> " before a plain header counts as a deeper level
    num: str | None = None
    author: str = ""
    when: str | None = None
    quotes: int = 0  # "> " markers before a plain header, stripped from its text lines too
    reply_to_author: str | None = None  # from a "Reply to Jane D" marker
    lines: list[str] = field(default_factory=list)


_QUOTE_PREFIX = re.compile(r"([ \t]*)((?:>[ \t]?)*)(.*)")
#: A "> " level counts as this much indentation.
_QUOTE_DEPTH = 1000


def _split_quote(line: str) -> tuple[int, int, str]:
    """(indentation, number of "> " markers, content) of an expanded line."""
    match = _QUOTE_PREFIX.fullmatch(line)
    assert match is not None  # the pattern matches any line without a newline
    return len(match.group(1)), match.group(2).count(">"), match.group(3).strip()


def _comment_header_at(
    lines: list[str], j: int, pats: IngestPatterns, *, plain: bool
) -> tuple[int, _RawComment] | None:
    """The comment header starting at line j, if any, and how many lines it takes.

    Community Care's numbered and bulleted headers always; with ``plain``, also the other
    formats: "Jane D | 3 March 2017 10:42", "Jane D, 3 March 2017", "Jane D on ... said:",
    "Posted by Jane D on ...", "Jane D wrote:", and an author line with the date on the next line.
    """
    expanded = lines[j].expandtabs(4)
    match = pats.comment_header.search(expanded)
    if match:
        return 1, _RawComment(
            kind="num" if match.group("num") else "bullet",
            depth=len(match.group("indent")),
            num=match.group("num"),
            author=(match.group("author") or "").strip(),
            when=match.group("when"),
        )
    if not plain:
        return None
    indent, quotes, content = _split_quote(expanded)
    if not content or len(content) > COMMENT_HEADER_MAX_CHARS:
        return None
    when: str | None = None
    match = _search_any(pats.comment_header_plain, content)
    if match:
        when = match.groupdict().get("when")
    else:
        match = _search_any(pats.comment_author_line, content)
        if match is None:
            return None
    author = match.group("author").strip()
    consumed = 1
    if when is None:  # the date may stand on the next line
        k = _next_nonblank(lines, j + 1, limit=2)
        if k is not None:
            date_text = _split_quote(lines[k].expandtabs(4))[2]
            date_match = (
                _search_any(pats.comment_date_line, date_text)
                if len(date_text) <= COMMENT_HEADER_MAX_CHARS
                else None
            )
            if date_match and parse_datetime(date_match.group("when")) is not None:
                when = date_match.group("when")
                consumed = k - j + 1
        if when is None and match.re in pats.comment_author_line:
            return None  # a bare name is a header only with its date under it
    return consumed, _RawComment(
        kind="plain", depth=indent + _QUOTE_DEPTH * quotes, author=author, when=when, quotes=quotes
    )


def _parse_comments(
    lines: list[str], pats: IngestPatterns, warnings: list[str], *, after_heading: bool = False
) -> list[Comment]:
    """Comments and their replies, in page order.

    A numbered header starts a top-level comment ("1", "2", ...); a bulleted header replies to
    the nearest header above it that is less indented (never climbing above the top-level
    comment), numbered "<parent>.<k>". After a comments heading (``after_heading``) the other
    formats count too (see :func:`_comment_header_at`): a plain header replies to the nearest
    less indented (or less "> "-quoted) header above it, or to the latest comment by the
    author a "Reply to <author>" line names; page furniture ("Reply", "Report") is dropped; and
    text before the first header is kept as one comment with no author, with a warning.
    Without ``after_heading`` (comments found after a trailer), text before the first header
    is page furniture and is skipped.
    """
    raws: list[_RawComment] = []
    stray = _RawComment(kind="stray")
    current: _RawComment | None = None
    pending: tuple[str, str] | None = None  # a reply marker waiting for its comment: (line, author)

    def known(author: str, among: list[_RawComment]) -> bool:
        folded = author.casefold()
        return any(r.author.casefold() == folded for r in among if r.author)

    def target() -> _RawComment | None:
        return current if current is not None else (stray if after_heading else None)

    j = 0
    while j < len(lines):
        found = _comment_header_at(lines, j, pats, plain=after_heading)
        if found:
            consumed, raw = found
            if pending is not None:
                if raw.kind == "plain":
                    raw.reply_to_author = pending[1]
                elif (owner := target()) is not None:  # numbered pages mark replies otherwise
                    owner.lines.append(pending[0])
                pending = None
            raws.append(raw)
            current = raw
            j += consumed
            continue
        line = lines[j]
        j += 1
        stripped = line.strip()
        if _search_any(pats.comments_end, stripped):
            break
        if after_heading and stripped:
            if _search_any(pats.comment_noise, stripped):
                continue
            marker = _search_any(pats.comment_reply_marker, stripped)
            if marker:
                named = marker.group("author").strip()
                if (
                    current is not None
                    and current.kind == "plain"
                    and current.reply_to_author is None
                    and not any(ln.strip() for ln in current.lines)
                    and known(named, raws[:-1])
                ):
                    current.reply_to_author = named  # "Reply to X" under the header
                    continue
                if pending is None and known(named, raws):
                    pending = (line, named)  # "Reply to X" above the next header
                    continue
            if pending is not None:  # not followed by a header after all: it is text
                owner = target()
                if owner is not None:
                    owner.lines.append(pending[0])
                pending = None
        owner = target()
        if owner is not None:
            owner.lines.append(line)
    if pending is not None and (owner := target()) is not None:
        owner.lines.append(pending[0])

    if any(ln.strip() for ln in stray.lines):
        raws.insert(0, stray)
        warnings.append(
            "text after the comments heading is in no known comment format: "
            "kept as one comment with no author"
        )
    return _number_comments(raws, warnings)


def _number_comments(raws: list[_RawComment], warnings: list[str]) -> list[Comment]:
    comments: list[Comment] = []
    stack: list[tuple[int, str]] = []
    children: Counter[str] = Counter()
    top = 0
    renumbered = False

    def child_of(parent: str) -> str:
        children[parent] += 1
        return f"{parent}.{children[parent]}"

    for raw in raws:
        reply_to: str | None = None
        if raw.kind == "stray":
            top += 1
            number = str(top)
            stack = []
        elif raw.kind == "num" or (raw.kind == "bullet" and not stack):
            if raw.kind == "bullet":
                warnings.append("a reply with no comment above it: read as a comment")
            top += 1
            number = str(top)
            if raw.num and int(raw.num) != top and not renumbered:
                renumbered = True
                warnings.append("comment numbers on the page are not 1, 2, 3...: renumbered")
            stack = [(raw.depth, number)]
        elif raw.kind == "bullet":
            while len(stack) > 1 and stack[-1][0] >= raw.depth:
                stack.pop()
            reply_to = stack[-1][1]
            number = child_of(reply_to)
            stack.append((raw.depth, number))
        else:
            folded = (raw.reply_to_author or "").casefold()
            parent = next(
                (c for c in reversed(comments) if folded and c.author.casefold() == folded), None
            )
            if parent is not None:
                reply_to = parent.number
                number = child_of(reply_to)
            elif not stack or raw.depth <= stack[0][0]:
                top += 1
                number = str(top)
                stack = [(raw.depth, number)]
            else:
                while len(stack) > 1 and stack[-1][0] >= raw.depth:
                    stack.pop()
                reply_to = stack[-1][1]
                number = child_of(reply_to)
                stack.append((raw.depth, number))
        created = None
        if raw.when is not None:
            created = parse_datetime(raw.when)
            if created is None:
                warnings.append(f"comment {number}: unreadable date {raw.when!r}")
        comments.append(
            Comment(
                number=number,
                author=raw.author,
                text=_comment_text(raw),
                created=created,
                reply_to=reply_to,
            )
        )
    return comments


def _comment_text(raw: _RawComment) -> str:
    lines = raw.lines
    if raw.quotes:
        unquote = re.compile(rf"^[ \t]*(?:>[ \t]?){{1,{raw.quotes}}}")
        lines = [unquote.sub("", line, count=1) for line in lines]
    return "\n\n".join("\n".join(p) for p in _paragraphs(lines))
