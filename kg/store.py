"""The graph as a triple store: an embedded pyoxigraph store, a read-only SPARQL endpoint, and a
push to any SPARQL 1.1 Graph Store.

- :func:`open_store` gives a read-only pyoxigraph store persisted in ``OUT/store``, (re)loaded from
  ``OUT/graph.trig`` (named graphs kept) only when that file changed since the last load. A load
  goes into a temporary folder that replaces ``OUT/store`` only once complete, so an interrupted
  load never leaves a half-filled store behind. The SHA-1 of the source is kept in a stamp file
  inside the store folder, written before the swap, so the stamp always describes the store next
  to it.
- The store's default graph holds the union of all graphs, as a set: exactly the triples of
  ``graph.ttl``. Oxigraph's own "union default graph" mode is a bag (a triple in two article
  graphs, such as a council's label, matches twice), which doubles sums and counts; a
  materialised union gives the same answers as a Turtle reader. ``GRAPH ?g`` still reaches each
  article's own graph.
- :func:`serve` runs the real ``oxigraph serve-read-only`` server over that store behind a thin
  guard (see :class:`_Guard`) that makes the query time limit hard. Oxigraph's own
  ``--timeout-s`` is cooperative: measured with 0.5.13, a four-way cross product of 3,000 triples
  was still running a minute past a 1 s limit, and a cancelled query ends its (already
  started, HTTP 200) response cleanly with an error text appended, which a CSV client cannot tell
  from data. The guard turns both cases into an aborted response (or a 503 before any byte was
  sent), restarts the server process when a query outlives the limit plus a grace period, and can
  cap the size of a response.
- :func:`push` replaces, graph by graph, the content of a remote store over the SPARQL 1.1 Graph
  Store HTTP Protocol (Oxigraph ``/store``, Fuseki ``/ds/data``, GraphDB, Virtuoso), so that
  pushing again never duplicates a triple.
"""
from __future__ import annotations

import base64
import contextlib
import fcntl
import gc
import hashlib
import http.client
import json
import logging
import math
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pyoxigraph as ox

log = logging.getLogger(__name__)

STORE_DIR = "store"
SOURCE = "graph.trig"
#: Lives inside the store folder (RocksDB ignores files it did not name).
STAMP = "councilkg-source.json"
_LOCK = ".store.lock"
_CHUNK = 64 * 1024


# --------------------------------------------------------------------------- embedded store


def store_path(out_dir: Path) -> Path:
    """Where the persisted store of an output folder lives."""
    return Path(out_dir) / STORE_DIR


def _sha1(path: Path) -> str:
    digest = hashlib.sha1()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _read_stamp(store: Path) -> dict:
    try:
        return json.loads((store / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _write_stamp(store: Path, stamp: dict) -> None:
    tmp = store / f".{STAMP}.{uuid.uuid4().hex}.tmp"
    tmp.write_text(json.dumps(stamp, indent=2), encoding="utf-8")
    os.replace(tmp, store / STAMP)


@contextlib.contextmanager
def _locked(out_dir: Path) -> Iterator[None]:
    """An exclusive lock on the output folder's store, across processes."""
    with open(out_dir / _LOCK, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _is_current(store: Path, source: Path) -> bool:
    """True when the store holds exactly ``source``: same size and mtime (cheap), or failing
    that the same SHA-1 (then the stamp is refreshed so the next check is cheap again)."""
    stamp = _read_stamp(store)
    if not stamp or not (store / "CURRENT").exists():
        return False
    stat = source.stat()
    if stamp.get("size") == stat.st_size and stamp.get("mtime_ns") == stat.st_mtime_ns:
        return True
    if stamp.get("size") != stat.st_size or stamp.get("sha1") != _sha1(source):
        return False
    _write_stamp(store, {**stamp, "mtime_ns": stat.st_mtime_ns})
    return True


def _load(source: Path, store: Path) -> dict:
    """Bulk-load ``source`` into a new store beside ``store``, then swap it in."""
    out_dir = store.parent
    tmp = out_dir / f".{STORE_DIR}-loading-{uuid.uuid4().hex[:12]}"
    old = out_dir / f".{STORE_DIR}-old-{uuid.uuid4().hex[:12]}"
    stat = source.stat()
    sha1 = _sha1(source)
    started = time.perf_counter()
    try:
        loading = ox.Store(str(tmp))
        loading.bulk_load(path=str(source), format=ox.RdfFormat.TRIG)
        quads = len(loading)
        graphs = sum(1 for _ in loading.named_graphs())
        # the union, into the default graph: re-parsing and bulk-extending is 4x faster than a
        # SPARQL "INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }" (9 s against 36 s at 1M)
        loading.bulk_extend(ox.Quad(q.subject, q.predicate, q.object)
                            for q in ox.parse(path=str(source), format=ox.RdfFormat.TRIG))
        loading.flush()
        del loading
        gc.collect()  # close RocksDB before the folder moves
        stamp = {"source": source.name, "sha1": sha1, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns,
                 "quads": quads, "named_graphs": graphs, "default_graph": "union of all graphs",
                 "loaded": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
        _write_stamp(tmp, stamp)
        if store.exists():
            os.rename(store, old)
        os.rename(tmp, store)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    shutil.rmtree(old, ignore_errors=True)
    log.info("loaded %s into %s: %d quads, %d named graphs in %.2f s",
             source, store, quads, graphs, time.perf_counter() - started)
    return stamp


def ensure_store(out_dir: Path, *, force: bool = False) -> bool:
    """Bring ``OUT/store`` up to date with ``OUT/graph.trig``; True when it (re)loaded."""
    out_dir = Path(out_dir)
    source = out_dir / SOURCE
    if not source.is_file():
        raise FileNotFoundError(f"{source} not found: build the graph first")
    store = store_path(out_dir)
    with _locked(out_dir):
        for leftover in out_dir.glob(f".{STORE_DIR}-*"):  # from an interrupted load
            shutil.rmtree(leftover, ignore_errors=True)
        if not force and _is_current(store, source):
            return False
        _load(source, store)
        return True


def open_store(out_dir: Path) -> ox.Store:
    """The graph of ``out_dir`` as a read-only pyoxigraph store, loaded from ``graph.trig`` first
    if that changed since the last load. Several read-only handles (and a running
    ``oxigraph serve-read-only``) may share one store."""
    ensure_store(out_dir)
    return ox.Store.read_only(str(store_path(out_dir)))


# --------------------------------------------------------------------------- read-only endpoint


def oxigraph_executable() -> Path:
    """The ``oxigraph`` CLI of the PyPI package ``oxigraph``: beside this Python, else on PATH."""
    beside = Path(sys.executable).parent / "oxigraph"
    if beside.is_file() and os.access(beside, os.X_OK):
        return beside
    found = shutil.which("oxigraph")
    if found:
        return Path(found)
    raise FileNotFoundError("the 'oxigraph' server is not installed (pip install oxigraph)")


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that is free now on ``host``."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def _bind_arg(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


class _Upstream:
    """One ``oxigraph serve-read-only`` child process on a private port; restartable."""

    def __init__(self, executable: Path, location: Path, *, timeout_s: int):
        self.executable, self.location, self.timeout_s = executable, location, timeout_s
        self.proc: subprocess.Popen | None = None
        self.log = None  # oxigraph's own output, in an unnamed temporary file
        self.port = 0
        self.generation = 0
        self.lock = threading.Lock()

    def _spawn(self, ready_timeout_s: float = 30.0) -> None:
        self.port = free_port()
        cmd = [str(self.executable), "serve-read-only", "--location", str(self.location),
               "--bind", _bind_arg("127.0.0.1", self.port), "--timeout-s", str(self.timeout_s)]
        # what oxigraph prints says where the private port is ("Listening for requests at ..."): kept
        # from the user, so that nobody bypasses the guard; read back only to explain a failure
        self.log = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + ready_timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.log.seek(0)
                said = " ".join(self.log.read().decode("utf-8", "replace").split())[-300:]
                raise RuntimeError(f"oxigraph exited with code {self.proc.returncode}"
                                   + (f": {said}" if said else f": {' '.join(cmd)}"))
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                return
            time.sleep(0.05)
        self._kill()
        raise TimeoutError(f"oxigraph did not start within {ready_timeout_s} s")

    def _kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        if self.log is not None:
            self.log.close()
            self.log = None

    def start(self) -> None:
        with self.lock:
            self._spawn()

    def stop(self) -> None:
        with self.lock:
            self._kill()

    def current(self) -> tuple[int, int]:
        """(generation, port) of a running server; restarts it if it died."""
        with self.lock:
            if self.proc is None or self.proc.poll() is not None:
                log.warning("oxigraph is not running; starting it again")
                self._kill()
                self._spawn()
                self.generation += 1
            return self.generation, self.port

    def restart(self, generation: int) -> None:
        """Kill and restart the server, unless that generation was already replaced."""
        with self.lock:
            if generation != self.generation:
                return
            log.warning("restarting oxigraph to stop a query that outlived the time limit")
            self._kill()
            self._spawn()
            self.generation += 1


_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer", "trailers",
        "transfer-encoding", "upgrade", "host", "content-length", "server", "date"}
#: What oxigraph appends to a response whose query it cancelled on its own time limit.
_CANCELLED = b"The SPARQL operation has been cancelled"


class _Abort(Exception):
    """The response must end without its terminating chunk, so that the client sees an error."""


class _GuardServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], upstream: _Upstream, *, deadline_s: float,
                 cancel_after_s: float, max_response_bytes: int | None, max_request_bytes: int):
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _Guard)
        self.upstream = upstream
        self.deadline_s = deadline_s
        self.cancel_after_s = cancel_after_s
        self.max_response_bytes = max_response_bytes
        self.max_request_bytes = max_request_bytes


class _Guard(BaseHTTPRequestHandler):
    """Forwards SPARQL Protocol reads to oxigraph; refuses writes; enforces the limits.

    Bodies go out with chunked transfer encoding, so a response cut for time or size (or
    cancelled by oxigraph) ends without its last chunk and every HTTP client reports an error
    instead of a short result that looks complete.
    """

    protocol_version = "HTTP/1.1"
    server: _GuardServer

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        log.info("%s %s", self.address_string(), format % args)

    def _plain(self, status: int, text: str) -> None:
        body = (text + "\n").encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        self.close_connection = True

    def _refuse(self) -> None:
        self._plain(403, "This SPARQL endpoint is read-only")

    do_PUT = do_DELETE = do_PATCH = _refuse

    def do_GET(self) -> None:
        self._forward(None)

    do_HEAD = do_OPTIONS = do_GET

    def do_POST(self) -> None:
        if urllib.parse.urlsplit(self.path).path.rstrip("/") != "/query":
            self._refuse()
            return
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            self._plain(411, "Send a Content-Length")
            return
        length = int(self.headers.get("Content-Length") or 0)
        if length > self.server.max_request_bytes:
            self._plain(413, f"Request larger than {self.server.max_request_bytes} bytes")
            return
        self._forward(self.rfile.read(length))

    def _forward(self, body: bytes | None) -> None:
        started = time.monotonic()
        deadline = started + self.server.deadline_s
        upstream = self.server.upstream
        try:
            generation, port = upstream.current()
        except (RuntimeError, TimeoutError) as exc:
            self._plain(502, f"SPARQL server unavailable: {exc}")
            return
        headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP}
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=self.server.deadline_s)
        sent_headers = False
        try:
            conn.request(self.command, self.path, body=body, headers=headers)
            response = conn.getresponse()
            self.send_response(response.status, response.reason)
            for key, value in response.getheaders():
                if key.lower() not in _HOP:
                    self.send_header(key, value)
            chunked = self.command != "HEAD" and response.status not in (204, 304)
            if chunked:
                self.send_header("Transfer-Encoding", "chunked")
            self.send_header("Connection", "close")
            self.end_headers()
            sent_headers = True
            if chunked:
                self._stream(response, conn, started, deadline)
        except (socket.timeout, TimeoutError):
            log.warning("query stopped after %.1f s: %s", time.monotonic() - started, self.path[:200])
            # restart before answering: the client's next query must not reach the doomed server
            with contextlib.suppress(RuntimeError, TimeoutError):
                upstream.restart(generation)
            if not sent_headers:
                self._plain(503, f"Query stopped: it ran past the time limit of {self.server.deadline_s:g} s")
        except _Abort as exc:
            log.warning("response aborted: %s", exc)
        except (ConnectionError, http.client.HTTPException, OSError) as exc:
            if not sent_headers:
                with contextlib.suppress(OSError):
                    self._plain(502, f"SPARQL server error: {exc}")
        finally:
            conn.close()
            self.close_connection = True

    def _write_chunk(self, data: bytes, deadline: float) -> None:
        if data:
            self.connection.settimeout(max(deadline - time.monotonic(), 0.01))
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))

    def _stream(self, response: http.client.HTTPResponse, conn: http.client.HTTPConnection,
                started: float, deadline: float) -> None:
        limit = self.server.max_response_bytes
        sent = 0
        tail = b""  # held back: oxigraph's cancellation notice comes last
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise socket.timeout("time limit")
            if conn.sock is not None:
                conn.sock.settimeout(remaining)
            chunk = response.read1(_CHUNK)
            if not chunk:
                break
            data = tail + chunk
            tail = data[-len(_CANCELLED):]
            data = data[: -len(_CANCELLED)]
            sent += len(data)
            if limit is not None and sent + len(tail) > limit:
                raise _Abort(f"response larger than {limit} bytes")
            self._write_chunk(data, deadline)
        if tail.endswith(_CANCELLED) and time.monotonic() - started >= self.server.cancel_after_s - 0.5:
            raise _Abort("oxigraph cancelled the query (time limit)")
        self._write_chunk(tail, deadline)
        self.wfile.write(b"0\r\n\r\n")


def serve(out_dir: Path, *, host: str = "127.0.0.1", port: int = 7878, timeout_s: float = 30.0,
          grace_s: float = 2.0, max_response_bytes: int | None = None, max_request_bytes: int = 1_000_000,
          executable: Path | None = None) -> int:
    """Serve the graph of ``out_dir`` as a read-only SPARQL 1.1 Protocol endpoint at
    ``http://HOST:PORT/query`` until interrupted (Ctrl-C or SIGTERM); returns an exit code.

    The endpoint is ``oxigraph serve-read-only`` (the default graph is the union of all graphs,
    like ``graph.ttl``; ``GRAPH`` reaches each article's graph) behind a guard: updates and Graph Store
    writes are refused (403); a query is cancelled by oxigraph after ``timeout_s`` (rounded up to
    whole seconds) and, if still running ``grace_s`` later, stopped by restarting the server;
    a response larger than ``max_response_bytes`` is cut. A cut response ends in an error for the
    client (503 before the first byte, an aborted chunked body after it). A rebuild that reloads
    the store while the endpoint runs needs a restart of the endpoint.

    Oxigraph itself listens on a private port of 127.0.0.1 (read-only, with its own cooperative
    time limit); ``kill -9`` of this process would leave it running, any other way of stopping
    stops it too. Raises OSError when ``host:port`` is taken, RuntimeError when oxigraph fails.
    """
    ensure_store(out_dir)
    oxigraph_timeout = max(1, math.ceil(timeout_s))
    upstream = _Upstream(executable or oxigraph_executable(), store_path(out_dir), timeout_s=oxigraph_timeout)
    upstream.start()
    try:
        server = _GuardServer((host, port), upstream, deadline_s=oxigraph_timeout + grace_s,
                              cancel_after_s=oxigraph_timeout, max_response_bytes=max_response_bytes,
                              max_request_bytes=max_request_bytes)
    except OSError:
        upstream.stop()
        raise
    previous: dict[int, object] = {}
    if threading.current_thread() is threading.main_thread():  # stop the child on TERM and HUP too
        for signum in (signal.SIGTERM, signal.SIGHUP):
            previous[signum] = signal.signal(signum, signal.default_int_handler)
    bound = server.server_address[1]
    log.info("read-only SPARQL endpoint at http://%s/query (time limit %d s + %g s grace)",
             _bind_arg(host, bound), oxigraph_timeout, grace_s)
    try:
        server.serve_forever(poll_interval=0.25)
    except KeyboardInterrupt:
        log.info("stopping the SPARQL endpoint")
    finally:
        server.server_close()
        upstream.stop()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return 0


# --------------------------------------------------------------------------- push to a remote store


class PushError(OSError):
    """The remote Graph Store refused a request, or could not be reached (an OSError, like any
    failed network call)."""


def _split_credentials(endpoint: str) -> tuple[str, dict[str, str]]:
    """Move ``user:password@`` out of the URL into a Basic Authorization header."""
    parts = urllib.parse.urlsplit(endpoint)
    if parts.scheme not in ("http", "https"):
        raise ValueError(f"endpoint must be an http(s) URL, not {endpoint!r}")
    if parts.username is None:
        return endpoint, {}
    netloc = parts.hostname or ""
    if ":" in netloc:
        netloc = f"[{netloc}]"
    if parts.port:
        netloc += f":{parts.port}"
    user = urllib.parse.unquote(parts.username)
    password = urllib.parse.unquote(parts.password or "")
    token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc)), {"Authorization": f"Basic {token}"}


def _graph_url(base: str, graph: ox.NamedNode | None) -> str:
    """``base?graph=<iri>`` for a named graph, ``base?default`` for the default graph."""
    query = "default" if graph is None else "graph=" + urllib.parse.quote(graph.value, safe="")
    return f"{base}{'&' if '?' in base else '?'}{query}"


def _graphs_of(source: Path) -> dict[ox.NamedNode | None, list[ox.Triple]]:
    """The triples of each graph of a TriG file (None: the default graph), in file order."""
    graphs: dict[ox.NamedNode | None, list[ox.Triple]] = {None: []}
    for quad in ox.parse(path=str(source), format=ox.RdfFormat.TRIG):
        name = None if isinstance(quad.graph_name, ox.DefaultGraph) else quad.graph_name
        graphs.setdefault(name, []).append(quad.triple)
    return graphs


def push(out_dir: Path, *, endpoint: str, timeout_s: float = 120.0,
         headers: Mapping[str, str] | None = None, union: bool = True) -> dict:
    """Copy ``out_dir/graph.trig`` into a SPARQL 1.1 Graph Store HTTP Protocol endpoint.

    ``endpoint`` is the Graph Store base URL (``http://host:7878/store`` for Oxigraph,
    ``http://host:3030/DATASET/data`` for Fuseki; credentials may go in the URL as
    ``http://user:password@host/...``). Each named graph is replaced (HTTP PUT
    ``?graph=<iri>``), then the default graph (PUT ``?default``; empty when the ontology and
    taxonomies have their own graph), so pushing again never duplicates. With ``union`` (the
    default) the remote default graph receives the union of every pushed graph, as a set, so that
    a query without ``GRAPH`` gives on the remote store the rows it gives here (the local store's
    default graph is that union too); without it, only ``graph.trig``'s own default graph. Graphs
    that exist only on the remote are left alone (and are not in the union). Data go as N-Triples labelled ``text/turtle`` (N-Triples is a
    subset of Turtle, the one syntax every Graph Store accepts). Returns counts: named graphs,
    triples in them, triples in the default graph, total.
    """
    base, auth = _split_credentials(endpoint)
    extra = {**auth, **dict(headers or {})}
    source = Path(out_dir) / SOURCE
    if not source.is_file():
        raise FileNotFoundError(f"{source} not found: build the graph first")
    graphs = _graphs_of(source)
    named = sorted((g for g in graphs if g is not None), key=lambda g: g.value)
    counts = {"endpoint": urllib.parse.urlsplit(base)._replace(query="").geturl(),
              "named_graphs": 0, "named_triples": 0, "default_triples": 0}
    if union:  # the default graph is what every graph says, once
        graphs[None] = [t for g in [*named, None] for t in graphs.get(g, [])]
    for graph in [*named, None]:
        triples = list(dict.fromkeys(graphs.get(graph, [])))  # a graph is a set
        data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
        request = urllib.request.Request(_graph_url(base, graph), data=data, method="PUT",
                                         headers={"Content-Type": "text/turtle; charset=utf-8", **extra})
        try:
            with urllib.request.urlopen(request, timeout=timeout_s) as response:
                response.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read(500).decode("utf-8", "replace")
            raise PushError(f"PUT {request.full_url} -> HTTP {exc.code}: {detail}") from exc
        except urllib.error.URLError as exc:
            raise PushError(f"PUT {request.full_url} failed: {exc.reason}") from exc
        if graph is None:
            counts["default_triples"] = len(triples)
        else:
            counts["named_graphs"] += 1
            counts["named_triples"] += len(triples)
    counts["triples"] = counts["named_triples"] + counts["default_triples"]
    log.info("pushed %d triples in %d named graphs (+%d in the default graph) to %s",
             counts["named_triples"], counts["named_graphs"], counts["default_triples"], counts["endpoint"])
    return counts
