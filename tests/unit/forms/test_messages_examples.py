"""Error messages say what is expected with an example (issue 15), from one source."""

from __future__ import annotations

from workorders.forms import messages as msg
from workorders.platform.web.display import blocker_words, rule_words
from workorders.rules.readiness import ACTION_FAILED, approver_words, kind_words


def test_format_messages_carry_an_example() -> None:
    assert msg.DATE == "Use a date like 2026-12-03."
    assert "like 14:30" in msg.TIME and "like 2.5" in msg.DECIMAL_FORMAT
    assert "like name@example.com" in msg.EMAIL and "like 3" in msg.WHOLE_NUMBER
    assert "like 2026-12-03T14:30+01:00" in msg.DATETIME


def test_a_choice_lists_its_labels_and_a_long_list_refers_to_it() -> None:
    assert msg.one_of(["Service work", "Travel"]) == "Pick one of: Service work, Travel."
    assert msg.one_of([]) == msg.OPTION
    assert msg.one_of([f"Option {i}" for i in range(msg.ONE_OF_MAX + 1)]) == msg.OPTION


def test_blocker_kinds_approvers_and_rules_read_as_words() -> None:
    assert [kind_words(k) for k in ("work", "data", "block", ACTION_FAILED)] == [
        "Work", "Missing data", "Blocked by a rule", "A rule failed"]
    assert kind_words("some_new_kind") == "Some new kind"
    assert blocker_words("approval") == "Approval"
    assert approver_words("role:coordinator") == "a coordinator"
    assert approver_words("role:admin") == "an admin"
    assert approver_words("user:tove@x.test") == "tove@x.test"
    assert approver_words("customer") == "the customer"
    assert rule_words("overtime_needs_approval") == "Overtime needs approval"
    assert rule_words(None) == "a rule"
