"""Every query costs at most its limits in memory (issue 15): answers stop at
``max_result_bytes`` as well as ``max_result_rows`` and say so (``Cnc-Kg-Result-Truncated``),
and an engine process that needs more than ``engine_memory_mb`` is stopped with a 503 and
replaced, the server answering on.

The issue's query: 10,000 rows of a 25 KB literal drove an engine process to 1.47 GB.
"""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request

import pytest

BYTE_CAP = 1 << 20                 # this module's server: 1 MiB answers
MEMORY_MB = "160"                  # and engine processes that may grow by 160 MiB
DIGITS = "{0 1 2 3 4 5 6 7 8 9}"


def big_rows(literal: str, order: bool = False) -> str:
    """10,000 rows, each holding ``literal`` (25 KB); ORDER BY makes the engine hold them all."""
    return ("SELECT ?big WHERE { "
            + " ".join(f"VALUES ?{v} {DIGITS}" for v in "abcd")
            + f' BIND(CONCAT(STR(?a), STR(?b), STR(?c), STR(?d), "{literal}") AS ?big) }}'
            + (" ORDER BY DESC(?big)" if order else ""))


ISSUE_QUERY = big_rows("x" * 25_000)


@pytest.fixture(scope="module")
def limited_server(built_root, server_starter):
    env = {"CNC_KG_MAX_RESULT_BYTES": str(BYTE_CAP), "CNC_KG_ENGINE_MEMORY_MB": MEMORY_MB}
    with server_starter(built_root, "--workers", "1", env=env) as base:
        yield base


def ask(base: str, query: str, fmt: str = "json") -> tuple[int, dict[str, str], bytes]:
    url = base + "sparql?" + urllib.parse.urlencode({"format": fmt})
    call = urllib.request.Request(url, data=urllib.parse.urlencode({"query": query}).encode())
    try:
        with urllib.request.urlopen(call, timeout=120) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_issue_query_is_cut_at_the_byte_cap_and_flagged(limited_server, fmt):
    status, headers, body = ask(limited_server, ISSUE_QUERY, fmt)
    assert status == 200, body[:300]
    assert headers["Cnc-Kg-Result-Truncated"] == "true"
    assert headers["Cnc-Kg-Result-Byte-Limit"] == str(BYTE_CAP)
    assert BYTE_CAP // 2 < len(body) <= BYTE_CAP       # cut near the cap, not far below


def test_cap_holds_when_escaping_makes_the_answer_grow(limited_server):
    """Every '<' becomes '&lt;' in XML: four times the estimate, still within the cap."""
    status, headers, body = ask(limited_server, big_rows("<" * 25_000), "xml")
    assert status == 200
    assert headers["Cnc-Kg-Result-Truncated"] == "true"
    assert 0 < len(body) <= BYTE_CAP


def test_graph_answers_are_capped_in_bytes(limited_server):
    query = ("CONSTRUCT { ?s <urn:x:p> ?big } WHERE { "
             + " ".join(f"VALUES ?{v} {DIGITS}" for v in "abcd")
             + ' BIND(IRI(CONCAT("urn:x:", STR(?a), STR(?b), STR(?c), STR(?d))) AS ?s)'
             + f' BIND("{"x" * 25_000}" AS ?big) }}')
    status, headers, body = ask(limited_server, query, "ntriples")
    assert status == 200, body[:300]
    assert headers["Cnc-Kg-Result-Truncated"] == "true"
    assert 0 < len(body) <= BYTE_CAP


def test_small_answers_are_not_flagged(limited_server):
    status, headers, _ = ask(limited_server, "SELECT ?s WHERE { ?s ?p ?o } LIMIT 3")
    assert status == 200
    assert "Cnc-Kg-Result-Truncated" not in headers


def test_query_over_the_memory_limit_is_a_503_and_the_engine_is_replaced(limited_server):
    status, headers, body = ask(limited_server, big_rows("x" * 25_000, order=True))
    assert status == 503, body[:300]
    assert b"engine_memory_mb" in body and b"memory" in body
    assert headers.get("Retry-After")
    for _ in range(3):                      # more queries than the engine processes that died
        status, _, body = ask(limited_server, "ASK { ?s ?p ?o }")
        assert status == 200 and b"true" in body
