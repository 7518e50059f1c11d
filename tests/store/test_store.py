"""kg.store (local, endpoint, push): the persisted store, push to a real Oxigraph server, the read-only endpoint."""
from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg import config
from kg.store import endpoint as endpoint_module
from kg.store import local
from kg.store import push as push_module
from kg.store.endpoint import free_port, oxigraph_executable, serve
from kg.store.local import ensure_store, open_store, store_path
from kg.store.push import PushError, push
from tests.fixtures.sample_graph import sample_out, write_sample_out  # noqa: F401 - sample_out is a fixture

CROSS4 = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
COUNCILS = ("PREFIX ckg: <https://w3id.org/councilkg/def#> "
            "SELECT DISTINCT ?c WHERE { ?c a ckg:Council }")
JSON = "application/sparql-results+json"


def trig_quads(out_dir: Path) -> Counter:
    """Quads per graph name of graph.trig, as pyoxigraph reads it (DEFAULT for the default graph)."""
    quads = ox.parse(path=str(out_dir / "graph.trig"), format=ox.RdfFormat.TRIG)
    return Counter(str(q.graph_name) for q in set(quads))


# --------------------------------------------------------------------------- the embedded store


def test_store_keeps_named_graphs_and_holds_the_union_in_the_default_graph(sample_out: Path):  # noqa: F811
    expected = trig_quads(sample_out)
    db = open_store(sample_out)
    named = {str(g) for g in db.named_graphs()}
    assert named == set(expected) - {"DEFAULT"}
    assert any(g.endswith("/def>") for g in named)  # the ontology graph of kg/graph/rdf.py
    for graph in named:
        assert sum(1 for _ in db.quads_for_pattern(None, None, None, ox.NamedNode(graph[1:-1]))) == expected[graph]
    in_named_graphs = [q.triple for q in db if not isinstance(q.graph_name, ox.DefaultGraph)]
    default = [q.triple for q in db.quads_for_pattern(None, None, None, ox.DefaultGraph())]
    assert len(in_named_graphs) > len(set(in_named_graphs))  # councils, people... recur across articles
    assert sorted(map(str, default)) == sorted(map(str, set(in_named_graphs)))  # a set: each triple once
    ttl = ox.parse(path=str(sample_out / "graph.ttl"), format=ox.RdfFormat.TURTLE)
    assert len(default) == len(set(ttl))  # the same triples as graph.ttl


def test_store_reloads_only_when_graph_trig_changes(sample_out: Path):  # noqa: F811
    assert ensure_store(sample_out) is True
    stamp = json.loads((store_path(sample_out) / local.STAMP).read_text())
    assert stamp["sha1"] == local._sha1(sample_out / "graph.trig")
    assert ensure_store(sample_out) is False
    before = len(open_store(sample_out))
    # same bytes, new mtime: hashed, found equal, not reloaded
    trig = sample_out / "graph.trig"
    os.utime(trig, ns=(time.time_ns(), time.time_ns() + 5_000_000_000))
    assert ensure_store(sample_out) is False
    assert ensure_store(sample_out) is False
    # new content: reloaded, and the new triple is there
    with open(trig, "a", encoding="utf-8") as handle:
        handle.write('\n<https://example.org/g> { <https://example.org/s> <https://example.org/p> "new" . }\n')
    assert ensure_store(sample_out) is True
    db = open_store(sample_out)
    assert len(db) == before + 2  # in its named graph and in the union
    assert ox.NamedNode("https://example.org/g") in set(db.named_graphs())
    assert not list(sample_out.glob(".store-*"))  # no leftovers of the load


def test_a_failed_load_leaves_the_previous_store_intact(sample_out: Path):  # noqa: F811
    good = len(open_store(sample_out))
    (sample_out / "graph.trig").write_text("<https://example.org/broken> { this is not TriG", encoding="utf-8")
    with pytest.raises(SyntaxError):
        open_store(sample_out)
    assert not list(sample_out.glob(".store-*"))
    assert len(ox.Store.read_only(str(store_path(sample_out)))) == good
    with pytest.raises(SyntaxError):  # still stale: tried again, not served from the old store
        open_store(sample_out)


def test_several_read_only_handles_at_once(sample_out: Path):  # noqa: F811
    first, second = open_store(sample_out), open_store(sample_out)
    assert len(first) == len(second) > 0


def test_missing_graph_is_a_clear_error(tmp_path: Path):
    with pytest.raises(FileNotFoundError, match="graph.trig"):
        open_store(tmp_path)


# --------------------------------------------------------------------------- helpers: real servers


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(config.ROOT), env.get("PYTHONPATH")]))
    return env


def _get(url: str, *, accept: str = JSON, timeout: float = 10.0) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"Accept": accept})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def _post(url: str, data: bytes, content_type: str, *, accept: str = JSON, timeout: float = 10.0) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=data, method="POST",
                                     headers={"Accept": accept, "Content-Type": content_type})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def _select(base: str, query: str) -> list[dict]:
    status, body = _get(f"{base}/query?" + urllib.parse.urlencode({"query": query}))
    assert status == 200, body
    return json.loads(body)["results"]["bindings"]


def _wait_ready(base: str, proc: subprocess.Popen, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        with contextlib.suppress(OSError):
            if _get(f"{base}/query?query=ASK%7B%7D", timeout=1)[0] == 200:
                return
        time.sleep(0.1)
    raise TimeoutError(f"{base} not ready")


def _stop(proc: subprocess.Popen, sig: int = signal.SIGTERM) -> int:
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return proc.returncode


@pytest.fixture
def oxigraph_server(tmp_path: Path):
    """A real read-write ``oxigraph serve`` on 127.0.0.1, for push."""
    port = free_port()
    proc = subprocess.Popen([str(oxigraph_executable()), "serve", "--location", str(tmp_path / "remote"),
                             "--bind", f"127.0.0.1:{port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(base, proc)
        yield base
    finally:
        _stop(proc)


def _remote_counts(base: str) -> tuple[int, dict[str, int]]:
    default = int(_select(base, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")[0]["n"]["value"])
    rows = _select(base, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    return default, {r["g"]["value"]: int(r["n"]["value"]) for r in rows}


# --------------------------------------------------------------------------- push


def test_push_twice_is_idempotent_and_keeps_named_graphs(sample_out: Path, oxigraph_server: str):  # noqa: F811
    expected = trig_quads(sample_out)
    first = push(sample_out, endpoint=f"{oxigraph_server}/store")
    after_first = _remote_counts(oxigraph_server)
    second = push(sample_out, endpoint=f"{oxigraph_server}/store")
    after_second = _remote_counts(oxigraph_server)
    assert first == second
    assert after_first == after_second
    default, named = after_second
    assert named == {g[1:-1]: n for g, n in expected.items() if g != "DEFAULT"}
    # the remote default graph is the union of every graph, as a set: what the local one holds
    union = {q.triple for q in ox.parse(path=str(sample_out / "graph.trig"), format=ox.RdfFormat.TRIG)}
    assert default == len(union) == first["default_triples"]
    assert first["named_graphs"] == len(named) and first["named_triples"] == sum(named.values())
    assert first["triples"] == first["named_triples"] + first["default_triples"]


def test_push_replaces_graphs_and_the_default_graph(tmp_path: Path, oxigraph_server: str):
    out = write_sample_out(tmp_path / "out", reference_graph=None)  # ontology in the default graph
    counts = push(out, endpoint=f"{oxigraph_server}/store")
    assert counts["default_triples"] > 100
    default, named = _remote_counts(oxigraph_server)
    assert default == counts["default_triples"]
    # a smaller graph.trig: pushing replaces, it does not merge
    small = tmp_path / "small"
    small.mkdir()
    article = next(iter(named))
    (small / "graph.trig").write_text(
        f'<{article}> {{ <https://example.org/s> <https://example.org/p> "only" . }}\n'
        '<https://example.org/x> <https://example.org/p> "default" .\n', encoding="utf-8")
    assert push(small, endpoint=f"{oxigraph_server}/store", union=False)["triples"] == 2
    default_after, named_after = _remote_counts(oxigraph_server)
    assert named_after[article] == 1 and default_after == 1
    assert push(small, endpoint=f"{oxigraph_server}/store")["triples"] == 3  # and the union: 2 in the default graph
    assert _remote_counts(oxigraph_server)[0] == 2
    assert {g: n for g, n in named_after.items() if g != article} == {g: n for g, n in named.items() if g != article}


def test_the_canned_questions_answer_the_same_after_a_push(sample_out: Path, oxigraph_server: str):  # noqa: F811
    """Every queries/*.rq on a plain `oxigraph serve` after `push` gives the rows it gives locally."""
    from kg.store.queries import PREFIX_IRIS, execute, load_queries

    push(sample_out, endpoint=f"{oxigraph_server}/store")
    local = open_store(sample_out)
    prologue = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIX_IRIS.items())
    for q in load_queries():
        columns, rows = execute(local, q.text)
        remote = _select(oxigraph_server, prologue + q.text)
        remote_rows = [[r.get(c, {}).get("value", "") for c in columns] for r in remote]
        assert sorted(remote_rows) == sorted(rows), q.name
        assert rows or q.params, f"{q.name} returns nothing on the sample"


def test_push_errors_are_reported(sample_out: Path, oxigraph_server: str):  # noqa: F811
    with pytest.raises(PushError, match="HTTP 404"):
        push(sample_out, endpoint=f"{oxigraph_server}/no-such-path")
    with pytest.raises(PushError, match="failed"):
        push(sample_out, endpoint=f"http://127.0.0.1:{free_port()}/store", timeout_s=5)
    with pytest.raises(ValueError, match="http"):
        push(sample_out, endpoint="ftp://example.org/store")


def test_credentials_in_the_url_become_basic_auth():
    url, headers = push_module._split_credentials("http://alice:s%40cret@127.0.0.1:3030/ds/data")
    assert url == "http://127.0.0.1:3030/ds/data"
    assert headers == {"Authorization": "Basic YWxpY2U6c0BjcmV0"}  # alice:s@cret
    assert push_module._graph_url(url, ox.NamedNode("https://w3id.org/councilkg/id/graph/ab")) == (
        "http://127.0.0.1:3030/ds/data?graph=https%3A%2F%2Fw3id.org%2Fcouncilkg%2Fid%2Fgraph%2Fab")
    assert push_module._graph_url("http://h/x?key=1", None) == "http://h/x?key=1&default"


# --------------------------------------------------------------------------- serve


def _serve_process(out_dir: Path, port: int, **options) -> subprocess.Popen:
    code = ("import logging, sys; from pathlib import Path; from kg.store.endpoint import serve; "
            "logging.basicConfig(level=logging.WARNING); "
            f"sys.exit(serve(Path(sys.argv[1]), port=int(sys.argv[2]), **{options!r}))")
    return subprocess.Popen([sys.executable, "-c", code, str(out_dir), str(port)], env=_env(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _children(pid: int) -> set[int]:
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                found.add(int(stat.parent.name))
    return found


@pytest.fixture
def endpoint(sample_out: Path):  # noqa: F811
    """``serve()`` in a subprocess with a 1 s time limit; yields (base URL, process)."""
    port = free_port()
    proc = _serve_process(sample_out, port, timeout_s=1, grace_s=1.0)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(base, proc)
        yield base, proc
    finally:
        _stop(proc)


def test_serve_answers_select_by_get_and_post(endpoint):
    base, _ = endpoint
    assert len(_select(base, COUNCILS)) == 3
    status, body = _post(f"{base}/query", urllib.parse.urlencode({"query": COUNCILS}).encode(),
                         "application/x-www-form-urlencoded")
    assert status == 200 and len(json.loads(body)["results"]["bindings"]) == 3
    status, body = _post(f"{base}/query", COUNCILS.encode(), "application/sparql-query", accept="text/csv")
    assert status == 200 and body.decode().splitlines()[0] == "c" and len(body.decode().splitlines()) == 4


def test_serve_runs_the_canned_queries_like_the_embedded_store(endpoint, sample_out: Path):  # noqa: F811
    from kg.store.queries import load_queries, run_query

    base, _ = endpoint
    for query in load_queries():
        _, rows = run_query(sample_out, query.text)
        assert len(_select(base, query.text)) == len(rows), query.name


def test_serve_refuses_updates(endpoint, sample_out: Path):  # noqa: F811
    base, _ = endpoint
    status, _ = _post(f"{base}/update", urllib.parse.urlencode({"update": "DROP ALL"}).encode(),
                      "application/x-www-form-urlencoded")
    assert status == 403
    status, _ = _post(f"{base}/update", b"DROP ALL", "application/sparql-update")
    assert status == 403
    status, _ = _post(f"{base}/query", b"DROP ALL", "application/sparql-update")
    assert status in (400, 403, 415)
    request = urllib.request.Request(f"{base}/store?default", data=b"<http://x> <http://y> <http://z> .",
                                     method="PUT", headers={"Content-Type": "text/turtle"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 403
    with pytest.raises(PushError, match="HTTP 403"):
        push(sample_out, endpoint=f"{base}/store")
    assert len(_select(base, COUNCILS)) == 3  # nothing was dropped


def test_serve_stops_a_query_past_the_time_limit(endpoint):
    base, _ = endpoint
    started = time.monotonic()
    request = urllib.request.Request(f"{base}/query?" + urllib.parse.urlencode({"query": CROSS4}),
                                     headers={"Accept": JSON})
    with pytest.raises((urllib.error.HTTPError, http.client.IncompleteRead, ConnectionError)) as stopped:
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()
    elapsed = time.monotonic() - started
    assert elapsed < 10, f"took {elapsed:.1f} s for a 1 s limit (+1 s grace)"
    if isinstance(stopped.value, urllib.error.HTTPError):
        assert stopped.value.code == 503
    # the server still answers, promptly
    started = time.monotonic()
    assert len(_select(base, COUNCILS)) == 3
    assert time.monotonic() - started < 3


def test_serve_caps_the_response_size(sample_out: Path):  # noqa: F811
    port = free_port()
    proc = _serve_process(sample_out, port, timeout_s=5, max_response_bytes=4000)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(base, proc)
        assert len(_select(base, COUNCILS)) == 3  # small answers pass
        request = urllib.request.Request(f"{base}/query?" + urllib.parse.urlencode(
            {"query": "SELECT * WHERE { ?s ?p ?o }"}), headers={"Accept": "text/csv"})
        with pytest.raises(http.client.IncompleteRead):
            with urllib.request.urlopen(request, timeout=30) as response:
                response.read()
    finally:
        _stop(proc)


def test_serve_stops_cleanly_with_its_server(sample_out: Path):  # noqa: F811
    port = free_port()
    proc = _serve_process(sample_out, port, timeout_s=5)
    base = f"http://127.0.0.1:{port}"
    _wait_ready(base, proc)
    children = _children(proc.pid)
    assert children, "oxigraph runs as a child process"
    assert _stop(proc, signal.SIGINT) == 0
    time.sleep(0.2)
    assert not any(Path(f"/proc/{pid}").exists() and "oxigraph" in Path(f"/proc/{pid}/cmdline").read_text(
        errors="replace") for pid in children)
    with pytest.raises(OSError):
        urllib.request.urlopen(f"{base}/query?query=ASK%7B%7D", timeout=2)


# --------------------------------------------------------------------------- the guard, against fake upstreams


class _FakeUpstream:
    """Stands in for endpoint_module._Upstream: a fixed port, counts restarts."""

    def __init__(self, port: int):
        self.port, self.generation, self.restarts = port, 0, 0

    def current(self) -> tuple[int, int]:
        return self.generation, self.port

    def restart(self, generation: int) -> None:
        if generation == self.generation:
            self.restarts += 1
            self.generation += 1


def _fake_server(handler: type[BaseHTTPRequestHandler]) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@contextlib.contextmanager
def _guard_in_front_of(handler: type[BaseHTTPRequestHandler], **limits):
    upstream_server = _fake_server(handler)
    upstream = _FakeUpstream(upstream_server.server_address[1])
    options = {"deadline_s": 1.0, "cancel_after_s": 0.5, "max_response_bytes": None, "max_request_bytes": 1000}
    options.update(limits)
    guard = endpoint_module._GuardServer(("127.0.0.1", 0), upstream, **options)
    threading.Thread(target=guard.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{guard.server_address[1]}", upstream
    finally:
        guard.shutdown()
        guard.server_close()
        upstream_server.shutdown()
        upstream_server.server_close()


class _Hangs(BaseHTTPRequestHandler):
    def do_GET(self):
        time.sleep(5)

    def log_message(self, *args):
        pass


class _CancelsLate(BaseHTTPRequestHandler):
    """Answers like oxigraph after its own time limit: 200, then the notice at the end."""

    protocol_version = "HTTP/1.1"

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/csv")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for part in (b"n\r\n1\r\n", b"2\r\n"):
            self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
            time.sleep(0.35)
        notice = b"The SPARQL operation has been cancelled"
        self.wfile.write(b"%x\r\n%s\r\n0\r\n\r\n" % (len(notice), notice))

    def log_message(self, *args):
        pass


class _Answers(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        body = b"n\r\n" + b"1\r\n" * 10
        self.send_response(200)
        self.send_header("Content-Type", "text/csv")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_guard_answers_503_and_restarts_a_server_that_hangs():
    with _guard_in_front_of(_Hangs) as (base, upstream):
        started = time.monotonic()
        status, body = _get(f"{base}/query?query=x", timeout=10)
        assert status == 503 and b"time limit" in body
        assert time.monotonic() - started < 2.5
        time.sleep(0.2)
        assert upstream.restarts == 1


def test_guard_turns_a_cancelled_query_into_an_error():
    with _guard_in_front_of(_CancelsLate, deadline_s=5.0) as (base, upstream):
        with pytest.raises(http.client.IncompleteRead) as cut:
            with urllib.request.urlopen(f"{base}/query?query=x", timeout=10) as response:
                response.read()
        assert b"cancelled" not in cut.value.partial
        assert upstream.restarts == 0  # oxigraph stopped it by itself


def test_guard_passes_complete_answers_and_refuses_writes():
    with _guard_in_front_of(_Answers) as (base, _):
        status, body = _get(f"{base}/query?query=x", accept="text/csv")
        assert status == 200 and body == b"n\r\n" + b"1\r\n" * 10
        assert _post(f"{base}/update", b"update=DROP+ALL", "application/x-www-form-urlencoded")[0] == 403
        assert _post(f"{base}/query", b"x" * 2000, "application/sparql-query")[0] == 413
    with _guard_in_front_of(_Answers, max_response_bytes=20) as (base, _):
        with pytest.raises(http.client.IncompleteRead):
            with urllib.request.urlopen(f"{base}/query?query=x", timeout=10) as response:
                response.read()


def test_serve_fails_fast_when_the_port_is_taken(sample_out: Path):  # noqa: F811
    with contextlib.closing(socket.socket()) as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        with pytest.raises(OSError):
            serve(sample_out, port=busy.getsockname()[1], timeout_s=1)


def test_serve_survives_a_bounded_burst_of_concurrent_queries(endpoint):
    """40 queries from 8 threads at once, on loopback only, bounded in count and time: all answered."""
    from concurrent.futures import ThreadPoolExecutor

    base, _ = endpoint
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: len(_select(base, COUNCILS)), range(40), timeout=60))
    assert results == [3] * 40
    assert time.monotonic() - started < 60
