"""``cnc-kg template``, ``import`` and ``export``: curators' sheets into and out of data/."""

from __future__ import annotations

import difflib
import sys
from pathlib import Path

import click

from server.cli import with_settings
from server.config import Settings
from server.importer.templates import KINDS, header_and_explanation, resolve

EXIT_REFUSED = 1


def _templates(settings: Settings, kinds: list[str]):
    from server.importer.workspace import load_workspace

    workspace = load_workspace(settings)
    return [resolve(KINDS[kind], workspace.ontology, workspace.shapes) for kind in kinds]


def _chosen_kinds(kinds: tuple[str, ...], all_kinds: bool) -> list[str]:
    if all_kinds:
        return list(KINDS)
    if not kinds:
        raise click.UsageError("name a KIND (" + ", ".join(KINDS) + ") or pass --all")
    return list(kinds)


@click.command()
@click.argument("kinds", nargs=-1, type=click.Choice(list(KINDS)))
@click.option("--all", "all_kinds", is_flag=True, help="Every kind of record.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=".",
              show_default=True, help="Folder for the CSV files.")
@click.option("--xlsx", "xlsx_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write one workbook with a sheet per kind.")
@with_settings
def template(settings: Settings, kinds: tuple[str, ...], all_kinds: bool, out_dir: Path,
             xlsx_file: Path | None) -> None:
    """Write empty sheets: a header row and a row explaining each column (KIND.csv)."""
    from server.importer.sheets import write_csv, write_xlsx

    sheets = {}
    for resolved in _templates(settings, _chosen_kinds(kinds, all_kinds)):
        sheets[resolved.kind.name] = list(header_and_explanation(resolved))
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, rows in sheets.items():
        write_csv(out_dir / f"{name}.csv", rows)
        click.echo(f"wrote {out_dir / f'{name}.csv'}")
    if xlsx_file is not None:
        write_xlsx(xlsx_file, sheets)
        click.echo(f"wrote {xlsx_file} ({len(sheets)} sheets)")


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


@click.command()
@click.argument("kinds", nargs=-1, type=click.Choice(list(KINDS)))
@click.option("--all", "all_kinds", is_flag=True, help="Every kind of record.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=".",
              show_default=True, help="Folder for the CSV files.")
@with_settings
def export(settings: Settings, kinds: tuple[str, ...], all_kinds: bool, out_dir: Path) -> None:
    """Write the imported records of each KIND back to a sheet (KIND.csv), to edit and re-import."""
    from server.importer.mapping import export_rows
    from server.importer.sheets import write_csv
    from server.importer.workspace import graph_of, load_workspace

    workspace = load_workspace(settings)
    out_dir.mkdir(parents=True, exist_ok=True)
    for kind in _chosen_kinds(kinds, all_kinds):
        source = workspace.imported_path(kind)
        if not source.exists():
            click.echo(f"{kind}: nothing imported yet ({source.name} missing)")
            continue
        resolved = resolve(KINDS[kind], workspace.ontology, workspace.shapes)
        header, notes = header_and_explanation(resolved)
        rows = export_rows(resolved, graph_of(source))
        write_csv(out_dir / f"{kind}.csv", [header, notes, *rows[1:]])
        click.echo(f"wrote {out_dir / f'{kind}.csv'} ({len(rows) - 1} rows)")

