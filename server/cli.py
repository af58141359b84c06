"""The ``cnc-kg`` command line: one click group, each command in the module that owns its job.

Commands are imported lazily so ``cnc-kg validate`` does not pay for the web server's imports.
"""

from __future__ import annotations

import importlib

import click

from server import __version__

# command name -> "module:attribute" of a click.Command
COMMANDS = {
    "validate": "server.validation_cli:validate",
    "build": "server.build:build",
    "query": "server.query_cli:query",
    "serve": "server.web.serve:serve",
    "load": "server.store.load:load",
    "template": "server.import_cli:template",
    "import": "server.import_cli:import_sheets",
    "export": "server.import_cli:export",
    "reconcile": "server.reconcile:reconcile",
    "remove-person": "server.privacy:remove_person",
    "generate": "server.generate:generate",
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

    def invoke(self, ctx: click.Context):
        """Run the command; the errors it expects end as one line and an exit code."""
        from server.cli_errors import one_line_errors

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
    from server.config import load_settings

    ctx.obj = load_settings(root=root)


def with_settings(func):
    """Give a subcommand its own ``--root`` and pass it the resolved ``Settings`` first.

    ``cnc-kg --root DIR build`` and ``cnc-kg build --root DIR`` are the same.
    """
    import functools

    @click.option("--root", "sub_root", type=click.Path(file_okay=False, path_type=str),
                  default=None, help="Project folder (overrides the group's --root).")
    @click.pass_context
    @functools.wraps(func)
    def wrapper(ctx: click.Context, *args, sub_root: str | None = None, **kwargs):
        from server.config import load_settings

        settings = ctx.obj if ctx.obj is not None else load_settings()
        if sub_root is not None:
            settings = load_settings(root=sub_root)
        return func(settings, *args, **kwargs)

    return wrapper


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="cnc-kg")
