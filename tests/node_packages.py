"""Node packages some tests run (axe-core in the browser test, Comunica in the client matrix),
installed under ``tests/.node/`` from the npm registry on first use (never committed)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest


def npm_install(prefix: Path, *packages: str, timeout: float = 900) -> None:
    """``npm install`` into ``prefix`` (its ``package.json``, or ``packages``). With
    ``--prefer-offline`` what npm's own cache holds is taken from it without asking the registry
    whether it changed; anything missing is downloaded: on a machine that ran the tests
    before, a fresh clone installs Comunica in 4 s instead of 30."""
    if shutil.which("npm") is None or shutil.which("node") is None:
        pytest.fail(f"node and npm are needed to install {', '.join(packages) or prefix.name}")
    prefix.mkdir(parents=True, exist_ok=True)
    subprocess.run(["npm", "install", "--prefix", str(prefix), "--no-audit", "--no-fund",
                    "--prefer-offline", *packages], check=True, capture_output=True,
                   timeout=timeout)
