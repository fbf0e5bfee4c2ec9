"""Known customers of a tenant, for the booking form's lookup: read from the
cases already booked (there is no customer register), most recent details first."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, or_, select

from workorders.platform.actor import Actor
from workorders.platform.extensions import db
from workorders.platform.models import Case

MIN_QUERY = 2
LIMIT = 20
#: how many recent matching cases are read to find ``LIMIT`` distinct customers
_SCAN = 400


def _key(customer: dict[str, Any]) -> str:
    """One customer is one ERP id, or else one name and email."""
    erp = str(customer.get("erp_id") or "").strip().lower()
    if erp:
        return "erp:" + erp
    return "name:" + str(customer.get("name") or "").strip().lower() + "|" + str(
        customer.get("email") or "").strip().lower()


def known_customers(actor: Actor, query: str) -> list[dict[str, Any]]:
    """Up to ``LIMIT`` distinct customers of this tenant whose name, email or ERP id
    contains ``query`` (at least ``MIN_QUERY`` characters), each with the details
    of its latest case. A shorter query answers nothing rather than everyone."""
    text = query.strip().lower()
    if len(text) < MIN_QUERY:
        return []
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    rows = db.session.execute(
        select(Case.customer, Case.site).where(
            Case.tenant_id == actor.tenant_id,
            or_(func.lower(Case.customer_name).like(pattern, escape="\\"),
                func.lower(func.coalesce(Case.customer["email"].as_string(), "")).like(
                    pattern, escape="\\"),
                func.lower(func.coalesce(Case.customer["erp_id"].as_string(), "")).like(
                    pattern, escape="\\")))
        .order_by(Case.created_at.desc(), Case.id.desc()).limit(_SCAN)).all()
    seen: dict[str, dict[str, Any]] = {}
    for customer, site in rows:
        customer = customer or {}
        key = _key(customer)
        if key in seen or not customer.get("name"):
            continue
        seen[key] = {"customer": customer, "site": site or {}}
        if len(seen) >= LIMIT:
            break
    return list(seen.values())
