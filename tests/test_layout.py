"""The package's layout: no import circles, type-only and function-level imports included."""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

import clusterlab

ROOT = Path(clusterlab.__file__).parent
TOP = "clusterlab"


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> nx.DiGraph:
    """Edges module -> module it imports, from every import statement anywhere in the file
    (under TYPE_CHECKING and inside functions too). Importing a submodule also runs its
    parent packages' __init__ (below the top package, whose __init__ is the public face)."""
    files = {module_name(p): p for p in ROOT.rglob("*.py")}
    g = nx.DiGraph()
    g.add_nodes_from(files)
    for name, path in files.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")
                    anchor = anchor[:len(anchor) - (node.level - 1)]
                    base = ".".join(anchor + ([base] if base else []))
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in files else base for a in node.names]
            for t in targets:
                while t and t not in files:
                    t = t.rpartition(".")[0]
                if not t.startswith(TOP):
                    continue
                parts = t.split(".")
                for k in range(2, len(parts) + 1):  # the target and its packages below the top
                    dep = ".".join(parts[:k])
                    if dep != name and not name.startswith(dep + "."):
                        g.add_edge(name, dep)
    return g


def test_no_import_circles():
    g = import_graph()
    circles = [sorted(c) for c in nx.strongly_connected_components(g) if len(c) > 1]
    assert not circles, f"import circles: {circles}"


def test_the_mechanism_base_does_not_import_the_sim():
    g = import_graph()
    assert not nx.has_path(g, "clusterlab.mechanism", "clusterlab.sim")
    assert not nx.has_path(g, "clusterlab.mechanism", "clusterlab.mechanisms")


def test_the_simulator_does_not_import_the_analysis_area():
    g = import_graph()
    for core in ("clusterlab.sim", "clusterlab.mechanisms", "clusterlab.recorder"):
        reach = nx.descendants(g, core)
        assert not any(m.startswith("clusterlab.analysis") for m in reach), core


def test_the_simulator_and_the_analysis_do_not_import_the_experiments():
    g = import_graph()
    for core in ("clusterlab.sim", "clusterlab.mechanisms", "clusterlab.recorder", "clusterlab.analysis"):
        if core in g:
            assert not any(m.startswith("clusterlab.experiments") for m in nx.descendants(g, core)), core
