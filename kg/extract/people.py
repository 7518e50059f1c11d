"""People, their posts (org:Membership) and what they said (schema:Quotation).

Posts come from apposition ("Peter Box, leader of the council, said"), from a pre-modifier
("council leader Peter Box", "Councillor Jane Doe") and from "NAME, the council's chief
executive"; honorifics are stripped. Quotations come from "NAME said: “...”" (running over
the following paragraphs that open with a quotation mark) and "“...,” NAME said", with "he",
"she" and a bare surname resolved to the last person named.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from kg.extract.context import DocContext
from kg.graph.facts import Evidence, Membership, Quotation
from kg.graph.namespaces import strip_honorifics
from kg.rules import pattern

#: "NAME, ROLE[, a, b and c], said": the role may end in a list ("cabinet member for children,
#: families and learning").
APPOSITION = pattern("person.apposition")
#: "ROLE, NAME": "the commissioner, Professor Alan Pritchard", "an interim director, Margaret Hallam".
PRECEDING_ROLE = pattern("person.preceding-role")
ROLE_START = pattern("person.role-start")
NOT_ROLE = pattern("person.not-role")
PREMOD_TOKENS = 7
ROLE_WORD = pattern("person.role-word")
COUNCIL_ROLE = pattern("person.council-role")
TITLES = {"Sir", "Dame", "Dr", "Doctor", "Professor", "Prof", "Mr", "Mrs", "Ms", "Miss", "Lord", "Lady", "Baroness", "Rev", "Reverend"}
PRONOUN = pattern("person.pronoun")
#: "the council's chief executive": a post of the council the sentence is about.
OWN_COUNCIL = pattern("person.own-council")
#: An apposition with a verb of saying or a relative in it is not a post.
ROLE_HAS_VERB = pattern("person.role-has-verb")
#: "Councillor Jane Doe", "Cllr. Jane Doe", "Deputy Leader Cllr Jane Doe".
COUNCILLOR_HONORIFIC = pattern("person.councillor-honorific")
COUNCILLOR_PHRASE = pattern("person.councillor-phrase")
ENDS_WITH_COUNCILLOR = pattern("person.ends-with-councillor")
OPEN_Q = "“\""
CLOSE_Q = "”\""


@dataclass
class _Mention:
    name: str
    start: int


HONORIFIC_NAME = pattern("person.honorific-name")
#: ", Priya Ramsay, who ..." / ", Jane Smith, said": a name set off by commas before a relative or a verb of saying.
COMMA_NAME = pattern("person.comma-name")
#: "said Priti Das, director ...", "according to Sam Oduya, ...": a name right after a verb of saying.
SAID_NAME = pattern("person.said-name")
#: "NAME, who chairs the council's scrutiny committee, said": a post given by a relative clause.
RELATIVE_ROLE = pattern("person.relative-role")
RELATIVE_VERBS = {"chair": "chair", "lead": "leader", "led": "leader", "head": "head", "run": "head", "ran": "head",
                  "manag": "manager", "overs": "head"}
APPOSED_NAME = pattern("person.apposed-name")
#: "has appointed Eleanor Price, ...", "Green councillor Imogen Lathe": names the model may take
#: for an organisation, given away by the verb or the post before them
APPOINTED_NAME = pattern("person.appointed-name")
ROLE_NAME = pattern("person.role-name")
#: "has appointed Gillian Rowe, formerly ..., as interim director of children's services"
APPOINTED_AS = pattern("person.appointed-as")
#: "Rebecca Holt became interim director of children's services at ...": a post taken up
BECAME = pattern("person.became")
#: ", formerly assistant director in ...": the post held before, not the one the sentence is about
FORMER_POST = pattern("person.former-post")
#: "the finance director": with no other organisation named, a post of the council
COUNCIL_POST = pattern("person.council-post")
#: "director of people services": a post named with what it is of or for
POST_OF = pattern("person.post-of")
#: "has appointed", "named", "hired": a verb that puts someone in a post ("... as director")
APPOINTED_BEFORE = pattern("person.appointed-before")


def _people(ctx: DocContext) -> list[_Mention]:
    """Person mentions: the model's PERSON entities, plus names it missed that an honorific
    ("Dame Christine Gilbert") or an apposition at the start of a sentence gives away."""
    found: dict[int, str] = {}
    for ent in ctx.doc.ents:
        if ent.label_ == "PERSON":
            found[ent.start_char] = ent.text
    from_model = set(found)
    text = ctx.doc.text
    # names the model labelled as places or organisations are still people when the pattern says so
    covered = [(e.start_char, e.end_char) for e in ctx.doc.ents if e.label_ in ("COUNCIL", "ORG_KNOWN")]
    for regex in (HONORIFIC_NAME, APPOSED_NAME, COMMA_NAME, SAID_NAME, APPOINTED_NAME, ROLE_NAME):
        for m in regex.finditer(text):
            start, end = m.start("name"), m.end("name")
            if any(a <= start < b for a, b in covered):
                continue
            overlapping = [s for s, t in found.items() if s < end and start < s + len(t)]
            if any(s not in from_model or not _better_name(m.group("name"), found[s]) for s in overlapping):
                continue  # found already, by another pattern or by the model
            for s in overlapping:
                del found[s]
            found[start] = m.group("name")
    out = []
    for start in sorted(found):
        name = strip_honorifics(re.sub(r"['’]s?$", "", found[start].strip())).strip()
        if not name or not re.match(r"^[A-Z]", name) or len(name) > 60:
            continue
        if ctx.gazetteer.resolve(name) or ctx.gazetteer.resolve_organisation(name):
            continue  # a council or an organisation that the model took for a person
        out.append(_Mention(name, start + found[start].find(name) if name in found[start] else start))
    return out


def _better_name(pattern_name: str, model_name: str) -> bool:
    """Whether a pattern's name replaces the model's that overlaps it: a tighter one ("Sharon
    Preston" in "But Sharon Preston"), or a longer one whose extra words are a name's
    ("Jacqui Denholm" for "Denholm"), not a post ("Commissioner Alan Prothero")."""
    if pattern_name in model_name:
        return pattern_name != model_name
    if model_name not in pattern_name:
        return False
    extra = pattern_name.replace(model_name, " ")
    return not ROLE_WORD.search(extra) and not COUNCILLOR_HONORIFIC.search(extra) \
        and not any(word in TITLES or word.lower() in NOT_NAME_WORDS for word in extra.split())


#: Words that open a sentence before a name ("But Sharon Preston, who chairs ..."): not part of it.
NOT_NAME_WORDS = frozenset({"but", "and", "or", "so", "yet", "the", "a", "an", "however", "meanwhile", "also",
                            "now", "then", "today", "yesterday", "last", "this", "that", "when", "while", "after",
                            "before", "as", "at", "in", "on", "for", "with", "by", "from", "to", "of", "if"})


def _full_name(name: str, known: list[str]) -> str:
    """A bare surname ("McRae") is the person of that surname named earlier."""
    if " " in name:
        return name
    for full in reversed(known):
        if full.split()[-1] == name:
            return full
    return name


def _entities(ctx: DocContext, start: int, end: int) -> list[tuple[str, str, str]]:
    """Councils and known organisations the gazetteer found between two offsets."""
    return [(e.label_, e.ent_id_, e.text) for e in ctx.doc.ents
            if e.start_char >= start and e.end_char <= end and e.label_ in ("COUNCIL", "ORG_KNOWN") and e.ent_id_]


def _organisation(ctx: DocContext, role: str, council: str | None,
                  entities: list[tuple[str, str, str]]) -> tuple[str, str | None, str | None]:
    """(role as it names the post, council code, organisation id) for a role phrase."""
    role = re.sub(r"^(?:the|a|an)\s+", "", role.strip(), flags=re.IGNORECASE)
    # "Ofsted's chief inspector" / "the council's chief executive"
    m = re.match(r"^(?P<org>[^,]+?)(?:['’]s|(?<=s)['’])\s+(?P<rest>.+)$", role)
    if m:
        org_text = m.group("org")
        if OWN_COUNCIL.fullmatch(org_text):
            return m.group("rest"), council, None
        org = ctx.gazetteer.resolve_organisation(org_text)
        if org:
            return m.group("rest"), None, org.id
        found = ctx.gazetteer.resolve(org_text)
        if found:
            return m.group("rest"), found.code, None
    # "president of the Association of Directors of Children's Services"
    m = re.match(r"^(?P<rest>.+?)\s+(?:of|at|for)\s+(?:the\s+)?(?P<org>[A-Z].+)$", role)
    if m:
        org = ctx.gazetteer.resolve_organisation(m.group("org"))
        if org:
            return m.group("rest"), None, org.id
        found = ctx.gazetteer.resolve(m.group("org"))
        if found:
            # "director of children's services at Medway Council" -> "director of children's services"
            return (m.group("rest") if re.search(r"\s(?:at|for)\s+(?:the\s+)?" + re.escape(m.group("org")) + "$", role)
                    else role), found.code, None
    for kind, ident, ent_text in entities:
        if kind == "COUNCIL":
            if role.startswith(ent_text):  # "Doncaster Council leader" -> "council leader"
                rest = role[len(ent_text):].lstrip("’'").strip()
                role = f"council {rest}" if re.search(r"\bcouncil$", ent_text, re.IGNORECASE) else rest
            return role, ident, None
        if role.startswith(ent_text):  # "Ofsted chief inspector" -> "chief inspector"
            rest = role[len(ent_text):].strip()
            # but "the Children's Commissioner for England" is the post as well as the organisation
            role = rest if ROLE_WORD.search(rest) else role
        return role, None, ident
    for rule in ctx.rules.of_kind("role-org"):
        if rule.search(role):
            return role, None, rule.label
    if COUNCIL_ROLE.search(role) and council:
        return role, council, None
    if council and COUNCIL_POST.search(role) and not re.search(r"['’]s\b", role):
        return role, council, None  # "the finance director": nobody else's post is named
    return role, None, None


def extract(ctx: DocContext) -> list[Membership | Quotation]:
    text = ctx.doc.text
    mentions = _people(ctx)
    known: list[str] = []
    facts: list[Membership | Quotation] = []
    for mention in mentions:
        sent = _sentence_at(ctx, mention.start)
        if sent is None:
            continue
        name = _full_name(mention.name, known)
        if " " not in name:
            continue
        if name not in known:
            known.append(name)
        end = mention.start + len(text[mention.start:].split("\n", 1)[0])
        after = text[mention.start:end]
        after = after[after.find(mention.name) + len(mention.name):] if mention.name in after else ""
        role = None
        name_end = mention.start + (len(text[mention.start:end]) - len(after))
        m = APPOSITION.match(after)
        rel = RELATIVE_ROLE.match(after)
        appointed = APPOINTED_AS.match(after) if APPOINTED_BEFORE.search(text[sent.start:mention.start]) else None
        if m and FORMER_POST.match(after):
            m = None  # ", formerly assistant director at ...": the post before
        if appointed and ROLE_WORD.search(appointed.group("role")):
            role = appointed.group("role")
            span = (name_end + appointed.start("role"), name_end + appointed.end("role"))
        elif m and ROLE_WORD.search(m.group("role")) and not ROLE_HAS_VERB.search(m.group("role")):
            role = m.group("role")
            span = (name_end + m.start("role"), name_end + m.end("role"))
        elif (became := BECAME.match(after)) and ROLE_WORD.search(became.group("role")) \
                and not NOT_ROLE.search(became.group("role")):
            role = became.group("role")
            span = (name_end + became.start("role"), name_end + became.end("role"))
        elif rel and (rel.group("verb") or ROLE_WORD.search(rel.group("role") or "")):
            if rel.group("verb"):
                noun = next(v for k, v in RELATIVE_VERBS.items() if rel.group("verb").startswith(k))
                role = f"{noun} of {rel.group('object')}"
                span = (name_end + rel.start("object"), name_end + rel.end("object"))
            else:
                role = rel.group("role")
                span = (name_end + rel.start("role"), name_end + rel.end("role"))
        else:
            role, span = _premodifier(ctx, mention.start)
            if not role or role == "councillor":  # "..., Cllr Tony Halloran": the post before the comma says more
                fuller, fuller_span = _preceding_role(ctx, sent, mention.start)
                if fuller:
                    role, span = fuller, fuller_span
        if role:
            post, council, org = _organisation(ctx, role, sent.council, _entities(ctx, *span))
            post = clean_role(post)
            if (council or org) and post:
                evidence = Evidence(sent.text, "person.post", sent.start)
                facts.append(Membership(name, post.strip(), evidence, council=council, organisation=org))
    facts.extend(_quotations(ctx, known))
    return facts


#: Words before a post that say when or how someone holds it, not what the post is.
ROLE_LEAD = pattern("person.role-lead")
#: A time phrase after a post: "director of children's services in 2021", "... since last year".
ROLE_TAIL = pattern("person.role-tail")


def clean_role(role: str) -> str:
    """A post as it names the post: without the time words or titles around it.

    >>> clean_role("director of children's services in 2021"), clean_role("Last year chief executive")
    ("director of children's services", 'chief executive')
    >>> clean_role("newly appointed director for children and families"), clean_role("Former council leader")
    ('director for children and families', 'council leader')
    >>> clean_role("interim director of children's services"), clean_role("Then-director")
    ("interim director of children's services", 'director')
    """
    role = ROLE_TAIL.sub("", ROLE_LEAD.sub("", role.strip())).strip(" ,")
    return role


def _preceding_role(ctx: DocContext, sent, start: int) -> tuple[str | None, tuple[int, int]]:
    """'the commissioner, Professor Alan Pritchard' -> 'commissioner' (the noun phrase before the comma)."""
    text = ctx.doc.text
    before = text[sent.start:start]
    m = PRECEDING_ROLE.search(before)
    if not m:
        return None, (start, start)
    # a post that lists its areas has commas of its own ("executive director for families,
    # children and learning, Deborah Mensah"): take up to two more comma-separated parts
    # when the last one names no post
    first = m.start("role")
    for _ in range(2):
        if ROLE_WORD.search(before[first:m.end("role")]):
            break
        previous = before.rfind(",", 0, first - 1) + 1  # 0: the sentence's start
        part = before[previous:first - 1]
        if not part.strip() or not ROLE_WORD.search(part) or NOT_ROLE.search(part):
            break
        first = previous
    segment = before[first:m.end("role")]
    head = segment.split(",", 1)[0]  # where the post starts is in its first part, before its post word
    post_word = ROLE_WORD.search(head)
    cut = 0
    for found in ROLE_START.finditer(head):
        at = found.start("det") if found.group("det") else found.start("poss")
        if post_word is None or at < post_word.start():
            cut = at
    role = segment[cut:].strip()
    role = re.sub(r"^(?:the|a|an|its|their|his|her|our)\s+(?:then\s+)?", "", role)
    words = role.split()
    if not words or len(words) > 14 or NOT_ROLE.search(role) or not ROLE_WORD.search(role):
        return None, (start, start)
    role_start = sent.start + first + segment.index(role)
    return role, (role_start, role_start + len(role))


def _premodifier(ctx: DocContext, start: int) -> tuple[str | None, tuple[int, int]]:
    """'council leader Peter Box' -> 'council leader'; 'Councillor Jane Doe' -> 'councillor'."""
    doc = ctx.doc
    none = (None, (start, start))
    span = doc.char_span(start, start + 1, alignment_mode="expand")
    if span is None:
        return none
    i = span.start
    words = []
    j = i - 1
    while j >= 0 and len(words) < PREMOD_TOKENS:
        tok = doc[j]
        if tok.is_punct and tok.text not in ("’s", "'s") or tok.is_space or tok.pos_ in ("VERB", "AUX", "ADP", "DET") and tok.lower_ not in ("of",):
            break
        if tok.lower_ in ("the", "a", "an", "said", "by", "with", "and", "to"):
            break
        words.insert(0, tok)
        j -= 1
    while words and words[0].lower_ == "of":
        words.pop(0)
    while words and words[-1].text.rstrip(".") in TITLES:
        words.pop()  # "Professor", "Dr": an honorific, not a post
    if len(words) > 1 and COUNCILLOR_HONORIFIC.fullmatch(words[-1].text.rstrip(".")) and \
            ROLE_WORD.search(" ".join(w.text for w in words[:-1])):
        words.pop()  # "opposition leader Coun Nigel Frith": the post, then the honorific
    if not words:
        honorific = doc[i - 1].text if i > 0 else ""
        return ("councillor", (start, start)) if COUNCILLOR_HONORIFIC.fullmatch(honorific) else none
    phrase_span = doc[words[0].i: words[-1].i + 1]
    phrase = phrase_span.text
    bounds = (phrase_span.start_char, phrase_span.end_char)
    if COUNCILLOR_PHRASE.fullmatch(phrase):
        return "councillor", bounds
    if ROLE_WORD.search(words[-1].text) or ENDS_WITH_COUNCILLOR.search(phrase):
        return phrase, bounds
    if POST_OF.search(phrase) and not FORMER_POST.match(", " + phrase):
        return phrase, bounds  # "Strategic director of people services Andy Marlowe"
    return none


def _sentence_at(ctx: DocContext, offset: int):
    for sent in ctx.sentences:
        if sent.start <= offset < sent.start + len(sent.text) + 1:
            return sent
    return None


OPENING = pattern("person.opening-quote")
CLOSING = pattern("person.closing-quote")


def _quotations(ctx: DocContext, known: list[str]) -> list[Quotation]:
    """Quotations paragraph by paragraph, following quotes that run over several paragraphs."""
    text = ctx.doc.text
    lines = []
    pos = 0
    for raw in text.split("\n"):
        lines.append((pos, raw))
        pos += len(raw) + 1
    out: list[Quotation] = []
    last_speaker: str | None = None
    i = 0
    while i < len(lines):
        start, raw = lines[i]
        line = raw.strip()
        speaker = None
        quote_parts: list[str] = []
        end_line = i
        m = OPENING.match(line)
        if m:
            speaker = _speaker(m.group("who"), known, last_speaker)
            quote_parts.append(m.group("quote"))
            # continuation paragraphs: the quote stays open until a paragraph closes it
            j = i + 1
            closed = _closes(m.group("quote"))
            while not closed and j < len(lines):
                nxt = lines[j][1].strip()
                if not nxt:
                    j += 1
                    continue
                if nxt[0] not in OPEN_Q:
                    break
                quote_parts.append(nxt[1:])
                end_line = j
                closed = _closes(nxt)
                j += 1
        else:
            m = CLOSING.match(line)
            if m:
                who = m.group("who") or m.group("who2")
                speaker = _speaker(who, known, last_speaker)
                quote_parts.append(m.group("quote") or m.group("quote2"))
            else:
                # a quotation that starts mid-paragraph: "... inspected. “It is a wake-up call,” said X."
                for sent in (s for s in ctx.sentences if s.line == i and s.start > start + len(raw) - len(raw.lstrip())):
                    found = CLOSING.match(sent.text) or OPENING.match(sent.text)
                    if found is None:
                        continue
                    groups = found.groupdict()
                    who = groups.get("who") or groups.get("who2")
                    name = _speaker(who, known, last_speaker)
                    words = (groups.get("quote") or groups.get("quote2") or "").strip().rstrip("”\"").strip().rstrip(",")
                    if name and words:
                        last_speaker = name
                        out.append(Quotation(name, words, Evidence(sent.text, "quotation.said", sent.start)))
        if speaker:
            last_speaker = speaker
            quote = " ".join(p.strip().rstrip("”\"").strip() for p in quote_parts).rstrip(",").strip()
            ev_start = lines[i][0] + (len(raw) - len(raw.lstrip()))
            ev_end = lines[end_line][0] + len(lines[end_line][1].rstrip())
            evidence = Evidence(text[ev_start:ev_end], "quotation.said", ev_start)
            out.append(Quotation(speaker, quote, evidence))
        elif m is None:
            # a person named in a paragraph becomes the antecedent of a following "he said:"
            for name in known:
                if name in line or name.split()[-1] in line.split():
                    last_speaker = name
        i = end_line + 1
    return out


def _closes(fragment: str) -> bool:
    return fragment.rstrip().endswith(tuple(CLOSE_Q)) or bool(re.search(r"[”\"]\s*(?:,|\.)?\s*\w[^“”\"]*$", fragment))


def _speaker(who: str, known: list[str], last: str | None) -> str | None:
    """The person a "... said" names: a pronoun is the last speaker, a surname a known full name."""
    who = who.strip().rstrip(",")
    if not who:
        return None
    if PRONOUN.match(who.split()[-1]):
        return last
    for name in sorted(known, key=len, reverse=True):
        if name in who:
            return name
    surname = [name for name in known if name.split()[-1] in re.findall(r"[A-Z][\w’'-]+", who)]
    return surname[-1] if surname else None  # "the report said", "inspectors said": no person
