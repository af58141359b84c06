"""The lexical policy checks every query passes before an engine sees it (server/store/guard.py)."""

import pytest

from server.store.base import QueryRefused, QuerySyntaxError
from server.store.guard import check_query

ALLOWED = ("https://query.wikidata.org/sparql",)

FORMS = [
    ("SELECT * WHERE { ?s ?p ?o }", "select"),
    ("  # SELECT in a comment\nconstruct where { ?s ?p ?o }", "construct"),
    ("PREFIX ex: <http://example.org/insert/>\nBASE <http://x/>\nDESCRIBE ex:a", "describe"),
    ("prefix : <urn:x:> ask { :a :b 'INSERT' }", "ask"),
    # words that only look like keywords: a variable, a string, an IRI, a comment
    ('SELECT ?service WHERE { ?s ?p "SERVICE <http://evil/>" ; '
     '<http://x/SERVICE> ?o } # SERVICE <http://evil/>', "select"),
    ("SELECT * WHERE { SERVICE <https://query.wikidata.org/sparql> { ?s ?p ?o } }", "select"),
    ("SELECT * WHERE { SERVICE SILENT <https://query.wikidata.org/sparql> { ?s ?p ?o } }",
     "select"),
    ('SELECT * WHERE { ?s ?p """multi\nline SERVICE <http://evil/> """ }', "select"),
]

REFUSED = [
    "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
    "PREFIX : <urn:x:> DELETE WHERE { ?s ?p ?o }",
    "# comment\nLOAD <http://example.org/data.ttl>",
    "DROP ALL",
    "CLEAR DEFAULT",
    "WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { service silent <http://evil.example/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { BIND(<https://query.wikidata.org/sparql> AS ?e) SERVICE ?e { ?s ?p ?o } }",
    "PREFIX wd: <https://query.wikidata.org/> SELECT * WHERE { SERVICE wd:sparql { ?s ?p ?o } }",
]

NOT_QUERIES = ["", "   ", "# only a comment", "PREFIX ex: <http://x/>", "HELLO"]


@pytest.mark.parametrize(("query", "form"), FORMS)
def test_query_forms(query, form):
    assert check_query(query, ALLOWED).form == form


@pytest.mark.parametrize("query", REFUSED)
def test_refused(query):
    with pytest.raises(QueryRefused):
        check_query(query, ALLOWED)


@pytest.mark.parametrize("query", NOT_QUERIES)
def test_not_a_query(query):
    with pytest.raises(QuerySyntaxError):
        check_query(query, ALLOWED)


def test_service_refused_when_allow_list_empty():
    with pytest.raises(QueryRefused, match="service_allow"):
        check_query(FORMS[5][0], ())
