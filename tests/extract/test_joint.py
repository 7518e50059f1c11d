"""Services delivered jointly (kg.extract.joint): what an article says of a trust that runs social
care for several councils holds for each council it names; a sentence that names one keeps it."""
from __future__ import annotations

import datetime as dt

import pytest

from kg.extract.extractor import Extractor
from kg.graph.facts import Article, Finding, Inspection, Response, Statistic

NORTH, WEST, OLD_COUNTY = "E06000061", "E06000062", "E10000021"
RICHMOND, KINGSTON, CAMDEN = "E09000027", "E09000021", "E09000007"

JOINT = ("The children's trust that runs social care for North Northamptonshire and West Northamptonshire "
         "councils has been judged to require improvement.\n\n"
         "Northamptonshire Children's Trust, which is owned by the two councils, was set up in 2020.\n\n"
         "Inspectors found that caseloads were too high in the assessment teams.\n\n"
         "Both councils' cabinets agreed to invest an extra £2m in the trust.\n\n"
         "The trust's agency rate has fallen to 22%.\n\n"
         "A West Northamptonshire report said management oversight of cases was weak.")


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor()


def run(extractor, body: str, date: dt.date = dt.date(2024, 2, 20), title: str | None = None) -> list:
    article = Article(source_file="t.txt", sha1="0" * 40, title=title, body=body, date=date, reference_date=date)
    return extractor.extract(article).facts


def by_council(facts, cls, attr):
    return {(f.council, getattr(f, attr)) for f in facts if isinstance(f, cls)}


def grades(facts) -> set[tuple[str, str, int | None]]:
    """(council, grade, year) of each inspection."""
    return {(i.council, i.rating, i.year) for i in facts if isinstance(i, Inspection)}


def test_what_the_trust_does_holds_for_each_council(extractor):
    facts = run(extractor, JOINT)
    ratings = grades(facts)
    assert ratings == {(NORTH, "requires improvement", 2024), (WEST, "requires improvement", 2024)}
    failings = by_council(facts, Finding, "failing")
    assert {(NORTH, "high caseloads"), (WEST, "high caseloads")} <= failings
    assert {(NORTH, "funding"), (WEST, "funding")} <= by_council(facts, Response, "response_type")
    assert {(NORTH, "agency rate"), (WEST, "agency rate")} <= by_council(facts, Statistic, "measure")


def test_a_sentence_naming_one_council_keeps_it(extractor):
    failings = by_council(run(extractor, JOINT), Finding, "failing")
    assert (WEST, "management oversight") in failings
    assert (NORTH, "management oversight") not in failings


def test_one_judgement_per_council(extractor):
    """The grade stated twice (of the trust, of the councils) is one inspection per council."""
    body = JOINT + "\n\nOfsted rated the councils' children's services as requires improvement to be good."
    ratings = [(i.council, i.rating) for i in run(extractor, body) if isinstance(i, Inspection)]
    assert sorted(ratings) == sorted({(NORTH, "requires improvement"), (WEST, "requires improvement")})


def test_a_trust_named_beside_its_other_councils_is_not_joint(extractor):
    """An article about one borough that names the trust's other councils in passing."""
    body = ("Richmond’s children’s services are run by Achieving for Children, the trust that also covers "
            "Kingston. Achieving for Children has been rated outstanding for its work in the borough. "
            "Inspectors said caseloads were too high in one team. Richmond Council said the result "
            "reflected years of work.")
    facts = run(extractor, body, date=dt.date(2019, 5, 1))
    assert {i.council for i in facts if isinstance(i, Inspection)} == {RICHMOND}
    assert {f.council for f in facts if isinstance(f, Finding)} == {RICHMOND}


def test_a_county_split_before_the_judgement_has_no_grade(extractor):
    """'Northamptonshire' in a 2024 headline names the county split in two in 2021: no grade of it."""
    facts = run(extractor, JOINT, title="Northamptonshire trust 'requires improvement'")
    assert OLD_COUNTY not in {i.council for i in facts if isinstance(i, Inspection)}


def test_a_grade_before_the_split_stays_with_the_county(extractor):
    body = "Northamptonshire County Council was rated inadequate in 2019, two years before it was abolished."
    ratings = grades(run(extractor, body))
    assert ratings == {(OLD_COUNTY, "inadequate", 2019)}


@pytest.mark.parametrize("sentence, expected", [
    ("The trust has brought in a practice improvement partner, a neighbouring trust rated good.", set()),
    ("The council has been paired with Camden, a council rated outstanding.", {(CAMDEN, "outstanding")}),
])
def test_the_grade_of_another_body(extractor, sentence, expected):
    facts = run(extractor, "Richmond Council's director said work had begun. " + sentence)
    assert by_council(facts, Inspection, "rating") == expected


HULL, LEEDS, YORK = "E06000010", "E08000035", "E06000014"


def test_what_a_list_of_councils_shares_holds_for_each(extractor):
    body = ("Ministers met council leaders on Tuesday.\n\n"
            "Hull and Leeds have both had their children's services rated inadequate this year, "
            "and York is expected to follow.")
    ratings = by_council(run(extractor, body), Inspection, "rating")
    assert {(HULL, "inadequate"), (LEEDS, "inadequate")} <= ratings
    assert (YORK, "inadequate") not in ratings


@pytest.mark.parametrize("body", [
    "Hull and Leeds were both inspected last year, but Leeds had caseloads that were too high.",
    "Hull, unlike Leeds, found that caseloads were too high in every team.",
])
def test_a_list_named_again_or_a_contrast_is_not_shared(extractor, body):
    failings = by_council(run(extractor, body), Finding, "failing")
    assert len({council for council, label in failings if label == "high caseloads"}) == 1


def test_two_council_names_sharing_their_last_word_name_both(extractor):
    """'North and West Northamptonshire' names North Northamptonshire as well."""
    body = ("Children's services across North and West Northamptonshire have been judged to require "
            "improvement by Ofsted.")
    ratings = {(i.council, i.rating) for i in run(extractor, body) if isinstance(i, Inspection)}
    assert ratings == {(NORTH, "requires improvement"), (WEST, "requires improvement")}
    # a word that names no council with the other's last word adds none
    body = "Leeds and North Yorkshire were both rated good by Ofsted."
    assert "E06000061" not in {i.council for i in run(extractor, body) if isinstance(i, Inspection)}


def test_a_grade_dated_before_its_council_existed_is_its_predecessors(extractor):
    """In 2023, West Northamptonshire's 'county' rated inadequate four years ago is Northamptonshire."""
    body = ("West Northamptonshire's services have been judged to require improvement, a step forward since "
            "the county's services were rated inadequate four years ago.")
    ratings = grades(run(extractor, body, date=dt.date(2023, 7, 14)))
    assert (OLD_COUNTY, "inadequate", 2019) in ratings
    assert not {r for r in ratings if r[0] == WEST and r[1] == "inadequate"}


def test_a_company_named_for_who_owns_it_spreads_nothing(extractor):
    """The article's inspection is of one member: what it found is that member's, and naming the
    company's owners does not give the others its grade."""
    body = ("Children's services in Richmond upon Thames have been rated good by Ofsted, in the first "
            "inspection since they moved to Achieving for Children, the company jointly owned by Richmond "
            "and Kingston upon Thames.\n\n"
            "Inspectors found that caseloads were too high in the assessment teams.\n\n"
            "Kingston's services were judged to require improvement in 2014.")
    facts = run(extractor, body, date=dt.date(2019, 5, 1))
    ratings = grades(facts)
    assert ratings == {(RICHMOND, "good", 2019), (KINGSTON, "requires improvement", 2014)}
    assert (KINGSTON, "high caseloads") not in by_council(facts, Finding, "failing")
    assert (RICHMOND, "high caseloads") in by_council(facts, Finding, "failing")


def test_both_councils_after_a_sentence_naming_two_means_each(extractor):
    body = ("A commissioner has been sent to Hull and Leeds after their jointly run service was rated "
            "inadequate.\n\nInspectors visited in January. Both councils had been rated good in 2021.")
    ratings = grades(run(extractor, body, date=dt.date(2024, 3, 1)))
    assert {(HULL, "good", 2021), (LEEDS, "good", 2021)} <= ratings
    # without the two councils just before, "both councils" names none
    body = "Leeds was inspected in January.\n\nMinisters met. Officials spoke. Staff waited. Both councils had been rated good."
    assert (HULL, "good") not in by_council(run(extractor, body), Inspection, "rating")


def test_a_trusts_members_graded_one_by_one_keep_their_grades(extractor):
    body = ("Achieving for Children runs children's services for Kingston and Richmond.\n\n"
            "Inspectors rated Kingston's services good, but Richmond's were judged to require improvement.")
    ratings = by_council(run(extractor, body, date=dt.date(2018, 7, 11)), Inspection, "rating")
    assert ratings == {(KINGSTON, "good"), (RICHMOND, "requires improvement")}


def test_a_company_the_gazetteer_does_not_know_run_for_two_councils_is_joint(extractor):
    body = ("A commissioner has been sent to Hull and Leeds after Ofsted rated the services run for both "
            "councils by their jointly owned company 'inadequate'.\n\n"
            "Inspectors found that the company's front door was overwhelmed, with contacts waiting ten days.\n\n"
            "Inspectors told both councils to reduce the company's reliance on agency social workers.")
    facts = run(extractor, body, date=dt.date(2024, 3, 1))
    assert {(HULL, "inadequate"), (LEEDS, "inadequate")} <= by_council(facts, Inspection, "rating")
    failings = by_council(facts, Finding, "failing")
    assert {(HULL, "front door and referrals"), (LEEDS, "front door and referrals")} <= failings
    assert {(HULL, "agency staff reliance"), (LEEDS, "agency staff reliance")} <= failings


def test_years_given_respectively_go_to_each_council_in_order(extractor):
    body = "Leeds was graded good in 2012, while York and Hull were rated inadequate, in 2012 and 2011 respectively."
    ratings = grades(run(extractor, body, date=dt.date(2013, 11, 1)))
    assert {(YORK, "inadequate", 2012), (HULL, "inadequate", 2011), (LEEDS, "good", 2012)} <= ratings
    assert (HULL, "inadequate", 2012) not in ratings


def test_a_grade_before_a_merger_goes_to_the_predecessor_the_sentence_names(extractor):
    body = "Bournemouth, Christchurch and Poole was rated inadequate. Poole, for example, had been rated good by Ofsted in 2016."
    ratings = grades(run(extractor, body, date=dt.date(2024, 3, 1)))
    assert ("E06000029", "good", 2016) in ratings and not {r for r in ratings if r[1] == "good" and r[0] != "E06000029"}


def test_members_a_sentence_names_as_a_list_keep_the_grade(extractor):
    body = ("Windsor and Maidenhead's children's services, run by Achieving for Children, were rated good.\n\n"
            "AfC's services in Kingston and Richmond were both judged outstanding last year.")
    ratings = by_council(run(extractor, body, date=dt.date(2025, 3, 1)), Inspection, "rating")
    assert {(KINGSTON, "outstanding"), (RICHMOND, "outstanding")} <= ratings
    assert ("E06000040", "outstanding") not in ratings


def test_a_county_abolished_before_the_article_is_not_what_it_is_about(extractor):
    """In 2025, 'Northamptonshire' is looked back on: the trust's two councils are the article's."""
    body = ("Northamptonshire was a byword for failure. Northamptonshire's services were rated inadequate "
            "in 2019.\n\nLast month Ofsted judged the services Northamptonshire Children's Trust runs on "
            "behalf of North Northamptonshire and West Northamptonshire councils to require improvement.\n\n"
            "The two councils own the trust. We restructured into locality teams, the trust's chief executive said.")
    facts = run(extractor, body, date=dt.date(2025, 2, 1))
    assert {(NORTH, "requires improvement"), (WEST, "requires improvement")} <= by_council(facts, Inspection, "rating")
    assert {(NORTH, "restructure"), (WEST, "restructure")} <= by_council(facts, Response, "response_type")
    assert OLD_COUNTY not in {r.council for r in facts if isinstance(r, Response)}
