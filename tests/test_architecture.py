"""Data flows one way: no stage imports a later stage, and no modules import each other in a circle.

The pipeline order is corpus -> preprocess -> topics | framing -> effects ->
report, with scale orchestrating them all and the command line and the Python API (``analysis.api``, which
``from analysis import ...`` loads lazily) on top. The
shared utilities (errors, persist, embeddings, the estimator base, hashing,
CLI plumbing) sit below every stage and import none. Every ``import`` counts,
at the top of a module or inside a function.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "analysis"

#: Rank of each top-level part of ``analysis``: a module may import only parts of lower rank, or its own part.
#: Parts of the same rank (topics and framing) may not import each other.
RANKS = {
    "errors": 0, "hashing": 0, "persist": 0, "progress": 0, "embeddings": 0, "base": 0, "cli_support": 0, "__init__": 0,
    "corpus": 1,
    "preprocess": 2,
    "topics": 3, "framing": 3,
    "effects": 4,
    "report": 5,
    "scale": 6,
    "cli": 7, "api": 7,
    "__main__": 8,
}
SHARED = {part for part, rank in RANKS.items() if rank == 0}


def module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph(root: Path) -> dict[str, set[str]]:
    """Each module of the package under ``root`` -> the package modules it imports."""
    modules = {module_name(path, root): path for path in root.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets: set[str] = set()
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                for alias in node.names:
                    # `from analysis.effects import cli` imports the module analysis.effects.cli
                    targets.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base)
        graph[name] = {target for target in targets if target in modules and target != name}
    return graph


def part(module: str) -> str:
    pieces = module.split(".")
    return pieces[1] if len(pieces) > 1 else "__init__"


def backward_edges(graph: dict[str, set[str]]) -> list[str]:
    problems = []
    for source, targets in sorted(graph.items()):
        for target in sorted(targets):
            a, b = part(source), part(target)
            if a == b or (a in SHARED and b in SHARED):  # utilities may use each other; circles are caught apart
                continue
            if a not in RANKS or b not in RANKS:
                problems.append(f"{source} -> {target}: {a if a not in RANKS else b} has no rank in RANKS")
            elif RANKS[b] >= RANKS[a]:
                problems.append(f"{source} -> {target}: {a} (rank {RANKS[a]}) may not import {b} (rank {RANKS[b]})")
    return problems


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Circles of modules (Tarjan's strongly connected components of more than one module)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_imports_flow_one_way_without_circles():
    graph = import_graph(PACKAGE)
    assert len(graph) > 40, "the import graph should cover the whole package"
    assert backward_edges(graph) == []
    assert cycles(graph) == []


def test_every_stage_is_a_package_with_a_cli_that_registers():
    for stage in ("corpus", "preprocess", "topics", "framing", "effects", "report", "scale"):
        assert (PACKAGE / stage / "__init__.py").exists(), f"{stage} is not a package"
    for stage in ("corpus", "topics", "framing", "effects", "report", "scale"):
        source = (PACKAGE / stage / "cli.py").read_text(encoding="utf-8")
        assert "def register(subparsers: argparse._SubParsersAction, defaults: Defaults) -> None:" in source, stage


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / "analysis" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root / "analysis"


@pytest.mark.parametrize("files, problem", [
    ({"__init__.py": "", "corpus/__init__.py": "", "corpus/units.py": "def f():\n    from analysis.topics.models import X\n",
      "topics/__init__.py": "", "topics/models.py": "X = 1\n"}, "corpus (rank 1) may not import topics (rank 3)"),
    ({"__init__.py": "", "persist.py": "from analysis.corpus import manifest\n", "corpus/__init__.py": "",
      "corpus/manifest.py": ""}, "persist (rank 0) may not import corpus (rank 1)"),
    ({"__init__.py": "", "topics/__init__.py": "", "topics/a.py": "from analysis.framing.b import y\n",
      "framing/__init__.py": "", "framing/b.py": "y = 1\n"}, "topics (rank 3) may not import framing (rank 3)"),
])
def test_the_check_finds_a_backward_edge(tmp_path, files, problem):
    problems = backward_edges(import_graph(_write(tmp_path, files)))
    assert any(problem in line for line in problems), problems


def test_the_check_finds_a_circle(tmp_path):
    root = _write(tmp_path, {"__init__.py": "", "corpus/__init__.py": "", "corpus/a.py": "from . import b\n",
                             "corpus/b.py": "from analysis.corpus.a import f\n"})
    assert cycles(import_graph(root)) == [["analysis.corpus.a", "analysis.corpus.b"]]
