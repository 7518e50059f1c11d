"""kg.pipeline.cache: what the caches' key covers, and what a change re-extracts."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kg import config
from kg.pipeline import cache
from kg.extract import classifier


@pytest.fixture
def model_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The shipped classifier's files in a folder of their own, standing in for the shipped one."""
    copy = tmp_path / "sentence-classifier"
    shutil.copytree(classifier.MODEL_DIR, copy)
    monkeypatch.setattr(classifier, "MODEL_DIR", copy)
    return copy


def test_the_key_covers_the_trained_classifier(model_copy: Path) -> None:
    before = cache.code_version()
    assert cache.code_version() == before
    meta = model_copy / "meta.json"
    meta.write_text(meta.read_text(encoding="utf-8").replace('"version": "1.0.0"', '"version": "1.0.1"'),
                    encoding="utf-8")
    assert cache.code_version() != before


def test_the_model_files_are_the_shipped_folder() -> None:
    files = classifier.model_files()
    assert classifier.MODEL_DIR / "meta.json" in files
    assert all(f.is_file() and config.DATA in f.parents for f in files)


def _checkout_copy(tmp_path: Path) -> Path:
    """The parts of the checkout a build reads, copied (kg/resources' links kept), so that a test
    can edit its code and rules."""
    copy = tmp_path / "checkout"
    shutil.copytree(config.ROOT / "kg", copy / "kg", symlinks=True,
                    ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("ontology", "queries"):
        shutil.copytree(config.ROOT / name, copy / name)
    (copy / "data").mkdir()
    for path in config.DATA.iterdir():
        if path.is_file():
            shutil.copy2(path, copy / "data" / path.name)
    for name in ("rules", "articles", "model"):
        shutil.copytree(config.DATA / name, copy / "data" / name)
    shutil.copy2(config.ROOT / "build.py", copy / "build.py")
    return copy


def _build(copy: Path) -> str:
    proc = subprocess.run([sys.executable, "build.py", "build", "--articles", "data/articles", "--out", "out"],
                          cwd=copy, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    return proc.stderr


def test_a_changed_comment_keeps_the_cache_and_a_changed_rule_file_re_extracts(tmp_path: Path) -> None:
    """The key is derived from the data files and CODE_VERSION, not from the code's bytes."""
    copy = _checkout_copy(tmp_path)
    assert "extracting 5 of 5 articles (0 from the cache)" in _build(copy)
    graph = (copy / "out" / "graph.ttl").read_bytes()

    module = copy / "kg" / "extract" / "failings.py"
    module.write_text(module.read_text(encoding="utf-8") + "\n# a comment changes nothing\n", encoding="utf-8")
    assert "nothing changed since the last build" in _build(copy)

    rules = copy / "data" / "rules" / "failings.jsonl"
    first, rest = rules.read_text(encoding="utf-8").split("\n", 1)
    rule = json.loads(first)
    rule["note"] = (rule.get("note", "") + " (edited)").strip()
    rules.write_text(json.dumps(rule) + "\n" + rest, encoding="utf-8")
    assert "extracting 5 of 5 articles (0 from the cache)" in _build(copy)
    assert (copy / "out" / "graph.ttl").read_bytes() == graph  # a note is no pattern: same graph


def test_the_key_follows_code_version(monkeypatch: pytest.MonkeyPatch) -> None:
    before = cache.code_version()
    monkeypatch.setattr(cache, "CODE_VERSION", cache.CODE_VERSION + "+1")
    assert cache.code_version() != before


def test_the_key_covers_every_data_file_the_build_reads() -> None:
    names = {p.name for p in cache.key_files()}
    assert {"failings.jsonl", "councils.csv", "organisations.jsonl", "ingest_patterns.json", "report_patterns.json",
            "node_styles.json", "councilkg.ttl", "shapes.ttl", "taxonomies.ttl", "meta.json"} <= names
