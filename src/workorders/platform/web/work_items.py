"""Reads behind the exceptions queue and the approvals inbox (the case page's
"Exceptions and approvals" box reads ``services.case_outcomes``, as the API does).

The services own every change; these are reads only, always scoped to the
actor's tenant. Rows carry what a person needs to act without opening the case:
the case number, the rule's trace as sentences, who has it and how old it is.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case as sql_case
from sqlalchemy import func, or_, select
from sqlalchemy.exc import SQLAlchemyError

from workorders.platform.auth import Actor
from workorders.platform.extensions import db
from workorders.platform.input_guard import id_in_text
from workorders.platform.models import (
    Approval,
    ApprovalStatus,
    Case,
    CaseException,
    ExceptionStatus,
    Notification,
)
from workorders.platform.services.exception_queue import ExceptionFilter, filtered_exceptions
from workorders.platform.services.staff_messages import unread_count
from workorders.platform.services.work_queue import STAFF, may_decide

MAX_ROWS = 200
SEVERITIES = ("critical", "high", "medium", "low")
EXCEPTION_STATUSES = tuple(s.value for s in ExceptionStatus)
#: the age filter: label and hours
AGES = {"24h": ("older than 24 h", 24), "3d": ("older than 3 days", 72),
        "7d": ("older than a week", 168)}
STATUS_WORDS = {"open": "Open", "resolved": "Resolved", "overridden": "Overridden",
                "resolved_by_rule": "Resolved by the rule", "pending": "Pending",
                "approved": "Approved", "rejected": "Rejected"}


def explanation(trace: Iterable[Mapping[str, Any]]) -> list[str]:
    """The trace's sentences ("Total hours 17 > 16"), the words a person reads."""
    return [str(t["text"]) for t in trace if t.get("text")]


def routed_to(actor: Actor) -> list[str]:
    """The approver values that mean "this person": their roles and their email."""
    return [f"role:{r}" for r in sorted(actor.roles)] + [f"user:{actor.email}"]


@dataclass(frozen=True)
class QueueFilters:
    """The queue's GET parameters, checked: an unknown value means "any"."""

    status: str = "open"
    severity: str = ""
    code: str = ""
    case_type: str = ""
    assignee: str = ""  # "" | me | unassigned | role:<r> | <email>
    age: str = ""
    case_id: int | None = None
    q: str = ""

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> QueueFilters:
        status = args.get("status", "open")
        case_id = args.get("case", "")
        return cls(
            status=status if status in (*EXCEPTION_STATUSES, "all") else "open",
            severity=args.get("severity", "") if args.get("severity") in SEVERITIES else "",
            code=args.get("code", "").strip()[:80],
            case_type=args.get("case_type", "").strip()[:63],
            assignee=args.get("assignee", "").strip().lower()[:260],
            age=args.get("age", "") if args.get("age") in AGES else "",
            case_id=id_in_text(case_id), q=args.get("q", "").strip()[:100])

    @property
    def narrowed(self) -> bool:
        return self != QueueFilters()


@dataclass
class ExceptionRow:
    item: CaseException
    case_number: str
    case_title: str
    case_type: str
    sentences: list[str]
    assignee: str | None
    assignee_name: str | None


def _wanted(filters: QueueFilters, code: str) -> ExceptionFilter:
    return ExceptionFilter(
        status=None if filters.status == "all" else filters.status, severity=filters.severity,
        code=code, case_type=filters.case_type, assignee=filters.assignee,
        older_than_hours=AGES[filters.age][1] if filters.age else None, case_id=filters.case_id,
        q=filters.q)


def code_counts(actor: Actor, filters: QueueFilters) -> list[tuple[str, int]]:
    """How many exceptions each code has under every filter but the code itself:
    the chips that narrow the list to one code say how many they will show."""
    sub = filtered_exceptions(actor, _wanted(filters, "")).subquery()
    return [(str(code), int(n)) for code, n in db.session.execute(
        select(sub.c.code, func.count()).group_by(sub.c.code).order_by(sub.c.code)).all()]


def exception_rows(actor: Actor, filters: QueueFilters,
                   names: Mapping[str, str]) -> list[ExceptionRow]:
    """Most severe first, then longest waiting: what to work on next is on top."""
    stmt = filtered_exceptions(actor, _wanted(filters, filters.code)).add_columns(
        Case.number, Case.title, Case.case_type)
    rank = sql_case({s: n for n, s in enumerate(SEVERITIES)}, value=CaseException.severity,
                    else_=len(SEVERITIES))
    stmt = stmt.order_by(rank, CaseException.created_at, CaseException.id).limit(MAX_ROWS)
    rows = []
    for item, number, title, case_type in db.session.execute(stmt).all():
        email = item.assignee.email if item.assignee else None
        rows.append(ExceptionRow(item, number, title, case_type, explanation(item.trace),
                                 email, names.get(email, email) if email else None))
    return rows


def exception_codes(actor: Actor) -> list[str]:
    """Codes this tenant has seen, for the code filter."""
    return list(db.session.execute(
        select(CaseException.code).where(CaseException.tenant_id == actor.tenant_id)
        .distinct().order_by(CaseException.code)).scalars())


@dataclass
class ApprovalRow:
    item: Approval
    case_number: str
    case_title: str
    sentences: list[str]
    may_decide: bool
    #: the exception a rejection raised for the coordinators
    raised: CaseException | None = None


def _approval_rows(actor: Actor, stmt: Any) -> list[ApprovalRow]:
    rows = [ApprovalRow(a, number, title, explanation(a.trace), may_decide(actor, a))
            for a, number, title in db.session.execute(stmt).all()]
    rejected = {f"approval:{r.item.id}": r for r in rows
                if r.item.status == ApprovalStatus.REJECTED.value}
    if rejected:
        for exc in db.session.execute(select(CaseException).where(
                CaseException.tenant_id == actor.tenant_id,
                CaseException.scope.in_(sorted(rejected)))).scalars():
            rejected[exc.scope].raised = exc
    return rows


def _approval_search(q: str) -> Any:
    escaped = q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return or_(*(func.lower(column).like(f"%{escaped}%", escape="\\") for column in (
        Case.number, Case.title, Case.customer_name, Approval.reason)))


def inbox_rows(actor: Actor, include_decided: bool, q: str = "") -> list[ApprovalRow]:
    """Routed to me: pending first (longest waiting on top), then decided, newest first."""
    base = (select(Approval, Case.number, Case.title).join(Case, Case.id == Approval.case_id)
            .where(Approval.tenant_id == actor.tenant_id,
                   Approval.approver.in_(routed_to(actor))))
    if q.strip():
        base = base.where(_approval_search(q.strip()))
    pending = base.where(Approval.status == ApprovalStatus.PENDING.value).order_by(
        Approval.created_at, Approval.id).limit(MAX_ROWS)
    rows = _approval_rows(actor, pending)
    if include_decided:
        decided = base.where(Approval.status != ApprovalStatus.PENDING.value).order_by(
            Approval.decided_at.desc(), Approval.id.desc()).limit(MAX_ROWS)
        rows += _approval_rows(actor, decided)
    return rows


@dataclass
class CustomerAsk:
    """A pending approval the customer decides on a signed link: staff see whom
    it asked and when the link went out, and cannot decide it for them."""

    item: Approval
    case_number: str
    case_title: str
    customer_name: str
    customer_email: str
    link_sent_at: Any  # datetime | None: None while the email has not gone out
    link_status: str


def customer_asks(actor: Actor, q: str = "") -> list[CustomerAsk]:
    """Pending customer approvals of the tenant, longest waiting first (staff only)."""
    if not actor.has_any(*STAFF):
        return []
    stmt = (select(Approval, Case).join(Case, Case.id == Approval.case_id)
            .where(Approval.tenant_id == actor.tenant_id, Approval.approver == "customer",
                   Approval.status == ApprovalStatus.PENDING.value)
            .order_by(Approval.created_at, Approval.id).limit(MAX_ROWS))
    if q.strip():
        stmt = stmt.where(_approval_search(q.strip()))
    found = db.session.execute(stmt).all()
    keys = [f"approval:{a.id}" for a, _ in found]
    links = {n.source: n for n in db.session.execute(select(Notification).where(
        Notification.tenant_id == actor.tenant_id, Notification.source.in_(keys),
        Notification.audience == "customer")).scalars()} if keys else {}
    asks = []
    for approval, case in found:
        link = links.get(f"approval:{approval.id}")  # the email with the link (message log)
        customer = case.customer or {}
        asks.append(CustomerAsk(approval, case.number, case.title,
                                str(customer.get("name") or case.customer_name or ""),
                                str(customer.get("email") or ""),
                                link.sent_at if link is not None else None,
                                link.status if link is not None else "none"))
    return asks


@dataclass(frozen=True)
class WorkCounts:
    open_exceptions: int | None  # None: not a coordinator or admin
    my_approvals: int
    #: the person's unread in-app messages in this tenant (the bell)
    unread_messages: int = 0


def work_counts(actor: Actor) -> WorkCounts | None:
    """The nav badges. None when the counts cannot be read (an error page after a
    failed transaction must still render), so the nav shows no badge then."""
    try:
        exceptions = None
        if actor.has_any(*STAFF):
            exceptions = int(db.session.execute(select(func.count(CaseException.id)).where(
                CaseException.tenant_id == actor.tenant_id,
                CaseException.status == ExceptionStatus.OPEN.value)).scalar_one())
        approvals = int(db.session.execute(select(func.count(Approval.id)).where(
            Approval.tenant_id == actor.tenant_id,
            Approval.status == ApprovalStatus.PENDING.value,
            Approval.approver.in_(routed_to(actor)))).scalar_one())
        unread = unread_count(actor)
    except SQLAlchemyError:
        return None
    return WorkCounts(exceptions, approvals, unread)
