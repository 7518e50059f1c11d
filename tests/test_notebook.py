"""notebooks/analysis.ipynb runs top to bottom in a fresh kernel, in an empty working folder,
builds its own graph and reports: no cell fails, the plots and tables are there, and the
comparison with Ofsted's record printed a table or said that the record is absent."""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from kg import config

NOTEBOOK = config.ROOT / "notebooks" / "analysis.ipynb"
OFFICIAL = config.SHARED / "reference" / "ofsted_csc_ilacs_history.csv"


def _text(cell) -> str:
    """Everything a code cell printed or displayed, as plain text."""
    parts = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream":
            parts.append(output.get("text", ""))
        elif "data" in output:
            parts.append(output["data"].get("text/plain", ""))
    return "\n".join(parts)


def _tagged(nb, tag: str):
    cells = [c for c in nb.cells if tag in c.get("metadata", {}).get("tags", [])]
    assert len(cells) == 1, f"want one cell tagged {tag!r}"
    return cells[0]


def test_the_committed_notebook_has_no_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(not c.outputs and c.execution_count is None for c in code)
    assert sum(c.cell_type == "markdown" for c in nb.cells) >= 8


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory):
    """The notebook executed by the python3 kernel of this interpreter, from an empty folder."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    workdir = tmp_path_factory.mktemp("notebook-cwd")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(config.ROOT), env.get("PYTHONPATH", "")) if p)
    env["MPLBACKEND"] = "Agg"
    client = NotebookClient(nb, kernel_name="python3", timeout=600, allow_errors=False,
                            resources={"metadata": {"path": str(workdir)}})
    started = time.perf_counter()
    client.execute(env=env)  # raises CellExecutionError on the first failing cell
    seconds = time.perf_counter() - started
    sys.stderr.write(f"notebook executed in {seconds:.1f} s\n")
    return nb, workdir


def test_every_cell_runs_and_leaves_nothing_behind(executed):
    nb, workdir = executed
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count for c in code)
    errors = [o for c in code for o in c.outputs if o.get("output_type") == "error"]
    assert not errors
    assert list(Path(workdir).iterdir()) == []  # the graph was built in a temporary folder


def test_the_report_has_plots_and_tables(executed):
    nb, _ = executed
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    images = [o for o in outputs if "data" in o and "image/png" in o["data"]]
    tables = [o for o in outputs if "data" in o and "text/html" in o["data"] and "<table" in o["data"]["text/html"]]
    assert len(images) >= 5 + OFFICIAL.is_file()
    assert len(tables) >= 6
    text = "\n".join(_text(c) for c in nb.cells if c.cell_type == "code")
    assert "Found at every one of them:" in text and "agency staff reliance" in text
    assert "cluster 1:" in text and "Bradford" in text
    assert "follow a failing found at the same council" in text


def test_the_comparison_section_reports_or_says_the_record_is_absent(executed):
    nb, _ = executed
    output = _text(_tagged(nb, "comparison"))
    if OFFICIAL.is_file():
        assert "Outcomes:" in output and "agree" in output
        assert "Bradford" in output and "inadequate" in output
    else:
        assert "not present" in output
