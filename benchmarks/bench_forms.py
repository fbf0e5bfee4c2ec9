"""Generated-forms benchmark: `python benchmarks/bench_forms.py`.

Two figures from issue 5, each beside a hand-written equivalent measured in the
same run (the baseline):

- rendering a 40-field generated form: WTForms instance from a stored draft +
  ``template_context`` + a small Jinja template (target p50 <= 10 ms), against a
  hand-written 40-field WTForms class rendered with its own widgets;
- validating a final submission with 50 time entries and 50 material lines with
  ``validate_submission`` (target p50 <= 5 ms), against a hand-written validation
  function for the same form; the browser path's validation is shown too.
"""

from __future__ import annotations

import re
import statistics
import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import jinja2
import wtforms

from workorders.definitions import Bundle, load_bundle
from workorders.definitions.model import Field, FieldCondition, Form, Option, Section
from workorders.forms import (
    build_form_class,
    encode_formdata,
    template_context,
    validate_submission,
)

ROOT = Path(__file__).resolve().parents[1]
TYPES = ("text", "textarea", "integer", "decimal", "money", "boolean", "date", "datetime",
         "choice", "photos", "signature", "time_entries", "material_lines", "approval")
TEMPLATE = jinja2.Environment(autoescape=True).from_string("""
<form method="post" class="wo-form"><h1>{{ form.title }}</h1>
{% for section in sections %}<section><h2>{{ section.title }}</h2>
{% for f in section.fields %}<div class="wo-field" style="min-height:{{ touch_target_px }}px"
 {% for k, v in f.data.items() %}{{ k }}="{{ v }}" {% endfor %}>
<label for="{{ f.name }}">{{ f.label }}</label>
{% if f.control == "lines" %}{% for row in f.entries %}<div class="wo-row">
{% for p in row %}{% if p.control == "select" %}<select name="{{ p.name }}">{% for o in p.options %}
<option value="{{ o.value }}"{% if o.value == p.value %} selected{% endif %}>{{ o.label }}</option>
{% endfor %}</select>{% else %}<input name="{{ p.name }}" value="{{ p.value }}"
{% for k, v in p.attrs.items() %} {{ k }}="{{ v }}"{% endfor %}>{% endif %}
{% for e in p.errors %}<p class="err">{{ e }}</p>{% endfor %}{% endfor %}</div>{% endfor %}
{% elif f.control == "textarea" %}<textarea name="{{ f.name }}">{{ f.value }}</textarea>
{% elif f.control in ("select", "radio", "checkboxes") %}{% for o in f.options %}
<label><input type="radio" name="{{ f.name }}" value="{{ o.value }}"
{% if o.value == f.value %} checked{% endif %}>{{ o.label }}</label>{% endfor %}
{% elif f.parts %}{% for p in f.parts %}<input name="{{ p.name }}" value="{{ p.value }}">
{% endfor %}
{% else %}<input name="{{ f.name }}" value="{{ f.value }}"
{% for k, v in f.attrs.items() %} {{ k }}="{{ v }}"{% endfor %}>{% endif %}
{% for e in f.errors %}<p class="err">{{ e }}</p>{% endfor %}</div>
{% endfor %}</section>{% endfor %}</form>""")
HAND_TEMPLATE = jinja2.Environment(autoescape=True).from_string("""
<form method="post">{% for f in form %}<div class="wo-field">{{ f.label }} {{ f() }}
{% for e in f.errors %}<p class="err">{{ e }}</p>{% endfor %}</div>{% endfor %}</form>""")


def measure(fn: Callable[[], Any], seconds: float = 1.5) -> float:
    """p50 in milliseconds over as many runs as fit in ``seconds``."""
    fn()
    times: list[float] = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def forty_fields() -> Form:
    fields: list[Field] = []
    for i in range(40):
        kind = TYPES[i % len(TYPES)]
        cond = FieldCondition(f"f{i - 9}", "equals", True) if i % 14 == 5 and i > 9 else None
        fields.append(Field(f"f{i}", kind, f"Field {i}", required=i % 3 == 0, visible_if=cond,
                            options=(Option("a", "A"), Option("b", "B")) if kind == "choice"
                            else (), max_length=200 if kind == "text" else None,
                            allow_free_text=True))
    return Form("forty", "Forty fields", tuple(Section(f"Section {s}", tuple(fields[s::4]))
                                               for s in range(4)))


def draft_for(form: Form) -> dict[str, Any]:
    values = {"text": "Hello", "textarea": "Line 1\nLine 2", "integer": 3, "decimal": "2.5",
              "money": "99.50", "boolean": True, "date": "2026-11-20",
              "datetime": "2026-11-20T14:30+01:00", "choice": "a", "photos": ["p1", "p2"],
              "signature": {"image": "s1", "name": "Eva"},
              "time_entries": [{"date": "2026-11-20", "hours": "2", "labor": "install"}] * 3,
              "material_lines": [{"article": "CU15", "quantity": "4"}] * 3,
              "approval": {"name": "Lars", "decision": "approved"}}
    return {f.id: values[f.type] for f in form.fields}


class HandForm(wtforms.Form):
    """The hand-written equivalent: 40 plain fields, line items as single inputs."""

    locals().update({f"f{i}": wtforms.StringField(f"Field {i}",
                                                  [wtforms.validators.Optional()])
                     for i in range(40)})


def lines_submission() -> dict[str, Any]:
    return {"time": [{"date": "2026-11-20", "hours": "1.5", "labor": "install",
                      "technician": "karin@example.test", "billable": i % 5 != 0,
                      "note": "Mounted brackets"} for i in range(50)],
            "materials": [{"article": "CU15", "quantity": "2.5", "unit": "MTR"}
                          if i % 2 else {"description": "Valve", "quantity": "1",
                                         "unit_price": "120.00"} for i in range(50)],
            "work_description": "Installed", "installed_heat_pump": True,
            "heat_pump_serial": "F2120-00012", "photos": ["p1", "p2"],
            "customer_signature": {"image": "s1", "name": "Eva Lund"},
            "customer_name": "Eva Lund"}


def _dec(text: Any, places: int) -> bool:
    if not isinstance(text, str) or not re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", text):
        return False
    try:
        number = Decimal(text)
    except InvalidOperation:
        return False
    return number > 0 and -number.as_tuple().exponent <= places  # type: ignore[operator]


def hand_validate(bundle: Bundle, data: dict[str, Any]) -> list[str]:
    """What a developer would write by hand for installation_report (the baseline)."""
    errors: list[str] = []
    articles = {a.number: a for a in bundle.catalog.articles}
    for i, e in enumerate(data.get("time", [])):
        try:
            date.fromisoformat(e["date"])
        except (KeyError, ValueError):
            errors.append(f"/time/{i}/date")
        if not _dec(e.get("hours"), 2) or Decimal(e["hours"]) > 24:
            errors.append(f"/time/{i}/hours")
        if e.get("labor") not in ("install", "electrician", "travel"):
            errors.append(f"/time/{i}/labor")
        if "technician" in e and "@" not in e["technician"]:
            errors.append(f"/time/{i}/technician")
    for i, m in enumerate(data.get("materials", [])):
        if not _dec(m.get("quantity"), 3):
            errors.append(f"/materials/{i}/quantity")
        article = articles.get(m.get("article", ""))
        if article is None and not ("description" in m and _dec(m.get("unit_price"), 4)):
            errors.append(f"/materials/{i}")
        if article is not None and m.get("unit", article.unit) != article.unit:
            errors.append(f"/materials/{i}/unit")
    if not data.get("work_description") or len(data["work_description"]) > 4000:
        errors.append("/work_description")
    if data.get("installed_heat_pump") and not re.fullmatch(r"[A-Z0-9-]{6,20}",
                                                            data.get("heat_pump_serial", "")):
        errors.append("/heat_pump_serial")
    return errors


def main() -> None:
    bundle = load_bundle((ROOT / "definitions" / "nordvarme-heatpumps.yaml").read_bytes()).bundle
    assert bundle is not None
    form = forty_fields()
    stored = draft_for(form)
    form_class = build_form_class(form, bundle)

    def render() -> str:
        instance = form_class(data=stored, draft=True)
        return TEMPLATE.render(**template_context(form, bundle, instance))

    def hand_render() -> str:
        instance = HandForm(data={k: str(v) for k, v in stored.items()})
        return HAND_TEMPLATE.render(form=instance)

    report = bundle.form("installation_report")
    assert report is not None
    data = lines_submission()
    assert validate_submission(report, bundle, data, draft=False).valid
    assert hand_validate(bundle, data) == []
    posted = encode_formdata(report, data)
    report_class = build_form_class(report, bundle)

    def browser_validate() -> bool:
        return bool(report_class(posted).validate())

    rows = [("render 40-field form (instance + context + Jinja)", 10.0, render, hand_render),
            ("validate final, 50 time + 50 material lines (API)", 5.0,
             lambda: validate_submission(report, bundle, data, draft=False),
             lambda: hand_validate(bundle, data)),
            ("validate same data posted from the browser (WTForms)", None, browser_validate,
             lambda: hand_validate(bundle, data))]
    print(f"{'figure':58} {'p50 ms':>8} {'target':>7} {'hand ms':>8} {'ratio':>6}")
    for name, target, fn, baseline in rows:
        ours, hand = measure(fn), measure(baseline)
        goal = f"<={target:g}" if target else "-"
        print(f"{name:58} {ours:8.2f} {goal:>7} {hand:8.3f} {ours / hand:5.1f}x")


if __name__ == "__main__":
    main()
