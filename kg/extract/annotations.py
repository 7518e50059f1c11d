"""Stand-off annotations of real text: what the trained classifier learns from.

The reports themselves are never copied into the project. An annotation names a sentence by
where it is: the report's file name, the 1-based page, and the character offsets of the
sentence in the report's text as :func:`kg.sources.reports.read_report` gives it (``Article.body``),
with the first 12 hex digits of the sentence's SHA-1 so that a changed PDF reader is noticed
instead of silently training on other words. Each record carries its labels::

    {"file": "barnet_01_july_2019.pdf", "page": 4, "start": 10233, "end": 10391,
     "sha1": "3f2a...", "split": "train", "kind": "finding",
     "failings": ["management oversight", "drift in plans"], "annotator": "A"}

``kind`` is ``finding`` (the sentence states a failing), ``recommendation`` (it says what
must improve) or ``neither`` (praise, a negated or resolved failing, a neutral description).
``failings`` holds the FailingScheme prefLabels the sentence states (empty for ``neither``).

News-style annotations (``data/annotations/news/*.jsonl``) carry their text, since the project
wrote it: ``{"text": ..., "source": ..., "kind": ..., "failings": [...], "responses": [...]}``.
"""
from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kg.files import jsonl_objects
from kg.graph.facts import Article

#: The kinds of sentence the classifier tells apart.
KINDS = ("finding", "recommendation", "neither")

#: A sentence worth annotating: enough words to say something, not a whole page run together.
MIN_WORDS, MAX_WORDS = 6, 90
_NUMBER_PREFIX = re.compile(r"^\s*(?:\d+(?:\.\d+)?\.?|[•–])\s+")


def sentence_sha1(text: str) -> str:
    """The first 12 hex digits of the SHA-1 of a sentence (whitespace-normalised).

    >>> sentence_sha1("Caseloads are  high.")
    'b4d1ea6e5d3c'
    """
    return hashlib.sha1(" ".join(text.split()).encode("utf-8")).hexdigest()[:12]


@dataclass(frozen=True)
class Unit:
    """One sentence of a report, by where it is."""

    file: str
    page: int
    start: int
    end: int
    text: str
    section: str | None = None

    @property
    def sha1(self) -> str:
        return sentence_sha1(self.text)

    def key(self) -> str:
        return f"{self.file}:{self.start}-{self.end}"


def report_units(article: Article) -> list[Unit]:
    """Every sentence of a report's running text (numbered paragraphs, bullet items and plain
    paragraphs; not headings, the judgement table or the title block), with its page."""
    from kg.sources.pdf import page_of, paragraphs, split_sentences

    units: list[Unit] = []
    for para in paragraphs(article):
        if para.kind in ("heading", "row", "field"):
            continue
        if para.page == 1 and para.kind != "numbered" and para.index < 3:
            continue  # the title block
        lead = _NUMBER_PREFIX.match(para.text)
        body_start = lead.end() if lead else 0
        for s, e in split_sentences(para.text[body_start:]):
            s, e = s + body_start, e + body_start
            raw = para.text[s:e]
            stripped = raw.strip()
            s += raw.index(stripped) if stripped else 0
            words = len(stripped.split())
            if not MIN_WORDS <= words <= MAX_WORDS:
                continue
            start = para.start + s
            units.append(Unit(article.source_file, page_of(article, start), start, start + len(stripped),
                              stripped, para.section))
    return units


@dataclass
class Annotation:
    """One labelled sentence."""

    text: str
    kind: str
    failings: tuple[str, ...] = ()
    #: response types; None when the sentence was not labelled for responses (report sentences,
    #: sentences written to teach failings), so that training leaves those labels missing
    responses: tuple[str, ...] | None = None
    split: str = "train"
    source: str = ""  # the report file or the news annotation file
    where: dict = field(default_factory=dict)


class AnnotationError(ValueError):
    """An annotation no longer matches its report: the message names the record."""


def read_jsonl(path: Path) -> Iterator[dict]:
    """The records of an annotation file (a line that is not a JSON object is an error naming it)."""
    for _where, obj in jsonl_objects(path, error=AnnotationError):
        yield obj


def load_report_annotations(path: Path, reports_dir: Path, *, splits: tuple[str, ...] | None = None) -> list[Annotation]:
    """The stand-off records of ``path`` (of ``splits`` only, when given) with their sentences
    read again from the reports in ``reports_dir``; a sentence whose text no longer has the
    recorded SHA-1 is an error."""
    from kg.sources.reports import read_report

    records = [r for r in read_jsonl(path) if splits is None or r.get("split", "train") in splits]
    bodies: dict[str, str] = {}
    out: list[Annotation] = []
    for rec in records:
        name = rec["file"]
        if name not in bodies:
            article = read_report(Path(reports_dir) / name)
            if not isinstance(article, Article):
                raise AnnotationError(f"{path.name}: cannot read {name}: {article.reason}")
            bodies[name] = article.body
        text = bodies[name][rec["start"]:rec["end"]]
        if sentence_sha1(text) != rec["sha1"]:
            raise AnnotationError(f"{path.name}: {name} {rec['start']}-{rec['end']}: the text there is no "
                                  f"longer the annotated sentence (SHA-1 {sentence_sha1(text)} != {rec['sha1']})")
        out.append(Annotation(text, rec["kind"], tuple(rec.get("failings", ())), None, rec.get("split", "train"),
                              name, {"page": rec["page"], "start": rec["start"], "end": rec["end"]}))
    return out


def load_news_annotations(path: Path) -> list[Annotation]:
    """Sentences written for training, with their labels (``responses`` absent: not labelled)."""
    return [Annotation(rec["text"], rec.get("kind", "neither"), tuple(rec.get("failings", ())),
                       tuple(rec["responses"]) if "responses" in rec else None, rec.get("split", "train"),
                       rec.get("source", path.name))
            for rec in read_jsonl(path)]


def split_of(file: str, seed: int = 16) -> str:
    """The split of a report, fixed by its name: about 70% train, 15% dev, 15% test.

    >>> split_of("barnet_01_july_2019.pdf") in ("train", "dev", "test")
    True
    """
    value = random.Random(f"{seed}:{file}").random()
    return "train" if value < 0.7 else "dev" if value < 0.85 else "test"
