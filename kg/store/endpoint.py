"""The read-only SPARQL endpoint.

:func:`serve` runs the real ``oxigraph serve-read-only`` server over that store behind a thin
  guard (see :class:`_Guard`) that makes the query time limit hard. Oxigraph's own
  ``--timeout-s`` is cooperative: measured with 0.5.13, a four-way cross product of 3,000 triples
  was still running a minute past a 1 s limit, and a cancelled query ends its (already
  started, HTTP 200) response cleanly with an error text appended, which a CSV client cannot tell
  from data. The guard turns both cases into an aborted response (or a 503 before any byte was
  sent), restarts the server process when a query outlives the limit plus a grace period, and can
  cap the size of a response.
"""
from __future__ import annotations

import contextlib
import http.client
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
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from kg.store.local import _CHUNK, ensure_store, store_path

log = logging.getLogger(__name__)



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
