"""app/outbound is used by the scheduler's jobs: it imports no Flask and no face of the app."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import app.outbound

ALLOWED_THIRD_PARTY = {"httpx", "httpcore"}


def imported_modules(path: Path) -> set[str]:
    modules: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            modules.add(node.module)
    return modules


def test_the_outbound_package_imports_only_itself_the_stdlib_and_httpx():
    package = Path(app.outbound.__file__).parent
    files = sorted(package.glob("*.py"))
    assert len(files) >= 5
    for path in files:
        for module in imported_modules(path):
            top = module.split(".")[0]
            allowed = (
                module.startswith("app.outbound")
                or top in ALLOWED_THIRD_PARTY
                or top in sys.stdlib_module_names
                or top == "__future__"
            )
            assert allowed, f"{path.name} imports {module}"
