"""Tests for kg.extract.spacy_process: spaCy in a side process gives the same Docs and the
same facts as spaCy in the caller's process, in order, and fails loudly instead of hanging."""
from __future__ import annotations

import os
import signal

import pytest

from kg.extract.extractor import Extractor
from kg.extract import spacy_process
from kg.extract.spacy_process import SpacyProcess, SpacyProcessError, parse_batch
from kg.graph.facts import Article

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


def _unseen_words(n: int) -> list[str]:
    """Texts full of words no vocabulary holds (an archive's names and figures)."""
    return [f"Councillor Qzv{i}x met Wrq{i}y about case {i * 7919}-{i}." for i in range(n)]


def test_a_batch_leaves_the_pipeline_vocabulary_as_it_found_it(extractor: Extractor) -> None:
    """The side process parses each batch in a memory zone: what comes back is the same as
    parsing without one, and the words the batch brought are not kept."""
    from spacy.lang.en import English
    from spacy.tokens import Doc

    nlp = extractor.nlp
    texts = _unseen_words(6) + TEXTS
    expected = [_tokens(d) for d in nlp.pipe(texts)]
    before = len(nlp.vocab.strings)
    data = parse_batch(nlp, _unseen_words(40), batch_size=4)
    assert len(nlp.vocab.strings) == before and "Qzv39x" not in nlp.vocab.strings
    assert "Qzv39x" in Doc(English().vocab).from_bytes(data[39]).text
    assert [_tokens(Doc(English().vocab).from_bytes(b)) for b in parse_batch(nlp, texts, 4)] == expected


def test_the_callers_vocabulary_is_replaced_when_it_grows(extractor: Extractor, monkeypatch) -> None:
    """Docs are rebuilt on a fresh vocabulary once the caller's holds MAX_STRINGS strings;
    each Doc keeps its own, whole."""
    from spacy.lang.en import English

    monkeypatch.setattr(spacy_process, "MAX_STRINGS", len(English().vocab.strings) + 30)
    texts = _unseen_words(12)
    expected = [_tokens(d) for d in extractor.nlp.pipe(texts)]
    with SpacyProcess(extractor.gazetteer.ruler_patterns(), batch_size=2) as parser:
        docs = [doc for doc, _ in parser.pipe((text, i) for i, text in enumerate(texts))]
    assert len({id(doc.vocab) for doc in docs}) > 2
    assert [_tokens(doc) for doc in docs] == expected


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
