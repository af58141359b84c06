"""``cnc-kg template``: empty sheets for curators, a header row and a row explaining each column."""

from __future__ import annotations

from pathlib import Path

import click

from server.cli.common import chosen_kinds, with_settings
from server.config import Settings
from server.importer.templates import KINDS, header_and_explanation, resolve


def _templates(settings: Settings, kinds: list[str]):
    from server.importer.workspace import load_workspace

    workspace = load_workspace(settings)
    return [resolve(KINDS[kind], workspace.ontology, workspace.shapes) for kind in kinds]


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
    for resolved in _templates(settings, chosen_kinds(kinds, all_kinds, KINDS)):
        sheets[resolved.kind.name] = list(header_and_explanation(resolved))
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, rows in sheets.items():
        write_csv(out_dir / f"{name}.csv", rows)
        click.echo(f"wrote {out_dir / f'{name}.csv'}")
    if xlsx_file is not None:
        write_xlsx(xlsx_file, sheets)
        click.echo(f"wrote {xlsx_file} ({len(sheets)} sheets)")
