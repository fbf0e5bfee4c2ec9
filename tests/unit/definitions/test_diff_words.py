"""The structured diff in plain sentences, as the publish confirmation shows it."""

from __future__ import annotations

from pathlib import Path

from workorders.definitions import diff_bundles, load_bundle
from workorders.definitions.diff_words import change_sentences

ROOT = Path(__file__).resolve().parents[3]
NORDVARME = (ROOT / "definitions" / "nordvarme-heatpumps.yaml").read_text(encoding="utf-8")


def _sentences(new_text: str, old_text: str = NORDVARME) -> list[str]:
    old, new = load_bundle(old_text), load_bundle(new_text)
    assert old.valid and new.valid, new.errors
    assert old.normalized is not None and new.normalized is not None
    return change_sentences(diff_bundles(old.normalized, new.normalized))


def test_no_change_says_nothing() -> None:
    assert _sentences(NORDVARME) == []


def test_a_field_added_removed_and_changed_on_a_form() -> None:
    text = NORDVARME.replace(
        "          - {id: photos, type: photos,",
        "          - {id: ladder_used, type: boolean, label: A ladder was used}\n"
        "          - {id: photos, type: photos,", 1)
    assert _sentences(text) == ["Form installation_report: field 'ladder_used' added"]
    assert _sentences(NORDVARME, old_text=text) == [
        "Form installation_report: field 'ladder_used' removed"]
    relabelled = NORDVARME.replace("label: Work performed", "label: Work done", 1)
    assert _sentences(relabelled) == [
        "Form installation_report: field 'work_description' changed (label)"]


def test_a_rule_threshold_and_a_setting_read_with_their_values() -> None:
    text = NORDVARME.replace("value: 16}", "value: 15}", 1).replace("currency: SEK",
                                                                    "currency: NOK", 1)
    assert _sentences(text) == [
        "Setting 'currency' changed from SEK to NOK",
        "Rule overtime_needs_approval: 'when.value' changed from 16 to 15"]


def test_a_transition_removed_from_a_lifecycle() -> None:
    line = "        - {id: reopen, from: work_done, to: in_progress, roles: [coordinator]}\n"
    assert NORDVARME.count(line) == 2  # installation and service both have one
    assert _sentences(NORDVARME.replace(line, "", 1)) == [
        "Case type installation: transition 'reopen' removed"]


def test_whole_items_added_and_removed_by_section() -> None:
    diff = diff_bundles({"rules": [{"id": "old_rule"}]},
                        {"forms": [{"id": "checklist"}], "tests": [{"name": "a b"}]})
    assert change_sentences(diff) == ["Form checklist added", "Rule old_rule removed",
                                      "Golden test 'a b' added"]


def test_a_field_moved_between_sections_is_moved() -> None:
    old = {"forms": [{"id": "f", "sections": [
        {"title": "A", "fields": [{"id": "x", "type": "text"}]}, {"title": "B", "fields": []}]}]}
    new = {"forms": [{"id": "f", "sections": [
        {"title": "A", "fields": []}, {"title": "B", "fields": [{"id": "x", "type": "text"}]}]}]}
    assert change_sentences(diff_bundles(old, new)) == ["Form f: field 'x' moved"]


def test_a_golden_tests_case_fields_are_data_not_form_fields() -> None:
    old = {"tests": [{"name": "t", "case": {"fields": {"po": "1"}}}]}
    new = {"tests": [{"name": "t", "case": {"fields": {"po": "2"}}}]}
    assert change_sentences(diff_bundles(old, new)) == [
        "Golden test t: 'case.fields.po' changed from 1 to 2"]
