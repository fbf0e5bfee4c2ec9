"""The LoadResult contract: every problem collected, sorted, located and explained."""

from __future__ import annotations

from workorders.definitions import load_bundle, validate_data


def _edit(text: str, *pairs: tuple[str, str]) -> str:
    for old, new in pairs:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def test_every_schema_error_is_reported_with_a_hint(base_text: str) -> None:
    result = load_bundle(_edit(base_text, ("rules:\n", "rulez:\n"), ("locale:", "lokale:"),
                               ("format: fortnox_invoice", "format: fortnox")))
    messages = {(p.path, p.message, p.hint) for p in result.errors}
    assert ("/rulez", "unknown key 'rulez'", "did you mean 'rules'?") in messages
    assert ("/lokale", "unknown key 'lokale'", "did you mean 'locale'?") in messages
    assert any(p.path == "/connectors/0/format" and p.hint == "did you mean 'fortnox_invoice'?"
               for p in result.errors)
    assert result.bundle is None and result.normalized is not None


def test_every_semantic_error_is_reported_sorted_by_line(base_text: str) -> None:
    result = load_bundle(_edit(base_text, ("unit: MTR,", "unit: METRE,"),
                               ("initial: booked", "initial: nowhere"),
                               ("template: heads_up,", "template: nothing,")))
    assert [p.path for p in result.errors] == [
        "/catalog/articles/0/unit", "/case_types/0/lifecycle/initial",
        "/rules/2/then/0/notify/template"]
    lines = [p.line or 0 for p in result.errors]
    assert lines == sorted(lines) and all(lines)
    assert result.to_dict()["valid"] is False


def test_problem_to_dict(base_text: str) -> None:
    problem = load_bundle(_edit(base_text, ("initial: booked", "initial: boked"))).errors[0]
    assert problem.to_dict() == {
        "path": "/case_types/0/lifecycle/initial", "line": 31, "column": 16,
        "message": "initial state 'boked' is not a state", "hint": "did you mean 'booked'?"}


def test_warnings_for_legal_but_suspicious_things(base_text: str) -> None:
    text = _edit(
        base_text,
        ("  - id: checklist\n", "  - id: unused\n    title: U\n    sections: [{fields: [{id: a, "
                                "type: text}]}]\n  - id: checklist\n"),
        ("    when: {any_item: form.materials, where: {fact: quantity, op: gt, value: 50}}\n", ""),
        ("{id: invoiced, label: Invoiced, final: true}",
         "{id: invoiced, label: Invoiced, final: true}\n        - {id: gone, final: true}"),
        ("- {id: invoice, from: done,", "- {id: drop, from: invoiced, to: gone, roles: [admin]}"
                                         "\n        - {id: invoice, from: done,"),
        ("{id: ok, type: boolean}", "{id: ok, type: boolean, options: [a]}"))
    result = load_bundle(text)
    assert result.valid, [p.to_dict() for p in result.errors]
    messages = [p.message for p in result.warnings]
    assert "form 'unused' is not used by any case type" in messages
    assert "rule 'bulk' has no conditions and fires on every submission" in messages
    assert "final state 'invoiced' has transitions out of it" in messages
    assert "'options' has no effect on a boolean field" in messages


def test_hash_ignores_formatting_but_not_content(base_text: str) -> None:
    one = load_bundle(base_text)
    quoted = base_text.replace("name: Base tenant", "name: 'Base tenant'")
    two = load_bundle("# a comment\n" + quoted)
    three = load_bundle(base_text.replace("name: Base tenant", "name: Other"))
    assert one.content_hash == two.content_hash != three.content_hash
    assert len(one.content_hash) == 64


def test_validate_data_without_positions() -> None:
    result = validate_data({"format": "workorders/v1"})
    assert {p.message for p in result.errors} >= {"missing required key 'name'",
                                                  "missing required key 'currency'"}
    assert all(p.line is None for p in result.errors)


def test_floats_with_binary_noise_are_not_money(base_text: str) -> None:
    result = load_bundle(base_text.replace("price: 695.00", "price: 0.30000000000000004"))
    assert result.errors[0].path == "/catalog/labor/0/price"
    assert "more than 2 decimals" in result.errors[0].message
