"""Each fact kind on short sentences written for these tests (not taken from the seeds)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from kg.extract.extractor import Extractor
from kg.graph.facts import Article, Comment, Finding, Inspection, Membership, Quotation, Recommendation, Response, Statistic

BRADFORD, WAKEFIELD, HULL, CAMBS = "E08000032", "E08000036", "E06000010", "E10000003"
DONCASTER, LEEDS, NORTHANTS = "E08000017", "E08000035", "E10000021"


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor()


def run(extractor, body: str, *, title: str | None = None, date: dt.date | None = dt.date(2019, 7, 15),
        comments=()) -> list:
    article = Article(source_file="t.txt", sha1="0" * 40, title=title, body=body, date=date,
                      reference_date=date, comments=list(comments))
    return extractor.extract(article).facts


def of(facts, cls):
    return [f for f in facts if isinstance(f, cls)]


def labels(facts, cls, attr):
    return {(f.council, getattr(f, attr)) for f in of(facts, cls)}


# ---------------------------------------------------------------- councils and ratings

@pytest.mark.parametrize("text", [
    "In Hull, inspectors found no cases in which children's plans had drifted.",
    "Hull inspectors saw no evidence of delay in visits to children.",
    "Was there anything Hull City Council should have done differently about caseloads and drift?",
    "In Hull there was no suggestion that any child had been left in danger.",
    "Inspectors in Hull said there was no suggestion of drift for children on protection plans.",
    "Inspectors did not, however, find any widespread difficulty in recruiting permanent staff in Hull.",
])
def test_denials_and_questions_state_no_failing(extractor, text):
    assert of(run(extractor, text), Finding) == []


@pytest.mark.parametrize("body, date, expected", [
    ("When Ofsted rated Hull City Council's children's services inadequate last month, staff were shocked.",
     dt.date(2021, 1, 12), {("inadequate", 2020)}),
    ("Hull City Council's children's services have been given the lowest possible rating, inadequate.",
     dt.date(2021, 6, 1), {("inadequate", 2021)}),
    ("Hull City Council was rated inadequate in 2016 and moved up to requires improvement in 2019.",
     dt.date(2021, 6, 1), {("inadequate", 2016), ("requires improvement", 2019)}),
])
def test_rating_years_from_the_words_around_the_grade(extractor, body, date, expected):
    assert {(i.rating, i.year) for i in of(run(extractor, body, date=date), Inspection)} == expected


@pytest.mark.parametrize("body, date, expected", [
    # the grade announced beside an earlier, dated one is of the article's year
    ("Hull City Council was judged to require improvement to be good overall, down from the good "
     "rating it received in 2016.", dt.date(2024, 2, 15), {("requires improvement", 2024), ("good", 2016)}),
    # "N years earlier": counted back from the year the sentence states
    ("In 2018 a trust was set up for Hull, after its children's services had been rated inadequate "
     "two years earlier.", dt.date(2021, 5, 1), {("inadequate", 2016)}),
    ("Hull was rated requires improvement at its last inspection, in 2019, an improvement on the "
     "inadequate judgement it received three years earlier.", dt.date(2021, 5, 1),
     {("requires improvement", 2019), ("inadequate", 2016)}),
])
def test_rating_years_beside_other_dates(extractor, body, date, expected):
    assert {(i.rating, i.year) for i in of(run(extractor, body, date=date), Inspection)} == expected


def test_the_grading_scale_is_no_rating(extractor):
    body = ("Hull City Council's children's services were rated good by Ofsted. Inspections use a "
            "four-point scale from 'outstanding' to 'inadequate'.")
    assert {(i.council, i.rating) for i in of(run(extractor, body), Inspection)} == {(HULL, "good")}


def test_years_after_an_earlier_grade_date_it_from_the_article(extractor):
    body = "Hull City Council's children's services have been rated good, three years after being rated inadequate."
    found = {(i.rating, i.year) for i in of(run(extractor, body, date=dt.date(2021, 5, 4)), Inspection)}
    assert found == {("good", 2021), ("inadequate", 2018)}


def test_rating_with_year_and_council_forms(extractor):
    facts = run(extractor, "Doncaster Council’s children’s services were rated ‘inadequate’ by Ofsted in 2015.")
    assert {(i.council, i.rating, i.year) for i in of(facts, Inspection)} == {(DONCASTER, "inadequate", 2015)}


def test_past_and_current_ratings_in_one_article(extractor):
    body = ("Leeds City Council has been judged outstanding by Ofsted. "
            "The authority was last inspected in 2015, when it was found to require improvement.")
    got = {(i.council, i.rating, i.year, i.current) for i in of(run(extractor, body, date=dt.date(2018, 3, 1)), Inspection)}
    assert got == {(LEEDS, "outstanding", 2018, True), (LEEDS, "requires improvement", 2015, False)}


def test_improved_to_good_and_last_month(extractor):
    body = "Hull City Council’s children’s services have improved to ‘good’ after an inspection last month."
    got = {(i.council, i.rating, i.year) for i in of(run(extractor, body, date=dt.date(2020, 1, 10)), Inspection)}
    assert got == {(HULL, "good", 2019)}


def test_requires_improvement_to_be_good_is_requires_improvement(extractor):
    body = "In 2017 inspectors judged Wakefield to require improvement to be good."
    assert {i.rating for i in of(run(extractor, body), Inspection)} == {"requires improvement"}


@pytest.mark.parametrize("text", [
    "Inspectors found outstanding features in Bradford’s fostering service.",
    "Bradford’s services remained less than good for too many children.",
    "Sector leaders said good leadership in Bradford was vital.",
    "A quarter of the local authorities inspected so far are deemed to be inadequate.",
])
def test_no_rating_invented(extractor, text):
    assert of(run(extractor, text), Inspection) == []


@pytest.mark.parametrize("text, grade", [
    ("The DfE appointed a commissioner after Ofsted judged Hull's services for vulnerable children inadequate.", {"inadequate"}),
    ("Inspectors judged services for children and families in Hull to be good.", {"good"}),
    ("Inspectors judged Hull's services for children in need of help and protection inadequate.", set()),
])
def test_a_grade_of_services_for_children(extractor, text, grade):
    assert {i.rating for i in of(run(extractor, text), Inspection)} == grade


def test_a_grade_named_as_what_a_council_is_announces_nothing(extractor):
    body = ("An ‘inadequate’ children’s service in Hull has been criticised by Ofsted for insufficient progress. "
            "Hull was rated inadequate in 2018.")
    assert {(i.rating, i.year) for i in of(run(extractor, body), Inspection)} == {("inadequate", 2018)}


def test_sector_wide_article_has_no_council_facts(extractor):
    facts = run(extractor, "Ofsted said unmanageable caseloads were a common feature of inadequate services.")
    assert of(facts, Inspection) == []
    assert {(f.council, f.failing) for f in of(facts, Finding)} == {(None, "high caseloads")}


@pytest.mark.parametrize("text", [
    "Inspectors in Leeds recommended that the government cap what agency social workers are paid.",
    "The Leeds director urged ministers to reduce the reliance on agency social workers.",
])
def test_a_recommendation_to_government_is_not_one_to_a_council(extractor, text):
    assert of(run(extractor, text), Recommendation) == []


@pytest.mark.parametrize("text, expected", [
    # a council's own committee recommends: not Ofsted's recommendation, nor a failing
    ("The Leeds scrutiny committee, which considered the report last week, recommended that the council "
     "publish quarterly figures on vacancies, agency use and caseloads.", set()),
    # unless it repeats what inspectors said
    ("The Leeds scrutiny committee noted that inspectors told the council to reduce caseloads.",
     {("E08000035", "high caseloads")}),
])
def test_a_committees_recommendation_is_the_councils_own(extractor, text, expected):
    assert {(r.council, r.failing) for r in of(run(extractor, text), Recommendation)} == expected


def test_what_ofsted_says_in_its_annual_report_is_of_no_council(extractor):
    body = ("Leeds City Council was inspected in May.\n\n"
            "Too many children at risk are not being seen alone, Ofsted warned today in its annual report.")
    assert {f.council for f in of(run(extractor, body), Finding)} <= {None}


def test_recommendation_areas_named_by_what_to_do(extractor):
    body = ("Inspectors told Leeds to make sure that assessments consistently capture the child's views "
            "and that managers record their decisions on case files.")
    assert labels(run(extractor, body), Recommendation, "failing") == {
        (LEEDS, "assessment quality"), (LEEDS, "management oversight")}


def test_a_denial_holds_only_in_its_own_clause(extractor):
    body = "Inspectors in Hull found no evidence of drift, but caseloads were unmanageable."
    assert labels(run(extractor, body), Finding, "failing") == {(HULL, "high caseloads")}


def test_a_cue_does_not_reach_across_a_contrast(extractor):
    body = "Inspectors in Hull found a much stronger front door, but some children's plans are not reviewed often enough."
    assert (HULL, "front door and referrals") not in labels(run(extractor, body), Finding, "failing")


@pytest.mark.parametrize("sector", [
    "Ofsted's annual report warned that caseloads were too high and agency staff too relied upon.",
    "Turnover among children's social workers remains high in many areas.",
    "An analysis of 40 focused visit letters found weak management oversight in half of them.",
])
def test_sector_wide_sentences_in_a_council_article_have_no_council(extractor, sector):
    body = f"Doncaster Council was rated inadequate in 2019. {sector} Inspectors said Doncaster had too few social workers."
    findings = labels(run(extractor, body), Finding, "failing")
    assert (DONCASTER, "recruitment and retention") in findings
    assert findings - {(DONCASTER, "recruitment and retention")} and all(c is None for c, _ in findings - {(DONCASTER, "recruitment and retention")})


def test_a_council_compared_with_the_country_keeps_its_facts(extractor):
    body = ("Doncaster Council was rated inadequate in 2019. "
            "Inspectors found that 31% of the council's social workers were agency staff, against 16% across England.")
    assert labels(run(extractor, body), Finding, "failing") == {(DONCASTER, "agency staff reliance")}


def test_the_council_resolves_to_the_article_council(extractor):
    body = ("Northamptonshire County Council was rated inadequate in 2019. "
            "Inspectors said the council had too few social workers.")
    assert (NORTHANTS, "recruitment and retention") in labels(run(extractor, body), Finding, "failing")


# ---------------------------------------------------------------- failings and recommendations

@pytest.mark.parametrize("text, label", [
    ("Social workers in Leeds were carrying unmanageable caseloads of up to 35 children.", "high caseloads"),
    ("Inspectors found a lack of management oversight of cases in Leeds.", "management oversight"),
    ("Leeds is heavily reliant on agency social workers.", "agency staff reliance"),
    ("Staff turnover in Leeds was high, with many experienced workers leaving.", "staff turnover"),
    ("Too many assessments in Leeds were of poor quality.", "assessment quality"),
    ("Children in Leeds waited too long for their plans, with delays in allocation.", "delays and timeliness"),
    ("The Leeds MASH was overwhelmed by inappropriate referrals.", "front door and referrals"),
    ("Risks to children in Leeds were not always recognised by staff.", "risk not recognised"),
    ("Thresholds were not consistently applied in Leeds.", "consent and thresholds"),
    ("Audits in Leeds were not driving improvement.", "quality assurance"),
    ("Supervision of Leeds social workers was irregular.", "supervision"),
    ("In Leeds, newly qualified social workers held complex child protection cases.", "newly qualified staff unsupported"),
    ("In Leeds some children were not seen alone by their social worker.", "children not seen"),
    ("Plans for Leeds children were subject to drift.", "drift in plans"),
    ("Children in Leeds experienced frequent changes of social worker.", "changes of social worker"),
    ("Inspectors criticised weak and unstable leadership in Leeds.", "leadership"),
    # what inspectors report from parents is a finding
    ("Parents told inspectors that children in Leeds had frequent changes of social worker.", "changes of social worker"),
    # the inspectorate's idiom: consequences, not the category's word
    ("Inspectors found that too many children in Leeds experience a change of social worker.", "changes of social worker"),
    ("Ongoing turnover of staff in Leeds continues to affect the consistency of children's experiences.", "staff turnover"),
    ("In Leeds several senior managers were on temporary contracts.", "agency staff reliance"),
    ("Management focus on the quality of frontline practice in Leeds has been weak.", "management oversight"),
    ("In Leeds the quality of supervision is variable.", "supervision"),
    ("Children in Leeds were left in situations where they could come to harm.", "risk not recognised"),
    ("In Leeds visits to children did not take place within the required timescales.", "delays and timeliness"),
    ("Some child protection plans in Leeds lack clear timescales.", "drift in plans"),
    # "no" before a good thing is the failing
    ("In Leeds, inspectors found cases that had waited weeks with no allocated social worker, causing delays.",
     "delays and timeliness"),
])
def test_failing_categories(extractor, text, label):
    assert (LEEDS, label) in labels(run(extractor, text), Finding, "failing")


@pytest.mark.parametrize("text, label", [
    ("The council reduced its reliance on agency staff to zero.", "agency staff reliance"),
    ("Managers in Leeds had prevented children being left at risk.", "risk not recognised"),
    ("Inspectors found that no child in Leeds was left at risk of harm.", "risk not recognised"),
    ("Leeds social workers are regularly supervised and well supported.", "supervision"),
    # "no" before the problem, the problem fixed or praised right after it
    ("There were no delays in allocating cases to social workers in Leeds.", "delays and timeliness"),
    ("Delays in completing assessments, criticised at the last inspection, have since been eliminated.",
     "delays and timeliness"),
    ("Inspectors said management oversight was evident on every file.", "management oversight"),
    # a remedy, not a failing
    ("The borough has stopped using agency managers in its assessment service.", "agency staff reliance"),
    # claims by a parent or a union, not findings
    ("A parent told the paper her daughter had five different social workers in a year.", "changes of social worker"),
    ("Unison said its members were carrying unmanageable caseloads.", "high caseloads"),
    # a travel item beside the article, not children's services
    ("Tram delays on the Leeds line are expected to last until the evening.", "delays and timeliness"),
    # a figure stated plainly is a statistic, not a failing
    ("The vacancy rate stood at 18% and 22% of posts were filled by agency workers.", "agency staff reliance"),
])
def test_negated_or_praising_sentences_are_not_failings(extractor, text, label):
    assert (LEEDS, label) not in labels(run(extractor, "Leeds City Council was inspected. " + text), Finding, "failing")


def test_recommendation_list_after_told_to_improve(extractor):
    body = ("Leeds City Council was inspected in May.\n\n"
            "Inspectors told the council to improve the following:\n\n"
            "  • The quality of supervision for frontline staff.\n"
            "  • The timeliness of initial assessments.\n\n"
            "The council welcomed the report.")
    recs = labels(run(extractor, body), Recommendation, "failing")
    assert recs == {(LEEDS, "supervision"), (LEEDS, "delays and timeliness")}


def test_recommendation_in_sentence(extractor):
    body = "Ofsted told Doncaster Council it must strengthen management oversight and reduce caseloads."
    recs = labels(run(extractor, body), Recommendation, "failing")
    assert recs == {(DONCASTER, "management oversight"), (DONCASTER, "high caseloads")}


# ---------------------------------------------------------------- responses

def test_funding_amounts_in_several_forms(extractor):
    body = ("Hull City Council has pledged an extra £9.2m for children’s services, "
            "and a further £750,000 has been allocated to recruitment.")
    got = {(r.council, r.response_type, r.amount_gbp) for r in of(run(extractor, body), Response) if r.response_type == "funding"}
    assert got == {(HULL, "funding", Decimal("9200000")), (HULL, "funding", Decimal("750000"))}


def test_money_that_is_a_cut_is_not_a_response(extractor):
    body = "Hull City Council must make cuts of £12m to its budget."
    assert [r for r in of(run(extractor, body), Response) if r.response_type == "funding"] == []


@pytest.mark.parametrize("text", [
    "Opposition councillors in Hull called for an independent review of every open case.",
    "The union urged Hull City Council to recruit more permanent social workers.",
    "Hull City Council could bring in a partner council or a children's trust.",
    "Hull City Council has struggled to recruit experienced social workers.",
    "Asked about Hull, a DfE spokesperson said the government had already invested in fast-track training schemes.",
])
def test_calls_and_options_are_not_responses(extractor, text):
    assert of(run(extractor, text), Response) == []


def test_a_list_of_demands_is_not_responses(extractor):
    body = ("Hull City Council's children's services were rated inadequate.\n\n"
            "UNISON is calling on Hull City Council to:\n\n"
            "• pay a £2,000 retention payment to every social worker who stays for two years\n"
            "• agree a recovery plan with the union before any further changes to teams")
    assert of(run(extractor, body), Response) == []


def test_a_former_post_in_a_council_is_not_the_subject(extractor):
    body = ("The Department for Education issued Hull City Council with an improvement notice and has appointed an "
            "improvement adviser, Jo Bell, a former director of children's services in Leeds.")
    assert {r.council for r in of(run(extractor, body), Response)} == {HULL}


def test_the_councils_action_after_the_governments_is_a_response(extractor):
    body = ("The Department for Education has sent an adviser to Hull, and the council will draw up "
            "an improvement plan within 70 working days.")
    assert {r.response_type for r in of(run(extractor, body), Response)} >= {"government intervention", "improvement plan"}


def test_a_name_line_or_a_time_stamp_is_no_model_response(extractor):
    body = ("Hull City Council\n\n06:00, 27 JUN 2024 Updated 09:14, 27 JUN 2024\n\n"
            "Hull City Council's children's services were rated good by Ofsted.")
    assert all(r.evidence.text.startswith("Hull City Council's children") for r in of(run(extractor, body), Response))


def test_where_someone_worked_before_is_not_what_the_sentence_is_about(extractor):
    body = ("Hull City Council's children's services were rated inadequate by Ofsted in 2019. "
            "The council has appointed an interim director, Jo Bell, who previously worked in Leeds.")
    assert (HULL, "leadership change") in labels(run(extractor, body), Response, "response_type")


@pytest.mark.parametrize("text, kind", [
    ("Hull City Council has launched a recruitment campaign to hire 40 social workers.", "recruitment"),
    ("Hull City Council appointed a new interim director of children’s services.", "leadership change"),
    ("Hull City Council has commissioned an independent review of its front door.", "review"),
    ("All Hull social workers will receive new training in risk assessment.", "training"),
    ("Hull City Council introduced a retention payment of £2,000 for social workers.", "retention strategy"),
    ("Hull City Council raised salaries for experienced social workers by 5 per cent.", "retention strategy"),
    ("Hull City Council is restructuring its children’s social care teams.", "restructure"),
    ("Hull City Council has drawn up an improvement plan.", "improvement plan"),
    ("The education secretary appointed a commissioner to run Hull’s children’s services.", "government intervention"),
    ("Hull City Council was issued with an improvement notice.", "government intervention"),
])
def test_response_types(extractor, text, kind):
    assert (HULL, kind) in labels(run(extractor, text), Response, "response_type")


# ---------------------------------------------------------------- statistics

@pytest.mark.parametrize("body, value", [
    ("Social workers at Hull City Council carry an average of 14 cases each.", Decimal("14")),
    ("In Hull City Council's teams, caseloads were as high as 35.", Decimal("35")),
    ("Hull City Council says the average caseload is now 16.", Decimal("16")),
])
def test_caseloads_as_news_words_them(extractor, body, value):
    assert (HULL, "caseload", value) in {(s.council, s.measure, s.value) for s in of(run(extractor, body), Statistic)}


def test_one_in_twenty_is_five_per_cent(extractor):
    body = "At Hull City Council only one in twenty social workers is employed through an agency."
    assert (HULL, "agency rate", Decimal("5")) in {(s.council, s.measure, s.value)
                                                  for s in of(run(extractor, body), Statistic)}


def test_a_name_then_a_councils_possessive_post(extractor):
    body = "Jo Bell, Hull City Council's director of children's services, said the council accepted the findings."
    assert ("Jo Bell", "director of children's services", HULL) in {
        (m.person, m.role, m.council) for m in of(run(extractor, body), Membership)}


def test_coun_is_a_councillor_honorific(extractor):
    body = 'Coun Peter Marsh, Hull City Council\'s cabinet member for children, said: "We accept the findings."'
    people = {m.person for m in of(run(extractor, body), Membership)}
    assert "Peter Marsh" in people and not any(p.startswith("Coun") for p in people)


def test_statistics_with_years_and_measures(extractor):
    body = ("Figures for Hull City Council show average caseloads rose from 16.5 in 2019 to 21.3 in 2020. "
            "Its agency rate was 18% and its vacancy rate 22.4%, while turnover stood at 15.1%.")
    got = {(s.council, s.measure, s.value) for s in of(run(extractor, body), Statistic)}
    assert got == {(HULL, "caseload", Decimal("16.5")), (HULL, "caseload", Decimal("21.3")),
                   (HULL, "agency rate", Decimal("18")), (HULL, "vacancy rate", Decimal("22.4")),
                   (HULL, "turnover rate", Decimal("15.1"))}
    years = {s.value: s.year for s in of(run(extractor, body), Statistic)}
    assert years[Decimal("16.5")] == 2019 and years[Decimal("21.3")] == 2020


def test_figures_of_a_sentence_about_the_country_are_national(extractor):
    body = ("Hull City Council's agency rate was 18% in 2019. "
            "Figures published today show 5,800 vacant posts in England at the end of September, a vacancy rate of 17%. "
            "The turnover rate stood at 15.2%.")
    got = {(s.council, s.measure, s.value) for s in of(run(extractor, body), Statistic)}
    assert got == {(HULL, "agency rate", Decimal("18")), (None, "vacancy rate", Decimal("17")),
                   (None, "turnover rate", Decimal("15.2"))}


def test_number_of_councils_is_not_a_caseload(extractor):
    body = "Concerns over caseload levels were found at 14 councils inspected since January."
    assert of(run(extractor, body), Statistic) == []


# ---------------------------------------------------------------- people and quotations

def test_apposition_with_council_role_and_quote(extractor):
    body = ("Hull City Council was rated inadequate in 2019.\n\n"
            "Jane Smith, the council’s director of children’s services, said: “We accept the findings in full.\n\n"
            "“We have already begun to act.”")
    facts = run(extractor, body)
    assert {(m.person, m.role, m.council) for m in of(facts, Membership)} == {
        ("Jane Smith", "director of children’s services", HULL)}
    quotes = of(facts, Quotation)
    assert len(quotes) == 1 and quotes[0].person == "Jane Smith"
    assert "begun to act" in quotes[0].text and "accept the findings" in quotes[0].text


def test_premodifier_and_honorific_and_other_organisation(extractor):
    body = ("Doncaster Council leader Ros Jones said the report was fair.\n\n"
            "Dame Christine Gilbert, president of the Association of Directors of Children’s Services, "
            "said councils needed funding.")
    got = {(m.person, m.council, m.organisation) for m in of(run(extractor, body), Membership)}
    assert ("Ros Jones", DONCASTER, None) in got
    assert ("Christine Gilbert", None, "adcs") in got


def test_an_apposed_post_stops_before_what_the_person_said(extractor):
    body = ("Doncaster Council was rated inadequate in 2019.\n\n"
            "Maria Keane, Ofsted’s chief inspector, said at the time that a stable and well-supported "
            "workforce was essential to good services for children.\n\n"
            "Dame Ruth Allan, the Children’s Commissioner for England, said every child deserved a home.")
    got = {(m.person, m.role, m.organisation) for m in of(run(extractor, body), Membership)}
    assert got == {("Maria Keane", "chief inspector", "ofsted"),
                   ("Ruth Allan", "Children’s Commissioner for England", "childrens-commissioner")}


@pytest.mark.parametrize("sentence, expected", [
    ("The MPs also heard from the Chief Social Worker for Children and Families, Ian Marlow, about Hull.",
     ("Ian Marlow", "dfe")),
    ("The letter, signed by Her Majesty’s Inspector Rita Bowe, said Hull had improved.", ("Rita Bowe", "ofsted")),
])
def test_national_posts_belong_to_their_organisation(extractor, sentence, expected):
    assert expected in {(m.person, m.organisation) for m in of(run(extractor, sentence), Membership)}


def test_surname_and_pronoun_attribution(extractor):
    body = ("Hull City Council was inspected.\n\n"
            "Tom Brown, the council’s chief executive, welcomed the report.\n\n"
            "“We know there is much to do,” Brown said.\n\n"
            "He added: “Children come first.”")
    speakers = [q.person for q in of(run(extractor, body), Quotation)]
    assert speakers == ["Tom Brown", "Tom Brown"]


def test_comments_never_yield_facts(extractor):
    comment = Comment(number="1", author="Reader", text="Leeds was rated inadequate in 2010 and caseloads were too high.")
    facts = run(extractor, "A story about social work in general.", comments=[comment])
    assert facts == []


def test_every_fact_has_verbatim_evidence_and_rule(extractor):
    body = ("Hull City Council was rated inadequate in 2019. Inspectors found caseloads too high and "
            "supervision irregular. The council has invested £2m in recruitment.")
    for fact in run(extractor, body):
        assert fact.evidence.text and fact.evidence.text in body
        assert fact.evidence.rule


def test_improved_from_inadequate_to_good(extractor):
    body = "Leeds City Council has improved from inadequate to good, Ofsted said."
    got = {(i.rating, i.year, i.current) for i in of(run(extractor, body, date=dt.date(2021, 5, 1)), Inspection)}
    assert got == {("good", 2021, True), ("inadequate", None, None)}


def test_the_councils_services_rated(extractor):
    body = "Hull City Council was inspected in March. The council’s services were rated good in 2022."
    assert {(i.council, i.rating, i.year) for i in of(run(extractor, body), Inspection)} == {(HULL, "good", 2022)}


KIND_FIELDS = {"failing": (Finding, "failing"), "response": (Response, "response_type"),
               "rating": (Inspection, "rating")}


def _counter_cases():
    from kg import config
    from kg.rules import load_rules

    for rule in load_rules(config.DATA / "rules").rules:
        if rule.kind in KIND_FIELDS:
            for text in rule.counter:
                yield pytest.param(rule, text, id=f"{rule.id}:{text[:30]}")


@pytest.mark.parametrize("rule, text", list(_counter_cases()))
def test_counter_examples_yield_no_fact(extractor, rule, text):
    """Each rule's counter-examples, read in an article about Leeds, yield no fact of its label
    from the rules (the trained classifier is held to its own bound below)."""
    cls, attr = KIND_FIELDS[rule.kind]
    facts = run(extractor, "Leeds City Council was inspected.\n\n" + text)
    assert rule.label not in {getattr(f, attr) for f in of(facts, cls) if not f.evidence.rule.startswith("model:")}


def test_the_classifier_rarely_takes_a_counter_example_for_a_fact(extractor):
    """The rules' counter-examples (praise, fixed or denied problems, cuts, calls) are hard
    negatives for the trained classifier too. It is a statistical model and gets some wrong (6 of
    the 26 when it was trained: a fall in turnover, regular supervision, a practice review, two
    training sentences, the Children's Commissioner); this bounds what share, so that a retrained
    model that learnt less fails. The rules gain counter-examples (89 in session 20, 8 of them
    taken, the new one "managers consistently challenge poor practice"), so the bound is a share
    of them: one in ten."""
    cases = list(_counter_cases())
    wrong = []
    for param in cases:
        rule, text = param.values
        cls, attr = KIND_FIELDS[rule.kind]
        facts = run(extractor, "Leeds City Council was inspected.\n\n" + text)
        if rule.label in {getattr(f, attr) for f in of(facts, cls) if f.evidence.rule.startswith("model:")}:
            wrong.append(param.id)
    assert len(cases) >= 20
    assert len(wrong) <= len(cases) / 10, (len(cases), wrong)


def test_each_clause_keeps_its_own_council(extractor):
    body = ("Leeds City Council has launched a recruitment drive for 30 social workers, "
            "while Doncaster Council has restructured its assessment teams.")
    got = labels(run(extractor, body), Response, "response_type")
    assert (LEEDS, "recruitment") in got and (DONCASTER, "restructure") in got
    assert (LEEDS, "restructure") not in got and (DONCASTER, "recruitment") not in got


def test_percentage_named_after_its_measure_and_across_clauses(extractor):
    body = "In Hull 12% of posts were vacant in 2020, and 27% were filled by locums."
    got = {(s.measure, s.value) for s in of(run(extractor, body), Statistic)}
    assert got == {("vacancy rate", Decimal("12")), ("agency rate", Decimal("27"))}


def test_caps_and_targets_are_not_caseloads(extractor):
    body = "Hull City Council wants to bring caseloads down to 18 and will cap caseloads at 15 for new staff."
    assert of(run(extractor, body), Statistic) == []


def test_origin_council_is_not_the_subject(extractor):
    body = ("Hull City Council has been rated inadequate.\n\n"
            "A new director, who joins from Leeds City Council, will start in May.")
    responses = labels(run(extractor, body), Response, "response_type")
    assert (HULL, "leadership change") in responses
    assert all(council != LEEDS for council, _ in responses)


@pytest.mark.parametrize("text, label", [
    ("Some children in Hull had four or five social workers in two years.", "changes of social worker"),
    ("Senior leaders in Hull may not have had an accurate understanding of frontline practice.", "leadership"),
    ("Hull had lost experienced staff to neighbouring councils offering better pay.", "staff turnover"),
    ("In Hull, the risks posed by adults in the household were not fully explored.", "risk not recognised"),
    ("Inspectors said some Hull referrals were not dealt with within a working day.", "delays and timeliness"),
    ("In Hull, some decisions were recorded without a manager's signature.", "management oversight"),
    ("Inspectors found some Hull social workers were carrying more than 30 cases.", "high caseloads"),
    ("In Hull, some parents were not asked for their consent before information was shared.",
     "consent and thresholds"),
    ("Inspectors found that interim managers were covering several key posts in Hull.", "agency staff reliance"),
    ("In Hull, a succession of interim directors meant nobody was in charge.", "leadership"),
    ("Hull's senior managers had not had a firm enough grip on frontline practice.", "leadership"),
    ("In Hull, referrals from schools had sat in an inbox for days before anyone read them.",
     "front door and referrals"),
    ("Some children in Hull were seeing a new social worker every few months.", "changes of social worker"),
    ("Inspectors found Hull's managers do not consistently challenge poor practice.", "management oversight"),
])
def test_failings_stated_in_the_inspectorate_idiom(extractor, text, label):
    assert (HULL, label) in labels(run(extractor, text), Finding, "failing")


@pytest.mark.parametrize("sentence", [
    "Last month it also appointed Jo Hale, previously a director in Leeds, as interim director.",
    "The council has appointed Jo Hale, who spent most of her career in Leeds, as interim director.",
    "Until the spring of 2018 Ms Hale was assistant director for safeguarding at Leeds City Council.",
])
def test_a_past_post_council_is_not_the_subject(extractor, sentence):
    """Where someone worked before is named, but the sentence (and the next one, by "the
    authority") is still about the council the article is about."""
    body = ("Hull City Council has been rated inadequate.\n\n" + sentence + "\n\n"
            "The authority launched a recruitment campaign last year to attract experienced social workers.")
    responses = labels(run(extractor, body), Response, "response_type")
    assert (HULL, "recruitment") in responses
    assert all(council != LEEDS for council, _ in responses)


@pytest.mark.parametrize("sentence, label", [
    ("Since then the council has replaced almost its entire senior team.", "leadership change"),
    ("Its director, Jo Hale, arrived from Leeds City Council last January.", "leadership change"),
    ("The council has begun advertising for social workers in South Africa.", "recruitment"),
    ("It has flown in 22 social workers from Zimbabwe and India to plug gaps.", "recruitment"),
    ("The children's social care budget has been raised by 9 per cent this year.", "funding"),
    ("It has bought places for its newly qualified social workers on an assessed-year programme.", "training"),
    ("It has introduced a £3,000 payment for social workers who stay for two years.", "retention strategy"),
    ("The council has begun an audit of all children's plans.", "review"),
    ("It has created two new deputy director posts to strengthen the management structure.", "restructure"),
    ("The council has also appointed six advanced practitioners to support less experienced colleagues.",
     "recruitment"),
])
def test_responses_stated_as_actions(extractor, sentence, label):
    """What a council did, said without the type's word."""
    body = "Hull City Council was rated inadequate in March. " + sentence
    assert (HULL, label) in labels(run(extractor, body), Response, "response_type")


@pytest.mark.parametrize("sentence, label", [
    ("Opposition councillors in Hull called on the cabinet member to resign.", "leadership change"),
    ("Hull City Council is weighing up whether to commission an external review.", "review"),
    ("Hull has flown in 22 social workers from Zimbabwe to plug gaps.", "funding"),
    ("Options still on the table in Hull include a market supplement for hard-to-fill posts.", "retention strategy"),
    ("Hull City Council told the union it is \"looking at\" a market supplement.", "retention strategy"),
])
def test_calls_options_and_moneyless_acts_are_not_those_responses(extractor, sentence, label):
    body = "Hull City Council was rated inadequate in March. " + sentence
    assert (HULL, label) not in labels(run(extractor, body), Response, "response_type")


@pytest.mark.parametrize("sentence", [
    "In the meantime the department has named Leeds City Council as the county's improvement partner.",
    "Leeds City Council was directed by the education secretary to help turn the service around.",
])
def test_a_council_named_as_a_partner_is_not_the_subject(extractor, sentence):
    body = ("Hull City Council was rated inadequate in March.\n\n" + sentence + "\n\n"
            "The council has already increased the children's social care budget by 14%.")
    responses = labels(run(extractor, body), Response, "response_type")
    assert (HULL, "funding") in responses and all(council != LEEDS for council, _ in responses)


def test_the_council_the_headline_names_is_what_the_article_is_about(extractor):
    """The body names its neighbour as often, and the findings come three sentences after the
    article's council was last named: they are still the headline council's."""
    body = ("Hull City Council's children's services have been rated good by Ofsted.\n\n"
            "Inspectors praised stable leadership.\n\n"
            "Its social workers have average caseloads of 17.\n\n"
            "But the report was not without criticism.\n\n"
            "Inspectors found that strategy meetings were sometimes held late.\n\n"
            "In neighbouring Leeds, the council has approved a restructure. Leeds was rated good in 2018. "
            "Leeds's vacancy rate was 19 per cent.")
    facts = run(extractor, body, title="Hull rated good as neighbouring council restructures")
    assert (HULL, "delays and timeliness") in labels(facts, Finding, "failing")
    assert (LEEDS, "delays and timeliness") not in labels(facts, Finding, "failing")


def test_the_council_after_a_sentence_naming_two_is_the_articles_own(extractor):
    body = ("Hull City Council was rated inadequate in March. Inspectors said Hull had been slow to act. "
            "Hull, unlike neighbouring Leeds, has no foster care agency of its own.\n\n"
            "The minister said a commissioner would be sent in to decide whether the council should keep control.")
    responses = labels(run(extractor, body), Response, "response_type")
    assert (HULL, "government intervention") in responses
    assert (LEEDS, "government intervention") not in responses


@pytest.mark.parametrize("sentence", [
    "New starters will be offered a £2,000 golden hello.",
    "It launched a recruitment campaign offering a £3,000 relocation package to social workers.",
    "It has introduced a market supplement of up to £4,000 a year for child protection social workers.",
])
def test_a_payment_to_each_worker_is_no_funding(extractor, sentence):
    """A sum paid to each worker is an incentive of a recruitment or retention scheme, not money
    for the service: no funding response, and no amount."""
    facts = run(extractor, "Hull City Council was rated inadequate. " + sentence)
    assert not [r for r in of(facts, Response) if r.response_type == "funding"]
    assert of(facts, Response), "the scheme itself is still a response"


def test_a_budget_beside_a_payment_is_funding(extractor):
    facts = run(extractor, "Hull City Council was rated inadequate. It will offer a £2,000 golden hello "
                           "and has set aside an extra £1.5m for children's social care.")
    assert [r.amount_gbp for r in of(facts, Response) if r.response_type == "funding"] == [Decimal("1500000")]


@pytest.mark.parametrize("text, label", [
    ("The Children's Commissioner said children in Hull deserved better.", "government intervention"),
    ("The commissioner will write to the education secretary this week.", "government intervention"),
    ("The Department for Education said it would monitor progress in Hull closely.", "government intervention"),
    ("Options including an improvement notice for Hull were being considered.", "government intervention"),
    ("The restructure in Hull is expected to save £600,000 a year.", "funding"),
    ("Hull City Council spent more than £5m on agency social workers last year.", "funding"),
])
def test_words_options_and_costs_are_not_responses(extractor, text, label):
    got = labels(run(extractor, "Hull City Council was rated inadequate. " + text), Response, "response_type")
    assert (HULL, label) not in got


def test_intervention_reported_in_speech_still_counts(extractor):
    body = ("Hull City Council was rated inadequate.\n\n"
            "The Department for Education said a commissioner would be appointed to oversee the service.")
    assert (HULL, "government intervention") in labels(run(extractor, body), Response, "response_type")


@pytest.mark.parametrize("text, expected", [
    ("Ofsted had rated Hull inadequate three years ago.", {(HULL, "inadequate")}),
    ("Ofsted rated the council's services for vulnerable children inadequate.", {(HULL, "inadequate")}),
    ("Ofsted has judged Hull's services for children good.", {(HULL, "good")}),
    # the overall grade only: a part of the service graded is not a judgement of the council
    ("Ofsted judged Hull's children's services to be good overall, with leadership judged outstanding.",
     {(HULL, "good")}),
    ("Inspectors praised Hull's services for care leavers, which were judged outstanding.", set()),
    ("Hull's services were rated requires improvement to be good.", {(HULL, "requires improvement")}),
    # the inspection framework's own names for its parts, written long or verb first
    ("The experiences and progress of children in Hull's care were judged to require improvement.", set()),
    ("The impact of leaders on social work practice with children and families in Hull was judged to be good.",
     set()),
    ("Inspectors judged the impact of leaders on practice in Hull to be outstanding, the highest grade.", set()),
    # "the highest grade" names the grade before it: one judgement, of the council
    ("Ofsted rated Hull's children's services outstanding, the highest grade.", {(HULL, "outstanding")}),
    # the council as a pronoun, or a named part of its services in a place
    ("A year later inspectors judged them to be good.", {(HULL, "good")}),
    ("Last year the watchdog rated safeguarding in Hull inadequate.", {(HULL, "inadequate")}),
    # a part named after the grade, with a verb in another tense, or beside the overall grade
    ("To be judged outstanding for our children in care is a credit to staff, the director said.", set()),
    ("The report judges the experiences and progress of care leavers in Hull to be 'outstanding'.", set()),
    ("Hull's services were rated 'good', with its adoption work described as 'outstanding'.", {(HULL, "good")}),
    ("The leadership, management and governance of the service was judged good.", set()),
    # the grades of other bodies
    ("A primary school in the city was rated outstanding for the first time.", set()),
    ("Neighbouring council rated 'outstanding' after a two-week visit.", set()),
])
def test_grade_after_the_object_and_sub_judgements(extractor, text, expected):
    body = "Hull City Council's children's services were inspected in the spring. " + text
    assert {(i.council, i.rating) for i in of(run(extractor, body), Inspection)} == expected


@pytest.mark.parametrize("text, expected", [
    ("Inspectors said the stability of the workforce in Leeds has deteriorated since the last inspection.",
     {"staff turnover"}),
    ("Leeds's director admitted: 'We lost too many good people, too quickly.'", {"staff turnover"}),
    ("Inspectors found too many children in Leeds are not getting the help they need quickly enough.",
     {"delays and timeliness"}),
    ("One mum told the paper her son had six different social workers in a year in Leeds.", set()),
])
def test_failings_said_of_the_workforce_and_of_help(extractor, text, expected):
    assert {f.failing for f in of(run(extractor, text), Finding)} == expected


@pytest.mark.parametrize("text, label", [
    ("Inspectors said the quality of written records of supervision in Leeds should improve.", "supervision"),
    ("The council should make sure that reviews of children's plans always take place on time.", "delays and timeliness"),
    ("Ofsted asked the council to strengthen the recording of management decisions on children's files.",
     "management oversight"),
    ("The inspectors' report calls for better supervision of newly qualified staff.", "supervision"),
    ("Ofsted wants to see the council reduce its reliance on agency staff.", "agency staff reliance"),
    ("Inspectors said the council must 'as a matter of urgency' ensure that all referrals are screened within a day.",
     "front door and referrals"),
    ("Its areas for improvement include making sure managers' decisions on cases are clearly recorded.",
     "management oversight"),
    ("The report set out three priorities for the council: reducing caseloads and strengthening supervision.",
     "high caseloads"),
    ("The council was told it must get a grip on staff turnover.", "staff turnover"),
    ("Inspectors want leaders to focus on the quality of supervision.", "supervision"),
])
def test_recommendation_areas_named_as_subject_or_in_plain_words(extractor, text, label):
    got = labels(run(extractor, "Leeds City Council was inspected in the spring. " + text), Recommendation, "failing")
    assert (LEEDS, label) in got


def test_what_a_council_wants_is_no_recommendation(extractor):
    body = ("Leeds City Council was inspected in the spring. \"We want to make sure our social workers have "
            "manageable caseloads and good supervision,\" the director said.")
    assert not labels(run(extractor, body), Recommendation, "failing")


def test_what_a_union_calls_for_is_no_recommendation(extractor):
    body = "Leeds City Council was inspected in the spring. Unison called for an end to high caseloads in Leeds."
    assert not labels(run(extractor, body), Recommendation, "failing")


def test_figures_a_union_reports_and_rates_aimed_for_are_not_statistics(extractor):
    body = ("Hull City Council was inspected in 2019. Unison said its members in Hull were holding more "
            "than 30 cases. The council wants agency use to fall to 12% next year.")
    assert of(run(extractor, body), Statistic) == []


def test_a_run_of_national_figures_stays_national(extractor):
    body = ("Hull City Council was inspected in 2019.\n\n"
            "Nationally, 17.6% of children's social workers in England were agency staff. "
            "The turnover rate stood at 15.2%.\n\n"
            "In Hull, 30% of social workers were agency staff. Turnover was 22%.")
    got = {(s.council, s.measure, s.value) for s in of(run(extractor, body), Statistic)}
    assert (None, "agency rate", Decimal("17.6")) in got and (None, "turnover rate", Decimal("15.2")) in got
    assert (HULL, "agency rate", Decimal("30")) in got and (HULL, "turnover rate", Decimal("22")) in got


def test_the_headline_names_the_story_and_the_body_states_the_facts(extractor):
    facts = run(extractor, "Hull City Council's children's services were inspected in 2019.",
                title="Hull council to recruit 40 social workers after delays in assessments")
    assert of(facts, Finding) == [] and of(facts, Response) == []


def test_partner_council_is_not_the_subject(extractor):
    body = ("Hull City Council was rated inadequate in 2023.\n\n"
            "Since then the council has appointed a new director of children's services and has been "
            "paired with Leeds City Council, which is rated outstanding.")
    facts = run(extractor, body)
    responses = labels(facts, Response, "response_type")
    assert (HULL, "leadership change") in responses
    assert all(council != LEEDS for council, _ in responses)
    # the partner's own grade stays the partner's
    assert (LEEDS, "outstanding") in {(i.council, i.rating) for i in of(facts, Inspection)}


def test_national_figure_is_a_statistic_without_a_council(extractor):
    body = ("Hull City Council said 24% of its social workers were agency staff in 2022, "
            "compared with a national figure of 18%.")
    got = {(s.council, s.value) for s in of(run(extractor, body), Statistic)}
    assert got == {(HULL, Decimal("24")), (None, Decimal("18"))}


@pytest.mark.parametrize("sentence, expected", [
    ("The council has appointed Gillian Rowe, formerly assistant director in a neighbouring borough, as "
     "interim director of children's services, and will review its front door.",
     ("Gillian Rowe", "interim director of children's services", HULL, None)),
    ("Hull City Council has appointed Andrea Whitcombe as its director of children and family services.",
     ("Andrea Whitcombe", "director of children and family services", HULL, None)),
    ("The finance director, Graham Pettit, said the money would fund 40 posts.",
     ("Graham Pettit", "finance director", HULL, None)),
    ("The council's cabinet member for children and families, Cllr Tony Halloran, said the team was new.",
     ("Tony Halloran", "cabinet member for children and families", HULL, None)),
    ("The council's executive director for families, children and learning, Deborah Mensah, said so.",
     ("Deborah Mensah", "executive director for families, children and learning", HULL, None)),
    ("Ofsted's regional director for the North East, Yorkshire and the Humber, Paul Entwistle, presented it.",
     ("Paul Entwistle", "regional director for the North East, Yorkshire and the Humber", None, "ofsted")),
    ("Liberal Democrat opposition leader Coun Nigel Frith said the report showed underinvestment.",
     ("Nigel Frith", "Liberal Democrat opposition leader", HULL, None)),
    ("Strategic director of people services Andy Marlowe, who joined in 2022, said caseloads had fallen.",
     ("Andy Marlowe", "Strategic director of people services", HULL, None)),
    ("Since then the council has appointed Eleanor Price, who spent her career in Leeds, as interim "
     "executive director of people.", ("Eleanor Price", "interim executive director of people", HULL, None)),
    ("Keith Amory, who took over as interim executive director of children's services in December, "
     "has created two new posts.", ("Keith Amory", "interim executive director of children's services", HULL, None)),
    ("Green councillor Imogen Lathe asked whether the council could bring back its homes.",
     ("Imogen Lathe", "Green councillor", HULL, None)),
    ("In a letter published this week, inspector Rachel Oduya said caseloads were manageable.",
     ("Rachel Oduya", "inspector", None, "ofsted")),
    ("The panel chair, Cllr Ruth Askew, said the panel would come back to workforce in January.",
     ("Ruth Askew", "panel chair", HULL, None)),
    ("Commissioner Graham Stanier, who was appointed by the Secretary of State in January, has reported.",
     ("Graham Stanier", "Commissioner", None, "dfe")),
    ("Cllr Jane Smith, executive member for children, said the council would act.",
     ("Jane Smith", "executive member for children", HULL, None)),
    ("Jane Smith became interim director of children's services at Hull City Council last spring.",
     ("Jane Smith", "interim director of children's services", HULL, None)),
])
def test_posts_with_commas_appointments_and_honorifics(extractor, sentence, expected):
    body = "Hull City Council was inspected in the spring. " + sentence
    got = {(m.person, m.role, m.council, m.organisation) for m in of(run(extractor, body), Membership)}
    assert expected in got


@pytest.mark.parametrize("sentence, name", [
    ("But Sharon Preston, who chairs the council's scrutiny committee, said the signs were there.", "Sharon Preston"),
    ("Commissioner Alan Prothero, appointed by the education secretary, concluded otherwise.", "Alan Prothero"),
])
def test_names_without_the_words_before_them(extractor, sentence, name):
    body = "Hull City Council was inspected in the spring. " + sentence
    assert {m.person for m in of(run(extractor, body), Membership)} == {name}


def test_what_someone_became_first_is_no_post(extractor):
    body = "Hull City Council was inspected in the spring. Jane Smith became the first council leader to resign."
    assert not of(run(extractor, body), Membership)


def test_a_former_post_is_not_the_post(extractor):
    body = ("Hull City Council was inspected in the spring. The adviser, former director of children's "
            "services Jennifer Tolland, will report every three months.")
    got = {(m.person, m.role) for m in of(run(extractor, body), Membership)}
    assert ("Jennifer Tolland", "director of children's services") not in got


def test_role_before_name_and_names_the_model_misses(extractor):
    body = ("Hull City Council was inspected in 2019.\n\n"
            "The council’s new chief executive, Ngozi Adeyemi-Clarke, who started in June, said: “We will act.”\n\n"
            "The government appointed a commissioner, Professor Ianto Vaughan-Pryce, to oversee the service.")
    got = {(m.person, m.role, m.council, m.organisation) for m in of(run(extractor, body), Membership)}
    assert ("Ngozi Adeyemi-Clarke", "chief executive", HULL, None) in got
    assert ("Ianto Vaughan-Pryce", "commissioner", None, "dfe") in got


def test_numbered_recommendations_under_a_heading(extractor):
    body = ("Reading Borough Council was rated inadequate in 2016.\n\n"
            "What needs to improve\n\n"
            "1. The quality and consistency of management oversight and supervision.\n"
            "2. Ensure that children are seen alone and their views recorded.\n"
            "3. The timeliness of strategy meetings.\n\n"
            "The council said it accepted the findings.")
    recs = {f for _, f in labels(run(extractor, body), Recommendation, "failing")}
    assert recs == {"management oversight", "supervision", "children not seen", "delays and timeliness"}


def test_posts_by_relative_clause_and_after_said(extractor):
    body = ("Torbay Council was inspected in 2018. Joan Pritchett, who chairs the council’s scrutiny committee, "
            "said the report was damning. “It is a wake-up call,” said Priti Das, director of children’s services "
            "at Torbay Council.")
    facts = run(extractor, body)
    got = {(m.person, m.role, m.council) for m in of(facts, Membership)}
    assert ("Joan Pritchett", "chair of the council’s scrutiny committee", "E06000027") in got
    assert ("Priti Das", "director of children’s services", "E06000027") in got
    assert [(q.person, q.text) for q in of(facts, Quotation)] == [("Priti Das", "It is a wake-up call")]


def test_county_and_city_councils_side_by_side(extractor):
    body = ("Derbyshire County Council has been rated good, while Derby City Council was rated inadequate in 2019.\n\n"
            "Inspectors said the county had stable leadership. The city council had too few social workers, "
            "and its vacancy rate was 21 per cent, compared with 8 per cent in the county.")
    facts = run(extractor, body)
    stats = {(s.council, s.value) for s in of(facts, Statistic)}
    assert stats == {("E06000015", Decimal("21")), ("E10000007", Decimal("8"))}
    assert ("E06000015", "recruitment and retention") in labels(facts, Finding, "failing")


def test_the_island_is_the_isle_named_before(extractor):
    body = ("The Isle of Wight's children's services were judged inadequate in 2012.\n\n"
            "Hampshire, itself judged good in 2014, sent managers to help. Last year the island's services "
            "were judged to require improvement.")
    got = {(i.council, i.rating, i.year) for i in of(run(extractor, body, date=dt.date(2016, 2, 1)), Inspection)}
    assert ("E06000046", "requires improvement", 2015) in got
    assert not {g for g in got if g[0] == "E10000014" and g[1] == "requires improvement"}


@pytest.mark.parametrize("text, expected", [
    # the measure named in the figure's own clause, after it
    ("Papers show Slough's vacancy rate is 26 per cent, and that one in three of its children's social "
     "workers is employed through an agency.", {("vacancy rate", Decimal("26")), ("agency rate", Decimal("33.3"))}),
    # what changed by a percentage, a premium, a survey's share, a cap: no rate
    ("Slough raised salaries for experienced social workers by 5 per cent, in an attempt to stop them leaving.", set()),
    ("Slough lifts its children's budget by 12% as agency bill bites.", set()),
    ("Slough pays agency premiums of up to 50 per cent above permanent salaries.", set()),
    ("In Slough seven in ten staff felt their workload was unmanageable, and many had considered leaving.", set()),
    ("No social worker in Slough's units is meant to hold more than 16 cases.", set()),
    # what union members report is a claim
    ("Some Slough teams, members report, are more than 40 per cent agency staff.", set()),
    ("In a survey by the union's Slough branch, members reported holding 30 or more cases.", set()),
    # in words, with "or more", with its unit far from the word
    ("Slough's vacancy rate has fallen to nine per cent.", {("vacancy rate", Decimal("9"))}),
    ("Some Slough social workers were carrying 30 or more cases.", {("caseload", Decimal("30"))}),
    ("In Slough caseloads, which were a significant concern at the time of the inspection in 2014, were now "
     "manageable, at an average of 17 children per worker.", {("caseload", Decimal("17"))}),
    # a rate in some teams is not the council's
    ("In Slough one in three posts in some teams is vacant.", set()),
])
def test_what_a_figure_measures(extractor, text, expected):
    assert {(s.measure, s.value) for s in of(run(extractor, text), Statistic)} == expected


def test_a_live_blog_entry_goes_on_with_its_council_line_by_line(extractor):
    body = ("13:55\nLeeds rated outstanding\nLeeds City Council has been rated outstanding.\n\n"
            "14:10\nHull 'not improving quickly enough'\n"
            "Hull City Council's services, rated inadequate last year, are still not improving, Ofsted said.\n"
            "Inspectors found too many children waiting for a social worker.\n"
            "Agency workers make up almost half of the social workers, the letter says.\n"
            "The council says it has appointed a new permanent director of children's services.")
    got = labels(run(extractor, body), Response, "response_type")
    assert (HULL, "leadership change") in got and ("E08000035", "leadership change") not in got


def test_the_island_counts_towards_what_the_article_is_about(extractor):
    body = ("The Isle of Wight's children's services have been rated as requiring improvement.\n\n"
            "Since 2013, Hampshire County Council has run the service, with Hampshire's director overseeing "
            "both authorities. The island's managers praised Hampshire.\n\n"
            "Inspectors said the island's caseloads were falling. Among the areas inspectors said the council "
            "must improve are:\n\n- reducing the number of changes of social worker;\n- improving supervision.")
    recs = labels(run(extractor, body, date=dt.date(2014, 11, 13)), Recommendation, "failing")
    assert {("E06000046", "supervision"), ("E06000046", "changes of social worker")} <= recs
    assert not {r for r in recs if r[0] == "E10000014"}


def test_proportions_in_words(extractor):
    body = "In Slough one in five posts was vacant in 2020, and almost half of frontline posts were filled by agency staff."
    got = {(s.measure, s.value) for s in of(run(extractor, body), Statistic)}
    assert got == {("vacancy rate", Decimal("20")), ("agency rate", Decimal("50"))}


@pytest.mark.parametrize("text, expected", [
    ("Almost a fifth of social workers in Slough are agency staff.", {("agency rate", Decimal("20"))}),
    ("In Slough a tenth of posts were vacant in 2020.", {("vacancy rate", Decimal("10"))}),
    ("Social workers in Slough are looking after an average of 23 children each.", {("caseload", Decimal("23"))}),
    ("Slough Borough Council is responsible for 400 children in care.", set()),
])
def test_more_proportions_and_caseloads_in_words(extractor, text, expected):
    assert {(s.measure, s.value) for s in of(run(extractor, text), Statistic)} == expected


def test_that_figure_is_of_the_measure_the_sentence_before_gave(extractor):
    body = "In Slough, 30% of social workers were agency staff last year. That figure has now fallen to 26%."
    got = {(s.measure, s.value) for s in of(run(extractor, body), Statistic)}
    assert got == {("agency rate", Decimal("30")), ("agency rate", Decimal("26"))}
    # in a new paragraph it refers to nothing the extractor can see
    body = "In Slough, 30% of social workers were agency staff last year.\n\nThat figure is 26% in Reading."
    assert {(s.measure, s.value) for s in of(run(extractor, body), Statistic)} == {("agency rate", Decimal("30"))}


def test_a_rate_of_children_and_family_social_worker_posts_is_a_workforce_rate(extractor):
    body = ("The figures show that at 30 September 2018:\n\n"
            "• 16% of children and family social worker posts in England were vacant;\n"
            "• 15.8% of social workers were employed through agencies.")
    got = {(s.council, s.measure, s.value) for s in of(run(extractor, body), Statistic)}
    assert got == {(None, "vacancy rate", Decimal("16")), (None, "agency rate", Decimal("15.8"))}


def test_denied_findings_and_ruled_out_responses(extractor):
    body = ("Slough Borough Council was inspected.\n\n"
            "Inspectors did not identify any children at immediate risk of harm.\n\n"
            "The director said: “My advice to other councils is: don’t restructure in a crisis.”")
    facts = run(extractor, body)
    assert ("E06000039", "risk not recognised") not in labels(facts, Finding, "failing")
    assert ("E06000039", "restructure") not in labels(facts, Response, "response_type")


def test_pipeline_runs_only_what_the_rules_read(extractor):
    """No rule reads a dependency arc or a lemma: the parser and lemmatizer are not loaded,
    the model's sentence recogniser splits sentences, and a line break always ends one."""
    names = extractor.nlp.pipe_names
    assert "parser" not in names and "lemmatizer" not in names
    assert {"senter", "tagger", "attribute_ruler", "ner", "entity_ruler", "paragraph_breaks"} <= set(names)
    assert names.index("paragraph_breaks") < names.index("senter")
    doc = extractor.nlp("What needs to improve\nThe quality of plans for children in need. Managers should act")
    sents = [s.text.strip() for s in doc.sents]
    assert sents[0] == "What needs to improve"
    assert "The quality of plans for children in need." in sents
    assert all(t.pos_ for t in doc)  # the attribute ruler still maps tags to parts of speech


def test_gazetteer_patterns_are_tokenised_only_and_every_component_runs(extractor):
    """The ruler's phrase patterns are made with the tokenizer alone (the components before
    the ruler are switched off while they are added, and on again after), and match a council
    name whatever its case."""
    assert extractor.nlp.disabled == []
    ruler = extractor.nlp.get_pipe("entity_ruler")
    assert len(ruler.phrase_patterns) > 100
    some = next(iter(ruler.phrase_patterns.values()))[0]
    assert not some.has_annotation("TAG")  # tokenised, not tagged
    doc = extractor.nlp("Inspectors criticised SLOUGH BOROUGH COUNCIL and Wakefield council.")
    assert {e.ent_id_ for e in doc.ents if e.label_ == "COUNCIL"} >= {"E06000039", "E08000036"}


# ---------------------------------------------------------------- years, trusts (issue 16)

KINGSTON, RICHMOND, WINDSOR, READING = "E09000021", "E09000027", "E06000040", "E06000038"


def test_a_newly_announced_judgement_takes_the_article_year(extractor):
    body = "Ofsted rated Wakefield Council’s children’s services inadequate after a two-week inspection."
    got = {(i.council, i.rating, i.year) for i in of(run(extractor, body, date=dt.date(2023, 11, 2)), Inspection)}
    assert got == {(WAKEFIELD, "inadequate", 2023)}


@pytest.mark.parametrize("text, expected", [
    # the 2009-2013 frameworks' "adequate": a grade outside the four-point scale, kept as "other"
    ("Hull's safeguarding services had been judged adequate at their previous inspection, in 2011.",
     {(HULL, "other", 2011)}),
    ("Hull was rated 'adequate' under the old framework three years ago.", {(HULL, "other", 2011)}),
    ("Hull was judged to be performing adequately at its last inspection.", {(HULL, "other", None)}),
    # the word in its everyday sense, or naming the grade, is no judgement
    ("Inspectors found that Hull did not give social workers adequate supervision.", set()),
    ("In Hull, the old 'adequate' grade is replaced by 'requires improvement' under the new framework.", set()),
    ("In Hull, under the new framework, 'adequate' will be replaced by 'requires improvement'.", set()),
    # with the year after it
    ("Hull's safeguarding services were rated adequate in 2012.", {(HULL, "other", 2012)}),
])
def test_an_earlier_frameworks_adequate_is_a_grade_outside_the_scale(extractor, text, expected):
    got = {(i.council, i.rating, i.year) for i in of(run(extractor, text, date=dt.date(2014, 5, 2)), Inspection)}
    assert {g for g in got if g[1] == "other"} == expected


def test_an_earlier_frameworks_grade_leaves_the_new_one_its_year(extractor):
    body = ("Ofsted has rated Hull City Council's children's services inadequate.\n\n"
            "Hull was rated adequate at its previous inspection of safeguarding services.")
    got = {(i.council, i.rating, i.year) for i in of(run(extractor, body, date=dt.date(2016, 11, 11)), Inspection)}
    assert got == {(HULL, "inadequate", 2016), (HULL, "other", None)}


def test_a_year_after_since_dates_the_clause_not_the_grade(extractor):
    body = ("Hull and Leeds, which have shared a fostering service since 2011, were both judged good for "
            "their services for children in 2013.")
    got = {(i.council, i.rating, i.year) for i in of(run(extractor, body, date=dt.date(2014, 5, 2)), Inspection)}
    assert (HULL, "good", 2013) in got and not {g for g in got if g[2] == 2011}


@pytest.mark.parametrize("text, expected", [
    # a year the grade before took is not the next grade's
    ("Hull, whose services were rated inadequate in 2012, was judged good at its most recent inspection "
     "last summer.", {("inadequate", 2012), ("good", 2018)}),
    # months counted back from the article's date
    ("Inspectors found early signs of progress in Hull, nine months after the council was rated inadequate.",
     {("inadequate", 2018)}),
    ("Hull was rated inadequate 18 months ago.", {("inadequate", 2018)}),
    # of several time words after a grade, the nearest
    ("Ofsted rated Hull's children's services inadequate following an inspection in May, the same grade "
     "it was given three years ago.", {("inadequate", 2019)}),
])
def test_the_time_words_that_date_a_grade(extractor, text, expected):
    got = {(i.rating, i.year) for i in of(run(extractor, text, date=dt.date(2019, 7, 15)), Inspection)}
    assert got == expected


@pytest.mark.parametrize("text, expected", [
    # lists and tables of councils and grades
    ("Hull: outstanding (2017)", {("E06000010", "outstanding", 2017)}),
    ("Hull | Good | 2018", {("E06000010", "good", 2018)}),
    ("Leeds was rated good in 2018, York requires improvement in 2017 and Hull inadequate in 2016.",
     {("E08000035", "good", 2018), ("E06000014", "requires improvement", 2017), ("E06000010", "inadequate", 2016)}),
    ("Of the region's councils, Leeds and York are outstanding and Hull is inadequate.",
     {("E08000035", "outstanding", 2019), ("E06000014", "outstanding", 2019), ("E06000010", "inadequate", 2019)}),
    # a name before "is" that is no council's gives no grade, and hides none after it
    ("In Hull, supervision is inadequate in some teams.", set()),
    ("We were rated good in 2016, the director of Hull's services said.", {("E06000010", "good", 2016)}),
    # moved along the scale, found to be, a rating that was
    ("Hull climbed two grades to good.", {("E06000010", "good", 2019)}),
    ("The last full inspection, in 2017, found Hull's services to be good.", {("E06000010", "good", 2017)}),
    ("Ofsted found Hull to be inadequate.", {("E06000010", "inadequate", 2019)}),
    ("Hull has been downgraded from good to inadequate by the watchdog.",
     {("E06000010", "good", None), ("E06000010", "inadequate", 2019)}),
    ("Hull's rating fell from good to inadequate in 2018.", {("E06000010", "good", None), ("E06000010", "inadequate", 2018)}),
    ("Hull's children's services have been inadequate since 2012.", {("E06000010", "inadequate", 2012)}),
    # a part graded beside the overall grade, a comparison, a year across a semicolon
    ("Hull's services were judged to be 'good' with 'outstanding' leadership.", {("E06000010", "good", 2019)}),
    ("In Hull a social worker is only ever as good as the support around them.", set()),
    ("In 2014 Hull was rated inadequate; by 2018 it had improved.", {("E06000010", "inadequate", 2014)}),
    # a table in brackets, a grade given twice, a grade escaped, the old framework's "found to be"
    ("Leeds (outstanding, 2017); Hull (good, 2018)", {("E08000035", "outstanding", 2017), ("E06000010", "good", 2018)}),
    ("Hull was rated inadequate in 2013 and again in 2016.", {("E06000010", "inadequate", 2013), ("E06000010", "inadequate", 2016)}),
    ("Hull has been rated good, the first time it has escaped an inadequate rating since 2013.", {("E06000010", "good", 2019)}),
    ("In its last inspection, in 2012, Hull was found to be adequate.", {("E06000010", "other", 2012)}),
    # a league table with dashes, a council's trust in brackets, "which is"
    ("Leeds - good (2018)", {("E08000035", "good", 2018)}),
    ("Hull (services run by a council company) - inadequate (2018)", {("E06000010", "inadequate", 2018)}),
    ("We have learned a lot from Leeds, which is outstanding, the director said.", {("E08000035", "outstanding", 2019)}),
    # a council's own grading, "as recently as", two inspections, a year counted from the grade before
    ("Hull's self-assessment describes several areas of its services as outstanding.", set()),
    ("Rated good as recently as 2016, Hull was downgraded to inadequate in 2018.",
     {("E06000010", "good", 2016), ("E06000010", "inadequate", 2018)}),
    ("Hull was judged to require improvement at its last two inspections, in 2014 and 2018.",
     {("E06000010", "requires improvement", 2014), ("E06000010", "requires improvement", 2018)}),
    ("Hull was upgraded to good two years ago, four years after it was rated inadequate.",
     {("E06000010", "good", 2017), ("E06000010", "inadequate", 2013)}),
])
def test_grades_in_lists_tables_and_other_phrasings(extractor, text, expected):
    got = {(i.council, i.rating, i.year) for i in of(run(extractor, text, date=dt.date(2019, 7, 15)), Inspection)}
    assert got == expected


def test_a_pronoun_before_the_grade_is_the_council_of_the_sentence_before(extractor):
    body = ("The Isle of Wight Council's services were rated requires improvement to be good on Tuesday. "
            "Three years ago they were judged inadequate, prompting the minister to hand the service to Hampshire.")
    got = {(i.council, i.rating) for i in of(run(extractor, body, date=dt.date(2016, 3, 1)), Inspection)}
    assert got == {("E06000046", "requires improvement"), ("E06000046", "inadequate")}


def test_looked_after_childrens_services_were_graded_overall_under_the_old_framework(extractor):
    text = "Hull's services for looked-after children were judged good in 2011."
    got = {(i.rating, i.year) for i in of(run(extractor, text, date=dt.date(2013, 5, 1)), Inspection)}
    assert got == {("good", 2011)}
    # in the 2018 framework, children in care are a part of the one judgement
    text = "Hull's services for looked-after children were judged good in 2019."
    assert of(run(extractor, text, date=dt.date(2019, 7, 15)), Inspection) == []


def test_since_a_year_when_dates_the_clause_after_it(extractor):
    """'since 2016, when ...': the year is the clause's, not the grade's before it."""
    text = ("Hull was judged inadequate in its first full inspection since 2016, when inspectors said it "
            "required improvement.")
    got = {(i.rating, i.year) for i in of(run(extractor, text, date=dt.date(2019, 7, 15)), Inspection)}
    assert ("requires improvement", 2016) in got and ("inadequate", 2016) not in got


def test_a_grade_in_the_past_tense_takes_the_year_of_the_sentence_before(extractor):
    body = ("In 2019 inspectors found that some children in Hull were left in harmful situations. "
            "The council was rated inadequate.")
    got = {(i.council, i.rating, i.year) for i in of(run(extractor, body, date=dt.date(2024, 5, 2)), Inspection)}
    assert got == {(HULL, "inadequate", 2019)}
    # a new paragraph, or the present perfect, is a new story: the article's year
    body = "In 2019 inspectors visited Hull.\n\nThe council has been rated inadequate."
    got = {(i.council, i.rating, i.year) for i in of(run(extractor, body, date=dt.date(2024, 5, 2)), Inspection)}
    assert got == {(HULL, "inadequate", 2024)}


@pytest.mark.parametrize("text, expected", [
    # the partner is named between the council and its grade: the grade is the council's
    ("Hull's children's services, run in partnership with Leeds City Council since 2013, were judged "
     "to require improvement in 2014.", {(HULL, "requires improvement")}),
    # the grade said of the partner is the partner's
    ("Hull has been paired with Leeds, which is rated outstanding.", {(LEEDS, "outstanding")}),
])
def test_a_partners_grade_and_the_councils_own(extractor, text, expected):
    got = {(i.council, i.rating) for i in of(run(extractor, text, date=dt.date(2015, 5, 2)), Inspection)}
    assert got == expected


def test_a_council_of_a_county_named_with_an_indefinite_article_is_not_the_county(extractor):
    """'a cash-strapped Essex council' is a council in Essex: the one the article goes on to name."""
    body = ("Children's services at a cash-strapped Essex council have been rated inadequate by Ofsted.\n\n"
            "Thurrock Council was handed the lowest grade after an inspection in January.")
    got = {(i.council, i.rating) for i in of(run(extractor, body, date=dt.date(2023, 3, 14)), Inspection)}
    assert got == {("E06000034", "inadequate")}


def test_a_past_judgement_without_a_year_stays_undated(extractor):
    body = "Wakefield had previously been rated inadequate, inspectors noted."
    got = {(i.council, i.rating, i.year) for i in of(run(extractor, body, date=dt.date(2023, 11, 2)), Inspection)}
    assert got == {(WAKEFIELD, "inadequate", None)}


@pytest.mark.parametrize(("phrase", "published", "year"), [
    ("last August", dt.date(2023, 11, 2), 2023),
    ("last August", dt.date(2023, 6, 2), 2022),
    ("in the spring", dt.date(2023, 11, 2), 2023),
    ("last autumn", dt.date(2024, 2, 10), 2023),
    ("three years ago", dt.date(2024, 2, 10), 2021),
])
def test_relative_dates_resolve_against_the_publication_date(extractor, phrase, published, year):
    body = f"Leeds City Council was judged good by Ofsted {phrase}, the council said."
    got = {(i.council, i.rating, i.year) for i in of(run(extractor, body, date=published), Inspection)}
    assert got == {(LEEDS, "good", year)}


def test_a_trust_for_one_council_speaks_for_it(extractor):
    body = ("Brighter Futures for Children has been rated good by Ofsted. "
            "Inspectors said caseloads were too high in the assessment teams.")
    facts = run(extractor, body, date=dt.date(2023, 5, 1))
    assert {(i.council, i.rating) for i in of(facts, Inspection)} == {(READING, "good")}


def test_a_shared_trust_rating_goes_to_the_council_the_article_is_about(extractor):
    body = ("Richmond’s children’s services are run by Achieving for Children, the trust that also covers "
            "Kingston. Achieving for Children, which serves Kingston as well, has been rated outstanding "
            "for its work in the borough. Richmond Council said the result reflected years of work. "
            "Richmond’s leader thanked staff.")
    facts = run(extractor, body, date=dt.date(2019, 5, 1))
    assert {(i.council, i.rating) for i in of(facts, Inspection)} == {(RICHMOND, "outstanding")}


@pytest.mark.parametrize("text, action", [
    ("Leeds City Council has recruited 20 social workers from Zimbabwe.", True),
    ("Leeds will put £2m into a new edge-of-care team.", True),
    ("Two years ago the service in Leeds was inadequate.", False),
    ("Inspectors also asked Leeds to strengthen the recording of management decisions.", False),
])
def test_a_sentence_states_an_action_of_someone_other_than_the_inspectors(extractor, text, action):
    from kg.extract.context import build_context

    article = Article(source_file="t.txt", sha1="0" * 40, title=None, body=text, date=dt.date(2019, 7, 15),
                      reference_date=dt.date(2019, 7, 15), comments=[])
    ctx = build_context(article, extractor.nlp(article.text_for_extraction), extractor.gazetteer, extractor.rules)
    assert [s.states_action() for s in ctx.sentences] == [action]
