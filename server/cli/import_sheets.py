"""``cnc-kg import``: check curators' sheets (CSV or XLSX) and write them to data/."""

from __future__ import annotations

import difflib
import sys
from pathlib import Path

import click

from server.cli.common import with_settings
from server.config import Settings

EXIT_REFUSED = 1


@click.command(name="import")
@click.argument("files", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check and show what would change; write nothing.")
@click.option("--prune", is_flag=True,
              help="Delete entities whose rows were removed from the sheet (else only reported).")
@with_settings
def import_sheets(settings: Settings, files: tuple[Path, ...], dry_run: bool, prune: bool) -> None:
    """Check sheets (CSV or XLSX) and write them to data/imported-KIND.ttl if all is valid.

    Exit 1, writing nothing, when any problem is found; every problem is listed as
    file:row:column: message.
    """
    from server.importer.pipeline import plan_import
    from server.importer.writer import write_files

    plan = plan_import(settings, list(files), prune=prune)
    for problem in plan.problems:
        click.echo(str(problem), err=problem.severity == "error")
    if plan.errors:
        click.echo(f"import refused: {len(plan.errors)} problem(s); nothing written", err=True)
        sys.exit(EXIT_REFUSED)
    for change in plan.changes:
        _describe(change, settings.root, dry_run)
    if dry_run:
        click.echo("dry run: nothing written")
        return
    written = write_files(plan.changes)
    click.echo(f"wrote {len(written)} file(s)" if written else "nothing to change")


def _describe(change, root: Path, dry_run: bool) -> None:
    """What an import does to one file; with ``dry_run`` also the Turtle diff."""
    name = change.path.relative_to(root) if change.path.is_relative_to(root) else change.path
    click.echo(f"{name}: {len(change.added)} added, {len(change.changed)} changed, "
               f"{change.unchanged} unchanged")
    for label, subjects in (("added", change.added), ("changed", change.changed)):
        for subject in subjects:
            click.echo(f"  {label}: {subject}")
    for subject in change.removed:
        state = "deleted (--prune)" if change.pruned else "kept; pass --prune to delete it"
        click.echo(f"  row removed from the sheet: {subject} — {state}")
    if dry_run and change.writes:
        diff = difflib.unified_diff((change.old_text or "").splitlines(keepends=True),
                                    change.text.splitlines(keepends=True),
                                    fromfile=f"{name} (now)", tofile=f"{name} (after import)")
        click.echo("".join(diff), nl=False)
