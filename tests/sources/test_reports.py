"""Tests for kg.sources.reports and kg.extract.reports: Ofsted report PDFs -> Article -> structured facts.

Two kinds of test. Synthetic reports, made here as minimal PDFs of each format's layout
(running headers, footnotes, a paragraph across a page break, a table with grades on their
own lines), run everywhere. The 17 real reports in ``../shared/reference/ofsted-reports`` are
checked against Ofsted's own record (``ofsted_csc_ilacs_history.csv``, read here with the csv
module, and ``la_lookup.csv`` for the GSS codes): authority, inspection end date and every
grade; the recommendations are counted by an independent method on pypdf's raw text. Those
tests skip, saying why, when the reference folder is absent.
"""
from __future__ import annotations

import csv
import datetime as dt
import doctest
import importlib
import io
import json
import re
import time
from pathlib import Path

import pytest

from kg import config
from kg.extract.reports import (
    classify_recommendation,
    recommendation_items,
    report_facts,
)
from kg.graph.facts import Article, Finding, Inspection, Membership, Recommendation
from kg.graph.gazetteer import Gazetteer
from kg.rules import load_rules
from kg.sources import report_patterns
from kg.sources.articles import IngestError
from kg.sources.pdf import page_of, paragraphs, split_sentences
from kg.sources.report_header import parse_date_range, read_header
from kg.sources.report_patterns import load_patterns
from kg.sources.reports import read_report, report_from_bytes

REFERENCE = config.SHARED / "reference"
REPORTS = REFERENCE / "ofsted-reports"
OFFICIAL_CSV = REFERENCE / "ofsted_csc_ilacs_history.csv"
LA_LOOKUP = REFERENCE / "la_lookup.csv"
needs_reference = pytest.mark.skipif(
    not (REPORTS.is_dir() and OFFICIAL_CSV.is_file() and LA_LOOKUP.is_file()),
    reason=f"reference reports and official record not found under {REFERENCE}",
)
WAKEFIELD = "E08000036"


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer.load()


@pytest.fixture(scope="module")
def rules():
    return load_rules(config.DATA / "rules")


# --------------------------------------------------------------------------------------------
# A minimal PDF writer: one text line per list item, Helvetica, WinAnsi encoding


def make_pdf(pages: list[list[str]]) -> bytes:
    """A PDF whose pages hold the given lines (an empty string is a blank line)."""
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    contents = []
    for lines in pages:
        ops = [b"BT", b"/F1 10 Tf", b"13 TL", b"50 780 Td"]
        for line in lines:
            text = (line or " ").encode("cp1252").replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
            ops.append(b"(" + text + b") Tj T*")
        ops.append(b"ET")
        stream = b"\n".join(ops)
        contents.append(add(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream"))
    pages_id = len(objects) + len(pages) + 1
    page_ids = [add(b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] /Contents %d 0 R "
                    b"/Resources << /Font << /F1 %d 0 R >> >> >>" % (pages_id, c, font)) for c in contents]
    kids = b" ".join(b"%d 0 R" % p for p in page_ids)
    add(b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % len(page_ids))
    catalog = add(b"<< /Type /Catalog /Pages %d 0 R >>" % pages_id)
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, catalog, xref)
    return bytes(out)


HEADER = ["Inspection of Wakefield local authority children’s services"]

ILACS_2024 = [
    [
        "Inspection of Wakefield local",
        "authority children’s services",
        "Inspection dates: 4 to 15 March 2024",
        "Lead inspector: Jane Doe, His Majesty’s Inspector",
        "Judgement Grade",
        "The impact of leaders on social work",
        "practice with children and families",
        "Requires improvement to",
        "be good",
        "The experiences and progress of",
        "children who need help and protection",
        "Inadequate",
        "The experiences and progress of",
        "children in care",
        "Good",
        "The experiences and progress of care",
        "leavers",
        "Good",
        "Overall effectiveness Inadequate",
        "",
        "Children in Wakefield do not receive a good enough service from the council and its",
        "partners.",
        "Leaders have a plan.",
    ],
    [
        *HEADER,
        "4 to 15 March 2024 2",
        "What needs to improve?1",
        "• The quality and timeliness of assessments.",
        "• Manageable caseloads for social workers, so that they can",
        "complete direct work with children.",
        "• The sufficiency of local placements.",
        "The experiences and progress of children who need help and",
        "protection: inadequate",
        "1. Social workers have caseloads that are too high, and there is weak management",
        "oversight of their work. Children are not always seen alone. Decision-",
        "making is slow, and some children are left in situations of harm for too",
        "",
        "",
        "1 The areas for improvement have been cross-referenced with the national framework.",
    ],
    [
        *HEADER,
        "4 to 15 March 2024 3",
        "long. Assessments are of poor quality.",
        "2. Children are seen regularly and their views are well recorded.",
        "",
        "The Office for Standards in Education, Children’s Services and Skills (Ofsted) regulates",
        "and inspects to achieve excellence in the care of children.",
    ],
]


@pytest.fixture(scope="module")
def ilacs_2024() -> Article:
    return report_from_bytes(make_pdf(ILACS_2024), "wakefield_2024.pdf")


# --------------------------------------------------------------------------------------------
# Patterns and small functions


def test_patterns_file_loads_and_is_validated(tmp_path: Path) -> None:
    patterns = load_patterns()
    assert {a.area for a in patterns.areas} >= {"overall effectiveness", "impact of leaders", "help and protection",
                                                "children in care", "care leavers", "children in care and care leavers"}
    raw = json.loads(report_patterns.PATTERNS_FILE.read_text(encoding="utf-8"))
    bad = dict(raw, headings=[{"id": "h", "pattern": "^(unclosed"}])
    (tmp_path / "bad.json").write_text(json.dumps(bad), encoding="utf-8")
    with pytest.raises(ValueError, match=r"headings\[0\]: bad pattern for rule 'h'"):
        load_patterns(tmp_path / "bad.json")
    plain = dict(raw, headings=["^Contents$"])
    (tmp_path / "plain.json").write_text(json.dumps(plain), encoding="utf-8")
    with pytest.raises(ValueError, match=r"headings\[0\]: expected a rule object"):
        load_patterns(tmp_path / "plain.json")
    extra = dict(raw, bullets={**raw["bullets"], "exmples": []})
    (tmp_path / "extra.json").write_text(json.dumps(extra), encoding="utf-8")
    with pytest.raises(ValueError, match=r"bullets: unknown key\(s\) \['exmples'\]"):
        load_patterns(tmp_path / "extra.json")
    twice = dict(raw, headings=[raw["headings"][0], raw["headings"][0]])
    (tmp_path / "twice.json").write_text(json.dumps(twice), encoding="utf-8")
    with pytest.raises(ValueError, match="duplicate ids"):
        load_patterns(tmp_path / "twice.json")
    typo = dict(raw, headingz=[])
    (tmp_path / "typo.json").write_text(json.dumps(typo), encoding="utf-8")
    with pytest.raises(ValueError, match="unknown key"):
        load_patterns(tmp_path / "typo.json")
    nogroup = dict(raw, grade={"id": "grade", "pattern": "(outstanding|good)"})
    (tmp_path / "nogroup.json").write_text(json.dumps(nogroup), encoding="utf-8")
    with pytest.raises(ValueError, match="grade"):
        load_patterns(tmp_path / "nogroup.json")


def test_recommendation_topic_rules_match_their_examples_and_use_failing_labels(rules) -> None:
    patterns = load_patterns()
    failing_labels = set(rules.labels("failing")) | set(rules.labels("rec-topic"))
    for rule in patterns.recommendation_topics.rules:
        assert rule.label in failing_labels, rule.id
        assert rule.examples, f"{rule.id} documents no example"
        for example in rule.examples:
            assert rule.search(example), (rule.id, example)


@pytest.mark.parametrize("text, expected", [
    ("21 November to 2 December 2022", ((2022, 11, 21), (2022, 12, 2))),
    ("4 June to 15 June 2018", ((2018, 6, 4), (2018, 6, 15))),
    ("29 October 2018 to 2 November 2018", ((2018, 10, 29), (2018, 11, 2))),
    ("9–24 November 2017", ((2017, 11, 9), (2017, 11, 24))),
    ("11 to 22 May 2026", ((2026, 5, 11), (2026, 5, 22))),
    ("05 July 2016–27 July 2016", ((2016, 7, 5), (2016, 7, 27))),
    ("19 and 20 February 2019", ((2019, 2, 19), (2019, 2, 20))),
    ("30 December to 3 January 2020", ((2019, 12, 30), (2020, 1, 3))),
    ("12 March 2020", ((2020, 3, 12), (2020, 3, 12))),
])
def test_parse_date_range(text: str, expected) -> None:
    start, end = parse_date_range(text)
    assert (start, end) == (dt.date(*expected[0]), dt.date(*expected[1]))


def test_parse_date_range_without_a_date() -> None:
    assert parse_date_range("to be confirmed") is None


def test_split_sentences_keeps_abbreviations_and_offsets() -> None:
    text = "Caseloads are high. Plans, e.g. child in need plans, drift. “Too slow,” said one. 12 cases were late."
    spans = split_sentences(text)
    assert [text[s:e] for s, e in spans] == [
        "Caseloads are high.", "Plans, e.g. child in need plans, drift.", "“Too slow,” said one.", "12 cases were late."]


def test_classify_recommendation(rules) -> None:
    assert classify_recommendation("Manageable caseloads for social workers.", rules) == [
        ("high caseloads", "rec.topic.high-caseloads")]
    labels = [label for label, _ in classify_recommendation("The quality and timeliness of assessments.", rules)]
    assert labels == ["assessment quality", "delays and timeliness"]  # in order of appearance: "quality" first
    assert classify_recommendation("The sufficiency of local placements.", rules) == []


@pytest.mark.parametrize("module", ["kg.sources.pdf", "kg.extract.reports"])
def test_docstring_examples_run(module) -> None:
    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 1 and result.failed == 0


# --------------------------------------------------------------------------------------------
# A synthetic ILACS report (2023 on: children in care and care leavers judged apart)


def test_synthetic_body_is_clean_and_in_paragraphs(ilacs_2024: Article) -> None:
    body = ilacs_2024.body
    assert ilacs_2024.kind == "inspection-report"
    assert "4 to 15 March 2024 2" not in body and "4 to 15 March 2024 3" not in body  # running headers
    assert body.count("Inspection of Wakefield local authority children’s services") == 1  # title, not header
    assert "cross-referenced" not in body  # the footnote
    assert "What needs to improve?\n" in body + "\n" and "improve?1" not in body  # footnote mark removed
    assert "Office for Standards" not in body  # closing boilerplate
    paras = body.split("\n\n")
    assert "The impact of leaders on social work practice with children and families Requires improvement to be good" in paras
    assert "Overall effectiveness Inadequate" in paras
    assert ("1. Social workers have caseloads that are too high, and there is weak management oversight of their "
            "work. Children are not always seen alone. Decision-making is slow, and some children are left in "
            "situations of harm for too long. Assessments are of poor quality.") in paras  # across a page break
    assert "2. Children are seen regularly and their views are well recorded." in paras
    assert ("• Manageable caseloads for social workers, so that they can complete direct work with children."
            in paras)
    # The unnumbered summary: a short line ending a sentence ends its paragraph.
    assert "Leaders have a plan." in paras


def test_synthetic_page_offsets(ilacs_2024: Article) -> None:
    offsets = ilacs_2024.page_offsets
    assert len(offsets) == 3 and offsets[0] == 0 and list(offsets) == sorted(offsets)
    body = ilacs_2024.body
    assert body[offsets[1]:].startswith("What needs to improve?")
    assert body[offsets[2]:].startswith("long. Assessments are of poor quality.")
    assert page_of(ilacs_2024, body.index("Leaders have a plan.")) == 1
    assert page_of(ilacs_2024, body.index("Assessments are of poor")) == 3


def test_synthetic_header(ilacs_2024: Article) -> None:
    assert ilacs_2024.title == "Inspection of Wakefield local authority children’s services"
    assert ilacs_2024.date == dt.date(2024, 3, 15)  # no publication date stated: the last day
    head = read_header(ilacs_2024)
    assert head.authority_name == "Wakefield"
    assert head.dates == (dt.date(2024, 3, 4), dt.date(2024, 3, 15))
    assert head.inspector == "Jane Doe"
    assert head.inspection_type == "ILACS inspection"


def test_synthetic_inspection_and_judgements(ilacs_2024: Article, gazetteer: Gazetteer) -> None:
    result = report_facts(ilacs_2024, gazetteer)
    assert result.councils == [WAKEFIELD]
    (inspection,) = [f for f in result.facts if isinstance(f, Inspection)]
    assert (inspection.council, inspection.rating, inspection.year, inspection.date) == (
        WAKEFIELD, "inadequate", 2024, dt.date(2024, 3, 15))
    assert (inspection.start_date, inspection.end_date) == (dt.date(2024, 3, 4), dt.date(2024, 3, 15))
    assert inspection.inspection_type == "ILACS inspection" and inspection.inspector == "Jane Doe"
    assert [(j.area, j.rating) for j in inspection.judgements] == [
        ("impact of leaders", "requires improvement"), ("help and protection", "inadequate"),
        ("children in care", "good"), ("care leavers", "good")]
    assert inspection.evidence.text == "Overall effectiveness Inadequate"
    assert inspection.evidence.location == "judgement table, page 1"
    (post,) = [f for f in result.facts if isinstance(f, Membership)]
    assert (post.person, post.role, post.organisation) == ("Jane Doe", "lead inspector", "ofsted")


def test_synthetic_recommendations(ilacs_2024: Article, gazetteer: Gazetteer) -> None:
    items = recommendation_items(ilacs_2024)
    assert [i.text for i in items] == [
        "The quality and timeliness of assessments.",
        "Manageable caseloads for social workers, so that they can complete direct work with children.",
        "The sufficiency of local placements.",
    ]
    assert items[1].location == "What needs to improve, item 2, page 2"
    result = report_facts(ilacs_2024, gazetteer)
    recs = {(r.failing, r.evidence.text) for r in result.facts if isinstance(r, Recommendation)}
    assert ("assessment quality", items[0].text) in recs and ("delays and timeliness", items[0].text) in recs
    assert ("high caseloads", items[1].text) in recs
    assert not any(text == items[2].text for _, text in recs)  # no category: said in a warning instead
    assert any("fit no failing category" in w and "local placements" in w for w in ilacs_2024.warnings)
    assert all(r.council == WAKEFIELD for r in result.facts if isinstance(r, Recommendation))


def test_synthetic_findings_with_paragraph_and_page(ilacs_2024: Article, gazetteer: Gazetteer) -> None:
    result = report_facts(ilacs_2024, gazetteer)
    findings = {(f.failing, f.evidence.text, f.evidence.location) for f in result.facts if isinstance(f, Finding)}
    sentence = "Social workers have caseloads that are too high, and there is weak management oversight of their work."
    assert ("high caseloads", sentence, "paragraph 1, page 2") in findings
    assert ("management oversight", sentence, "paragraph 1, page 2") in findings
    assert ("assessment quality", "Assessments are of poor quality.", "paragraph 1, page 3") in findings
    # Praise is not a failing, whatever words it shares with one.
    assert not any("seen regularly" in text for _, text, _ in findings)


@needs_reference
def test_the_classifier_adds_findings_the_rules_miss_with_its_score(gazetteer: Gazetteer) -> None:
    """The trained classifier reads the findings sections too: what it adds carries the model's
    name and its score, never a category the rules already found in that sentence, and never
    a sentence outside the findings."""
    from kg.extract import classifier as sentence_classifier

    model = sentence_classifier.load()
    report = read_report(sorted(REPORTS.glob("*.pdf"))[0])
    rules_only = report_facts(report, gazetteer)
    both = report_facts(report, gazetteer, classifier=model)
    ruled = {(f.failing, f.evidence.text) for f in rules_only.facts if isinstance(f, Finding)}
    added = [f for f in both.facts if isinstance(f, Finding) and f.evidence.rule == model.name]
    assert {(f.failing, f.evidence.text) for f in both.facts if isinstance(f, Finding)} >= ruled
    assert added, "the classifier finds nothing in a report's findings"
    for f in added:
        assert (f.failing, f.evidence.text) not in ruled
        assert 0 < f.evidence.confidence <= 1 and f.evidence.location


def test_a_report_names_a_category_the_model_is_less_sure_of(ilacs_2024: Article, gazetteer: Gazetteer) -> None:
    """In a report a category counts from REPORT_CATEGORY_THRESHOLD (0.6), below the news one (0.7)."""
    from kg.extract.classifier import CATEGORY_THRESHOLD, REPORT_CATEGORY_THRESHOLD, Scores

    score = (REPORT_CATEGORY_THRESHOLD + CATEGORY_THRESHOLD) / 2

    class Unsure:
        name = "model:stub@0.0.0"

        def scores(self, texts):
            return [Scores({"finding": 0.9, "failing:supervision": score}) for _ in texts]

    assert REPORT_CATEGORY_THRESHOLD < score < CATEGORY_THRESHOLD
    added = [f for f in report_facts(ilacs_2024, gazetteer, classifier=Unsure()).facts
             if isinstance(f, Finding) and f.evidence.rule == Unsure.name]
    assert added and {f.failing for f in added} == {"supervision"}


def test_every_evidence_is_verbatim_at_its_offset(ilacs_2024: Article, gazetteer: Gazetteer) -> None:
    result = report_facts(ilacs_2024, gazetteer)
    text = ilacs_2024.text_for_extraction
    assert result.facts
    for fact in result.facts:
        ev = fact.evidence
        assert text[ev.start:ev.start + len(ev.text)] == ev.text, ev
        assert ev.location, ev
        for part in getattr(fact, "judgements", ()):
            assert text[part.evidence.start:part.evidence.start + len(part.evidence.text)] == part.evidence.text


# --------------------------------------------------------------------------------------------
# Other formats, made to measure


def test_report_from_april_2026_has_no_overall_grade(gazetteer: Gazetteer) -> None:
    pages = [[
        "Inspection of Wakefield local authority children’s services",
        "Inspection dates: 11 to 22 May 2026",
        "Lead inspector: Jane Doe, His Majesty’s Inspector",
        "Judgement Grade",
        "The impact of leaders on practice with",
        "children and families",
        "Outstanding",
        "The experiences and progress of children who need help and protection Good",
        "The experiences and progress of children in care Good",
        "The experiences and progress of care leavers Requires improvement to be good",
        "Services for children in Wakefield have improved since the last inspection.",
        "What needs to improve?",
        "• The timeliness of assessments.",
    ]]
    article = report_from_bytes(make_pdf(pages), "wakefield_2026.pdf")
    result = report_facts(article, gazetteer)
    (inspection,) = [f for f in result.facts if isinstance(f, Inspection)]
    assert inspection.rating is None and inspection.year == 2026
    assert [(j.area, j.rating) for j in inspection.judgements] == [
        ("impact of leaders", "outstanding"), ("help and protection", "good"), ("children in care", "good"),
        ("care leavers", "requires improvement")]
    assert inspection.evidence.text == "Inspection dates: 11 to 22 May 2026"
    assert any("no overall effectiveness grade" in w for w in article.warnings)


def test_single_inspection_framework_report(gazetteer: Gazetteer) -> None:
    pages = [
        [
            "1",
            "Wakefield Metropolitan District Council",
            "Inspection of services for children in need of help and",
            "protection, children looked after and care leavers",
            "Inspection date: 05 July 2016–27 July 2016",
            "Report published: 20 September 2016",
            "",
            "Children’s services in Wakefield Metropolitan District Council",
            "require improvement to be good.",
            "1. Children who need help and protection Requires improvement",
            "2. Children looked after and achieving",
            "permanence Requires improvement",
            "2.1 Adoption performance Good",
            "2.2 Experiences and progress of care leavers Good",
            "3. Leadership, management and governance Requires improvement",
        ],
        [
            "2",
            "Recommendations",
            "1. Continue to reduce the caseloads of social workers.",
            "2. Ensure that the timeliness of assessments improves.",
            "",
            "The experiences and progress of",
            "children who need help and protection Requires improvement",
            "Summary",
            "3. Caseloads are too high in the assessment service.",
        ],
    ]
    article = report_from_bytes(make_pdf(pages), "wakefield_2016.pdf")
    assert article.date == dt.date(2016, 9, 20)  # the stated publication date
    assert article.title == ("Wakefield Metropolitan District Council: Inspection of services for children in need "
                             "of help and protection, children looked after and care leavers")
    result = report_facts(article, gazetteer)
    (inspection,) = [f for f in result.facts if isinstance(f, Inspection)]
    assert inspection.inspection_type == "single inspection framework inspection"
    assert (inspection.rating, inspection.year, inspection.date) == ("requires improvement", 2016, dt.date(2016, 7, 27))
    assert inspection.evidence.text == "Children’s services in Wakefield Metropolitan District Council require improvement to be good."
    assert [(j.area, j.rating) for j in inspection.judgements] == [
        ("help and protection", "requires improvement"),
        ("children looked after and achieving permanence", "requires improvement"),
        ("adoption performance", "good"), ("care leavers", "good"),
        ("leadership, management and governance", "requires improvement")]
    items = recommendation_items(article)
    assert [(i.number, i.text) for i in items] == [
        ("1", "Continue to reduce the caseloads of social workers."),
        ("2", "Ensure that the timeliness of assessments improves.")]
    assert items[0].location == "paragraph 1, page 2"
    assert "1\n" not in article.body[:3]  # the page number is not text


def test_monitoring_visit_letter(gazetteer: Gazetteer) -> None:
    pages = [[
        "4 March 2019",
        "Ms A Director",
        "Director of Children’s Services",
        "",
        "Dear Ms Director",
        "",
        "Monitoring visit to Wakefield children’s services",
        "",
        "This letter summarises the findings of the monitoring visit to Wakefield children’s services",
        "on 19 and 20 February 2019. The visit was the fourth since the local authority was judged",
        "inadequate in 2018.",
        "",
        "Areas covered by the visit",
        "Inspectors reviewed the front door.",
        "",
        "Findings and progress",
        "Too many children experience delays in the assessment of their needs.",
        "",
        "Yours sincerely",
        "",
        "Jane Doe",
        "Her Majesty’s Inspector",
    ]]
    article = report_from_bytes(make_pdf(pages), "wakefield_visit.pdf")
    assert article.title == "Monitoring visit to Wakefield children’s services"
    assert article.date == dt.date(2019, 3, 4)
    result = report_facts(article, gazetteer)
    (inspection,) = [f for f in result.facts if isinstance(f, Inspection)]
    assert inspection.inspection_type == "monitoring visit" and inspection.rating is None
    assert (inspection.start_date, inspection.end_date) == (dt.date(2019, 2, 19), dt.date(2019, 2, 20))
    assert inspection.inspector == "Jane Doe" and inspection.council == WAKEFIELD
    assert any(isinstance(f, Finding) and f.failing == "delays and timeliness" for f in result.facts)


def test_focused_visit_letter_with_areas_for_improvement(gazetteer: Gazetteer) -> None:
    pages = [
        [
            "Piccadilly Gate",
            "Store Street",
            "Manchester",
            "M1 2WD",
            "",
            "12 February 2020",
            "",
            "Ms Jane Smith",
            "Bradford Council",
            "",
            "Dear Ms Smith",
            "",
            "Focused visit to Bradford children’s services",
            "",
            "This letter summarises the findings of the focused visit to Bradford children’s services on 14",
            "and 15 January 2020. Her Majesty’s Inspectors for this visit were Jane Doe and John Roe.",
            "",
            "Areas for improvement",
            "",
            "• The quality of assessments, so that they address all of children’s needs.",
            "• Management oversight of children’s plans.",
            "",
        ],
        [
            "Findings",
            "",
            "Social workers carry caseloads that are too high, and some children are not seen",
            "for many weeks.",
            "",
            "Yours sincerely",
            "",
            "Jane Doe",
            "Her Majesty’s Inspector",
        ],
    ]
    article = report_from_bytes(make_pdf(pages), "bradford_visit.pdf")
    assert article.title == "Focused visit to Bradford children’s services"
    assert article.date == dt.date(2020, 2, 12)
    result = report_facts(article, gazetteer)
    (inspection,) = [f for f in result.facts if isinstance(f, Inspection)]
    assert (inspection.council, inspection.rating, inspection.inspection_type) == ("E08000032", None, "focused visit")
    assert (inspection.start_date, inspection.end_date) == (dt.date(2020, 1, 14), dt.date(2020, 1, 15))
    assert inspection.inspector == "Jane Doe"
    items = recommendation_items(article)
    assert [i.text for i in items] == ["The quality of assessments, so that they address all of children’s needs.",
                                       "Management oversight of children’s plans."]
    assert items[0].location == "Areas for improvement, item 1, page 1"
    recs = {(r.failing, r.evidence.text) for r in result.facts if isinstance(r, Recommendation)}
    assert ("assessment quality", items[0].text) in recs and ("management oversight", items[1].text) in recs
    findings = {(f.failing, f.evidence.location) for f in result.facts if isinstance(f, Finding)}
    assert ("high caseloads", "page 2") in findings


def test_a_one_line_title_is_not_taken_for_the_running_header(gazetteer: Gazetteer) -> None:
    title = "Inspection of Bury local authority children’s services"
    body = ["1. Children are not seen often enough and plans drift for too many of them in the service."] * 3
    pages = [[title, "Inspection dates: 25 October to 5 November 2021", "Overall effectiveness Inadequate", *body]]
    pages += [[title, f"25 October to 5 November 2021 {n}", *body] for n in (2, 3, 4)]
    article = report_from_bytes(make_pdf(pages), "bury.pdf")
    assert article.title == title
    assert article.body.count(title) == 1 and "November 2021 2" not in article.body


# --------------------------------------------------------------------------------------------
# Files that are not reports: clear reasons, never an exception


def test_truncated_pdf_is_reported_not_raised(tmp_path: Path) -> None:
    data = make_pdf(ILACS_2024)
    path = tmp_path / "truncated.pdf"
    path.write_bytes(data[: len(data) // 2])
    result = read_report(path)
    assert isinstance(result, IngestError) and result.path == path
    assert "corrupt PDF" in result.reason


def test_encrypted_pdf_is_reported_not_raised(tmp_path: Path) -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf(ILACS_2024))))
    writer.encrypt(user_password="secret", owner_password="owner")
    buffer = io.BytesIO()
    writer.write(buffer)
    path = tmp_path / "locked.pdf"
    path.write_bytes(buffer.getvalue())
    result = read_report(path)
    assert isinstance(result, IngestError)
    assert "password-protected" in result.reason


def test_pdf_with_only_an_owner_password_is_read(tmp_path: Path) -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf(ILACS_2024))))
    writer.encrypt(user_password="", owner_password="owner")
    buffer = io.BytesIO()
    writer.write(buffer)
    path = tmp_path / "restricted.pdf"
    path.write_bytes(buffer.getvalue())
    result = read_report(path)
    assert isinstance(result, Article)
    assert "Overall effectiveness Inadequate" in result.body
    assert any("encrypted" in w for w in result.warnings)


@pytest.mark.parametrize("name, data, reason", [
    ("empty.pdf", b"", "empty file"),
    ("text.pdf", b"Ofsted says the council is inadequate.", "not a PDF"),
    ("garbage.pdf", b"%PDF-1.4\n" + bytes(range(256)) * 20, "corrupt PDF"),
    ("scan.pdf", make_pdf([[""], [""]]), "no text layer"),
    ("letter.pdf", make_pdf([["Dear Sir", "Thank you for your letter about the bins, which were collected late."]]),
     "not an Ofsted children's services inspection report"),
])
def test_unreadable_files_give_reasons(tmp_path: Path, name: str, data: bytes, reason: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    result = read_report(path)
    assert isinstance(result, IngestError), result
    assert reason in result.reason


def test_missing_file_is_reported(tmp_path: Path) -> None:
    result = read_report(tmp_path / "absent.pdf")
    assert isinstance(result, IngestError) and "cannot read" in result.reason


# --------------------------------------------------------------------------------------------
# The 17 real reports against Ofsted's record


REPORT_FILES = sorted(REPORTS.glob("*.pdf")) if REPORTS.is_dir() else []
MONTHS = {m: i for i, m in enumerate(("january", "february", "march", "april", "may", "june", "july", "august",
                                      "september", "october", "november", "december"), start=1)}

#: What the record cannot say (its cells read data_unreadable or are blank for these older
#: reports), read by hand from the PDFs: (end date, overall, {area: grade}).
HAND_READ = {
    "wakefield_20-september-2016.pdf": (dt.date(2016, 7, 27), "requires improvement", {
        "help and protection": "requires improvement",
        "children looked after and achieving permanence": "requires improvement",
        "adoption performance": "good", "care leavers": "good",
        "leadership, management and governance": "requires improvement",
        "local safeguarding children board": "good"}),
    "doncaster_19-january-2018.pdf": (dt.date(2017, 11, 24), "good", {
        "help and protection": "good", "children looked after and achieving permanence": "good",
        "adoption performance": "good", "care leavers": "good", "leadership, management and governance": "good"}),
}
GRADE_WORDS = {"outstanding": "outstanding", "good": "good", "requires improvement": "requires improvement",
               "requires improvement to be good": "requires improvement", "to requires improvement": "requires improvement",
               "inadequate": "inadequate"}


def _csv_date(text: str) -> dt.date | None:
    if not text.strip():
        return None
    day, month, year = (int(x) for x in text.split("/"))
    return dt.date(year + 2000 if year < 100 else year, month, day)


def _fold(text: str) -> str:
    return re.sub(r"[^a-z]", "", text.lower().replace("&", "and"))


def official_row(pdf: Path) -> dict:
    """The record's row for a report: same authority, publication date from the file name."""
    m = re.fullmatch(r"(.+)_(\d{2})-([a-z]+)-(\d{4})\.pdf", pdf.name)
    authority, published = m.group(1), dt.date(int(m.group(4)), MONTHS[m.group(3)], int(m.group(2)))
    with OFFICIAL_CSV.open(encoding="utf-8-sig", newline="") as handle:
        rows = [r for r in csv.DictReader(handle)
                if _csv_date(r["publication_date"]) == published
                and _fold(r["local_authority"]).replace("and", "") == _fold(authority).replace("and", "")]
    assert len(rows) == 1, (pdf.name, rows)
    return rows[0]


def gss_of_urn(urn: str) -> str:
    with LA_LOOKUP.open(encoding="utf-8-sig", newline="") as handle:
        codes = {r["urn"]: r["la_code_new"] for r in csv.DictReader(handle)}
    return codes[urn]


@pytest.fixture(scope="module")
def read_all(gazetteer: Gazetteer) -> dict[str, tuple[Article, object, float]]:
    out = {}
    for pdf in REPORT_FILES:
        started = time.perf_counter()
        article = read_report(pdf)
        assert isinstance(article, Article), article
        result = report_facts(article, gazetteer)
        out[pdf.name] = (article, result, time.perf_counter() - started)
    return out


def _inspection(result) -> Inspection:
    (inspection,) = [f for f in result.facts if isinstance(f, Inspection)]
    return inspection


@needs_reference
def test_reference_reports_are_all_there() -> None:
    assert len(REPORT_FILES) >= 17


@needs_reference
@pytest.mark.parametrize("pdf", REPORT_FILES, ids=lambda p: p.stem)
def test_authority_dates_and_grades_match_the_official_record(pdf: Path, read_all) -> None:
    article, result, _ = read_all[pdf.name]
    row = official_row(pdf)
    inspection = _inspection(result)
    assert inspection.council == gss_of_urn(row["urn"])
    assert result.councils == [inspection.council]
    hand = HAND_READ.get(pdf.name)
    end = _csv_date(row["inspection_end_date"]) or (hand and hand[0])
    assert inspection.end_date == end and inspection.date == end and inspection.year == end.year
    if row["inspection_start_date"]:
        assert inspection.start_date == _csv_date(row["inspection_start_date"])
    if row["inspector_name"]:
        assert inspection.inspector == row["inspector_name"]
    # Overall effectiveness.
    overall = row["overall_effectiveness_grade"]
    if overall == "not_reported_post_reform":
        assert inspection.rating is None
        assert any("no overall effectiveness grade" in w for w in article.warnings)
    elif overall in GRADE_WORDS:
        assert inspection.rating == GRADE_WORDS[overall]
    else:
        assert inspection.rating == hand[1]
    # Every sub-judgement.
    got = {j.area: j.rating for j in inspection.judgements}
    if hand is not None and row["impact_of_leaders_grade"] not in GRADE_WORDS:
        assert got == hand[2]
        return
    leavers = row["care_leavers_grade"]
    in_care_area = "children in care and care leavers" if leavers == "inspection_pre_dates_judgement" else "children in care"
    expected = {
        "impact of leaders": GRADE_WORDS[row["impact_of_leaders_grade"]],
        "help and protection": GRADE_WORDS[row["help_and_protection_grade"]],
        in_care_area: GRADE_WORDS[row["in_care_grade"]],
    }
    if leavers in GRADE_WORDS:
        expected["care leavers"] = GRADE_WORDS[leavers]
    assert got == expected


def _raw_recommendation_count(pdf: Path) -> int:
    """Items under "What needs to improve" / "Recommendations", counted on pypdf's raw text
    by their bullet glyph or paragraph number (not with kg.sources.pdf's paragraphs)."""
    from pypdf import PdfReader

    text = "\n".join(page.extract_text() for page in PdfReader(pdf).pages)
    count, inside = 0, False
    for line in text.splitlines():
        stripped = line.strip()
        if re.match(r"^(What needs to improve\b.*|Recommendations)\s*$", stripped):
            inside = True
            continue
        if not inside:
            continue
        if re.match(r"^(The experiences and progress of|Summary for children|Inspection findings|The local authority|"
                    r"Information about)", stripped):
            inside = False
            continue
        if stripped[:1] in ("\u25fc", "\uf06e", "\u2022", "\uf0b7") or re.match(r"^\d{1,3}\.\s", stripped):
            count += 1
    return count


@needs_reference
@pytest.mark.parametrize("pdf", REPORT_FILES, ids=lambda p: p.stem)
def test_recommendations_are_complete(pdf: Path, read_all) -> None:
    article, result, _ = read_all[pdf.name]
    items = recommendation_items(article)
    expected = _raw_recommendation_count(pdf)
    assert expected > 0
    assert len(items) == expected
    recs = [f for f in result.facts if isinstance(f, Recommendation)]
    classified = {r.evidence.text for r in recs}
    unclassified = [i for i in items if i.text not in classified]
    assert classified <= {i.text for i in items}  # every recommendation is one of the items
    if unclassified:  # and every item that is not is named in a warning
        warning = next(w for w in article.warnings if "fit no failing category" in w)
        assert f"{len(unclassified)} of {len(items)}" in warning
    for rec in recs:
        assert rec.evidence.location and rec.council == _inspection(result).council


@needs_reference
@pytest.mark.parametrize("pdf", REPORT_FILES, ids=lambda p: p.stem)
def test_report_text_and_evidence(pdf: Path, read_all) -> None:
    article, result, seconds = read_all[pdf.name]
    body = article.body
    assert "Office for Standards in Education" not in body  # the back page
    assert not re.search(r"\n\n\d{1,3}\n\n", body)  # no lone page numbers
    assert len(article.page_offsets) >= 2 and list(article.page_offsets) == sorted(article.page_offsets)
    numbered = [int(p.number) for p in paragraphs(article) if p.kind == "numbered" and "." not in p.number]
    assert len(numbered) >= 10
    # Numbered paragraphs run on without a gap (a list may restart at 1): none lost or split.
    assert all(b == a + 1 or b == 1 for a, b in zip(numbered, numbered[1:])), numbered
    text = article.text_for_extraction
    findings = [f for f in result.facts if isinstance(f, Finding)]
    assert all(f.evidence.location for f in findings)
    for fact in result.facts:
        ev = fact.evidence
        assert text[ev.start:ev.start + len(ev.text)] == ev.text, (pdf.name, ev)
    assert seconds < 10, f"{pdf.name} took {seconds:.1f} s"
