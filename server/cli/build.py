"""``cnc-kg build``: validate the project, then publish dist/ (left untouched when refused)."""

from __future__ import annotations

import sys

import click

from server.cli.common import EXIT_INVALID, shapes_check_option, unreadable, with_settings
from server.config import Settings
from server.project.build import InvalidGraph, build_graph
from server.project.files import ProjectError


@click.command()
@click.option("--reasoner/--no-reasoner", default=True, show_default=True,
              help="Check the ontology with HermiT first (seconds).")
@shapes_check_option
@with_settings
def build(settings: Settings, reasoner: bool, shapes_check: bool) -> None:
    """Validate, then write dist/: Turtle, N-Triples, JSON-LD + context, report, build.json.

    Exit 1 (dist/ untouched) on violations, 2 when a file cannot be read.
    """
    try:
        result = build_graph(settings, reasoner=reasoner, shapes_check=shapes_check)
    except ProjectError as error:
        unreadable(error, "text", settings.root)
    except InvalidGraph as error:
        click.echo(error.run.report.to_text(), nl=False)
        click.echo(f"build refused: {error}", err=True)
        sys.exit(EXIT_INVALID)
    steps = ", ".join(f"{step} {sec:.1f}s" for step, sec in result.run.durations.items())
    click.echo(f"{result.run.report.warnings} warning(s); wrote {result.dist}: "
               f"{result.triples} triples, {result.entities} entities, "
               f"sha256 {result.sha256[:12]}, version {result.version} ({steps})")
