"""The layout of ``dist/``: the names of the files ``cnc-kg build`` writes and the server reads.

One place for them, so the writer (``server.project.build``) and the readers (the store
factory, ``server.services.published``) cannot drift apart.
"""

from __future__ import annotations

NTRIPLES = "cnc-kg.nt"            # the published graph, sorted N-Triples (what the store loads)
TURTLE = "cnc-kg.ttl"
JSONLD = "cnc-kg.jsonld"
JSONLD_CONTEXT = "context.jsonld"  # the JSON-LD context the JSON-LD dump points at
ONTOLOGY = "ontology.ttl"         # the ontology as built (served at /ontology)
SHAPES = "shapes.ttl"             # the shapes as built (served at /shapes)
STORE = "store"                   # the graph as an on-disk Oxigraph store, opened read-only
PAGES = "pages.sqlite"            # the page index (server.store.page_index)
QUALITY = "quality.json"          # the curators' dashboard (server.project.quality)
BUILD_RECORD = "build.json"       # date, counts, content hash, durations
REPORT_JSON = "validation-report.json"
REPORT_TEXT = "validation-report.txt"
VERSIONS = "versions"             # every version's record and dump (server.project.versions)


def graph_version(sha256: str) -> str:
    """The version token of a build (ETag basis, page index stamp): the start of the SHA-256 of
    its sorted N-Triples."""
    return sha256[:16]
