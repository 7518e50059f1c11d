"""spaCy in a side process: the build's own work (rules, RDF, projection) runs on one core
while spaCy parses the next articles on the other.

The side process loads the same pipeline :func:`kg.extract.nlp.load_nlp` builds, with the
same gazetteer patterns, and sends each parsed Doc back as bytes (``Doc.to_bytes`` without the
tok2vec tensor, which no rule reads); the caller rebuilds it on a vocabulary of its own. Texts
go out in batches, a few batches ahead, so the side process never waits for the caller and the
caller holds only those batches. Documents come back in the order they were given.

A failure in the side process (an exception, or the process dying) is raised in the caller as
:class:`SpacyProcessError`, naming what happened: a build never hangs on a dead parser.
"""
from __future__ import annotations

import os
import queue
import traceback
from collections.abc import Iterable, Iterator
from typing import TypeVar

from spacy.lang.en import English
from spacy.tokens import Doc

from kg.extract import PipelineError

T = TypeVar("T")

#: Batches sent ahead of the one being read back.
AHEAD = 3
#: What a Doc sends back: every annotation but the tok2vec tensor.
EXCLUDE = ("tensor",)
#: The vocabulary the caller rebuilds Docs on is replaced by a fresh one (between batches) once
#: it holds this many strings; Docs already given out keep the one they were built on.
MAX_STRINGS = 200_000
_DONE = None


class SpacyProcessError(PipelineError):
    """The side process failed or died."""


def _serve(model: str | None, patterns: list[dict], texts, docs, parent: int, batch_size: int) -> None:
    """The side process: load the pipeline, then parse batch after batch until told to stop."""
    from kg import sideprocess

    sideprocess.exit_with_parent(parent)
    try:
        from kg.extract.nlp import load_nlp_with_patterns

        nlp = load_nlp_with_patterns(patterns, model)
    except BaseException as exc:  # noqa: BLE001 - reported to the caller, who raises it
        docs.put(("error", f"could not load the spaCy pipeline ({type(exc).__name__}: {exc})\n"
                           f"{traceback.format_exc()}"))
        return
    docs.put(("ready", None))
    while True:
        batch = texts.get()
        if batch is _DONE:
            return
        number, items = batch
        try:
            parsed = parse_batch(nlp, items, batch_size)
        except BaseException as exc:  # noqa: BLE001
            docs.put(("error", f"spaCy failed on batch {number} ({type(exc).__name__}: {exc})\n"
                               f"{traceback.format_exc()}"))
            return
        docs.put((number, parsed))


def parse_batch(nlp, texts: list[str], batch_size: int) -> list[bytes]:
    """Each text parsed, as ``Doc.to_bytes`` (strings included). The strings and lexemes the batch
    adds to the pipeline's vocabulary are freed afterwards (spaCy's memory zone): an archive's
    vocabulary has no end (names, figures, typing slips), so a long build must not keep it."""
    with nlp.memory_zone():
        return [doc.to_bytes(exclude=EXCLUDE) for doc in nlp.pipe(texts, batch_size=batch_size)]


class SpacyProcess:
    """One side process running the extraction pipeline; a context manager (it stops the
    process on exit, whatever happened)."""

    def __init__(self, patterns: list[dict], model: str | None = None, *, batch_size: int = 16,
                 poll: float = 1.0) -> None:
        from kg import sideprocess

        ctx = sideprocess.context()
        self.batch_size = batch_size
        self.poll = poll
        self._texts = ctx.Queue()
        self._docs = ctx.Queue()
        self._process = ctx.Process(target=_serve, name="councilkg-spacy", daemon=True,
                                    args=(model, patterns, self._texts, self._docs, os.getpid(), batch_size))
        self._process.start()
        self._ready = False
        # strings travel with each Doc; the lexeme attributes (like_num, is_stop) are English's
        self.vocab = English().vocab

    def __enter__(self) -> SpacyProcess:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _receive(self):
        """The next message from the side process; raises if it died or failed."""
        while True:
            try:
                message = self._docs.get(timeout=self.poll)
            except queue.Empty:
                if not self._process.is_alive():
                    raise SpacyProcessError(
                        f"the spaCy process stopped (exit code {self._process.exitcode}) before it "
                        "returned every article") from None
                continue
            if message[0] == "error":
                raise SpacyProcessError(message[1])
            return message

    def pipe(self, items: Iterable[tuple[str, T]]) -> Iterator[tuple[Doc, T]]:
        """(Doc, context) for every (text, context), in order."""
        source = iter(items)
        waiting: list[list[T]] = []  # contexts of the batches sent, oldest first
        sent = 0

        def send() -> bool:
            nonlocal sent
            batch = [pair for _, pair in zip(range(self.batch_size), source)]
            if not batch:
                return False
            self._texts.put((sent, [text for text, _ in batch]))
            waiting.append([context for _, context in batch])
            sent += 1
            return True

        for _ in range(AHEAD):
            if not send():
                break
        if not self._ready:
            self._receive()  # "ready": the pipeline loaded
            self._ready = True
        received = 0
        while waiting:
            number, parsed = self._receive()
            if number != received:  # pragma: no cover - one process answers in order
                raise SpacyProcessError(f"batch {number} came back when {received} was expected")
            received += 1
            contexts = waiting.pop(0)
            send()
            if len(self.vocab.strings) > MAX_STRINGS:
                self.vocab = English().vocab
            for data, context in zip(parsed, contexts, strict=True):
                yield Doc(self.vocab).from_bytes(data), context

    def close(self) -> None:
        if self._process.is_alive():
            self._texts.put(_DONE)
            self._process.join(timeout=5)
            if self._process.is_alive():
                self._process.kill()
                self._process.join()
        for q in (self._texts, self._docs):
            q.cancel_join_thread()
            q.close()
