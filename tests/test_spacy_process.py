"""Tests for kg.extract.spacy_process: spaCy in a side process gives the same Docs and the
same facts as spaCy in the caller's process, in order, and fails loudly instead of hanging."""
from __future__ import annotations

import os
import signal

import pytest

from kg.extract.pipeline import Extractor
from kg.extract.spacy_process import SpacyProcess, SpacyProcessError
from kg.facts import Article

TEXTS = [
    "Wakefield Council was rated inadequate by Ofsted in 2018.\n\nCaseloads were too high.",
    "Bradford children's services: inspectors found drift in plans and weak management oversight.",
    "What needs to improve\nThe quality of plans for children in need. Managers should act",
    "Sir Michael Wilshaw, Ofsted's chief inspector, said 40% of councils were failing.",
    "Cambridgeshire County Council will spend £2.5m on recruitment after the inspection.",
    "",
    "One more sentence. And another one on the same line.\nA new line.",
]


def _tokens(doc):
    return [(t.text, t.whitespace_, t.tag_, t.pos_, t.ent_type_, t.ent_iob_, t.ent_id_, t.is_sent_start,
             t.like_num, t.is_stop, t.lower_, t.shape_, t.norm_) for t in doc]


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor()


def test_docs_come_back_the_same_and_in_order(extractor: Extractor) -> None:
    """Small batches force several round trips: every Doc comes back with its own context,
    in the order given, with every annotation the rules read."""
    here = list(extractor.nlp.pipe(TEXTS))
    with SpacyProcess(extractor.gazetteer.ruler_patterns(), batch_size=2) as parser:
        there = list(parser.pipe((text, i) for i, text in enumerate(TEXTS)))
        again = list(parser.pipe([("Slough Borough Council", "x")]))  # a second pipe on one process
    assert [i for _, i in there] == list(range(len(TEXTS)))
    assert [_tokens(d) for d, _ in there] == [_tokens(d) for d in here]
    assert [[(e.text, e.label_, e.ent_id_) for e in d.ents] for d, _ in there] == \
        [[(e.text, e.label_, e.ent_id_) for e in d.ents] for d in here]
    assert [e.ent_id_ for e in again[0][0].ents] == ["E06000039"]
    assert not parser._process.is_alive()  # stopped on leaving the block


def test_extraction_in_a_side_process_gives_the_same_facts(extractor: Extractor) -> None:
    articles = [Article(source_file=f"{i}.txt", sha1=f"{i:040d}", title="t", body=text)
                for i, text in enumerate(TEXTS)]
    side = list(extractor.extract_many(articles, batch_size=3, side_process=True))
    here = list(extractor.extract_many(articles, batch_size=3))
    assert [r.article.source_file for r in side] == [a.source_file for a in articles]
    assert [r.facts for r in side] == [r.facts for r in here]
    assert [r.councils for r in side] == [r.councils for r in here]
    assert any(r.facts for r in side)


def test_a_pipeline_that_cannot_load_is_reported() -> None:
    with SpacyProcess([], model="no_such_spacy_model") as parser:
        with pytest.raises(SpacyProcessError, match="could not load the spaCy pipeline.*no_such_spacy_model"):
            list(parser.pipe([("text", 0)]))


def test_a_dead_side_process_is_an_error_not_a_hang(extractor: Extractor) -> None:
    with SpacyProcess(extractor.gazetteer.ruler_patterns(), batch_size=1, poll=0.2) as parser:
        docs = parser.pipe((f"Sentence number {i}.", i) for i in range(50))
        next(docs)
        os.kill(parser._process.pid, signal.SIGKILL)
        with pytest.raises(SpacyProcessError, match="stopped"):
            list(docs)
