"""Tests for kg.sources (news text): the five seed articles, hand-made fixtures, encodings, duplicates."""
from __future__ import annotations

import datetime as dt
import doctest
import json
import random
import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.sources import articles, dates, decode, duplicates, news, patterns
from kg.config import DATA
from kg.graph.facts import Article
from kg.sources.articles import IngestError, UnreadableFile, article_from_bytes, iter_articles, read_article
from kg.sources.decode import decode_bytes
from kg.sources.duplicates import find_duplicates
from kg.sources.patterns import load_patterns
from kg.sources.news import parse_text

SEEDS = DATA / "articles"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ingest"
SEED_FILES = sorted(SEEDS.glob("*.txt"))


def _seed(prefix: str) -> Path:
    return next(p for p in SEED_FILES if p.name.startswith(prefix))


def _squash(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def seeds() -> dict[str, Article]:
    return {p.name[:3]: read_article(p) for p in SEED_FILES}


# --------------------------------------------------------------------------------------------
# Seeds


def test_seed_files_present() -> None:
    assert [p.name[:3] for p in SEED_FILES] == ["000", "001", "002", "003", "004"]


def test_seed_000(seeds: dict[str, Article]) -> None:
    art = seeds["000"]
    assert art.title == "Ofsted criticises council where some social workers have caseloads of over 50"
    assert art.standfirst.startswith("Monitoring visit to 'inadequate' council")
    assert art.standfirst.endswith("at all levels'")
    assert art.date is None
    assert art.reference_date == dt.date(2019, 7, 15)  # first comment
    assert art.body.startswith("An ‘inadequate’ children’s service")
    assert art.body.endswith("We are working with effort and determination to get there.”")
    assert "Not enough social workers" in art.body.split("\n\n")  # subheading kept
    for trailer in ("Photo:", "mnirat", "paperwork Stacked files", "Community Care Live",
                    "Register now", "More from Community Care", "Responses to", "Opal Lady"):
        assert trailer not in art.body
    assert art.comments_declared == 11
    assert len(art.comments) == 11
    assert [c.author for c in art.comments] == [
        "Opal Lady", "HandsomeSw", "sw", "Dr khizar", "Janet Ryalls", "Anon", "Loiner",
        "K lee", "Disillusioned", "Peter Endersby", "sw",
    ]
    assert [c.number for c in art.comments] == [
        "1", "1.1", "2", "3", "4", "5", "5.1", "6", "7", "8", "9",
    ]
    by_author = {c.author: c for c in art.comments}
    assert by_author["HandsomeSw"].reply_to == "1"
    assert by_author["Loiner"].reply_to == "5"
    assert by_author["Opal Lady"].reply_to is None
    assert by_author["Opal Lady"].created == dt.datetime(2019, 7, 15, 17, 4)
    assert by_author["Opal Lady"].text.startswith("This is nothing new.")
    assert by_author["Opal Lady"].text.count("\n\n") == 4  # five paragraphs
    assert by_author["Opal Lady"].text.endswith("if their lives depended on it!")
    assert by_author["K lee"].text.count("\n") == 1  # two lines, one paragraph
    assert art.comments[-1].text == "It’s a sad reality."
    assert art.warnings == []
    assert len(art.sha1) == 40


def test_seed_001_date_line_no_title(seeds: dict[str, Article]) -> None:
    art = seeds["001"]
    assert art.title is None
    assert art.standfirst is None
    assert art.date == dt.date(2019, 7, 15)
    assert art.reference_date == dt.date(2019, 7, 15)
    assert art.body.startswith("An ‘inadequate’ children’s service")
    assert art.body.endswith("determination to get there.”")
    assert "date 2019" not in art.body and "Photo:" not in art.body
    assert "Positive" in art.body.split("\n\n")
    assert art.comments == [] and art.comments_declared is None


def test_seed_002(seeds: dict[str, Article]) -> None:
    art = seeds["002"]
    assert art.title == "Ofsted issues warning over ‘unmanageable’ caseloads"
    assert art.standfirst == (
        "Watchdog says quality of leadership is vital to supporting social work and turning "
        "around poor performing services"
    )
    assert art.date is None and art.reference_date == dt.date(2016, 6, 28)
    assert art.body.startswith("Ofsted has warned councils they need to")
    assert _squash(art.body).endswith("The consultation closes on 9 September.")
    assert "Picture:" not in art.body and "eaglesky" not in art.body
    assert "• Children had too many changes of social worker" in art.body
    assert art.comments_declared == 4
    assert [c.author for c in art.comments] == ["LongtimeSW", "Lyla", "Tom J", "The voice of despair"]
    assert all(c.reply_to is None for c in art.comments)
    assert art.comments[0].text == (
        "No shirt Sherlock!\n\nCaseloads too high? Include IT breakdowns, working late and "
        "weekends, worker fatigue and the focus being ‘value for money’ rather than quality, "
        "alongside reduced early help/closed familycentres etc. being ignored by senior "
        "management as a contributory factor."
    )


def test_seed_003(seeds: dict[str, Article]) -> None:
    art = seeds["003"]
    assert art.title == "Council with ‘too few social workers’ rated ‘inadequate’"
    assert art.standfirst == "Council told to improve management oversight and the quality of social work practice"
    assert art.body.startswith("A council’s children’s services has been judged ‘inadequate’")
    assert art.body.endswith("we are also rapidly filling other vacancies.”")
    assert "Fuzzbones" not in art.body
    assert art.comments_declared == 5 and len(art.comments) == 5
    assert [c.author for c in art.comments] == [
        "john Stephenson", "Blair Mcpherson", "L A worker 2", "LM", "O B 1",
    ]
    lm = art.comments[3]
    assert (lm.number, lm.reply_to) == ("3.1", "3")
    assert lm.created == dt.datetime(2018, 8, 3, 20, 23)
    assert art.comments[2].created == dt.datetime(2018, 7, 24, 0, 15)  # 12:15 am
    assert art.reference_date == dt.date(2018, 7, 18)


def test_seed_004(seeds: dict[str, Article]) -> None:
    art = seeds["004"]
    assert art.title.startswith("Council’s ‘unacceptable’ caseloads damaging quality")
    assert art.standfirst.startswith("Inspectorate says recruitment efforts in Cambridgeshire")
    assert art.date is None and art.reference_date is None
    assert art.body.startswith("Ofsted has said social workers at Cambridgeshire’s")
    assert art.body.endswith("will be used to help us better protect our children.”")
    for trailer in ("Comments are closed.", "More from Community Care", "credit", "StockPhotoPro"):
        assert trailer not in art.body
    assert "• Managers’ and social workers’ understanding of the risks of sexual abuse." in art.body
    assert art.comments == [] and art.comments_declared is None


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.name[:3])
def test_seed_body_is_verbatim(path: Path) -> None:
    """Every body paragraph (and title, standfirst) is in the file, modulo whitespace."""
    art = read_article(path)
    original = _squash(path.read_text(encoding="utf-8"))
    paragraphs = art.body.split("\n\n")
    assert len(paragraphs) > 10
    for part in [art.title, art.standfirst, *paragraphs]:
        if part:
            assert _squash(part) in original, part
    assert "\n\n\n" not in art.body and art.body == art.body.strip()


def test_seed_comments_verbatim(seeds: dict[str, Article]) -> None:
    for key, art in seeds.items():
        original = _squash(_seed(key).read_text(encoding="utf-8"))
        for comment in art.comments:
            for paragraph in comment.text.split("\n\n"):
                assert _squash(paragraph) in original


# --------------------------------------------------------------------------------------------
# Hand-made fixtures and small variants


def test_fixture_date_first_then_title() -> None:
    art = read_article(FIXTURES / "date_first_with_title.txt")
    assert art.date == dt.date(2021, 3, 3)
    assert art.title == "Council rated good after turnaround"
    assert art.standfirst == "Inspectors praise a stable workforce and lower caseloads"
    assert art.body.split("\n\n") == [
        "Ofsted rated the council’s children’s services ‘good’, up from ‘inadequate’ in 2018.",
        "Inspectors noted:",
        "• Caseloads had fallen to about 16 children per worker.\n• Agency use had halved.",
        "“We are proud of our staff,” the director said.",
    ]


def test_fixture_nested_replies_and_count_warning() -> None:
    art = read_article(FIXTURES / "nested_replies.txt")
    assert art.title == "Caseloads rise again in the north"
    assert art.standfirst == "A short standfirst with no full stop"  # found without a credit line
    assert art.body == (
        "Social workers in the region held more cases than last year.\n\n"
        "The council said recruitment was improving."
    )
    assert [(c.number, c.author, c.reply_to) for c in art.comments] == [
        ("1", "Alice Smith", None),
        ("1.1", "Bob", "1"),
        ("1.1.1", "Carol", "1.1"),
        ("2", "Dan", None),
    ]
    assert art.comments[0].created == dt.datetime(2019, 7, 15, 9, 30)
    assert art.comments[0].text == "First comment, first paragraph.\n\nSecond paragraph."
    assert art.comments[3].text == "Second comment\non two lines."
    assert art.comments_declared == 3
    assert any("declares 3 responses but 4" in w for w in art.warnings)
    assert art.reference_date == dt.date(2019, 7, 14)  # earliest comment, not the first listed


@pytest.mark.parametrize(
    ("first_line", "expected"),
    [
        ("Published: 15 July 2019", dt.date(2019, 7, 15)),
        ("15 July 2019", dt.date(2019, 7, 15)),
        ("2019-07-15", dt.date(2019, 7, 15)),
        ("date 2019-07-15", dt.date(2019, 7, 15)),
        ("July 15, 2019", dt.date(2019, 7, 15)),
    ],
)
def test_date_line_forms(first_line: str, expected: dt.date) -> None:
    art = parse_text(f"{first_line}\n\nThe council was rated inadequate.\n", source_file="x.txt")
    assert art.date == expected and art.reference_date == expected
    assert art.title is None
    assert art.body == "The council was rated inadequate."


def test_invalid_date_is_not_a_date_line() -> None:
    art = parse_text("2019-02-30\n\nBody text here.\n", source_file="x.txt")
    assert art.date is None and art.title == "2019-02-30"


def test_date_line_under_headline() -> None:
    art = parse_text(
        "Headline here\n\nPublished: 1 May 2020\n\nStandfirst here\n\nPhoto: X/Y\n\nBody one.\n",
        source_file="x.txt",
    )
    assert (art.title, art.date, art.standfirst, art.body) == (
        "Headline here", dt.date(2020, 5, 1), "Standfirst here", "Body one.",
    )


def test_title_recovered_from_comments_header() -> None:
    art = parse_text(
        "date 2020-01-02 Photo: A/B\n\nBody sentence.\n\n2 Responses to The real headline\n\n"
        "  1. Ann January 3, 2020 at 9:00 am #\n\n    Hi.\n\n  2. Ben January 4, 2020 at 9:00 pm #\n\n    Yo.\n",
        source_file="x.txt",
    )
    assert art.title == "The real headline"
    assert art.body == "Body sentence."
    assert [c.author for c in art.comments] == ["Ann", "Ben"]
    assert art.warnings == []


def test_responses_sentence_in_body_is_not_a_comments_header() -> None:
    text = (
        "Headline\n\nStandfirst\n\nPhoto: X\n\nFirst.\n\n"
        "12 responses to the consultation were received.\n\nLast paragraph.\n"
    )
    art = parse_text(text, source_file="x.txt")
    assert art.body.endswith("Last paragraph.")
    assert art.comments_declared is None


def test_mid_body_credit_and_related_lines_dropped() -> None:
    text = (
        "Headline\n\nStandfirst\n\nPhoto: X\n\nFirst.\n\nRelated: Other story\n\n"
        "Picture: someone else\n\nSecond.\n"
    )
    assert parse_text(text, source_file="x.txt").body == "First.\n\nSecond."


def test_file_opening_with_credit_has_no_title() -> None:
    art = parse_text("Photo: A/B\n\nFirst sentence.\n\nSecond.\n", source_file="x.txt")
    assert (art.title, art.standfirst, art.body) == (None, None, "First sentence.\n\nSecond.")


def test_date_inside_a_paragraph_splits_it() -> None:
    art = parse_text(
        "Headline\n\nStandfirst\nPublished: 2 June 2021 Extra words.\n\nPhoto: X\n\nBody.\n",
        source_file="x.txt",
    )
    assert art.date == dt.date(2021, 6, 2)
    assert art.standfirst == "Standfirst"
    assert art.body == "Extra words.\n\nBody."


def test_long_first_line_is_not_a_title() -> None:
    long_line = "word " * 100
    art = parse_text(long_line + "\n\nmore", source_file="x.txt")
    assert art.title is None
    assert any("too long to be a headline" in w for w in art.warnings)
    assert art.body.startswith("word word")


def test_patterns_file_is_valid_and_strict(tmp_path: Path) -> None:
    pats = load_patterns()
    assert pats.credit_line and pats.end_of_body and pats.drop_paragraph
    raw = json.loads(patterns.PATTERNS_FILE.read_text(encoding="utf-8"))
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({**raw, "credit_lines": []}), encoding="utf-8")
    with pytest.raises(ValueError, match="unknown key"):
        load_patterns(bad)
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps({**raw, "end_of_body": [{"id": "x", "pattern": "("}]}), encoding="utf-8")
    with pytest.raises(ValueError, match=r"end_of_body\[0\]: bad pattern for rule 'x'"):
        load_patterns(broken)
    nogroup = tmp_path / "nogroup.json"
    nogroup.write_text(json.dumps({**raw, "date_line": [{"id": "x", "pattern": "^x$"}]}), encoding="utf-8")
    with pytest.raises(ValueError, match="lacks groups"):
        load_patterns(nogroup)


@pytest.mark.parametrize("module", [decode, news, dates, duplicates], ids=lambda m: m.__name__)
def test_doctests(module) -> None:
    result = doctest.testmod(module)
    assert result.attempted >= 1 and result.failed == 0


# --------------------------------------------------------------------------------------------
# Encodings and bad files

ARTICLE = (
    "Council’s “inadequate” rating\n\nStandfirst about the café\n\nPhoto: X\n\n"
    "The council’s director said: “We will improve.”\n\nMore from Community Care\n"
)


def _read_bytes(tmp_path: Path, data: bytes, name: str = "a.txt") -> Article:
    path = tmp_path / name
    path.write_bytes(data)
    return read_article(path)


def test_utf8_bom(tmp_path: Path) -> None:
    art = _read_bytes(tmp_path, b"\xef\xbb\xbf" + ARTICLE.encode("utf-8"))
    assert art.title == "Council’s “inadequate” rating"
    assert art.warnings == []


def test_cp1252_curly_quotes(tmp_path: Path) -> None:
    data = ARTICLE.encode("cp1252")
    assert b"\x92" in data and b"\x93" in data and b"\x94" in data
    art = _read_bytes(tmp_path, data)
    assert art.title == "Council’s “inadequate” rating"
    assert art.standfirst == "Standfirst about the café"
    assert art.body == "The council’s director said: “We will improve.”"
    assert any("cp1252" in w for w in art.warnings)


def test_latin1_accents(tmp_path: Path) -> None:
    text = "Café closes\n\nPhoto: X\n\nThe café near the town hall closed, said the résumé.\n"
    art = _read_bytes(tmp_path, text.encode("latin-1"))
    assert art.title == "Café closes"
    assert art.body == "The café near the town hall closed, said the résumé."
    assert "\ufffd" not in art.body


def test_utf8_with_stray_cp1252_bytes(tmp_path: Path) -> None:
    data = "Council’s “inadequate” rating\n\nPhoto: X\n\nIt’s".encode("utf-8") + b" bad\x92s day.\n"
    art = _read_bytes(tmp_path, data)
    assert art.title == "Council’s “inadequate” rating"
    assert art.body == "It’s bad’s day."
    assert any("not valid UTF-8" in w for w in art.warnings)


def test_undefined_cp1252_byte_is_dropped_with_warning(tmp_path: Path) -> None:
    art = _read_bytes(tmp_path, b"Title\n\nPhoto: X\n\nAbc\x81def \x93q\x94.\n")
    assert art.body == "Abcdef “q”."
    assert any("dropped" in w for w in art.warnings)


def test_crlf_and_cr(tmp_path: Path) -> None:
    art = _read_bytes(tmp_path, ARTICLE.replace("\n", "\r\n").encode("utf-8"))
    assert art.body == "The council’s director said: “We will improve.”"
    assert art.standfirst == "Standfirst about the café"
    art = _read_bytes(tmp_path, ARTICLE.replace("\n", "\r").encode("utf-8"), "b.txt")
    assert art.title == "Council’s “inadequate” rating"
    assert "\r" not in art.body


def test_nul_bytes_stripped(tmp_path: Path) -> None:
    data = ARTICLE.encode("utf-8").replace(b"council", b"coun\x00cil", 1)
    art = _read_bytes(tmp_path, data)
    assert art.body == "The council’s director said: “We will improve.”"
    assert any("NUL" in w for w in art.warnings)


def test_utf16_with_and_without_bom(tmp_path: Path) -> None:
    art = _read_bytes(tmp_path, ARTICLE.encode("utf-16"))
    assert art.title == "Council’s “inadequate” rating" and art.warnings == []
    art = _read_bytes(tmp_path, ARTICLE.encode("utf-16-le"), "b.txt")
    assert art.title == "Council’s “inadequate” rating"
    assert any("utf-16-le" in w for w in art.warnings)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty file"),
        (b"  \n\t\r\n  ", "empty file"),
        (b"\xef\xbb\xbf\n", "empty file"),
        (random.Random(0).randbytes(4096), "looks binary"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, "looks binary"),
        (b"\xff\xfe" + b"\x00\xd8" + b"A\x00", "undecodable"),
    ],
    ids=["empty", "whitespace", "bom-only", "random", "png", "bad-utf16"],
)
def test_unreadable_files(tmp_path: Path, data: bytes, reason: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(data)
    with pytest.raises(UnreadableFile) as info:
        read_article(path)
    assert info.value.reason.startswith(reason)
    [(got_path, error)] = list(iter_articles(tmp_path))
    assert got_path == path and isinstance(error, IngestError)
    assert error.reason.startswith(reason) and error.path == path


def test_binary_reason_reports_percentage(tmp_path: Path) -> None:
    (tmp_path / "x.txt").write_bytes(b"\x01\x02\x03abcdefg")
    [(_, error)] = list(iter_articles(tmp_path))
    assert re.fullmatch(r"looks binary: \d+% control bytes", error.reason)


def test_too_large(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_bytes(ARTICLE.encode("utf-8") * 10)
    with pytest.raises(UnreadableFile, match="too large"):
        read_article(path, max_bytes=100)
    [(_, error)] = list(iter_articles(tmp_path, max_bytes=100))
    assert error.reason.startswith("too large")
    assert articles.MAX_BYTES == 20 * 1024 * 1024


def test_iter_articles_order_and_skips(tmp_path: Path) -> None:
    (tmp_path / "b.txt").write_bytes(ARTICLE.encode("utf-8"))
    (tmp_path / "a.TXT").write_bytes(ARTICLE.encode("cp1252"))
    (tmp_path / "c.txt").write_bytes(b"")
    (tmp_path / ".hidden.txt").write_bytes(ARTICLE.encode("utf-8"))
    (tmp_path / "notes.md").write_bytes(ARTICLE.encode("utf-8"))
    (tmp_path / "sub.txt").mkdir()
    (tmp_path / "sub.txt" / "d.txt").write_bytes(ARTICLE.encode("utf-8"))
    got = list(iter_articles(tmp_path))
    assert [p.name for p, _ in got] == ["a.TXT", "b.txt", "c.txt"]
    assert isinstance(got[0][1], Article) and isinstance(got[1][1], Article)
    assert got[0][1].source_file == "a.TXT"
    assert got[2][1] == IngestError(tmp_path / "c.txt", "empty file")
    assert [p.name for p, _ in iter_articles(tmp_path, suffixes=(".md",))] == ["notes.md"]


def test_iter_seeds_all_read() -> None:
    got = list(iter_articles(SEEDS))
    assert [p.name for p, _ in got] == [p.name for p in SEED_FILES]
    assert all(isinstance(a, Article) for _, a in got)


def test_sha1_is_of_raw_bytes(tmp_path: Path) -> None:
    import hashlib

    data = b"\xef\xbb\xbf" + ARTICLE.encode("utf-8")
    assert _read_bytes(tmp_path, data).sha1 == hashlib.sha1(data).hexdigest()


# --------------------------------------------------------------------------------------------
# Properties

_SEED_LINES = [ln for p in SEED_FILES for ln in p.read_text(encoding="utf-8").split("\n")]
_line = st.one_of(
    st.sampled_from(_SEED_LINES),
    st.text(max_size=60),
    st.sampled_from(["", "", "Photo: x", "More from Community Care", "3 Responses to X",
                     "  1. A July 1, 2019 at 1:00 pm #", "    • B July 2, 2019 at 2:00 pm #",
                     "Comments are closed.", " date 2019-07-15 Photo: y", "Published: 1 May 2020"]),
)
_article_text = st.lists(_line, max_size=40).map("\n".join)


def _check_article(art: Article) -> None:
    parts = [art.title, art.standfirst, art.body, *(c.text for c in art.comments),
             *(c.author for c in art.comments)]
    for part in parts:
        if part is None:
            continue
        assert "\r" not in part and "\x00" not in part
        if "\ufffd" in part:
            assert any("U+FFFD" in w for w in art.warnings)
    assert all(isinstance(w, str) for w in art.warnings)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.binary(max_size=3000), _article_text.map(lambda t: t.encode("utf-8", "surrogatepass"))))
def test_property_any_bytes_give_article_or_unreadable(data: bytes) -> None:
    try:
        art = article_from_bytes(data, "x.txt")
    except UnreadableFile as exc:
        assert exc.reason.split(":")[0] in {"empty file", "looks binary", "undecodable"}
        return
    _check_article(art)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_property_iterator_never_raises(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "one.txt").write_bytes(data)
        [(path, result)] = list(iter_articles(Path(folder)))
        assert path.name == "one.txt"
        assert isinstance(result, (Article, IngestError))


@settings(max_examples=300, deadline=None)
@given(_article_text)
def test_property_body_is_verbatim(text: str) -> None:
    try:
        decoded, _ = decode_bytes(text.encode("utf-8", "surrogatepass"))
    except UnreadableFile:
        return
    art = parse_text(decoded, source_file="x.txt")
    original = _squash(decoded)
    for part in [art.title, art.standfirst, *art.body.split("\n\n")]:
        if part:
            assert _squash(part) in original


# --------------------------------------------------------------------------------------------
# Duplicates


def test_seed_duplicates(seeds: dict[str, Article]) -> None:
    articles = [read_article(p) for p in SEED_FILES]  # fresh: find_duplicates mutates
    stats: dict = {}
    dups = find_duplicates(articles, stats=stats)
    assert dups == {"001_129f06aa5f6cc46a.txt": "000_b235c312336cbcdc.txt"}
    by_key = {a.source_file[:3]: a for a in articles}
    assert by_key["001"].duplicate_of == "000_b235c312336cbcdc.txt"
    assert all(by_key[k].duplicate_of is None for k in ("000", "002", "003", "004"))
    # the canonical had no stated date: it takes the duplicate's
    assert by_key["000"].reference_date == dt.date(2019, 7, 15)
    assert stats["duplicate_pairs"] == 1


def test_duplicates_deterministic_and_order_free() -> None:
    a = [read_article(p) for p in SEED_FILES]
    b = [read_article(p) for p in reversed(SEED_FILES)]
    assert find_duplicates(a) == find_duplicates(b) == find_duplicates(a)


def test_duplicate_date_fill_both_ways() -> None:
    body = " ".join(f"word{i}" for i in range(200))
    dated = Article(source_file="b.txt", sha1="", title=None, body=body, date=dt.date(2020, 1, 5),
                    reference_date=dt.date(2020, 1, 5))
    undated = Article(source_file="a.txt", sha1="", title="T", body=body,
                      reference_date=dt.date(2020, 3, 1))  # from a comment
    assert find_duplicates([dated, undated]) == {"b.txt": "a.txt"}
    assert undated.reference_date == dt.date(2020, 1, 5)
    assert dated.reference_date == dt.date(2020, 1, 5)


def test_truncated_copy_is_duplicate_but_short_quote_is_not() -> None:
    rng = random.Random(1)
    words = [f"w{rng.randrange(5000)}" for _ in range(600)]
    full = Article(source_file="full.txt", sha1="", title="T", body=" ".join(words))
    cut = Article(source_file="cut.txt", sha1="", title="T", body=" ".join(words[:400]))
    quote = Article(source_file="quote.txt", sha1="", title="T", body=" ".join(words[:100]))
    assert find_duplicates([full, cut, quote]) == {"cut.txt": "full.txt"}


def test_duplicates_scale_without_pair_explosion() -> None:
    """2,000 unrelated articles plus 20 planted copies: only the copies are compared."""
    rng = random.Random(7)
    vocab = [f"v{i}" for i in range(20000)]
    articles = [
        Article(source_file=f"{i:05d}.txt", sha1="", title="T",
                body=" ".join(rng.choice(vocab) for _ in range(300)))
        for i in range(2000)
    ]
    expected = {}
    for k in range(20):
        src = articles[k * 50]
        words = src.body.split()
        words[rng.randrange(len(words))] = "changed"
        articles.append(Article(source_file=f"dup{k:02d}.txt", sha1="", title=None, body=" ".join(words)))
        expected[f"dup{k:02d}.txt"] = src.source_file
    stats: dict = {}
    assert find_duplicates(articles, stats=stats) == expected
    assert stats["candidate_pairs"] < 5 * len(articles)
    assert stats["compared_pairs"] == 20


def test_shingle_index_keeps_bodies_on_disk_and_reads_them_back(monkeypatch) -> None:
    """The index keeps each body's shingles in its file and only the smallest in memory; read
    back, they are the body's shingles, sorted. Emptying the word cache changes no hash."""
    import numpy as np

    bodies = {f"{i}.txt": " ".join(f"w{(i * 7 + j) % 311}" for j in range(40 + 30 * i)) for i in range(6)}
    bodies["empty.txt"] = ""
    monkeypatch.setattr(duplicates.ShingleIndex, "MAX_WORDS", 10)  # emptied again and again
    with duplicates.ShingleIndex(bottom_size=16) as index:
        for name, body in bodies.items():
            index.add(name, body)
        assert len(index) == len(bodies) and "3.txt" in index and "other.txt" not in index
        for name, body in bodies.items():
            expected = np.array(sorted(duplicates.shingles(body)), dtype=np.int64)
            assert index.shingles(name).tolist() == expected.tolist()
            assert index.bottom(name).tolist() == expected[:16].tolist()
            assert index.length(name) == len(body)
        with pytest.raises(ValueError, match="already"):
            index.add("3.txt", "again")
        with pytest.raises(ValueError, match="need 64"):
            find_duplicates([Article(source_file="0.txt", sha1="", title=None, body=bodies["0.txt"])],
                            prepared=index)
    # closed, it lets go of what it held in memory (the build keeps going for a long time after)
    assert len(index) == 0 and "3.txt" not in index
    assert all(len(values) == 0 for values in (index._where, index._lengths, index._bottoms, index._bottom_ends))


def test_duplicates_match_comparing_every_pair() -> None:
    """On a corpus small enough to compare every pair, the sketches miss no near-duplicate
    (copies cut short, extended, or with words changed) and find no other."""
    rng = random.Random(3)
    vocab = [f"v{i}" for i in range(3000)]
    stock = " ".join(rng.choice(vocab) for _ in range(15))  # a phrase most articles share
    articles = [Article(source_file=f"{i:03d}.txt", sha1="", title="T",
                        body=" ".join([rng.choice(vocab) for _ in range(rng.randrange(30, 300))] + [stock]))
                for i in range(150)]
    for k in range(30):
        words = articles[k * 5].body.split()
        if k % 3 == 0:
            words = words[: int(len(words) * 0.85)]
        elif k % 3 == 1:
            words += [rng.choice(vocab) for _ in range(len(words) // 10)]
        else:
            words[rng.randrange(len(words))] = "changed"
        articles.append(Article(source_file=f"copy{k:02d}.txt", sha1="", title=None, body=" ".join(words)))
    sets = {a.source_file: duplicates.shingles(a.body) for a in articles}
    names = sorted(sets)
    pairs = {(a, b) for i, a in enumerate(names) for b in names[i + 1:]
             if duplicates.similarity(sets[a], sets[b]) >= 0.8}
    stats: dict = {}
    found = find_duplicates(articles, stats=stats)
    assert stats["duplicate_pairs"] == len(pairs) >= 30
    assert {tuple(sorted(p)) for p in found.items()} <= pairs
    assert stats["compared_pairs"] < len(names) * (len(names) - 1) // 20  # not every pair


def test_duplicates_from_a_prepared_index_match_the_bodies() -> None:
    articles = [read_article(p) for p in SEED_FILES]
    with duplicates.ShingleIndex() as index:
        for article in articles:
            index.add(article.source_file, article.body)
            article.body = ""  # let go: the index has what it needs
        assert find_duplicates(articles, prepared=index) == find_duplicates([read_article(p) for p in SEED_FILES])


# --------------------------------------------------------------------------------------------
# Regression: the seeds (and the first two fixtures) parse exactly as before the formats below
# were added. The snapshots were written by the ingest of that time; regenerate them only on a
# deliberate change, with ``_snapshot`` below, and review the diff.


def _snapshot(art: Article) -> dict:
    return {
        "title": art.title,
        "standfirst": art.standfirst,
        "date": art.date.isoformat() if art.date else None,
        "reference_date": art.reference_date.isoformat() if art.reference_date else None,
        "body": art.body,
        "comments_declared": art.comments_declared,
        "comments": [
            {"number": c.number, "author": c.author, "reply_to": c.reply_to,
             "created": c.created.isoformat() if c.created else None, "text": c.text}
            for c in art.comments
        ],
        "warnings": art.warnings,
    }


SEEDS_SNAPSHOT = json.loads((FIXTURES / "seeds_snapshot.json").read_text(encoding="utf-8"))
OLD_FIXTURES_SNAPSHOT = json.loads((FIXTURES / "old_fixtures_snapshot.json").read_text(encoding="utf-8"))


def test_snapshot_covers_every_seed() -> None:
    assert sorted(SEEDS_SNAPSHOT) == [p.name for p in SEED_FILES]


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.name[:3])
def test_seed_matches_snapshot(path: Path) -> None:
    art = read_article(path)
    assert _snapshot(art) == SEEDS_SNAPSHOT[path.name]
    assert art.byline is None


@pytest.mark.parametrize("name", sorted(OLD_FIXTURES_SNAPSHOT))
def test_old_fixture_matches_snapshot(name: str) -> None:
    assert _snapshot(read_article(FIXTURES / name)) == OLD_FIXTURES_SNAPSHOT[name]


# --------------------------------------------------------------------------------------------
# Date lines, datelines and bylines from other outlets

MARCH_3 = dt.date(2017, 3, 3)
BODY = "The council was rated inadequate by Ofsted inspectors.\n\nThe director said the council would improve."

#: (date line as written, byline it gives)
DATE_FORMS = [
    ("Published: 3 March 2017", None),
    ("Published 3 March 2017, 10:42", None),
    ("First published on Fri 3 Mar 2017 10.42 GMT", None),
    ("Last updated: 3 March 2017", None),
    ("Posted on March 3, 2017 by Jane Smith", "Jane Smith"),
    ("By Jane Smith | 3 March 2017", "Jane Smith"),
    ("By Jane Smith, Local Democracy Reporter - Friday, 3 March 2017 10:42",
     "Jane Smith, Local Democracy Reporter"),
    ("BBC News, 3 March 2017", None),
    ("3 March 2017", None),
    ("03/03/2017", None),
    ("3.3.2017", None),
    ("2017-03-03T10:42:00Z", None),
    ("Friday 3rd March 2017", None),
    ("Mar 3, 2017", None),
    ("3 Mar 2017", None),
    ("Date: 3 March 2017", None),
    ("For immediate release: 3 March 2017", None),
    ("Issued: 3 March 2017", None),
]

#: Where the date line stands: under the headline, under a standfirst, as the standfirst's
#: second line, after the photo credit, above the headline.
LAYOUTS = {
    "under-headline": ("Council rated inadequate\n\n{line}\n\nA standfirst without a stop\n\n{body}\n",
                       "Council rated inadequate", "A standfirst without a stop"),
    "under-standfirst": ("Council rated inadequate\n\nA standfirst without a stop\n\n{line}\n\n"
                         "Photo: A/B\n\n{body}\n", "Council rated inadequate", "A standfirst without a stop"),
    "in-standfirst": ("Council rated inadequate\n\nStandfirst.\n{line}\n\n{body}\n",
                      "Council rated inadequate", "Standfirst."),
    "after-credit": ("Council rated inadequate\n\nStandfirst here\n\nPicture: A/B\n\n{line}\n\n{body}\n",
                     "Council rated inadequate", "Standfirst here"),
    "above-headline": ("{line}\n\nCouncil rated inadequate\n\n{body}\n", "Council rated inadequate", None),
}


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
@pytest.mark.parametrize(("line", "byline"), DATE_FORMS, ids=[f for f, _ in DATE_FORMS])
def test_date_forms_in_the_head(line: str, byline: str | None, layout: str) -> None:
    template, title, standfirst = LAYOUTS[layout]
    text = template.format(line=line, body=BODY)
    art = parse_text(text, source_file="x.txt")
    assert art.date == MARCH_3 and art.reference_date == MARCH_3
    assert (art.title, art.standfirst, art.body) == (title, standfirst, BODY)
    assert art.byline == byline
    assert art.warnings == []


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["Last updated: 5 March 2017", "4 March 2017", "Published: 3 March 2017"], dt.date(2017, 3, 3)),
        (["Updated 5 March 2017", "4 March 2017"], dt.date(2017, 3, 4)),
        (["By Jane Smith | 4 March 2017", "Posted on 3 March 2017"], dt.date(2017, 3, 3)),
        (["Published: 3 March 2017", "Published: 4 March 2017"], dt.date(2017, 3, 3)),  # the first
        (["Last modified on Sat 5 Mar 2017 14.00 GMT"], dt.date(2017, 3, 5)),  # when nothing else
        (["Published: 3 March 2017 | Updated: 5 March 2017"], dt.date(2017, 3, 3)),
    ],
)
def test_labelled_date_preferred_updated_last(lines: list[str], expected: dt.date) -> None:
    text = "Headline here\n\n" + "\n\n".join(lines) + "\n\n" + BODY
    art = parse_text(text, source_file="x.txt")
    assert art.date == expected
    assert art.body == BODY  # every date line is taken out of the text


def test_labelled_date_beats_a_dateline() -> None:
    art = read_article(FIXTURES / "press_release.txt")
    assert art.date == MARCH_3  # "Date: 3 March 2017", not the dateline's 2 March


@pytest.mark.parametrize(
    "text",
    [
        "Headline\n\nThe report was published on 3 March 2017 and found failings.\n\nMore text.",
        "Headline\n\nPublished: 3 March 2017, the report said " + "very " * 40 + "much.\n\nMore.",
        "Headline\n\n" + "".join(f"Paragraph {i} of the story.\n\n" for i in range(8)) + "3 March 2017\n\nEnd.",
        "Headline\n\n" + "A long opening paragraph. " * 40 + "\n\n3 March 2017\n\nEnd.",
        "Headline\n\nOn 3 March 2017 – the day of the visit – inspectors arrived.\n\nMore.",
        "Headline\n\n30/02/2017\n\nBody.",
    ],
    ids=["in-sentence", "long-line", "past-head", "after-long-paragraph", "on-date-dash", "impossible"],
)
def test_not_a_date_line(text: str) -> None:
    art = parse_text(text, source_file="x.txt")
    assert art.date is None
    original = _squash(text)
    for part in [art.title, art.standfirst, *art.body.split("\n\n")]:
        if part:
            assert _squash(part) in original
    assert len(_squash(" ".join(p for p in (art.title, art.standfirst, art.body) if p))) == len(original)


@pytest.mark.parametrize(
    ("first", "rest"),
    [
        ("LONDON, 3 March 2017 — Ofsted has warned councils.", "Ofsted has warned councils."),
        ("NEWCASTLE UPON TYNE, Friday 3 March 2017 - Ofsted has warned councils.", "Ofsted has warned councils."),
        ("Leeds, 3 March 2017: Ofsted has warned councils.", "Ofsted has warned councils."),
        ("LONDON (3 March 2017) – Ofsted has warned councils.", "Ofsted has warned councils."),
        ("3 March 2017 -- Ofsted has warned councils.", "Ofsted has warned councils."),
        ("LONDON, 3 March 2017 —", None),
    ],
)
def test_dateline_is_cut_from_the_first_paragraph(first: str, rest: str | None) -> None:
    text = f"Headline\n\nStandfirst here\n\nPhoto: X\n\n{first}\nSecond line of the paragraph.\n\nMore."
    art = parse_text(text, source_file="x.txt")
    assert art.date == MARCH_3
    paragraphs = art.body.split("\n\n")
    if rest is None:
        assert paragraphs == ["Second line of the paragraph.", "More."]
    else:
        assert paragraphs == [f"{rest}\nSecond line of the paragraph.", "More."]
        assert first.endswith(rest)  # a verbatim suffix of the line


def test_dateline_only_in_the_first_paragraph() -> None:
    text = "Headline\n\nPhoto: X\n\nFirst paragraph.\n\nLONDON, 3 March 2017 — later text.\n"
    art = parse_text(text, source_file="x.txt")
    assert art.date is None
    assert art.body == "First paragraph.\n\nLONDON, 3 March 2017 — later text."


@pytest.mark.parametrize(
    ("line", "byline"),
    [
        ("By Jane Smith", "Jane Smith"),
        ("BY JANE SMITH", "JANE SMITH"),
        ("By Jane Smith and John O'Neill", "Jane Smith and John O'Neill"),
        ("By Jane Smith, BBC News", "Jane Smith, BBC News"),
        ("Jane Smith, Social Affairs Correspondent", "Jane Smith, Social Affairs Correspondent"),
        ("Jane Smith, chief reporter", "Jane Smith, chief reporter"),
        ("Jane Smith Social affairs correspondent", "Jane Smith Social affairs correspondent"),
        ("By Jane Smith\nSocial Affairs Correspondent", "Jane Smith, Social Affairs Correspondent"),
        ("Jane Smith\nHealth Editor", "Jane Smith, Health Editor"),
    ],
)
def test_byline_is_neither_standfirst_nor_body(line: str, byline: str) -> None:
    for text, standfirst in (
        (f"Headline\n\n{line}\n\n{BODY}\n", None),
        (f"Headline\n\nStandfirst here\n\n{line}\n\n{BODY}\n", "Standfirst here"),
        (f"Headline\n\nStandfirst here\n\nPhoto: X\n\n{line}\n\n{BODY}\n", "Standfirst here"),
    ):
        art = parse_text(text, source_file="x.txt")
        assert (art.byline, art.standfirst, art.body) == (byline, standfirst, BODY), text


@pytest.mark.parametrize(
    "line",
    [
        "By the time inspectors arrived, caseloads were high.",
        "By March 2018",
        "Letters to the Editor",
        "Jane Smith",  # a bare name is a byline only with a post under it
        "Council leader Jane Smith said the report was fair.",
    ],
)
def test_not_a_byline(line: str) -> None:
    art = parse_text(f"Headline\n\nPhoto: X\n\n{line}\n\n{BODY}\n", source_file="x.txt")
    assert art.byline is None
    assert art.body == f"{line}\n\n{BODY}"


def test_dated_byline_with_post_on_the_next_line_keeps_its_date() -> None:
    art = parse_text(f"Headline\n\nPosted on March 3, 2017 by Jane Smith\nHealth Editor\n\n{BODY}\n",
                     source_file="x.txt")
    assert (art.date, art.byline, art.body) == (MARCH_3, "Jane Smith, Health Editor", BODY)


def test_byline_past_the_head_stays_in_the_body() -> None:
    paras = "".join(f"Paragraph {i} of the story.\n\n" for i in range(8))
    art = parse_text(f"Headline\n\n{paras}By Jane Smith\n\nEnd.", source_file="x.txt")
    assert art.byline is None and art.body.endswith("By Jane Smith\n\nEnd.")


def test_standfirst_with_a_full_stop_above_a_byline() -> None:
    art = parse_text(
        f"Headline\n\nOfsted finds failings in the front door.\n\nBy Jane Smith\n\n{BODY}\n",
        source_file="x.txt",
    )
    assert art.standfirst == "Ofsted finds failings in the front door."
    assert art.body == BODY


def test_press_release_markers_above_the_headline() -> None:
    art = read_article(FIXTURES / "press_release.txt")
    assert art.title == "Northshire welcomes new children's services director"
    assert art.standfirst is None and art.byline is None
    assert art.body.split("\n\n")[0] == (
        "Northshire County Council has appointed Pat Example as its new director of children's services."
    )
    assert "IMMEDIATE" not in art.body and "NORTHTOWN" not in art.body
    assert len(art.body.split("\n\n")) == 4 and art.comments == []


# --------------------------------------------------------------------------------------------
# Comments in other formats

ARTICLE_HEAD = "Council rated inadequate\n\nStandfirst here\n\nPhoto: X\n\n" + "".join(
    f"Body paragraph {i}.\n\n" for i in range(8)
)
ARTICLE_BODY = "\n\n".join(f"Body paragraph {i}." for i in range(8))
TWO_COMMENTS = "Jane D | 3 March 2017 10:42\nFirst comment.\n\nBob T | 3 March 2017 11:00\nSecond comment.\n"


def _comments(tail: str, head: str = ARTICLE_HEAD) -> Article:
    art = parse_text(head + tail, source_file="x.txt")
    assert art.body == ARTICLE_BODY
    return art


@pytest.mark.parametrize(
    ("heading", "declared"),
    [
        ("Comments", None), ("COMMENTS", None), ("Comments (2)", 2), ("2 comments", 2),
        ("2 Comments", 2), ("Two comments", 2), ("Reader comments", None), ("Readers' comments", None),
        ("Readers’ comments", None), ("Reader comments (2)", 2), ("Have your say", None),
        ("Join the discussion", None), ("What our readers say", None), ("Your comments", None),
    ],
)
def test_comments_headings(heading: str, declared: int | None) -> None:
    for head in (ARTICLE_HEAD, "Council rated inadequate\n\nPhoto: X\n\nOne short paragraph.\n\n"):
        art = parse_text(head + f"{heading}\n\n{TWO_COMMENTS}", source_file="x.txt")
        assert "Jane D" not in art.body and heading not in art.body
        assert [(c.number, c.author, c.text) for c in art.comments] == [
            ("1", "Jane D", "First comment."), ("2", "Bob T", "Second comment."),
        ]
        assert art.comments_declared == declared
        assert art.warnings == []


@pytest.mark.parametrize(
    ("header", "author", "created"),
    [
        ("Jane D | 3 March 2017 10:42", "Jane D", dt.datetime(2017, 3, 3, 10, 42)),
        ("Jane D · 03/03/2017 10:42", "Jane D", dt.datetime(2017, 3, 3, 10, 42)),
        ("Jane D, 3 March 2017", "Jane D", dt.datetime(2017, 3, 3)),
        ("Jane D, Friday 3 March 2017 at 10:42am", "Jane D", dt.datetime(2017, 3, 3, 10, 42)),
        ("Jane D on 3 March 2017 at 10:42 said:", "Jane D", dt.datetime(2017, 3, 3, 10, 42)),
        ("Posted by Jane D on 3 March 2017", "Jane D", dt.datetime(2017, 3, 3)),
        ("Posted by Jane D", "Jane D", None),
        ("Jane D wrote:", "Jane D", None),
        ("Jane D said...", "Jane D", None),
        ("Jane D said…", "Jane D", None),
        ("Jane D says:\nMarch 3, 2017 at 10:42 am", "Jane D", dt.datetime(2017, 3, 3, 10, 42)),
        ("Jane D\n3 March 2017 10:42", "Jane D", dt.datetime(2017, 3, 3, 10, 42)),
        ("Jane D\n\n3 Mar 2017 10.42", "Jane D", dt.datetime(2017, 3, 3, 10, 42)),
        ("sw_1977 | 2017-03-03T10:42:00Z", "sw_1977", dt.datetime(2017, 3, 3, 10, 42)),
    ],
)
def test_comment_header_formats(header: str, author: str, created: dt.datetime | None) -> None:
    for separator in ("\n", "\n\n"):
        tail = f"Comments\n\n{header}{separator}First line.\nSecond line.\n\nBob T | 4 March 2017 09:00\nOther."
        art = _comments(tail)
        first, second = art.comments
        assert (first.number, first.author, first.created, first.reply_to) == ("1", author, created, None)
        assert first.text == "First line.\nSecond line."
        assert (second.number, second.author) == ("2", "Bob T")
        assert art.warnings == []


def test_comment_text_lines_that_look_like_headers_only_when_whole() -> None:
    tail = (
        "Comments\n\nJane D | 3 March 2017 10:42\nThe director said: we will improve.\n"
        "They said it was fine.\nI wrote to them on 3 March 2017 and heard nothing.\n"
    )
    [comment] = _comments(tail).comments
    assert comment.text.count("\n") == 2


def test_reply_by_indentation_and_quote_marker() -> None:
    tail = (
        "Comments (4)\n\nJane D | 3 March 2017 10:42\nFirst.\n\n"
        "    Bob T | 3 March 2017 11:00\n    Reply to Jane.\n\n"
        "        Carol W | 3 March 2017 11:30\n        Reply to Bob.\n\n"
        "Dan P | 3 March 2017 12:00\nSecond.\n\n"
        "> Eve R | 3 March 2017 12:30\n> Quoted reply,\n> two lines.\n"
    )
    art = _comments(tail)
    assert [(c.number, c.author, c.reply_to, c.text) for c in art.comments] == [
        ("1", "Jane D", None, "First."),
        ("1.1", "Bob T", "1", "Reply to Jane."),
        ("1.1.1", "Carol W", "1.1", "Reply to Bob."),
        ("2", "Dan P", None, "Second."),
        ("2.1", "Eve R", "2", "Quoted reply,\ntwo lines."),
    ]
    assert any("declares 4 responses but 5" in w for w in art.warnings)


def test_reply_to_marker_before_or_under_the_header() -> None:
    tail = (
        "Comments\n\nJane D | 3 March 2017 10:42\nFirst.\n\nBob T | 3 March 2017 11:00\nSecond.\n\n"
        "Reply to Jane D\nCarol W | 3 March 2017 11:30\nReply to Jane.\n\n"
        "Dan P | 3 March 2017 12:00\nIn reply to Bob T\nReply to Bob.\n\n"
        "Eve R | 3 March 2017 12:30\nReply to the minister: no.\nReply to Nobody Known\n"
    )
    art = _comments(tail)
    assert [(c.number, c.author, c.reply_to) for c in art.comments] == [
        ("1", "Jane D", None), ("2", "Bob T", None), ("1.1", "Carol W", "1"),
        ("2.1", "Dan P", "2"), ("3", "Eve R", None),
    ]
    assert art.comments[2].text == "Reply to Jane."
    assert art.comments[3].text == "Reply to Bob."
    assert art.comments[4].text == "Reply to the minister: no.\nReply to Nobody Known"  # kept as text


def test_page_furniture_in_comments_is_dropped() -> None:
    tail = (
        "Comments (2)\n\nSort by: Newest\n\nJane D | 3 March 2017 10:42\nFirst.\nReply\nReport\n\n"
        "Bob T | 3 March 2017 11:00\nSecond.\nLike\n\nMost read\nSome other story\n"
    )
    art = _comments(tail)
    assert [c.text for c in art.comments] == ["First.", "Second."]
    assert art.warnings == []


def test_unparseable_text_after_heading_is_one_comment_with_warning() -> None:
    art = read_article(FIXTURES / "unparseable_comments.txt")
    assert art.body.endswith("The director said the result belonged to frontline staff.")
    assert "Great news" not in art.body
    [comment] = art.comments
    assert (comment.number, comment.author, comment.created) == ("1", "", None)
    assert comment.text == (
        "Great news for the children of the county.\n\nWell done to all the staff involved."
    )
    assert any("no known comment format" in w for w in art.warnings)


def test_unparseable_text_before_the_first_comment_is_kept() -> None:
    art = _comments("Comments\n\nPlease keep comments civil.\n\n" + TWO_COMMENTS)
    assert [(c.number, c.author, c.text) for c in art.comments] == [
        ("1", "", "Please keep comments civil."), ("2", "Jane D", "First comment."),
        ("3", "Bob T", "Second comment."),
    ]
    assert any("no known comment format" in w for w in art.warnings)


@pytest.mark.parametrize(
    "tail",
    ["Comments", "Join the discussion\n", "0 comments\n\nLeave a comment\n\nName\nEmail\n",
     "Comments\n\nThere are no comments yet.\n", "Have your say\n\nComments are closed."],
)
def test_heading_with_no_comment_ends_the_body(tail: str) -> None:
    art = _comments(tail)
    assert art.comments == []
    assert not [w for w in art.warnings if "declares" not in w]


def test_heading_alone_fixture() -> None:
    art = read_article(FIXTURES / "heading_alone.txt")
    assert art.body == (
        "Ofsted inspectors have returned to Northshire for a monitoring visit.\n\n"
        "The council was rated inadequate in 2016."
    )
    assert (art.date, art.byline, art.comments, art.warnings) == (MARCH_3, "Jane Smith", [], [])


def test_weak_heading_followed_by_prose_is_body() -> None:
    art = parse_text(ARTICLE_HEAD + "Have your say\n\nThe consultation closes on 9 September.\n",
                     source_file="x.txt")
    assert art.body.endswith("Have your say\n\nThe consultation closes on 9 September.")
    assert art.comments == []


def test_comment_count_link_under_the_headline_is_not_a_heading() -> None:
    art = read_article(FIXTURES / "comment_count_link.txt")
    assert art.title == "Caseloads fall in Northshire"
    assert art.standfirst is None
    assert art.byline == "Jane Smith, Social Affairs Correspondent"
    assert art.body.split("\n\n") == [
        "Caseloads in Northshire have fallen to 18 children per social worker, the council has said.",
        "The council recruited 40 permanent social workers last year.",
        "Have your say",
        "The council is consulting on its new early help strategy until 9 September.",
    ]
    assert art.comments == [] and art.warnings == []


@pytest.mark.parametrize("trailer", [
    "RELATED ARTICLES\nCouncil spends £40,000 on away-day\nDirectors warn of shortage\n",
    "Read more\n\n    Library hours cut at three branches\n    School gets new head\n",
    "More on this story\n\nCouncil apologises\n",
])
def test_blocks_of_links_are_not_body(trailer: str) -> None:
    """Headlines of other stories under "RELATED ARTICLES" or "Read more" are not the article's text."""
    art = parse_text(ARTICLE_HEAD + trailer, source_file="x.txt")
    assert art.body == ARTICLE_BODY


def test_the_body_goes_on_after_a_block_of_links() -> None:
    """A block of links inside the article (as some pages put one after the fourth paragraph)."""
    block = "RELATED ARTICLES\n\nPrevious\nNext\nSocial workers 'too scared to act'...\nCouncil apologises\n\n"
    art = parse_text(ARTICLE_HEAD + block + "The council said it would appeal.\n", source_file="x.txt")
    assert art.body == ARTICLE_BODY + "\n\nThe council said it would appeal."


def test_comments_with_a_count_after_the_trailers_are_kept() -> None:
    """A "Comments 4" heading after the trailers, a prompt and a sort bar, then comments in a format
    the reader does not know: they are comments (kept as one, with a warning), never body or lost."""
    tail = ("RELATED ARTICLES\nCouncil spends £40,000 on away-day\n\nComments 2\n\nShare what you think\n\n"
            "Newest  Oldest  Best rated  Worst rated\n\nSame story next door.\n- Kev, Leek, 2 hours ago\n\n"
            "Nobody is ever sacked.\n- Sue, Stoke, 1 hour ago\n")
    art = parse_text(ARTICLE_HEAD + tail, source_file="x.txt")
    assert art.body == ARTICLE_BODY
    assert art.comments_declared == 2
    assert "Same story next door." in art.comments[0].text and "Nobody is ever sacked." in art.comments[-1].text
    assert any("no known comment format" in w for w in art.warnings)


def test_comment_counts_in_related_links_are_not_a_heading() -> None:
    tail = "Related stories\nCouncil rated good\n3 comments\nAnother story\n\nComments (1)\n\n" \
           "Jane D | 3 March 2017 10:42\nFirst.\n"
    art = parse_text(ARTICLE_HEAD + tail, source_file="x.txt")
    assert art.body == ARTICLE_BODY
    assert [(c.author, c.text) for c in art.comments] == [("Jane D", "First.")]
    assert art.comments_declared == 1 and art.warnings == []


def test_plain_comments_after_a_trailer_need_a_heading() -> None:
    art = parse_text(ARTICLE_HEAD + "Related stories\n\nJane D | 3 March 2017 10:42\nFirst.\n",
                     source_file="x.txt")
    assert art.body == ARTICLE_BODY and art.comments == []


# --------------------------------------------------------------------------------------------
# Fixture articles in the styles of other outlets


def _assert_verbatim(path: Path, art: Article) -> None:
    text = path.read_text(encoding="utf-8")
    original = _squash(text)
    for part in [art.title, art.standfirst, *art.body.split("\n\n")]:
        if part:
            assert _squash(part) in original, part
    file_lines = {line.strip().lstrip("> ").strip() for line in text.split("\n")}
    for comment in art.comments:
        for line in comment.text.split("\n"):
            assert not line or line.strip() in file_lines, line


NEW_FIXTURES = sorted(p for p in FIXTURES.glob("*.txt") if p.name not in OLD_FIXTURES_SNAPSHOT)


@pytest.mark.parametrize("path", NEW_FIXTURES, ids=lambda p: p.stem)
def test_new_fixtures_verbatim_and_dated(path: Path) -> None:
    art = read_article(path)
    _assert_verbatim(path, art)
    assert art.date == MARCH_3 or path.name == "comment_count_link.txt"
    assert art.title and "\n\n\n" not in art.body


def test_fixture_guardian_style() -> None:
    art = read_article(FIXTURES / "guardian_style.txt")
    assert art.title == "Children's services in Northshire rated inadequate for second time"
    assert art.standfirst == (
        "Ofsted says leaders failed to act on warnings about caseloads and drift in child protection work."
    )
    assert art.byline == "Jane Smith Social affairs correspondent"
    assert art.date == MARCH_3  # not the "Last modified" date
    paragraphs = art.body.split("\n\n")
    assert len(paragraphs) == 7
    assert paragraphs[0].startswith("Children's services in Northshire have been rated")
    assert "Photograph" not in art.body and "Comments" not in art.body
    assert art.comments_declared == 3
    assert [(c.number, c.author, c.created, c.reply_to) for c in art.comments] == [
        ("1", "Kim Reader", dt.datetime(2017, 3, 3, 11, 2), None),
        ("1.1", "Sam Worker", dt.datetime(2017, 3, 3, 11, 15), "1"),
        ("2", "Lee Parent", dt.datetime(2017, 3, 3, 12, 30), None),
    ]
    assert art.comments[2].text == "The council has known about this since 2014.\nIt should have acted then."
    assert art.warnings == []


def test_fixture_local_democracy_reporter() -> None:
    art = read_article(FIXTURES / "local_democracy_reporter.txt")
    assert art.title == "Northshire council pledges £2m after damning Ofsted report"
    assert art.byline == "Jane Smith, Local Democracy Reporter"
    assert art.date == MARCH_3 and art.standfirst is None
    assert art.body.startswith("Northshire County Council has pledged £2m")
    assert art.body.endswith("A monitoring visit is expected in the autumn.")
    assert "Street View" not in art.body and "headquarters" not in art.body  # caption + credit
    assert art.comments_declared == 3
    assert [(c.number, c.author, c.reply_to, c.text) for c in art.comments] == [
        ("1", "Jane D", None, "Money alone will not fix this."),
        ("1.1", "Bob T", "1", "It is a start though."),
        ("2", "Carol W", None, "Where was the scrutiny committee?"),
    ]
    assert art.comments[2].created == dt.datetime(2017, 3, 4, 8, 15)
    assert art.warnings == []


def test_fixture_agency_dateline() -> None:
    art = read_article(FIXTURES / "agency_dateline.txt")
    assert (art.title, art.byline, art.date, art.standfirst) == (
        "Ofsted warns of rising caseloads across England", "Jane Smith", MARCH_3, None,
    )
    assert art.body.split("\n\n")[0] == (
        "Ofsted has warned that caseloads are rising in a third of councils, with some social "
        "workers holding more than 30 cases.\nThe inspectorate's annual report said recruitment "
        "was the biggest single challenge."
    )


def test_fixture_wordpress_blog() -> None:
    art = read_article(FIXTURES / "wordpress_blog.txt")
    assert art.title == "What the Northshire inspection tells us about caseloads"
    assert (art.date, art.byline) == (MARCH_3, "Jane Smith")
    assert art.body.startswith("Ofsted's report on Northshire makes grim reading")
    assert art.body.endswith("Whether that is enough remains to be seen.")
    assert art.comments_declared == 3
    assert [(c.number, c.author, c.created, c.reply_to, c.text) for c in art.comments] == [
        ("1", "Jane D", dt.datetime(2017, 3, 3, 10, 42), None,
         "Spot on. We had the same problems in our authority."),
        ("1.1", "Bob T", dt.datetime(2017, 3, 3, 11, 5), "1", "Which authority was that?"),
        ("2", "Carol W", dt.datetime(2017, 3, 4, 21, 0), None, "Good piece."),
    ]
    assert art.warnings == []


def test_fixture_reader_comments_plain() -> None:
    art = read_article(FIXTURES / "reader_comments_plain.txt")
    assert art.date == MARCH_3  # "Published", not "Updated"
    assert art.body.startswith("A council has been told to improve")
    assert art.body.endswith("The council employs around 200 children's social workers.")
    assert [(c.number, c.author, c.created, c.reply_to, c.text) for c in art.comments] == [
        ("1", "Jane D", dt.datetime(2017, 3, 3, 10, 42), None,
         "Front door working well? Not from where I sit."),
        ("1.1", "Bob T", dt.datetime(2017, 3, 3), "1",
         "I work there and it has improved a lot.\nGive it time."),
        ("1.2", "Carol W", None, "1", "Plans lacking detail is a national problem."),
        ("2", "Dan P", None, None, "Requires improvement is better than last time.\nI remember 2015."),
    ]
    assert art.comments_declared is None and art.warnings == []


# --------------------------------------------------------------------------------------------
# Patterns file: macros and the new keys


def test_patterns_macros_and_new_keys_are_strict(tmp_path: Path) -> None:
    raw = json.loads(patterns.PATTERNS_FILE.read_text(encoding="utf-8"))
    cases = [
        ({"date_line_plain": [{"id": "x", "pattern": "^{NO_SUCH}$"}]}, "unknown macros"),
        ({"macros": {**raw["macros"], "LOOP": "{LOOP}"}, "dateline": [{"id": "x", "pattern": "{LOOP}"}]}, "nest too deeply"),
        ({"comment_header_plain": [{"id": "x", "pattern": "^(?P<who>x)$"}]}, "lacks groups"),
        ({"dateline": [{"id": "x", "pattern": "^(?P<date>{DATE})$"}]}, "lacks groups"),
        ({"macros": ["not", "an", "object"]}, "macros"),
        ({"credit_line": ["^a plain string$"]}, r"credit_line\[0\]: expected a rule object"),
        ({"credit_line": [{"id": "x", "pattern": "a", "exampels": []}]}, r"credit_line\[0\]: unknown key"),
        ({"credit_line": [{"id": "x", "pattern": "a"}, {"id": "x", "pattern": "b"}]}, "duplicate ids"),
    ]
    for i, (change, message) in enumerate(cases):
        path = tmp_path / f"p{i}.json"
        path.write_text(json.dumps({**raw, **change}), encoding="utf-8")
        with pytest.raises(ValueError, match=message):
            load_patterns(path)
    missing = tmp_path / "missing.json"
    missing.write_text(json.dumps({k: v for k, v in raw.items() if k != "byline_line"}), encoding="utf-8")
    with pytest.raises(ValueError, match="missing key"):
        load_patterns(missing)


# --------------------------------------------------------------------------------------------
# Properties over the new formats

_NEW_FORMAT_LINES = [
    *(f for f, _ in DATE_FORMS), "LONDON, 3 March 2017 — Text.", "By Jane Smith",
    "Jane Smith, Social Affairs Correspondent", "Social Affairs Correspondent", "FOR IMMEDIATE RELEASE",
    "Comments", "Comments (3)", "3 comments", "Reader comments", "Have your say", "Join the discussion",
    "Jane D | 3 March 2017 10:42", "  Bob | 3 March 2017 11:00", "> Eve | 3 March 2017", "> quoted",
    "Jane D, 3 March 2017", "Jane D on 3 March 2017 at 10:42 said:", "Posted by Jane D on 3 March 2017",
    "Jane D wrote:", "Jane D said...", "Jane D says:", "March 3, 2017 at 10:42 am", "Reply to Jane D",
    "Reply", "Sort by: Newest", "There are no comments yet.", "Jane D", "Photograph: A/B",
]
_new_line = st.one_of(st.sampled_from(_NEW_FORMAT_LINES), st.sampled_from(_SEED_LINES), st.just(""),
                      st.text(max_size=40))
_new_article_text = st.lists(_new_line, max_size=40).map("\n".join)


@settings(max_examples=300, deadline=None)
@given(_new_article_text)
def test_property_new_formats_verbatim_and_total(text: str) -> None:
    try:
        decoded, decode_warnings = decode_bytes(text.encode("utf-8", "surrogatepass"))
    except UnreadableFile:
        return
    # the decoder's warnings (a U+FFFD already in the file) go with the article, as when reading a file
    art = parse_text(decoded, source_file="x.txt", warnings=decode_warnings)
    _check_article(art)
    original = _squash(decoded)
    for part in [art.title, art.standfirst, *art.body.split("\n\n")]:
        if part:
            assert _squash(part) in original
    assert art.date is None or 1900 <= art.date.year <= 2100
    assert parse_text(decoded, source_file="x.txt", warnings=decode_warnings) == art  # deterministic
    numbers = [c.number for c in art.comments]
    assert len(set(numbers)) == len(numbers)
    assert all(c.reply_to in numbers[:i] for i, c in enumerate(art.comments) if c.reply_to)


# Publication dates in the layouts real pages use (issue 16), in our own words.
@pytest.mark.parametrize(("head", "expected"), [
    ("Tuesday 14th March 2023", dt.date(2023, 3, 14)),
    ("By Sam Okafor | 3 March 2024", dt.date(2024, 3, 3)),
    ("By Sam Okafor, Health Reporter | Wednesday, 6th September 2023", dt.date(2023, 9, 6)),
    ("March 3, 2024", dt.date(2024, 3, 3)),
    ("PUBLISHED: 10:41 14 June 2023 | UPDATED: 11:02 15 June 2023", dt.date(2023, 6, 14)),
    ("PUBLISHED: 10:41, Thu, Jun 15, 2023 | UPDATED: 11:02, Fri, Jun 16, 2023", dt.date(2023, 6, 15)),
    ("Published: 10:41 BST, 14 June 2023 | Updated: 11:02 BST, 14 June 2023", dt.date(2023, 6, 14)),
    ("Last updated: 08:15, Friday, 1st December 2023", dt.date(2023, 12, 1)),
    ("Written by Sam Okafor on 3 October 2013", dt.date(2013, 10, 3)),
    ("12/25/2023", dt.date(2023, 12, 25)),
])
def test_publication_date_layouts(head: str, expected: dt.date) -> None:
    text = (f"Council told to improve its children's services\n\n{head}\n\n"
            "The council's children's services were rated inadequate by Ofsted in a report out today.\n\n"
            "The council said it accepted the findings.\n")
    article = article_from_bytes(text.encode("utf-8"), "layout.txt")
    assert article.date == expected
    assert article.body.startswith("The council's children's services")


@pytest.mark.parametrize("head", [
    "Northbridge Evening Gazette\n\nNews > Northbridge & District\n\n",
    "Northbridge Evening Gazette\nNews | Northbridge\n\n",
    "OPINION\n\n",
    "Ashcombe Borough Council\n\nNewsroom\n\nHome > News > Children's services inadequate, says Ofsted\n\n",
    # a site's name, its motto and its links over several rows of sections
    "Marsh Valley 98.2 FM\nThe sound of the valley since 1994\n\nListen | News | Weather | Contact\n\nNEWS\n\n",
    "Ashcombe Online\nSkip to content\nAccessibility help\n\nNews | Sport | Weather\n\nHome | UK | Local\n\n",
    "Ashcombe Weekly\nYour paper every Thursday\n\nHome | News | Features | Interviews\n\nInterviews\n\n",
])
def test_a_masthead_and_section_line_are_not_the_headline(head):
    text = head + ("Children's services inadequate, says Ofsted\n\nInspectors found drift in plans\n\n"
                   "The council's children's services were rated inadequate on Tuesday.\n")
    art = parse_text(text, source_file="x.txt")
    assert art.title == "Children's services inadequate, says Ofsted"
    assert art.standfirst == "Inspectors found drift in plans"
    assert "Gazette" not in art.body and "News" not in art.body


def test_a_press_release_dated_under_its_notes_to_editors():
    notes = "".join(f"{n}. A note for editors, number {n}.\n\n" for n in range(1, 5))
    text = ("Council welcomes Ofsted report\n\nThe council's children's services were rated good.\n\n"
            f"ENDS\n\nNotes to editors\n\n{notes}Issued: 14 July 2023\n\nShare this page: Facebook | Email\n\n"
            "Was this page useful? Yes | No\n\nContact us | Accessibility | Cookies\n\nFollow us on social media\n\n"
            "Back to top\n\nCopyright Ashcombe Borough Council\n")
    assert parse_text(text, source_file="x.txt").date == dt.date(2023, 7, 14)


def test_a_headline_over_its_date_and_share_links_is_no_masthead():
    text = ("Council told to improve its children's services\n\nPublished 3 March 2021\n\n"
            "Share | Tweet | Email\n\nThe council's children's services were rated inadequate on Tuesday.\n")
    art = parse_text(text, source_file="x.txt")
    assert art.title == "Council told to improve its children's services"
    assert art.date == dt.date(2021, 3, 3)


def test_a_short_headline_over_a_standfirst_is_kept():
    art = parse_text("Council rated inadequate\n\nOfsted finds drift in plans\n\nThe council was rated inadequate.\n",
                     source_file="x.txt")
    assert art.title == "Council rated inadequate" and art.standfirst == "Ofsted finds drift in plans"


@pytest.mark.parametrize(("tail", "expected"), [
    ("This article appeared in the edition of Friday, November 8, 2013.", dt.date(2013, 11, 8)),
    ("This story first appeared in the Northern Courier on 3 March 2016", dt.date(2016, 3, 3)),
])
def test_a_print_edition_line_at_the_end_dates_the_article(tail: str, expected: dt.date) -> None:
    text = ("Council told to improve its children's services\n\n"
            "The council's children's services were rated inadequate by Ofsted in a report out today.\n\n"
            f"The council said it accepted the findings.\n\n{tail}\n")
    assert article_from_bytes(text.encode("utf-8"), "tail.txt").date == expected
