"""Near-duplicate stories: word 5-gram shingles, containment similarity and an index that
finds every article's near copies without comparing all pairs; copies share their dates.
"""
from __future__ import annotations

import hashlib
import logging
import os
import unicodedata
from array import array
from collections import defaultdict

from kg.graph.facts import Article
from kg.sources.news import _WORD

log = logging.getLogger(__name__)



# --------------------------------------------------------------------------------------------
# Near-duplicates


def shingles(text: str, size: int = 5, *, _ids: dict[str, int] | None = None) -> frozenset[int]:
    """Hashes of the word ``size``-grams of ``text`` (case-folded, punctuation ignored).

    Hashes are stable across runs and machines of the same word size: words are hashed with
    BLAKE2b and n-grams with Python's (unsalted) tuple hash of those integers.

    >>> shingles("One two three", 2) == shingles("ONE, two -- three!", 2)
    True
    """
    ids = _ids if _ids is not None else {}
    words = _WORD.findall(unicodedata.normalize("NFKC", text).casefold())
    for word in set(words).difference(ids):
        digest = hashlib.blake2b(word.encode("utf-8", "surrogatepass"), digest_size=8).digest()
        ids[word] = int.from_bytes(digest, "big")
    hashed = list(map(ids.__getitem__, words))
    if not hashed:
        return frozenset()
    if len(hashed) < size:
        return frozenset({hash(tuple(hashed))})
    return frozenset(map(hash, zip(*(hashed[i:] for i in range(size)))))


def similarity(a: frozenset[int], b: frozenset[int], min_size_ratio: float = 0.5) -> float:
    """How much of the smaller shingle set the larger contains, when sizes are comparable.

    Containment (|A∩B| / min(|A|,|B|)) finds a copy that lost a section or its last paragraphs;
    when the smaller set is under ``min_size_ratio`` of the larger (a short item quoted inside a
    long one), plain Jaccard is used instead so that it does not count as the same story.

    >>> similarity(frozenset({1, 2, 3, 4}), frozenset({1, 2, 3}))
    1.0
    >>> similarity(frozenset({1, 2, 3, 4, 5, 6, 7, 8}), frozenset({1, 2, 3}))
    0.375
    """
    if not a or not b:
        return 0.0
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    return _overlap(len(a), len(b), sum(1 for h in small if h in large), min_size_ratio)


def _overlap(size_a: int, size_b: int, common: int, min_size_ratio: float) -> float:
    """Containment of the smaller set when the sizes are comparable, else Jaccard."""
    small, large = sorted((size_a, size_b))
    if small >= min_size_ratio * large:
        return common / small
    return common / (size_a + size_b - common)


class ShingleIndex:
    """What :func:`find_duplicates` needs of each body, kept out of memory.

    Each body's shingles (:func:`shingles`, as a sorted array of 64-bit hashes) go to an unnamed
    temporary file as the body is added, so that the body itself can be let go at once. In
    memory stay only the ``bottom_size`` smallest hashes of each (what the sketches are drawn
    from), the body's length and where its shingles are in the file: under 0.7 KB an article,
    however long it is. The shingles of a pair are read back only when the pair is compared.
    """

    #: The cache of word hashes is emptied when it grows beyond this many words (a real
    #: archive's vocabulary has no end); hashes are computed again, to the same values.
    MAX_WORDS = 200_000

    def __init__(self, shingle_size: int = 5, bottom_size: int = 64) -> None:
        import tempfile

        self.shingle_size, self.bottom_size = shingle_size, bottom_size
        self._file = tempfile.TemporaryFile(buffering=0)
        self._empty()

    def _empty(self) -> None:
        """What the index holds in memory, as it is before the first body."""
        self._end = 0
        self._rows: dict[str, int] = {}
        self._where = array("q")  # offset in the file and number of shingles, two per body
        self._lengths = array("q")
        self._bottoms = array("q")
        self._bottom_ends = array("q")
        self._ids: dict[str, int] = {}

    def add(self, name: str, body: str) -> None:
        """Shingle ``body`` under ``name`` (a file name; added once)."""
        import numpy as np  # spaCy's own dependency

        if name in self._rows:
            raise ValueError(f"{name!r} is in the index already")
        if len(self._ids) > self.MAX_WORDS:
            self._ids.clear()
        hashes = shingles(body, self.shingle_size, _ids=self._ids)
        values = np.fromiter(hashes, dtype=np.int64, count=len(hashes))
        values.sort()
        self.add_shingles(name, values.tobytes(), len(body))

    def add_shingles(self, name: str, data: bytes, length: int) -> None:
        """Add a body by its shingles as :meth:`shingles` gives them (bytes of the sorted array,
        kept from an earlier build) and its length."""
        import numpy as np

        if name in self._rows:
            raise ValueError(f"{name!r} is in the index already")
        values = np.frombuffer(data, dtype=np.int64)
        view = memoryview(data)
        while view:  # an unbuffered write may write less than asked
            view = view[self._file.write(view):]
        self._rows[name] = len(self._lengths)
        self._where.extend((self._end, len(values)))
        self._end += len(data)
        self._lengths.append(length)
        self._bottoms.extend(values[: self.bottom_size].tolist())
        self._bottom_ends.append(len(self._bottoms))

    def __contains__(self, name: str) -> bool:
        return name in self._rows

    def __len__(self) -> int:
        return len(self._rows)

    def length(self, name: str) -> int:
        """The length of the body added under ``name``, in characters."""
        return self._lengths[self._rows[name]]

    def bottom(self, name: str):
        """The smallest shingles of ``name``'s body, in order (a numpy array)."""
        import numpy as np

        row = self._rows[name]
        start = self._bottom_ends[row - 1] if row else 0
        return np.frombuffer(self._bottoms, dtype=np.int64)[start:self._bottom_ends[row]]

    def shingles(self, name: str):
        """All the shingles of ``name``'s body, sorted (a numpy array read from the file)."""
        import numpy as np

        row = self._rows[name]
        offset, count = self._where[2 * row], self._where[2 * row + 1]
        data = os.pread(self._file.fileno(), 8 * count, offset)
        if len(data) != 8 * count:  # pragma: no cover - the file is ours and unnamed
            raise OSError(f"the shingles of {name} could not be read back")
        return np.frombuffer(data, dtype=np.int64)

    def close(self) -> None:
        """Close the file and let go of what is in memory (the index is empty afterwards)."""
        self._file.close()
        self._empty()

    def __enter__(self) -> "ShingleIndex":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _common_counts(mine, theirs: list) -> list[int]:
    """How many values ``mine`` shares with each array of ``theirs`` (all sorted, each of
    distinct values), in one pass over them all."""
    import numpy as np

    if not len(mine) or not theirs:
        return [0] * len(theirs)
    values = np.concatenate(theirs)
    at = np.searchsorted(mine, values)
    at[at == len(mine)] = 0
    hits = np.concatenate(([0], np.cumsum(mine[at] == values)))
    ends = np.cumsum([len(t) for t in theirs])
    return (hits[ends] - hits[ends - [len(t) for t in theirs]]).tolist()


def _ranges(starts, sizes):
    """The positions ``starts[i]``, ..., ``starts[i] + sizes[i] - 1`` of every range, in order."""
    import numpy as np

    total = int(sizes.sum())
    return np.repeat(starts - (np.cumsum(sizes) - sizes), sizes) + np.arange(total, dtype=np.int64)


def find_duplicates(
    articles: list[Article],
    threshold: float = 0.8,
    *,
    shingle_size: int = 5,
    sketch_size: int = 32,
    min_size_ratio: float = 0.5,
    max_df: int | None = None,
    max_posting: int = 1000,
    stats: dict | None = None,
    prepared: ShingleIndex | None = None,
) -> dict[str, str]:
    """Find articles whose bodies tell the same story; return ``{duplicate: canonical}``.
    ``prepared`` is a :class:`ShingleIndex` holding every article's body by file name, added as
    it was read (its body may be gone since); without it the bodies are shingled here.

    Each body becomes a set of word 5-gram hashes. Candidate pairs come from an inverted index
    over bottom-k sketches (the ``sketch_size`` smallest hashes of each set): two sets with
    Jaccard J share about J·k of their sketches, so near-duplicates meet in the index while
    unrelated articles rarely share two. Shingles in more than ``max_df`` articles' sketches
    (default: 1 % of the articles, at least 20) are stock phrases ("the director of children's
    services said") and stay out of the sketches, unless an article has nothing else. Only
    candidates are compared in full (:func:`similarity`), so the work grows with the number of
    articles, not its square; the index is a pair of sorted arrays (12 bytes a sketch value),
    and each pair's shingles are read back from the index's file when it is compared.
    Clusters are closed transitively; in each, the canonical article has a title, then the
    longest body, then the first file name. Sets ``duplicate_of`` on every article (``None``
    for canonical and unique ones) and shares the best known date inside a cluster:
    an article with no stated date takes the earliest date stated by another member as its
    ``reference_date``. ``stats``, when given, receives counts for monitoring.
    """
    if prepared is None:
        with ShingleIndex(shingle_size, 2 * sketch_size) as index:
            for article in articles:
                index.add(article.source_file, article.body)
            return find_duplicates(articles, threshold, sketch_size=sketch_size, min_size_ratio=min_size_ratio,
                                   max_df=max_df, max_posting=max_posting, stats=stats, prepared=index)
    import numpy as np

    if prepared.bottom_size < 2 * sketch_size:
        raise ValueError(f"the index keeps {prepared.bottom_size} smallest shingles a body; "
                         f"sketches of {sketch_size} need {2 * sketch_size}")
    order = sorted(range(len(articles)), key=lambda i: articles[i].source_file)
    names = [articles[i].source_file for i in order]
    n = len(names)

    # Document frequency is sampled on twice the sketch: a stock phrase is frequent there too.
    bottoms = [prepared.bottom(name)[: 2 * sketch_size] for name in names]
    sizes = np.fromiter(map(len, bottoms), dtype=np.int64, count=n)
    values = np.concatenate(bottoms) if n else np.zeros(0, dtype=np.int64)
    del bottoms
    owner = np.repeat(np.arange(n, dtype=np.int64), sizes)
    rank = np.arange(len(values), dtype=np.int64) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    _, inverse, counts = np.unique(values, return_inverse=True, return_counts=True)
    limit = max_df if max_df is not None else max(20, n // 100)
    rare = counts[inverse] <= limit
    del inverse, counts
    # each sketch: its body's smallest rare shingles, or its smallest ones when none is rare
    rare_count = np.bincount(owner[rare], minlength=n)
    rare_rank = np.cumsum(rare) - np.repeat(np.cumsum(rare_count) - rare_count, sizes)  # from 1
    has_rare = rare_count > 0
    keep = np.where(has_rare[owner], rare & (rare_rank <= sketch_size), rank < sketch_size)
    values, owner = values[keep], owner[keep]
    sketch_len = np.bincount(owner, minlength=n)
    sketch_end = np.cumsum(sketch_len)
    del rank, rare, rare_count, rare_rank, has_rare, keep

    # the inverted index: sketch values in order, and whose sketch each is in (file-name order)
    by_value = np.lexsort((owner, values))
    posting_owner = owner[by_value]
    keys, starts, posting_size = np.unique(values[by_value], return_index=True, return_counts=True)
    del by_value
    # boilerplate common to too many articles joins nothing
    skipped = int(np.count_nonzero(posting_size > max_posting))

    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    # the articles sharing sketch values with each one, found one article at a time (the
    # candidate pairs of a large corpus would be millions)
    candidates = compared = matched = 0
    for a in range(n):
        mine = values[sketch_end[a] - sketch_len[a]:sketch_end[a]]
        at = np.searchsorted(keys, mine)
        size = posting_size[at]
        used = (size >= 2) & (size <= max_posting)
        others = posting_owner[_ranges(starts[at][used], size[used])]
        others, shared = np.unique(others[others > a], return_counts=True)
        candidates += len(others)
        needed = np.minimum(np.minimum(2, sketch_len[a]), sketch_len[others])
        others = others[shared >= needed]
        if not len(others):
            continue
        mine = prepared.shingles(names[a])
        theirs = [prepared.shingles(names[b]) for b in others.tolist()]
        compared += len(theirs)
        for b, size, common in zip(others.tolist(), map(len, theirs), _common_counts(mine, theirs)):
            if not len(mine) or not size:
                continue
            if _overlap(len(mine), size, common, min_size_ratio) >= threshold:
                matched += 1
                ra, rb = find(a), find(b)
                if ra != rb:
                    parent[max(ra, rb)] = min(ra, rb)

    clusters: defaultdict[int, list[Article]] = defaultdict(list)
    for pos, i in enumerate(order):
        clusters[find(pos)].append(articles[i])
    result: dict[str, str] = {}
    for members in clusters.values():
        for art in members:
            art.duplicate_of = None
        if len(members) < 2:
            continue
        canonical = min(members, key=lambda a: (a.title is None, -prepared.length(a.source_file), a.source_file))
        for art in members:
            if art is not canonical:
                art.duplicate_of = canonical.source_file
                result[art.source_file] = canonical.source_file
        _share_dates(members)
    if stats is not None:
        stats.update(
            articles=len(articles),
            candidate_pairs=candidates,
            compared_pairs=compared,
            duplicate_pairs=matched,
            skipped_postings=skipped,
        )
    log.info("duplicates: %d of %d articles repeat another", len(result), len(articles))
    return dict(sorted(result.items()))


def _share_dates(members: list[Article]) -> None:
    stated = [a.date for a in members if a.date is not None]
    if stated:
        earliest = min(stated)
        for art in members:
            if art.date is None:
                art.reference_date = earliest
        return
    known = [a.reference_date for a in members if a.reference_date is not None]
    if known:
        for art in members:
            if art.reference_date is None:
                art.reference_date = min(known)
