"""SPARQL query text cut into tokens where pyoxigraph 0.5 cuts it, in linear time.

The policy checks (``guard``) must see a query as the engine will execute it, not as the
SPARQL 1.1 tokenizer of the specification would (https://www.w3.org/TR/sparql11-query/#grammar).
pyoxigraph's parser (spargebra, a scannerless PEG grammar) differs from it in ways an attacker
can use, each measured on pyoxigraph 0.5.13:

- codepoint escapes (``\\u0041``) are decoded inside IRIs and strings only, and ``<`` starts an
  IRI that runs to the next ``>`` (``<http://x/#\\u0041>`` is one IRI, not an IRI cut by a
  comment); in a prefixed name ``\\#`` is an escaped character, not a comment;
- ``<`` after an operand inside an expression is the less-than operator, so in
  ``FILTER(?a<1)SERVICE#>`` nothing is an IRI and ``#>`` is a comment;
- keywords need nothing between them (``SERVICESILENT``, ``trueSERVICE``), and a prefixed name
  whose IRI turns out invalid is read again as its prefix alone followed by code
  (``ex:SERVICE<…>`` with ``PREFIX ex: <http://[::1]>`` calls SERVICE).

So only what is certainly not code is skipped — comments, strings, IRIs and variables, each
matched by pyoxigraph's own rule — and every other run of name characters (keywords, prefixed
names, numbers, blank node labels, language tags) is handed to the checks as code: a check that
looks for a keyword must look inside those runs. Where ``<`` could be either an IRI or the
operator, the frame it stands in decides, as in the grammar; when that reading could hide code
from the checks the query is refused rather than guessed at.

Every regular expression here either consumes what it scans or fails at once, and the searches
for the next ``>`` are shared between positions, so a 64 KiB query costs one pass.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from typing import NamedTuple

from server.store.base import QuerySyntaxError

# Token kinds.
IRI = "iri"            # <...> as written (escapes not decoded)
STRING = "string"      # '...', "...", '''...''', """..."""
VAR = "var"            # ?name, $name
NAME = "name"          # keywords, prefixed names, numbers, blank nodes, language tags: code
LESS = "less"          # the < and <= operators
PUNCT = "punct"        # every other operator or punctuation, one token each

# Frames a token stands in: what the innermost open bracket is.
GROUP = "group"        # top level, { } (patterns, templates, VALUES data, solution modifiers)
EXPR = "expr"          # ( ) holding an expression (FILTER, BIND, SELECT (… AS ?v), calls)
LIST = "list"          # ( ) holding terms (collections, VALUES rows, paths), [ ] property lists

# Character classes of the SPARQL grammar (PN_CHARS_BASE and friends), as pyoxigraph has them.
_BASE_BMP = ("A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff"
             "\u200c-\u200d\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd")
_EXTENDERS = "\u00b7\u0300-\u036f\u203f-\u2040"
# Variables are skipped, so their class must not be wider than the engine's: BMP only.
_VAR_FIRST = "0-9_" + _BASE_BMP
_VAR_REST = _VAR_FIRST + _EXTENDERS
# Name runs are code, so their class may be wider than the engine's names (never narrower).
_NAME_FIRST = _BASE_BMP + "\U00010000-\U000effff" + "_0-9:%"
_NAME_REST = _NAME_FIRST + _EXTENDERS + ".\\-"
_LOCAL_ESCAPE = r"\\[_~.\-!$&'()*+,;=/?\#@%]"      # PN_LOCAL_ESC: \# is not a comment
_ECHAR = r"""\\[tbnrf"'\\]"""
_UCHAR = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"

_CODE = re.compile(rf"""
      (?P<space>[\ \t\r\n]++)
    | (?P<comment>\#[^\r\n]*+)
    | (?P<var>[?$][{_VAR_FIRST}][{_VAR_REST}]*+)
    | (?P<name>(?:[{_NAME_FIRST}]|{_LOCAL_ESCAPE})(?:[{_NAME_REST}]|{_LOCAL_ESCAPE})*+)
    | (?P<quote>['"])
    | (?P<less><)
    | (?P<punct>&&|\|\||!=|>=|\^\^|>>|.)
    """, re.VERBOSE | re.DOTALL)

# pyoxigraph tries the long forms first, then the short ones (an unclosed ''' is '' then ').
_STRING = re.compile(rf"""
      '''(?:(?:''|')?(?:[^'\\]|{_ECHAR}|{_UCHAR}))*+'''
    | \"\"\"(?:(?:\"\"|\")?(?:[^"\\]|{_ECHAR}|{_UCHAR}))*+\"\"\"
    | '(?:[^'\\\n\r]|{_ECHAR}|{_UCHAR})*+'
    | "(?:[^"\\\n\r]|{_ECHAR}|{_UCHAR})*+"
    """, re.VERBOSE)

# What an IRI may hold once pyoxigraph has decoded its escapes (IRIREF; it refuses the rest).
_IRI_TEXT = re.compile(rf'(?:[^<>"{{}}|^`\\\x00-\x20]|{_UCHAR})*+')
_ESCAPE = re.compile(_UCHAR)

# Words after which "(" opens a list of terms (rdf:type as a verb, VALUES' variables), not an
# expression; and the tokens after which it does in a group (paths, collections, subjects).
_LIST_WORDS = ("a",)
_LIST_AFTER_PUNCT = frozenset(("{", "}", ")", "]", ".", ";", ",", "|", "/", "^", "!", "*", "+",
                               "?", "~"))
# Words after which "<" still starts an IRI inside an expression (COUNT(DISTINCT <x>)).
_NOT_OPERANDS = frozenset(("distinct",))
_BRACKETS = frozenset("(){}[]")


class Token(NamedTuple):
    """One significant token: its kind, its text as written, where it starts, and the frame
    (``GROUP``, ``EXPR`` or ``LIST``) it stands in, or for an opening bracket the frame it
    opens."""

    kind: str
    text: str
    start: int
    frame: str

    def word(self) -> str:
        """The text in ASCII lower case, as pyoxigraph compares keywords."""
        return self.text.translate(_ASCII_LOWER)


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def iri_value(token: Token) -> str:
    """The IRI an ``IRI`` token names, its ``\\u`` escapes decoded as pyoxigraph does."""
    return _ESCAPE.sub(_decoded, token.text[1:-1])


def _decoded(escape: re.Match) -> str:
    codepoint = int(escape.group()[2:], 16)
    if codepoint > sys.maxunicode:
        raise QuerySyntaxError(f"{escape.group()} is no Unicode character")
    return chr(codepoint)


class _Frame:
    """An open bracket: which frame it makes, and (for groups) whether a clause whose
    brackets hold expressions is running (SELECT projection, GROUP BY, HAVING, ORDER BY)."""

    __slots__ = ("frame", "clause")

    def __init__(self, frame: str):
        self.frame = frame
        self.clause = False


class _NextMatch:
    """Position of the next match of ``pattern`` at or after a position that only grows; each
    search starts past the previous match, so all the searches together scan the text once."""

    def __init__(self, text: str, pattern: str):
        self._text = text
        self._pattern = re.compile(pattern)
        self._found: int | None = -1

    def at_or_after(self, pos: int) -> int | None:
        if self._found is not None and self._found < pos:
            match = self._pattern.search(self._text, pos)
            self._found = match.start() if match else None
        return self._found


def tokens(text: str) -> Iterator[Token]:
    """The significant tokens of ``text`` (no spaces, no comments), in order.

    Raises ``QuerySyntaxError`` where pyoxigraph would refuse the query anyway (an unclosed
    string or IRI, an IRI with characters IRIs cannot hold) and where ``<`` could be read as
    an operator or as an IRI with different results.
    """
    frames = [_Frame(GROUP)]
    closing = _NextMatch(text, ">")
    iri_end = _NextMatch(text, r"[ \t\r\n>]")
    hiding = _NextMatch(text, "[#'\"]")
    previous: Token | None = None
    before_previous: Token | None = None
    pos, end = 0, len(text)
    while pos < end:
        match = _CODE.match(text, pos)
        kind = match.lastgroup
        if kind == "space" or kind == "comment":
            pos = match.end()
            continue
        frame = frames[-1]
        if kind == "quote":
            string = _STRING.match(text, pos)
            if string is None:
                raise QuerySyntaxError(f"unterminated string at character {pos + 1}")
            token = Token(STRING, string.group(), pos, frame.frame)
        elif kind == "less":
            token = _less_than(text, pos, frame.frame, previous, closing, iri_end, hiding)
        else:                               # the group names are the kinds VAR, NAME, PUNCT
            token = Token(kind, match.group(), pos, frame.frame)
        pos += len(token.text)
        if kind == NAME:
            if frame.frame == GROUP and ":" not in token.text:
                _follow_clause(frame, token.word())
        elif kind == PUNCT and token.text in _BRACKETS:
            opened = _follow_brackets(frames, token.text, previous, before_previous)
            if opened is not None:
                token = token._replace(frame=opened)
        before_previous, previous = previous, token
        yield token


def _less_than(text: str, pos: int, frame: str, previous: Token | None, closing: _NextMatch,
               iri_end: _NextMatch, hiding: _NextMatch) -> Token:
    """The token starting with ``<`` at ``pos``: the operator after an operand in an
    expression (as pyoxigraph's RelationalExpression reads it), else an IRI or ``<<``."""
    if frame == EXPR and _is_operand(previous):
        stop = iri_end.at_or_after(pos + 1)
        if stop is not None and text[stop] == ">":
            secret = hiding.at_or_after(pos + 1)
            if secret is not None and secret < stop:
                # Read as an IRI, this text would swallow a comment or quote mark that the
                # operator reading leaves in the code: the two readings see different queries.
                raise QuerySyntaxError(
                    f"ambiguous '<' at character {pos + 1}: put a space after the less-than "
                    "operator")
        operator = "<=" if text.startswith("<=", pos) else "<"
        return Token(LESS, operator, pos, frame)
    if text.startswith("<<", pos):
        return Token(PUNCT, "<<", pos, frame)
    stop = closing.at_or_after(pos + 1)
    if stop is None:
        raise QuerySyntaxError(f"unclosed IRI at character {pos + 1}")
    if not _IRI_TEXT.fullmatch(text, pos + 1, stop):
        raise QuerySyntaxError(f"invalid IRI at character {pos + 1}: {text[pos:stop + 1][:80]}")
    return Token(IRI, text[pos:stop + 1], pos, frame)


def _is_operand(token: Token | None) -> bool:
    """Whether ``token`` can end an operand, so that a ``<`` after it compares."""
    if token is None:
        return False
    if token.kind in (VAR, IRI, STRING):
        return True
    if token.kind == NAME:
        return token.word() not in _NOT_OPERANDS
    return token.kind == PUNCT and token.text in (")", ">>")


def _follow_clause(frame: _Frame, word: str) -> None:
    """Track the clauses of a query or subquery whose brackets hold expressions."""
    if word.startswith("select") or word.endswith(("by", "having")):
        frame.clause = True
    elif word.endswith(("where", "limit", "offset", "values")):
        frame.clause = False


def _follow_brackets(frames: list[_Frame], punct: str, previous: Token | None,
                     before_previous: Token | None) -> str | None:
    """Open or close a frame for a bracket; the frame an opening bracket opens."""
    if punct in ")}]":
        if len(frames) > 1:
            frames.pop()
        return None
    parent = frames[-1]
    if punct == "{":
        parent.clause = False
        opened = GROUP
    elif punct == "[":
        opened = LIST
    else:
        opened = _paren_frame(parent, previous, before_previous)
    frames.append(_Frame(opened))
    return opened


def _paren_frame(parent: _Frame, previous: Token | None, before_previous: Token | None) -> str:
    """Whether a "(" opens an expression or a list of terms.

    When unsure, an expression: there a ``<`` after an operand is read as the operator and
    what follows stays visible to the checks, while reading an IRI would skip it.
    """
    if previous is not None and previous.text == "<<":
        return LIST                                 # <<( s p o )>> triple term
    if parent.frame != GROUP:
        return parent.frame                         # nested: same kind as the outer one
    if parent.clause or previous is None:
        return EXPR
    if previous.kind == VAR:
        return LIST                                 # ?s (path) or ?s :p (collection)
    if previous.kind == PUNCT:
        return LIST if previous.text in _LIST_AFTER_PUNCT else EXPR
    if previous.kind == NAME and ":" not in previous.text:
        word = previous.word()
        return LIST if previous.text in _LIST_WORDS or word.endswith("values") else EXPR
    if previous.kind in (IRI, NAME):
        # A function call only right after FILTER (FILTER <f>(…)); else a verb or subject.
        after_filter = "filter" in previous.word() or (
            before_previous is not None and before_previous.kind == NAME
            and before_previous.word().endswith("filter"))
        return EXPR if after_filter else LIST
    return EXPR
