"""Bad data not covered by test_cli.py: a huge literal (5 MB) builds and is served intact.

Malformed Turtle, unknown prefixes, conflicting types and the untouched dist/ are tested in
test_cli.py. There is no limit on a literal's size (docs/operating.md, "Limits and
guarantees"): this test shows a 5 MB one goes through build, the endpoint and the entity page
without harm.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from server.config import load_settings
from server.web.app import create_app

CNC_KG = str(Path(sys.executable).parent / "cnc-kg")
REPO = Path(__file__).resolve().parent.parent
SIZE = 5_000_000
HUGE = ("@prefix kg: <https://w3id.org/cnc-kg/id/> .\n"
        "@prefix dcterms: <http://purl.org/dc/terms/> .\n\n"
        f'kg:cnc dcterms:description "{"x" * SIZE}"@en .\n')
LENGTH = ("SELECT (MAX(STRLEN(?d)) AS ?n) WHERE { <https://w3id.org/cnc-kg/id/cnc> "
          "<http://purl.org/dc/terms/description> ?d }")


def test_huge_literal_builds_and_is_served(tmp_path):
    for name in ("ontology", "shapes", "data", "queries"):
        shutil.copytree(REPO / name, tmp_path / name)
    (tmp_path / "data" / "zz-huge.ttl").write_text(HUGE, encoding="utf-8")
    done = subprocess.run([CNC_KG, "--root", str(tmp_path), "build", "--no-reasoner",
                           "--no-shapes-check"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr

    app = create_app(load_settings(root=tmp_path))
    try:
        client = app.test_client()
        answer = client.get("/sparql", query_string={"query": LENGTH},
                            headers={"Accept": "text/csv"})
        assert answer.status_code == 200
        assert answer.get_data(as_text=True).split() == ["n", str(SIZE)]
        # Regression: rdflib's N-Triples reader, quadratic in a line's length, took minutes here.
        for document in ("/id/cnc.nt", "/id/cnc.ttl", "/id/cnc.html"):
            page = client.get(document)
            assert page.status_code == 200 and b"x" * SIZE in page.get_data()
    finally:
        app.extensions["cnc_kg.store"].close()
