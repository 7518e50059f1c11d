"""Benchmark corpora: synthetic news articles of any number, and the text of real Ofsted reports.

Synthetic articles follow the shape of the seed articles in ``data/articles/`` (saved
Community Care pages): a headline line, a standfirst, a ``Photo: X/Fotolia`` credit, body
paragraphs, sometimes a `` date YYYY-MM-DD`` line, and sometimes a ``N Responses to
<headline>`` section of reader comments with ``  1. Author Month D, YYYY at H:MM pm #``
headers. Each article is about a real council (the ``name`` column of ``data/councils.csv``)
and is assembled from many templates: invented people with posts, inspection years 2013-2022,
grades, failings (several wordings for every failing category of the contract's
FailingScheme), responses with amounts, statistics with values, quotes and sector context.
Bodies run to 380-820 words, so that no two articles come near the 80 % shingle containment at
which ``kg.sources.duplicates.find_duplicates`` calls them one story.

The same ``n`` and ``seed`` give the same bytes on every run and machine; article ``i`` depends
only on ``(seed, i)``, so the first 100 files of a 1,000-article corpus are the 100-article
corpus.

    python bench/generate_corpus.py 1000 /tmp/corpus-1000 [--seed 0]
    python bench/generate_corpus.py --reports /tmp/reports      # text of the real report PDFs

This module imports nothing from the project (it runs without the project installed); its
data paths are those of ``kg.config`` (``data/`` beside ``bench/``, ``../shared`` beside the
project).
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import logging
import os
import random
import re
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

log = logging.getLogger("bench.generate_corpus")

ROOT = Path(__file__).resolve().parent.parent
COUNCILS_CSV = ROOT / "data" / "councils.csv"
#: Same place as ``kg.config.SHARED``.
SHARED = ROOT.parent / "shared"
REPORTS_DIR = SHARED / "reference" / "ofsted-reports"

#: Inspection years; earlier judgements go back to the first of them.
YEARS = range(2013, 2023)

# --------------------------------------------------------------------------------------------
# Word pools

FIRST_NAMES = (
    "Abigail", "Adam", "Aisha", "Alan", "Alison", "Amara", "Andrew", "Angela", "Anita", "Anthony",
    "Barbara", "Ben", "Bernadette", "Bilal", "Brian", "Carol", "Caroline", "Catherine", "Charles",
    "Chloe", "Christine", "Claire", "Colin", "Daniel", "David", "Deborah", "Declan", "Denise",
    "Dominic", "Donna", "Edward", "Eileen", "Elaine", "Emma", "Farah", "Fiona", "Frances", "Gareth",
    "Gemma", "Geoffrey", "Gillian", "Graham", "Hannah", "Harjit", "Helen", "Ian", "Imran", "Jacqueline",
    "James", "Janet", "Jasmine", "Jennifer", "Joanne", "John", "Jonathan", "Julie", "Karen", "Kate",
    "Keith", "Kevin", "Lorraine", "Louise", "Lucy", "Malcolm", "Margaret", "Mark", "Martin", "Matthew",
    "Meera", "Michelle", "Mohammed", "Natalie", "Neil", "Nicola", "Niamh", "Oliver", "Olivia",
    "Patricia", "Paul", "Priya", "Rachel", "Rajesh", "Rebecca", "Richard", "Robert", "Rosemary",
    "Ruth", "Samantha", "Sandra", "Sarah", "Shabana", "Simon", "Sophie", "Stephen", "Stuart",
    "Susan", "Tariq", "Teresa", "Thomas", "Tracey", "Victoria", "Wendy", "Yvonne", "Zoe",
)
LAST_NAMES = (
    "Abbott", "Ahmed", "Akhtar", "Allen", "Appleby", "Armstrong", "Ashworth", "Atkinson", "Bailey",
    "Baker", "Banerjee", "Barker", "Barnes", "Bateman", "Bell", "Bennett", "Bhatti", "Birch",
    "Blackwood", "Bowen", "Bradshaw", "Brennan", "Brooks", "Burgess", "Calloway", "Carr", "Chadwick",
    "Chapman", "Choudhury", "Clarke", "Coleman", "Collins", "Cooper", "Crawford", "Cunningham",
    "Dalton", "Davies", "Dawson", "Dixon", "Doherty", "Drummond", "Dunn", "Edwards", "Ellis",
    "Elwood", "Farrell", "Fenwick", "Fletcher", "Foster", "Gallagher", "Gardner", "Gibson", "Goddard",
    "Graham", "Griffiths", "Hadley", "Hamilton", "Hargreaves", "Harper", "Hartley", "Hayes",
    "Hendry", "Hewitt", "Holloway", "Hussain", "Iqbal", "Jackson", "Jarvis", "Jennings", "Kaur",
    "Kennedy", "Khan", "Kirkbride", "Lambert", "Lawson", "Lindqvist", "Lloyd", "Lowe", "Macdonald",
    "Mahmood", "Marsden", "McAllister", "McBride", "Mistry", "Moorhouse", "Morgan", "Nolan",
    "Oakley", "O'Connor", "Okafor", "Osei", "Owens", "Parekh", "Parkinson", "Patel", "Pemberton",
    "Quinn", "Rahman", "Redfern", "Rowe", "Sandhu", "Saunders", "Sharma", "Shaw", "Singh",
    "Stanton", "Sutcliffe", "Thornton", "Turnbull", "Underwood", "Varley", "Wainwright", "Walsh",
    "Whitaker", "Wilkinson", "Winterbottom", "Yates",
)
PHOTOGRAPHERS = (
    "mnirat", "eaglesky", "Photographee.eu", "Daisy Daisy", "pressmaster", "Monkey Business",
    "highwaystarz", "Ingo Bartussek", "WavebreakMediaMicro", "Rawpixel.com", "Syda Productions",
    "ia_64", "Halfpoint", "fizkes", "lassedesignen", "JackF", "Tiko", "gpointstudio", "Gelpi",
    "Antonioguillem", "Kaspars Grinvalds", "auremar", "photophonie", "olly", "Robert Kneschke",
)
CAPTIONS = (
    "paperwork Stacked files on isolated background", "A child holds an adult's hand",
    "Social worker with a family at a kitchen table", "Case files on an office desk",
    "Silhouette of a child by a window", "Meeting room with empty chairs",
    "A social worker writing notes", "Council office building exterior",
)
HANDLES = (
    "Opal Lady", "Anon", "sw", "Disillusioned", "LongtimeSW", "HandsomeSw", "Loiner",
    "The voice of despair", "Frontline worker", "Agency SW", "Been there", "Jaded manager",
    "NQSW", "Retired social worker", "A parent", "Concerned", "Tired of it all", "Northern SW",
    "Locum", "Realist", "IRO", "Team manager", "Foster carer", "Student SW", "Midlands SW",
)

COUNCIL_POSTS = (
    "director of children’s services", "strategic director of children’s services",
    "corporate director for children and families", "executive director of people",
    "director of children’s social care", "assistant director for safeguarding",
    "assistant director for children’s social care", "interim director of children’s services",
    "chief executive", "head of children’s social work",
)
MEMBER_POSTS = (
    "cabinet member for children’s services", "lead member for children and young people",
    "portfolio holder for children’s social care", "council leader",
    "cabinet member for children and families", "deputy leader and lead member for children",
)
SECTOR_SPEAKERS = (
    ("president of the Association of Directors of Children’s Services", "ADCS"),
    ("chief executive of the British Association of Social Workers", "BASW"),
    ("national officer for social work at Unison", "Unison"),
    ("chair of the Local Government Association’s children and young people board", "LGA"),
    ("chief executive of the Children’s Society", "The Children’s Society"),
    ("policy director at the NSPCC", "NSPCC"),
)
OFSTED_POSTS = (
    "Ofsted’s regional director for {region}", "Ofsted’s national director for social care",
    "the lead inspector", "Ofsted’s deputy director for social care",
)
INSPECTION_TYPES = (
    ("inspection", "full inspection"), ("monitoring visit", "monitoring visit"),
    ("focused visit", "focused visit"), ("inspection", "ILACS inspection"),
    ("inspection", "single inspection framework inspection"),
)
GRADES = ("outstanding", "good", "requires improvement", "inadequate")
GRADE_WEIGHTS = (1, 3, 4, 5)
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")

# --------------------------------------------------------------------------------------------
# Templates. Slots: {c} council name, {yr} inspection year, {grade} the grade, {prev} earlier
# grade, {prev_yr}; numbers are fresh per use (see _Slots): {cases} {cases_hi} {pct} {pct2}
# {num} {weeks} {months} {amount} {staff} {month} {region}.

#: Several wordings for every top concept of ckg:FailingScheme.
FAILINGS: dict[str, tuple[str, ...]] = {
    "high caseloads": (
        "Inspectors found that caseloads in some teams were too high, with some social workers holding {cases_hi} cases.",
        "Social workers told inspectors their workloads were unmanageable and left little time for direct work with children.",
        "Excessive caseloads in the assessment teams meant practitioners could not spend enough time with families, the report said.",
        "Ofsted said high caseloads were undermining the quality of practice, with some workers responsible for more than {cases} children.",
        "A lack of capacity in the safeguarding teams meant that caseloads had risen to levels staff described as unsustainable.",
        "The report said workloads in {c} were too high for social workers to build meaningful relationships with the children they supported.",
    ),
    "management oversight": (
        "Management oversight of casework was weak, and decisions were not always recorded or explained, inspectors said.",
        "Ofsted found “insufficient management grip” on frontline practice, with managers failing to challenge poor work.",
        "Managers did not provide consistent oversight of cases, so drift went unnoticed for {months} months in some instances.",
        "Inspectors said decision-making by managers was inconsistent and not always focused on the needs of the child.",
        "The watchdog reported that oversight by team managers was “too variable” and did not ensure plans were followed through.",
    ),
    "recruitment and retention": (
        "The council has struggled to recruit permanent social workers, with {pct} of posts in some teams unfilled.",
        "Difficulty recruiting and keeping experienced staff was a recurring theme of the report.",
        "Inspectors noted that the service had too few social workers to meet demand, despite repeated recruitment campaigns.",
        "Ofsted said the authority had found it hard to attract and retain qualified practitioners in a competitive regional market.",
        "There were not enough social workers in post, and vacancies in the children in need teams had persisted for over a year.",
    ),
    "agency staff reliance": (
        "The service remained heavily reliant on agency social workers, which inspectors said affected consistency for children.",
        "Around {pct} of the workforce were locum staff, according to figures presented to inspectors.",
        "A continued dependence on temporary and agency staff had made it harder to embed a consistent model of practice, Ofsted said.",
        "Inspectors said reliance on interim managers and agency workers left some teams without stable leadership.",
        "The report highlighted the council’s reliance on locum practitioners in its front door and court teams.",
    ),
    "staff turnover": (
        "High staff turnover meant that some children had lost trusted relationships with their workers.",
        "Ofsted said too many staff had left at short notice, disrupting work with families.",
        "Turnover among social workers and managers remained high, and sickness absence had increased over the past year.",
        "Inspectors found that the churn of staff in the long-term teams was undermining improvement work.",
        "The report described a workforce in flux, with frequent departures of experienced practitioners.",
    ),
    "assessment quality": (
        "Most assessments seen by inspectors were poor, failing to address the needs of all the children in a family.",
        "The quality of assessments was too variable, and many lacked analysis of the impact of neglect on children.",
        "Inspectors said assessments were often incomplete and did not consider the histories of the adults in the household.",
        "Ofsted found that assessments were descriptive rather than analytical and did not inform effective plans.",
        "Too many assessments did not capture the child’s lived experience or the views of fathers, the report said.",
    ),
    "delays and timeliness": (
        "Inspectors found delays in completing assessments, with some taking more than {weeks} weeks.",
        "Visits to children were not always carried out within timescales, Ofsted said.",
        "Some children waited too long for their cases to be allocated to a social worker after referral.",
        "The report said initial child protection conferences were not always held on time.",
        "Delays in the allocation of work meant that some families waited {weeks} weeks before a social worker made contact.",
    ),
    "front door and referrals": (
        "Ofsted found serious weaknesses at the front door, where contacts and referrals were not always handled in a timely way.",
        "Too many children were being referred inappropriately to social care by other agencies, overwhelming the multi-agency safeguarding hub.",
        "Inspectors said the MASH was not screening contacts effectively, so some referrals waited days for a decision.",
        "The report described a backlog of {num} contacts awaiting screening in the multi-agency safeguarding hub.",
        "Inspectors said thresholds were not consistently understood by partner agencies referring to the front door.",
    ),
    "risk not recognised": (
        "In some cases, risks to children were not recognised or assessed quickly enough, inspectors said.",
        "Ofsted found that social workers did not always identify the cumulative harm of neglect and domestic abuse.",
        "Inspectors saw cases where children at risk of significant harm had not been identified.",
        "The report said risks from child exploitation were not always understood or acted upon.",
        "Some children were left in situations of risk for too long because concerns were not escalated, Ofsted said.",
    ),
    "consent and thresholds": (
        "Social work managers were dispensing with parental consent without over-riding child protection concerns, Ofsted said.",
        "Inspectors found that thresholds were misapplied, leading to unnecessary intrusion into family life.",
        "The report said some families were subject to child protection enquiries that did not meet the threshold.",
        "Ofsted criticised the practice of carrying out checks with other agencies without consent on too many occasions.",
        "Inspectors said thresholds for statutory intervention were applied inconsistently across teams.",
    ),
    "quality assurance": (
        "Quality assurance was not driving improvement, and audits were not leading to changes in practice.",
        "Inspectors found that the audit programme was not yet making a difference on the ground.",
        "Ofsted said the council’s performance information was not used well enough to understand the quality of practice.",
        "The report noted that case audits were too generous and did not identify the weaknesses inspectors found.",
        "Learning from audits was not shared effectively with frontline staff, the watchdog said.",
    ),
    "supervision": (
        "Supervision of social workers was irregular and did not provide reflective challenge, inspectors found.",
        "Ofsted said that many social workers had not received regular supervision for several months.",
        "Supervision records were brief and did not show how decisions about children were reached, the report said.",
        "Inspectors found that supervision was not happening in line with the council’s own policy.",
        "Staff told inspectors that supervision focused on processes rather than on children’s progress.",
    ),
    "newly qualified staff unsupported": (
        "Newly qualified social workers were carrying complex child protection cases without adequate support, Ofsted said.",
        "Inspectors found that inexperienced staff were holding work beyond their level of experience.",
        "The report said newly qualified workers in their assessed and supported year were given protected caseloads only on paper.",
        "Ofsted raised concerns that newly qualified practitioners were not given enough guidance on complex cases.",
    ),
    "children not seen": (
        "Some children had not been seen for several weeks, and others were not seen alone, inspectors found.",
        "Ofsted said that when children were seen, they were not always seen on their own.",
        "Inspectors found that visits to some children in need had lapsed for {weeks} weeks.",
        "The report said children’s wishes and feelings were not captured because they were rarely seen alone.",
    ),
    "drift in plans": (
        "Plans for some children were subject to drift and delay, inspectors said.",
        "Ofsted found that child in need plans were not progressing and lacked clear timescales.",
        "Inspectors said that plans were too generic and that actions were not followed through.",
        "Some children remained on plans for many months without any improvement in their circumstances, the report said.",
    ),
    "changes of social worker": (
        "Children had experienced too many changes of social worker, with some having {num} workers in two years.",
        "Frequent changes of social worker meant children had to retell their stories repeatedly, inspectors said.",
        "Ofsted said a lack of continuity in workers had damaged children’s trust in the service.",
        "Young people told inspectors they had lost count of the number of social workers they had had.",
    ),
    "leadership": (
        "Inspectors said senior leaders had not acted with sufficient urgency to address known weaknesses.",
        "Ofsted found that instability in the senior leadership team had slowed the pace of improvement.",
        "The report said leaders did not have an accurate understanding of the quality of frontline practice.",
        "Frequent changes of director had left the service without a clear direction, inspectors found.",
        "Leaders had been too slow to respond to warnings from earlier inspections, the watchdog said.",
    ),
}

#: What to improve, per failing category (recommendations and "What needs to improve" items).
AREAS: dict[str, tuple[str, ...]] = {
    "high caseloads": ("the manageability of social workers’ caseloads", "workloads in the assessment teams"),
    "management oversight": ("management oversight of casework", "the quality of managers’ decision-making"),
    "recruitment and retention": ("the recruitment of permanent social workers", "the sufficiency of the social work workforce"),
    "agency staff reliance": ("its reliance on agency staff", "the stability of the workforce in the front door teams"),
    "staff turnover": ("the retention of experienced staff", "workforce stability"),
    "assessment quality": ("the quality of assessments", "the analysis of risk and need in assessments"),
    "delays and timeliness": ("the timeliness of assessments and visits", "the timeliness of initial child protection conferences"),
    "front door and referrals": ("the response to contacts and referrals at the front door", "the effectiveness of the multi-agency safeguarding hub"),
    "risk not recognised": ("the identification of and response to risk", "the response to children at risk of exploitation"),
    "consent and thresholds": ("the application of thresholds and parental consent", "the understanding of thresholds by partner agencies"),
    "quality assurance": ("the impact of quality assurance on practice", "the use of audit to drive improvement"),
    "supervision": ("the regularity and quality of supervision", "reflective supervision for social workers"),
    "newly qualified staff unsupported": ("support for newly qualified social workers", "the allocation of complex work to inexperienced staff"),
    "children not seen": ("the frequency of visits to children and seeing children alone", "how children’s views are sought"),
    "drift in plans": ("the quality and progress of children’s plans", "the prevention of drift in plans"),
    "changes of social worker": ("the continuity of social workers for children", "the number of changes of social worker"),
    "leadership": ("the pace of improvement led by senior leaders", "the stability of senior leadership"),
}
RECOMMENDATION_FRAMES = (
    "Ofsted said the council must improve {area}.",
    "Inspectors recommended that {c} improves {area}.",
    "The report calls on the council to strengthen {area}.",
    "Among its recommendations, Ofsted told {c} to address {area}.",
    "The council has been told to improve {area} and {area2}.",
    "Inspectors want to see rapid progress on {area}.",
)

#: One list per top concept of ckg:ResponseScheme.
RESPONSES: dict[str, tuple[str, ...]] = {
    "funding": (
        "The council has committed an extra {amount} to children’s social care.",
        "Councillors approved {amount} of additional investment in children’s services last month.",
        "{c} said it would invest {amount} over the next two years to strengthen its safeguarding teams.",
        "An additional {amount} has been allocated to reduce caseloads, the council said.",
    ),
    "recruitment": (
        "The authority is recruiting {staff} additional social workers as part of a {amount} plan.",
        "A recruitment drive aims to fill {staff} permanent posts by the end of the year.",
        "{c} has launched a campaign to recruit experienced social workers from across the region.",
        "The council has hired {staff} new practitioners since the inspection.",
    ),
    "leadership change": (
        "The director of children’s services has since left the council, and an interim director has been appointed.",
        "A new senior leadership team was appointed shortly after the {visit}.",
        "The council has appointed a new director of children’s services, who will start in {month}.",
    ),
    "review": (
        "The council has commissioned an independent review of its front door arrangements.",
        "An external review of practice in the children in need teams is under way.",
        "Leaders have begun a review of every case held by the long-term teams.",
    ),
    "training": (
        "All managers will receive training on risk assessment and supervision, the council said.",
        "A new practice development programme will train {staff} social workers in a relationship-based model.",
        "The council is funding additional training for team managers at a cost of {amount}.",
    ),
    "retention strategy": (
        "A new retention strategy includes a market supplement of {amount_small} for experienced staff.",
        "The council has introduced retention payments and protected caseloads to keep its social workers.",
        "A workforce strategy aims to cut turnover by offering clearer career progression and flexible working.",
    ),
    "restructure": (
        "Children’s services are being restructured into smaller locality teams.",
        "The council plans to restructure its front door and assessment services by {month}.",
        "A restructure will create {num} new team manager posts to strengthen oversight.",
    ),
    "improvement plan": (
        "The council has published an improvement plan setting out how it will address the findings.",
        "An improvement board chaired by an independent adviser will oversee the council’s action plan.",
        "{c} said its improvement plan would be reviewed by Ofsted at the next monitoring visit.",
    ),
    "government intervention": (
        "The Department for Education has appointed a children’s services commissioner to assess whether {c} can improve on its own.",
        "The government has issued a statutory direction to the council following the judgement.",
        "Ministers have sent in a commissioner who will report within {months} months on the future of the service.",
    ),
}

#: One list per top concept of ckg:MeasureScheme.
STATISTICS: dict[str, tuple[str, ...]] = {
    "caseload": (
        "Social workers in {c} held an average of {cases} cases each, according to the report.",
        "The average caseload stood at {cases} children per social worker in {yr}.",
        "Caseloads averaged {cases} in the children in need teams, against a target of {cases_lo}.",
        "Some practitioners were carrying as many as {cases_hi} cases, the report said.",
    ),
    "vacancy rate": (
        "The vacancy rate for children’s social workers was {pct} in {yr}.",
        "Around {pct_words} of social work posts in the council were vacant, government figures show.",
        "Vacancies stood at {pct} across the children’s social care workforce.",
    ),
    "turnover rate": (
        "Staff turnover reached {pct} in {yr}, up from {pct2} the year before.",
        "The council’s social worker turnover rate was {pct}, well above the national average.",
        "Turnover among children’s social workers was {pct_words}, the figures showed.",
    ),
    "agency rate": (
        "Agency workers made up {pct} of the children’s social work workforce in {yr}.",
        "The proportion of agency social workers stood at {pct_words}.",
        "{pct} of social workers in the service were employed through agencies, inspectors noted.",
    ),
}

HEADLINES = (
    "{c} children’s services rated ‘{grade}’ by Ofsted",
    "Ofsted rates {c} council ‘{grade}’ after finding {failing_short}",
    "{c} council told to improve after {visit} finds {failing_short}",
    "Inspectors find {failing_short} at ‘{grade}’ {c} council",
    "{c} children’s services {move} to ‘{grade}’",
    "Council where {failing_short} were found rated ‘{grade}’",
    "{c} pledges {amount} after ‘{grade}’ Ofsted verdict",
    "‘Insufficient progress’ at {c} as {visit} finds {failing_short}",
    "Ofsted warns {c} over {failing_short}",
    "{c} council’s children’s services judged ‘{grade}’ for second time",
    "{grade_cap} rating for {c} as inspectors praise leaders but flag {failing_short}",
    "{c} faces commissioner after Ofsted finds {failing_short}",
)
FAILING_SHORT = {
    "high caseloads": "caseloads of over {cases}",
    "management oversight": "weak management oversight",
    "recruitment and retention": "{pct} of posts vacant",
    "agency staff reliance": "heavy reliance on agency staff",
    "staff turnover": "high staff turnover",
    "assessment quality": "poor assessments",
    "delays and timeliness": "delays in assessments",
    "front door and referrals": "a backlog at the front door",
    "risk not recognised": "children left at risk",
    "consent and thresholds": "consent routinely dispensed with",
    "quality assurance": "audits failing to drive improvement",
    "supervision": "irregular supervision",
    "newly qualified staff unsupported": "newly qualified staff unsupported",
    "children not seen": "children not seen alone",
    "drift in plans": "drift in children’s plans",
    "changes of social worker": "too many changes of social worker",
    "leadership": "a lack of urgency among leaders",
}
STANDFIRSTS = (
    "{visit_cap} finds services not improving fast enough, with inspectors reporting ‘{failing_short}’",
    "Watchdog says leaders understand the challenges but progress has been too slow for children",
    "Report praises committed frontline staff but warns of {failing_short} in {c}",
    "Council says it accepts the findings and has already begun work to address them",
    "Inspectors say children in {c} are not getting the right help at the right time",
    "Authority previously rated ‘{prev}’ in {prev_yr} is told it must act with greater urgency",
    "Findings come as councils across {region} report rising demand and {failing_short}",
    "Ofsted says improvements since {prev_yr} have not been sustained",
    "Director says the council is ‘determined to get this right’ for children and families",
    "Social workers told inspectors they felt supported despite {failing_short}",
)
LEDES = (
    "{c} council’s children’s services have been rated ‘{grade}’ by Ofsted after a {visit} found {failing_short}.",
    "A children’s service in {c} rated ‘{grade}’ has been criticised by Ofsted for “insufficient progress” since its last inspection.",
    "Ofsted has judged children’s services in {c} to be ‘{grade}’, after inspectors found {failing_short} and {failing_short2}.",
    "Inspectors have told {c} council that too many children are waiting too long for help, in a report that rates the service ‘{grade}’.",
    "A {visit} to {c} council has found {failing_short}, raising fresh concerns about a service rated ‘{prev}’ in {prev_yr}.",
    "{c} council has been rated ‘{grade}’ for its children’s services, with Ofsted pointing to {failing_short}.",
)
HISTORY = (
    "The {visit}, carried out in {insp_month} {yr}, followed a judgement of ‘{prev}’ in {prev_yr}.",
    "{c} was rated ‘{prev}’ in {prev_yr} and has been subject to regular monitoring visits since then.",
    "The authority had been judged ‘{prev}’ at its previous inspection in {prev_yr}, and leaders had hoped to show progress.",
    "Ofsted last inspected the service in {prev_yr}, when it was rated ‘{prev}’.",
    "This is the {ordinal} monitoring visit since {c} was rated ‘{prev}’ in {prev_yr}.",
    "In {insp_month} {yr}, inspectors spent {num} days in {c} looking at the experiences of children in need of help and protection.",
)
INSPECTION_RESULTS = (
    "Ofsted rated {c} ‘{grade}’ overall in {yr}.",
    "The council was judged ‘{grade}’ following the inspection in {insp_month} {yr}.",
    "Inspectors rated the service ‘{grade}’ in {yr}, compared with ‘{prev}’ in {prev_yr}.",
    "The report, on an inspection in {insp_month} {yr}, judged the overall effectiveness of services to be ‘{grade}’.",
)
OFSTED_QUOTES = (
    "Too many children are not getting the right help at the right time.",
    "Leaders have an accurate understanding of where practice needs to improve, but progress has been too slow.",
    "The lack of urgency to recruit to permanent social work posts is resulting in inconsistent services to children and their families.",
    "Children’s circumstances are not always improving as a result of the help they receive.",
    "Senior leaders have focused on stabilising the workforce, but this has not yet had an impact on the quality of practice.",
    "The quality of social work practice is too variable across the service.",
    "There has been some effective social work practice, but it is not consistent.",
    "Managers are not always providing the challenge and direction that social workers need.",
    "Children who need help and protection are not always identified quickly enough.",
    "Political and corporate leaders have provided significant additional investment, and this is beginning to make a difference.",
    "Social workers are committed and know their children well, but high caseloads limit the time they can spend with them.",
    "The local authority has not made sufficient progress in improving services for children since the last inspection.",
    "Partners are not yet working together effectively to protect children.",
    "Leaders have made progress in some areas, but this is not yet consistent across the service.",
)
DIRECTOR_QUOTES = (
    "We accept the findings of the report and we are sorry that we have not provided the service our children deserve.",
    "It is important to stress that Ofsted found that urgent child protection concerns are recognised with the right action being taken.",
    "We know the areas we need to change and the actions we need to take to improve.",
    "We are working with effort and determination to get there.",
    "Our staff work incredibly hard in difficult circumstances and I want to thank them for their commitment.",
    "We have already made changes since the inspection and we will continue to work with Ofsted and our partners.",
    "The report is disappointing, but it is fair, and it reflects what we had already identified ourselves.",
    "Recruiting and keeping good social workers is our top priority.",
    "We are investing in our workforce so that social workers have the time to do the job they came into the profession to do.",
    "There is a huge amount still to do, and we are under no illusions about the scale of the challenge.",
    "Children and families are at the heart of everything we do, and we will not rest until services are good.",
    "We welcome the recognition of the progress we have made, but we know there is further to go.",
    "Demand for our services has risen sharply, and that has put real pressure on our teams.",
    "We have a clear improvement plan and the full backing of the council.",
    "I am confident that the changes we are making will make a real difference to children’s lives.",
    "This is not where we want to be, and we will do everything we can to put it right.",
)
MEMBER_QUOTES = (
    "The council has made children’s services its top priority and has backed that with significant investment.",
    "I want to reassure families that children are safe and that we are acting on every one of Ofsted’s recommendations.",
    "As councillors, we will hold officers to account for delivering the improvements set out in our plan.",
    "We have listened to our social workers and we are making changes to reduce their workloads.",
    "The whole council is committed to improving outcomes for our most vulnerable children.",
    "Our budget this year protects children’s social care despite the financial pressures we face.",
    "We are determined to build a stable, permanent workforce.",
    "I am pleased inspectors recognised the dedication of our staff.",
)
SECTOR_QUOTES = (
    "Councils are facing rising demand with shrinking budgets, and social workers are paying the price.",
    "These findings show once again that caseloads are too high across the country.",
    "Without sustained investment in early help, more families will reach crisis point.",
    "The workforce crisis in children’s social care will not be solved by one council alone.",
    "We need a national strategy to recruit and retain social workers.",
    "Inspection outcomes reflect the enormous pressures that local authorities are under.",
    "Social workers need time to spend with children and families, and manageable caseloads are essential.",
    "It is easy to take a judgement at face value, but the improvement process is complex.",
    "The reliance on agency staff is costly and undermines the stability that children need.",
    "Good leadership is the single most important factor in turning services around.",
)
SPEECH_FRAMES = (
    "{name}, {post} at {c} council, said: “{q}”",
    "“{q_mid}” said {name}, the council’s {post}.",
    "{name}, {c}’s {post}, added: “{q}”",
    "Responding to the report, {name}, {post}, said: “{q}”",
    "{name}, who became {post} in {prev_yr}, said: “{q}”",
    "In a statement, {name}, {post}, said: “{q}”",
)
OFSTED_FRAMES = (
    "“{q_mid}” the report said.",
    "Inspectors said: “{q}”",
    "The report added: “{q}”",
    "{name}, {opost}, said: “{q}”",
    "“{q_mid}” inspectors wrote.",
)
SECTOR_FRAMES = (
    "{name}, {spost}, said: “{q}”",
    "Commenting on the findings, {name}, {spost}, said: “{q}”",
    "“{q_mid}” said {name}, {spost}.",
)
CONTEXT = (
    "Nationally, the number of children subject to child protection plans rose by {pct} between {prev_yr} and {yr}, according to government figures.",
    "Figures from the Department for Education show there were {vac_n} vacant children’s social worker posts in England in {yr}.",
    "The Local Government Association has warned that councils face a funding gap of {amount} in children’s services.",
    "Across England, the average caseload for a children’s social worker was {cases} in {yr}, the latest workforce data shows.",
    "Ofsted has now inspected every council in England under its current framework, and {num} authorities are rated inadequate.",
    "Councils in {region} have reported a sharp rise in referrals since {prev_yr}.",
    "The Association of Directors of Children’s Services has said that spending on children’s social care has risen by {pct} in real terms.",
    "The government’s review of children’s social care recommended a national pay scale for social workers and limits on agency rates.",
    "A survey by Community Care found that {pct} of children’s social workers were considering leaving their jobs.",
    "In {yr}, {pct} of councils in England were rated good or outstanding for children’s services.",
)
SUBHEADINGS = (
    "Not enough social workers", "Positive", "Workforce pressures", "Front door concerns",
    "Leadership", "What needs to improve", "Council response", "Caseloads", "Progress",
    "Agency staff", "Supervision and oversight", "Children’s experiences", "Next steps",
    "‘Committed’ staff", "Funding", "Background",
)
POSITIVES = (
    "Despite the challenges, inspectors said the vast majority of social workers who met them were positive about working for {c}.",
    "Ofsted praised the council’s work with care leavers, which it said was a strength.",
    "Inspectors found that services for disabled children were well led and effective.",
    "The report noted improvements in the timeliness of strategy meetings since the last visit.",
    "Social workers told inspectors they enjoyed working for the council and felt well supported by their team colleagues.",
    "Inspectors said that children in care were generally in stable placements that met their needs.",
    "Ofsted found that early help services were improving and that families valued the support they received.",
    "The council’s virtual school was highlighted as an area of good practice.",
)
CLOSINGS = (
    "Ofsted will return to {c} for a further monitoring visit later this year.",
    "The council’s improvement plan will be reviewed by its improvement board in {month}.",
    "{c} is one of {num} councils rated ‘{grade}’ for children’s services in {region}.",
    "The next full inspection is expected within {months} months.",
    "The council has {weeks} weeks to respond to the report.",
)
COMMENT_SENTENCES = (
    "This is nothing new.", "It happens all over the country.", "Caseloads are far too high everywhere.",
    "I left this authority last year for exactly these reasons.", "Agency workers get blamed for everything.",
    "Managers only care about the figures before an inspection.", "Same story, different council.",
    "Where is the support for frontline staff?", "I have been doing this job for nearly twenty years.",
    "Nothing will change until caseloads come down.", "Good luck to the new director.",
    "The families are the ones who suffer.", "Ofsted sees what it wants to see.",
    "We were told things would improve after the last inspection.", "Supervision is a tick-box exercise.",
    "Newly qualified workers are thrown in at the deep end.", "Money alone will not fix this.",
    "I wonder how many managers have actually done the job.", "Retention payments help, but only a little.",
    "Let’s see if anything changes this time.", "The paperwork takes up most of my week.",
    "Some teams are excellent, others are in chaos.", "The front door has been overwhelmed for years.",
    "Social work is now an administrative role, not a human one.", "Who would want to work there now?",
    "Credit to the staff who stayed.", "The cuts to early help are coming home to roost.",
    "Every new director brings a new restructure.", "Inspections measure processes, not relationships.",
    "I hope the children get the consistent workers they deserve.", "It is a lottery which worker you get.",
)


# --------------------------------------------------------------------------------------------
# Assembly


@dataclass(frozen=True)
class CouncilRow:
    name: str
    region: str


@lru_cache(maxsize=4)
def load_councils(path: Path = COUNCILS_CSV) -> tuple[CouncilRow, ...]:
    """Unique council names (first occurrence) with their regions, in file order."""
    rows: list[CouncilRow] = []
    seen: set[str] = set()
    with open(path, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            name = (row.get("name") or "").strip()
            if name and name not in seen:
                seen.add(name)
                rows.append(CouncilRow(name, (row.get("region") or "England").strip() or "England"))
    if not rows:
        raise ValueError(f"{path}: no council names in column 'name'")
    return tuple(rows)


class _Slots(dict):
    """Template slots: fixed values plus numbers drawn fresh for each formatted template."""

    def __init__(self, fixed: dict[str, object], factories: dict[str, Callable[[], object]]) -> None:
        super().__init__(fixed)
        self._factories = factories

    def __missing__(self, key: str) -> object:
        value = self._factories[key]()
        self[key] = value
        return value


def _money(rng: random.Random, small: bool = False) -> str:
    if small or rng.random() < 0.3:
        return f"£{rng.randrange(20, 990, 10) * 1000:,}" if not small else f"£{rng.randrange(1, 9) * 500:,}"
    value = rng.choice((0.5, 0.75, 1, 1.2, 1.5, 2, 2.3, 2.5, 3, 3.4, 4, 4.8, 5, 6.5, 7, 8.2, 10, 12, 15))
    value = round(value + rng.choice((0, 0, 0.1, 0.2, 0.3, 0.6)), 1)
    return f"£{value:g}m" if rng.random() < 0.3 else f"£{value:g} million"


def _pct(rng: random.Random, low: int = 5, high: int = 45) -> str:
    value = rng.randint(low, high)
    if rng.random() < 0.3:
        value = f"{value}.{rng.randint(1, 9)}"
    return f"{value}%" if rng.random() < 0.6 else f"{value} per cent"


def _person(rng: random.Random, used: set[str]) -> str:
    for _ in range(20):
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        if name not in used:
            used.add(name)
            return name
    return name


def _article(index: int, seed: int, councils: Sequence[CouncilRow]) -> str:
    """The text of synthetic article ``index`` for ``seed`` (a pure function of both)."""
    rng = random.Random(f"councilkg-bench:{seed}:{index}")
    council = rng.choice(councils)
    yr = rng.choice(YEARS[1:])
    prev_yr = max(YEARS[0], yr - rng.randint(1, 4))
    grade = rng.choices(GRADES, weights=GRADE_WEIGHTS)[0]
    prev = rng.choice([g for g in GRADES if g != grade] if rng.random() < 0.7 else GRADES)
    visit, visit_kind = rng.choice(INSPECTION_TYPES)
    categories = rng.sample(sorted(FAILINGS), rng.randint(4, 8))
    month_i = rng.randrange(12)
    used_names: set[str] = set()
    director, member = _person(rng, used_names), _person(rng, used_names)
    ofsted_person, sector_person = _person(rng, used_names), _person(rng, used_names)
    sector_post = rng.choice(SECTOR_SPEAKERS)[0]
    published = dt.date(yr, month_i + 1, rng.randint(1, 28)) + dt.timedelta(days=rng.randint(14, 70))

    factories: dict[str, Callable[[], object]] = {
        "cases": lambda: rng.randint(18, 40),
        "cases_lo": lambda: rng.randint(15, 20),
        "cases_hi": lambda: rng.randint(41, 75),
        "pct": lambda: _pct(rng),
        "pct2": lambda: _pct(rng),
        "pct_words": lambda: f"{rng.randint(5, 45)} per cent" if rng.random() < 0.7 else f"{rng.randint(5, 45)}.{rng.randint(1, 9)} per cent",
        "num": lambda: rng.randint(3, 19),
        "weeks": lambda: rng.randint(3, 16),
        "months": lambda: rng.randint(3, 18),
        "amount": lambda: _money(rng),
        "amount_small": lambda: _money(rng, small=True),
        "staff": lambda: rng.randint(5, 80),
        "month": lambda: rng.choice(MONTHS),
        "vac_n": lambda: f"{rng.randint(5, 9)},{rng.randint(0, 999):03d}",
        "ordinal": lambda: rng.choice(("first", "second", "third", "fourth", "fifth", "sixth")),
        "failing_short": lambda: FAILING_SHORT[categories[0]].format_map(_Slots({}, factories)),
        "failing_short2": lambda: FAILING_SHORT[categories[1]].format_map(_Slots({}, factories)),
    }
    fixed = {
        "c": council.name, "region": council.region, "yr": yr, "insp_month": MONTHS[month_i], "prev_yr": prev_yr, "grade": grade,
        "grade_cap": grade[0].upper() + grade[1:], "prev": prev, "visit": visit,
        "visit_cap": visit[0].upper() + visit[1:],
        "move": "improve" if GRADES.index(grade) < GRADES.index(prev) else "slip",
    }

    def fill(template: str, **extra: object) -> str:
        quoted = extra.get("q")
        if isinstance(quoted, str):  # a quote followed by its attribution ends in a comma
            extra["q_mid"] = quoted[:-1] + "," if quoted.endswith(".") else quoted
        return template.format_map(_Slots({**fixed, **extra}, factories))

    def two(pool: Sequence[str]) -> str:
        return " ".join(fill(s) for s in rng.sample(list(pool), 2))

    def quote(pool: Sequence[str], k_max: int = 3) -> str:
        return " ".join(rng.sample(list(pool), rng.randint(1, k_max)))

    headline = fill(rng.choice(HEADLINES))
    standfirst = fill(rng.choice(STANDFIRSTS))

    # Body: a lede, then sections in a shuffled order, until the target length is reached.
    target = rng.randint(380, 760)
    paragraphs: list[str] = [fill(rng.choice(LEDES)), fill(rng.choice(HISTORY))]
    sections: list[Callable[[], list[str]]] = []

    def failings_section(cats: Sequence[str]) -> Callable[[], list[str]]:
        def make() -> list[str]:
            out = []
            for cat in cats:
                sentences = rng.sample(FAILINGS[cat], rng.randint(1, 2))
                out.append(" ".join(fill(s) for s in sentences))
            if rng.random() < 0.5:
                out.append(fill(rng.choice(OFSTED_FRAMES), q=quote(OFSTED_QUOTES), name=ofsted_person,
                                opost=fill(rng.choice(OFSTED_POSTS))))
            return out
        return make

    half = max(1, len(categories) // 2)
    sections.append(failings_section(categories[:half]))
    sections.append(failings_section(categories[half:]))
    sections.append(lambda: [fill(rng.choice(INSPECTION_RESULTS)), fill(rng.choice(POSITIVES))])
    sections.append(lambda: [" ".join(fill(s) for s in rng.sample(
        [t for m in rng.sample(sorted(STATISTICS), rng.randint(1, 3)) for t in STATISTICS[m]], 2))])
    sections.append(lambda: [" ".join(fill(rng.choice(RESPONSES[r]))
                                      for r in rng.sample(sorted(RESPONSES), rng.randint(1, 3)))])
    sections.append(lambda: [fill(rng.choice(SPEECH_FRAMES), q=quote(DIRECTOR_QUOTES), name=director,
                                  post=rng.choice(COUNCIL_POSTS))])
    sections.append(lambda: [fill(rng.choice(SPEECH_FRAMES), q=quote(MEMBER_QUOTES, 2), name=member,
                                  post=rng.choice(MEMBER_POSTS))])

    def recommendations() -> list[str]:
        areas = [rng.choice(AREAS[c]) for c in categories]
        if rng.random() < 0.4:
            items = rng.sample(areas, min(len(areas), rng.randint(3, 5)))
            return ["What needs to improve", "\n".join(f"  • {a[0].upper()}{a[1:]}" for a in items)]
        return [fill(rng.choice(RECOMMENDATION_FRAMES), area=areas[0], area2=areas[-1])]

    sections.append(recommendations)
    rng.shuffle(sections)
    subheadings = rng.sample(SUBHEADINGS, len(SUBHEADINGS))
    for make in sections:
        if rng.random() < 0.25:
            paragraphs.append(subheadings.pop())
        paragraphs.extend(make())

    def words() -> int:
        return sum(len(p.split()) for p in paragraphs)

    extras: list[Callable[[], str]] = [
        lambda: two(CONTEXT),
        lambda: fill(rng.choice(SECTOR_FRAMES), q=quote(SECTOR_QUOTES), name=sector_person, spost=sector_post),
        lambda: two(POSITIVES),
        lambda: two(FAILINGS[rng.choice(sorted(FAILINGS))]),
        lambda: fill(rng.choice(OFSTED_FRAMES), q=quote(OFSTED_QUOTES), name=ofsted_person,
                     opost=fill(rng.choice(OFSTED_POSTS))),
        lambda: fill("“{q}”", q=quote(DIRECTOR_QUOTES, 2)),
    ]
    while words() < target:
        paragraphs.append(rng.choice(extras)())
    while words() > target + 80 and len(paragraphs) > 6:
        paragraphs.pop(rng.randrange(2, len(paragraphs)))
    paragraphs.append(fill(rng.choice(CLOSINGS)))

    # Head: headline, [date], standfirst, [caption], credit.
    photographer = rng.choice(PHOTOGRAPHERS)
    credit_word = rng.choice(("Photo", "Photo", "Photo", "Picture"))
    credit = f"{credit_word}: {photographer}/{rng.choice(('Fotolia', 'fotolia', 'Fotolia'))}"
    head = [headline]
    date_line = f" date {published.isoformat()}"
    with_date = rng.random() < 0.35
    if with_date:
        head.append(date_line)
    head.append(standfirst)
    if rng.random() < 0.3:
        head.append(f"{rng.choice(CAPTIONS)}\n{credit}")
    else:
        head.append(credit)
    text = "\n\n".join(head + paragraphs) + "\n"

    if rng.random() < 0.15:
        text += ("\nThis year’s Community Care Live boasts over 30 free learning sessions to equip you "
                 "to face the key challenges in social work practice today. Register now to ensure you "
                 "don’t miss out.\n")
    if rng.random() < 0.45:
        text += _comments(rng, headline, published)
    return text


def _comments(rng: random.Random, headline: str, published: dt.date) -> str:
    """A "N Responses to <headline>" section: numbered comments, some with bulleted replies."""
    when = dt.datetime(published.year, published.month, published.day, rng.randint(8, 20), rng.randint(0, 59))
    blocks: list[str] = []
    count = 0

    def stamp() -> str:
        nonlocal when
        when += dt.timedelta(minutes=rng.randint(7, 1500))
        hour = when.hour % 12 or 12
        return f"{MONTHS[when.month - 1]} {when.day}, {when.year} at {hour}:{when.minute:02d} {'am' if when.hour < 12 else 'pm'}"

    def author() -> str:
        if rng.random() < 0.5:
            return rng.choice(HANDLES)
        return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}" if rng.random() < 0.5 else \
            f"{rng.choice(FIRST_NAMES)[0]} {rng.choice(LAST_NAMES).lower()}"

    def body(indent: str) -> str:
        paras = [" ".join(rng.sample(COMMENT_SENTENCES, rng.randint(1, 3))) for _ in range(rng.choice((1, 1, 2)))]
        return "\n\n".join(indent + p for p in paras)

    for number in range(1, rng.randint(1, 5) + 1):
        count += 1
        blocks.append(f"  {number}. {author()} {stamp()} #\n\n{body('    ')}")
        for _ in range(rng.choice((0, 0, 0, 0, 1, 2))):
            count += 1
            blocks.append(f"    • {author()} {stamp()} #\n\n{body('      ')}")
    label = "Response" if count == 1 else "Responses"
    return "\nMore from Community Care\n\n" + f"{count} {label} to {headline}\n\n" + "\n\n".join(blocks) + "\n"


def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def generate(n: int, out_dir: Path, *, seed: int = 0, councils_csv: Path = COUNCILS_CSV) -> list[Path]:
    """Write ``n`` synthetic articles ``article_000000.txt``... into ``out_dir``; return their paths.

    Files already in ``out_dir`` are left alone (files of the same name are replaced).

    >>> import tempfile
    >>> paths = generate(2, Path(tempfile.mkdtemp()), seed=1)
    >>> [p.name for p in paths]
    ['article_000000.txt', 'article_000001.txt']
    """
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    councils = load_councils(Path(councils_csv))
    paths = []
    for i in range(n):
        path = out_dir / f"article_{i:06d}.txt"
        _atomic_write(path, _article(i, seed, councils).encode("utf-8"))
        paths.append(path)
    log.info("wrote %d synthetic articles (seed %d) to %s", n, seed, out_dir)
    return paths


# --------------------------------------------------------------------------------------------
# Real report text

_PAGE_NUMBER = re.compile(r"^\d{1,3}$")
_TRAILING_PAGE_NUMBER = re.compile(r"\s+\d{1,3}$")
_PARA_START = re.compile(r"^(?:\d{1,3}\.\s|•\s*)")
_TERMINAL = re.compile(r"[.!?:;][\"'’”)\]]*$")
#: Bullet glyphs: the private-use symbol-font characters that pypdf returns, and square ones.
_BULLETS = re.compile("[\ue000-\uf8ff◼▪●]")


def _report_paragraphs(pages: list[str]) -> tuple[str | None, list[str]]:
    """Heading and paragraphs of a report's extracted page texts (wrapped lines joined).

    Running headers (a line that opens at least half of the pages, page number aside) and
    bare page numbers are dropped; a line starts a paragraph after a blank line, at a numbered
    paragraph or a bullet, and after a line that ends a sentence short of the usual width, or is
    short (a heading or a table cell). Line-end hyphens join without a space.
    """
    page_lines = [[ln.rstrip() for ln in page.split("\n")] for page in pages]
    openers: dict[str, int] = {}
    for lines in page_lines:
        top = [ln.strip() for ln in lines if ln.strip()][:3]
        for key in {_TRAILING_PAGE_NUMBER.sub("", ln) for ln in top}:
            openers[key] = openers.get(key, 0) + 1
    running = {k for k, v in openers.items() if len(pages) > 2 and v >= len(pages) / 2}
    widths = sorted(len(ln.strip()) for lines in page_lines for ln in lines if ln.strip())
    usual = widths[int(len(widths) * 0.9)] if widths else 80

    paragraphs: list[str] = []
    current: list[str] = []

    def flush() -> None:
        if current:
            text = ""
            for piece in current:
                if text.endswith("-") and len(text) > 1 and text[-2].isalpha():
                    text += piece
                else:
                    text = f"{text} {piece}" if text else piece
            paragraphs.append(re.sub(r"\s+", " ", text).strip())
            current.clear()

    heading: list[str] = []
    for number, lines in enumerate(page_lines):
        for raw in lines:
            line = _BULLETS.sub("•", raw.strip())
            if not line:
                flush()
                continue
            if _PAGE_NUMBER.match(line) or _TRAILING_PAGE_NUMBER.sub("", line) in running:
                continue
            if number == 0 and not paragraphs and not current and not _heading_done(heading, line):
                heading.append(line)
                continue
            if _PARA_START.match(line):
                flush()
            current.append(line)
            if len(line) < 0.6 * usual or (_TERMINAL.search(line) and len(line) < 0.85 * usual):
                flush()
    flush()
    title = " ".join(heading) if heading and len(" ".join(heading)) <= 300 else None
    return title, [p for p in paragraphs if p]


def _heading_done(heading: list[str], line: str) -> bool:
    """The report's heading lines run until the inspection dates (or ten lines)."""
    return len(heading) >= 10 or bool(re.match(r"(?i)^(inspection dates?|dates of inspection|inspection date)\b", line))


def real_report_corpus(out_dir: Path, *, reports_dir: Path = REPORTS_DIR) -> list[Path]:
    """The text of every report PDF in ``reports_dir`` as ``<stem>.txt`` files in ``out_dir``.

    Each file is the report's heading on its first line, then its paragraphs separated by blank
    lines (wrapped lines joined): a plain-text document the build reads like any article.
    Returns ``[]`` with a warning when the reports folder (``../shared``) is absent.
    """
    reports_dir = Path(reports_dir)
    pdfs = sorted(reports_dir.glob("*.pdf")) if reports_dir.is_dir() else []
    if not pdfs:
        log.warning("no report PDFs in %s (is ../shared present?): the reports corpus is skipped", reports_dir)
        return []
    from pypdf import PdfReader  # only this corpus needs it

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for pdf in pdfs:
        logging.getLogger("pypdf").setLevel(logging.ERROR)
        pages = [page.extract_text() or "" for page in PdfReader(pdf).pages]
        title, paragraphs = _report_paragraphs(pages)
        title = title or pdf.stem.replace("-", " ").replace("_", ", ")
        path = out_dir / f"{pdf.stem}.txt"
        _atomic_write(path, ("\n\n".join([title, *paragraphs]) + "\n").encode("utf-8"))
        paths.append(path)
    log.info("wrote the text of %d reports to %s", len(paths), out_dir)
    return paths


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("n", nargs="?", type=int, help="number of synthetic articles")
    p.add_argument("out_dir", type=Path, help="folder to write them into")
    p.add_argument("--seed", type=int, default=0, help="corpus seed (default 0)")
    p.add_argument("--reports", action="store_true", help="write the real reports' text instead")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    if args.reports:
        return 0 if real_report_corpus(args.out_dir) else 1
    if args.n is None:
        p.error("N is required (or --reports)")
    generate(args.n, args.out_dir, seed=args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
