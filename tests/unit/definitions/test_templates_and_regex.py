"""Template and regex checks in isolation."""

from __future__ import annotations

import pytest

from workorders.definitions.regex_safety import matches_problem, python_pattern_problem
from workorders.definitions.secret_names import secret_name_problem
from workorders.definitions.templates import Vocabulary, template_problems

VOCAB = Vocabulary(["case.number", "case.customer.name", "case.fields.ref", "totals.hours",
                    "form.time", "links.status_page"], ["case.customer", "case.fields"])


@pytest.mark.parametrize("template", [
    "{{ case.number }} {{ totals.hours | round(1) }}",
    "{{ case.customer.name.upper() }}",
    "{% for e in form.time %}{{ e.hours }}{% endfor %}",
    "{{ case.fields.ref or case.number }}",
    "{% set n = case.number %}{{ n }}",
    "plain text",
])
def test_good_templates(template: str) -> None:
    assert template_problems(template, VOCAB) == []


@pytest.mark.parametrize(("template", "message"), [
    ("{{ case.nubmer }}", "unknown fact 'case.nubmer'"),
    ("{{ case['customer']['nmae'] }}", "unknown fact 'case.customer.nmae'"),
    ("{{ tenant }}", "unknown name 'tenant'"),
    ("{{ ''.__class__.__mro__ }}", "'__mro__'"),
    ("{{ case.number|attr('__class__') }}{{ x._private }}", "'_private'"),
    ("{{ case.number | nosuch }}", "does not compile"),
    ("{% if %}", "does not compile"),
    ("{{ " + "x" * 20_001 + " }}", "longer than"),
])
def test_bad_templates(template: str, message: str) -> None:
    problems = template_problems(template, VOCAB)
    assert problems and message in problems[0][0]


def test_suggestion_for_a_typo() -> None:
    assert template_problems("{{ case.nubmer }}", VOCAB)[0][1] == "did you mean 'case.number'?"


@pytest.mark.parametrize(("pattern", "ok"), [
    ("^[A-Z0-9-]{6,20}$", True), ("(ab)+c", True), ("(a+)+$", False), ("(a|b*)*", False),
    ("([a-z]+ ?)*$", False), ("[", False), ("a" * 501, False),
])
def test_python_patterns(pattern: str, ok: bool) -> None:
    assert (python_pattern_problem(pattern) is None) is ok


@pytest.mark.parametrize(("pattern", "ok"), [
    (".*urgent.*", True), ("^SE[0-9]+$", True), ("\\d+-\\d+", True), ("[^x]*", True),
    ("a|b", False), ("(a)", False), ("a{2}", False), ("a**", False), ("", False), (5, False),
])
def test_matches_subset(pattern: object, ok: bool) -> None:
    assert (matches_problem(pattern) is None) is ok


@pytest.mark.parametrize(("value", "ok"), [
    ("ERP_WEBHOOK_SECRET", True), ("OPS_SECRET", True), ("API_KEY_2", True),
    ("sk_live_abc123", False), ("AKIAIOSFODNN7EXAMPLE", False), ("X9F3K2M8Q7W1Z5R4T6Y0", False),
    ("my-secret", False), ("A" * 65, False), ("A" * 64, True),
])
def test_secret_names(value: str, ok: bool) -> None:
    assert (secret_name_problem(value) is None) is ok
