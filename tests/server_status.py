"""The server's ``/status`` (the build it serves, its reload checks, how busy its engines are),
so that tests wait for an event instead of sleeping and hoping it happened."""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Callable

PATIENCE = 60.0       # seconds an awaited event may take on a loaded 2-core machine


def status(base: str) -> dict:
    """One web worker's status (whichever answers)."""
    with urllib.request.urlopen(base + "status", timeout=30) as response:
        return json.loads(response.read())


def wait_for(base: str, condition: Callable[[dict], bool], what: str,
             patience: float = PATIENCE) -> dict:
    """Poll ``/status`` until ``condition`` holds for it; fail naming ``what`` if it never does."""
    deadline = time.monotonic() + patience
    while True:
        seen = status(base)
        if condition(seen):
            return seen
        assert time.monotonic() < deadline, f"never happened: {what} (last status: {seen})"
        time.sleep(0.02)
