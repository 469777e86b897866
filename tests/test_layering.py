"""The import direction: a lower layer never imports a higher one (see the README's Layout)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "resnet_viz"

# rank of each layer: a module may import its own layer and any lower rank.
# Layers of equal rank but different names (cli and ui) may not import each other.
RANKS: dict[str, int] = {
    "base": 0,  # resnet_viz/fmt.py, resnet_viz/progress.py
    "arch": 1, "model": 2, "analysis": 3, "probes": 4, "lab": 5,
    "render": 6, "export": 7, "cli": 8, "ui": 8, "views": 9,
}
BASE_MODULES = {"resnet_viz", "resnet_viz.fmt", "resnet_viz.progress"}


def layer_of(module: str) -> str:
    """The layer of a dotted module name inside the project."""
    if module in BASE_MODULES:
        return "base"
    if module.startswith("views") or module == "app":
        return "views"
    parts = module.split(".")
    if parts[0] != "resnet_viz" or len(parts) < 2 or parts[1] not in RANKS:
        raise ValueError(f"{module} belongs to no layer; add it to RANKS or BASE_MODULES")
    return parts[1]


def imported_modules(source: str, module: str) -> list[str]:
    """Every module an import statement names (relative imports resolved)."""
    out = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                pkg = module.split(".")[: -node.level]
                base = ".".join([*pkg, base] if base else pkg)
            out.append(base)
            out += [f"{base}.{a.name}" for a in node.names]  # "from pkg import submodule"
    return out


def violations(source: str, module: str) -> list[str]:
    """Forbidden imports of one module's source."""
    layer = layer_of(module)
    bad = []
    for name in imported_modules(source, module):
        top = name.split(".")[0]
        if top == "streamlit" and layer not in ("ui", "views"):
            bad.append(f"{module} imports streamlit (only resnet_viz.ui and views may)")
        if top == "torch" and layer in ("base", "arch"):
            bad.append(f"{module} imports torch (the {layer} layer is torch-free)")
        if top not in ("resnet_viz", "views"):
            continue
        try:
            target = layer_of(name)
        except ValueError:
            continue  # "from resnet_viz.x import func": the module itself was checked
        if RANKS[target] > RANKS[layer] or (RANKS[target] == RANKS[layer] and target != layer):
            bad.append(f"{module} ({layer}) imports {name} ({target})")
    return sorted(set(bad))


def project_modules() -> list[tuple[str, Path]]:
    mods = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(ROOT).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        mods.append((".".join(parts), path))
    mods += [(f"views.{p.stem}", p) for p in sorted((ROOT / "views").glob("*.py"))]
    mods.append(("app", ROOT / "app.py"))
    return mods


@pytest.mark.parametrize(("module", "path"), project_modules(), ids=lambda x: str(x))
def test_imports_go_one_way(module: str, path: Path) -> None:
    assert violations(path.read_text(), module) == []


def test_checker_catches_a_forbidden_import() -> None:
    # what a careless edit would add: the analysis reaching up into the renderers
    src = "from resnet_viz.render import tables\nimport streamlit as st\n"
    assert violations(src, "resnet_viz.analysis.layers") == [
        "resnet_viz.analysis.layers (analysis) imports resnet_viz.render (render)",
        "resnet_viz.analysis.layers (analysis) imports resnet_viz.render.tables (render)",
        "resnet_viz.analysis.layers imports streamlit (only resnet_viz.ui and views may)"]
    assert violations("import torch\n", "resnet_viz.arch.spec") == [
        "resnet_viz.arch.spec imports torch (the arch layer is torch-free)"]
    assert violations("from resnet_viz.ui import cache\n", "resnet_viz.cli.summary") == [
        "resnet_viz.cli.summary (cli) imports resnet_viz.ui (ui)",
        "resnet_viz.cli.summary (cli) imports resnet_viz.ui.cache (ui)"]
    assert violations("from ..render import theme\n", "resnet_viz.model.build") == [
        "resnet_viz.model.build (model) imports resnet_viz.render (render)",
        "resnet_viz.model.build (model) imports resnet_viz.render.theme (render)"]


def test_every_module_has_a_layer() -> None:
    for module, _ in project_modules():
        layer_of(module)


def test_no_module_over_400_lines() -> None:
    long = {str(p.relative_to(ROOT)): n for _, p in project_modules()
            if (n := len(p.read_text().splitlines())) > 400}
    assert long == {}
