"""``python -m bench.publish FOLDER``: publish a project's graph into ``FOLDER/dist`` as
``cnc-kg build`` does, without validating it first.

For the sizes whose validation does not fit in the machine: the SHACL engine holds the whole
graph with its indexes (0.8 GB at 1M triples; past 23 GB at 10M, where it was stopped). The
benchmark says which sizes were published this way.
"""

from __future__ import annotations

import dataclasses
import sys
import time
from pathlib import Path

from server.config import load_settings
from server.project.build import Sources, publish
from server.project.files import load_project


def main(folder: Path) -> None:
    settings = dataclasses.replace(load_settings(), root=folder)
    started = time.perf_counter()
    project = load_project(settings)
    sources = Sources(project.ontology, project.shapes,
                      files=[str(p.relative_to(folder)) for p in project.files])
    sources.durations["parse"] = time.perf_counter() - started
    publish(settings.dist_dir, project.ntriples("ontology", "data"), sources)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
