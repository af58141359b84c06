"""``cnc-kg generate``: a CNC-shaped synthetic project folder of a chosen size, for benchmarks."""

from __future__ import annotations

from pathlib import Path

import click

from server.cli.common import with_settings
from server.config import SYNTHETIC_NS, Settings
from server.project.synthetic import GenerationRefused, generate_project


@click.command()
@click.option("--triples", type=click.IntRange(min=1), default=10_000, show_default=True,
              help="Target number of data triples (the result is within one round, ~170).")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Random seed: the same seed writes the same bytes.")
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder to write (created; a previous generation there is replaced).")
@with_settings
def generate(settings: Settings, triples: int, seed: int, out: Path) -> None:
    """Write a synthetic CNC-shaped project folder of about --triples data triples."""
    try:
        result = generate_project(settings.root, out, triples, seed)
    except GenerationRefused as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"wrote {result.folder}: {result.triples} triples, {result.entities} entities "
               f"({result.rounds} rounds, namespace {SYNTHETIC_NS})")
