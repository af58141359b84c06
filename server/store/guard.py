"""Policy checks on query text before any engine sees it: query form, no update, no SERVICE,
bounded nesting.

The check is lexical (comments, strings and IRIs are skipped as tokens, per the SPARQL 1.1
grammar, https://www.w3.org/TR/sparql11-query/#grammar), so it is the same for every engine and
costs microseconds instead of a full parse.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from server.store.base import QueryRefused, QuerySyntaxError

QUERY_FORMS = ("select", "construct", "describe", "ask")
UPDATE_KEYWORDS = frozenset(
    ("insert", "delete", "load", "clear", "create", "drop", "copy", "move", "add", "with"))

# Deepest nesting of (), {} and [] accepted. Real queries stay far below; pyoxigraph's recursive
# parser overflows the worker's stack near 5,000 levels, which would kill it instead of a 400.
MAX_NESTING = 256
OPENING, CLOSING = "({[", ")}]"

# One alternation, tried left to right: things that may contain keywords come first.
_TOKEN = re.compile(
    r"""(?P<comment>\#[^\n\r]*)
      | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
                  |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
      | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
      | (?P<var>[?$][\w\u00b7\u0300-\u036f\u203f-\u2040]+)
      | (?P<pname>[^\s{}()<>"',;.\[\]#?$]*:[^\s{}()<>"',;\[\]#]*)
      | (?P<word>[A-Za-z_]\w*)
      | (?P<other>\S)""",
    re.VERBOSE | re.DOTALL,
)


def _tokens(text: str) -> Iterable[tuple[str, str]]:
    """(kind, text) for every significant token; comments are dropped."""
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind != "comment":
            yield kind, match.group()


def query_form(text: str) -> str:
    """The form of a query ("select", "construct", "describe", "ask").

    Raises ``QueryRefused`` for SPARQL Update and ``QuerySyntaxError`` when no form is found.
    """
    tokens = iter(_tokens(text))
    for kind, value in tokens:
        word = value.lower()
        if kind == "word" and word == "base":
            next(tokens, None)              # the base IRI
        elif kind == "word" and word == "prefix":
            next(tokens, None)              # the prefix name
            next(tokens, None)              # its IRI
        elif kind == "word" and word in QUERY_FORMS:
            return word
        elif kind == "word" and word in UPDATE_KEYWORDS:
            raise QueryRefused(
                f"SPARQL Update ({value.upper()}) is not accepted: this endpoint is read-only.")
        else:
            break
    raise QuerySyntaxError(
        "expected a query form (SELECT, CONSTRUCT, DESCRIBE or ASK) after the prologue")


def check_service(text: str, allowed: Iterable[str]) -> None:
    """Refuse ``SERVICE`` unless its endpoint is written as a full IRI in ``allowed``.

    A variable or prefixed name as endpoint is refused: the server would otherwise send requests
    on a stranger's behalf to hosts it cannot predict.
    """
    if "service" not in text.lower():
        return                          # the keyword cannot be there: no need to tokenize
    allowed = set(allowed)
    tokens = list(_tokens(text))
    for i, (kind, value) in enumerate(tokens):
        if kind != "word" or value.lower() != "service":
            continue
        j = i + 1
        if j < len(tokens) and tokens[j][1].lower() == "silent":
            j += 1
        target_kind, target = tokens[j] if j < len(tokens) else ("", "")
        if target_kind != "iri" or target[1:-1] not in allowed:
            raise QueryRefused(
                f"SERVICE {target} is refused: federated queries may only call the endpoints in "
                "the server's service_allow setting"
                + (f" ({', '.join(sorted(allowed))})." if allowed else " (empty)."))


def check_nesting(text: str) -> None:
    """Refuse (as a syntax error) a query nested deeper than ``MAX_NESTING`` brackets."""
    if sum(text.count(bracket) for bracket in OPENING) <= MAX_NESTING:
        return                          # not enough brackets to nest that deep
    depth = 0
    for kind, value in _tokens(text):
        if kind != "other":
            continue
        if value in OPENING:
            depth += 1
            if depth > MAX_NESTING:
                raise QuerySyntaxError(
                    f"the query nests brackets more than {MAX_NESTING} levels deep (limit of "
                    "this endpoint)")
        elif value in CLOSING:
            depth -= 1


def check_query(text: str, service_allow: Iterable[str] = ()) -> str:
    """Apply every policy check and return the query form."""
    form = query_form(text)
    check_nesting(text)
    check_service(text, service_allow)
    return form
