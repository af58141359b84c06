"""``python -m bench.engine_depth``: how deep a query pyoxigraph survives, per kind of
depth, in a forked process like an engine process (8 MiB stack), within ``max_query_bytes``.

pyoxigraph parses, optimises and evaluates recursively, so a deep enough query overflows the
stack and the process dies (SIGSEGV) instead of answering. ``guard.MAX_DEPTH`` and
``guard.MAX_NESTING`` are set well below the smallest size printed here; rerun after upgrading
pyoxigraph. ``tests/test_query_depth.py`` sends the deepest query the guard accepts of each kind
to a real server.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable

import pyoxigraph as ox

from server.config import Settings

P = "PREFIX : <http://x/> "
# Each builds a query of size n whose depth grows with n.
CONSTRUCTS: dict[str, Callable[[int], str]] = {
    "! operators": lambda n: P + "ASK { FILTER(" + "!" * n + "true) }",
    "path steps": lambda n: P + "SELECT * WHERE { :a " + "/".join([":p"] * n) + " ?o }",
    "path steps in a group": lambda n: P + "SELECT * WHERE { :a (" + "/".join([":p"] * n)
    + ")? ?o }",
    "path alternatives": lambda n: P + "SELECT * WHERE { :a " + "|".join([":p"] * n) + " ?o }",
    "&& chain": lambda n: P + "ASK { FILTER(" + "&&".join(["true"] * n) + ") }",
    "|| chain": lambda n: P + "ASK { FILTER(" + "||".join(["false"] * n) + ") }",
    "+ chain": lambda n: P + "ASK { FILTER(" + "+".join(["1"] * n) + " > 0) }",
    "- chain": lambda n: P + "ASK { FILTER(1" + "-1" * n + " < 0) }",
    "UNION chain": lambda n: P + "SELECT * WHERE { " + "UNION".join(["{}"] * n) + " }",
    "OPTIONAL chain": lambda n: P + "SELECT * WHERE { " + "OPTIONAL{}" * n + " }",
    "MINUS chain": lambda n: P + "SELECT * WHERE { ?s ?p ?o " + "MINUS{}" * n + " }",
    "BIND chain": lambda n: P + "SELECT * WHERE { " + "".join(
        f"BIND(1 AS ?v{i})" for i in range(n)) + " }",
    "select expressions": lambda n: P + "SELECT " + "".join(
        f"(1 AS ?v{i})" for i in range(n)) + " WHERE {}",
    "collection items": lambda n: P + "SELECT * WHERE { ?s :p (" + " ".join(["1"] * n) + ") }",
    "; property lists": lambda n: P + "SELECT * WHERE { ?s " + " ; ".join([":p ?o"] * n) + " }",
    "sibling subqueries": lambda n: P + "SELECT * WHERE { " + "{SELECT * {}}" * n + " }",
    "nested braces": lambda n: P + "SELECT * WHERE " + "{" * n + "}" * n,
    "nested parentheses": lambda n: P + "ASK { FILTER(" + "(" * n + "true" + ")" * n + ") }",
    "nested !(": lambda n: P + "ASK { FILTER(" + "!(" * n + "true" + ")" * n + ") }",
    "braces holding MINUS": lambda n: P + "SELECT * WHERE " + "{" * (n // 2) + "?s ?p ?o "
    + "MINUS{}" * (n - n // 2) + "}" * (n // 2),
}
TIMEOUT = 30.0          # seconds per run: a query may be slow without being deep


def run_forked(store: ox.Store, query: str) -> str:
    """How ``query`` ends in a forked process: "ok", "syntax", "error", "timeout" or the
    signal that killed it."""
    pid = os.fork()
    if pid == 0:                                    # the child: never returns
        code = 0
        try:
            answer = store.query(query)
            if not isinstance(answer, ox.QueryBoolean):
                for _ in answer:
                    pass
        except SyntaxError:
            code = 3
        except (OSError, ValueError, RuntimeError):
            code = 4
        os._exit(code)
    deadline = time.monotonic() + TIMEOUT
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return "timeout"
        time.sleep(0.01)
    if os.WIFSIGNALED(status):
        return signal.Signals(os.WTERMSIG(status)).name
    return {0: "ok", 3: "syntax", 4: "error"}[os.WEXITSTATUS(status)]


def largest_within(make: Callable[[int], str], size: int) -> int:
    """The largest n whose query fits in ``size`` bytes."""
    good, bad = 1, 2
    while len(make(bad).encode()) <= size:
        good, bad = bad, bad * 2
    while bad - good > 1:
        middle = (good + bad) // 2
        good, bad = (middle, bad) if len(make(middle).encode()) <= size else (good, middle)
    return good


def smallest_crash(store: ox.Store, make: Callable[[int], str], crashing: int) -> int:
    """About the smallest n that kills the process (within 2 %), knowing ``crashing`` does."""
    good, bad = 1, crashing
    while bad - good > max(1, good // 50):
        middle = (good + bad) // 2
        crashed = run_forked(store, make(middle)).startswith("SIG")
        good, bad = (good, middle) if crashed else (middle, bad)
    return bad


def main() -> None:
    """One line per kind: the largest query that fits, how it ends, where crashes start."""
    size = Settings().max_query_bytes
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://x/a"), ox.NamedNode("http://x/p"),
                      ox.NamedNode("http://x/b")))
    print(f"pyoxigraph {ox.__version__}, queries up to {size} bytes")
    for name, make in CONSTRUCTS.items():
        n = largest_within(make, size)
        outcome = run_forked(store, make(n))
        line = f"{name:24s} n = {n:6d}: {outcome}"
        if outcome.startswith("SIG"):
            line += f"; crashes from n = {smallest_crash(store, make, n)}"
        print(line, flush=True)


if __name__ == "__main__":
    main()
