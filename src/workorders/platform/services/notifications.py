"""Writing notifications: who gets which message, in which language, on which channel.

A message is planned in the transaction of the change that causes it (a case
entering a state, a rule's ``notify``), one ``Notification`` row per recipient and
channel, each with its delivery job. The row's ``dedupe_key`` names the cause, so
the same cause never writes a second message: a retried request, a report saved
again unchanged or a re-evaluation finds the row already there.

Recipients as the bundle writes them: ``customer`` (their email, or their phone for
SMS), ``assignee``, ``role:<role>`` (every member with that role), ``user:<email>``
and ``webhook:<id>``. Staff are never told about their own action, and get email
and/or in-app per their preference for that kind of message
(``NotificationPreference``; no row: both).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, insert, select
from sqlalchemy.orm import Session

from workorders.definitions.model import NotificationTemplate
from workorders.definitions.notice_defaults import notice_on_enter
from workorders.platform.actor import Actor
from workorders.platform.jobs.outbox import enqueue_jobs
from workorders.platform.models import (
    Membership,
    Notification,
    NotificationPreference,
    NotificationStatus,
    User,
)
from workorders.platform.models.types import utcnow
from workorders.platform.services.case_context import LoadedCase
from workorders.rules.errors import TemplateRenderError
from workorders.rules.message_text import DEFAULT_TEXT, message_texts, text_for_reader

log = logging.getLogger("workorders.notify")

#: the job that moves a notification on (``jobs/notify.deliver_notification``)
DELIVER_JOB = "notification.deliver"
#: which of a cause's messages are written already (a retried request's): by tenant
_WRITTEN_KEYS = select(Notification.dedupe_key).where(
    Notification.tenant_id == bindparam("tenant_id"),
    Notification.dedupe_key.in_(bindparam("keys", expanding=True)))
_INSERT_MESSAGES = insert(Notification)
#: the kinds of staff message a person chooses channels for
STAFF_KINDS = ("assigned", "team", "rules")
STAFF_KIND_WORDS = {"assigned": "A job is waiting for me",
                    "team": "A case is waiting for my role",
                    "rules": "Messages from the tenant's rules"}


_REPLAYING: ContextVar[bool] = ContextVar("workorders_replaying_history", default=False)


@contextmanager
def replaying_history() -> Iterator[None]:
    """Inside: changes write no messages. For replaying what already happened (the
    demo's sample cases), where telling people now would be false news."""
    token = _REPLAYING.set(True)
    try:
        yield
    finally:
        _REPLAYING.reset(token)


@dataclass(frozen=True, slots=True)
class Recipient:
    audience: str  # customer | staff | webhook
    name: str
    address: str  # email, E.164 number, webhook id
    user_id: int | None = None
    membership_id: int | None = None
    locale: str | None = None
    #: a staff member's choice for this kind of message: (by email, in-app); None: both
    prefers: tuple[bool, bool] | None = None


@dataclass(frozen=True, slots=True)
class _Member:
    membership_id: int
    user_id: int
    roles: tuple[str, ...]
    name: str
    email: str
    prefers: tuple[bool, bool] | None


#: a tenant's people with their choice for one kind of message, in one statement:
#: columns, not objects (nothing here is changed)
_MEMBERS = (
    select(Membership.id, Membership.user_id, Membership.roles, Membership.name, User.email,
           NotificationPreference.email, NotificationPreference.in_app)
    .join(User, User.id == Membership.user_id)
    .outerjoin(NotificationPreference,
               (NotificationPreference.membership_id == Membership.id)
               & (NotificationPreference.kind == bindparam("kind")))
    .where(Membership.tenant_id == bindparam("tenant_id")))


def _staff(members: Iterable[_Member], locale: str | None) -> list[Recipient]:
    return [Recipient("staff", m.name or m.email, m.email, m.user_id, m.membership_id, locale,
                      m.prefers) for m in members]


def resolve_recipients(session: Session, loaded: LoadedCase, targets: Iterable[str],
                       staff_kind: str) -> list[Recipient]:
    """The people (and webhooks) ``targets`` name for this case, each once, staff
    with their choice of channels for ``staff_kind`` messages."""
    case, bundle = loaded.case, loaded.bundle
    found: dict[tuple[str, str], Recipient] = {}
    members: list[_Member] | None = None

    def all_members() -> list[_Member]:
        nonlocal members
        if members is None:  # one query, not one per person
            members = [
                _Member(row[0], row[1], tuple(row[2] or ()), row[3] or "", row[4],
                        None if row[5] is None else (bool(row[5]), bool(row[6])))
                for row in session.execute(_MEMBERS, {"kind": staff_kind,
                                                      "tenant_id": case.tenant_id})]
        return members

    for target in targets:
        kind, _, name = target.partition(":")
        picked: list[Recipient] = []
        if target == "customer":
            customer = case.customer or {}
            picked = [Recipient("customer", str(customer.get("name") or ""), "",
                                locale=bundle.locale)]
        elif target == "assignee" and case.assignee_id is not None:
            picked = _staff([m for m in all_members() if m.user_id == case.assignee_id],
                            bundle.locale)
        elif kind == "role":
            picked = _staff([m for m in all_members() if name in m.roles], bundle.locale)
        elif kind == "user":
            known = [m for m in all_members() if m.email.lower() == name.lower()]
            picked = _staff(known, bundle.locale) if known else [
                Recipient("staff", name, name, locale=bundle.locale)]
        elif kind == "webhook":
            picked = [Recipient("webhook", name, name)]
        for recipient in picked:
            found.setdefault((recipient.audience, (recipient.user_id and str(recipient.user_id))
                              or recipient.address or recipient.audience), recipient)
    return list(found.values())


def _staff_channels(recipient: Recipient, template_channel: str) -> list[str]:
    """Email and/or in-app for a staff member, per their preference for the kind."""
    if template_channel not in ("email", "in_app"):
        return [template_channel]
    if recipient.membership_id is None:  # an outside address: email is all there is
        return ["email"]
    if recipient.prefers is None:
        return ["email", "in_app"] if template_channel == "email" else ["in_app"]
    return [c for c, on in zip(("email", "in_app"), recipient.prefers, strict=True) if on]


def _customer_address(loaded: LoadedCase, channel: str) -> str:
    customer = loaded.case.customer or {}
    if channel == "sms":
        return str(customer.get("phone") or "")
    if channel == "email":
        return str(customer.get("email") or "")
    return ""


def queue_message(session: Session, loaded: LoadedCase, *, source: str,
                  template: NotificationTemplate, to: Iterable[str],
                  texts: Mapping[str, Mapping[str, Any]], key: str, actor: Actor | None,
                  staff_kind: str, fresh: bool = False) -> int:
    """Write the rows (and their delivery jobs) for one cause; rows already written
    for ``key`` are kept, never doubled. Answers how many rows are new.

    ``fresh``: the cause came into being in this transaction (an approval just
    inserted, a case version just reached), so no row can carry its key yet and the
    read for them is skipped. The key's unique index still refuses a double.

    Core statements, no objects: nothing in the request reads these rows back as
    objects, and the unit of work cost several times the statements. The jobs go
    first, naming their message by its dedupe key, so each row is inserted with its
    job's id instead of updated afterwards."""
    if _REPLAYING.get():
        return 0
    recipients = [r for r in resolve_recipients(session, loaded, to, staff_kind)
                  if not (r.audience == "staff" and actor is not None
                          and r.address.lower() == (actor.email or "").lower())]
    # nobody is told about what they just did themselves (the filter above)
    planned: list[tuple[Recipient, str, str, str]] = []
    for recipient in recipients:
        channels = (_staff_channels(recipient, template.channel)
                    if recipient.audience == "staff" else
                    ["webhook"] if recipient.audience == "webhook" else [template.channel])
        for channel in channels:
            address = (_customer_address(loaded, channel) if recipient.audience == "customer"
                       else recipient.address)
            who = recipient.user_id or address or recipient.audience
            planned.append((recipient, channel, address,
                            f"{key}:{recipient.audience}:{who}:{channel}"[:240]))
    if not planned:
        return 0
    case = loaded.case
    existing = set() if fresh else set(session.execute(_WRITTEN_KEYS, {
        "tenant_id": case.tenant_id, "keys": [p[3] for p in planned]}).scalars())
    now = utcnow()
    rows: list[dict[str, Any]] = []
    for recipient, channel, address, row_key in planned:
        if row_key in existing:
            continue
        text = text_for_reader(texts, recipient.locale)
        row: dict[str, Any] = {
            "tenant_id": case.tenant_id, "case_id": case.id, "source": source[:120],
            "template": template.id, "channel": channel, "kind": template.kind,
            "audience": recipient.audience, "recipient_name": recipient.name[:200],
            "address": address[:254], "user_id": recipient.user_id,
            "locale": recipient.locale, "subject": text.get("subject"),
            "body": str(text.get("body") or ""), "status": NotificationStatus.QUEUED.value,
            "error": None, "dedupe_key": row_key, "attempts": 0, "job_id": None,
            "created_at": now, "updated_at": now}
        if not address and channel != "in_app":
            row["status"] = NotificationStatus.SKIPPED.value
            row["error"] = _no_address(recipient, channel)
        rows.append(row)
    if not rows:
        return 0
    queued = [row for row in rows if row["status"] == NotificationStatus.QUEUED.value]
    job_ids = enqueue_jobs(DELIVER_JOB, [{"notification_key": row["dedupe_key"]}
                                         for row in queued],
                           tenant_id=case.tenant_id, max_attempts=6)
    for row, job_id in zip(queued, job_ids, strict=True):
        row["job_id"] = job_id
    session.connection().execute(_INSERT_MESSAGES, rows)  # one statement for them all
    return len(rows)


def _no_address(recipient: Recipient, channel: str) -> str:
    what = {"email": "email address", "sms": "mobile number"}.get(channel, "address")
    who = "The customer" if recipient.audience == "customer" else recipient.name or "They"
    return f"{who} has no {what} on the case, so nothing was sent."


def notify_on_enter(session: Session, loaded: LoadedCase, actor: Actor | None,
                    entered_at_version: int) -> None:
    """The message a state's owner gets when the case enters it (``on_enter``)."""
    from workorders.platform.services.rule_facts import fact_document
    from workorders.platform.services.rules_runtime import links_of
    from workorders.rules.render import template_context

    case = loaded.case
    planned = notice_on_enter(loaded.bundle, loaded.case_type, case.status)
    if planned is None:
        return
    context = template_context(fact_document(loaded, actor, None), loaded.bundle,
                               loaded.case_type.id, links=links_of(loaded))
    try:
        texts = message_texts(planned.template, context)
    except TemplateRenderError as exc:  # validation makes this rare; never lose the transition
        log.warning("on_enter message %s for case %s not written: %s",
                    planned.template.id, case.id, exc)
        return
    kind = "assigned" if planned.to == ("assignee",) else "team"
    queue_message(session, loaded, source=f"on_enter:{case.status}", template=planned.template,
                  to=planned.to, texts=texts, key=f"enter:{case.id}:{entered_at_version}",
                  actor=actor, staff_kind=kind, fresh=True)  # the version was reached just now


def notify_from_rule(session: Session, loaded: LoadedCase, params: Mapping[str, Any],
                     rule: str, key: str, actor: Actor | None) -> None:
    """A rule's ``notify`` outcome (already rendered in every language)."""
    from workorders.definitions.notice_defaults import template_named

    template = template_named(loaded.bundle, str(params["template"]))
    if template is None:  # pragma: no cover - the outcome was rendered from this bundle
        return
    texts = params.get("texts") or {DEFAULT_TEXT: {"subject": params.get("subject"),
                                                   "body": params.get("body")}}
    queue_message(session, loaded, source=f"rule:{rule}", template=template,
                  to=list(params["to"]), texts=texts, key=key, actor=actor,
                  staff_kind="rules")


#: where a customer's approval link goes in the logged text: the signed link itself
#: is put in at send time only, so nobody reading the log can decide for the customer
APPROVAL_LINK_PLACEHOLDER = "[approval link]"
_APPROVAL_TEXTS = {
    DEFAULT_TEXT: {
        "subject": "Your approval is needed for {number}",
        "body": ("Hello {name},\n\n{reason}\n\nApprove or reject here (the link works once, "
                 "for 14 days):\n" + APPROVAL_LINK_PLACEHOLDER + "\n")},
    "sv": {
        "subject": "Ditt godkännande behövs för {number}",
        "body": ("Hej {name}!\n\n{reason}\n\nGodkänn eller avböj här (länken fungerar en "
                 "gång, i 14 dagar):\n" + APPROVAL_LINK_PLACEHOLDER + "\n")},
}
_APPROVAL_WAITING_TEXTS = {
    DEFAULT_TEXT: {"subject": None, "body": "{number}: an approval waits for you: {reason}"},
    "sv": {"subject": None, "body": "{number}: ett godkännande väntar på dig: {reason}"},
}
CUSTOMER_APPROVAL = NotificationTemplate("customer_approval", "email", "", kind="action",
                                         description="The customer's approval link")
APPROVAL_WAITING = NotificationTemplate("approval_waiting", "in_app", "",
                                        description="An approval routed to staff")


def notify_approval(session: Session, loaded: LoadedCase, approval_id: int, approver: str,
                    reason: str, actor: Actor | None, *, fresh: bool = False) -> None:
    """Ask for an approval: the customer by email with their signed link (an action
    message: never opted out of), staff in-app (per their preferences)."""
    case = loaded.case
    values = {"number": case.number, "name": (case.customer or {}).get("name") or "",
              "reason": reason}
    customer = approver == "customer"
    texts = {tag: {key: text.format(**values) if text else None for key, text in t.items()}
             for tag, t in (_APPROVAL_TEXTS if customer else _APPROVAL_WAITING_TEXTS).items()}
    to = [approver]  # customer, role:<role> or user:<email>: recipients as the bundle writes them
    queue_message(session, loaded, source=f"approval:{approval_id}",
                  template=CUSTOMER_APPROVAL if customer else APPROVAL_WAITING, to=to,
                  texts=texts, key=f"approval:{approval_id}", actor=actor, staff_kind="team",
                  fresh=fresh)
