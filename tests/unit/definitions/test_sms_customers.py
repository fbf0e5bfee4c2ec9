"""Whether a bundle texts its customers: then booking wants a mobile number."""

from __future__ import annotations

from tests.unit.definitions.conftest import REPO
from workorders.definitions import Bundle, load_bundle
from workorders.definitions.notice_defaults import sends_sms_to_customer

BYTEWISE = (REPO / "definitions" / "bytewise-it.yaml").read_text("utf-8")
WEBHOOKS = "  webhooks:\n"
#: the built-in message asking the customer to act, replaced by a text message
AS_SMS = ('    customer_needed: {channel: sms, kind: action, '
          'body: "{{ case.number }} waits for you"}\n')


def _bundle(text: str) -> Bundle:
    result = load_bundle(text)
    assert result.bundle is not None, [(p.path, p.message) for p in result.errors]
    return result.bundle


def test_rules_that_text_the_customer_count(nordvarme: Bundle, base_text: str) -> None:
    assert sends_sms_to_customer(nordvarme)  # "on my way" texts
    assert not sends_sms_to_customer(_bundle(base_text))  # emails staff only


def test_a_built_in_message_sent_as_sms_to_the_customer_counts() -> None:
    """ByteWise's 'awaiting customer' state is owned by the customer, so the default
    ``customer_needed`` message goes to them: made an SMS, the customer is texted."""
    assert not sends_sms_to_customer(_bundle(BYTEWISE))
    texting = _bundle(BYTEWISE.replace(WEBHOOKS, AS_SMS + WEBHOOKS, 1))
    assert sends_sms_to_customer(texting)
    off = BYTEWISE.replace(WEBHOOKS, AS_SMS + "  defaults: false\n" + WEBHOOKS, 1)
    assert not sends_sms_to_customer(_bundle(off))
