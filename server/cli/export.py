"""``cnc-kg export``: the imported records of each kind back to a sheet, to edit and re-import."""

from __future__ import annotations

from pathlib import Path

import click

from server.cli.common import chosen_kinds, with_settings
from server.config import Settings
from server.importer.templates import KINDS, header_and_explanation, resolve


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
    for kind in chosen_kinds(kinds, all_kinds, KINDS):
        source = workspace.imported_path(kind)
        if not source.exists():
            click.echo(f"{kind}: nothing imported yet ({source.name} missing)")
            continue
        resolved = resolve(KINDS[kind], workspace.ontology, workspace.shapes)
        header, notes = header_and_explanation(resolved)
        rows = export_rows(resolved, graph_of(source))
        write_csv(out_dir / f"{kind}.csv", [header, notes, *rows[1:]])
        click.echo(f"wrote {out_dir / f'{kind}.csv'} ({len(rows) - 1} rows)")
