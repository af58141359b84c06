"""Table-driven tests of the one content-negotiation function (RFC 9110 §12.5.1)."""

import pytest

from server.web.negotiation import (
    GRAPH_FORMATS,
    HTML,
    RESULT_FORMATS,
    NotAcceptable,
    negotiate,
)

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"
SPARQLWRAPPER_JSON = ("application/sparql-results+json,application/json,text/javascript,"
                      "application/javascript")

# (table, Accept, format=, expected format name, expected Content-Type media type)
CASES = [
    # absent / empty / wildcard Accept: the table's first format
    (RESULT_FORMATS, None, None, "json", "application/sparql-results+json"),
    (RESULT_FORMATS, "", None, "json", "application/sparql-results+json"),
    (RESULT_FORMATS, "*/*", None, "json", "application/sparql-results+json"),
    (GRAPH_FORMATS, "*/*", None, "turtle", "text/turtle"),
    # exact media types, each format of each table
    (RESULT_FORMATS, "application/sparql-results+xml", None, "xml",
     "application/sparql-results+xml"),
    (RESULT_FORMATS, "text/csv", None, "csv", "text/csv"),
    (RESULT_FORMATS, "text/tab-separated-values", None, "tsv", "text/tab-separated-values"),
    (GRAPH_FORMATS, "application/n-triples", None, "ntriples", "application/n-triples"),
    (GRAPH_FORMATS, "application/ld+json", None, "jsonld", "application/ld+json"),
    (GRAPH_FORMATS, "application/rdf+xml", None, "rdfxml", "application/rdf+xml"),
    # an alias asked by name is echoed in Content-Type
    (RESULT_FORMATS, "application/json", None, "json", "application/json"),
    (GRAPH_FORMATS, "application/json", None, "jsonld", "application/json"),
    (GRAPH_FORMATS, "text/plain", None, "ntriples", "text/plain"),
    # case and parameters
    (RESULT_FORMATS, "TEXT/CSV; charset=utf-8", None, "csv", "text/csv"),
    # q-values decide, not order
    (RESULT_FORMATS, "text/csv;q=0.5, application/sparql-results+xml", None, "xml",
     "application/sparql-results+xml"),
    (GRAPH_FORMATS, "text/turtle;q=0.2, application/rdf+xml;q=0.9", None, "rdfxml",
     "application/rdf+xml"),
    # type/* wildcard
    (RESULT_FORMATS, "text/*", None, "xml", "text/xml"),    # the alias is what matched
    (GRAPH_FORMATS, "application/*", None, "ntriples", "application/n-triples"),
    # the most specific range wins: */* allowed, but csv explicitly refused with q=0
    (RESULT_FORMATS, "text/csv;q=0, text/tab-separated-values;q=0.5, */*;q=0.1", None, "tsv",
     "text/tab-separated-values"),
    (RESULT_FORMATS, "application/sparql-results+json;q=0, application/json;q=0, */*;q=0.1",
     None, "xml", "application/sparql-results+xml"),
    # ties: server preference (table order)
    (RESULT_FORMATS, "text/tab-separated-values, text/csv", None, "csv", "text/csv"),
    # real clients
    (RESULT_FORMATS, SPARQLWRAPPER_JSON, None, "json", "application/sparql-results+json"),
    ((*RESULT_FORMATS, HTML), BROWSER, None, "html", "text/html"),
    ((*RESULT_FORMATS, HTML), "*/*", None, "json", "application/sparql-results+json"),
    ((HTML, *GRAPH_FORMATS), "text/turtle", None, "turtle", "text/turtle"),
    # HTML refused: never HTML under another name (issue 12: the xhtml alias won and the page
    # went out as text/html anyway)
    ((HTML, *GRAPH_FORMATS), "text/html;q=0, */*", None, "turtle", "text/turtle"),
    ((HTML, *GRAPH_FORMATS), "application/*", None, "ntriples", "application/n-triples"),
    ((HTML, *GRAPH_FORMATS), "text/html;q=0, application/*", None, "ntriples",
     "application/n-triples"),
    # format= overrides Accept, by short name or media type
    (RESULT_FORMATS, "application/sparql-results+json", "csv", "csv", "text/csv"),
    (GRAPH_FORMATS, None, "application/ld+json", "jsonld", "application/ld+json"),
    (GRAPH_FORMATS, "text/turtle", "NTriples", "ntriples", "application/n-triples"),
    # the format= values SPARQLWrapper sends along with its Accept header
    (GRAPH_FORMATS, "application/rdf+xml", "rdf+xml", "rdfxml", "application/rdf+xml"),
    (GRAPH_FORMATS, "application/rdf+xml", "xml", "rdfxml", "application/rdf+xml"),
    (GRAPH_FORMATS, "application/ld+json", "json-ld", "jsonld", "application/ld+json"),
    (GRAPH_FORMATS, "text/turtle", "n3", "turtle", "text/turtle"),
    # malformed ranges are ignored, the valid ones still count
    (RESULT_FORMATS, "garbage, text/csv;q=abc, text/tab-separated-values", None, "tsv",
     "text/tab-separated-values"),
]

NOT_ACCEPTABLE = [
    (RESULT_FORMATS, "text/turtle", None),
    (GRAPH_FORMATS, "application/sparql-results+json", None),
    (RESULT_FORMATS, "image/png", None),
    (RESULT_FORMATS, "*/*;q=0", None),
    (RESULT_FORMATS, "text/csv;q=0", None),
    (GRAPH_FORMATS, "text/*;q=0, application/*;q=0", None),
    (RESULT_FORMATS, "garbage", None),
    (RESULT_FORMATS, "text/csv", "turtle"),      # format= names a format of the other table
    (GRAPH_FORMATS, None, "pdf"),
    # a page without an RDF form, asked for RDF or for XHTML (the pages are HTML only)
    ((HTML,), "text/turtle", None),
    ((HTML,), "application/ld+json, application/rdf+xml;q=0.5", None),
    ((HTML,), "text/html;q=0, */*", None),
    ((HTML,), "application/xhtml+xml", None),
]


@pytest.mark.parametrize(("table", "accept", "format_param", "name", "media_type"), CASES)
def test_negotiate(table, accept, format_param, name, media_type):
    choice = negotiate(table, accept, format_param)
    assert (choice.format.name, choice.media_type) == (name, media_type)


@pytest.mark.parametrize(("table", "accept", "format_param"), NOT_ACCEPTABLE)
def test_not_acceptable(table, accept, format_param):
    with pytest.raises(NotAcceptable) as error:
        negotiate(table, accept, format_param)
    # the message lists what is available, so a client can correct itself
    assert all(fmt.media_type in str(error.value) for fmt in table)


def test_tables_have_unique_names_and_media_types():
    for table in (RESULT_FORMATS, GRAPH_FORMATS):
        assert len({f.name for f in table}) == len(table)
        assert len({f.media_type for f in table}) == len(table)
