"""Errors a command expects, as one line and a documented exit code, never a traceback.

The exit codes are those of docs/curating.md ("Exit codes and errors"): 0 done, 1 the command
ran and refused (violations, an import with problems, nothing to remove), 2 bad usage, input that
cannot be read or output that cannot be written. ``one_line_errors`` wraps every command (see
``server.cli.LazyGroup.invoke``); ``read_text`` reads a text argument such as a query file, and
``stream_name`` names it in messages.
"""

from __future__ import annotations

import codecs
import contextlib
from collections.abc import Iterator
from typing import BinaryIO

import click

from server.cli.common import EXIT_UNREADABLE

_BYTE_ORDER_MARKS = ((codecs.BOM_UTF32_LE, "UTF-32"), (codecs.BOM_UTF32_BE, "UTF-32"),
                     (codecs.BOM_UTF16_LE, "UTF-16"), (codecs.BOM_UTF16_BE, "UTF-16"))


class BadInput(click.ClickException):
    """Input that cannot be read or output that cannot be written: ``error: …``, exit 2."""

    exit_code = EXIT_UNREADABLE

    def show(self, file=None) -> None:
        """One line on stderr, in the form ``cnc-kg validate`` uses for an unreadable project."""
        click.echo(f"error: {self.format_message()}", err=True, file=file)


@contextlib.contextmanager
def one_line_errors() -> Iterator[None]:
    """Turn the project's expected errors into ``BadInput``: a project folder that cannot be read
    (``ProjectError``, with file:line:column for Turtle), a sheet that cannot be read
    (``SheetError``), a file the system refuses to read or write (``OSError``)."""
    from server.importer.sheets import SheetError
    from server.project.files import ProjectError

    try:
        yield
    except (ProjectError, SheetError) as error:
        raise BadInput(str(error)) from error
    except OSError as error:
        where = f"{error.filename}: " if error.filename else ""
        raise BadInput(f"{where}{error.strerror or error}") from error


def read_text(stream: BinaryIO, limit: int) -> str:
    """The UTF-8 text of ``stream`` (an argument opened with ``click.File("rb")``), at most
    ``limit`` bytes; ``BadInput`` naming the file for anything else."""
    name = stream_name(stream)
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise BadInput(f"{name}: larger than {limit:,} bytes (setting max_query_bytes)")
    for mark, encoding in _BYTE_ORDER_MARKS:
        if data.startswith(mark):
            raise BadInput(f"{name}: {encoding} text: save it as UTF-8")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise BadInput(f"{name}: not UTF-8 text (byte {error.start}): a binary file, or save "
                       "it as UTF-8") from error


def stream_name(stream: BinaryIO) -> str:
    """What to call a file argument in a message: its path, or ``<stdin>`` for ``-``."""
    return getattr(stream, "name", "<stdin>")  # click's test runner gives stdin no name
