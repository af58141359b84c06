"""The ``cnc-kg`` command line: one click group and one module per command.

Each command module is thin: it parses arguments, calls the domain (``server.project``,
``server.importer``, ``server.store``, ``server.web``) and prints. Commands are imported lazily
so ``cnc-kg validate`` does not pay for the web server's imports.
"""

from __future__ import annotations

import importlib

import click

from server import __version__

# command name -> "module:attribute" of a click.Command
COMMANDS = {
    "validate": "server.cli.validate:validate",
    "build": "server.cli.build:build",
    "query": "server.cli.query:query",
    "serve": "server.cli.serve:serve",
    "load": "server.cli.load:load",
    "template": "server.cli.template:template",
    "import": "server.cli.import_sheets:import_sheets",
    "export": "server.cli.export:export",
    "reconcile": "server.cli.reconcile:reconcile",
    "remove-person": "server.cli.remove_person:remove_person",
    "generate": "server.cli.generate:generate",
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported only when used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = COMMANDS.get(name)
        if target is None:
            return None
        module, attr = target.split(":")
        return getattr(importlib.import_module(module), attr)


@click.group(cls=LazyGroup)
@click.version_option(__version__, prog_name="cnc-kg")
@click.option("--root", type=click.Path(file_okay=False, path_type=str), default=None,
              help="Project folder (ontology/, shapes/, data/, queries/). "
                   "Default: current directory.")
@click.pass_context
def cli(ctx: click.Context, root: str | None) -> None:
    """Validate, build, query and serve the CNC knowledge graph."""
    from server.cli.common import settings_or_exit

    ctx.obj = settings_or_exit(root=root)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="cnc-kg")
