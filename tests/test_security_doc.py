"""docs/security.md names the test that proves each promise: every test it names must exist,
so a renamed or deleted test cannot leave a promise without its proof."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# `tests/x.py::test_a`, and `::test_b` after it in the same cell meaning the same file.
REFERENCE = re.compile(r"`(tests/[\w/]+\.py)(?:::(\w+))?`|`::(\w+)`")


def defined_functions(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }


def test_every_test_named_in_the_security_notes_exists():
    missing = []
    for line in (ROOT / "docs" / "security.md").read_text(encoding="utf-8").splitlines():
        current: Path | None = None
        for match in REFERENCE.finditer(line):
            file, name, same_file_name = match.groups()
            if file:
                current = ROOT / file
                if not current.exists():
                    missing.append(file)
                    continue
            name = name or same_file_name
            if name and (current is None or name not in defined_functions(current)):
                missing.append(f"{current and current.relative_to(ROOT)}::{name}")
    assert not missing, f"docs/security.md names tests that do not exist: {missing}"
