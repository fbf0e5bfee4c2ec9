"""Previewing notification templates: every language, SMS lengths, built-ins."""

from __future__ import annotations

import pytest

from workorders.definitions import Bundle
from workorders.definitions.model import LocalText, NotificationTemplate
from workorders.definitions.notice_defaults import BUILT_IN_TEMPLATES
from workorders.rules.notice_preview import preview_template, sms_length


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
    assert preview.problem is None
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
    assert failed.texts == () and failed.problem and "division" in failed.problem
