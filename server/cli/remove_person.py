"""``cnc-kg remove-person SLUG``: delete a person and every statement about or pointing to them."""

from __future__ import annotations

import sys

import click

from server.cli.common import with_settings
from server.config import Settings
from server.importer.mapping import CellError, check_slug, record_iri
from server.importer.workspace import load_workspace
from server.importer.writer import write_text_atomically
from server.project.privacy import EXIT_NOT_FOUND, removal_texts


@click.command(name="remove-person")
@click.argument("slug")
@with_settings
def remove_person(settings: Settings, slug: str) -> None:
    """Remove person SLUG and every statement about or pointing to them from data/.

    Also delete their row from your sheets, or the next import brings them back; then run
    `cnc-kg build`.
    """
    try:
        person = record_iri(check_slug(slug))
    except CellError as error:  # not a slug at all: say so, rather than "not in data/"
        raise click.BadParameter(str(error), param_hint="SLUG") from error
    workspace = load_workspace(settings)
    texts = removal_texts(workspace, person)
    if not texts:
        click.echo(f"kg:{slug} is not in {settings.data_path}: nothing to remove", err=True)
        sys.exit(EXIT_NOT_FOUND)
    for path, text in sorted(texts.items()):
        write_text_atomically(path, text)
        click.echo(f"rewrote {path}")
    click.echo(f"kg:{slug} removed; run `cnc-kg build` to publish the removal")
