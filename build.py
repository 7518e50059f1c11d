#!/usr/bin/env python3
"""Council KG: build the knowledge graph of England's children's services failures.

The design card's entry point; the commands are :mod:`kg.cli`'s (also installed as the
``councilkg`` console script).

    python build.py                                   # data/articles -> out/
    python build.py build --articles DIR --out DIR    # any folder of articles
    python build.py evaluate --articles DIR --gold DIR
    python build.py --help                            # every command

Exit codes: 0 every input built; 3 some inputs were rejected but the graph was written for the
rest; 1 a fatal error (no inputs, unusable arguments, a graph that fails its own shapes).
"""
from __future__ import annotations

import sys

from kg.cli import main

if __name__ == "__main__":
    sys.exit(main())
