"""Load time and peak memory of one engine over one N-Triples file, each in a fresh process.

Run as ``python -m bench.loading ENGINE FILE``: prints one JSON object. Peak memory is
the process's maximum resident set size, interpreter and imports included, read as ``VmHWM``
from /proc: ``getrusage``'s ``ru_maxrss`` survives fork and exec on Linux, so a child started by
a big parent would report the parent's peak instead of its own.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

ENGINES = ("pyoxigraph", "rdflib")


def load_here(engine: str, path: Path) -> dict:
    """Load ``path`` with ``engine`` in this process; seconds, triples and peak MB."""
    started = time.perf_counter()
    if engine == "pyoxigraph":
        import pyoxigraph as ox

        store = ox.Store()
        store.bulk_load(path=str(path), format=ox.RdfFormat.N_TRIPLES)
        triples = len(store)
    elif engine == "rdflib":
        from rdflib import Graph

        graph = Graph()
        graph.parse(path, format="nt")
        triples = len(graph)
    else:
        raise ValueError(f"unknown engine {engine!r}: one of {ENGINES}")
    seconds = time.perf_counter() - started
    return {"engine": engine, "seconds": seconds, "triples": triples, "peak_mb": peak_mb()}


def peak_mb() -> float:
    """This process's peak resident set size (``VmHWM``), in MB."""
    status = Path("/proc/self/status").read_text(encoding="ascii")
    kib = next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:"))
    return int(kib) / 1024


def measure_load(engine: str, path: Path, timeout: float) -> dict:
    """``load_here`` in a child process; ``{"timeout": True}`` if it takes over ``timeout``."""
    try:
        done = subprocess.run([sys.executable, "-m", "bench.loading", engine, str(path)],
                              capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"engine": engine, "timeout": True, "limit_s": timeout}
    if done.returncode != 0:
        return {"engine": engine, "error": done.stderr.strip()[-500:]}
    return json.loads(done.stdout)


if __name__ == "__main__":
    print(json.dumps(load_here(sys.argv[1], Path(sys.argv[2]))))
