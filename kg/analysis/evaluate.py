"""Precision, recall and F1 of a built graph against gold annotations.

The gold format is the one of ``shared/eval/README.md`` (one JSON file per article), and facts
are matched the same way: councils by folded label; ratings as (council, rating); failings and
recommendations as (council, top category); responses as (council, top type); statistics as
(council, measure, value rounded to 0.1); people by folded name. ``other`` in the gold is not
scored. Users run it as ``python build.py evaluate --articles DIR --gold DIR``.
"""
from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

from rdflib import Graph

from kg.graph.namespaces import PREFIXES

_PREFIXES = "\n".join(f"PREFIX {p}: <{ns}>" for p, ns in PREFIXES.items())

Q_LABELS = _PREFIXES + "\nSELECT DISTINCT ?c ?label WHERE { ?c a ckg:Council ; rdfs:label|skos:altLabel ?label . }"
Q_MENTIONED = _PREFIXES + "\nSELECT DISTINCT ?c WHERE { ?a schema:mentions ?c . ?c a ckg:Council . }"
Q_RATINGS = _PREFIXES + """
SELECT ?c ?label ?year WHERE { ?i a ckg:Inspection ; ckg:council ?c ; ckg:rating ?r . ?r skos:prefLabel ?label .
  OPTIONAL { ?i ckg:year ?year } }"""
Q_TOPIC = _PREFIXES + """
SELECT ?c ?label WHERE { ?f a ckg:%s ; ckg:failing ?concept . OPTIONAL { ?f ckg:council ?c }
  ?concept skos:broader* ?top . ?top skos:topConceptOf ckg:FailingScheme ; skos:prefLabel ?label . }"""
Q_RESPONSES = _PREFIXES + """
SELECT ?c ?label ?amount WHERE { ?r a ckg:Response ; ckg:council ?c ; ckg:responseType ?concept .
  ?concept skos:broader* ?top . ?top skos:topConceptOf ckg:ResponseScheme ; skos:prefLabel ?label .
  OPTIONAL { ?r ckg:amountGBP ?amount } }"""
Q_STATS = _PREFIXES + """
SELECT ?c ?label ?value WHERE { ?s a ckg:Statistic ; ckg:council ?c ; ckg:measure ?concept ; ckg:value ?value .
  ?concept skos:broader* ?top . ?top skos:topConceptOf ckg:MeasureScheme ; skos:prefLabel ?label . }"""
Q_PEOPLE = _PREFIXES + """
SELECT ?name ?orgLabel ?roleLabel WHERE { ?p a ckg:Person ; rdfs:label ?name .
  OPTIONAL { ?m org:member ?p . OPTIONAL { ?m org:organization ?o . ?o rdfs:label ?orgLabel }
             OPTIONAL { ?m org:role ?role . ?role rdfs:label ?roleLabel } } }"""
Q_EVIDENCE = _PREFIXES + """
SELECT ?fact ?evidence ?file WHERE {
  VALUES ?class { ckg:Inspection ckg:Finding ckg:Recommendation ckg:Response ckg:Statistic org:Membership schema:Quotation }
  ?fact a ?class . OPTIONAL { ?fact ckg:evidence ?evidence }
  OPTIONAL { ?fact prov:wasDerivedFrom ?a . ?a ckg:sourceFile ?file } }"""

_NOISE = re.compile(
    r"\b(the|royal borough of|london borough of|city and county of|city of|county of|metropolitan|borough|"
    r"district|county|city|council|councils|children s services|children s social care|of|and)\b")
_HONORIFIC = re.compile(r"^(sir|dame|dr|professor|prof|mr|mrs|ms|miss|cllr|councillor|lord|baroness)\s+")
KINDS = ("councils", "ratings", "failings", "recommendations", "responses", "people", "statistics")


def fold(text: object) -> str:
    """Lower-case ASCII words: accents, quotes and punctuation folded away."""
    text = unicodedata.normalize("NFKD", str(text)).replace("’", "'").replace("‘", "'")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return re.sub(r"\s+", " ", re.sub(r"[^a-z0-9 ]", " ", text)).strip()


def council_key(name: object) -> str:
    return re.sub(r"\s+", " ", _NOISE.sub(" ", fold(name))).strip()


def person_key(name: object) -> str:
    return _HONORIFIC.sub("", fold(name))


def label_key(label: object) -> str:
    label = fold(label)
    return "requires improvement" if label.startswith("requires improvement") else label


def _number(value: object) -> float | None:
    try:
        return round(float(value), 1)
    except (TypeError, ValueError):
        return None


def prf(gold: set, found: set) -> dict:
    hit = len(gold & found)
    p = hit / len(found) if found else (1.0 if not gold else 0.0)
    r = hit / len(gold) if gold else (1.0 if not found else 0.0)
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 3), "recall": round(r, 3), "f1": round(f, 3), "gold": len(gold),
            "found": len(found), "missed": sorted(map(str, gold - found)), "extra": sorted(map(str, found - gold))}


def by_category(gold: set, found: set) -> dict:
    """P/R/F1 of each category of (council, category) pairs, as :func:`prf` counts them.

    >>> by_category({("leeds", "supervision"), ("leeds", "leadership")}, {("leeds", "supervision")})["leadership"]
    {'precision': 0.0, 'recall': 0.0, 'f1': 0.0, 'gold': 1, 'found': 0}
    """
    labels = sorted({label for _, label in gold | found})
    keep = ("precision", "recall", "f1", "gold", "found")
    return {label: {k: v for k, v in prf({g for g in gold if g[1] == label},
                                         {f for f in found if f[1] == label}).items() if k in keep}
            for label in labels}


def load_gold(directory: Path) -> list[dict]:
    files = sorted(Path(directory).glob("*.json"))
    if not files:
        raise FileNotFoundError(f"no gold *.json in {directory}")
    return [json.loads(f.read_text(encoding="utf-8")) for f in files]


def score(graph: Graph, golds: list[dict], articles_dir: Path | None = None) -> dict:
    """Score ``graph`` against ``golds``; returns per-kind P/R/F1, accuracies, evidence share, macro F1."""
    names: dict = {}
    for c, label in graph.query(Q_LABELS):
        names.setdefault(c, set()).add(council_key(label))
    gold_councils = {council_key(c) for g in golds for c in g.get("councils", [])}
    gold_councils |= {council_key(x["council"]) for g in golds
                      for kind in ("ratings", "failings", "recommendations", "responses", "statistics")
                      for x in g.get(kind, []) if x.get("council")}

    def key(node) -> str:
        if node is None:
            return "*"
        labels = sorted(names.get(node, set()))
        return next((n for n in labels if n in gold_councils), labels[0] if labels else str(node))

    result: dict = {}
    per_category: dict = {}
    result["councils"] = prf({council_key(c) for g in golds for c in g.get("councils", [])},
                             {key(r.c) for r in graph.query(Q_MENTIONED)})

    gold_years: dict = {}
    found_years: dict = {}
    for g in golds:
        for x in g.get("ratings", []):
            gold_years.setdefault((council_key(x["council"]), label_key(x["rating"])), set()).add(x.get("year"))
    for r in graph.query(Q_RATINGS):
        year = int(str(r.year)[:4]) if r.year is not None else None
        found_years.setdefault((key(r.c), label_key(r.label)), set()).add(year)
    result["ratings"] = prf(set(gold_years), set(found_years))
    matched = [k for k in gold_years if k in found_years]
    good = sum(1 for k in matched if not gold_years[k] - {None} or (gold_years[k] - {None}) & found_years[k])
    result["ratings"]["year_accuracy"] = round(good / len(matched), 3) if matched else None

    for kind, cls in (("failings", "Finding"), ("recommendations", "Recommendation")):
        gold = {(council_key(x["council"]) if x.get("council") else "*", label_key(x["category"]))
                for g in golds for x in g.get(kind, []) if label_key(x["category"]) != "other"}
        found = {(key(r.c), label_key(r.label)) for r in graph.query(Q_TOPIC % cls)}
        result[kind] = prf(gold, found)
        per_category[kind] = by_category(gold, found)

    gold_amounts: dict = {}
    found_amounts: dict = {}
    for g in golds:
        for x in g.get("responses", []):
            if label_key(x["type"]) != "other":
                gold_amounts.setdefault((council_key(x["council"]), label_key(x["type"])), set()).add(_number(x.get("amount_gbp")))
    for r in graph.query(Q_RESPONSES):
        found_amounts.setdefault((key(r.c), label_key(r.label)), set()).add(_number(r.amount))
    result["responses"] = prf(set(gold_amounts), set(found_amounts))
    per_category["responses"] = by_category(set(gold_amounts), set(found_amounts))
    with_amount = [k for k in gold_amounts if k in found_amounts and gold_amounts[k] - {None}]
    good = sum(1 for k in with_amount if (gold_amounts[k] - {None}) <= found_amounts[k])
    result["responses"]["amount_accuracy"] = round(good / len(with_amount), 3) if with_amount else None

    gold_people: dict = {}
    for g in golds:
        for x in g.get("people", []):
            gold_people.setdefault(person_key(x["name"]), []).append(x)
    found_people: dict = {}
    for r in graph.query(Q_PEOPLE):
        entry = found_people.setdefault(person_key(r.name), {"orgs": set(), "roles": set()})
        if r.orgLabel is not None:
            entry["orgs"] |= {council_key(r.orgLabel), fold(r.orgLabel)}
        if r.roleLabel is not None:
            entry["roles"].add(fold(r.roleLabel))
    result["people"] = prf(set(gold_people), set(found_people))
    matched = [n for n in gold_people if n in found_people]
    org_ok = sum(1 for n in matched if any(
        council_key(x.get("organisation") or "") in found_people[n]["orgs"]
        or fold(x.get("organisation") or "") in found_people[n]["orgs"] for x in gold_people[n]))
    role_ok = sum(1 for n in matched if any(
        gr and len(gr & set(role.split())) / len(gr) >= 0.5
        for gr in (set(fold(x.get("role") or "").split()) for x in gold_people[n])
        for role in found_people[n]["roles"]))
    result["people"]["organisation_accuracy"] = round(org_ok / len(matched), 3) if matched else None
    result["people"]["role_accuracy"] = round(role_ok / len(matched), 3) if matched else None

    result["statistics"] = prf(
        {(council_key(x["council"]), label_key(x["measure"]), _number(x["value"]))
         for g in golds for x in g.get("statistics", []) if x.get("council") and label_key(x["measure"]) != "other"},
        {(key(r.c), label_key(r.label), _number(r.value)) for r in graph.query(Q_STATS)})

    result["evidence"] = evidence_share(graph, articles_dir)
    result["macro_f1"] = round(sum(result[k]["f1"] for k in KINDS) / len(KINDS), 3)
    result["per_category"] = per_category
    return result


def _space(text: object) -> str:
    return re.sub(r"\s+", " ", str(text)).strip()


def evidence_share(graph: Graph, articles_dir: Path | None) -> dict:
    facts: dict = {}
    for r in graph.query(Q_EVIDENCE):
        entry = facts.setdefault(r.fact, {"evidence": set(), "files": set()})
        if r.evidence is not None:
            entry["evidence"].add(str(r.evidence))
        if r.file is not None:
            entry["files"].add(str(r.file))
    out = {"facts": len(facts), "with_evidence_and_source": sum(1 for e in facts.values() if e["evidence"] and e["files"])}
    if articles_dir is not None:
        texts = {f.name: _space(f.read_text(encoding="utf-8", errors="replace"))
                 for f in Path(articles_dir).iterdir() if f.is_file()}
        verbatim = sum(1 for e in facts.values()
                       if any(_space(ev) in texts.get(fn, "") for ev in e["evidence"] for fn in e["files"]))
        out["verbatim"] = verbatim
        out["verbatim_share"] = round(verbatim / len(facts), 3) if facts else None
    return out


Q_STATEMENTS = _PREFIXES + """
SELECT ?file ?evidence ?label WHERE { ?f a ckg:%s ; ckg:%s ?concept ; ckg:evidence ?evidence ;
  prov:wasDerivedFrom/ckg:sourceFile ?file .
  ?concept skos:broader* ?top . ?top skos:topConceptOf ckg:%s ; skos:prefLabel ?label . }"""

#: (gold key, graph class, graph property, scheme) of the kinds that have categories
CATEGORY_KINDS = (("failings", "category", "Finding", "failing", "FailingScheme"),
                  ("recommendations", "category", "Recommendation", "failing", "FailingScheme"),
                  ("responses", "type", "Response", "responseType", "ResponseScheme"))


def confusion(graph: Graph, golds: list[dict]) -> dict:
    """Statement by statement: for each gold fact of a kind with categories, the categories the
    graph gives the same statement (a fact of the same article whose evidence overlaps the gold
    evidence), counted as (gold category, found category); ``(missed)`` when the graph says
    nothing of that statement, and ``(extra)`` pairs for found statements no gold fact covers."""
    by_file = {g["article"]: g for g in golds}
    out: dict = {}
    for kind, field_name, cls, prop, scheme in CATEGORY_KINDS:
        found: dict[str, list[tuple[str, str]]] = {}
        for r in graph.query(Q_STATEMENTS % (cls, prop, scheme)):
            if str(r.file) in by_file:
                found.setdefault(str(r.file), []).append((_space(r.evidence), label_key(r.label)))
        table: dict = {}
        for file, gold in by_file.items():
            statements = found.get(file, [])
            covered = set()
            for x in gold.get(kind, []):
                label = label_key(x.get(field_name))
                ev = _space(x.get("evidence") or "")
                same = {lab for i, (fev, lab) in enumerate(statements)
                        if ev and (ev in fev or fev in ev) and not covered.add(i)}
                # the statement found with the gold category agrees; else each category it got instead
                for lab in [label] if label in same else sorted(same) or ["(missed)"]:
                    table[(label, lab)] = table.get((label, lab), 0) + 1
            for i, (_, lab) in enumerate(statements):
                if i not in covered:
                    table[("(extra)", lab)] = table.get(("(extra)", lab), 0) + 1
        out[kind] = {f"{g} -> {f}": n for (g, f), n in sorted(table.items())}
    return out


def score_graph(graph_path: Path, gold_dir: Path, articles_dir: Path | None = None) -> dict:
    graph = Graph()
    graph.parse(str(graph_path))
    golds = load_gold(gold_dir)
    result = score(graph, golds, articles_dir)
    result["confusion"] = confusion(graph, golds)
    return result


def format_table(result: dict) -> str:
    lines = [f"{'kind':<16}{'P':>7}{'R':>7}{'F1':>7}{'gold':>6}{'found':>7}  notes"]
    for kind in KINDS:
        v = result[kind]
        notes = ", ".join(f"{k} {v[k]}" for k in ("year_accuracy", "amount_accuracy", "organisation_accuracy",
                                                   "role_accuracy") if k in v)
        lines.append(f"{kind:<16}{v['precision']:>7}{v['recall']:>7}{v['f1']:>7}{v['gold']:>6}{v['found']:>7}  {notes}")
    ev = result["evidence"]
    lines.append(f"evidence: {ev}")
    lines.append(f"macro F1 {result['macro_f1']}")
    for kind, rows in result.get("per_category", {}).items():
        lines.append("")
        lines.append(f"{kind} by category{'':<22}{'P':>7}{'R':>7}{'F1':>7}{'gold':>6}{'found':>7}")
        for label, v in rows.items():
            lines.append(f"  {label:<44}{v['precision']:>7}{v['recall']:>7}{v['f1']:>7}{v['gold']:>6}{v['found']:>7}")
    for kind, rows in result.get("confusion", {}).items():
        lines.append("")
        lines.append(f"{kind}: confusion by statement (gold category -> what the graph says of that sentence)")
        for pair, n in rows.items():
            if pair.split(" -> ")[0] != pair.split(" -> ")[1]:
                lines.append(f"  {n:>4}  {pair}")
        agree = sum(n for pair, n in rows.items() if pair.split(" -> ")[0] == pair.split(" -> ")[1])
        lines.append(f"  {agree:>4}  (same category)")
    return "\n".join(lines)
