"""The queries measured: the public catalogue (``queries/*.rq``) and the internal queries our
pages issue (``server/queries/*.rq``), with their bound variables given one entity by VALUES."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from rdflib import URIRef

from server.store.queries import values_clause

# Internal queries say in their header which variables the caller binds ("?iri is bound").
_BOUND = re.compile(r"^#.*?\?(\w+) is bound", re.MULTILINE)
_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)
_FORM = re.compile(r"\b(SELECT|CONSTRUCT|ASK|DESCRIBE)\b", re.IGNORECASE)
_PROLOGUE_OR_COMMENT = re.compile(r"^\s*(#.*|PREFIX\s.*|BASE\s.*)$", re.IGNORECASE | re.MULTILINE)

SERVER_QUERIES = Path(__file__).resolve().parent.parent / "server" / "queries"


@dataclass(frozen=True)
class BenchQuery:
    """One measured query: where it comes from, its text (bindings included) and its form."""

    name: str
    group: str        # "catalogue" | "pages"
    text: str
    form: str         # SELECT | CONSTRUCT | ASK | DESCRIBE


def query_form(text: str) -> str:
    """The query form, read after the prologue and comments."""
    match = _FORM.search(_PROLOGUE_OR_COMMENT.sub("", text))
    if match is None:
        raise ValueError("not a SPARQL query: no SELECT, CONSTRUCT, ASK or DESCRIBE")
    return match.group(1).upper()


def bound(text: str, entity: URIRef) -> str:
    """``text`` with each variable its header says is bound given ``entity``.

    The VALUES block goes first inside the outer WHERE: Virtuoso refuses a trailing VALUES
    on anything but SELECT, and every engine gets the same text.
    """
    for variable in dict.fromkeys(_BOUND.findall(text)):
        block = values_clause(variable, [entity]).strip()
        where = _WHERE.search(text)
        if where is None:
            raise ValueError(f"cannot bind ?{variable}: no WHERE {{ in the query")
        text = text[:where.end()] + "\n  " + block + text[where.end():]
    return text


def _from_folder(folder: Path, group: str, pattern: str, entity: URIRef) -> list[BenchQuery]:
    queries = []
    for path in sorted(folder.glob(pattern)):
        text = bound(path.read_text(encoding="utf-8"), entity)
        queries.append(BenchQuery(path.stem, group, text, query_form(text)))
    return queries


def workload(project: Path, entity: URIRef) -> list[BenchQuery]:
    """Every catalogue query of ``project`` and every internal query of the server."""
    return (_from_folder(project / "queries", "catalogue", "*.rq", entity)
            + _from_folder(SERVER_QUERIES, "pages", "*.rq", entity))


def by_name(queries: list[BenchQuery], name: str) -> BenchQuery:
    """The query called ``name`` (an internal query used for the load runs)."""
    return next(q for q in queries if q.name == name)
