"""Training the sentence classifier (kg.extract.train): labels, news sentences from gold, a real
(tiny) spaCy training run, and the measure."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.extract.annotations import Annotation
from kg.extract.classifier import SentenceClassifier
from kg.extract.train import LABELS, SPENT_HELD_OUT, Corpus, cats_of, load_corpus, measure, news_annotations, news_split, train


def test_labels_cover_kinds_failings_and_responses() -> None:
    assert LABELS[:2] == ("finding", "recommendation")
    assert sum(label.startswith("failing:") for label in LABELS) == 17
    assert sum(label.startswith("response:") for label in LABELS) == 9


def test_cats_leave_unknown_labels_missing() -> None:
    finding = cats_of(Annotation("x", "finding", ("supervision",)), with_responses=False)
    assert finding["finding"] == 1.0 and finding["failing:supervision"] == 1.0 and finding["failing:leadership"] == 0.0
    assert not any(k.startswith("response:") for k in finding)
    neither = cats_of(Annotation("x", "neither", (), ("funding",)), with_responses=True)
    assert neither["finding"] == 0.0 and neither["response:funding"] == 1.0
    assert not any(k.startswith("failing:") for k in neither)


def test_news_split_keeps_odd_articles_out_of_training() -> None:
    assert news_split("400_aaaa.txt") == "train" and news_split("401_bbbb.txt") == "news-check"


def test_news_sentences_take_the_labels_of_the_gold_facts(tmp_path: Path) -> None:
    text = ("Council told to improve\n\n2023-05-04\n\n"
            "Ofsted found that social workers in Leeds carried caseloads that were far too high. "
            "The council has appointed a new director of children's services. "
            "The weather was fine.\n")
    (tmp_path / "500_x.txt").write_text(text, encoding="utf-8")
    gold = {"article": "500_x.txt", "failings": [{"council": "Leeds", "category": "high caseloads",
                                                  "evidence": "social workers in Leeds carried caseloads that were far too high"}],
            "recommendations": [],
            "responses": [{"council": "Leeds", "type": "leadership change", "amount_gbp": None,
                           "evidence": "The council has appointed a new director of children's services"}]}
    (tmp_path / "gold").mkdir()
    (tmp_path / "gold" / "500_x.json").write_text(json.dumps(gold), encoding="utf-8")
    anns = news_annotations(tmp_path, tmp_path / "gold", "train")
    by_text = {a.text: a for a in anns}
    caseloads = next(a for t, a in by_text.items() if "caseloads" in t)
    assert caseloads.kind == "finding" and caseloads.failings == ("high caseloads",)
    director = next(a for t, a in by_text.items() if "appointed" in t)
    assert director.kind == "neither" and director.responses == ("leadership change",)
    weather = next(a for t, a in by_text.items() if "weather" in t)
    assert weather.kind == "neither" and not weather.failings and not weather.responses
    assert not any("Council told" in t for t in by_text), "the headline is not labelled"


def test_spent_held_out_sets_are_training_news(tmp_path: Path) -> None:
    """``build.py train`` (``--spent-sets``, the default): the folders of news with gold given as
    ``news_train`` add their sentences to the training split (and nothing else); the spent sets
    exist, and the current held-out set is not one of them."""
    news = tmp_path / "spent"
    (news / "gold").mkdir(parents=True)
    (news / "510_y.txt").write_text("Title\n\n2023-05-04\n\nInspectors found that supervision in Leeds was "
                                    "irregular. The weather was fine.\n", encoding="utf-8")
    gold = {"article": "510_y.txt", "failings": [{"council": "Leeds", "category": "supervision",
                                                  "evidence": "supervision in Leeds was irregular"}],
            "recommendations": [], "responses": []}
    (news / "gold" / "510_y.json").write_text(json.dumps(gold), encoding="utf-8")
    annotations = tmp_path / "annotations"
    (annotations / "reports").mkdir(parents=True)
    (annotations / "news").mkdir()
    plain = load_corpus(tmp_path, annotations)
    assert plain.train == []
    corpus = load_corpus(tmp_path, annotations, news_train=[news])
    assert any(a.failings == ("supervision",) for a in corpus.train)
    assert not corpus.dev and not corpus.test and not corpus.news_check
    assert all((folder / "gold").is_dir() for folder in SPENT_HELD_OUT)
    assert all(folder.name != "holdout-6" for folder in SPENT_HELD_OUT)


def _tiny_corpus() -> Corpus:
    critical = ["Caseloads are far too high for many social workers.", "Supervision is irregular and poorly recorded.",
                "Too many children experience changes of social worker.", "Plans drift and are not reviewed."]
    labels = [("high caseloads",), ("supervision",), ("changes of social worker",), ("drift in plans",)]
    praise = ["Children are seen alone and their views are recorded well.", "Leaders know their services well.",
              "The council has appointed a new director.", "Managers provide effective oversight."]
    anns = [Annotation(t, "finding", f, None, "train", "r.pdf") for t, f in zip(critical, labels)] * 3
    anns += [Annotation(t, "neither", (), ("leadership change",) if "appointed" in t else (), "train", "n.txt")
             for t in praise] * 3
    return Corpus(train=anns, dev=anns[:8], test=[], news_dev=[])


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory) -> Path:
    """A real spaCy training run (bow config, 40 steps) on a few sentences."""
    out = tmp_path_factory.mktemp("model") / "clf"
    train("bow", out=out, corpus=_tiny_corpus(), max_steps=40)
    return out


def test_a_trained_model_loads_and_scores(tiny_model: Path) -> None:
    clf = SentenceClassifier(tiny_model)
    assert clf.name == "model:sentence_classifier@1.0.0"
    scores = clf.scores(["Caseloads are far too high.", "Leaders know their services well."])
    assert set(scores[0].cats) == set(LABELS)
    assert scores[0].cats["finding"] > scores[1].cats["finding"]
    meta = json.loads((tiny_model / "meta.json").read_text(encoding="utf-8"))
    assert "performance" not in meta and "bow config, seed 16" in meta["description"]


def test_training_is_reproducible(tiny_model: Path, tmp_path: Path) -> None:
    """The same annotations, config and seed give the same model, byte for byte."""
    again = train("bow", out=tmp_path / "clf", corpus=_tiny_corpus(), max_steps=40)
    for name in ("textcat_multilabel/model", "meta.json", "config.cfg"):
        assert (again / name).read_bytes() == (tiny_model / name).read_bytes(), name


def test_measure_reports_per_label_scores(tiny_model: Path) -> None:
    anns = [Annotation("Caseloads are far too high.", "finding", ("high caseloads",), (), "dev", "r.pdf"),
            Annotation("Leaders know their services well.", "neither", (), (), "dev", "r.pdf")]
    result = measure(tiny_model, anns)
    assert result["sentences"] == 2
    assert set(result["labels"]) >= {"finding", "recommendation", "failing:high caseloads"}
    assert result["words_per_second"] > 0
