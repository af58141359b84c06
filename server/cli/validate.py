"""``cnc-kg validate``: check the project and print the report by file and line."""

from __future__ import annotations

import sys

import click

from server.cli.common import (
    EXIT_INVALID,
    EXIT_VALID,
    shapes_check_option,
    unreadable,
    with_settings,
)
from server.config import Settings
from server.project.files import ProjectError
from server.project.validation import validate_project


@click.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Report for people (text) or machines (json).")
@click.option("--reasoner/--no-reasoner", default=True, show_default=True,
              help="Check the ontology with HermiT (seconds; skip it for quick runs).")
@shapes_check_option
@with_settings
def validate(settings: Settings, fmt: str, reasoner: bool, shapes_check: bool) -> None:
    """Check every Turtle file: syntax, ontology consistency, SHACL shapes.

    Exit 0 when valid (warnings allowed), 1 on violations, 2 when a file cannot be read.
    """
    try:
        run = validate_project(settings, reasoner=reasoner, shapes_check=shapes_check)
    except ProjectError as error:
        unreadable(error, fmt, settings.root)
    report = run.report
    click.echo(report.to_json_text() if fmt == "json" else report.to_text(), nl=False)
    steps = ", ".join(f"{step} {seconds:.1f}s" for step, seconds in run.durations.items())
    click.echo(f"{len(run.project.files)} files checked ({steps})", err=True)
    sys.exit(EXIT_VALID if report.conforms else EXIT_INVALID)
