"""Rules in plain words: every op and every action has words, labels not ids."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from workorders.definitions import load_bundle
from workorders.definitions.completions import schema_ops
from workorders.definitions.model import Bundle
from workorders.definitions.vocabulary import ACTION_KINDS
from workorders.rules.words import OP_WORDS, rule_in_words, rules_in_words

EXAMPLES = Path(__file__).parents[3] / "definitions"


def _bundle(name: str = "nordvarme-heatpumps.yaml") -> Bundle:
    result = load_bundle((EXAMPLES / name).read_text(encoding="utf-8"))
    assert result.bundle is not None
    return result.bundle


def _with_rule(rule: dict[str, Any], name: str = "nordvarme-heatpumps.yaml") -> Bundle:
    """The example with ``rule`` appended (so its labels, states and forms exist)."""
    result = load_bundle((EXAMPLES / name).read_text(encoding="utf-8"))
    assert result.normalized is not None
    data = dict(result.normalized)
    data["rules"] = [*data["rules"], rule]
    from workorders.definitions import validate_data

    checked = validate_data(data)
    assert checked.bundle is not None, [p.to_dict() for p in checked.errors]
    return checked.bundle


def _sentence(rule: dict[str, Any]) -> str:
    bundle = _with_rule({"id": "probe", **rule})
    found = bundle.rule("probe")
    assert found is not None
    return rule_in_words(found, bundle).sentence


def test_every_op_the_schema_allows_has_words() -> None:
    ops = schema_ops()
    assert ops and set(ops) == set(OP_WORDS)


@pytest.mark.parametrize(("leaf", "words"), [
    ({"fact": "totals.hours", "op": "eq", "value": 8}, "total hours is 8"),
    ({"fact": "totals.hours", "op": "ne", "value": 8}, "total hours is not 8"),
    ({"fact": "totals.hours", "op": "gt", "value": 16}, "total hours is more than 16"),
    ({"fact": "totals.hours", "op": "gte", "value": 16}, "total hours is at least 16"),
    ({"fact": "totals.hours", "op": "lt", "value": 2}, "total hours is less than 2"),
    ({"fact": "totals.hours", "op": "lte", "value": 2}, "total hours is at most 2"),
    ({"fact": "case.status", "op": "in", "value": ["in_progress", "work_done"]},
     "the case status is one of “In progress” or “Work done”"),
    ({"fact": "case.status", "op": "not_in", "value": ["booked", "scheduled"]},
     "the case status is none of “Booked” and “Scheduled”"),
    ({"fact": "form.work_description", "op": "contains", "value": "leak"},
     "“Work performed” contains “leak”"),
    ({"fact": "form.work_description", "op": "matches", "value": "F[0-9]+-.*"},
     "“Work performed” matches the pattern “F[0-9]+-.*”"),
    ({"fact": "form.customer_signature", "op": "present"}, "“Customer signature” is filled in"),
    ({"fact": "form.customer_signature", "op": "missing"}, "“Customer signature” is empty"),
    ({"fact": "form.commissioning_date", "op": "lt", "value": "2026-01-01"},
     "“Commissioning date” is before “2026-01-01”"),
])
def test_each_op_reads_as_words_with_labels(leaf: dict[str, Any], words: str) -> None:
    sentence = _sentence({"case_types": ["installation"], "when": leaf,
                          "then": [{"block_invoicing": {"reason": "probe"}}]})
    assert sentence.startswith(f"When {words},"), sentence


def test_ops_in_words_cover_every_op_in_sentences() -> None:
    """No op falls through to its id: each sentence carries the op's own words."""
    for op in schema_ops():
        leaf: dict[str, Any] = {"fact": "totals.hours", "op": op}
        if op in ("in", "not_in"):
            leaf["value"] = [1, 2]
        elif op in ("contains", "matches"):
            leaf = {"fact": "form.work_description", "op": op, "value": "x"}
        elif op not in ("present", "missing"):
            leaf["value"] = 3
        sentence = _sentence({"when": leaf, "then": [{"block_invoicing": {"reason": "r"}}]})
        assert OP_WORDS[op] in sentence, (op, sentence)
        if op not in OP_WORDS[op]:
            assert f" {op} " not in sentence, (op, sentence)


@pytest.mark.parametrize(("action", "words"), [
    ({"require_approval": {"role": "coordinator"}}, "→ needs approval by a coordinator"),
    ({"require_approval": {"customer": True, "reason": "Costly"}},
     "→ needs approval by the customer (Costly)"),
    ({"require_approval": {"user": "boss@x.test"}}, "→ needs approval by boss@x.test"),
    ({"raise_exception": {"code": "HOURS_HIGH", "severity": "low"}},
     "→ opens exception HOURS_HIGH (low) for the coordinator"),
    ({"raise_exception": {"code": "HOURS_HIGH", "assign": "assignee", "message": "Look"}},
     "→ opens exception HOURS_HIGH (medium) for the assigned technician: Look"),
    ({"block_invoicing": {"reason": "No signature"}}, "→ blocks invoicing: No signature"),
    ({"notify": {"template": "approval_needed", "to": ["role:admin", "customer"]}},
     "→ sends the “approval_needed” email message to every admin and the customer"),
    ({"set_field": {"field": "rot_deduction", "value": True}},
     "→ sets “ROT deduction applies” to yes"),
    ({"transition": {"id": "complete"}}, "→ moves the case on with “Complete” (to “Work done”)"),
    ({"assign": {"role": "coordinator"}}, "→ assigns the case to a coordinator"),
])
def test_each_action_kind_reads_as_words(action: dict[str, Any], words: str) -> None:
    case_type = "service" if "transition" in action else "installation"
    sentence = _sentence({"case_types": [case_type], "then": [action]})
    assert sentence.endswith(words), sentence


def test_every_action_kind_is_covered_above() -> None:
    kinds = {"require_approval", "raise_exception", "block_invoicing", "notify", "set_field",
             "transition", "assign"}
    assert kinds == set(ACTION_KINDS)


def test_triggers_groups_and_quantifiers_read_as_words() -> None:
    sentence = _sentence({
        "on": ["transition:start", "enter:work_done"], "case_types": ["installation"],
        "when": {"any": [{"any_item": "form.materials",
                          "where": {"fact": "quantity", "op": "gt", "value": 50}},
                         {"not": {"fact": "form.customer_signature", "op": "present"}}]},
        "then": [{"block_invoicing": {"reason": "r"}}]})
    assert sentence.startswith("When either “Material” has a line where quantity is more "
                               "than 50 or not (“Customer signature” is filled in)"), sentence
    assert "when the case takes “Start” (to “In progress”)" in sentence
    assert "when the case moves to “Work done”" in sentence
    assert "for “Heat pump installation” cases" in sentence


def test_the_examples_read_with_labels_and_name_their_tests() -> None:
    bundle = _bundle()
    words = {w.id: w for w in rules_in_words(bundle)}
    assert set(words) == {r.id for r in bundle.rules}
    leak = words["leak_test_failed"]
    assert leak.sentence.startswith("When “Leak test passed” is no, on a final "
                                    "“Commissioning protocol”")
    assert "leak_test_passed" not in leak.sentence
    assert [t.to_dict() for t in leak.tests] == [
        {"name": "failed leak test raises a critical exception", "expects": "fires"}]
    signature = words["missing_signature"]
    assert {t.name: t.fires for t in signature.tests} == {
        "overtime without signature is blocked": True,
        "a resolved signed service visit completes the case": False}
    assert words["bulk_material_line"].tests == []
    for name in ("voltfix-electric.yaml", "bytewise-it.yaml"):
        for rule in rules_in_words(_bundle(name)):
            assert "{'" not in rule.sentence and " eq " not in rule.sentence, rule.sentence
