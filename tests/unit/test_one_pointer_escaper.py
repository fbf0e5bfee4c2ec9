"""One JSON-pointer escaper (RFC 6901): four copies had grown apart (one cleaned the
text first, one did not), so the same field could be named two ways in one answer."""

from __future__ import annotations

from pathlib import Path

from workorders.definitions.problems import pointer
from workorders.forms.errors import pointer as form_pointer

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "workorders"


def test_only_definitions_problems_escapes_pointer_tokens() -> None:
    escaping = sorted(str(path.relative_to(PACKAGE)) for path in PACKAGE.rglob("*.py")
                      if '"~0"' in path.read_text(encoding="utf-8"))
    assert escaping == ["definitions/problems.py"]


def test_forms_and_definitions_name_a_path_alike() -> None:
    assert form_pointer is pointer
    assert pointer("lines", 0, "a/b~c") == "/lines/0/a~1b~0c"
