"""kg.pipeline.progress: a bar on a terminal, log lines elsewhere."""
from __future__ import annotations

import io
import logging

from kg.pipeline.progress import progress


class _Clock:
    def __init__(self, step: float) -> None:
        self.now, self.step = 0.0, step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


def test_without_a_terminal_it_logs_every_few_seconds(caplog) -> None:
    caplog.set_level(logging.INFO, logger="councilkg")
    items = list(range(30))
    assert list(progress(items, every_s=5.0, clock=_Clock(1.0), stream=io.StringIO())) == items
    lines = [r.getMessage() for r in caplog.records]
    assert lines[0].startswith("articles: 5 of 30 (16%)") and lines[-1].startswith("articles: 30 of 30 (100%)")
    assert 5 <= len(lines) <= 7 and all("doc/s" in line for line in lines)


def test_on_a_terminal_it_draws_a_bar_and_logs_nothing(caplog) -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    caplog.set_level(logging.INFO, logger="councilkg")
    stream = Tty()
    assert list(progress(range(3), total=3, stream=stream)) == [0, 1, 2]
    assert "3/3" in stream.getvalue() and not caplog.records


def test_nothing_to_do_logs_nothing(caplog) -> None:
    caplog.set_level(logging.INFO, logger="councilkg")
    assert list(progress([], stream=io.StringIO())) == []
    assert not caplog.records
