"""Screenshot a viewer page (out/viewer.html) in headless Chromium, offline.

    python scripts/screenshot_viewer.py out/viewer.html docs/viewer.png [--select NAME] [--search TEXT]

Uses the Debian chromium at /usr/bin/chromium through Playwright (no browser download).
Every request that is not a file:// URL is refused, so the picture shows what a user with no
network sees. With --select, the first node whose name contains NAME is selected and its
panel shown; with --search, TEXT is typed into the search box (the view narrows to it).
"""
from __future__ import annotations

import argparse
import logging
import os
import time
from pathlib import Path

log = logging.getLogger("screenshot_viewer")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


_SELECT_JS = """name => {
    const v = window.kgViewer, want = name.toLowerCase();
    const ids = v.data.order.filter(id => v.data.nodes[id].l.toLowerCase().includes(want));
    ids.sort((a, b) => (v.data.nodes[a].l.toLowerCase() === want ? 0 : 1) - (v.data.nodes[b].l.toLowerCase() === want ? 0 : 1));
    return ids.length ? v.showNode(ids[0]) : false;
}"""


def screenshot(html: Path, png: Path, *, select: str | None = None, search: str | None = None,
               width: int = 1400, height: int = 860, timeout_ms: int = 60_000, browser=None) -> Path:
    """Open ``html`` from file://, wait until the network is drawn (and stabilised), save ``png``
    atomically and return its path. Raises RuntimeError if the page asked for the network.
    Pass ``browser`` (a Playwright Browser) to reuse one already running."""
    if browser is None:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as pw:
            own = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                return screenshot(html, png, select=select, search=search, width=width, height=height,
                                  timeout_ms=timeout_ms, browser=own)
            finally:
                own.close()

    html, png = Path(html).resolve(), Path(png)
    png.parent.mkdir(parents=True, exist_ok=True)
    refused: list[str] = []

    def guard(route, request) -> None:  # noqa: ANN001 (playwright callback)
        if request.url.startswith("file://"):
            route.continue_()
        else:
            refused.append(request.url)
            route.abort()

    page = browser.new_page(viewport={"width": width, "height": height})
    try:
        page.route("**/*", guard)
        page.goto(html.as_uri())
        page.wait_for_function(
            "window.kgViewer && window.kgViewer.drawn && window.kgViewer.stabilized",
            timeout=timeout_ms,
        )
        if search:
            page.fill("#kg-search", search)
            page.press("#kg-search", "Enter")
        if select:
            found = page.evaluate(_SELECT_JS, select)
            if not found:
                raise ValueError(f"no node named like {select!r} in {html}")
        page.wait_for_timeout(300)
        tmp = png.with_name(f".{png.name}.{os.getpid()}.tmp.png")
        page.screenshot(path=str(tmp))
        os.replace(tmp, png)
    finally:
        page.close()
    if refused:
        raise RuntimeError(f"the page tried to fetch {refused}")
    return png


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("html", type=Path, help="viewer page, e.g. out/viewer.html")
    parser.add_argument("png", type=Path, help="where to save the screenshot, e.g. docs/viewer.png")
    parser.add_argument("--select", help="show the panel of the first node whose name contains this")
    parser.add_argument("--search", help="type this into the search box")
    parser.add_argument("--width", type=int, default=1400)
    parser.add_argument("--height", type=int, default=860)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if not CHROMIUM.exists():
        parser.error(f"{CHROMIUM} not found: install the Debian package 'chromium'")
    start = time.perf_counter()
    out = screenshot(args.html, args.png, select=args.select, search=args.search, width=args.width,
                     height=args.height)
    log.info("wrote %s in %.1fs", out, time.perf_counter() - start)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
