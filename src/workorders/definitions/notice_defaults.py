"""Who is told when a case enters a state, and with which template.

A state's ``owner`` says whose turn it is; when a case enters that state the owner
should hear about it without anyone writing a rule. ``notifications.on_enter`` lets
an admin choose the template and the recipients per state, or switch a state off
(``off``), or switch every built-in message off (``defaults: false``). What a state
sends when the admin wrote nothing for it:

- owner ``assignee``: the assigned technician gets ``job_waiting`` (email; staff
  choose email and/or in-app per kind on their profile);
- owner ``customer``: the customer gets ``customer_needed`` (email, an *action*
  message: it asks them to approve or sign, so it ignores status opt-outs);
- owner a role: the people with that role get ``needs_your_role`` in-app;
- no owner, or a final state: nothing.

The built-in templates below are ordinary templates: a bundle that defines a
template with the same id replaces the built-in text, and validation checks it
like any other. Booking is not "entering" the initial state (the person booking is
the one who would be told), so ``on_enter`` runs on transitions only.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

from .model import Bundle, CaseType, EnterNotice, LocalText, NotificationTemplate

_JOB_WAITING = NotificationTemplate(
    "job_waiting", "email",
    subject="{{ case.number }}: a job for you",
    body=("Hello{% if case.assignee %} {{ case.assignee.name }}{% endif %},\n\n"
          "the job {{ case.number }} for {{ case.customer.name }} is waiting for you"
          "{% if case.scheduled_start %}, {{ case.scheduled_start|datetime }}{% endif %}.\n"
          "{% if case.site.street %}Address: {{ case.site.street }}, {{ case.site.city }}\n"
          "{% endif %}\nOpen it: {{ links.case }}\n"),
    description="Tells the assigned technician that a job waits for them.",
    locales=MappingProxyType({"sv": LocalText(
        subject="{{ case.number }}: ett jobb till dig",
        body=("Hej{% if case.assignee %} {{ case.assignee.name }}{% endif %}!\n\n"
              "Jobbet {{ case.number }} hos {{ case.customer.name }} väntar på dig"
              "{% if case.scheduled_start %}, {{ case.scheduled_start|datetime }}{% endif %}.\n"
              "{% if case.site.street %}Adress: {{ case.site.street }}, {{ case.site.city }}\n"
              "{% endif %}\nÖppna det: {{ links.case }}\n"))}))

_NEEDS_YOUR_ROLE = NotificationTemplate(
    "needs_your_role", "in_app",
    body="{{ case.number }} for {{ case.customer.name }} is waiting for your team.",
    description="Tells the people of the owning role that a case waits for them.",
    locales=MappingProxyType({"sv": LocalText(
        body="{{ case.number }} hos {{ case.customer.name }} väntar på er.")}))

_CUSTOMER_NEEDED = NotificationTemplate(
    "customer_needed", "email", kind="action",
    subject="{{ seller.name or 'Your service company' }} needs your answer ({{ case.number }})",
    body=("Hello {{ case.customer.name }},\n\n"
          "your case {{ case.number }} is waiting for you: please have a look, and approve "
          "or sign where you are asked to.\n\n"
          "Follow your case: {{ links.status_page }}\n"),
    description="Asks the customer to act (approve or sign).",
    locales=MappingProxyType({"sv": LocalText(
        subject="{{ seller.name or 'Ditt serviceföretag' }} behöver ditt svar ({{ case.number }})",
        body=("Hej {{ case.customer.name }}!\n\n"
              "Ditt ärende {{ case.number }} väntar på dig: titta gärna på det och godkänn "
              "eller signera där du ombeds.\n\n"
              "Följ ditt ärende: {{ links.status_page }}\n"))}))

#: the built-in templates by id; a bundle's template of the same id replaces one
BUILT_IN_TEMPLATES: MappingProxyType[str, NotificationTemplate] = MappingProxyType(
    {t.id: t for t in (_JOB_WAITING, _NEEDS_YOUR_ROLE, _CUSTOMER_NEEDED)})


@dataclass(frozen=True, slots=True)
class PlannedNotice:
    """What entering a state sends: the template (the bundle's or a built-in one),
    the recipients as written (``customer``, ``assignee``, ``role:x``...) and
    whether it came from the bundle or from the defaults."""

    state: str
    template: NotificationTemplate
    to: tuple[str, ...]
    built_in: bool


def template_named(bundle: Bundle, template_id: str) -> NotificationTemplate | None:
    """The bundle's template, else the built-in one of that id."""
    return bundle.template(template_id) or BUILT_IN_TEMPLATES.get(template_id)


def default_notice(case_type: CaseType, state_id: str) -> EnterNotice | None:
    """The built-in message for entering ``state_id`` (None: nobody to tell)."""
    state = case_type.lifecycle.state(state_id)
    if state is None or state.final or not state.owner:
        return None
    if state.owner == "assignee":
        return EnterNotice(state_id, _JOB_WAITING.id, ("assignee",))
    if state.owner == "customer":
        return EnterNotice(state_id, _CUSTOMER_NEEDED.id, ("customer",))
    return EnterNotice(state_id, _NEEDS_YOUR_ROLE.id, (f"role:{state.owner}",))


def notice_on_enter(bundle: Bundle, case_type: CaseType, state_id: str) -> PlannedNotice | None:
    """What a case of ``case_type`` entering ``state_id`` sends, or None."""
    written = bundle.notifications.on_enter.get(state_id)
    if written is not None:
        if written.template is None:
            return None
        template = template_named(bundle, written.template)
        return PlannedNotice(state_id, template, written.to, False) if template else None
    if not bundle.notifications.defaults:
        return None
    notice = default_notice(case_type, state_id)
    if notice is None or notice.template is None:
        return None
    template = template_named(bundle, notice.template)
    return PlannedNotice(state_id, template, notice.to, True) if template else None


def sends_sms_to_customer(bundle: Bundle) -> bool:
    """Whether this tenant texts its customers (a rule's ``notify`` or a state's
    ``on_enter`` message, written or built in, on an SMS template naming
    ``customer``): then a customer's phone must be a mobile number, and booking says
    so at once."""
    sends = [(template_named(bundle, str(a.params.get("template"))),
              tuple(a.params.get("to") or ()))
             for rule in bundle.rules for a in rule.then if a.kind == "notify"]
    sends += [(p.template, p.to) for ct in bundle.case_types for s in ct.lifecycle.states
              if (p := notice_on_enter(bundle, ct, s.id)) is not None]
    return any(template is not None and template.channel == "sms" and "customer" in to
               for template, to in sends)
