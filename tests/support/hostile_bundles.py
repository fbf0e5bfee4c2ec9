"""Bundles whose own checks are slow or hostile, built from the Nordvärme example."""

from __future__ import annotations

from tests.support.cases import ROOT

NORDVARME = (ROOT / "definitions" / "nordvarme-heatpumps.yaml").read_text(encoding="utf-8")
LEAK_MESSAGE = 'message: "Leak test failed on {{ case.number }}: {{ form.leak_test_notes }}"'


def with_leak_message(template: str) -> str:
    """The example with ``template`` as the message of its leak-test exception."""
    assert LEAK_MESSAGE in NORDVARME
    return NORDVARME.replace(LEAK_MESSAGE, f'message: "{template}"', 1)


def slow_bundle(tests: int = 300) -> str:
    """Each golden test renders a message looping 99 x 99 times over its notes: within
    every per-render limit, but hundreds of such tests add up to many seconds."""
    bundle = with_leak_message(
        "{% for a in form.leak_test_notes %}{% for b in form.leak_test_notes %}x"
        "{% endfor %}{% endfor %}")
    notes = "n" * 99
    extra = "".join(f"""
  - name: slow leak {n}
    case: {{case_type: installation, status: in_progress}}
    submit:
      form: commissioning_protocol
      data: {{flow_temperature: "35", leak_test_passed: false, leak_test_notes: {notes},
             commissioning_date: "2026-11-21"}}
    expect:
      fired: [leak_test_failed]
""" for n in range(tests))
    return bundle.rstrip("\n") + extra
