"""kg.pipeline.cache: what the extraction cache's key covers."""
from __future__ import annotations

import shutil
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
