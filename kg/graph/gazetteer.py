"""The gazetteer: English children's services authorities and the other organisations of the domain.

It answers two questions: *which council is this name?* (:meth:`Gazetteer.resolve`, for any surface
form: "Bradford", "Bradford Council’s", "City of Bradford Metropolitan District Council") and *where in a
text are councils and known organisations named?* (:meth:`Gazetteer.ruler_patterns`, token patterns for
spaCy's EntityRuler whose ``id`` is the council's GSS code or the organisation's id).

Data (see ``scripts/make_councils.py`` for how ``councils.csv`` is made):

- ``data/councils.csv``: one row per authority, past and present since 2013;
- ``data/organisations.jsonl``: one JSON object per line, ``{"id", "label", "aliases"}`` and optionally
  ``"ambiguous"`` (match case-sensitively) and ``"councils"`` (GSS codes a children's trust acts for).

Validity is half-open: a council with ``valid_to`` 2023 was abolished on 1 April 2023 and counts as
valid for the years before 2023; its successor, ``valid_from`` 2023, from 2023 on.

Ambiguity: a council flagged ``ambiguous`` has a name that is also a common word or name ("Reading",
"Bury", "Hull"). Its *bare* labels (those without a word such as "council" or "borough") resolve only
with their capital letters, and in patterns its name tokens are matched by ``ORTH``, not ``LOWER``.

>>> gaz = Gazetteer([Council("E08000032", "Bradford", "City of Bradford Metropolitan District Council",
...                          ("Bradford council",), "Yorkshire and The Humber", "metropolitan borough",
...                          None, None, (), False)])
>>> gaz.resolve("Bradford Council’s").code
'E08000032'
"""
from __future__ import annotations

import csv
import json
import logging
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kg import config
from kg.files import check_keys, jsonl_objects

log = logging.getLogger(__name__)

__all__ = [
    "Council",
    "Gazetteer",
    "Organisation",
    "fold",
    "load_gazetteer",
]

GSS_RE = re.compile(r"^E\d{8}$")

#: Columns that ``councils.csv`` must have (more are allowed and ignored).
COUNCIL_COLUMNS = (
    "gss_code",
    "name",
    "official_name",
    "aliases",
    "region",
    "authority_type",
    "valid_from",
    "valid_to",
    "successor_codes",
    "ambiguous",
)
#: Keys an organisations.jsonl object may have.
ORGANISATION_KEYS = frozenset({"id", "label", "aliases", "ambiguous", "councils"})

#: Words that make a label the name of a council rather than of a place.
COUNCIL_WORDS = frozenset({"council", "borough", "city", "county", "metropolitan", "district", "corporation", "royal"})
#: Tokens that are matched case-insensitively even inside an ambiguous name.
_FUNCTION_WORDS = frozenset({"of", "the", "and", "&", "for", "to", "in", "on", "upon", "with", "london"})

#: Generic wrappers stripped (in folded form) when a form is not itself a label:
#: "London Borough of X", "X City Council", "X council’s children’s services".
_PREFIX_TEXTS = (
    "metropolitan borough of",
    "london borough of",
    "royal borough of",
    "council of the",
    "borough of",
    "county of",
    "city of",
)
_SUFFIX_TEXTS = (
    "metropolitan borough council",
    "metropolitan district council",
    "city council",
    "county council",
    "borough council",
    "district council",
    "council",
    "local authority",
    "children's services department",
    "children's services",
    "children's social care",
    "children's social services",
    "social services",
)

#: "X <suffix>" forms added to the ruler patterns for every bare label X, by code prefix.
_COMPOSED_SUFFIXES = ("Council", "City Council", "County Council", "Borough Council")
_COMPOSED_BY_PREFIX = {
    "E08": ("Metropolitan Borough Council", "Metropolitan District Council"),
}

#: Part-of-speech tags that disqualify a one-word ambiguous name ("Reading the report, ...").
_NOT_NAME_POS = ["VERB", "AUX"]


def fold(text: str, *, case: bool = False) -> str:
    """The matching key of a surface form.

    NFKC, curly quotes made straight, possessive "'s" dropped, '&' read as 'and', apostrophes
    dropped, other punctuation (hyphens, commas, full stops) read as spaces, a leading 'the' dropped,
    and, unless ``case`` is true, case folded.

    >>> fold("Wakefield’s")
    'wakefield'
    >>> fold("bournemouth, christchurch & poole")
    'bournemouth christchurch and poole'
    >>> fold("Stoke-on-Trent City Council's", case=True)
    'Stoke on Trent City Council'
    >>> fold("St. Helens")
    'st helens'
    """
    text = unicodedata.normalize("NFKC", text).replace("’", "'").replace("‘", "'").replace("`", "'").strip()
    text = re.sub(r"(?<=\w)'s\b", "", text)
    text = re.sub(r"(?<=s)'(?!\w)", "", text)
    text = text.replace("&", " and ").replace("'", "")
    text = re.sub(r"[^\w\s]|_", " ", text)
    words = text.split()
    if words and words[0].casefold() == "the" and len(words) > 1:
        words = words[1:]
    text = " ".join(words)
    return text if case else text.casefold()


def _is_bare(label: str) -> bool:
    """A label with no council word: 'Reading' is bare, 'Reading Borough Council' is not."""
    return not COUNCIL_WORDS.intersection(fold(label).split())


def _is_acronym(token: str) -> bool:
    """'BCP', 'DfE', 'B&NES': tokens whose case carries meaning."""
    return sum(ch.isupper() for ch in token) >= 2 and not token.istitle()


def _dedupe(names: Iterable[str]) -> tuple[str, ...]:
    seen: set[str] = set()
    out = []
    for name in names:
        key = name.casefold()
        if name and key not in seen:
            seen.add(key)
            out.append(name)
    return tuple(out)


@dataclass(frozen=True)
class Council:
    """An English local authority with children's services duties."""

    code: str
    name: str
    official_name: str
    aliases: tuple[str, ...]
    region: str
    authority_type: str
    valid_from: int | None
    valid_to: int | None
    successors: tuple[str, ...]
    ambiguous: bool
    #: Longer names that contain one of the labels but are not this council ("North Norfolk").
    exclusions: tuple[str, ...] = ()

    @property
    def labels(self) -> tuple[str, ...]:
        """Name, official name and aliases, without case-insensitive duplicates, in that order."""
        return _dedupe((self.name, self.official_name, *self.aliases))

    @property
    def current(self) -> bool:
        return self.valid_to is None

    def valid_in(self, year: int) -> bool:
        """Did the council exist (for most of) ``year``? Validity is half-open: [valid_from, valid_to)."""
        return (self.valid_from is None or year >= self.valid_from) and (self.valid_to is None or year < self.valid_to)


@dataclass(frozen=True)
class Organisation:
    """A non-council organisation of the domain (Ofsted, ADCS, DfE, a children's trust, ...)."""

    id: str
    label: str
    aliases: tuple[str, ...]
    #: Its names are also common words ("Unison", "Frontline"): match them case-sensitively.
    ambiguous: bool = False
    #: GSS codes of the councils it delivers children's services for (children's trusts).
    councils: tuple[str, ...] = ()

    @property
    def labels(self) -> tuple[str, ...]:
        return _dedupe((self.label, *self.aliases))


def _forms(entity: Council | Organisation) -> tuple[str, ...]:
    """Every distinct spelling of an entity's labels: case variants count ('Unison', 'UNISON')."""
    if isinstance(entity, Council):
        names = (entity.name, entity.official_name, *entity.aliases)
    else:
        names = (entity.label, *entity.aliases)
    return tuple(dict.fromkeys(name for name in names if name))


@dataclass(frozen=True)
class _Entry:
    """One label of one entity in the lookup index."""

    target: Council | Organisation
    case_key: str  # fold(label, case=True)
    case_sensitive: bool  # a bare label of an ambiguous council


def _preference(council: Council) -> tuple:
    """Sort key: current councils first, then the most recently abolished, then by code."""
    return (council.valid_to is not None, -(council.valid_to or 0), council.code)


class Gazetteer:
    """Councils and organisations, indexed by every label.

    Build one with :meth:`load` (from the data files) or from objects (tests, other sources).
    """

    def __init__(self, councils: Iterable[Council], organisations: Iterable[Organisation] = ()) -> None:
        self._councils = tuple(sorted(councils, key=lambda c: c.code))
        self._organisations = tuple(sorted(organisations, key=lambda o: o.id))
        self._by_code = {c.code: c for c in self._councils}
        self._by_org_id = {o.id: o for o in self._organisations}
        self._index: dict[str, list[_Entry]] = {}
        self._org_index: dict[str, list[_Entry]] = {}
        for council in self._councils:
            for label in _forms(council):
                entry = _Entry(council, fold(label, case=True), council.ambiguous and _is_bare(label))
                self._index.setdefault(fold(label), []).append(entry)
        for org in self._organisations:
            for label in _forms(org):
                entry = _Entry(org, fold(label, case=True), org.ambiguous)
                self._org_index.setdefault(fold(label), []).append(entry)

    # ------------------------------------------------------------------ loading

    @classmethod
    def load(
        cls,
        councils_csv: Path = config.DATA / "councils.csv",
        organisations_jsonl: Path | None = config.DATA / "organisations.jsonl",
    ) -> Gazetteer:
        """Read and validate the data files; a bad row raises ``ValueError`` naming file and line."""
        councils = list(read_councils(Path(councils_csv)))
        organisations = list(read_organisations(Path(organisations_jsonl))) if organisations_jsonl else []
        known = {c.code for c in councils}
        for org in organisations:
            for code in org.councils:
                if code not in known:
                    raise ValueError(f"{organisations_jsonl}: organisation {org.id!r} names unknown council {code}")
        log.debug("gazetteer: %d councils, %d organisations", len(councils), len(organisations))
        return cls(councils, organisations)

    # ------------------------------------------------------------------ access

    @property
    def councils(self) -> tuple[Council, ...]:
        """Every council, sorted by GSS code."""
        return self._councils

    @property
    def organisations(self) -> tuple[Organisation, ...]:
        """Every organisation, sorted by id."""
        return self._organisations

    def by_code(self, code: str) -> Council | None:
        """The council with this GSS code, or ``None``."""
        return self._by_code.get(code.strip().upper())

    def organisation(self, org_id: str) -> Organisation | None:
        """The organisation with this id, or ``None``."""
        return self._by_org_id.get(org_id)

    # ------------------------------------------------------------------ resolution

    def resolve_all(self, text: str, *, ignore_case: bool = False) -> tuple[Council, ...]:
        """Every council a surface form can name, best first (current before former).

        The form is first looked up as a whole label; failing that, generic wrappers are stripped
        ("London Borough of ...", "... City Council", "... children’s services") and the rest is
        looked up. A bare label of an ambiguous council ("Reading", "Hull") must keep its capitals
        when it stands alone, unless ``ignore_case``; with a council word around it, case is free.
        """
        case_key = fold(text, case=True)
        if not case_key:
            return ()
        found = self._lookup(self._index, case_key, lenient=ignore_case)
        if not found:
            for rest in self._strip_generic(case_key):
                found = self._lookup(self._index, rest, lenient=True)
                if found:
                    break
        councils = {entry.target.code: entry.target for entry in found}
        return tuple(sorted(councils.values(), key=_preference))  # type: ignore[arg-type]

    def resolve(self, text: str, *, year: int | None = None, ignore_case: bool = False) -> Council | None:
        """The council a surface form names, or ``None``.

        Several councils can share a name (Somerset County Council until 2023, Somerset Council
        since). Without ``year`` the current one wins; with ``year`` the one valid that year, and for
        a name whose council had been abolished by then its successor, when there is exactly one
        ("Bournemouth" in 2022 is Bournemouth, Christchurch and Poole).

        >>> gaz = load_gazetteer()
        >>> gaz.resolve("Wakefield’s").code, gaz.resolve("hull") is None, gaz.resolve("Hull").code
        ('E08000036', True, 'E06000010')
        >>> gaz.resolve("Somerset").code, gaz.resolve("Somerset", year=2019).code
        ('E06000066', 'E10000027')
        """
        candidates = self.resolve_all(text, ignore_case=ignore_case)
        if not candidates:
            return None
        if year is None:
            return candidates[0]
        for council in candidates:
            if council.valid_in(year):
                return council
        successors = {code for council in candidates for code in self._successors_valid_in(council, year)}
        if len(successors) == 1:
            return self._by_code[successors.pop()]
        return candidates[0]

    def resolve_organisation(self, text: str) -> Organisation | None:
        """The non-council organisation a surface form names ("Ofsted’s", "the ADCS"), or ``None``."""
        case_key = fold(text, case=True)
        if not case_key:
            return None
        found = self._lookup(self._org_index, case_key, lenient=False)
        return found[0].target if found else None  # type: ignore[return-value]

    @staticmethod
    def _lookup(index: dict[str, list[_Entry]], case_key: str, *, lenient: bool) -> list[_Entry]:
        return [
            entry
            for entry in index.get(case_key.casefold(), ())
            if lenient or not entry.case_sensitive or entry.case_key == case_key
        ]

    @staticmethod
    def _strip_generic(case_key: str) -> Iterator[str]:
        """Remainders of a folded form without generic prefixes and suffixes, fewest strips first."""
        prefixes, suffixes = _generic_affixes()
        frontier = [tuple(case_key.split())]
        seen: set[tuple[str, ...]] = set()
        while frontier:
            following = []
            for words in frontier:
                lower = tuple(w.casefold() for w in words)
                cuts = [words[len(p) :] for p in prefixes if lower[: len(p)] == p]
                cuts += [words[: len(words) - len(s)] for s in suffixes if lower[len(lower) - len(s) :] == s]
                for cut in cuts:
                    if cut and cut not in seen:
                        seen.add(cut)
                        following.append(cut)
                        yield " ".join(cut)
            frontier = following

    def _successors_valid_in(self, council: Council, year: int) -> set[str]:
        found: set[str] = set()
        queue = list(council.successors)
        seen: set[str] = set()
        while queue:
            code = queue.pop()
            if code in seen or code not in self._by_code:
                continue
            seen.add(code)
            successor = self._by_code[code]
            if successor.valid_in(year):
                found.add(code)
            elif successor.valid_to is not None and year >= successor.valid_to:
                queue.extend(successor.successors)
        return found

    # ------------------------------------------------------------------ spaCy patterns

    def ruler_patterns(self, *, pos_filter: bool = True, exclusions: bool = True) -> list[dict]:
        """Token patterns for spaCy's EntityRuler, sorted by (label, id, pattern).

        - ``COUNCIL`` patterns (``id`` = GSS code) for every label of every council, every "X Council",
          "X City Council", "X County Council", "X Borough Council" (and "X Metropolitan Borough/District
          Council" for metropolitan boroughs, "London Borough of X" for London boroughs) of each bare
          label X, with "and"/"&", hyphen/space and straight/curly apostrophe variants. When two councils
          share a form, a council's own label beats a composed form, then the current council wins.
        - ``ORG_KNOWN`` patterns (``id`` = organisation id) for every label of every organisation.
        - with ``exclusions``, ``GPE`` patterns (``id`` "") for the longer names that contain a council's
          label but are not a council ("North Norfolk", "Newcastle-under-Lyme", "New York"): the ruler
          keeps the longest match, so these stop the council pattern firing inside them.

        Tokens are matched by ``LOWER``, except acronyms and the name tokens of ambiguous entities,
        matched by ``ORTH``. With ``pos_filter``, a one-word ambiguous name must not be tagged as a verb
        ("Reading the report, ..."); that needs a tagger before the ruler (without one it is a no-op).
        """
        from spacy.lang.en import English  # lazily: importing spaCy takes a second

        tokenizer = English().tokenizer

        def tokens_of(text: str) -> list[str]:
            return [t.text for t in tokenizer(text) if not t.is_space]

        # One entry per token pattern: (rank, label, id, pattern); the highest rank keeps it.
        best: dict[str, tuple[tuple[int, int, int, int], str, str, list[dict]]] = {}

        def offer(label: str, ent_id: str, form: str, *, ambiguous: bool, rank: tuple[int, int, int, int]) -> None:
            for variant in _variants(form):
                tokens = tokens_of(variant)
                if not tokens:
                    continue
                pattern = [_token_spec(tok, ambiguous=ambiguous) for tok in tokens]
                if pos_filter and ambiguous and len(tokens) == 1 and not _is_acronym(tokens[0]):
                    pattern[0]["POS"] = {"NOT_IN": list(_NOT_NAME_POS)}
                key = json.dumps(pattern, sort_keys=True)
                held = best.get(key)
                if held is not None and held[0] == rank and held[1:3] != (label, ent_id):
                    log.warning("pattern %s names both %s and %s; keeping %s", key, held[2], ent_id, held[2])
                if held is None or rank > held[0]:
                    best[key] = (rank, label, ent_id, pattern)

        for council in self._councils:
            currency = (int(council.valid_to is None), council.valid_to or 0, council.valid_from or 0)
            for label in _forms(council):
                offer("COUNCIL", council.code, label, ambiguous=council.ambiguous, rank=(2, *currency))
            for form in self._composed_forms(council):
                offer("COUNCIL", council.code, form, ambiguous=council.ambiguous, rank=(1, *currency))
            if exclusions:
                for name in council.exclusions:
                    offer("GPE", "", name, ambiguous=False, rank=(3, 0, 0, 0))
        for org in self._organisations:
            for label in _forms(org):
                offer("ORG_KNOWN", org.id, label, ambiguous=org.ambiguous, rank=(2, 1, 0, 0))

        patterns = [{"label": label, "pattern": pattern, "id": ent_id} for _, label, ent_id, pattern in best.values()]
        patterns.sort(key=lambda p: (p["label"], p["id"], json.dumps(p["pattern"], sort_keys=True)))
        return patterns

    @staticmethod
    def _composed_forms(council: Council) -> list[str]:
        suffixes = _COMPOSED_SUFFIXES + _COMPOSED_BY_PREFIX.get(council.code[:3], ())
        forms = []
        for label in _forms(council):
            if not _is_bare(label) or "," in label:
                continue
            forms.extend(f"{label} {suffix}" for suffix in suffixes)
            if council.code.startswith("E09"):
                forms.append(f"London Borough of {label}")
        return forms


@lru_cache(maxsize=1)
def _generic_affixes() -> tuple[tuple[tuple[str, ...], ...], tuple[tuple[str, ...], ...]]:
    """The generic prefixes and suffixes as folded word tuples, longest first."""
    def words(texts: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
        return tuple(sorted((tuple(fold(t).split()) for t in texts), key=lambda w: (-len(w), w)))

    return words(_PREFIX_TEXTS), words(_SUFFIX_TEXTS)


def _variants(form: str) -> list[str]:
    """'&'/'and', hyphen/space and straight/curly apostrophe spellings of a form, deterministic."""
    out = {form}
    for a, b in ((" and ", " & "), (" & ", " and ")):
        out |= {v.replace(a, b) for v in out}
    out |= {re.sub(r"(?<=\w)-(?=\w)", " ", v) for v in out}
    out |= {v.replace("'", "’") for v in out} | {v.replace("’", "'") for v in out}
    return sorted(out)


def _token_spec(token: str, *, ambiguous: bool) -> dict:
    if _is_acronym(token):
        return {"ORTH": token}
    if ambiguous and token[:1].isalpha() and token.lower() not in _FUNCTION_WORDS | COUNCIL_WORDS:
        return {"ORTH": token}
    return {"LOWER": token.lower()}


# ---------------------------------------------------------------------- readers


def _year(value: str, where: str, column: str) -> int | None:
    value = value.strip()
    if not value:
        return None
    if not re.fullmatch(r"\d{4}", value):
        raise ValueError(f"{where}: {column} is not a year: {value!r}")
    return int(value)


def _pipe(value: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (value or "").split("|") if part.strip())


def read_councils(path: Path) -> Iterator[Council]:
    """Councils from ``councils.csv``, validated: a ``ValueError`` names the file and line of a bad row."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in COUNCIL_COLUMNS if c not in (reader.fieldnames or ())]
        if missing:
            raise ValueError(f"{path}:1: missing columns {missing}")
        rows: list[tuple[str, Council]] = []
        codes: dict[str, str] = {}
        for row in reader:
            where = f"{path}:{reader.line_num}"
            code = (row.get("gss_code") or "").strip()
            if not code:
                raise ValueError(f"{where}: missing gss_code")
            if not GSS_RE.match(code):
                raise ValueError(f"{where}: gss_code {code!r} does not match {GSS_RE.pattern}")
            if code in codes:
                raise ValueError(f"{where}: duplicate gss_code {code} (first at {codes[code]})")
            codes[code] = where
            name = (row.get("name") or "").strip()
            if not name:
                raise ValueError(f"{where}: missing name for {code}")
            ambiguous = (row.get("ambiguous") or "0").strip()
            if ambiguous not in ("0", "1"):
                raise ValueError(f"{where}: ambiguous must be 0 or 1, not {ambiguous!r}")
            successors = _pipe(row.get("successor_codes"))
            for successor in successors:
                if not GSS_RE.match(successor):
                    raise ValueError(f"{where}: successor code {successor!r} does not match {GSS_RE.pattern}")
            council = Council(
                code=code,
                name=name,
                official_name=(row.get("official_name") or "").strip() or name,
                aliases=_pipe(row.get("aliases")),
                region=(row.get("region") or "").strip(),
                authority_type=(row.get("authority_type") or "").strip(),
                valid_from=_year(row.get("valid_from") or "", where, "valid_from"),
                valid_to=_year(row.get("valid_to") or "", where, "valid_to"),
                successors=successors,
                ambiguous=ambiguous == "1",
                exclusions=_pipe(row.get("exclusions")),
            )
            rows.append((where, council))
    for where, council in rows:
        for successor in council.successors:
            if successor not in codes:
                raise ValueError(f"{where}: successor {successor} of {council.code} is not in the file")
        yield council


def read_organisations(path: Path) -> Iterator[Organisation]:
    """Organisations from a JSONL file, validated: a ``ValueError`` names the file and line."""
    seen: dict[str, int] = {}
    for where, obj in jsonl_objects(path, where=str(path)):
        number = int(where.rsplit(":", 1)[1])
        check_keys(obj, where, allowed=ORGANISATION_KEYS)
        org_id, label = obj.get("id"), obj.get("label")
        if not isinstance(org_id, str) or not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", org_id):
            raise ValueError(f"{where}: id must be a lower-case slug, not {org_id!r}")
        if org_id in seen:
            raise ValueError(f"{where}: duplicate id {org_id!r} (first on line {seen[org_id]})")
        seen[org_id] = number
        if not isinstance(label, str) or not label.strip():
            raise ValueError(f"{where}: missing label")
        aliases = obj.get("aliases", [])
        councils = obj.get("councils", [])
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            raise ValueError(f"{where}: aliases must be a list of strings")
        if not isinstance(councils, list) or not all(isinstance(c, str) and GSS_RE.match(c) for c in councils):
            raise ValueError(f"{where}: councils must be a list of GSS codes")
        if not isinstance(obj.get("ambiguous", False), bool):
            raise ValueError(f"{where}: ambiguous must be true or false")
        yield Organisation(
            id=org_id,
            label=label.strip(),
            aliases=tuple(a.strip() for a in aliases if a.strip()),
            ambiguous=obj.get("ambiguous", False),
            councils=tuple(councils),
        )


@lru_cache(maxsize=8)
def load_gazetteer(
    councils_csv: Path = config.DATA / "councils.csv",
    organisations_jsonl: Path | None = config.DATA / "organisations.jsonl",
) -> Gazetteer:
    """:meth:`Gazetteer.load`, cached per pair of paths (the files are read once per process)."""
    return Gazetteer.load(councils_csv, organisations_jsonl)
