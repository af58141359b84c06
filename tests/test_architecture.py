"""The layers of ``server/`` run one way (docs/architecture.md): commands → web → services →
project/importer → store → base modules; no import circle; click only in the commands; views
reach the store only through services. Read from the code's own imports (``ast``), including
imports inside functions."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SERVER = Path(__file__).resolve().parent.parent / "server"

# Rank of each layer: a module may import modules of its own rank or lower.
LAYERS = (
    ("base", ("server", "server.config", "server.dist", "server.formats", "server.languages",
              "server.namespaces",
              "server.cnc_terms", "server.text")),
    ("store", ("server.store",)),
    ("domain", ("server.project", "server.importer")),
    ("services", ("server.services",)),
    ("web", ("server.web",)),
    ("commands", ("server.cli",)),
)
# Web modules that wire the application or the request may name the store; views may not.
WEB_WIRING = {"server.web.app", "server.web.context"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(SERVER.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, set[str]]:
    """Every module of ``server/`` and the ``server`` modules and packages it imports."""
    found = {}
    for path in sorted(SERVER.rglob("*.py")):
        name = _module_name(path)
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        imported = set()
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                imported |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = ".".join(package.split(".")[:len(package.split(".")) - node.level + 1]
                                    + ([base] if base else []))
                imported.add(base)
                imported |= {f"{base}.{alias.name}" for alias in node.names}
        found[name] = imported
    return {name: {i for i in imports if i in found and i != name}
            for name, imports in found.items()}


MODULES = _modules()


def _rank(module: str) -> int:
    best = (-1, -1)
    for rank, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if module == prefix or (prefix != "server" and module.startswith(prefix + ".")):
                best = max(best, (len(prefix), rank))
    assert best[1] >= 0, f"{module} belongs to no layer: add it to LAYERS"
    return best[1]


def test_every_module_has_a_layer():
    assert len(MODULES) > 50
    for module in MODULES:
        _rank(module)


def test_no_import_from_a_lower_layer_to_a_higher_one():
    upward = [f"{module} ({LAYERS[_rank(module)][0]}) imports {target} "
              f"({LAYERS[_rank(target)][0]})"
              for module, imports in MODULES.items() for target in sorted(imports)
              if _rank(target) > _rank(module)]
    assert upward == []


def test_no_import_circle():
    state: dict[str, int] = {}
    cycles = []

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for target in sorted(MODULES[module]):
            if target.startswith(module + "."):
                continue          # a package importing its own modules is no circle
            if state.get(target) == 1:
                cycles.append(" -> ".join(path[path.index(target):] + [target]))
            elif target not in state:
                visit(target, [*path, target])
        state[module] = 2

    for module in sorted(MODULES):
        if module not in state:
            visit(module, [module])
    assert cycles == []


@pytest.mark.parametrize("path", sorted(SERVER.rglob("*.py")), ids=lambda p: _module_name(p))
def test_click_only_in_the_commands(path: Path):
    if _module_name(path).startswith("server.cli"):
        return
    tree = ast.parse(path.read_text("utf-8"))
    names = [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import | ast.ImportFrom)
             for alias in (node.names if isinstance(node, ast.Import) else
                           [ast.alias(node.module or "")])]
    assert not [n for n in names if n == "click" or n.startswith("click.")]


def test_views_reach_the_store_through_services_only():
    direct = [f"{module} imports {target}" for module, imports in MODULES.items()
              if module.startswith("server.web.") and module not in WEB_WIRING
              for target in sorted(imports) if target.startswith("server.store")]
    assert direct == []
