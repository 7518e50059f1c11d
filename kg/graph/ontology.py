"""The ontology, taxonomies and SHACL shapes: loading them, and validating a graph against them.

The three Turtle files in ``ontology/`` are data; this module only reads them and runs pyshacl.

>>> from rdflib import Graph, Literal, RDF, RDFS
>>> from kg.graph.namespaces import CKG, council_iri
>>> data = load_ontology()
>>> bradford = council_iri("E08000032")
>>> _ = data.add((bradford, RDF.type, CKG.Council))
>>> _ = data.add((bradford, RDFS.label, Literal("Bradford")))
>>> _ = data.add((bradford, CKG.gssCode, Literal("E8000032")))
>>> result = validate(data)
>>> result.conforms
False
>>> print(result.violations[0])  # doctest: +ELLIPSIS
id:council/E08000032 ckg:gssCode: The council's ckg:gssCode is not an English ONS GSS code ... (value: "E8000032")
"""
from __future__ import annotations

import functools
import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SKOS
from rdflib.term import Node

from kg import config
from kg.graph.namespaces import CKG, ORG, PREFIXES_BY_LENGTH, SH, bind_prefixes

log = logging.getLogger(__name__)

#: The files of the ontology directory, by role.
ONTOLOGY_FILES = ("councilkg.ttl", "taxonomies.ttl")
SHAPES_FILE = "shapes.ttl"

#: Triples whose presence shows that a data graph already carries the ontology and taxonomies.
_VOCABULARY_MARKERS = (
    (CKG.Council, RDFS.subClassOf, ORG.Organization),
    (CKG.RatingScheme, RDF.type, SKOS.ConceptScheme),
)


@dataclass
class ValidationResult:
    """The outcome of a SHACL validation.

    ``violations`` holds one readable line per sh:Violation ("focus path: message (value: ...)"),
    ``warnings`` one per sh:Warning or sh:Info (these do not make a graph non-conforming).
    ``report`` is pyshacl's report graph, for tools that want the raw results.
    """

    conforms: bool
    violations: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    report: Graph | None = field(default=None, repr=False)
    seconds: float = 0.0

    def __bool__(self) -> bool:
        return self.conforms


class ValidationError(Exception):
    """Raised by :func:`ensure_valid` when a graph does not conform to the shapes."""

    def __init__(self, violations: list[str], *, shown: int = 20) -> None:
        self.violations = list(violations)
        lines = self.violations[:shown]
        more = len(self.violations) - len(lines)
        text = f"graph does not conform to the shapes ({len(self.violations)} violations):\n  "
        text += "\n  ".join(lines)
        if more > 0:
            text += f"\n  ... and {more} more"
        super().__init__(text)


def _parse(paths: list[Path]) -> Graph:
    graph = Graph()
    bind_prefixes(graph)
    for path in paths:
        if not path.is_file():
            raise FileNotFoundError(f"ontology file not found: {path}")
        graph.parse(path, format="turtle")
    return graph


def load_ontology(directory: Path = config.ONTOLOGY) -> Graph:
    """The OWL ontology and the SKOS taxonomies, in one graph (a fresh one on every call)."""
    directory = Path(directory)
    return _parse([directory / name for name in ONTOLOGY_FILES])


def load_shapes(directory: Path = config.ONTOLOGY) -> Graph:
    """The SHACL shapes graph."""
    return _parse([Path(directory) / SHAPES_FILE])


_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)


def _lift_property_shapes(shapes: Graph) -> Graph:
    """A copy of ``shapes`` in which targeted node shapes hand their targets to their property shapes.

    ``N sh:targetClass C ; sh:property P`` becomes ``P sh:targetClass C`` (and N loses the link):
    the same focus nodes meet the same constraints and give the same results, but pyshacl then
    evaluates P once over all its focus nodes, instead of once per focus node, which is about five
    times faster on a graph of thousands of facts. Node shapes that other shapes refer to
    (sh:node, sh:not, sh:qualifiedValueShape, lists of sh:or / sh:and / sh:xone) are left alone.
    """
    lifted = Graph()
    for triple in shapes:
        lifted.add(triple)
    referenced = {
        node
        for predicate in (SH.node, SH["not"], SH.qualifiedValueShape)
        for node in lifted.objects(None, predicate)
    }
    for predicate in (SH["or"], SH["and"], SH.xone):
        for head in lifted.objects(None, predicate):
            referenced.update(Collection(lifted, head))
    for shape in set(lifted.subjects(SH.property, None)):
        targets = [(p, o) for p in _TARGETS for o in lifted.objects(shape, p)]
        if not targets or shape in referenced or (shape, SH.deactivated, Literal(True)) in lifted:
            continue
        for prop in list(lifted.objects(shape, SH.property)):
            if any(True for p in _TARGETS for _ in lifted.objects(prop, p)):
                continue  # a property shape with targets of its own is not lifted
            for p, o in targets:
                lifted.add((prop, p, o))
            lifted.add((prop, RDF.type, SH.PropertyShape))
            lifted.remove((shape, SH.property, prop))
    return lifted


@functools.lru_cache(maxsize=1)
def _default_lifted_shapes() -> Graph:
    """The project's shapes, lifted, parsed once per process: the side validator checks one
    batch after another with them (pyshacl only reads the shapes graph)."""
    return _lift_property_shapes(load_shapes())


@functools.lru_cache(maxsize=1)
def _default_vocabulary() -> Graph:
    """The ontology and taxonomies, parsed once per process, to add to data that lacks them
    (only ever read: :func:`validate` copies it into a new graph)."""
    return load_ontology()


def _union(data: Graph) -> Graph:
    """A plain Graph of every triple of a Dataset (a Graph is returned as it is).

    pyshacl would validate each named graph of a Dataset on its own, but a fact's graph does not
    hold the taxonomy or the council it points to: the contract's graph is the union.
    """
    if data.context_aware:  # a Dataset (or the deprecated ConjunctiveGraph)
        union = Graph()
        bind_prefixes(union)
        for s, p, o, _ in data.quads((None, None, None, None)):
            union.add((s, p, o))
        return union
    return data


def _has_vocabulary(data: Graph) -> bool:
    return all(triple in data for triple in _VOCABULARY_MARKERS)


def validate(
    data: Graph,
    *,
    shapes: Graph | None = None,
    ontology: Graph | None = None,
) -> ValidationResult:
    """Validate ``data`` (a Graph, or a Dataset taken as the union of its graphs) with SHACL.

    No inference is run: class hierarchy (a ckg:Council is an org:Organization) and the SKOS
    schemes are read from the data graph, which normally includes the ontology and taxonomies
    (out/graph.ttl does). When it does not, the ontology (``ontology`` or :func:`load_ontology`)
    is added to a copy of the data first; the caller's graph is never modified.
    """
    started = time.perf_counter()
    import pyshacl  # lazily: importing pyshacl takes about a second

    lifted = _default_lifted_shapes() if shapes is None else _lift_property_shapes(shapes)
    target = _union(data)
    if not _has_vocabulary(target):
        log.debug("data graph lacks the ontology and taxonomies: validating a copy with them added")
        vocabulary = _default_vocabulary() if ontology is None else ontology
        mixed = Graph()
        bind_prefixes(mixed)
        for triple in target:
            mixed.add(triple)
        for triple in vocabulary:
            mixed.add(triple)
        target = mixed
    conforms, report, _ = pyshacl.validate(
        target,
        shacl_graph=lifted,
        inference="none",
        abort_on_first=False,
        allow_warnings=True,
        allow_infos=True,
        advanced=False,
        meta_shacl=False,
        do_owl_imports=False,
        inplace=True,  # pyshacl only reads the data graph when there is no inference to run
    )
    violations, warnings = _describe(report, target)
    seconds = time.perf_counter() - started
    log.info(
        "validated %d triples in %.2f s: %d violations, %d warnings",
        len(target), seconds, len(violations), len(warnings),
    )
    return ValidationResult(bool(conforms), violations, warnings, report, seconds)


def ensure_valid(
    data: Graph,
    *,
    shapes: Graph | None = None,
    ontology: Graph | None = None,
) -> ValidationResult:
    """Like :func:`validate`, but raise :class:`ValidationError` when the graph does not conform."""
    result = validate(data, shapes=shapes, ontology=ontology)
    if not result.conforms:
        raise ValidationError(result.violations)
    for warning in result.warnings:
        log.warning("shapes: %s", warning)
    return result


def _describe(report: Graph, data: Graph) -> tuple[list[str], list[str]]:
    """One readable line per validation result, violations and the rest apart, sorted.

    When a result has no sh:value (sh:hasValue over a path, counts), the values of the path's
    first step are shown instead, so that the line names the offending concept or fact.
    """
    violations: list[str] = []
    warnings: list[str] = []
    seen: set[str] = set()
    for result in report.objects(None, SH.result):  # top-level results, not nested sh:detail
        focus = report.value(result, SH.focusNode)
        path = report.value(result, SH.resultPath)
        value = report.value(result, SH.value)
        severity = report.value(result, SH.resultSeverity)
        messages = [m for m in report.objects(result, SH.resultMessage) if isinstance(m, Literal)]
        english = [m for m in messages if m.language in (None, "en")]
        message = str((english or messages or ["(no message)"])[0])
        line = f"{_name(focus)}"
        if path is not None:
            line += f" {_path(report, path)}"
        line += f": {message}"
        if value is not None and value != focus:
            line += f" (value: {_name(value)})"
        elif value is None and focus is not None and path is not None:
            shown = _first_step_values(report, path, focus, data)
            if shown:
                line += f" (values: {', '.join(shown)})"
        if line in seen:  # one line per problem, even when two constraints of a shape fail
            continue
        seen.add(line)
        if severity == SH.Violation or severity is None:
            violations.append(line)
        else:
            warnings.append(f"{_name(severity).removeprefix('sh:')}: {line}")
    return sorted(violations), sorted(warnings)


def _first_step_values(report: Graph, path: Node, focus: Node, data: Graph, limit: int = 3) -> list[str]:
    """Short names of the nodes one step along ``path`` from ``focus``, for a result with no value."""
    if isinstance(path, BNode) and (path, RDF.first, None) in report:
        path = report.value(path, RDF.first)
        if not isinstance(path, URIRef):
            return []
        values = list(data.objects(focus, path))
    elif isinstance(path, BNode) and isinstance(report.value(path, SH.inversePath), URIRef):
        values = list(data.subjects(report.value(path, SH.inversePath), focus))
    else:
        return []
    names = sorted(_name(v) for v in values)
    return names[:limit] + ([f"... {len(names) - limit} more"] if len(names) > limit else [])


def _name(node: Node | None) -> str:
    """A short form of a node: a prefixed name, a quoted literal, or the IRI in angle brackets."""
    if node is None:
        return "?"
    if isinstance(node, Literal):
        text = str(node)
        shown = f'"{text[:80]}…"' if len(text) > 80 else f'"{text}"'
        if node.datatype is not None:
            shown += f"^^{_name(node.datatype)}"
        elif node.language:
            shown += f"@{node.language}"
        return shown
    if isinstance(node, URIRef):
        for prefix, namespace in PREFIXES_BY_LENGTH:  # short readable names (id:council/E08000032)
            if node.startswith(namespace) and len(node) > len(namespace):
                return f"{prefix}:{node[len(namespace):]}"
        return f"<{node}>"
    return f"_:{node}"


def _path(report: Graph, path: Node) -> str:
    """A SHACL property path in SPARQL syntax (``ckg:failing/skos:broader*``)."""
    if not isinstance(path, BNode):
        return _name(path)
    if (path, RDF.first, None) in report:
        return "/".join(_path(report, step) for step in Collection(report, path))
    for predicate, suffix in ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?")):
        inner = report.value(path, predicate)
        if inner is not None:
            shown = _path(report, inner)
            return f"{shown}{suffix}" if isinstance(inner, URIRef) else f"({shown}){suffix}"
    inner = report.value(path, SH.inversePath)
    if inner is not None:
        return f"^{_path(report, inner)}"
    inner = report.value(path, SH.alternativePath)
    if inner is not None:
        return "(" + "|".join(_path(report, step) for step in Collection(report, inner)) + ")"
    return "[path]"


# --------------------------------------------------------------------------------------------
# validation beside the extraction


def validate_turtle(text: str) -> list[str]:
    """The violations of a Turtle document (with the ontology added): the work of one batch
    in :class:`BatchValidator`'s side process."""
    data = Graph()
    data.parse(data=text, format="turtle")
    return validate(data).violations


def _warm_up() -> None:
    """In the side process: what every batch needs, loaded once."""
    import pyshacl  # noqa: F401

    _default_lifted_shapes()
    _default_vocabulary()


class BatchValidator:
    """Validates batches of new article graphs in a side process, so that SHACL runs on the
    other core while spaCy parses the next articles (and pyshacl is never imported by the
    main process). A batch is given as Turtle text with the items it vouches for; an item
    reaches ``accept`` only once its batch conforms. :meth:`finish` waits for every batch and
    raises :class:`ValidationError` with the violations of those that failed.

    ``side_process=False`` validates in the calling process, batch by batch.
    """

    def __init__(self, accept, *, side_process: bool = True) -> None:
        self.accept = accept
        self.side_process = side_process
        self._pool = None
        self._running: list = []
        self.violations: list[str] = []

    def start(self) -> None:
        """Start the side process now and have it load pyshacl, the shapes and the ontology
        while the caller loads spaCy, so that the first batch does not wait for them."""
        if self.side_process and self._pool is None:
            from concurrent.futures import ProcessPoolExecutor

            from kg import sideprocess

            self._pool = ProcessPoolExecutor(1, mp_context=sideprocess.context(),
                                             initializer=sideprocess.exit_with_parent, initargs=(os.getpid(),))
            self._pool.submit(_warm_up)

    def submit(self, turtle: str, items: list) -> None:
        if not self.side_process:
            self._settle(validate_turtle(turtle), items)
            return
        self.start()
        self._running.append((self._pool.submit(validate_turtle, turtle), items))
        self._collect(wait=False)

    def _settle(self, violations: list[str], items: list) -> None:
        if violations:
            self.violations.extend(violations)
        else:
            for item in items:
                self.accept(item)

    def _collect(self, *, wait: bool) -> None:
        still = []
        for future, items in self._running:
            if wait or future.done():
                self._settle(future.result(), items)
            else:
                still.append((future, items))
        self._running = still
        if self.violations:
            self.close()
            raise ValidationError(sorted(set(self.violations)))

    def finish(self) -> None:
        try:
            self._collect(wait=True)
        finally:
            self.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        self._running = []
