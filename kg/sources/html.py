"""HTML pages saved from news sites -> :class:`~kg.graph.facts.Article` records.

A page saved from a browser holds the article among navigation, scripts, styles, adverts, a
footer and, often, the reader comments. This stage keeps the article (headline, publication
date, body) and the comments, and drops the rest:

1. The bytes are decoded like a text file (:func:`kg.sources.decode.decode_bytes`: BOM, cp1252,
   Latin-1, NUL bytes; never U+FFFD), honouring a ``<meta charset>`` for other encodings.
2. Scripts, styles, frames and adverts (elements whose class or id is an advert token, see
   :data:`AD_TOKENS`) are removed from the tree.
3. The comment section (an element whose id or class names one, see
   :data:`COMMENT_SECTION_TOKENS`) is read into :class:`~kg.graph.facts.Comment` records (author,
   date, text, reply-to from the nesting) and removed from the tree, so a comment never
   becomes body text.
4. trafilatura finds the article's main text and its metadata in what is left. Its paragraphs,
   headed by the headline, go through :func:`kg.sources.news.parse_text`, so that date lines,
   bylines, trailers and comment headings in the text are read by the same rules as a
   ``.txt`` article. When no comment section was recognised in the markup, the comments
   trafilatura found are read by that parser's comment formats too.

Provenance. The evidence of a fact cannot be verbatim in the raw ``.html`` bytes (markup,
entities), so the article's text *is* the extracted text: ``Article.body`` (and title,
standfirst) are the extracted words, evidence sentences are verbatim in
``Article.text_for_extraction``, and the extraction is deterministic, so
:func:`extracted_text` (``python -m kg.sources.html PAGE.html``) reproduces the exact text any
evidence can be checked against. ``ckg:sourceFile`` stays the ``.html`` file name (its suffix
says the text was extracted from HTML) and ``sha1`` is of the raw bytes, as for every input.

>>> page = (b"<html><head><title>T</title></head><body><nav>Home | News</nav><article>"
...         b"<h1>Council rated inadequate</h1><p>Inspectors found that the council had "
...         b"failed children in need of help and protection for many years.</p>"
...         b"<script>alert(1)</script></article></body></html>")
>>> art = article_from_html(page, "page.html")
>>> art.title, art.body
('Council rated inadequate', 'Inspectors found that the council had failed children in need of help and protection for many years.')
"""
from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import logging
import re
import sys
from dataclasses import replace
from pathlib import Path

from kg.graph.facts import Article, Comment
from kg.sources import articles, dates, decode, news

log = logging.getLogger(__name__)

#: File suffixes read as HTML pages.
SUFFIXES = (".html", ".htm")

#: Elements that never hold article text.
DROP_TAGS = ("script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "canvas")

#: A class or id token (split on spaces, then on "-" and "_") that marks an advert or promotion.
AD_TOKENS = frozenset({
    "ad", "ads", "advert", "adverts", "advertisement", "advertisements", "advertising", "adslot",
    "adsbygoogle", "adunit", "dfp", "sponsor", "sponsored", "sponsors", "promo", "promoted",
    "promotion", "outbrain", "taboola", "newsletter", "cookie", "cookies", "paywall",
})

#: An advert-marked element longer than this is a container of the page, not an advert.
AD_MAX_CHARS = 1000

#: A class or id (whole value or one space-separated token) naming a comment section.
COMMENT_SECTION_TOKENS = frozenset({
    "comments", "comment-list", "commentlist", "comments-list", "comments-area", "comment-section",
    "comments-section", "comments-container", "comment-thread", "comments-thread", "reader-comments",
    "user-comments", "disqus_thread", "dsq-comments", "article-comments",
})

#: A class token (or an id such as "comment-12" / "li-comment-12") marking one comment.
_COMMENT_ITEM_CLASS = frozenset({"comment", "comment-item", "comment-entry", "single-comment", "reply-comment"})
_COMMENT_ITEM_ID = re.compile(r"^(?:li-)?comment-\d+$")
_AUTHOR_HINT = re.compile(r"(?:^|[-_])(?:author|fn|username|user-name|commenter|name)(?:$|[-_])")
_DATE_HINT = re.compile(r"(?:^|[-_])(?:date|time|timestamp|meta|commentmetadata|posted)(?:$|[-_])")
_FURNITURE_HINT = re.compile(r"(?:^|[-_])(?:reply|report|share|vote|votes|like|likes|actions|avatar|flag)(?:$|[-_])")
_SAYS = re.compile(r"\s*(?:says|said|wrote|writes)\s*:?\s*$", re.I)
_BLOCK_TAGS = frozenset({
    "p", "div", "section", "article", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6",
    "blockquote", "br", "tr", "table", "header", "footer", "aside", "dd", "dt", "dl", "pre", "figure",
    "figcaption", "main", "nav", "form", "address", "hr",
})
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.I)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
_SPACE = re.compile(r"[ \t\r\f\v\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_UTF8_FAMILY = frozenset({"utf_8", "utf_8_sig", "ascii", "latin_1", "iso8859_1", "iso8859_15", "cp1252"})


def read_html(path: Path, *, max_bytes: int = articles.MAX_BYTES) -> Article | articles.IngestError:
    """Read one saved page into an :class:`Article`, or say why it is no article.

    Never raises for the file's content: an empty, binary, too large or article-less page (and
    one that cannot be opened) gives an :class:`~kg.sources.decode.IngestError` with the reason.
    """
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return articles.IngestError(path, f"too large: {size} bytes (limit {max_bytes})")
        data = path.read_bytes()
        if len(data) > max_bytes:
            return articles.IngestError(path, f"too large: {len(data)} bytes (limit {max_bytes})")
        return article_from_html(data, path.name)
    except articles.UnreadableFile as exc:
        return articles.IngestError(path, exc.reason)
    except OSError as exc:
        return articles.IngestError(path, f"cannot read: {exc.strerror or exc}")
    except Exception as exc:  # noqa: BLE001 - a page the third-party parsers choke on costs that page only
        log.debug("HTML extraction failed for %s", path, exc_info=True)
        return articles.IngestError(path, f"HTML page could not be read: {type(exc).__name__}: {exc}")


def article_from_html(data: bytes, source_file: str) -> Article:
    """Extract the article and its comments from a page's bytes (sha1 is of the raw bytes).

    Raises :class:`~kg.sources.decode.UnreadableFile` for a page that is empty, binary or has no
    article text.
    """
    import lxml.html

    text, warnings = decode_html(data)
    text = _XML_DECLARATION.sub("", text, count=1)
    if not re.search(r"<\s*[A-Za-z!]", text):
        raise articles.UnreadableFile("not an HTML page: no markup (save it as .txt to read it as text)")
    try:
        tree = lxml.html.document_fromstring(text)
    except Exception as exc:  # lxml's ParserError and friends: the page is no HTML at all  # noqa: BLE001
        raise articles.UnreadableFile(f"not an HTML page: {exc}") from exc
    _drop_boilerplate(tree)
    comments, comment_lines = _take_comments(tree, warnings)
    parts = _extract(tree)
    if parts is None or not parts["paragraphs"]:
        raise articles.UnreadableFile("HTML page with no article text (only navigation, scripts or markup)")

    blocks = ([parts["title"]] if parts["title"] else []) + parts["paragraphs"]
    if not comments and not comment_lines and parts["comments"]:
        comment_lines = parts["comments"]  # comments trafilatura found where we saw no section
    composed = "\n\n".join(blocks)
    if comment_lines:
        composed += "\n\nComments\n\n" + "\n\n".join(comment_lines)
    article = news.parse_text(composed, source_file=source_file,
                                sha1=hashlib.sha1(data).hexdigest(), warnings=warnings)
    if parts["title"] and article.title is None:
        article.title = parts["title"]
    if article.date is None and parts["date"] is not None:
        article.date = parts["date"]
        if article.reference_date is None or article.reference_date > parts["date"]:
            article.reference_date = parts["date"]
    if comments:
        top = sum(1 for c in comments if c.reply_to is None)
        article.comments = comments + [_shift(c, top) for c in article.comments]
        if article.reference_date is None:
            created = [c.created for c in article.comments if c.created is not None]
            if created:
                article.reference_date = min(created).date()
    return article


def _shift(comment: Comment, offset: int) -> Comment:
    """``comment`` renumbered to follow ``offset`` top-level comments ("1.2" -> "4.2")."""
    def move(number: str) -> str:
        head, dot, rest = number.partition(".")
        return f"{int(head) + offset}{dot}{rest}" if head.isdigit() else number

    return replace(comment, number=move(comment.number),
                   reply_to=move(comment.reply_to) if comment.reply_to else None)


def extracted_text(path: Path) -> str:
    """The text evidence from ``path`` (an HTML page) is verbatim in: title, standfirst and
    body as extracted. Raises :class:`~kg.sources.decode.UnreadableFile` for a page with no article."""
    result = read_html(path)
    if isinstance(result, articles.IngestError):
        raise articles.UnreadableFile(result.reason)
    return result.text_for_extraction


# --------------------------------------------------------------------------------------------
# Decoding


def decode_html(data: bytes) -> tuple[str, list[str]]:
    """Bytes -> (text, warnings): a declared non-Latin charset when the bytes are cleanly in
    it, else the decoding rules of text files (:func:`kg.sources.decode.decode_bytes`)."""
    declared = _declared_charset(data)
    if declared is not None and declared not in _UTF8_FAMILY and not declared.startswith(("utf_16", "utf_32")) \
            and not data.startswith(codecs.BOM_UTF8):  # UTF-16/32 are told by their BOM or NUL pattern
        try:
            text = data.decode(declared)
        except (UnicodeDecodeError, LookupError):
            pass
        else:
            return decode.decode_bytes(text.encode("utf-8"))
    return decode.decode_bytes(data)


def _declared_charset(data: bytes) -> str | None:
    match = _META_CHARSET.search(data[:4096])
    if not match:
        return None
    try:
        return codecs.lookup(match.group(1).decode("ascii", "ignore")).name.replace("-", "_")
    except LookupError:
        return None


# --------------------------------------------------------------------------------------------
# Cleaning the tree


def _tokens(el) -> list[str]:
    values = []
    for attr in ("class", "id"):
        value = el.get(attr)
        if value:
            values.extend(value.lower().split())
    return values


def _is_ad(el) -> bool:
    """An element marked as an advert, and short (a container of the article that merely
    has an "with-ads" class keeps its text)."""
    marked = any(token in AD_TOKENS or any(part in AD_TOKENS for part in re.split(r"[-_]", token))
                 for token in _tokens(el))
    return marked and len(el.text_content()) <= AD_MAX_CHARS


def _drop_boilerplate(tree) -> None:
    """Remove scripts, styles and adverts (with their content), keeping the text after them."""
    doomed = [el for el in tree.iter() if isinstance(el.tag, str)
              and (el.tag.lower() in DROP_TAGS or (el.tag.lower() not in ("html", "body") and _is_ad(el)))]
    for el in tree.iter():
        if not isinstance(el.tag, str):  # HTML comments and processing instructions
            doomed.append(el)
    for el in doomed:
        if el.getparent() is not None:
            el.drop_tree()


# --------------------------------------------------------------------------------------------
# Comments


def _is_section(el) -> bool:
    values = [v.lower().strip() for v in (el.get("id"), el.get("class")) if v]
    return any(v in COMMENT_SECTION_TOKENS or any(t in COMMENT_SECTION_TOKENS for t in v.split()) for v in values)


def _is_item(el, *, strict: bool = False) -> bool:
    """One comment: a class "comment", an id "comment-12", or a schema.org Comment item
    (``strict``: only the last two, which are unambiguous outside a comment section)."""
    if not isinstance(el.tag, str) or el.tag.lower() not in ("li", "article", "div", "section"):
        return False
    classes = (el.get("class") or "").lower().split()
    if not strict and any(c in _COMMENT_ITEM_CLASS for c in classes):
        return True
    if _COMMENT_ITEM_ID.match((el.get("id") or "").lower()):
        return True
    return "schema.org/comment" in (el.get("itemtype") or "").lower()


def _is_form(el) -> bool:
    return el.tag.lower() == "form" or any(t in ("respond", "comment-respond", "comment-form", "reply-form")
                                           for t in _tokens(el))


def _take_comments(tree, warnings: list[str]) -> tuple[list[Comment], list[str] | None]:
    """Comments read from the markup, and the lines of a section whose markup is in no known
    comment form (None when there is none). Comment sections are removed from the tree, so
    nothing in them becomes body text; so are comment forms ("Leave a reply")."""
    for form in [el for el in tree.iter() if isinstance(el.tag, str) and _is_form(el)]:
        if form.getparent() is not None:
            form.drop_tree()
    sections = [el for el in tree.iter() if isinstance(el.tag, str)
                and el.tag.lower() not in ("html", "body") and _is_section(el)]
    sections = [s for s in sections if not any(a in sections for a in s.iterancestors())]
    comments: list[Comment] = []
    loose: list[str] = []
    # schema.org comments (or "comment-12" ids) outside any recognised section
    strays = [el for el in tree.iter() if isinstance(el.tag, str) and _is_item(el, strict=True)
              and not any(s in sections for s in el.iterancestors())]
    strays = [el for el in strays if not any(a in strays for a in el.iterancestors())]
    if strays:
        items = [el for s in strays for el in s.iter() if _is_item(el)]
        comments.extend(_read_items(items, offset=0))
        for el in strays:
            el.drop_tree()
    for section in sections:
        items = [el for el in section.iter() if _is_item(el)]
        if items:
            top = sum(1 for c in comments if c.reply_to is None)
            comments.extend(_read_items(items, offset=top))
        else:  # no comment markup: its lines go to the text parser's comment formats
            lines = _block_lines(section)
            heading = next((_clean(h.text_content()) for h in section.iter("h1", "h2", "h3", "h4", "h5", "h6")), None)
            loose.extend(lines[1:] if lines and lines[0] == heading else lines)
        section.drop_tree()
    return comments, loose


def _read_items(items: list, *, offset: int) -> list[Comment]:
    """Comment records from comment elements in document order; a comment nested in another
    replies to it ("1.1"). A wrapper with no author and no text of its own is no comment."""
    item_set = set(items)
    numbers: dict = {}
    children: dict[str, int] = {}
    top = offset
    out: list[Comment] = []
    for el in items:
        nested = {d for d in el.iterdescendants() if d in item_set}
        author, when, text = _read_item(el, nested)
        if not author and not text:
            continue
        parent = next((a for a in el.iterancestors() if a in numbers), None)
        if parent is None:
            top += 1
            number, reply_to = str(top), None
        else:
            reply_to = numbers[parent]
            children[reply_to] = children.get(reply_to, 0) + 1
            number = f"{reply_to}.{children[reply_to]}"
        numbers[el] = number
        out.append(Comment(number=number, author=author, text=text, created=when, reply_to=reply_to))
    return out


def _own(el, nested: set):
    """Descendants of ``el`` outside the comments nested in it, in document order."""
    for child in el:
        if child in nested:
            continue
        yield child
        yield from _own(child, nested)


def _read_item(el, nested: set) -> tuple[str, dt.datetime | None, str]:
    """Author, date and text of one comment element (its replies excluded)."""
    own = [d for d in _own(el, nested) if isinstance(d.tag, str)]
    author_el = time_el = None
    when = None
    for d in own:
        tokens = _tokens(d)
        itemprop = (d.get("itemprop") or "").lower()
        if author_el is None and (itemprop == "author" or any(_AUTHOR_HINT.search(t) for t in tokens)):
            inner = next((x for x in d.iterdescendants() if isinstance(x.tag, str)
                          and ("fn" in _tokens(x) or (x.get("itemprop") or "").lower() == "name")), d)
            name = _SAYS.sub("", _clean(inner.text_content()))
            if name and len(name) <= 80:
                author_el = d
        if time_el is None and (d.tag.lower() == "time" or itemprop in ("datecreated", "datepublished")
                                or any(_DATE_HINT.search(t) for t in tokens)):
            stamp = d.get("datetime") or _clean(d.text_content())
            parsed = dates.parse_datetime(stamp) if stamp and len(stamp) <= 80 else None
            if parsed is not None:
                time_el, when = d, parsed
    author = ""
    excluded = set(nested)
    if author_el is not None:
        inner = next((x for x in author_el.iterdescendants() if isinstance(x.tag, str)
                      and ("fn" in _tokens(x) or (x.get("itemprop") or "").lower() == "name")), author_el)
        author = _SAYS.sub("", _clean(inner.text_content()))
    for x in (author_el, time_el):
        if x is None:
            continue
        excluded.add(x)
        for a in x.iterancestors():  # header wrappers ("comment-meta", "comment-author vcard") go whole
            if a is el:
                break
            if any(_AUTHOR_HINT.search(t) or _DATE_HINT.search(t) for t in _tokens(a)) \
                    and not any(isinstance(p.tag, str) and p.tag.lower() == "p" for p in a.iterdescendants()):
                excluded.add(a)
    for d in own:  # "Reply", "Report", vote buttons
        if d.tag.lower() in ("a", "button", "span", "div", "ul", "footer", "nav") \
                and any(_FURNITURE_HINT.search(t) for t in _tokens(d)) \
                and not any(isinstance(p.tag, str) and p.tag.lower() == "p" for p in d.iterdescendants()):
            excluded.add(d)
    lines = _block_lines(el, exclude=excluded)
    if lines and author and _SAYS.sub("", lines[0]) == author:
        lines = lines[1:]
    return author, when, "\n\n".join(lines)


# --------------------------------------------------------------------------------------------
# Text


def _clean(text: str) -> str:
    return _SPACE.sub(" ", _CONTROL.sub("", text.replace("\u00ad", ""))).strip()


def _block_lines(el, *, exclude: set | frozenset = frozenset()) -> list[str]:
    """The text of ``el`` as lines, one per block element (paragraph, list item, heading...)."""
    lines: list[str] = []
    current: list[str] = []

    def flush() -> None:
        if current:
            line = _clean("".join(current))
            if line:
                lines.append(line)
            current.clear()

    def walk(node) -> None:
        if node in exclude:
            if node.tail:
                current.append(node.tail)
            return
        tag = node.tag.lower() if isinstance(node.tag, str) else ""
        block = tag in _BLOCK_TAGS
        if block:
            flush()
        if isinstance(node.tag, str) and node.text:
            current.append(node.text)
        for child in node:
            walk(child)
        if block:
            flush()
        if node is not el and node.tail:
            current.append(node.tail)

    walk(el)
    flush()
    return lines


def _extract(tree) -> dict | None:
    """trafilatura on the cleaned tree: title, date, body paragraphs, comments paragraphs."""
    import trafilatura

    doc = trafilatura.bare_extraction(
        tree,
        include_comments=True,
        with_metadata=True,
        include_tables=True,
        include_images=False,
        include_links=False,
        date_extraction_params={"original_date": True, "extensive_search": False, "max_date": "2099-12-31"},
    )
    if doc is None:
        return None
    title = _clean(doc.title or "") or None
    date = None
    if doc.date:
        try:
            date = dt.date.fromisoformat(doc.date[:10])
        except ValueError:
            date = None
    paragraphs = _blocks(doc.body)
    comments = _blocks(getattr(doc, "commentsbody", None))
    if paragraphs and title:  # the headline repeated as the first line of the text
        first, _, rest = paragraphs[0].partition("\n")
        if _clean(first) == title:
            paragraphs = ([rest.strip()] if rest.strip() else []) + paragraphs[1:]
    return {"title": title, "date": date, "paragraphs": paragraphs, "comments": comments}


def _blocks(body) -> list[str]:
    """Paragraph texts of a trafilatura body: one per p/head/quote/list item/table row."""
    if body is None:
        return []
    out: list[str] = []
    for child in body:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag == "list":
            out.extend(_clean(item.xpath("string()")) for item in child.iter("item"))
        elif tag == "table":
            for row in child.iter("row"):
                out.append(" | ".join(_clean(c.xpath("string()")) for c in row if isinstance(c.tag, str)))
        elif tag:
            out.append(_clean(child.xpath("string()")))
    return [p for p in out if p]


def main(argv: list[str] | None = None) -> int:
    """``python -m kg.sources.html PAGE.html``: print the text evidence from that page is checked against."""
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        sys.stderr.write("usage: python -m kg.sources.html PAGE.html\n")
        return 1
    try:
        sys.stdout.write(extracted_text(Path(argv[0])) + "\n")
    except articles.UnreadableFile as exc:
        sys.stderr.write(f"{argv[0]}: {exc.reason}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
