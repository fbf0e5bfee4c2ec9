"""A rule's ``per`` option and the ``draft`` trigger: accepted as written, refused
with a sentence when misspelt."""

from __future__ import annotations

from workorders.definitions import load_bundle

from .conftest import REPO

EXAMPLE = (REPO / "definitions" / "nordvarme-heatpumps.yaml").read_text()
RULE = "  - id: missing_signature\n"


def _with(lines: str) -> str:
    assert RULE in EXAMPLE
    return EXAMPLE.replace(RULE, RULE + lines)


def test_per_form_and_on_draft_are_read_into_the_rule() -> None:
    result = load_bundle(_with("    per: form\n").replace(
        "on: [submit, correct]\n    when:\n      all:\n        - {fact: case.status",
        "on: [draft, submit, correct]\n    when:\n      all:\n        - {fact: case.status"))
    assert result.errors == (), [p.to_dict() for p in result.errors]
    assert result.bundle is not None
    rule = result.bundle.rule("missing_signature")
    assert rule is not None and rule.per == "form" and rule.on[0] == "draft"
    assert result.bundle.rule("bulk_material_line").per == "case"  # type: ignore[union-attr]


def test_an_unknown_per_is_refused_with_the_allowed_values() -> None:
    result = load_bundle(_with("    per: submission\n"))
    [problem] = result.errors
    assert problem.path.endswith("/per")
    assert "case" in problem.message and "form" in problem.message
