"""A generated family of queries that call SERVICE on one endpoint, spelt every way pyoxigraph
0.5 reads as SERVICE (or nearly): escapes in the IRI, prefixed names, BASE, variables, case,
comments, SILENT, keywords glued together, the keyword hidden behind a prefixed name or an
IRI-looking comparison, inside every kind of group, in every query form.

Used by the tests of both walls (``test_service_walls.py``): the guard must refuse each, and an
engine process must reach nothing even when the guard is skipped.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from hypothesis import strategies as st

from server.store.engines import EnginePool
from server.store.sandbox import Confinement

# Decoys that fooled the old guard: a \u escape in an IRI after '#', an escaped '#' in a
# prefixed name, quote marks and '#' in strings and IRIs.
DECOYS = (
    "",
    r"BIND(<http://x/#\u0041> AS ?d1) ",
    r"BIND(dx:a\#b AS ?d2) ",
    r"""BIND("#\"'" AS ?d3) """,
    "BIND(<http://x/#> AS ?d4) ",
)
DECOY_PROLOGUE = "PREFIX dx: <http://x/>\n"
# A namespace after which no local name makes a valid IRI: pyoxigraph reads "bad:SERVICE" as the
# prefixed name "bad:" followed by the SERVICE keyword.
BAD_PREFIX = "http://[::1]"
GRAPH = "http://x/graph"
GAPS = (" ", "\n", "\t", " # a comment\n", "#\n")
WRAPPERS = (
    "OPTIONAL {{ {} }}",
    "MINUS {{ {} }}",
    "{{ {} }} UNION {{ }}",
    "{{ SELECT * WHERE {{ {} }} }}",
    "FILTER EXISTS {{ {} }}",
    "FILTER NOT EXISTS {{ {} }}",
    "GRAPH ?g {{ {} }}",
)
FORMS = (
    "SELECT * WHERE {{ {} }}",
    "SELECT ?x {{ {} }}",
    "ASK {{ {} }}",
    "CONSTRUCT {{ ?x ?y ?z }} WHERE {{ {} }}",
    "DESCRIBE ?x WHERE {{ {} }}",
)
INNER = "{ ?x ?y ?z }"


def _any_case(word: str) -> st.SearchStrategy[str]:
    return st.lists(st.booleans(), min_size=len(word), max_size=len(word)).map(
        lambda ups: "".join(c.upper() if up else c.lower() for c, up in zip(word, ups,
                                                                               strict=True)))


def _escaped(text: str) -> st.SearchStrategy[str]:
    """``text`` with any of its characters written as a \\u or \\U codepoint escape."""
    def spell(modes: list[int]) -> str:
        return "".join(c if mode == 0 else f"\\u{ord(c):04X}" if mode == 1
                       else f"\\U{ord(c):08X}" for c, mode in zip(text, modes, strict=True))
    return st.lists(st.integers(0, 2), min_size=len(text), max_size=len(text)).map(spell)


def _endpoint(url: str) -> st.SearchStrategy[tuple[str, str, str]]:
    """(prologue, pattern before the SERVICE, endpoint as written) for ``url``."""
    base, path = url.rsplit("/", 1)
    base += "/"
    return st.one_of(
        _escaped(url).map(lambda iri: ("", "", f"<{iri}>")),
        st.just((f"PREFIX p: <{base}>\n", "", f"p:{path}")),
        st.just((f"PREFIX : <{base}>\n", "", f":{path}")),
        st.just((f"BASE <{base}>\n", "", f"<{path}>")),
        st.just(("", f"BIND(<{url}> AS ?e) ", "?e")),
        st.just(("", f"VALUES ?e {{ <{url}> }} ", "?e")),
        st.just(("", "", "?e")),
    )


@st.composite
def service_calls(draw: st.DrawFn, url: str) -> str:
    """One query calling SERVICE on ``url`` (an http URL), spelt at random."""
    prologue, before, endpoint = draw(_endpoint(url))
    keyword = draw(_any_case("SERVICE"))
    silent = draw(st.sampled_from(("", "SILENT", "silent", "Silent")))
    gap = draw(st.sampled_from(GAPS))
    way = draw(st.sampled_from(("spaced", "glued", "after-boolean", "after-bad-prefix",
                                "after-comparison")))
    if way == "spaced":
        call = keyword + gap + (silent + gap if silent else "") + endpoint
    elif way == "glued":                       # SERVICESILENT<…>, SERVICE<…>
        call = keyword + silent + endpoint
    elif way == "after-boolean":               # ?s ?p trueSERVICE <…>: true, then SERVICE
        call = "?s ?p true" + keyword + gap + endpoint
    elif way == "after-bad-prefix":            # bad:SERVICE is bad: then SERVICE
        prologue += f"PREFIX bad: <{BAD_PREFIX}>\n"
        call = "?s ?p bad:" + keyword + gap + endpoint
    else:                                      # (?a<1)SERVICE#>: a comparison, a comment
        call = "FILTER(?a<1)" + keyword + "#>\n" + endpoint
    pattern = draw(st.sampled_from(DECOYS)) + before + call + " " + INNER
    for wrapper in draw(st.lists(st.sampled_from(WRAPPERS), max_size=3)):
        pattern = wrapper.format(pattern)
    return DECOY_PROLOGUE + prologue + draw(st.sampled_from(FORMS)).format(pattern)


def engine_store(path: Path | None = None) -> ox.Store:
    """A store in which every spelling evaluates its SERVICE, its data in the named graph
    ``GRAPH`` (query it as the default graph, as the server does): the engine calls a SERVICE
    glued to "?s ?p true", "?s ?p bad:" or "?s ?p ex:a.b" only when that triple matches.
    In memory, or on disk at ``path`` (what engine processes open)."""
    store = ox.Store() if path is None else ox.Store(str(path))
    s, p, g = ox.NamedNode("http://x/s"), ox.NamedNode("http://x/p"), ox.NamedNode(GRAPH)
    for o in (ox.Literal("true", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean")),
              ox.NamedNode(BAD_PREFIX), ox.NamedNode("http://x/a.b")):
        store.add(ox.Quad(s, p, o, g))
    store.flush()
    return store


def engine_pool(path: Path, confinement: Confinement) -> EnginePool:
    """One real engine process (a fresh interpreter, walled in by ``confinement``) over the
    on-disk store at ``path``; requests sent straight to it skip the guard."""
    engine_store(path)
    return EnginePool(str(path), 1, long_capacity=0, short_seconds=60, confinement=confinement)


def request(sparql: str) -> dict:
    """What ``EmbeddedStore.answer`` sends an engine process."""
    return {"sparql": sparql, "media_type": None, "max_rows": 100, "max_bytes": 1 << 20,
            "graph": GRAPH}
