"""Query syntax errors as people read them: the engine's message with its line and column, and
an undeclared prefix named plainly."""

from __future__ import annotations

import re

_ERROR_POSITION = re.compile(r"^error at (\d+):(\d+): ")
_PREFIXED_NAME_END = re.compile(r"([A-Za-z][\w.-]*)?:[\w.-]*$")


def syntax_message(query: str, message: str) -> str:
    """The parser's message with its line:column; an undeclared prefix is named plainly.

    pyoxigraph reports an unknown prefix as a long list of expected characters ending in
    "Prefix not found", at the column just past the prefixed name.
    """
    position = _ERROR_POSITION.match(message)
    if position and "Prefix not found" in message:
        line, column = int(position[1]), int(position[2])
        lines = query.splitlines()
        name = _PREFIXED_NAME_END.search(lines[line - 1][: column - 1]) if line <= len(
            lines) else None
        if name:
            return (f"query syntax error at {line}:{column}: prefix '{name[1] or ''}:' is not "
                    "declared (add a PREFIX line)")
    return f"query syntax {' '.join(message.split())}"
