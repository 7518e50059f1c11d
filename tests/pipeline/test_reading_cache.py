"""The reading cache: what reading each file gave, kept between builds (kg/pipeline/cache.py)."""
from __future__ import annotations

import logging

import pytest

from kg.pipeline.cache import IngestCache


def _files(tmp_path, **texts):
    folder = tmp_path / "in"
    folder.mkdir(exist_ok=True)
    for name, text in texts.items():
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    return folder


def test_an_unchanged_file_is_found_with_what_reading_it_gave(tmp_path):
    folder = _files(tmp_path, a="first", b="second")
    db = tmp_path / "ingest.sqlite"
    with IngestCache(db, "v1") as cache:
        for name in ("a", "b"):
            key, hit = cache.lookup(f"{name}.txt", folder / f"{name}.txt")
            assert hit is None
            cache.remember(key, {"title": name.upper(), "warnings": ["w"]}, bytes(range(16)), 5)
        cache.commit()
        assert (cache.hits, cache.misses) == (0, 2)
    with IngestCache(db, "v1") as cache:
        key, hit = cache.lookup("a.txt", folder / "a.txt")
        assert hit.record == {"title": "A", "warnings": ["w"]} and hit.shingles == bytes(range(16))
        assert hit.length == 5 and (cache.hits, cache.misses) == (1, 0)
        # the same bytes under another name, another code version: not the same entry
        assert cache.lookup("c.txt", folder / "a.txt")[1] is None
        assert IngestCache(None, "v1").lookup("a.txt", folder / "a.txt")[0] == key
    with IngestCache(db, "v2") as cache:
        assert cache.lookup("a.txt", folder / "a.txt")[1] is None


def test_changed_bytes_miss_and_entries_no_file_used_are_dropped(tmp_path):
    folder = _files(tmp_path, a="first", b="second")
    db = tmp_path / "ingest.sqlite"
    with IngestCache(db, "v1") as cache:
        for name in ("a", "b"):
            cache.remember(cache.lookup(f"{name}.txt", folder / f"{name}.txt")[0], {"n": name}, b"", 0)
        cache.commit()
    (folder / "a.txt").write_text("first, edited", encoding="utf-8")
    with IngestCache(db, "v1") as cache:
        key, hit = cache.lookup("a.txt", folder / "a.txt")
        assert hit is None
        cache.remember(key, {"n": "a2"}, b"", 0)
        cache.commit()  # b.txt was not looked up: it left the corpus
    with IngestCache(db, "v1") as cache:
        assert cache.lookup("a.txt", folder / "a.txt")[1].record == {"n": "a2"}
        assert cache.lookup("b.txt", folder / "b.txt")[1] is None


def test_what_a_killed_build_read_is_not_kept(tmp_path):
    folder = _files(tmp_path, a="first")
    db = tmp_path / "ingest.sqlite"
    with IngestCache(db, "v1") as cache:
        cache.remember(cache.lookup("a.txt", folder / "a.txt")[0], {"n": "a"}, b"", 0)
        # closed without commit: as when the build is killed while reading
    with IngestCache(db, "v1") as cache:
        assert cache.lookup("a.txt", folder / "a.txt")[1] is None


@pytest.mark.parametrize("damage", [b"not a database at all" * 100, b""])
def test_an_unusable_cache_file_is_started_anew(tmp_path, caplog, damage):
    folder = _files(tmp_path, a="first")
    db = tmp_path / "ingest.sqlite"
    db.write_bytes(damage)
    with caplog.at_level(logging.WARNING), IngestCache(db, "v1") as cache:
        key, hit = cache.lookup("a.txt", folder / "a.txt")
        cache.remember(key, {"n": "a"}, b"", 0)
        cache.commit()
    assert ("unusable" in caplog.text) == bool(damage)
    with IngestCache(db, "v1") as cache:
        assert cache.lookup("a.txt", folder / "a.txt")[1].record == {"n": "a"}


def test_a_damaged_entry_is_a_miss_and_is_replaced(tmp_path):
    import sqlite3

    folder = _files(tmp_path, a="first")
    db = tmp_path / "ingest.sqlite"
    with IngestCache(db, "v1") as cache:
        cache.remember(cache.lookup("a.txt", folder / "a.txt")[0], {"n": "a"}, bytes(8), 1)
        cache.commit()
    with sqlite3.connect(db) as raw:
        raw.execute("UPDATE entries SET record = '{\"n\": ', shingles = x'0102'")
    with IngestCache(db, "v1") as cache:
        key, hit = cache.lookup("a.txt", folder / "a.txt")
        assert hit is None and cache.misses == 1
        cache.remember(key, {"n": "again"}, bytes(8), 1)
        cache.commit()
    with IngestCache(db, "v1") as cache:
        assert cache.lookup("a.txt", folder / "a.txt")[1].record == {"n": "again"}


def test_off_it_keeps_nothing(tmp_path):
    folder = _files(tmp_path, a="first")
    with IngestCache(None, "v1") as cache:
        key, hit = cache.lookup("a.txt", folder / "a.txt")
        cache.remember(key, {"n": "a"}, b"", 0)
        cache.commit()
        assert hit is None and cache.lookup("a.txt", folder / "a.txt")[1] is None
    assert list(tmp_path.iterdir()) == [folder]


def test_doctests():
    import doctest

    import kg.pipeline.cache

    result = doctest.testmod(kg.pipeline.cache)
    assert result.attempted >= 5 and result.failed == 0
