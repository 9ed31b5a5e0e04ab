"""The house's shape: no import circles, nothing below the model imports it, agent sets decide."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import networkx as nx

import abm
from abm.agents import buyer, producer, recycler, refiner

PACKAGE = Path(abm.__file__).parent
# The model's users: front ends and outputs sit above the model and may import it.
ABOVE_THE_MODEL = (
    "abm.model",
    "abm.experiment",
    "abm.outputs",
    "abm.figures",
    "abm.cli",
    "abm.bench",
    "abm.__main__",
)
ABOVE_PACKAGES = ("abm.sweep", "abm.replicate", "abm.viz")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """Every abm module a file imports, including under ``if TYPE_CHECKING``."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("abm"):
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("abm")}
    return found


def import_graph() -> nx.DiGraph:
    graph = nx.DiGraph()
    for path in PACKAGE.rglob("*.py"):
        name = module_name(path)
        graph.add_node(name)
        for target in imports_of(path):
            if target != name:
                graph.add_edge(name, target)
    return graph


def below_the_model(name: str) -> bool:
    return name not in ABOVE_THE_MODEL and not name.startswith(ABOVE_PACKAGES)


def test_the_package_has_no_import_circle():
    graph = import_graph()
    # A package's __init__ importing its own modules is not a circle of the code's design.
    graph.remove_edges_from([(a, b) for a, b in graph.edges if b.startswith(a + ".")])
    cycles = list(nx.simple_cycles(graph))
    assert cycles == [], cycles


def test_nothing_below_the_model_imports_it():
    graph = import_graph()
    upward = [(a, b) for a, b in graph.edges if b == "abm.model" and below_the_model(a)]
    assert upward == []


def test_the_graph_sees_imports_under_type_checking():
    assert "abm.world" in imports_of(PACKAGE / "policy" / "effects.py")


def test_no_agent_class_holds_only_static_methods():
    for module in (buyer, producer, recycler, refiner):
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ != module.__name__:
                continue
            own = {
                k: v
                for k, v in vars(cls).items()
                if inspect.isfunction(v) or isinstance(v, staticmethod)
            }
            assert not any(isinstance(v, staticmethod) for v in own.values()), cls
