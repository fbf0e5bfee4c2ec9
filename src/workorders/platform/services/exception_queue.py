"""Which exceptions a filter selects, for the API's list and the exceptions page
alike: two copies of this query had drifted until "assigned to me" meant one thing
in the API and another on the page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import Select, func, or_, select

from workorders.platform.actor import Actor
from workorders.platform.models import Case, CaseException, User
from workorders.platform.models.types import utcnow


@dataclass(frozen=True)
class ExceptionFilter:
    status: str | None = "open"  # None: any status
    severity: str = ""
    code: str = ""
    case_type: str = ""
    #: "" (anyone) | "me" (names me) | "unassigned" (no person yet) | "role:<r>" | an email
    assignee: str = ""
    older_than_hours: int | None = None
    case_id: int | None = None
    #: words to find in the case number, title or customer, the message or the code
    q: str = ""


def _search_clause(q: str) -> Any:
    escaped = q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    like = f"%{escaped}%"
    return or_(*(func.lower(column).like(like, escape="\\") for column in (
        Case.number, Case.title, Case.customer_name, CaseException.message,
        CaseException.code)))


def _assignee_clause(actor: Actor, who: str) -> Any:
    if who == "me":
        return CaseException.assignee_id == actor.user_id
    if who == "unassigned":
        return CaseException.assignee_id.is_(None)
    if who.startswith("role:"):
        return CaseException.assign_role == who.removeprefix("role:")
    return CaseException.assignee_id == select(User.id).where(
        User.email == who.lower()).scalar_subquery()


def filtered_exceptions(actor: Actor, wanted: ExceptionFilter) -> Select[Any]:
    """The actor's tenant's exceptions that match, joined to their case (callers
    add columns, order and limit)."""
    stmt = (select(CaseException).join(Case, Case.id == CaseException.case_id)
            .where(CaseException.tenant_id == actor.tenant_id))
    if wanted.status is not None:
        stmt = stmt.where(CaseException.status == wanted.status)
    if wanted.severity:
        stmt = stmt.where(CaseException.severity == wanted.severity)
    if wanted.code:
        stmt = stmt.where(CaseException.code == wanted.code)
    if wanted.case_type:
        stmt = stmt.where(Case.case_type == wanted.case_type)
    if wanted.case_id is not None:
        stmt = stmt.where(CaseException.case_id == wanted.case_id)
    if wanted.assignee:
        stmt = stmt.where(_assignee_clause(actor, wanted.assignee))
    if wanted.older_than_hours is not None:
        stmt = stmt.where(CaseException.created_at
                          < utcnow() - timedelta(hours=wanted.older_than_hours))
    if wanted.q.strip():
        stmt = stmt.where(_search_clause(wanted.q.strip()))
    return stmt
