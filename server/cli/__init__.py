"""The ``cnc-kg`` command line: one click group and one module per command.

Each command module is thin: it parses arguments, calls the domain (``server.project``,
``server.importer``, ``server.store``, ``server.web``) and prints. Commands are imported lazily
so ``cnc-kg validate`` does not pay for the web server's imports.
"""

from __future__ import annotations

import importlib
import sys

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


# Optional packages (pyproject.toml's extras): which extra installs each.
OPTIONAL_PACKAGES = {"owlready2": "reasoner", "openpyxl": "curate", "rapidfuzz": "curate"}


def _missing_extra(package: str) -> str:
    extra = OPTIONAL_PACKAGES[package]
    return (f"this command needs the optional package {package}: install it with "
            f"pip install -e '.[{extra}]' (or `make test`, which installs every extra)")


def _unavailable(name: str, package: str) -> click.Command:
    """A stand-in for a command whose optional package is not installed: listed in the help,
    and saying what to install when run."""
    def fail() -> None:
        raise click.ClickException(_missing_extra(package))

    return click.Command(name, callback=fail, add_help_option=False,
                         short_help=f"(needs the {OPTIONAL_PACKAGES[package]} extra)",
                         context_settings={"ignore_unknown_options": True,
                                           "allow_extra_args": True})


class LazyGroup(click.Group):
    """A group whose subcommands are imported only when used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = COMMANDS.get(name)
        if target is None:
            return None
        module, attr = target.split(":")
        try:
            return getattr(importlib.import_module(module), attr)
        except ModuleNotFoundError as error:
            if error.name not in OPTIONAL_PACKAGES:
                raise
            return _unavailable(name, error.name)

    def invoke(self, ctx: click.Context):
        """Run the command; the errors it expects end as one line and an exit code."""
        from server.cli.errors import one_line_errors

        with one_line_errors():
            return super().invoke(ctx)


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
    try:
        cli(prog_name="cnc-kg")
    except ModuleNotFoundError as error:  # an optional package imported while a command runs
        if error.name not in OPTIONAL_PACKAGES:
            raise
        sys.exit(f"error: {_missing_extra(error.name)}")
