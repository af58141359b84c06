"""What several commands share: the project option, exit codes and how an unreadable project
is reported."""

from __future__ import annotations

import functools
import json
import sys
from pathlib import Path

import click

from server.config import SettingError, Settings, load_settings
from server.project.files import ProjectError, RdfSyntaxError
from server.project.report import relative

EXIT_VALID, EXIT_INVALID, EXIT_UNREADABLE = 0, 1, 2
EXIT_USAGE = 2          # a bad option or setting


def settings_or_exit(**kwargs) -> Settings:
    """``load_settings(**kwargs)``, or one line naming the bad setting and exit 2."""
    try:
        return load_settings(**kwargs)
    except SettingError as error:
        click.echo(f"cnc-kg: {error}", err=True)
        sys.exit(EXIT_USAGE)


def with_settings(func):
    """Give a subcommand its own ``--root`` and pass it the resolved ``Settings`` first.

    ``cnc-kg --root DIR build`` and ``cnc-kg build --root DIR`` are the same.
    """
    @click.option("--root", "sub_root", type=click.Path(file_okay=False, path_type=str),
                  default=None, help="Project folder (overrides the group's --root).")
    @click.pass_context
    @functools.wraps(func)
    def wrapper(ctx: click.Context, *args, sub_root: str | None = None, **kwargs):
        settings = ctx.obj if ctx.obj is not None else settings_or_exit()
        if sub_root is not None:
            settings = settings_or_exit(root=sub_root)
        return func(settings, *args, **kwargs)

    return wrapper


def unreadable(error: ProjectError, fmt: str, root: Path) -> None:
    """Say why the project cannot be read (stderr, and JSON on stdout for machines); exit 2."""
    if fmt == "json":
        detail = {"message": str(error)}
        if isinstance(error, RdfSyntaxError):
            detail = {"file": relative(error.path, root), "line": error.line,
                      "column": error.column, "message": error.message}
        click.echo(json.dumps({"conforms": False, "error": detail}, ensure_ascii=False))
    click.echo(f"error: {error}", err=True)
    from server.project.validation import ReasonerNotRun

    if isinstance(error, ReasonerNotRun):
        click.echo("hint: add --no-reasoner to skip the OWL reasoner (the SHACL checks still "
                   "run)", err=True)
    sys.exit(EXIT_UNREADABLE)


shapes_check_option = click.option(
    "--shapes-check/--no-shapes-check", default=True, show_default=True,
    help="Check the shapes themselves against SHACL-for-SHACL (seconds).")


def chosen_kinds(kinds: tuple[str, ...], all_kinds: bool, every_kind) -> list[str]:
    """The kinds of record a sheet command works on: those named, or all with ``--all``."""
    if all_kinds:
        return list(every_kind)
    if not kinds:
        raise click.UsageError("name a KIND (" + ", ".join(every_kind) + ") or pass --all")
    return list(kinds)
