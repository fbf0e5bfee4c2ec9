"""The structured diff between two bundle versions."""

from __future__ import annotations

import copy
from typing import Any

from workorders.definitions import diff_bundles, has_changes, load_bundle


def _base(text: str) -> dict[str, Any]:
    data = load_bundle(text).normalized
    assert data is not None
    return data


def test_identical_bundles_have_no_changes(base_text: str) -> None:
    data = _base(base_text)
    diff = diff_bundles(data, copy.deepcopy(data))
    assert not has_changes(diff)
    assert set(diff) >= {"top_level", "case_types", "forms", "rules", "connectors", "articles",
                         "labor", "notification_templates", "tests"}


def test_added_removed_and_changed_items(base_text: str) -> None:
    old = _base(base_text)
    new = copy.deepcopy(old)
    new["name"] = "Renamed"
    new["rules"].pop(0)
    new["rules"].append({"id": "fresh", "then": [{"block_invoicing": {"reason": "x"}}]})
    new["rules"][0]["when"]["all"][1]["op"] = "present"
    new["catalog"]["labor"][0]["price"] = 700
    states = new["case_types"][0]["lifecycle"]["states"]
    states.insert(0, states.pop())  # reordering by id is not a change
    states[1]["label"] = "Booked!"
    diff = diff_bundles(old, new)
    assert diff["top_level"]["changed"] == [
        {"id": "name", "fields": [{"path": "", "before": "Base tenant", "after": "Renamed"}]}]
    assert diff["rules"]["added"] == ["fresh"]
    assert diff["rules"]["removed"] == ["overtime"]
    assert diff["rules"]["changed"] == [{"id": "no_signature", "fields": [
        {"path": "/when/all/1/op", "before": "missing", "after": "present"}]}]
    assert diff["labor"]["changed"] == [
        {"id": "install", "fields": [{"path": "/price", "before": 695.0, "after": 700}]}]
    assert diff["case_types"]["changed"] == [{"id": "job", "fields": [
        {"path": "/lifecycle/states/booked/label", "before": "Booked", "after": "Booked!"}]}]
    assert diff["forms"] == {"added": [], "removed": [], "changed": []}


def test_list_without_ids_compares_by_position(base_text: str) -> None:
    old = _base(base_text)
    new = copy.deepcopy(old)
    new["case_types"][0]["forms"] = ["report"]
    diff = diff_bundles(old, new)
    assert diff["case_types"]["changed"][0]["fields"] == [
        {"path": "/forms/1", "before": "checklist", "after": None}]


def test_sections_keyed_by_name(base_text: str) -> None:
    old = _base(base_text)
    new = copy.deepcopy(old)
    new["notifications"]["templates"]["second"] = {"channel": "sms", "body": "hi"}
    new["tests"][0]["expect"]["fired"] = []
    diff = diff_bundles(old, new)
    assert diff["notification_templates"]["added"] == ["second"]
    assert diff["tests"]["changed"][0]["id"] == "overtime fires"
