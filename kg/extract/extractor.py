"""The extraction stage: articles in, :class:`ArticleFacts` out. Runs the pipeline of
:mod:`kg.extract.nlp` (in this process or a side process) and then every fact kind's module.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from kg import config
from kg.extract import PipelineError, failings, joint, people, ratings, responses, statistics
from kg.extract import classifier as sentence_classifier
from kg.extract import nlp as loading
from kg.extract.classifier import SentenceClassifier
from kg.extract.context import DocContext, build_context
from kg.graph.facts import Article, ArticleFacts
from kg.graph.gazetteer import Gazetteer
from kg.rules import RuleSet, load_rules

log = logging.getLogger(__name__)



EXTRACTORS = (ratings.extract, failings.extract, responses.extract, statistics.extract, people.extract)


def extract_doc(article: Article, doc: Doc, gazetteer: Gazetteer, rules: RuleSet,
                classifier: SentenceClassifier | None = None) -> ArticleFacts:
    """Every fact of one parsed article. Comments are never parsed, so never yield facts.
    With a ``classifier``, each sentence is scored first and the extractors read the scores."""
    ctx: DocContext = build_context(article, doc, gazetteer, rules)
    if classifier is not None:
        ctx.scores = classifier.scores([s.text for s in ctx.sentences])
        ctx.classifier_name = classifier.name
    result = ArticleFacts(article=article, councils=list(ctx.mentioned))
    for extractor in EXTRACTORS:
        try:
            result.facts.extend(extractor(ctx))
        except Exception as exc:  # one extractor failing must not lose the others' facts
            log.exception("%s: %s failed", article.source_file, extractor.__module__)
            result.errors.append(f"{extractor.__module__}: {type(exc).__name__}: {exc}")
    result.facts = joint.expand(ctx, result.facts)
    return result


class Extractor:
    """Holds the pipeline (loaded when first needed), gazetteer and rules; extracts from many
    articles in batches."""

    def __init__(self, gazetteer: Gazetteer | None = None, rules_dir: Path | None = None,
                 model: str | None = None, *, use_classifier: bool = True) -> None:
        self.gazetteer = gazetteer or Gazetteer.load()
        self.rules_dir = Path(rules_dir or config.DATA / "rules")
        self.rules = load_rules(self.rules_dir)
        self.model = model
        self.use_classifier = use_classifier
        self._nlp: Language | None = None
        self._classifier: SentenceClassifier | None = None

    @property
    def classifier(self) -> SentenceClassifier | None:
        """The trained sentence classifier (None when switched off)."""
        if self.use_classifier and self._classifier is None:
            self._classifier = sentence_classifier.load_for_build()
        return self._classifier

    @property
    def nlp(self) -> Language:
        if self._nlp is None:
            try:
                self._nlp = loading.load_nlp(self.gazetteer, self.model)
            except (OSError, ImportError, ValueError) as exc:  # not installed, a broken package
                raise PipelineError(f"could not load the spaCy pipeline ({type(exc).__name__}: {exc})") from exc
        return self._nlp

    def extract(self, article: Article) -> ArticleFacts:
        return extract_doc(article, self.nlp(article.text_for_extraction), self.gazetteer, self.rules, self.classifier)

    def extract_many(self, articles: Iterable[Article], *, batch_size: int = 16, n_process: int = 1,
                     side_process: bool = False) -> Iterator[ArticleFacts]:
        """Facts of every article, in order. ``n_process`` > 1 parses with spaCy's own worker
        processes; ``side_process`` (with one process) parses in one side process
        (:mod:`kg.extract.spacy_process`) while this one runs the rules, and never loads the
        pipeline here. The facts are the same either way."""
        pairs = ((a.text_for_extraction, a) for a in articles)
        if side_process and n_process == 1:
            from kg.extract.spacy_process import SpacyProcess

            with SpacyProcess(self.gazetteer.ruler_patterns(), self.model or loading.model_name(),
                              batch_size=batch_size) as parser:
                for doc, article in parser.pipe(pairs):
                    yield extract_doc(article, doc, self.gazetteer, self.rules, self.classifier)
            return
        for doc, article in self.nlp.pipe(pairs, as_tuples=True, batch_size=batch_size, n_process=n_process):
            yield extract_doc(article, doc, self.gazetteer, self.rules, self.classifier)
