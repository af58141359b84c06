"""Load time and peak memory of one engine over one N-Triples file, each in a fresh process.

Run as ``python -m server.bench.loading ENGINE FILE``: prints one JSON object. Peak memory is
the process's maximum resident set size (``getrusage``), interpreter and imports included.
"""

from __future__ import annotations

import json
import resource
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
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return {"engine": engine, "seconds": seconds, "triples": triples, "peak_mb": peak_kib / 1024}


def measure_load(engine: str, path: Path, timeout: float) -> dict:
    """``load_here`` in a child process; ``{"timeout": True}`` if it takes over ``timeout``."""
    try:
        done = subprocess.run([sys.executable, "-m", "server.bench.loading", engine, str(path)],
                              capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"engine": engine, "timeout": True, "limit_s": timeout}
    if done.returncode != 0:
        return {"engine": engine, "error": done.stderr.strip()[-500:]}
    return json.loads(done.stdout)


if __name__ == "__main__":
    print(json.dumps(load_here(sys.argv[1], Path(sys.argv[2]))))
