"""Atomic file writes: a temporary file beside the target, then a rename. Readers (and a build
that is killed midway) see the old file or the new one, never half of either.

>>> import tempfile, pathlib
>>> target = pathlib.Path(tempfile.mkdtemp()) / "a.txt"
>>> atomic_write(target, "hello") == target, target.read_text()
(True, 'hello')
"""
from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path


def atomic_write(path: Path, data: bytes | str) -> Path:
    """Write ``data`` (text is written as UTF-8 with LF line ends) to ``path`` atomically, with
    the usual permissions (mkstemp's own are owner-only)."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    with _replacing(Path(path), "wb") as fh:
        fh.write(payload)
    return Path(path)


def atomic_stream(path: Path):
    """A text handle (UTF-8, LF line ends) whose content replaces ``path`` atomically when the
    ``with`` block ends normally; on an exception the target is left as it was.

    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "b.txt"
    >>> with atomic_stream(target) as fh:
    ...     _ = fh.write("one\\n")
    >>> target.read_text()
    'one\\n'
    """
    return _replacing(Path(path), "w", encoding="utf-8", newline="\n")


@contextmanager
def _replacing(path: Path, mode: str, **options) -> Iterator:
    """A handle on a temporary file beside ``path`` that is synced, given the usual permissions
    and renamed onto ``path`` when the block ends normally, or deleted when it raises."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, mode, **options) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~current_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def jsonl_objects(path: str | Path, *, where: str | None = None, error: type[ValueError] = ValueError,
                  comments: bool = False) -> Iterator[tuple[str, dict]]:
    """``(where, object)`` for every non-blank line of a JSONL data file, ``where`` being
    ``"<name>:<line>"``; a line that is not a JSON object raises ``error`` naming it. With
    ``comments``, lines starting with ``//`` are skipped too.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.jsonl"
    >>> _ = p.write_text('{"id": 1}\\n\\n[2]\\n', encoding="utf-8")
    >>> next(jsonl_objects(p))
    ('x.jsonl:1', {'id': 1})
    >>> list(jsonl_objects(p))
    Traceback (most recent call last):
    ValueError: x.jsonl:3: not a JSON object
    """
    path = Path(path)
    name = where or path.name
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or comments and line.lstrip().startswith("//"):
            continue
        here = f"{name}:{number}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise error(f"{here}: not valid JSON ({exc.msg})") from exc
        if not isinstance(obj, dict):
            raise error(f"{here}: not a JSON object")
        yield here, obj


def check_keys(obj: dict, where: str, *, allowed: Iterable[str], required: Iterable[str] = (),
               error: type[ValueError] = ValueError) -> None:
    """Raise ``error`` naming ``where`` when ``obj`` has a key not ``allowed`` or lacks a
    ``required`` one: a typo in a data file is an error, never a silently ignored key.

    >>> check_keys({"id": 1, "paterns": []}, "x.jsonl:1", allowed={"id", "pattern"})
    Traceback (most recent call last):
    ValueError: x.jsonl:1: unknown key(s) ['paterns']; allowed: ['id', 'pattern']
    """
    allowed = set(allowed)
    unknown = set(obj) - allowed
    if unknown:
        raise error(f"{where}: unknown key(s) {sorted(unknown)}; allowed: {sorted(allowed)}")
    missing = set(required) - set(obj)
    if missing:
        raise error(f"{where}: missing key(s) {sorted(missing)}")


def read_json_object(path: str | Path, *, allowed: Iterable[str], required: Iterable[str]) -> dict:
    """A JSON data file that must be an object with only ``allowed`` keys and every ``required``
    one: a typo in a rule or pattern file is an error naming the file, never silently ignored."""
    with open(path, encoding="utf-8") as handle:
        raw = json.load(handle)
    if not isinstance(raw, dict):
        raise ValueError(f"{path}: expected a JSON object")
    check_keys(raw, str(path), allowed=allowed, required=required)
    return raw
