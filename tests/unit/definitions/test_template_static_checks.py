"""Validation refuses, with the template's line, what the sandbox would refuse at
render, and it never builds the oversized values it refuses."""

from __future__ import annotations

import time
import tracemalloc

import pytest

from tests.unit.definitions.test_sandbox_limits import HOSTILE
from workorders.definitions.templates import Vocabulary, template_problems

VOCAB = Vocabulary(["case.number", "case.customer.name", "form.time", "form.notes",
                    "lines"], ["case.customer"])


@pytest.mark.parametrize(("template", "message"), [
    ("{{ case.number|attr('upper') }}", "uses |attr"),
    ("{{ '{0.__class__}'.format(case.number) }}", "'__class__'"),
    ("{{ '{0._private}'.format(case.number) }}", "reads '{0._private}'"),
    ("{{ '{0[_secret]}'.format_map(case) }}", "reads '{0[_secret]}'"),
    ("{{ form.time|map(attribute='__class__')|list }}", "'__class__'"),
    ("{{ form.time|selectattr('_private')|list }}", "attribute '_private'"),
    ("{{ case[('__cla' ~ 'ss__')] }}", "'__class__'"),
    ("{{ 'x' * 100000000 }}", "longer than 100000"),
    ("{{ 'x'|center(1e8) }}", "longer than 100000"),
    ("{{ case.number|center(100000000) }}", "longer than 100000"),
    ("{% for a in [0] * 3000 %}xxxxxxxxxx{% endfor %}", "writes more than 20000"),
    ("{% macro f(n) %}{{ f(n) }}{{ f(n) }}{% endmacro %}{{ f(1) }}", "calls itself"),
    ("{{ 'x'.ljust(100000000) }}", "longer than 100000"),
    ("{{ '{:>100000000}'.format(1) }}", "pads or formats"),
    ("{{ 10 ** 5000 }}", "power above 64"),
    ("{{ 9e999 }}", "not finite"),
    ("{{ " + "9" * 5000 + " }}", "number in the template is too large"),
    ("{% for a in [0] * 5000 %}{% for b in [0] * 5000 %}x{% endfor %}{% endfor %}",
     "repeats more than 10000 times"),
    ("{% for a in form.time recursive %}{{ loop(a) }}{% endfor %}", "recursive loops"),
])
def test_what_the_sandbox_refuses_is_refused_at_validation_with_its_line(
        template: str, message: str) -> None:
    source = "Hello {{ case.number }}\n\n" + template  # the problem is on line 3
    problems = template_problems(source, VOCAB)
    assert problems, template
    assert message in problems[0][0]
    assert "(template line 3)" in problems[0][0]


def test_validation_refuses_a_huge_value_without_building_it() -> None:
    tracemalloc.start()
    try:
        started = time.monotonic()
        problems = template_problems("{{ 'x' * 100000000 }}{{ '%s' % ('y' * 90000000) }}",
                                     VOCAB)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert problems and time.monotonic() - started < 1
    assert peak < 5_000_000


#: hostile templates whose growth depends on values computed while they run: only the
#: render can see it (and refuses them, see test_sandbox_limits)
RUNTIME_ONLY = ("ns.s ~ ns.s", "l.extend(l)")


@pytest.mark.parametrize(("source", "message"), [
    (source, message) for source, message in HOSTILE
    if not any(part in source for part in RUNTIME_ONLY)])
def test_every_hostile_render_is_already_refused_at_validation(source: str,
                                                               message: str) -> None:
    assert template_problems(source, VOCAB)


@pytest.mark.parametrize("template", [
    "{% for t in form.time %}{% for u in form.time %}{{ t }}{{ u }}{% endfor %}{% endfor %}",
    "{{ '%.2f'|format(3.14159) }} {{ '{:>8}'.format(case.number) }} {{ '_' * 20 }}",
    "{% for a in [1, 2, 3] %}{% for b in [0] * 100 %}.{% endfor %}{% endfor %}",
    "{{ form.time|map(attribute='hours')|sum }} {{ case.customer.name|center(40) }}",
    "{{ form.time|join('_') }} {{ case.number|replace('_', ' ') }} {{ '_' * 3 }}",
    "{{ form.time|groupby('hours')|list }} {{ form.time|sort(attribute='date')|first }}",
])
def test_ordinary_templates_still_pass(template: str) -> None:
    assert template_problems(template, VOCAB) == []


@pytest.mark.parametrize("template", [
    "{{ " + "(" * 3000 + "1" + ")" * 3000 + " }}",
    "{{ " + "+".join(["1"] * 6000) + " }}",
    "{{ " + "[" * 3000 + "]" * 3000 + " }}",
])
def test_a_deeply_nested_template_is_a_problem_not_a_crash(template: str) -> None:
    [(message, _)] = template_problems(template, VOCAB)
    assert "nests too deeply" in message

