"""Tests for bench/generate_corpus.py: the synthetic corpus is deterministic, reads as articles,
never deduplicates away; the reports corpus is the real reports' text."""
from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from bench.generate_corpus import generate, load_councils, real_report_corpus
from kg.config import DATA, SHARED
from kg.sources.duplicates import find_duplicates
from kg.sources.articles import read_article

REPORTS = SHARED / "reference" / "ofsted-reports"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> list[Path]:
    return generate(200, tmp_path_factory.mktemp("synthetic"), seed=0)


def test_same_seed_same_bytes(tmp_path):
    first = generate(30, tmp_path / "a", seed=7)
    second = generate(30, tmp_path / "b", seed=7)
    assert [p.name for p in first] == [p.name for p in second]
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]


def test_other_seed_other_articles(tmp_path):
    first = generate(10, tmp_path / "a", seed=1)
    second = generate(10, tmp_path / "b", seed=2)
    assert all(a.read_bytes() != b.read_bytes() for a, b in zip(first, second))


def test_article_depends_only_on_seed_and_index(tmp_path):
    """The first files of a bigger corpus are the smaller corpus (sizes nest)."""
    small = generate(5, tmp_path / "small", seed=3)
    big = generate(12, tmp_path / "big", seed=3)
    assert [p.read_bytes() for p in small] == [p.read_bytes() for p in big[:5]]


def test_produces_n_files(tmp_path, corpus):
    assert len(corpus) == 200
    assert len(set(corpus)) == 200
    assert sorted(p.name for p in (corpus[0].parent).iterdir()) == sorted(p.name for p in corpus)
    assert generate(0, tmp_path / "empty") == []
    with pytest.raises(ValueError):
        generate(-1, tmp_path / "negative")


def test_every_file_reads_as_an_article(corpus):
    for path in corpus:
        article = read_article(path)
        assert article.title, path.name
        assert len(article.body.split()) >= 300, path.name
        assert article.standfirst, path.name
        # the credit line and the comments never leak into the body
        assert "Fotolia" not in article.body and "fotolia" not in article.body, path.name
        assert "Responses to" not in article.body and "Response to" not in article.body, path.name
        # a comments section is read whole: as many comments as it declares, no warnings
        if article.comments_declared is not None:
            assert len(article.comments) == article.comments_declared, path.name
        assert article.warnings == [], (path.name, article.warnings)


def test_the_corpus_varies(corpus):
    articles = [read_article(p) for p in corpus]
    with open(DATA / "councils.csv", encoding="utf-8", newline="") as handle:
        names = {row["name"] for row in csv.DictReader(handle)}
    mentioned = {name for name in names if any(f"{name} " in a.title for a in articles)}
    assert len(mentioned) >= 50  # real councils, many of them
    assert len({a.title for a in articles}) >= 0.95 * len(articles)  # headlines repeat, rarely
    assert sum(a.date is not None for a in articles) >= 30  # some carry a " date YYYY-MM-DD" line
    assert 30 <= sum(bool(a.comments) for a in articles) <= 170  # some have comments, not all
    assert all(2013 <= a.date.year <= 2023 for a in articles if a.date)
    words = [len(p.read_text(encoding="utf-8").split()) for p in corpus]
    assert min(words) >= 380 and sorted(words)[len(words) // 2] <= 900
    assert {c.name for c in load_councils()} <= names


def test_no_near_duplicates(corpus):
    articles = [read_article(p) for p in corpus]
    stats: dict = {}
    assert find_duplicates(articles, stats=stats) == {}
    assert stats["articles"] == 200


def test_reports_corpus_absent_folder(tmp_path):
    assert real_report_corpus(tmp_path / "out", reports_dir=tmp_path / "no-such-folder") == []


@pytest.mark.skipif(not REPORTS.is_dir(), reason=f"{REPORTS} (shared reference data) is absent")
def test_reports_corpus_is_report_text(tmp_path):
    pdf = REPORTS / "bradford_29-october-2018.pdf"
    if not pdf.exists():
        pdf = sorted(REPORTS.glob("*.pdf"))[0]
    source = tmp_path / "pdfs"
    source.mkdir()
    shutil.copy2(pdf, source / pdf.name)
    (path,) = real_report_corpus(tmp_path / "out", reports_dir=source)
    assert path.name == pdf.stem + ".txt"
    article = read_article(path)
    assert article.title and len(article.title) <= 300
    assert len(article.body.split()) > 2000
    paragraphs = article.body.split("\n\n")
    # wrapped lines are joined: paragraphs are long single lines, not PDF lines of ~90 characters
    assert max(len(p) for p in paragraphs) > 500
    assert all("\n" not in p for p in paragraphs)
