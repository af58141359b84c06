"""The SHACL engine's run (the ``shacl`` package's Rust engine), in this process or in one of
its own: ``python -m server.project.shacl_engine DATA SHAPES RESULTS``.

The engine holds the interpreter lock for its whole run (12 s at a million triples), so a build
runs it in a process of its own while it writes its files. This module imports nothing but the
engine, so that process starts at once. Both files are N-Triples; the results graph is written
as N-Triples and the run's seconds printed; a shape the engine cannot run ends the process
with ``NOT_RUNNABLE`` and the engine's words on standard error.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

NOT_RUNNABLE = 3


class ShapesNotRunnable(RuntimeError):
    """A shape cannot be run (a property shape without a path, a query that does not parse)."""


def results(data: Path, shapes: str) -> str:
    """The engine's results graph (N-Triples) for the N-Triples file ``data`` against the
    N-Triples ``shapes``. Raises ``ShapesNotRunnable`` for shapes it cannot run."""
    import shacl as engine  # a compiled extension, imported when validating only

    try:
        compiled = engine.Shapes.from_text(shapes, format="ntriples")
        return compiled.validate_file(str(data), allow_warnings=True).serialize("ntriples")
    except ValueError as error:  # a malformed shape: a pattern, a query, a count ...
        raise ShapesNotRunnable(str(error)) from error


def main(data: str, shapes: str, out: str) -> int:
    """The run of ``python -m``; prints the engine's seconds (its start-up left out)."""
    started = time.perf_counter()
    try:
        text = results(Path(data), Path(shapes).read_text("utf-8"))
    except ShapesNotRunnable as error:
        print(error, file=sys.stderr)
        return NOT_RUNNABLE
    Path(out).write_text(text, encoding="utf-8")
    print(time.perf_counter() - started)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
