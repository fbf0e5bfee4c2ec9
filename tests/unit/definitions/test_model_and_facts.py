"""The frozen model's helpers and defaults, and the fact list per case type."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from workorders.definitions import Bundle, fact_types, load_bundle
from workorders.definitions.conditions import All, Leaf, Not, Quantifier


def test_lookups(nordvarme: Bundle) -> None:
    assert nordvarme.case_type("service") is not None
    assert nordvarme.case_type("nope") is None
    assert nordvarme.form("service_visit") is not None
    article, labor = nordvarme.article("CU15"), nordvarme.labor("install")
    assert article is not None and article.price == Decimal("89.0")
    assert labor is not None and labor.price == Decimal("695.0")
    assert nordvarme.vat_rate("standard") == Decimal(25)
    assert nordvarme.vat_rate("reduced") is None
    assert [f.id for f in nordvarme.forms_of("installation")] == [
        "installation_report", "commissioning_protocol"]


def test_rules_for_respects_case_types_triggers_and_order(nordvarme: Bundle) -> None:
    service_submit = [r.id for r in nordvarme.rules_for("service", "submit")]
    assert "overtime_needs_approval" not in service_submit  # installation only
    assert service_submit[:2] == ["missing_signature", "bulk_material_line"]
    assert [r.id for r in nordvarme.rules_for("installation", "transition:start")] == [
        "tell_customer_we_are_coming"]
    orders = [r.order for r in nordvarme.rules_for("service", "submit")]
    assert orders == sorted(orders)


def test_rule_defaults_and_condition_tree(nordvarme: Bundle) -> None:
    bulk = nordvarme.rule("bulk_material_line")
    assert bulk is not None
    assert bulk.on == ("submit", "correct")
    assert bulk.when == Quantifier("any_item", "form.materials", Leaf("quantity", "gt", 50))
    auto = nordvarme.rule("auto_complete_resolved_service")
    assert auto is not None and isinstance(auto.when, All)
    assert isinstance(auto.when.items[-1], Not)
    tell = nordvarme.rule("tell_customer_we_are_coming")
    assert tell is not None and tell.when is None
    assert tell.then[0].kind == "notify"
    assert tell.then[0].params["to"] == ("customer",)


def test_model_is_deeply_immutable(nordvarme: Bundle) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        nordvarme.name = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        nordvarme.connectors[0].options["article_map"]["x"] = "1"
    assert isinstance(nordvarme.case_types, tuple)


def test_field_model_carries_every_key(nordvarme: Bundle) -> None:
    form = nordvarme.form("installation_report")
    assert form is not None
    serial = form.field("heat_pump_serial")
    assert serial is not None and serial.visible_if is not None
    assert (serial.visible_if.field, serial.visible_if.op, serial.visible_if.value) == (
        "installed_heat_pump", "equals", True)
    assert serial.pattern == "^[A-Z0-9-]{6,20}$" and serial.required
    time = form.field("time")
    assert time is not None and time.labor == ("install", "electrician", "travel")
    photos = form.field("photos")
    assert photos is not None and (photos.min, photos.max) == (Decimal(1), Decimal(10))
    assert form.field("customer_name").label == "Name of the person signing"  # type: ignore[union-attr]


def test_defaults_are_applied_in_the_model_only(base_text: str) -> None:
    result = load_bundle(base_text)
    assert result.bundle is not None and result.normalized is not None
    assert "label" not in result.normalized["case_types"][0]["lifecycle"]["transitions"][0]
    assert result.bundle.case_types[0].lifecycle.transitions[0].label == "Start"
    assert result.bundle.connectors[0].transport.max_attempts == 8


def test_fact_types_of_a_case_type(nordvarme: Bundle) -> None:
    facts = fact_types(nordvarme, "installation")
    assert facts["case.status"].kind == "text"
    assert "work_done" in facts["case.status"].choices
    assert facts["case.fields.rot_deduction"].kind == "boolean"
    assert facts["case.customer.address.city"].kind == "text"
    assert facts["case.scheduled_start"].kind == "datetime"
    assert facts["form.flow_temperature"].kind == "number"
    assert facts["form.commissioning_date"].kind == "date"
    assert facts["form.customer_signature"].kind == "object"
    time = facts["form.time"]
    assert time.describe() == "list of item" and time.item is not None
    assert time.item.keys["hours"].kind == "number"
    assert time.item.keys["labor"].choices == ("install", "electrician", "travel")
    assert facts["form.materials"].item.keys["unit_price"].kind == "number"  # type: ignore[union-attr]
    assert facts["form.photos"].describe() == "list of text"
    assert facts["form_id"].choices == ("installation_report", "commissioning_protocol")
    assert {f"totals.{t}" for t in ("hours", "vat_amount", "gross_amount")} <= set(facts)
    assert facts["submission.kind"].choices == ("draft", "final", "correction")
    assert "form.fault_category" not in facts  # a service form only
    assert fact_types(nordvarme, "unknown") == {}


def test_multiple_choice_is_a_list_of_text(base_text: str) -> None:
    text = (base_text.replace("{id: kind, type: choice, options: [repair, install]}",
                     "{id: kind, type: choice, multiple: true, options: [repair, install]}"))
    bundle = load_bundle(text).bundle
    assert bundle is not None
    kind = fact_types(bundle, "job")["form.kind"]
    assert kind.kind == "list" and kind.item is not None and kind.item.choices == (
        "repair", "install")
