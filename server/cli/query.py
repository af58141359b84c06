"""``cnc-kg query``: run SPARQL (https://www.w3.org/TR/sparql11-query/) on ontology + data and
print the answer as an aligned table or a standard format."""

from __future__ import annotations

import sys
import unicodedata

import click
import pyoxigraph as ox
from rdflib import Graph, URIRef

from server.cli.common import EXIT_UNREADABLE, unreadable, with_settings
from server.cli.errors import read_text, stream_name
from server.config import Settings
from server.namespaces import PREFIXES, bind_prefixes
from server.project.files import ProjectError
from server.project.local_query import local_store
from server.project.report import compact
from server.store.syntax_errors import syntax_message

# --format -> serialisation of SELECT/ASK results and of CONSTRUCT/DESCRIBE graphs
_RESULT_FORMATS = {"csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV,
                   "json": ox.QueryResultsFormat.JSON}
_GRAPH_FORMATS = {"table": ox.RdfFormat.TURTLE, "csv": ox.RdfFormat.N_TRIPLES,
                  "tsv": ox.RdfFormat.N_TRIPLES, "json": ox.RdfFormat.JSON_LD}


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal: wide (CJK) characters take two, combining ones none."""
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF"
               else 1 for c in text)


def format_table(header: list[str], rows: list[list[str]]) -> str:
    """An aligned text table, padding by display width so Chinese text lines up."""
    widths = [max([display_width(h)] + [display_width(r[i]) for r in rows])
              for i, h in enumerate(header)]

    def line(cells: list[str]) -> str:
        padded = (c + " " * (w - display_width(c)) for c, w in zip(cells, widths, strict=True))
        return " | ".join(padded).rstrip()

    rule = "-+-".join("-" * w for w in widths)
    return "\n".join([line(header), rule, *(line(r) for r in rows)]) + "\n"


def term_text(term: ox.NamedNode | ox.BlankNode | ox.Literal | None, prefixes: Graph) -> str:
    """A result cell: prefixed IRI, literal value with its language tag, or empty when unbound."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return compact(prefixes, URIRef(term.value))
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    text = " ".join(term.value.split())  # one line per row, whatever the literal holds
    return f"{text}@{term.language}" if term.language else text


def render(results, fmt: str) -> bytes:
    """The results of any query form in the requested format."""
    if isinstance(results, ox.QueryTriples):
        return results.serialize(format=_GRAPH_FORMATS[fmt])
    if fmt != "table":
        return results.serialize(format=_RESULT_FORMATS[fmt])
    if isinstance(results, ox.QueryBoolean):
        return b"true\n" if bool(results) else b"false\n"
    prefixes = bind_prefixes(Graph())
    header = [v.value for v in results.variables]
    rows = [[term_text(solution[i], prefixes) for i in range(len(header))]
            for solution in results]
    table = format_table(header, rows) + f"({len(rows)} row{'s' if len(rows) != 1 else ''})\n"
    return table.encode("utf-8")


@click.command()
@click.argument("query_file", type=click.File("rb"))
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json"]),
              default="table", show_default=True,
              help="SELECT/ASK: aligned table or SPARQL results CSV/TSV/JSON. "
                   "CONSTRUCT/DESCRIBE: Turtle (table), N-Triples (csv/tsv), JSON-LD (json).")
@with_settings
def query(settings: Settings, query_file, fmt: str) -> None:
    """Run the SPARQL query in QUERY_FILE ('-' for stdin) on ontology + data.

    The project's prefixes (cnc:, kg:, skos: ...) are predeclared. Exit 2 if the query does not
    parse or a project file cannot be read.
    """
    text = read_text(query_file, settings.max_query_bytes)
    try:
        store = local_store(settings)
    except ProjectError as error:
        unreadable(error, "text", settings.root)
    try:
        results = store.query(text, prefixes={p: str(ns) for p, ns in PREFIXES.items()})
    except SyntaxError as error:
        click.echo(f"error: {stream_name(query_file)}: {syntax_message(text, str(error))}",
                   err=True)
        sys.exit(EXIT_UNREADABLE)
    click.echo(render(results, fmt), nl=False)
