"""Screenshots of the site for the README, taken from the real build in headless Chromium.

``make screenshots`` (or ``python tests/screenshots.py``) builds the project, serves it on a
free loopback port, and saves ``docs/screenshots/<page>-<lang>.png`` for the home page, a
network node, the CNC's page, the network, the query page with a result and the dataset page,
in French, English and Chinese. ``--base URL`` photographs a server already running instead.
"""

from __future__ import annotations

import argparse
import contextlib
import subprocess
import sys
import tempfile
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

from browsing import chromium, wait_until_settled
from server_process import free_port, stop, wait_until_answering

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "docs" / "screenshots"
CNC_KG = str(Path(sys.executable).parent / "cnc-kg")
LANGUAGES = ("fr", "en", "zh")
WIDTH = 1000              # CSS px: a modest width keeps the files small and the text legible
MAX_HEIGHT = 1500         # a long page is cut: the README shows its top
QUERY = (REPO / "queries" / "cq-08-node-partners.rq")

# (file stem, path) of each page photographed; the query page runs its query on load.
PAGES = (
    ("home", "/"),
    ("node", "/id/e2p2l"),
    ("entity-cnc", "/id/cnc"),         # the README's earlier pictures, kept up to date
    ("network", "/network"),
    ("query", "/sparql?" + urllib.parse.urlencode({"query": QUERY.read_text("utf-8")})),
    ("dataset", "/dataset"),
)


@contextlib.contextmanager
def built_server() -> Iterator[str]:
    """Build the project into ``dist/`` and serve it on a free port; yield its base URL."""
    subprocess.run([CNC_KG, "--root", str(REPO), "build"], check=True, capture_output=True)
    port = free_port()
    with tempfile.NamedTemporaryFile("w+", suffix=".log") as log:
        process = subprocess.Popen([CNC_KG, "serve", "--root", str(REPO), "--host", "127.0.0.1",
                                    "--port", str(port)], stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_answering(process, base + "/status", 60, Path(log.name))
            yield base
        finally:
            stop(process, grace=15)


def photograph(driver, url: str, path: Path) -> None:
    """Load ``url``, wait for the query page's answer if any, save the page's top as PNG."""
    driver.get(url)
    wait_until_settled(driver)
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(WIDTH, min(height, MAX_HEIGHT))
    driver.save_screenshot(str(path))


def take(base: str, out: Path) -> list[Path]:
    """Every page of ``PAGES`` in every language, saved under ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with chromium(WIDTH, MAX_HEIGHT) as driver:
        for stem, path in PAGES:
            for lang in LANGUAGES:
                target = out / f"{stem}-{lang}.png"
                separator = "&" if "?" in path else "?"
                photograph(driver, f"{base}{path}{separator}lang={lang}", target)
                written.append(target)
    return written


def main() -> None:
    if not subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True).stdout:
        sys.exit("no font with Chinese glyphs: install fonts-noto-cjk (Debian) first")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", help="photograph this running server instead of building")
    parser.add_argument("--out", type=Path, default=OUT, help="folder of the PNG files")
    args = parser.parse_args()
    with contextlib.nullcontext(args.base.rstrip("/")) if args.base else built_server() as base:
        for path in take(base, args.out):
            print(f"{path.relative_to(REPO) if path.is_relative_to(REPO) else path} "
                  f"({path.stat().st_size // 1024} KiB)")


if __name__ == "__main__":
    main()
