"""The lexical policy checks every query passes before an engine sees it (server/store/guard.py)."""

import contextlib

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from loopback_listener import listening

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


# --- the lexer reads queries as pyoxigraph does (server/store/sparql_lexer.py) ---------------

READ_AS_ENGINE = [
    # '<' after an operand in an expression compares; elsewhere it opens an IRI, '#' and all
    "SELECT * WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?o FILTER(?o < 3) }",
    "SELECT * WHERE { ?s ?p ?o FILTER(?o<3 && ?o>=1) }",
    "SELECT * WHERE { ?s ?p ?o FILTER(?o<?p) } ORDER BY ?s STR(?o)",
    "SELECT * WHERE { VALUES (?a ?b) { (<http://x#a> <http://x#b>) (1 'x#') } }",
    "SELECT (COUNT(DISTINCT <http://x#y>) AS ?n) WHERE { }",
    "SELECT * WHERE { ?s (<http://x#p>|<http://x#q>)* <http://x#o> ; "
    "<http://x#r> (<x:a> <x:b#c>) }",
    # escapes: decoded in IRIs and strings only; \# in a prefixed name is no comment
    r"SELECT * WHERE { BIND(<http://x/#\u0041> AS ?a) BIND('\u0023' AS ?b) }",
    r"PREFIX ex: <http://x/> SELECT * WHERE { ?s ex:a\#b\~c ?o }",
    # a long string that fails to close is two short ones
    "SELECT * WHERE { VALUES ?x { '''a' } }",
]
AMBIGUOUS = [
    "SELECT * WHERE { ?s ?p ?o FILTER(?o<b#c>) }",
    "SELECT * WHERE { ?s ?p ?o FILTER(1<'x'>) }",
]
MALFORMED = ["SELECT * WHERE { ?s ?p 'open }", "SELECT * WHERE { ?s <http://x/a b> ?o }",
             "SELECT * WHERE { ?s <http://x/ ?o }",
             r"SELECT * WHERE { SERVICE <http://x/\U00110000> {} }"]


@pytest.mark.parametrize("query", READ_AS_ENGINE)
def test_lexer_accepts_what_the_engine_reads(query):
    assert check_query(query, ()).services == frozenset()
    ox.Store().query(query)                       # and the engine parses it too


@pytest.mark.parametrize("query", AMBIGUOUS)
def test_less_than_that_could_hide_a_comment_is_refused(query):
    with pytest.raises(QuerySyntaxError, match="ambiguous"):
        check_query(query, ())


@pytest.mark.parametrize("query", MALFORMED)
def test_unclosed_strings_and_bad_iris_are_syntax_errors(query):
    with pytest.raises(QuerySyntaxError):
        check_query(query, ())


# Pieces that have hidden code from a lexer: keywords, IRIs with '#', comment and quote marks,
# escapes, '<' that may compare or open an IRI, prefixed names with escapes.
PIECES = ["SERVICE", "service", "SILENT", "<{url}>", "<http://x/#a>", "#", "\n", " ", "<", ">",
          "?a", "1", "(", ")", "{", "}", "FILTER", '"', "'", "'''", r"\u0041", r"ex:a\#b",
          "ex:", "true", ".", ";", "BIND", "AS", "VALUES", "OPTIONAL", "SELECT", "*", "\\", "a"]


@settings(max_examples=300, deadline=None)
@given(pieces=st.lists(st.sampled_from(PIECES), max_size=25))
def test_whatever_the_guard_accepts_calls_no_service(pieces):
    """Differential: any text the guard lets through, run by pyoxigraph in this process (no
    sandbox), contacts no listener."""
    with listening() as listener:
        query = ("PREFIX ex: <http://x/> SELECT * WHERE { "
                 + "".join(pieces).replace("{url}", listener.url()) + " }")
        try:
            check_query(query, ())
        except (QueryRefused, QuerySyntaxError):
            return
        with contextlib.suppress(SyntaxError, OSError, ValueError, RuntimeError):
            list(ox.Store().query(query))
        assert not listener.requests, query


# Characters and words that change how a lexer reads what follows.
SHARP_EDGES = [*"<>?$#'\"\\uU0129aAfF(){}[]:.;,!&|=-+*/^@_~ \n\t",
               "SERVICE", "SILENT", "SELECT", "ex:", "'''", "<<"]


@settings(max_examples=500, deadline=None)
@given(text=st.lists(st.sampled_from(SHARP_EDGES), max_size=40).map("".join))
def test_guard_answers_any_text_with_a_refusal_or_a_verdict(text):
    """Whatever the text, the checks end in a verdict or one of the two refusals (a 403 or a
    400), never another exception (a 500)."""
    with contextlib.suppress(QueryRefused, QuerySyntaxError):
        check_query(text, ("http://x/",))
