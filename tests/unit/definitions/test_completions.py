"""The editor's autocomplete vocabulary: the schema's words and the bundle's names."""

from __future__ import annotations

from pathlib import Path

from workorders.definitions import bundle_schema, load_bundle
from workorders.definitions.completions import vocabulary

EXAMPLE = Path(__file__).parents[3] / "definitions" / "nordvarme-heatpumps.yaml"


def _labels(items: list[dict[str, str]]) -> set[str]:
    return {i["label"] for i in items}


def test_without_a_bundle_only_the_schema_words_are_offered() -> None:
    words = vocabulary(None)
    assert _labels(words["top_level"]) == set(bundle_schema()["properties"])
    assert {"eq", "not_in", "matches", "missing"} <= _labels(words["ops"])
    assert {"raise_exception", "notify"} <= _labels(words["actions"])
    assert words["fields"] == [] and words["facts"] == [] and words["states"] == []
    keys = {(i["detail"], i["label"]) for i in words["section_keys"]}
    assert {("field", "visible_if"), ("transition", "requires_forms"),
            ("rule", "when"), ("expect", "not_fired")} <= keys
    assert all(set(i) == {"label", "detail"} for items in words.values() for i in items)


def test_a_bundle_adds_its_own_names() -> None:
    result = load_bundle(EXAMPLE.read_text(encoding="utf-8"))
    assert result.bundle is not None
    words = vocabulary(result.bundle)
    assert {"totals.hours", "form.customer_signature", "case.fields.rot_deduction",
            "case.customer.peppol_id"} <= _labels(words["facts"])
    assert {"leak_test_passed", "rot_deduction"} <= _labels(words["fields"])
    assert {"booked", "work_done"} <= _labels(words["states"])
    assert {"coordinator", "technician", "system"} <= _labels(words["roles"])
    assert {"HP-F2120-8", "CU15"} <= _labels(words["articles"])
    assert {"approval_needed", "leak_alert"} <= _labels(words["templates"])
    assert {"transition:start", "enter:in_progress", "submit"} <= _labels(words["triggers"])
    signature = next(i for i in words["fields"] if i["label"] == "leak_test_passed")
    assert "Leak test passed" in signature["detail"]
