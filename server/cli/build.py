"""``cnc-kg build``: validate the project, then publish dist/ (left untouched when refused)."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import click

from server import dist
from server.cli.common import EXIT_INVALID, shapes_check_option, unreadable, with_settings
from server.config import Settings


@click.command()
@click.option("--reasoner/--no-reasoner", default=True, show_default=True,
              help="Check the ontology with HermiT first (seconds; needs Java).")
@shapes_check_option
@click.option("--if-changed", is_flag=True,
              help="Build only if ontology/, shapes/, data/, queries/ or the build code changed "
                   "since dist/ was built; else say so and leave dist/ as it is.")
@with_settings
def build(settings: Settings, reasoner: bool, shapes_check: bool, if_changed: bool) -> None:
    """Validate, then write dist/: Turtle, N-Triples, JSON-LD + context, report, build.json.

    Exit 1 (dist/ untouched) on violations, 2 when a file cannot be read or a check cannot run.
    """
    if if_changed:
        from server.project.freshness import freshness

        state = freshness(settings)
        if state.fresh:
            click.echo(f"dist/ is up to date ({state.reason}): keeping it")
            return
        click.echo(f"building dist/: {state.reason}")
    # Imported here: the up-to-date answer above must not pay for rdflib and pySHACL.
    from server.project.build import InvalidGraph, build_graph
    from server.project.files import ProjectError
    from server.project.report import relative

    try:
        result = build_graph(settings, reasoner=reasoner, shapes_check=shapes_check)
    except ProjectError as error:
        unreadable(error, "text", settings.root)
    except InvalidGraph as error:
        click.echo(error.run.report.to_text(), nl=False)
        click.echo(f"build refused: {error}", err=True)
        sys.exit(EXIT_INVALID)
    steps = ", ".join(f"{step} {sec:.1f}s" for step, sec in result.run.durations.items())
    warnings = result.run.report.warnings
    click.echo(f"{warnings} warning(s); wrote {result.dist}: "
               f"{result.triples} triples, {result.entities} entities, "
               f"sha256 {result.sha256[:12]}, version {result.version} ({steps})")
    if warnings:
        kinds = Counter(e.shape or e.message for e in result.run.report.entries
                        if e.severity == "Warning").most_common(3)
        click.echo("  most frequent: " + ", ".join(f"{n} × {kind}" for kind, n in kinds))
        click.echo(f"  every warning with its file and line: "
                   f"{relative(result.dist / dist.REPORT_TEXT, Path.cwd())}; "
                   f"once served, the curators' to-do list: "
                   f"http://{settings.host}:{settings.port}/quality")
