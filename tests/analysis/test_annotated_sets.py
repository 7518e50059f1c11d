"""Tests for the annotated sets: the development set data/dev/ and the held-out set data/holdout/.

Each set is a folder of articles (``NNN_<sha16>.txt``) with gold annotations (``gold/NNN_<sha16>.json``).
The gold must stay usable by ``../shared/eval/score.py`` and by ``build.py evaluate``: the format of
``shared/eval/README.md``, labels from the schemes of CONTRACT.md, councils the gazetteer knows under
their short name, and evidence copied verbatim (modulo whitespace) from the article body.

The held-out set is a measurement, never a target (data/holdout/README.md): the tests here check that
its files are well-formed and that the pipeline runs on it, never how well the extractor scores.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from kg import cli
from kg import config
from kg.analysis.evaluate import KINDS, score_graph
from kg.graph.gazetteer import Gazetteer
from kg.sources.articles import read_article


@dataclass(frozen=True)
class AnnotatedSet:
    """One annotated folder and what is expected of it."""

    name: str
    root: Path
    min_articles: int
    #: Word range of an article body: the dev articles are all 300-900 words; the held-out set has a
    #: three-paragraph news-in-brief on purpose (data/holdout/README.md).
    body_words: tuple[int, int] = (300, 900)

    @property
    def gold(self) -> Path:
        return self.root / "gold"

    @property
    def articles(self) -> list[Path]:
        return sorted(self.root.glob("*.txt"))

    @property
    def gold_files(self) -> list[Path]:
        return sorted(self.gold.glob("*.json"))


DEV = AnnotatedSet("dev", config.DATA / "dev", min_articles=34, body_words=(150, 900))
HOLDOUT = AnnotatedSet("holdout", config.DATA / "holdout", min_articles=20, body_words=(150, 900))
#: the second held-out set (500-525), scored once at the end of session 16 (data/holdout-2/README.md)
HOLDOUT_2 = AnnotatedSet("holdout-2", config.DATA / "holdout-2", min_articles=24, body_words=(150, 950))
#: the third (600-624), scored once after the last extraction change of session 16 (data/holdout-3/README.md)
HOLDOUT_3 = AnnotatedSet("holdout-3", config.DATA / "holdout-3", min_articles=22, body_words=(150, 950))
#: the fourth (700-711, 750-761), written by two helpers at the start of session 17 and scored once
#: after its last extraction change (data/holdout-4/README.md)
HOLDOUT_4 = AnnotatedSet("holdout-4", config.DATA / "holdout-4", min_articles=24, body_words=(150, 950))
#: the fifth (800-811, 850-861), written by two more helpers in session 17 and scored once with the
#: same extractor as set 4 (data/holdout-5/README.md)
HOLDOUT_5 = AnnotatedSet("holdout-5", config.DATA / "holdout-5", min_articles=24, body_words=(150, 950))
#: the sixth (900-911, 950-961), written by two helpers in session 19 and scored once after the
#: session's last extraction change; development data since session 20 (data/holdout-6/README.md)
HOLDOUT_6 = AnnotatedSet("holdout-6", config.DATA / "holdout-6", min_articles=24, body_words=(150, 950))
#: the seventh (1000-1011, 1050-1061), written by two helpers at the start of session 20 and scored
#: once after the session's first changes; development data since session 21 (data/holdout-7/README.md)
HOLDOUT_7 = AnnotatedSet("holdout-7", config.DATA / "holdout-7", min_articles=24, body_words=(150, 950))
#: the eighth (1100-1111, 1150-1161), written by two helpers after set 7 was scored, to measure
#: session 20's later changes; development data since session 21 (data/holdout-8/README.md)
HOLDOUT_8 = AnnotatedSet("holdout-8", config.DATA / "holdout-8", min_articles=24, body_words=(150, 950))
#: the ninth (1200-1211, 1250-1261), written by two helpers at the start of session 21, many
#: judgements per article, scored once; development data since (data/holdout-9/README.md)
HOLDOUT_9 = AnnotatedSet("holdout-9", config.DATA / "holdout-9", min_articles=24, body_words=(150, 950))
#: the tenth (1300-1311, 1350-1361), written by two helpers after set 9 was scored, to measure the
#: changes made from set 9 (data/holdout-10/README.md)
HOLDOUT_10 = AnnotatedSet("holdout-10", config.DATA / "holdout-10", min_articles=24, body_words=(150, 950))
#: news articles written to train the sentence classifier (odd numbers are kept out of training: data/annotations/news/README.md)
NEWS = AnnotatedSet("news", config.DATA / "annotations" / "news", min_articles=40, body_words=(150, 950))
SETS = (DEV, HOLDOUT, HOLDOUT_2, HOLDOUT_3, HOLDOUT_4, HOLDOUT_5, HOLDOUT_6, HOLDOUT_7, HOLDOUT_8, HOLDOUT_9, HOLDOUT_10, NEWS)
#: the sets written to measure (what the reader makes of their dates is measured, not tested)
HELD_OUT = (HOLDOUT, HOLDOUT_2, HOLDOUT_3, HOLDOUT_4, HOLDOUT_5, HOLDOUT_6, HOLDOUT_7, HOLDOUT_8, HOLDOUT_9, HOLDOUT_10)

#: The top concepts of CONTRACT.md's schemes, by prefLabel; "other" is allowed in gold (not scored).
RATINGS = {"outstanding", "good", "requires improvement", "inadequate"}
FAILINGS = {
    "high caseloads", "management oversight", "recruitment and retention", "agency staff reliance",
    "staff turnover", "assessment quality", "delays and timeliness", "front door and referrals",
    "risk not recognised", "consent and thresholds", "quality assurance", "supervision",
    "newly qualified staff unsupported", "children not seen", "drift in plans",
    "changes of social worker", "leadership",
}
RESPONSES = {
    "funding", "recruitment", "leadership change", "review", "training", "retention strategy",
    "restructure", "improvement plan", "government intervention",
}
MEASURES = {"caseload", "vacancy rate", "turnover rate", "agency rate"}
OTHER = "other"

TOP_KEYS = {"article", "published", "councils", "ratings", "failings", "recommendations", "responses",
            "people", "statistics"}
FACT_KEYS = {
    "ratings": {"council", "rating", "year", "current", "evidence"},
    "failings": {"council", "category", "evidence"},
    "recommendations": {"council", "category", "evidence"},
    "responses": {"council", "type", "amount_gbp", "evidence"},
    "people": {"name", "role", "organisation"},
    "statistics": {"council", "measure", "value", "unit", "year", "evidence"},
}
LABEL_FIELD = {"ratings": ("rating", RATINGS | {OTHER}), "failings": ("category", FAILINGS | {OTHER}),
               "recommendations": ("category", FAILINGS | {OTHER}),
               "responses": ("type", RESPONSES | {OTHER}), "statistics": ("measure", MEASURES | {OTHER})}
#: Kinds whose facts carry a council (null only where the article speaks of the whole sector).
COUNCIL_KINDS = ("ratings", "failings", "recommendations", "responses", "statistics")
HONORIFIC = re.compile(r"^(?:Sir|Dame|Dr|Professor|Prof|Mr|Mrs|Ms|Miss|Cllr|Councillor|Lord|Baroness)\b\.?\s")
FILE_NAME = re.compile(r"^(\d{3,4})_([0-9a-f]{16})\.txt$")


def _space(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _per_file(files: str) -> list:
    """(set, path) parameters over every set's ``files`` ("articles" or "gold_files"), ids ``set/file``."""
    return [pytest.param(s, p, id=f"{s.name}/{p.name}") for s in SETS for p in getattr(s, files)]


ARTICLE_PARAMS = _per_file("articles")
GOLD_PARAMS = _per_file("gold_files")
per_set = pytest.mark.parametrize("aset", SETS, ids=lambda s: s.name)


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer.load()


@pytest.fixture(scope="module")
def bodies() -> dict[tuple[str, str], str]:
    """Article body (journalist's text, no comments or trailers) per (set, file name), whitespace folded."""
    return {(s.name, p.name): _space(read_article(p).body) for s in SETS for p in s.articles}


@per_set
def test_the_set_is_there(aset: AnnotatedSet) -> None:
    assert len(aset.articles) >= aset.min_articles, f"expected at least {aset.min_articles} articles in {aset.root}"
    assert len(aset.gold_files) == len(aset.articles)
    assert (aset.root / "README.md").is_file()


def test_the_sets_do_not_share_articles() -> None:
    """A held-out article that is also a dev article would no longer be held out."""
    dev = {hashlib.sha1(p.read_bytes()).hexdigest() for p in DEV.articles}
    holdout = {hashlib.sha1(p.read_bytes()).hexdigest() for p in HOLDOUT.articles}
    assert not dev & holdout
    assert not {p.name[:3] for p in DEV.articles} & {p.name[:3] for p in HOLDOUT.articles}, "article numbers overlap"


@per_set
def test_every_article_has_gold_and_every_gold_its_article(aset: AnnotatedSet) -> None:
    assert {p.stem for p in aset.articles} == {p.stem for p in aset.gold_files}
    for path in aset.gold_files:
        doc = _load(path)
        assert doc["article"] == f"{path.stem}.txt", path.name
        assert (aset.root / doc["article"]).is_file(), doc["article"]


@pytest.mark.parametrize(("aset", "path"), ARTICLE_PARAMS)
def test_article_file_is_named_after_its_content(aset: AnnotatedSet, path: Path) -> None:
    match = FILE_NAME.match(path.name)
    assert match, f"{path.name}: expected NNN_<16 hex>.txt"
    assert match.group(2) == hashlib.sha1(path.read_bytes()).hexdigest()[:16]


@pytest.mark.parametrize(("aset", "path"), ARTICLE_PARAMS)
def test_article_reads_as_a_news_article(aset: AnnotatedSet, path: Path) -> None:
    """The reader finds a title and a body. On the dev set it also finds the date and every
    comment; on the held-out sets that is what is measured (the gold's ``published``), not tested."""
    article = read_article(path)
    assert article.title and article.body
    if aset in HELD_OUT:
        return
    low, high = aset.body_words
    assert low <= len(article.body.split()) <= high, f"{path.name}: body of {len(article.body.split())} words"
    assert article.date is not None and 2013 <= article.date.year <= (2022 if aset is DEV else 2026)
    if article.comments_declared is not None and aset is DEV:
        assert len(article.comments) == article.comments_declared


@pytest.mark.parametrize(("aset", "path"), GOLD_PARAMS)
def test_gold_schema(aset: AnnotatedSet, path: Path) -> None:
    doc = _load(path)
    assert set(doc) == TOP_KEYS
    assert dt.date.fromisoformat(doc["published"])
    assert isinstance(doc["councils"], list) and len(doc["councils"]) == len(set(doc["councils"]))
    for kind, keys in FACT_KEYS.items():
        assert isinstance(doc[kind], list), kind
        for fact in doc[kind]:
            assert set(fact) == keys, f"{kind}: {fact}"
            if "evidence" in fact:
                assert isinstance(fact["evidence"], str) and fact["evidence"].strip()
    for r in doc["ratings"]:
        assert r["year"] is None or isinstance(r["year"], int)
        assert isinstance(r["current"], bool)
    for r in doc["responses"]:
        assert r["amount_gbp"] is None or (isinstance(r["amount_gbp"], (int, float)) and r["amount_gbp"] > 0)
    for s in doc["statistics"]:
        assert isinstance(s["value"], (int, float)) and not isinstance(s["value"], bool)
        assert s["year"] is None or isinstance(s["year"], int)
        assert isinstance(s["unit"], str) and s["unit"]
    for p in doc["people"]:
        assert all(isinstance(p[k], str) and p[k].strip() for k in ("name", "role", "organisation"))


@pytest.mark.parametrize(("aset", "path"), GOLD_PARAMS)
def test_gold_labels_are_in_the_contract_schemes(aset: AnnotatedSet, path: Path) -> None:
    doc = _load(path)
    for kind, (field, allowed) in LABEL_FIELD.items():
        for fact in doc[kind]:
            assert fact[field] in allowed, f"{kind}: {fact[field]!r} is not a prefLabel of the contract"


@pytest.mark.parametrize(("aset", "path"), GOLD_PARAMS)
def test_gold_councils_resolve_to_their_short_name(aset: AnnotatedSet, path: Path, gaz: Gazetteer) -> None:
    doc = _load(path)
    year = dt.date.fromisoformat(doc["published"]).year
    for name in doc["councils"]:
        council = gaz.resolve(name, year=year)
        # a held-out set's annotators never see the gazetteer: any of a council's names will do
        # (the scorer folds "Bedford Borough" and "Bedford" alike), and a former council named
        # for its own grades ("Poole", rated in 2016, in a 2024 article) is the one of those years
        rated = [r["year"] for r in doc["ratings"] if r["council"] == name and r["year"]]
        if aset in HELD_OUT and rated and (council is None or council.name != name):
            council = gaz.resolve(name, year=min(rated)) or council
        assert council is not None, f"{name!r} does not resolve"
        if aset in HELD_OUT:
            assert name.lower() in {label.lower() for label in council.labels}, f"{name!r} is not a name of {council.name!r}"
        else:
            assert council.name == name, f"{name!r} should be written as its short name {council.name!r}"
        # (a training article may speak of a former council after its year: "Cumbria" in 2023; a
        # held-out article may name one for a grade it was given while it existed)
        past_grade = aset in HELD_OUT and any(r["council"] == name and r["year"] and council.valid_in(r["year"])
                                              for r in doc["ratings"])
        assert council.valid_in(year) or aset is NEWS or past_grade, f"{name} did not exist in {year}"
    for kind in COUNCIL_KINDS:
        for fact in doc[kind]:
            if fact["council"] is not None:
                assert fact["council"] in doc["councils"], f"{kind}: {fact['council']} not in councils"
    for kind in ("ratings", "responses"):  # always about one council
        assert all(f["council"] for f in doc[kind]), kind


@pytest.mark.parametrize(("aset", "path"), GOLD_PARAMS)
def test_people_organisations_are_known(aset: AnnotatedSet, path: Path, gaz: Gazetteer) -> None:
    """Dev gold names organisations the gazetteer knows; the held-out set may name any (the
    gazetteer must never learn a name because the held-out set uses it)."""
    doc = _load(path)
    for p in doc["people"]:
        assert not HONORIFIC.match(p["name"]), f"{p['name']}: names are written without honorifics"
        org = p["organisation"]
        if aset is DEV:
            assert org in doc["councils"] or gaz.resolve_organisation(org) is not None, org


@pytest.mark.parametrize(("aset", "path"), GOLD_PARAMS)
def test_evidence_is_verbatim_in_the_body(aset: AnnotatedSet, path: Path, bodies: dict[tuple[str, str], str]) -> None:
    doc = _load(path)
    body = bodies[(aset.name, doc["article"])]
    if aset in HELD_OUT:  # where the reader ends the page's head is measured there, not tested
        body = _space((aset.root / doc["article"]).read_text(encoding="utf-8-sig"))
    for kind in COUNCIL_KINDS:
        for fact in doc[kind]:
            assert _space(fact["evidence"]) in body, f"{kind}: evidence not in the body: {fact['evidence']!r}"


@pytest.mark.parametrize(("aset", "path"), GOLD_PARAMS)
def test_dates_and_years_are_consistent(aset: AnnotatedSet, path: Path) -> None:
    doc = _load(path)
    published = dt.date.fromisoformat(doc["published"])
    for r in doc["ratings"]:
        assert r["year"] is None or 2005 <= r["year"] <= published.year
    for s in doc["statistics"]:
        assert s["year"] is None or 2005 <= s["year"] <= published.year
    current = {}
    for r in doc["ratings"]:
        if r["current"]:
            assert r["council"] not in current, f"{r['council']}: two current ratings"
            current[r["council"]] = r["year"]
    for r in doc["ratings"]:  # a past judgement predates the current one
        if not r["current"] and r["year"] and current.get(r["council"]):
            assert r["year"] < current[r["council"]], r
    # last, so that a date kg.sources cannot read does not hide the checks of the gold above; on the
    # held-out set, reading the date is measured (by the scorer's rating years), not tested
    if aset not in HELD_OUT:
        assert read_article(aset.root / doc["article"]).date == published, "kg.sources reads another date"


@per_set
def test_recommendation_areas_are_also_failings(aset: AnnotatedSet) -> None:
    """Annotation convention (as in the seed gold): what Ofsted told a council to improve is a failing."""
    for path in aset.gold_files:
        doc = _load(path)
        failings = {(f["council"], f["category"]) for f in doc["failings"]}
        for rec in doc["recommendations"]:
            assert (rec["council"], rec["category"]) in failings, f"{path.name}: {rec}"


def test_the_set_covers_what_it_is_meant_to() -> None:
    """Coverage the dev README promises: every grade, every response type, every measure, sector-wide facts."""
    docs = [_load(p) for p in DEV.gold_files]
    ratings = {r["rating"] for d in docs for r in d["ratings"]}
    responses = {r["type"] for d in docs for r in d["responses"]}
    measures = {s["measure"] for d in docs for s in d["statistics"]}
    failings = {f["category"] for d in docs for f in d["failings"]}
    assert ratings == RATINGS
    assert RESPONSES <= responses
    assert MEASURES <= measures
    assert len(failings & FAILINGS) >= 15
    assert any(len(d["councils"]) >= 5 for d in docs), "a regional round-up"
    assert any(f["council"] is None for d in docs for f in d["failings"]), "a sector-wide failing"
    assert any(not r["current"] for d in docs for r in d["ratings"]), "a past rating"
    assert any(r["year"] is None for d in docs for r in d["ratings"]), "a rating without a stated year"


@per_set
def test_the_set_builds_and_scores(aset: AnnotatedSet, tmp_path: Path) -> None:
    """The pipeline runs on the set and every fact is traceable; no score threshold is asserted.

    Only sanity is checked: every extracted fact's evidence is verbatim in its source file, and no
    kind comes out empty-handed (found > 0 and recall > 0). F1 is deliberately not asserted: the
    held-out set is a measurement, not a target. Failure messages name kinds only, never the
    missed or extra facts.
    """
    out = tmp_path / "out"
    assert cli.main(["build", "--articles", str(aset.root), "--out", str(out)]) == 0
    result = score_graph(out / "graph.ttl", aset.gold, aset.root)
    assert result["evidence"]["verbatim_share"] == 1.0
    if aset is HOLDOUT:
        return  # the held-out set is scored once, by hand, at the end of a piece of work
    empty = [kind for kind in KINDS if result[kind]["found"] == 0]
    assert not empty, f"{aset.name}: nothing found for {empty}"
    zero_recall = [kind for kind in KINDS if result[kind]["recall"] == 0]
    assert not zero_recall, f"{aset.name}: zero recall for {zero_recall}"
