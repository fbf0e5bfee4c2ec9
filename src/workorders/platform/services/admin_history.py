"""The admin history: who changed the workspace (definitions, people, API tokens,
secrets, jobs), newest first, and the one wording of those events.

Every admin action is an audit event like a case's, but its subject is not a case.
The history page, its API and anything else that shows such an event use
:func:`describe_admin_event`, so a publish reads the same wherever it appears, and
an event nobody taught this table yet still reads as a sentence, never as JSON.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import select

from workorders.errors import ValidationFailed
from workorders.platform.extensions import db
from workorders.platform.models import AuditEvent

#: the history's filter, as a person names it -> the audit subject type it shows
KINDS: dict[str, str] = {
    "definitions": "definition",
    "people": "member",
    "tokens": "token",
    "secrets": "tenant_secrets",
    "jobs": "job",
    "messages": "customer_messages",
}
ADMIN_SUBJECT_TYPES: tuple[str, ...] = tuple(KINDS.values())

#: background job kinds in words (the outbox's ``kind`` is for the code)
JOB_KIND_WORDS: dict[str, str] = {
    "email.welcome": "welcome email",
    "notify": "notification",
    "notification.deliver": "message delivery",
    "definitions.simulate": "simulation",
    "approval.customer_link": "customer approval link",
    "export.deliver": "export delivery",
}


def admin_events(tenant_id: int, *, limit: int, before_id: int | None = None,
                 subject_type: str | None = None) -> list[AuditEvent]:
    """The tenant's admin events, newest first: at most ``limit``, older than the
    event ``before_id`` when given (the last one of the previous page), of one
    subject type when given. Case events are never among them."""
    if subject_type is not None and subject_type not in ADMIN_SUBJECT_TYPES:
        raise ValidationFailed(
            f"'{subject_type}' is not a kind of admin event; use one of "
            f"{', '.join(ADMIN_SUBJECT_TYPES)}",
            [{"path": "/subject_type", "message": "unknown kind of admin event"}])
    types = (subject_type,) if subject_type else ADMIN_SUBJECT_TYPES
    stmt = select(AuditEvent).where(AuditEvent.tenant_id == tenant_id,
                                    AuditEvent.subject_type.in_(types))
    if before_id is not None:
        stmt = stmt.where(AuditEvent.id < before_id)
    return list(db.session.execute(stmt.order_by(AuditEvent.id.desc()).limit(limit)).scalars())


def job_kind_words(kind: str) -> str:
    return JOB_KIND_WORDS.get(kind, kind.replace(".", " ").replace("_", " "))


# ---- the wording ---------------------------------------------------------------------


def _fact(event: AuditEvent, *keys: str) -> Any:
    """The first of ``keys`` the event recorded, after the change first, then before."""
    for side in (event.after, event.before):
        for key in keys:
            if isinstance(side, dict) and side.get(key) not in (None, "", []):
                return side[key]
    return None


def _text(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) or "no role"
    return str(value)


def _quoted(value: Any) -> str:
    return f"“{value}”"


def _roles(side: dict[str, Any] | None) -> str:
    roles = side.get("roles") if isinstance(side, dict) else None
    return _text(roles) if isinstance(roles, list | tuple) else "no role"


def _member(event: AuditEvent) -> str:
    return str(_fact(event, "email", "user") or f"member {event.subject_id}")


def _as_roles(side: dict[str, Any] | None) -> str:
    """" as technician, coordinator" when the event names roles, else nothing."""
    roles = side.get("roles") if isinstance(side, dict) else None
    return f" as {_text(roles)}" if isinstance(roles, list | tuple) and roles else ""


def _removed(e: AuditEvent) -> str:
    revoked = _fact(e, "tokens_revoked")  # the revoked tokens' prefixes, or how many
    count = len(revoked) if isinstance(revoked, list | tuple) else revoked
    tail = ""
    if isinstance(count, int) and not isinstance(count, bool) and count > 0:
        tail = f" and revoked their {count} API token{'s' if count != 1 else ''}"
    return f"Removed {_member(e)}{tail}{_comment(e)}"


def _version(event: AuditEvent) -> str:
    return f"version {event.subject_id}"


def _comment(event: AuditEvent) -> str:
    comment = event.comment or _fact(event, "comment")
    return f" ({_quoted(comment)})" if comment else ""


def _draft_created(e: AuditEvent) -> str:
    source = _fact(e, "based_on")
    if source is None and _fact(e, "from_version") is not None:
        source = f"version {_fact(e, 'from_version')}"
    if source is None and _fact(e, "from_example") is not None:
        source = f"example {_fact(e, 'from_example')}"
    tail = " (it does not validate yet)" if _fact(e, "valid") is False else ""
    return f"Started draft {_version(e)}" + (f" from {source}" if source else "") + tail


def _draft_saved(e: AuditEvent) -> str:
    valid = _fact(e, "valid")
    tail = " (it does not validate yet)" if valid is False else ""
    return f"Saved draft {_version(e)}{tail}"


def _retired(e: AuditEvent) -> str:
    replaced_by = _fact(e, "replaced_by")
    tail = f" when version {replaced_by} was published" if replaced_by is not None else ""
    return f"Retired {_version(e)}{tail}{_comment(e)}"


def _migration_started(e: AuditEvent) -> str:
    cases, left = _fact(e, "cases"), _fact(e, "not_migratable")
    moved = f"{cases} open case{'s' if cases != 1 else ''}" if isinstance(cases, int) \
        else "open cases"
    tail = f", {left} could not move" if isinstance(left, int) and left else ""
    return f"Started moving {moved} to {_version(e)}{tail}{_comment(e)}"


def _roles_changed(e: AuditEvent) -> str:
    return f"Changed roles of {_member(e)}: {_roles(e.before)} → {_roles(e.after)}"


def _token(e: AuditEvent) -> str:
    label = _fact(e, "label")
    text = f"API token {_quoted(label)}" if label else f"API token {e.subject_id}"
    owner = _fact(e, "owner", "email", "user")
    if owner:
        text += f" for {owner}"
    prefix = _fact(e, "prefix")
    return text + (f" ({prefix}…)" if prefix else "")


def _secret(e: AuditEvent) -> str:
    return f"secret {_fact(e, 'name') or '(unnamed)'}"


def _job(e: AuditEvent) -> str:
    kind = _fact(e, "kind")
    return f"job {e.subject_id}" + (f" ({job_kind_words(str(kind))})" if kind else "")


def _customer(event: AuditEvent) -> str:
    return str(_fact(event, "address") or "A customer")


WORDS: dict[str, Callable[[AuditEvent], str]] = {
    "definition.draft_created": _draft_created,
    "definition.draft_saved": _draft_saved,
    "definition.published": lambda e: f"Published {_version(e)}{_comment(e)}",
    "definition.retired": _retired,
    "definition.migration_started": _migration_started,
    "member.added": lambda e: f"Added {_member(e)}{_as_roles(e.after)}",
    "member.invited": lambda e: f"Invited {_member(e)}{_as_roles(e.after)}",
    "member.roles_changed": _roles_changed,
    "member.removed": _removed,
    "token.created": lambda e: f"Created {_token(e)}",
    "token.revoked": lambda e: f"Revoked {_token(e)}{_comment(e)}",
    "secret.set": lambda e: f"Set {_secret(e)}",
    "secret.replaced": lambda e: f"Replaced {_secret(e)}",
    "secret.deleted": lambda e: f"Deleted {_secret(e)}",
    "job.retried": lambda e: f"Retried {_job(e)}",
    "notifications.opted_out": lambda e: f"{_customer(e)} stopped status messages",
    "notifications.opted_in": lambda e: f"{_customer(e)} asked for status messages again",
}

#: what an unknown event's subject is called, for the fallback sentence
SUBJECT_WORDS: dict[str, Callable[[AuditEvent], str]] = {
    "definition": _version,
    "member": _member,
    "token": lambda e: f"API token {e.subject_id}",
    "tenant_secrets": lambda e: _secret(e) if _fact(e, "name") else "the secrets",
    "job": _job,
}


def _fallback(event: AuditEvent) -> str:
    """``member.suspended`` on ola@x.test -> "Member suspended: ola@x.test"."""
    words = [w for w in _split(event.action) if w]
    head = " ".join(words).capitalize() or "Changed"
    subject = SUBJECT_WORDS.get(event.subject_type,
                                lambda e: f"{e.subject_type.replace('_', ' ')} {e.subject_id}")
    return f"{head}: {subject(event)}{_comment(event)}"


def _split(action: str) -> Iterable[str]:
    for sep in (".", ":", "_", "-"):
        action = action.replace(sep, " ")
    return action.split()


def describe_admin_event(event: AuditEvent) -> str:
    """The event as one sentence a person reads ("Published version 4 (“Added heat
    pump brand field”)"); the single wording of admin events."""
    words = WORDS.get(event.action)
    return words(event) if words is not None else _fallback(event)
