"""Policy checks on query text before any engine sees it: query form, no update, SERVICE only to
allowed endpoints, bounded depth.

The checks read the tokens of ``sparql_lexer``, which cuts the text where pyoxigraph's parser
does (not where the SPARQL 1.1 grammar says a tokenizer should,
https://www.w3.org/TR/sparql11-query/#grammar), so the same for every engine, in one linear
pass, microseconds for ordinary queries and milliseconds for 64 KiB ones.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from server.store.base import QueryRefused, QuerySyntaxError
from server.store.sparql_lexer import EXPR, IRI, LESS, LIST, NAME, PUNCT, Token, iri_value, tokens

QUERY_FORMS = ("select", "construct", "describe", "ask")
UPDATE_KEYWORDS = frozenset(
    ("insert", "delete", "load", "clear", "create", "drop", "copy", "move", "add", "with"))

# Deepest nesting of (), {} and [] accepted. Real queries stay far below; pyoxigraph's recursive
# parser overflows an engine process's 8 MiB stack from about 2,200 nested braces, which kills
# the process instead of answering 400.
MAX_NESTING = 256
# Deepest tree a query may make. pyoxigraph builds and evaluates its algebra recursively, so
# every level costs stack: a level is an open bracket, a binary or unary operator in an
# expression, a property-path step, an item of a collection, or a group or expression bracket
# after the first among siblings (joins, UNION, MINUS, OPTIONAL, BIND, select expressions).
# Measured on 0.5.13 in a forked process with an 8 MiB stack (python -m bench.engine_depth),
# the smallest crash was 2,206 levels of nested braces; others crashed from 2,631 (MINUS, BIND
# chains), 2,636 (sibling subqueries), 2,642 (select expressions), 4,093 (collection items),
# 6,907 (+ or - chains), 8,186 (path steps), 9,380 (&& chain), 9,465 (! operators). The limit
# keeps four times that margin.
MAX_DEPTH = 512
OPENING, CLOSING = "({[", ")}]"
# Operators that each wrap what follows (or precedes) in one more expression node.
_EXPRESSION_LINKS = frozenset(("&&", "||", "!", "!=", "=", ">", ">=", "+", "-", "*", "/"))
# Property list and path operators that each add a node in a group or list of terms.
_PATTERN_LINKS = frozenset((";", ",", "/", "|", "^", "!"))
_SERVICE = re.compile("service", re.IGNORECASE | re.ASCII)
# Verdicts on queries up to this long are remembered (most recent first), so a query sent again
# is not read again: clients repeat the same few queries. Longer ones are read each time (they
# would make the memory held by the remembered texts large).
MEMO_CHARS = 4096
MEMO_ENTRIES = 1024


@dataclass(frozen=True)
class CheckedQuery:
    """What the checks learnt: the query form and the (allowed) SERVICE endpoints it calls."""

    form: str
    services: frozenset[str]


def _remembered(check: Callable) -> Callable:
    """``check``, its answers for short texts remembered (a refusal, raised, is not)."""
    cached = functools.lru_cache(maxsize=MEMO_ENTRIES)(check)

    @functools.wraps(check)
    def remembered(text: str, *args):
        return cached(text, *args) if len(text) <= MEMO_CHARS else check(text, *args)
    return remembered


@_remembered
def query_form(text: str) -> str:
    """The form of a query ("select", "construct", "describe", "ask").

    Raises ``QueryRefused`` for SPARQL Update and ``QuerySyntaxError`` when no form is found.
    Reads only the prologue, so it costs little even for a long query.
    """
    stream = tokens(text)
    for token in stream:
        word = token.word() if token.kind == NAME else ""
        if word in ("base", "version"):
            next(stream, None)              # the base IRI, the version string
        elif word == "prefix":
            next(stream, None)              # the prefix name
            next(stream, None)              # its IRI
        elif word in QUERY_FORMS:
            return word
        elif word in UPDATE_KEYWORDS:
            raise QueryRefused(
                f"SPARQL Update ({token.text.upper()}) is not accepted: this endpoint is "
                "read-only.")
        else:
            break
    raise QuerySyntaxError(
        "expected a query form (SELECT, CONSTRUCT, DESCRIBE or ASK) after the prologue")


def check_services(found: Sequence[Token], allowed: Iterable[str]) -> frozenset[str]:
    """The endpoints of the query's SERVICE calls; refuses any not written as a full IRI in
    ``allowed``.

    pyoxigraph reads SERVICE wherever the seven letters stand in code, glued to a keyword or
    inside a prefixed name (see ``sparql_lexer``), so any name holding them is refused unless
    it is the keyword alone, optionally followed by SILENT, then an allowed IRI. A variable or
    prefixed name as endpoint is refused: the server would otherwise send requests on a
    stranger's behalf to hosts it cannot predict.
    """
    allowed = frozenset(allowed)
    called: set[str] = set()
    for i, token in enumerate(found):
        if token.kind != NAME or not _SERVICE.search(token.text):
            continue
        if token.word() != "service":
            raise QueryRefused(
                f"{token.text!r} holds the word SERVICE, which the engine can read as the SERVICE "
                "keyword: write this name as a full <IRI>.")
        j = i + 1
        if j < len(found) and found[j].kind == NAME and found[j].word() == "silent":
            j += 1
        endpoint = found[j] if j < len(found) else None
        if endpoint is None or endpoint.kind != IRI or iri_value(endpoint) not in allowed:
            shown = endpoint.text if endpoint is not None else "(nothing)"
            raise QueryRefused(
                f"SERVICE {shown} is refused: federated queries may only call the endpoints in "
                "the server's service_allow setting"
                + (f" ({', '.join(sorted(allowed))})." if allowed else " (empty)."))
        called.add(iri_value(endpoint))
    return frozenset(called)


def check_depth(found: Iterable[Token]) -> None:
    """Refuse (as a syntax error) a query nested deeper than ``MAX_NESTING`` brackets or whose
    tree would be deeper than ``MAX_DEPTH`` levels (see there)."""
    # Per open frame: [levels it adds beyond its bracket, whether it has had a bracketed child].
    frames: list[list] = [[0, False]]
    depth = 1
    for token in found:
        if token.kind == PUNCT and token.text in OPENING:
            parent = frames[-1]
            if parent[1] and token.frame != LIST:
                parent[0] += 1              # a sibling: one more join/union/extend above it
                depth += 1
            parent[1] = parent[1] or token.frame != LIST
            frames.append([0, False])
            depth += 1
            if len(frames) - 1 > MAX_NESTING:
                raise QuerySyntaxError(
                    f"the query nests brackets more than {MAX_NESTING} levels deep (limit of "
                    "this endpoint)")
        elif token.kind == PUNCT and token.text in CLOSING:
            if len(frames) > 1:
                depth -= 1 + frames.pop()[0]
        else:
            links = _links(token)
            frames[-1][0] += links
            depth += links
        if depth > MAX_DEPTH:
            raise QuerySyntaxError(
                f"the query is nested too deeply: its brackets, operator chains, property-path "
                f"steps, collection items and sibling groups add up to more than {MAX_DEPTH} "
                "levels (limit of this endpoint)")


def _links(token: Token) -> int:
    """How many tree levels ``token`` adds to the frame it stands in."""
    if token.frame == EXPR:
        if token.kind in (PUNCT, LESS):
            return 1 if token.text in _EXPRESSION_LINKS or token.kind == LESS else 0
        # 1-1-1 is one name run to the lexer but a chain of subtractions to the engine.
        return token.text.count("-") if token.kind == NAME else 0
    if token.kind == PUNCT:
        return 1 if token.text in _PATTERN_LINKS else 0
    return 1 if token.frame == LIST else 0      # each term of a collection nests one level


@_remembered
def check_query(text: str, service_allow: tuple[str, ...] = ()) -> CheckedQuery:
    """Apply every policy check; the query form and the SERVICE endpoints it calls."""
    form = query_form(text)
    found = list(tokens(text))
    check_depth(found)
    return CheckedQuery(form, check_services(found, service_allow))
