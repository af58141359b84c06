"""The access log: off by default (as in gunicorn), one line per request when asked for."""

from __future__ import annotations

import urllib.request
from pathlib import Path

from conftest import start_server


def _log_after_request(root: Path, env: dict[str, str]) -> str:
    with start_server(root, env=env) as base:
        port = base.rstrip("/").rsplit(":", 1)[1]
        with urllib.request.urlopen(base + "id/cnc?probe=access-log") as response:
            assert response.status == 200
    return (root / f"serve-{port}.log").read_text(encoding="utf-8")


def test_no_access_log_by_default(built_root):
    assert "probe=access-log" not in _log_after_request(built_root, {})


def test_access_log_on_stderr_when_set(built_root):
    log = _log_after_request(built_root, {"CNC_KG_ACCESS_LOG": "-"})
    line = next(line for line in log.splitlines() if "probe=access-log" in line)
    assert '"GET /id/cnc?probe=access-log HTTP/1.1" 200' in line
