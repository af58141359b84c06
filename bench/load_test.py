"""Throughput and latency percentiles under concurrent load with ``wrk`` (loopback, bounded)."""

from __future__ import annotations

import json
import re
import secrets
import shutil
import subprocess
import tempfile
from pathlib import Path

_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60_000.0}
_PERCENTILE = re.compile(r"^\s*(50|75|90|99)%\s+([\d.]+)(us|ms|s|m)\s*$", re.MULTILINE)
_RATE = re.compile(r"^Requests/sec:\s+([\d.]+)", re.MULTILINE)
_REQUESTS = re.compile(r"^\s*(\d+) requests in", re.MULTILINE)
_NON_2XX = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")
_SOCKET = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")


# wrk (LuaJIT): each thread reads the paths and goes through them in turn, the second thread
# starting half-way; each path ends in a query parameter, to which a comment numbering the
# request is appended (URL-encoded "\n# R.T.N", R new for each run), so no two requests send
# the same text.
CYCLE_SCRIPT = """
local paths = {}
local next_path = 0
local threads = 0
function setup(thread)
  thread:set("thread_number", threads)
  threads = threads + 1
end
function init(args)
  for line in io.lines(PATHS_FILE) do
    paths[#paths + 1] = line
  end
  next_path = math.floor((thread_number or 0) * #paths / 2)
end
local sent = 0
function request()
  next_path = next_path % #paths + 1
  sent = sent + 1
  return wrk.format(nil, paths[next_path] .. "%0A%23%20RUN_MARK." .. thread_number .. "."
                    .. sent)
end
"""


def wrk_available() -> bool:
    """Whether Debian's wrk is installed."""
    return shutil.which("wrk") is not None


def parse_wrk(output: str) -> dict:
    """Requests/s, the latency percentiles (ms) and the error counts of ``wrk --latency``."""
    result: dict = {"percentiles_ms": {f"p{p}": float(v) * _UNITS[u]
                                       for p, v, u in _PERCENTILE.findall(output)}}
    rate, requests = _RATE.search(output), _REQUESTS.search(output)
    result["requests_per_s"] = float(rate.group(1)) if rate else 0.0
    result["requests"] = int(requests.group(1)) if requests else 0
    non_2xx = _NON_2XX.search(output)
    result["non_2xx"] = int(non_2xx.group(1)) if non_2xx else 0
    socket_errors = _SOCKET.search(output)
    result["socket_errors"] = sum(map(int, socket_errors.groups())) if socket_errors else 0
    return result


def run_wrk(url: str, accept: str, seconds: int, connections: int, timeout_s: float,
            paths: list[str] | None = None) -> dict:
    """``wrk`` on ``url`` for ``seconds`` with ``connections`` open connections (2 threads);
    with ``paths`` (each ending in a SPARQL query parameter), each request asks for the next of
    them on ``url``'s server instead, its query made new by a numbered comment
    (``CYCLE_SCRIPT``), and the result says how many paths there are."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", f"--timeout={timeout_s:g}s",
               "--latency", "-H", f"Accept: {accept}"]
    with tempfile.TemporaryDirectory() as folder:
        if paths:
            listing, script = Path(folder, "paths.txt"), Path(folder, "cycle.lua")
            listing.write_text("\n".join(paths) + "\n", encoding="utf-8")
            script.write_text(CYCLE_SCRIPT.replace("PATHS_FILE", json.dumps(str(listing)))
                              .replace("RUN_MARK", secrets.token_hex(4)), encoding="utf-8")
            command += ["-s", str(script)]
        done = subprocess.run([*command, url], capture_output=True, text=True,
                              timeout=seconds + timeout_s + 30)
    if done.returncode != 0:
        return {"error": (done.stderr or done.stdout).strip()[-300:]}
    return parse_wrk(done.stdout) | ({"distinct_paths": len(paths)} if paths else {})
