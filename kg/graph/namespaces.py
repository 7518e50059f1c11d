"""Every prefix and IRI base in one table, and the one place where IRIs are minted.

IRIs are stable: they depend only on the input (a GSS code, a slug of a name, a hash of
content), never on the order of processing, the machine or the clock.

>>> str(council_iri("E08000032"))
'https://w3id.org/councilkg/id/council/E08000032'
>>> str(person_iri("Sir Michael Wilshaw"))
'https://w3id.org/councilkg/id/person/michael-wilshaw'
>>> str(concept_iri("failing", "high caseloads"))
'https://w3id.org/councilkg/def#failing-high-caseloads'
"""
from __future__ import annotations

import hashlib
import re
import unicodedata

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, XSD

CKG = Namespace("https://w3id.org/councilkg/def#")
ID = Namespace("https://w3id.org/councilkg/id/")
ORG = Namespace("http://www.w3.org/ns/org#")
SCHEMA = Namespace("https://schema.org/")
SH = Namespace("http://www.w3.org/ns/shacl#")

#: The one prefix table: used for every serialisation and every query.
PREFIXES: dict[str, Namespace] = {
    "ckg": CKG,
    "id": ID,
    "org": ORG,
    "prov": Namespace(str(PROV)),
    "schema": SCHEMA,
    "skos": Namespace(str(SKOS)),
    "dcterms": Namespace(str(DCTERMS)),
    "foaf": Namespace(str(FOAF)),
    "rdfs": Namespace(str(RDFS)),
    "rdf": Namespace(str(RDF)),
    "owl": Namespace(str(OWL)),
    "xsd": Namespace(str(XSD)),
    "sh": SH,
}

#: (prefix, namespace) pairs, longest namespace first: the prefix that shortens an IRI most wins.
PREFIXES_BY_LENGTH = tuple(sorted(((p, str(ns)) for p, ns in PREFIXES.items()), key=lambda item: -len(item[1])))

#: Concept-scheme keys used in concept IRIs: ``ckg:<key>-<slug of prefLabel>``.
SCHEMES = {
    "rating": CKG.RatingScheme,
    "failing": CKG.FailingScheme,
    "response": CKG.ResponseScheme,
    "measure": CKG.MeasureScheme,
    "inspectiontype": CKG.InspectionTypeScheme,
}

_HONORIFICS = re.compile(
    r"^(?:(?:sir|dame|dr|doctor|professor|prof|mr|mrs|ms|miss|cllr|coun|councillor|lord|lady|baroness|rev|reverend)\.?\s+)+",
    re.IGNORECASE,
)


def slug(text: str) -> str:
    """Lower-case ASCII slug: accents folded, runs of other characters become one hyphen.

    >>> slug("Children’s services: Bradford & Co.")
    'childrens-services-bradford-co'
    """
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("’", "").replace("'", "").lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-") or "x"


def strip_honorifics(name: str) -> str:
    """'Sir Michael Wilshaw' -> 'Michael Wilshaw'."""
    return _HONORIFICS.sub("", name.strip()).strip()


def digest(*parts: object, length: int = 16) -> str:
    """A short, stable hex digest of the parts (joined with a unit separator)."""
    raw = "\x1f".join("" if p is None else str(p) for p in parts)
    return hashlib.sha1(raw.encode("utf-8")).hexdigest()[:length]


def council_iri(gss_code: str) -> URIRef:
    return ID[f"council/{gss_code}"]


def person_iri(name: str) -> URIRef:
    return ID[f"person/{slug(strip_honorifics(name))}"]


def organisation_iri(key: str) -> URIRef:
    """A non-council organisation (Ofsted, ADCS, ...), keyed by its gazetteer id or name."""
    return ID[f"org/{slug(key)}"]


def role_iri(label: str) -> URIRef:
    return ID[f"role/{slug(label)}"]


def article_iri(content_sha1: str) -> URIRef:
    return ID[f"article/{content_sha1[:16]}"]


def comment_iri(article_sha1: str, number: str) -> URIRef:
    return ID[f"comment/{article_sha1[:16]}-{slug(number)}"]


def fact_iri(kind: str, *key: object) -> URIRef:
    """A fact's IRI from its kind and identifying content (not from its article), so that the
    same fact stated by two copies of one story is one node with two derivations."""
    return ID[f"{slug(kind)}/{digest(kind, *key)}"]


def concept_iri(scheme: str, label: str) -> URIRef:
    if scheme not in SCHEMES:
        raise KeyError(f"unknown concept scheme {scheme!r}; known: {sorted(SCHEMES)}")
    return CKG[f"{scheme}-{slug(label)}"]


def graph_iri(article_sha1: str) -> URIRef:
    """The named graph that holds one article's facts."""
    return ID[f"graph/{article_sha1[:16]}"]


def bind_prefixes(graph) -> None:
    """Bind the project's prefixes on an rdflib Graph or Dataset."""
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, URIRef(str(ns)), override=True, replace=True)
