"""What a cell may hold: no control characters, no formula-like text (CSV injection), both ways.

A spreadsheet program runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and some strip a
leading tab or carriage return first) as a formula: ``=HYPERLINK("http://…"&A1,"Click me")`` leaks
the row to a web site, ``+cmd|' /C calc'!A0`` starts a program
(https://owasp.org/www-community/attacks/CSV_Injection). So:

- **import** refuses such a value (``import_value``): it never reaches data/, the dumps or the
  endpoint's CSV results. A number (``-5``, ``+3.2``) is not a formula and passes. Text that must
  start with one of these characters is written with an apostrophe in front (``'-`` for a lone
  dash), the OWASP escape, which the import removes.
- **export** writes every such value with that apostrophe (``export_value``), so a value already
  in data/ opens as text, and the sheet imports back to the same value: the escape is applied and
  removed exactly once, also for text that itself starts with apostrophes.

Control characters (NUL, the C0 set but tab, line feed and carriage return, DEL, the C1 set) and
the code points XML 1.0 forbids are refused on import: they make ``/id/<slug>.rdf`` and SPARQL XML
results ill-formed.
"""

from __future__ import annotations

import re

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
ESCAPE = "'"
_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)*(?:[eE][+-]?\d+)?%?$")
# C0 controls but tab, LF, CR; DEL and C1; surrogates (from XLSX _xD800_ escapes); U+FFFE/U+FFFF
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


class CellRuleError(ValueError):
    """A cell value a sheet may not hold; the message names the rule and the fix."""


def formula_like(text: str) -> bool:
    """Whether a spreadsheet would run ``text`` as a formula (a plain number is no formula)."""
    return text[:1] in FORMULA_TRIGGERS and not _NUMBER.match(text)


def _needs_escape(text: str) -> bool:
    """Formula-like once its leading apostrophes are set aside: escaping then adds one more, and
    unescaping removes exactly that one, so ``'-5`` and ``''-5`` both survive the round trip."""
    return formula_like(text.lstrip(ESCAPE))


def forbidden_character(text: str) -> str | None:
    """A description of the first character a cell may not hold, or None."""
    found = _FORBIDDEN.search(text)
    if found is None:
        return None
    return f"control character U+{ord(found[0]):04X} at position {found.start() + 1}"


def import_value(text: str) -> str:
    """The value a cell's text stands for; CellRuleError for a formula or a control character."""
    bad = forbidden_character(text)
    if bad is not None:
        raise CellRuleError(f"{bad}: a cell holds printable text only (rule: no control "
                            "characters); retype the cell or remove the character")
    if text.startswith(ESCAPE) and _needs_escape(text[1:]):
        return text[1:]
    if formula_like(text):
        raise CellRuleError(f"{_shown(text)} starts with {text[0]!r}: a spreadsheet would run it "
                            "as a formula (rule: no formulas, OWASP CSV injection); type the "
                            "value itself, or, if it is text, put an apostrophe in front of it")
    return text


def export_value(text: str) -> str:
    """``text`` as written in an exported cell: with an apostrophe in front if it needs one."""
    return ESCAPE + text if _needs_escape(text) else text


def _shown(text: str, width: int = 40) -> str:
    """``text`` quoted for a message, cut to ``width`` characters."""
    return repr(text if len(text) <= width else text[:width] + "…")
