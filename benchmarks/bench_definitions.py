"""Benchmark: validating a bundle with 3 case types, 10 forms and 100 rules.

Run ``python benchmarks/bench_definitions.py``. Prints the median of several full
validations (parse + JSON Schema + semantic checks + model) against the 500 ms
target, and the share spent in JSON Schema validation.
"""

from __future__ import annotations

import statistics
import sys
import time
from typing import Any

import yaml

from workorders.definitions import load_bundle
from workorders.definitions.problems import Collector
from workorders.definitions.schema_check import check_schema
from workorders.definitions.source import read_source

TARGET_MS = 500.0
RUNS = 7


def _form(i: int) -> dict[str, Any]:
    return {"id": f"form_{i}", "title": f"Form {i}", "sections": [
        {"title": "Time", "fields": [
            {"id": "time", "type": "time_entries", "labor": ["work", "travel"], "required": True},
            {"id": "materials", "type": "material_lines", "catalog": "articles"}]},
        {"title": "Details", "fields": [
            {"id": f"amount_{i}", "type": "decimal", "min": 0, "max": 1000},
            {"id": "ok", "type": "boolean"},
            {"id": "notes", "type": "textarea", "visible_if": {"field": "ok", "equals": False}},
            {"id": "serial", "type": "text", "pattern": "^[A-Z0-9-]{6,20}$"},
            {"id": "kind", "type": "choice", "options": ["a", "b", "c"]},
            {"id": "photos", "type": "photos", "max": 5},
            {"id": "signature", "type": "signature"},
            {"id": "signer", "type": "text",
             "required_if": {"field": "signature", "present": True}}]}]}


def _case_type(i: int, forms: list[str]) -> dict[str, Any]:
    return {"id": f"type_{i}", "name": f"Type {i}", "number_prefix": f"T{i}",
            "fields": [{"id": "ref", "type": "text"}, {"id": "flag", "type": "boolean"}],
            "forms": forms, "lifecycle": {"initial": "booked", "states": [
                {"id": "booked", "owner": "coordinator"}, {"id": "active", "owner": "assignee"},
                {"id": "done", "work_complete": True}, {"id": "invoiced", "final": True}],
                "transitions": [
                {"id": "start", "from": "booked", "to": "active", "roles": ["technician"]},
                {"id": "finish", "from": "active", "to": "done", "roles": ["technician", "system"]},
                {"id": "invoice", "from": "done", "to": "invoiced", "roles": ["system"]}]}}


def _rule(i: int) -> dict[str, Any]:
    when: dict[str, Any] = {"all": [
        {"fact": "totals.hours", "op": "gt", "value": i % 12},
        {"any": [{"fact": "form.ok", "op": "eq", "value": False},
                 {"fact": "case.status", "op": "in", "value": ["active", "done"]},
                 {"any_item": "form.materials",
                  "where": {"fact": "quantity", "op": "gt", "value": 10 + i}}]}]}
    then: list[dict[str, Any]] = [
        {"raise_exception": {"code": f"CODE_{i}", "severity": "medium", "assign": "coordinator",
                             "message": "{{ case.number }}: {{ totals.hours }} h"}}]
    if i % 3 == 0:
        then.append({"notify": {"template": "alert", "to": ["role:admin", "customer"]}})
    if i % 5 == 0:
        then.append({"require_approval": {"role": "coordinator", "reason": "{{ case.number }}"}})
    return {"id": f"rule_{i}", "case_types": [f"type_{i % 3}"], "when": when, "then": then}


def generate() -> str:
    forms = [_form(i) for i in range(10)]
    bundle = {
        "format": "workorders/v1", "name": "Benchmark", "currency": "SEK", "locale": "sv-SE",
        "catalog": {"vat_rates": {"standard": 25},
                    "articles": [{"number": f"A{i}", "name": f"Article {i}", "unit": "EA",
                                  "price": "10.00", "vat": "standard"} for i in range(50)],
                    "labor": [{"code": c, "name": c, "unit": "HUR", "price": 500,
                               "vat": "standard"} for c in ("work", "travel")]},
        "case_types": [_case_type(i, [f"form_{j}" for j in range(10) if j % 3 == i or j == 9])
                       for i in range(3)],
        "forms": forms, "rules": [_rule(i) for i in range(100)],
        "notifications": {"templates": {"alert": {
            "channel": "email", "subject": "Alert {{ case.number }}",
            "body": "Hello {{ case.customer.name }}, {{ links.status_page }}"}}},
    }
    return yaml.safe_dump(bundle, sort_keys=False, allow_unicode=True)


def main() -> int:
    text = generate()
    check = load_bundle(text)
    if not check.valid:
        print("generated bundle is invalid:", [p.to_dict() for p in check.errors[:5]])
        return 1
    totals, schema = [], []
    for _ in range(RUNS):
        started = time.perf_counter()
        load_bundle(text)
        totals.append(time.perf_counter() - started)
        parsed = read_source(text)
        started = time.perf_counter()
        check_schema(parsed.data, Collector())
        schema.append(time.perf_counter() - started)
    median_ms = statistics.median(totals) * 1000
    share = statistics.median(schema) / statistics.median(totals) * 100
    print(f"definitions.validate 3ct/10forms/100rules: {median_ms:.1f} ms "
          f"(target <= {TARGET_MS:.0f} ms, {median_ms / TARGET_MS:.2f}x of target), "
          f"json-schema share {share:.0f}%")
    return 0 if median_ms <= TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
