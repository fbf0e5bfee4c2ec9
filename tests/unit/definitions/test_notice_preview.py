"""Previewing notification templates: every language, SMS lengths, built-ins."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.unit.definitions.conftest import EXAMPLES, REPO
from workorders.definitions import Bundle, load_bundle
from workorders.definitions.model import LocalText, NotificationTemplate
from workorders.definitions.notice_defaults import BUILT_IN_TEMPLATES
from workorders.rules.notice_preview import (
    PreviewRefused,
    preview_notification,
    preview_template,
    sending_case_types,
    sms_length,
)


@pytest.mark.parametrize("text,encoding,segments", [
    ("Hej Åsa, vi kommer 08:00.", "GSM-7", 1),       # å ä ö are GSM-7
    ("x" * 160, "GSM-7", 1), ("x" * 161, "GSM-7", 2),  # 153 per part once split
    ("€" * 80, "GSM-7", 1), ("€" * 81, "GSM-7", 2),     # € takes two septets
    ("Vi kommer 🚐", "UCS-2", 1), ("ł" * 71, "UCS-2", 2),
])
def test_sms_length(text: str, encoding: str, segments: int) -> None:
    length = sms_length(text)
    assert (length.encoding, length.segments) == (encoding, segments)


def test_every_language_renders_over_a_made_up_case(nordvarme: Bundle) -> None:
    template = NotificationTemplate(
        "t", "sms", "Hi {{ case.customer.name }}, {{ case.scheduled_start|date }}",
        locales={"sv": LocalText("Hej {{ case.customer.name }}, {{ case.scheduled_start|date }}")})
    preview = preview_template(nordvarme, template, nordvarme.case_types[0])
    assert preview.problems == []
    own, swedish = preview.texts
    assert own.language == "" and own.body.startswith("Hi Lena Berg, ")
    assert swedish.language == "sv" and swedish.body.startswith("Hej Lena Berg, ")
    assert swedish.sms is not None and swedish.sms.segments == 1


def test_built_ins_preview_and_a_failure_is_a_sentence(nordvarme: Bundle) -> None:
    waiting = preview_template(nordvarme, BUILT_IN_TEMPLATES["job_waiting"],
                               nordvarme.case_types[0])
    assert [t.language for t in waiting.texts] == ["", "sv"]
    assert "<case link>" in waiting.texts[0].body
    broken = NotificationTemplate("b", "sms", "{{ 1 / 0 }}")
    failed = preview_template(nordvarme, broken, nordvarme.case_types[0])
    (own,) = failed.texts
    assert own.body == "" and own.problem and "division" in own.problem
    assert failed.problems == [f"the template’s own text failed: {own.problem}"]


def test_one_language_failing_leaves_the_others_rendered(nordvarme: Bundle) -> None:
    template = NotificationTemplate(
        "t", "sms", "Hi {{ case.customer.name }}",
        locales={"sv": LocalText("Hej {{ 1 // 0 }}"), "fi": LocalText("Hei {{ case.number }}")})
    preview = preview_template(nordvarme, template, nordvarme.case_types[0])
    own, swedish, finnish = preview.texts
    assert own.problem is None and own.body == "Hi Lena Berg"
    assert finnish.problem is None and finnish.body == "Hei INST-2026-00042"
    assert swedish.body == "" and swedish.sms is None and swedish.problem
    assert preview.problems == [f"the text in sv failed: {swedish.problem}"]


def test_datetime_is_written_the_way_each_language_writes_it(nordvarme: Bundle) -> None:
    when = "{{ case.scheduled_start|datetime }}"
    template = NotificationTemplate("t", "sms", when, locales={
        "sv": LocalText(when), "en-GB": LocalText(when), "de": LocalText(when)})
    texts = {t.language: t.body for t in preview_template(
        nordvarme, template, nordvarme.case_types[0]).texts}
    # the made-up visit is tomorrow at 08:00 Stockholm time, whatever today is
    assert re.fullmatch(r"\w{3} \d{1,2} \w+\.? 20\d\d 08:00 CES?T", texts["sv"]), texts
    assert texts[""] == texts["sv"]  # the tenant writes Swedish (sv-SE)
    assert re.fullmatch(r"\w{3}, \d{1,2} \w{3} 20\d\d, 08:00 CES?T", texts["en-GB"]), texts
    assert len({texts["sv"], texts["en-GB"], texts["de"]}) == 3


def test_preview_notification_looks_up_the_template_case_type_and_reader(
        nordvarme: Bundle) -> None:
    service = preview_notification(nordvarme, "job_waiting", case_type_id="service")
    assert service.case_type == "service"
    assert service.texts[0].subject and service.texts[0].subject.startswith("SERV-2026-00042")
    swedish = preview_notification(nordvarme, "job_waiting", locale="sv-SE")
    assert [t.language for t in swedish.texts] == ["sv"] and swedish.note is None
    finnish = preview_notification(nordvarme, "job_waiting", locale="fi")
    assert [t.language for t in finnish.texts] == [""]
    assert finnish.note == ("'job_waiting' has no text in fi: a reader of fi gets the "
                            "template’s own text.")
    with pytest.raises(PreviewRefused, match=r"no notification template 'nope'; the "
                                             r"templates are: .*job_waiting"):
        preview_notification(nordvarme, "nope")
    with pytest.raises(PreviewRefused, match=r"no case type 'boat'; the case types are: "
                                             "installation, service"):
        preview_notification(nordvarme, "job_waiting", case_type_id="boat")


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_template_of_the_examples_renders_in_every_language(path: Path) -> None:
    """What validates must render: each example's templates and the built-ins, over a
    made-up case of a case type that sends them."""
    bundle = load_bundle(path.read_bytes()).bundle
    assert bundle is not None
    for template_id in sorted({*bundle.notifications.templates, *BUILT_IN_TEMPLATES}):
        preview = preview_notification(bundle, template_id)
        assert preview.problems == [], (path.name, template_id)
        assert all(t.body.strip() for t in preview.texts), (path.name, template_id)


def test_a_template_previews_over_a_case_type_that_sends_it(nordvarme: Bundle) -> None:
    # follow_up_needed reads form.follow_up_description, a field of the service forms
    assert [ct.id for ct in sending_case_types(nordvarme, "follow_up_needed")] == ["service"]
    assert preview_notification(nordvarme, "follow_up_needed").case_type == "service"
    asked = preview_notification(nordvarme, "follow_up_needed", case_type_id="installation")
    assert asked.case_type == "installation" and "follow_up_description" in asked.problems[0]
    assert len(sending_case_types(nordvarme, "job_waiting")) == 2  # every state's owner


def test_a_rule_for_every_case_type_previews_where_its_form_fields_exist() -> None:
    text = (REPO / "definitions" / "nordvarme-heatpumps.yaml").read_text()
    # the demo's follow_up_flag rule for every case type (without its service-only
    # set_field): it still only fires on a service form, the one with its fields
    rule = ("  - id: follow_up_flag\n    case_types: [service]\n"
            "    when: {fact: form.follow_up_needed, op: eq, value: true}\n    then:\n"
            "      - set_field: {field: follow_up_required, value: true}\n")
    assert rule in text, "the demo's follow_up_flag rule moved"
    bundle = load_bundle(text.replace(rule, (
        "  - id: follow_up_flag\n"
        "    when: {fact: form.follow_up_needed, op: eq, value: true}\n    then:\n"))).bundle
    assert bundle is not None
    assert [ct.id for ct in sending_case_types(bundle, "follow_up_needed")] == [
        "installation", "service"]
    preview = preview_notification(bundle, "follow_up_needed")
    assert preview.case_type == "service" and preview.problems == []
