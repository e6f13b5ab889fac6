"""Imports go one way: reporting uses the catalogue, the catalogue never uses reporting."""

import ast
from pathlib import Path

import units

UNITS = Path(units.__file__).resolve().parent


def _imported_modules(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module)
    return modules


def test_units_imports_nothing_from_reporting():
    sources = sorted(UNITS.rglob("*.py"))
    assert UNITS / "admin.py" in sources  # the walk finds the catalogue's modules
    offenders = {
        f"{path.relative_to(UNITS.parent)}: {module}"
        for path in sources
        for module in _imported_modules(path)
        if module == "reporting" or module.startswith("reporting.")
    }
    assert offenders == set()
