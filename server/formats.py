"""Every format the server reads or writes, in one table: short name (``format=``), media types,
file extension, W3C format IRI (https://www.w3.org/ns/formats/), and the serialiser of each
library that writes it (pyoxigraph for query answers, rdflib for documents it builds itself).

Negotiation (``server.web.negotiation``), the engines' serialisation (``server.store.results``)
and the Service Description read these tables; nothing else lists formats.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

_W3C = "http://www.w3.org/ns/formats/"


@dataclass(frozen=True, eq=False)
class Format:
    """One row of a format table, in server preference order within its table. Each format is
    one object, compared and hashed by identity: a table is the key of ``negotiate``'s cache,
    hashed at every negotiated request."""

    name: str
    media_type: str
    aliases: tuple[str, ...] = ()
    extension: str = ""
    w3c: str = ""      # IRI under http://www.w3.org/ns/formats/ (for the Service Description)
    names: tuple[str, ...] = ()   # other format= values clients send (SPARQLWrapper's among them)
    oxigraph: ox.QueryResultsFormat | ox.RdfFormat | None = None
    rdflib: str = ""   # rdflib's serialiser name

    @property
    def media_types(self) -> tuple[str, ...]:
        return (self.media_type, *self.aliases)


# SELECT / ASK answers (https://www.w3.org/TR/sparql11-protocol/#query-success).
RESULT_FORMATS: tuple[Format, ...] = (
    Format("json", "application/sparql-results+json", ("application/json",), "srj",
           _W3C + "SPARQL_Results_JSON", oxigraph=ox.QueryResultsFormat.JSON),
    Format("xml", "application/sparql-results+xml", ("application/xml", "text/xml"), "srx",
           _W3C + "SPARQL_Results_XML", oxigraph=ox.QueryResultsFormat.XML),
    Format("csv", "text/csv", (), "csv", _W3C + "SPARQL_Results_CSV",
           oxigraph=ox.QueryResultsFormat.CSV),
    Format("tsv", "text/tab-separated-values", (), "tsv", _W3C + "SPARQL_Results_TSV",
           oxigraph=ox.QueryResultsFormat.TSV),
)

# CONSTRUCT / DESCRIBE answers and every RDF document the server returns.
GRAPH_FORMATS: tuple[Format, ...] = (
    # Turtle is a subset of N3, so it answers clients asking for N3.
    Format("turtle", "text/turtle", (), "ttl", _W3C + "Turtle", ("ttl", "n3"),
           ox.RdfFormat.TURTLE, "turtle"),
    Format("ntriples", "application/n-triples", ("text/plain",), "nt", _W3C + "N-Triples",
           ("nt", "n-triples"), ox.RdfFormat.N_TRIPLES, "nt"),
    Format("jsonld", "application/ld+json", ("application/json",), "jsonld", _W3C + "JSON-LD",
           ("json-ld",), ox.RdfFormat.JSON_LD, "json-ld"),
    Format("rdfxml", "application/rdf+xml", ("application/xml", "text/xml"), "rdf",
           _W3C + "RDF_XML", ("rdf+xml", "xml", "rdf"), ox.RdfFormat.RDF_XML, "xml"),
)

# People's pages. HTML only: the pages are HTML5, not well-formed XML, so they are never sent
# as application/xhtml+xml (a client refusing text/html gets another format or a 406).
HTML = Format("html", "text/html", (), "html")


def by_media_type(table: tuple[Format, ...], media_type: str) -> Format | None:
    """The format of ``table`` whose canonical media type is ``media_type``."""
    return next((f for f in table if f.media_type == media_type), None)
