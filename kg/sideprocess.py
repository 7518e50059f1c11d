"""Helper processes that work beside the build (spaCy parsing, SHACL validation): started
with ``spawn`` (the build holds threads and a large heap that ``fork`` would copy), and gone as
soon as the build that started them is gone, so that a killed build leaves nothing behind."""
from __future__ import annotations

import multiprocessing
import os
import threading
import time


def context():
    """The multiprocessing context helpers are started with."""
    return multiprocessing.get_context("spawn")


def exit_with_parent(parent: int, interval: float = 0.5) -> None:
    """In a helper: leave as soon as the process ``parent`` (the build) is gone."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(interval)
        os._exit(0)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()
