"""Reliability and security of the whole build (issue 8), on real files and the real CLI.

(a) a folder of awkward inputs builds, every file is accounted for, nothing leaks out;
(b) a build killed midway leaves the previous outputs whole;
(c) no text or bytes make ingest or extraction raise (hypothesis);
(d) hostile text never runs in the viewer, never alters a query, never escapes the out folder;
(e) the exit codes.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.sources import articles
from kg.sources import news
from kg.sources import html

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build.py"
SEEDS = sorted((ROOT / "data" / "articles").glob("*.txt"))
OUTPUTS = ("graph.ttl", "graph.trig", "viewer.html", "report.json", "graph.graphml")
STATUSES = {"built", "built with warnings", "rejected"}
HOSTILE_SCRIPT = "</script><script>alert(1)</script>"
HOSTILE_SPARQL = '"} ; DROP ALL ; #'


def run_build(articles: Path, out: Path, *extra: str, cwd: Path | None = None,
              timeout: float = 600) -> subprocess.CompletedProcess:
    """The real CLI, in a fresh interpreter (cwd elsewhere, so relative writes would show)."""
    return subprocess.run([sys.executable, str(BUILD), "build", "--articles", str(articles), "--out", str(out),
                           *extra], cwd=cwd or articles.parent, capture_output=True, text=True, timeout=timeout)


def seed_text(i: int = 0) -> str:
    return SEEDS[i % len(SEEDS)].read_text(encoding="utf-8")


def snapshot(root: Path, skip: Path | None = None) -> dict[str, tuple[int, int]]:
    """Every file under ``root`` (but ``skip``) with its size and modification time."""
    found = {}
    for dirpath, dirnames, filenames in os.walk(root):
        if skip is not None and Path(dirpath) == skip:
            dirnames[:] = []
            continue
        dirnames[:] = [d for d in dirnames if skip is None or Path(dirpath, d) != skip]
        for name in filenames:
            stat = Path(dirpath, name).stat()
            found[os.path.relpath(Path(dirpath, name), root)] = (stat.st_size, stat.st_mtime_ns)
    return found


def parse_turtle(path: Path) -> int:
    from rdflib import Graph

    graph = Graph()
    graph.parse(path, format="turtle")
    return len(graph)


# --------------------------------------------------------------------------------------------
# (a) awkward inputs


NEWS_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>Page</title>
<script>var tracking = "SCRIPT-TEXT";</script><style>.x{}</style></head><body>
<nav><a href="/">Home</a> <a href="/jobs">Jobs</a></nav>
<article><h1>Bradford’s children’s services rated inadequate</h1>
<p>Bradford council’s children’s services have been rated inadequate by Ofsted after inspectors found social workers were carrying caseloads that were too high.</p>
<p>Inspectors said management oversight of cases was weak.</p></article>
<div id="comments"><div class="comment" id="comment-1"><span class="comment-author">Reader One</span>
<span class="comment-date">3 March 2017 10:42</span><p>Caseloads are too high everywhere.</p></div></div>
</body></html>"""


def awkward_folder(folder: Path) -> dict[str, str]:
    """Write every awkward input into ``folder``; returns {file name: expected status family}."""
    folder.mkdir()
    text = seed_text(0)
    plain = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"').replace("–", "-")
    latin = plain.replace("Ofsted", "Ofsted (café, naïve, £5)", 1)
    files: dict[str, bytes] = {
        "bom.txt": b"\xef\xbb\xbf" + seed_text(1).encode("utf-8"),
        "cp1252.txt": seed_text(2).encode("cp1252", "ignore"),
        "latin1.txt": latin.encode("latin-1", "ignore"),
        "crlf.txt": seed_text(3).replace("\n", "\r\n").encode("utf-8"),
        "nul.txt": seed_text(4).encode("utf-8").replace(b"\n\n", b"\n\x00\n", 5),
        "truncated.txt": seed_text(1).encode("utf-8") + "More to come ’".encode("utf-8")[:-1],
        "page.html": NEWS_PAGE.encode("utf-8"),
        "with space.txt": seed_text(2).encode("utf-8"),
        "ünïcödé – 日本語.txt": seed_text(3).encode("utf-8"),
        "-leading-dash.txt": seed_text(4).encode("utf-8"),
        "long-" + "x" * 200 + ".txt": seed_text(0).encode("utf-8"),
        "a..b.txt": seed_text(1).encode("utf-8"),
        "..%2F..%2Fevil.txt": seed_text(2).encode("utf-8"),
        "empty.txt": b"",
        "blank.txt": b"  \r\n\t\n   \n",
        "binary.txt": bytes(range(256)) * 64,
    }
    for name, data in files.items():
        (folder / name).write_bytes(data)
    with open(folder / "huge.txt", "wb") as fh:  # sparse: over the limit without writing 20 MB
        fh.truncate(articles.MAX_BYTES + 1)
    with open(os.fsencode(folder) + b"/caf\xe9 latin-1 name.txt", "wb") as fh:  # a name that is not UTF-8
        fh.write(seed_text(3).encode("utf-8"))
    (folder / "notes.docx").write_bytes(b"not an input")  # not a suffix the build reads
    (folder / ".hidden.txt").write_bytes(b"hidden files are not inputs")
    rejected = {"empty.txt": "empty", "blank.txt": "empty", "binary.txt": "binary", "huge.txt": "too large"}
    names = [*files, "huge.txt", "caf\\xe9 latin-1 name.txt"]  # recorded with the stray byte as \xNN
    return {name: rejected.get(name, "built") for name in names if not name.startswith(".")}


def test_awkward_folder_builds_and_accounts_for_every_file(tmp_path):
    articles, out, cwd = tmp_path / "in", tmp_path / "out", tmp_path / "cwd"
    cwd.mkdir()
    expected = awkward_folder(articles)
    before = snapshot(tmp_path, skip=out)

    run = run_build(articles, out, cwd=cwd)
    assert run.returncode == 3, run.stderr[-3000:]

    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    files = {f["file"]: f for f in report["files"]}
    assert set(files) == set(expected), "every input, and only inputs, in report.json"
    assert report["inputs"] == len(expected)
    for name, want in expected.items():
        entry = files[name]
        assert entry["status"] in STATUSES
        if want == "built":
            assert entry["status"] in ("built", "built with warnings"), entry
        else:
            assert entry["status"] == "rejected", entry
            assert want in entry["reason"], entry
            assert f"rejected: {name}: {entry['reason']}" in run.stderr
    assert files["page.html"]["comments"] == 1
    assert any("not valid UTF-8" in w for w in files["caf\\xe9 latin-1 name.txt"]["warnings"])
    assert any("cp1252" in w for w in files["cp1252.txt"].get("warnings", [])), files["cp1252.txt"]
    assert any("NUL" in w for w in files["nul.txt"].get("warnings", [])), files["nul.txt"]

    ttl = (out / "graph.ttl").read_text(encoding="utf-8")
    assert "\ufffd" not in ttl and "\ufffd" not in (out / "report.json").read_text(encoding="utf-8")
    assert "café, naïve, £5" in ttl
    assert "SCRIPT-TEXT" not in ttl and "Reader One" in ttl
    assert parse_turtle(out / "graph.ttl") > 1000
    for name in expected:
        if expected[name] == "built":
            assert f'"{name}"' in ttl or json.dumps(name, ensure_ascii=False) in ttl, name

    for hidden in (".hidden.txt", "..%2F..%2Fevil.txt"):  # not inputs, but never silently
        assert f"ignored hidden file {hidden!r}" in run.stderr
        assert hidden not in ttl
    assert snapshot(tmp_path, skip=out) == before, "nothing written outside the out folder"

    # every file as the reading cache kept it (the odd name included), extracted again from its
    # file (no extraction cache): the same outputs, byte for byte
    outputs = {n: (out / n).read_bytes() for n in ("graph.ttl", "graph.trig", "graph.graphml", "report.json")}
    shutil.rmtree(out / ".cache" / "articles")
    (out / ".cache" / "corpus.json").unlink()
    again = run_build(articles, out, cwd=cwd)
    assert again.returncode == 3, again.stderr[-3000:]
    built = sum(want == "built" for want in expected.values())  # the rejected ones are read again
    assert f"read {len(expected) - built} of {len(expected)} files again ({built} unchanged since the last build)" \
        in again.stderr
    assert {n: (out / n).read_bytes() for n in outputs} == outputs
    assert not any(cwd.iterdir())


# --------------------------------------------------------------------------------------------
# (b) an interrupted build


def corpus(folder: Path, n: int = 60) -> None:
    folder.mkdir()
    for i in range(n):
        title, rest = seed_text(i).split("\n", 1)
        (folder / f"art_{i:03d}.txt").write_text(
            f"{title} (copy {i})\n{rest}\nThis is copy {i} of the generated corpus.\n", encoding="utf-8")


def assert_outputs_whole(out: Path) -> None:
    assert parse_turtle(out / "graph.ttl") > 1000
    from rdflib import Dataset

    dataset = Dataset()
    dataset.parse(out / "graph.trig", format="trig")
    assert len(dataset) > 1000
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["files"]
    viewer = (out / "viewer.html").read_text(encoding="utf-8")
    assert viewer.rstrip().endswith("</html>")
    for path in out.iterdir():  # temporary files are hidden, never in an output's place
        assert path.name in OUTPUTS or path.name.startswith("."), path.name


def _children(pid: int) -> list[int]:
    """Processes whose parent is ``pid`` (Linux /proc; none elsewhere)."""
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line)
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(pid):
            found.append(int(status.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in state  # a zombie has exited


def test_killed_build_leaves_the_previous_outputs_whole(tmp_path):
    articles, out = tmp_path / "in", tmp_path / "out"
    corpus(articles)
    started = time.monotonic()
    first = run_build(articles, out)
    took = time.monotonic() - started
    assert first.returncode == 0, first.stderr[-3000:]
    previous = {name: (out / name).read_bytes() for name in OUTPUTS}

    kills = sorted({1.0, 2.0, 4.0, max(5.0, 0.9 * took)})  # loading, extracting, writing
    for delay in kills:
        proc = subprocess.Popen([sys.executable, str(BUILD), "build", "--no-cache", "--articles", str(articles),
                                 "--out", str(out)], cwd=tmp_path, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        try:
            time.sleep(delay)
            children = _children(proc.pid)
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=60)
        deadline = time.monotonic() + 10  # the side validator leaves with the build that started it
        while any(_alive(pid) for pid in children) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not [pid for pid in children if _alive(pid)], f"processes left behind by a build killed at {delay:.1f} s"
        assert_outputs_whole(out)
        for name in OUTPUTS:  # the same input gives the same bytes: old or new, the file is unchanged
            assert (out / name).read_bytes() == previous[name], f"{name} after a kill at {delay:.1f} s"

    # a normal build afterwards completes, on a changed corpus (one article new)
    (articles / "art_new.txt").write_text(NEW_ARTICLE, encoding="utf-8")
    final = run_build(articles, out)
    assert final.returncode == 0, final.stderr[-3000:]
    assert_outputs_whole(out)
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert len(report["files"]) == 61
    assert any(f["file"] == "art_new.txt" and f["status"] != "rejected" for f in report["files"])


NEW_ARTICLE = """Hartlepool children's services rated good

Hartlepool borough council's children's services have been rated good by Ofsted, two years after a monitoring visit found delays in assessments.

Inspectors praised the stable workforce and said managers knew their children well.
"""


def test_incremental_build_after_editing_one_copy_of_a_story(tmp_path):
    articles, out = tmp_path / "in", tmp_path / "out"
    articles.mkdir()
    for i in range(3):
        title, rest = seed_text(0).split("\n", 1)
        (articles / f"copy_{i}.txt").write_text(f"{title} (copy {i})\n{rest}", encoding="utf-8")
    assert run_build(articles, out).returncode == 0
    edited = articles / "copy_1.txt"
    edited.write_text(edited.read_text(encoding="utf-8").replace("(copy 1)", "(copy 1, revised)"), encoding="utf-8")
    run = run_build(articles, out)
    assert run.returncode == 0, run.stderr[-2000:]


# --------------------------------------------------------------------------------------------
# (c) no crash on any text or bytes


@pytest.fixture(scope="module")
def extractor():
    from kg.extract.extractor import Extractor

    return Extractor()


_any_char = st.characters(exclude_categories=("Cs",))  # lone surrogates cannot come out of a decoder
_punct = st.sampled_from(list(".!?…,;:-–—'\"“”‘’«»()[]{}<>/\\|*#@&%$£€\n\t "))
_texts = st.one_of(
    st.text(_any_char, max_size=400),
    st.text(st.characters(codec="ascii"), max_size=400),
    st.text(_punct, max_size=400),
    st.builds(lambda c, n: c * n, _punct, st.integers(500, 5000)),  # huge repeated punctuation
    st.builds(lambda n, w: "“" * n + w + "”" * n + "\n\n" + "‘\"" * n + w + "\"’" * n,
              st.integers(1, 200), st.text(_any_char, max_size=40)),  # nested quotes
    st.builds(lambda a, b, c: f"{a}\n\n{b}\n\nPhoto: x\n\n{c}\n\nComments\n\n1 Jo | 3 March 2017 10:42\n\n{c}",
              st.text(_any_char, max_size=60), st.text(_any_char, max_size=200), st.text(_any_char, max_size=200)),
    st.builds(lambda s: f"Bradford was rated inadequate by Ofsted in 2017. {s} The council said £{len(s)}m.",
              st.text(_any_char, max_size=200)),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_texts)
def test_any_text_through_ingest_and_extraction(extractor, text):
    article = news.parse_text(text, source_file="x.txt")
    result = extractor.extract(article)
    assert result.article is article
    assert not result.errors, result.errors  # no extractor failed on it


_bytes = st.one_of(
    st.binary(max_size=3000),
    st.text(_any_char, max_size=500).map(lambda s: s.encode("utf-8")),
    st.text(_any_char, max_size=500).map(lambda s: s.encode("utf-16")),
    st.text(st.characters(max_codepoint=255), max_size=500).map(lambda s: s.encode("latin-1")),
    st.builds(lambda a, b: b"<html><body><p>" + a + b"</p><div id='comments'><div class='comment'>" + b + b"</div></div>",
              st.binary(max_size=300), st.binary(max_size=300)),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_bytes)
def test_any_bytes_through_read_article_and_read_html(data):
    with tempfile.TemporaryDirectory() as tmp:
        for name in ("x.txt", "x.html"):
            (Path(tmp) / name).write_bytes(data)
        try:
            article = articles.read_article(Path(tmp) / "x.txt")
        except articles.UnreadableFile as exc:  # the documented refusal, with a reason
            assert exc.reason
        else:
            assert "\ufffd" not in article.body or "\ufffd".encode() in data
        result = html.read_html(Path(tmp) / "x.html")
        assert isinstance(result, (articles.IngestError, html.Article))
        if isinstance(result, articles.IngestError):
            assert result.reason
        for _, item in articles.iter_articles(Path(tmp)):
            assert isinstance(item, (articles.IngestError, html.Article))


# --------------------------------------------------------------------------------------------
# (d) hostile text, (e) exit codes


#: Path-like, but a plain name (one starting with "." would be a hidden file: see test (a)).
EVIL_NAME = "%2E%2E%2F..%2F..%2Fevil.txt"

HOSTILE_ARTICLE = f"""Bradford council {HOSTILE_SCRIPT} rated inadequate {HOSTILE_SPARQL}

Inspectors {HOSTILE_SCRIPT} found serious failings in Bradford.

Bradford council's children's services were rated inadequate by Ofsted in 2017 after inspectors found caseloads were too high.

“{HOSTILE_SCRIPT} {HOSTILE_SPARQL} We accept the findings,” said Mark Douglas, the strategic director of children's services at Bradford council.

The council said it would spend £2 million on {HOSTILE_SPARQL} recruitment.
"""


@pytest.fixture(scope="module")
def hostile_build(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    articles, out, cwd = root / "in", root / "out", root / "cwd"
    articles.mkdir()
    cwd.mkdir()
    (articles / EVIL_NAME).write_text(HOSTILE_ARTICLE, encoding="utf-8")
    (articles / "seed.txt").write_bytes(SEEDS[0].read_bytes())
    (articles / "hostile.html").write_text(
        f"<html><head><title>{HOSTILE_SCRIPT.replace('<', '&lt;')}</title></head><body><article>"
        f"<h1>Wakefield &lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;</h1>"
        f"<p>Wakefield council's children's services were rated good by Ofsted in 2018, inspectors said today.</p>"
        f"<p>&lt;img src=x onerror=alert(1)&gt; {HOSTILE_SPARQL.replace('<', '&lt;')} was written here.</p>"
        f"</article></body></html>", encoding="utf-8")
    before = snapshot(root, skip=out)
    run = run_build(articles, out, cwd=cwd)
    return root, out, run, before


def query(out: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(BUILD), "query", *args, "--out", str(out)], cwd=out.parent,
                          capture_output=True, text=True, timeout=300)


def test_hostile_text_builds_and_stays_in_the_out_folder(hostile_build):
    root, out, run, before = hostile_build
    assert run.returncode == 0, run.stderr[-3000:]
    assert snapshot(root, skip=out) == before
    assert not any((root / "cwd").iterdir())
    assert not (root / "evil.txt").exists() and not (root.parent / "evil.txt").exists()
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert {f["file"] for f in report["files"]} == {EVIL_NAME, "seed.txt", "hostile.html"}

    from rdflib import Graph, Namespace

    graph = Graph()
    graph.parse(out / "graph.ttl")
    schema = Namespace("https://schema.org/")
    headlines = {str(o) for o in graph.objects(None, schema.headline)}
    assert f"Bradford council {HOSTILE_SCRIPT} rated inadequate {HOSTILE_SPARQL}" in headlines
    quotes = " ".join(str(o) for o in graph.objects(None, schema.text))
    assert HOSTILE_SCRIPT in quotes, "the hostile words are kept as data"


def test_viewer_holds_hostile_text_only_escaped(hostile_build):
    _, out, run, _ = hostile_build
    assert run.returncode == 0
    page = (out / "viewer.html").read_bytes()
    assert re.search(rb"<script[^>]*>\s*alert", page, re.I) is None
    assert b"</script><script>alert" not in page.lower()
    assert re.search(rb"<img[^>]*onerror", page, re.I) is None
    assert b"alert(1)" in page, "the text is shown (escaped), not dropped"
    for match in re.finditer(rb"alert\(1\)", page):  # wherever the data shows, its "<" is escaped
        before = page[max(0, match.start() - 40):match.start()]
        assert b"<script" not in before.lower() and b"<img" not in before.lower(), before


@pytest.mark.parametrize("param", [
    f"council={HOSTILE_SPARQL}",
    'council=Bradford" } UNION { ?s ?p ?o } #',
    f"council={HOSTILE_SCRIPT}",
    "council=\\\" ) } ; CLEAR ALL ; INSERT DATA { <a:b> <a:c> <a:d> } #",
])
def test_hostile_query_parameters_match_nothing_and_change_nothing(hostile_build, param):
    _, out, run, _ = hostile_build
    assert run.returncode == 0
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    before = query(out, "--sparql", count, "--format", "csv")
    assert before.returncode == 0, before.stderr
    result = query(out, str(ROOT / "queries" / "council-timeline.rq"), "--param", param, "--format", "json")
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads(result.stdout) == []
    after = query(out, "--sparql", count, "--format", "csv")
    assert after.stdout == before.stdout, "the graph is unchanged"
    sane = query(out, str(ROOT / "queries" / "council-timeline.rq"), "--param", "council=Bradford", "--format", "json")
    assert sane.returncode == 0 and json.loads(sane.stdout), "the query itself works"


def test_exit_code_0_when_every_input_built(hostile_build):
    _, _, run, _ = hostile_build
    assert run.returncode == 0
    assert "rejected:" not in run.stderr


@pytest.mark.parametrize("setup,reason", [
    ("empty", "no input files"),
    ("unsupported", "no input files"),
    ("missing", "not found"),
])
def test_exit_code_1_for_no_inputs(tmp_path, setup, reason):
    articles = tmp_path / "in"
    if setup != "missing":
        articles.mkdir()
    if setup == "unsupported":
        (articles / "photo.jpg").write_bytes(b"\xff\xd8\xff")
        (articles / ".hidden.txt").write_text("hidden", encoding="utf-8")
        (articles / "folder.txt").mkdir()
    run = run_build(articles, tmp_path / "out", cwd=tmp_path)
    assert run.returncode == 1, run.stderr
    assert reason in run.stderr
    assert not (tmp_path / "out" / "graph.ttl").exists()


@pytest.mark.parametrize("args", [["build", "--jobs", "many"], ["build", "--no-such-option"], ["frobnicate"]])
def test_exit_code_1_for_unusable_arguments(tmp_path, args):
    run = subprocess.run([sys.executable, str(BUILD), *args], cwd=tmp_path, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 1
    assert "error:" in run.stderr
