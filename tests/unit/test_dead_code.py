"""Code nobody calls still has to be read, kept typed and kept secure (an unused
If-Match helper read the header its own way). Every plain top-level function and
class of the package must be used by the product or, for the few probes kept to
observe it, by a test; route handlers and CLI commands are reached through their
decorators and are left out."""

from __future__ import annotations

import ast
import re
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "workorders"


WORD = re.compile(r"\w+")


def _words(folder: Path, *patterns: str) -> Counter[str]:
    return Counter(word for pattern in patterns for path in folder.rglob(pattern)
                   for word in WORD.findall(path.read_text(encoding="utf-8")))


def _unused() -> list[str]:
    product = _words(PACKAGE, "*.py", "*.html")
    tests = _words(ROOT / "tests", "*.py") + _words(ROOT / "benchmarks", "*.py")
    found = []
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for node in ast.parse(text).body:
            if not isinstance(node, ast.FunctionDef | ast.ClassDef) or node.decorator_list:
                continue
            listed = text.count(f'"{node.name}"')  # naming it in __all__ is no use
            if product[node.name] - 1 - listed <= 0 and tests[node.name] == 0:
                found.append(f"{path.relative_to(ROOT)}:{node.name}")
    return sorted(found)


def test_no_top_level_function_or_class_is_unused() -> None:
    assert _unused() == []
