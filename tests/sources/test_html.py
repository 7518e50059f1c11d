"""kg/sources/html.py: saved news pages -> Article (title, date, body, comments), boilerplate dropped."""
from __future__ import annotations

import datetime as dt
import doctest
import re
import subprocess
import sys
from pathlib import Path

import pytest

from kg import config
from kg.sources import html
from kg.sources.articles import IngestError

ROOT = Path(__file__).resolve().parents[2]

#: A WordPress-style news page: navigation, head scripts and styles, an advert, a hostile
#: <script> element inside the article, hostile text (escaped) in a paragraph, a nested
#: comment thread, a comment form and a footer.
NEWS_PAGE = """<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<title>Council’s children’s services rated inadequate | Community Care</title>
<meta property="og:title" content="Council’s children’s services rated inadequate">
<meta property="article:published_time" content="2017-03-03T10:42:00+00:00">
<script>window.dataLayer = [{"page": "article"}]; document.write("TRACKING-PIXEL");</script>
<style>body { font-family: sans-serif } .STYLE-RULE { display: none }</style>
</head>
<body class="single-post has-ads">
<header><nav><ul><li><a href="/">Home</a></li><li><a href="/news">News desk</a></li>
<li><a href="/jobs">Social work jobs board</a></li><li><a href="/login">Log in</a></li></ul></nav></header>
<div class="ad ad-leaderboard">ADVERT: Get 20% off agency rates today</div>
<main>
<article>
<h1>Council’s children’s services rated inadequate</h1>
<p class="byline">by Jane Smith on <time datetime="2017-03-03">March 3, 2017</time></p>
<div class="entry-content">
<p>Bradford council’s children’s services have been rated inadequate by Ofsted after inspectors found social workers were carrying caseloads that were too high.</p>
<p>Inspectors said management oversight of cases was weak and that children at risk were not always identified quickly enough.</p>
<script>alert("HOSTILE-SCRIPT-ELEMENT");</script>
<p>The council said it would invest £1 million in recruiting more social workers. “We accept the findings in full,” said Mark Douglas, the strategic director of children’s services.</p>
<div class="advert sponsored-box">Sponsored: Best agency social work jobs</div>
<p>A spokesperson wrote in an email: &lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; which was shown, not run.</p>
</div>
</article>
<section id="comments" class="comments-area">
<h2 class="comments-title">3 Responses to “Council’s children’s services rated inadequate”</h2>
<ol class="commentlist">
<li class="comment" id="comment-1">
<article id="div-comment-1" class="comment-body">
<div class="comment-author vcard"><img class="avatar" src="a.png" alt=""><cite class="fn">Sam Worker</cite> <span class="says">says:</span></div>
<div class="comment-meta commentmetadata"><a href="#comment-1">March 3, 2017 at 11:15 am</a></div>
<p>Caseloads of 30 are normal here. The council was rated outstanding once, believe it or not.</p>
<div class="reply"><a class="comment-reply-link" href="#respond">Reply</a></div>
</article>
<ul class="children">
<li class="comment" id="comment-2">
<div class="comment-author vcard"><cite class="fn">Alex Manager</cite> <span class="says">says:</span></div>
<div class="comment-meta commentmetadata"><a href="#comment-2">March 3, 2017 at 12:01 pm</a></div>
<p>Agreed, the funding never reaches the front line.</p>
<p>&lt;script&gt;alert("comment")&lt;/script&gt;</p>
</li>
</ul>
</li>
<li class="comment" id="comment-3">
<div class="comment-author vcard"><cite class="fn">Pat Parent</cite> <span class="says">says:</span></div>
<div class="comment-meta commentmetadata"><a href="#comment-3">March 4, 2017 at 9:00 am</a></div>
<p>Kirklees was rated good in my dreams.</p>
</li>
</ol>
<div id="respond" class="comment-respond"><h3>Leave a Reply</h3>
<form class="comment-form"><label>Your name</label><input name="author"><textarea>COMMENT-FORM</textarea></form></div>
</section>
</main>
<footer><p>© 2017 Mark Allen Group. <a href="/privacy">Privacy policy</a> <a href="/cookies">Cookie settings</a></p></footer>
<script src="/wp-content/tracker.js"></script>
</body>
</html>
"""

BOILERPLATE = ("TRACKING-PIXEL", "STYLE-RULE", "News desk", "Social work jobs board", "ADVERT", "Sponsored",
               "HOSTILE-SCRIPT-ELEMENT", "Mark Allen Group", "Privacy policy", "COMMENT-FORM", "Leave a Reply",
               "Responses to")

#: Comments in plain text formats (no comment markup), a schema.org comment, and Latin-1 bytes.
PLAIN_COMMENTS_PAGE = """<html><head><meta charset="iso-8859-1"><title>Wakefield told to improve</title></head><body>
<div class="site-nav"><a href="/">Home</a> | <a href="/news">News</a></div>
<div class="story">
<h1>Wakefield told to improve</h1>
<div class="meta">Published: 3 March 2017</div>
<p>Wakefield council has been told by Ofsted to improve its services for children after a monitoring visit found delays in assessments.</p>
<p>Inspectors said the front door was overwhelmed by referrals, and the café at the town hall was not the problem.</p>
</div>
<div id="comments"><h3>Comments (2)</h3>
<p>Jane D | 3 March 2017 10:42</p>
<p>Nothing new here.</p>
<p>Bob K | 4 March 2017 08:00</p>
<p>Agency staff are the answer.</p>
</div>
</body></html>
"""

MICRODATA_PAGE = """<html><head><title>Cambridgeshire review</title>
<meta name="date" content="2018-06-01"></head><body>
<article><h1>Cambridgeshire orders a review</h1>
<p>Cambridgeshire county council has ordered an independent review of its children's services after Ofsted found widespread drift in children's plans.</p>
<p>The review will report to councillors in the autumn, a spokesperson said.</p>
<div itemprop="comment" itemscope itemtype="https://schema.org/Comment">
<span itemprop="author">Micro Data</span> <time itemprop="dateCreated" datetime="2018-06-02T08:30:00">2 June</time>
<p>About time too.</p>
</div>
</article></body></html>
"""


def _write(tmp_path: Path, name: str, data: str | bytes, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode(encoding))
    return path


def test_doctests():
    assert doctest.testmod(html).failed == 0


def test_suffixes_are_configured():
    assert set(html.SUFFIXES) == set(config.HTML_SUFFIXES) == {".html", ".htm"}


def test_news_page_keeps_the_article_and_drops_the_page(tmp_path):
    art = html.read_html(_write(tmp_path, "page.html", NEWS_PAGE))
    assert not isinstance(art, IngestError), art
    assert art.source_file == "page.html" and art.kind == "news"
    assert art.title == "Council’s children’s services rated inadequate"
    assert art.date == dt.date(2017, 3, 3)
    assert len(art.sha1) == 40
    paras = art.body.split("\n\n")
    assert paras[0].startswith("Bradford council’s children’s services have been rated inadequate")
    assert "“We accept the findings in full,” said Mark Douglas" in art.body  # curly quotes stay curly
    assert "£1 million" in art.body
    # the escaped text is the article's words, kept literally; the <script> element is gone
    assert "A spokesperson wrote in an email: </script><script>alert(1)</script> which was shown, not run." in paras
    everything = "\n".join([art.title or "", art.standfirst or "", art.body,
                            *(c.text + c.author for c in art.comments)])
    for junk in BOILERPLATE:
        assert junk not in everything, junk


def test_comments_are_comments_never_body(tmp_path):
    art = html.read_html(_write(tmp_path, "page.html", NEWS_PAGE))
    assert [(c.number, c.author, c.reply_to, c.created) for c in art.comments] == [
        ("1", "Sam Worker", None, dt.datetime(2017, 3, 3, 11, 15)),
        ("1.1", "Alex Manager", "1", dt.datetime(2017, 3, 3, 12, 1)),
        ("2", "Pat Parent", None, dt.datetime(2017, 3, 4, 9, 0)),
    ]
    assert art.comments[0].text == "Caseloads of 30 are normal here. The council was rated outstanding once, believe it or not."
    assert art.comments[1].text == 'Agreed, the funding never reaches the front line.\n\n<script>alert("comment")</script>'
    for comment in art.comments:
        assert comment.text not in art.text_for_extraction
        assert "Reply" not in comment.text and "says:" not in comment.text
    assert "Kirklees" not in art.text_for_extraction


def test_plain_text_comments_go_through_the_text_parser_and_latin1_decodes(tmp_path):
    art = html.read_html(_write(tmp_path, "wakefield.htm", PLAIN_COMMENTS_PAGE, encoding="latin-1"))
    assert not isinstance(art, IngestError), art
    assert art.title == "Wakefield told to improve"
    assert art.date == dt.date(2017, 3, 3)
    assert "the café at the town hall" in art.body and "\ufffd" not in art.body
    assert [(c.number, c.author, c.text, c.created) for c in art.comments] == [
        ("1", "Jane D", "Nothing new here.", dt.datetime(2017, 3, 3, 10, 42)),
        ("2", "Bob K", "Agency staff are the answer.", dt.datetime(2017, 3, 4, 8, 0)),
    ]
    assert "Home" not in art.body and "Nothing new" not in art.body


def test_schema_org_comments_outside_a_comment_section(tmp_path):
    art = html.read_html(_write(tmp_path, "cambs.html", MICRODATA_PAGE))
    assert art.title == "Cambridgeshire orders a review"
    assert art.date == dt.date(2018, 6, 1)
    assert [(c.author, c.text, c.created) for c in art.comments] == [
        ("Micro Data", "About time too.", dt.datetime(2018, 6, 2, 8, 30))]
    assert "About time" not in art.body


@pytest.mark.parametrize("encoding,prefix", [("utf-8", b"\xef\xbb\xbf"), ("cp1252", b""), ("utf-8", b"")])
def test_encodings_without_a_declared_charset(tmp_path, encoding, prefix):
    page = NEWS_PAGE.replace('<meta charset="utf-8">', "")
    art = html.read_html(_write(tmp_path, "p.html", prefix + page.encode(encoding)))
    assert art.title == "Council’s children’s services rated inadequate"
    assert "“We accept the findings in full,”" in art.body and "\ufffd" not in art.body


def test_reading_is_deterministic(tmp_path):
    path = _write(tmp_path, "page.html", NEWS_PAGE)
    assert html.read_html(path) == html.read_html(path)


@pytest.mark.parametrize("data,reason", [
    (b"", "empty"),
    (b"  \n\t \r\n", "empty"),
    (bytes(range(256)) * 40, "binary"),
    (b"<html><head><script>var x = 1;</script></head><body><nav><a href='/'>Home</a></nav></body></html>",
     "no article text"),
    (b"just some words and no markup at all", "not an HTML page"),
])
def test_pages_that_are_no_article_are_rejected_with_a_reason(tmp_path, data, reason):
    result = html.read_html(_write(tmp_path, "bad.html", data))
    assert isinstance(result, IngestError)
    assert reason in result.reason
    assert result.path.name == "bad.html"


def test_too_large_and_missing_pages_are_rejected(tmp_path):
    path = _write(tmp_path, "big.html", NEWS_PAGE)
    result = html.read_html(path, max_bytes=100)
    assert isinstance(result, IngestError) and result.reason.startswith("too large")
    missing = html.read_html(tmp_path / "gone.html")
    assert isinstance(missing, IngestError) and "cannot read" in missing.reason


@pytest.mark.parametrize("data", [
    b"<", b"<>", b"<?xml version='1.0' encoding='utf-8'?><html><body><p>x</p></body></html>",
    b"<html>\x00\x00<p>NUL</p></html>", b"\xff\xfe<\x00h\x00t\x00m\x00l\x00>\x00",
    b"<p>" * 5000, b"<div>" * 3000 + b"deep" + b"</div>" * 3000,
    b'<meta charset="no-such-charset"><p>Text</p>', b'<meta charset="shift_jis"><p>\x82\xa0</p>',
    b"<html><body><p>&#0;&#xD800;&#x110000;&#xFFFE;</p></body></html>",
])
def test_hostile_markup_never_raises(tmp_path, data):
    result = html.read_html(_write(tmp_path, "x.html", data))
    assert isinstance(result, (IngestError, html.Article))


def test_evidence_is_verbatim_in_the_extracted_text(tmp_path):
    """Provenance: every fact's evidence is in the extracted text that `python -m kg.sources.html` prints;
    no fact comes from a comment."""
    from kg.extract.extractor import Extractor

    path = _write(tmp_path, "page.html", NEWS_PAGE)
    art = html.read_html(path)
    result = Extractor().extract(art)
    assert result.facts, "the page states facts"
    space = lambda s: re.sub(r"\s+", " ", s).strip()  # noqa: E731
    text = space(html.extracted_text(path))
    assert text == space(art.text_for_extraction)
    for fact in result.facts:
        assert space(fact.evidence.text) in text, fact
    ratings = {getattr(f, "rating", None) for f in result.facts}
    assert "inadequate" in ratings and "outstanding" not in ratings and "good" not in ratings
    printed = subprocess.run([sys.executable, "-m", "kg.sources.html", str(path)], cwd=ROOT,
                             capture_output=True, text=True, check=True).stdout
    assert space(printed) == text


def test_build_reads_html_pages(tmp_path):
    """A folder with a page and a text article builds; the page's node keeps its file name."""
    from rdflib import Graph, Literal, Namespace

    articles, out = tmp_path / "in", tmp_path / "out"
    articles.mkdir()
    _write(articles, "page.html", NEWS_PAGE)
    _write(articles, "story.HTM", MICRODATA_PAGE)
    seed = next(iter(sorted((ROOT / "data" / "articles").glob("*.txt"))))
    (articles / seed.name).write_bytes(seed.read_bytes())
    run = subprocess.run([sys.executable, "build.py", "build", "--articles", str(articles), "--out", str(out)],
                         cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-2000:]
    import json

    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    files = {f["file"]: f for f in report["files"]}
    assert set(files) == {"page.html", "story.HTM", seed.name}
    assert files["page.html"]["comments"] == 3 and files["page.html"]["facts"]
    graph = Graph()
    graph.parse(out / "graph.ttl")
    ckg, schema = Namespace("https://w3id.org/councilkg/def#"), Namespace("https://schema.org/")
    node = graph.value(predicate=ckg.sourceFile, object=Literal("page.html"))
    assert node is not None
    assert str(graph.value(node, schema.headline)) == "Council’s children’s services rated inadequate"
    assert len(list(graph.subjects(schema.about, node))) == 3
    viewer = (out / "viewer.html").read_bytes()
    assert b"<script>alert" not in viewer.lower()
