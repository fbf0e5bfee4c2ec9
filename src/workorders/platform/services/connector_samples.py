"""What a connector of a version would send, shown before anything is sent.

For the editor's connectors panel and ``GET /definitions/{n}/connectors/{id}/sample``:
the payload the connector's format renders for a real case of the tenant (the
one asked for, else the most recent one that is ready for invoicing under this
version), or for a made-up case when there is none, with the data the format
still lacks (the same requirements readiness lists before an export, e.g.
Peppol's). Nothing is numbered, stored or delivered: the document is built by
the same code an export uses (``invoice_document``, ``render_payload``), with
the sample number ``SAMPLE``.

A real case is seen through the version being edited (its connector options,
seller and catalog), as the simulation sees cases, because that is what the
version would send once published.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from workorders.connectors import Address as PartyAddress
from workorders.connectors import (
    CaseRef,
    ConnectorError,
    InvoiceDocument,
    LineInput,
    Party,
    build_document,
    missing_requirements,
    render_payload,
    seller_party,
    seller_payment,
)
from workorders.definitions.model import Bundle, CaseType, Connector
from workorders.errors import Conflict, NotFound
from workorders.platform.actor import Actor
from workorders.platform.database import get_for_tenant
from workorders.platform.extensions import db
from workorders.platform.models import Case
from workorders.platform.models.types import utcnow
from workorders.platform.services.case_context import LoadedCase
from workorders.platform.services.definitions import bundle_of, get_version
from workorders.platform.services.invoice_document import invoice_document, template_context
from workorders.platform.services.readiness import invoice_blockers, partial_document

SAMPLE_NUMBER = "SAMPLE"
#: recent cases looked at for one that is ready for invoicing
RECENT_CASES = 25
#: the buyer of a made-up case: every field a format may ask for is filled in
SAMPLE_BUYER = Party(name="Example Customer AB", erp_id="C-0001", org_number="5560000000",
                     vat_id="SE556000000001", peppol_id="0007:5560000000",
                     email="invoices@customer.example", phone="+46 70 000 00 00",
                     address=PartyAddress(street="Exempelgatan 1", city="Umeå",
                                          postal_code="90325", country="SE"))
SAMPLE_CUSTOMER: dict[str, Any] = {
    "name": SAMPLE_BUYER.name, "erp_id": SAMPLE_BUYER.erp_id,
    "org_number": SAMPLE_BUYER.org_number, "vat_id": SAMPLE_BUYER.vat_id,
    "peppol_id": SAMPLE_BUYER.peppol_id, "email": SAMPLE_BUYER.email,
    "phone": SAMPLE_BUYER.phone,
    "address": {"street": "Exempelgatan 1", "city": "Umeå", "postal_code": "90325",
                "country": "SE"}}


def _connector(bundle: Bundle, number: int, connector_id: str) -> Connector:
    connector = bundle.connector(connector_id)
    if connector is None:
        raise NotFound(f"version {number} has no connector '{connector_id}'")
    return connector


def _view(case: Case, bundle: Bundle) -> LoadedCase | None:
    """The case as version ``bundle`` sees it (None when it lacks the case type)."""
    case_type = bundle.case_type(case.case_type)
    return LoadedCase(case, bundle, case_type) if case_type is not None else None


def _ready_case(tenant_id: int, bundle: Bundle) -> LoadedCase | None:
    """The most recently changed case that is ready for invoicing under ``bundle``."""
    recent = db.session.execute(select(Case).where(Case.tenant_id == tenant_id)
                                .order_by(Case.updated_at.desc(), Case.id.desc())
                                .limit(RECENT_CASES)).scalars()
    for case in recent:
        view = _view(case, bundle)
        if view is not None and not invoice_blockers(view):
            return view
    return None


def _sample_lines(bundle: Bundle) -> list[LineInput]:
    """A labour line and a material line from the catalog (whatever it has)."""
    lines = []
    if bundle.catalog.labor:
        lab = bundle.catalog.labor[0]
        lines.append(LineInput(kind="labor", description=lab.name, quantity=Decimal("2"),
                               unit_code=lab.unit, unit_price=lab.price, vat_category=lab.vat,
                               vat_rate=bundle.vat_rate(lab.vat) or Decimal("0"),
                               article_number=lab.code, technician="Preview technician"))
    if bundle.catalog.articles:
        art = bundle.catalog.articles[0]
        lines.append(LineInput(kind="material", description=art.name, quantity=Decimal("1"),
                               unit_code=art.unit, unit_price=art.price, vat_category=art.vat,
                               vat_rate=bundle.vat_rate(art.vat) or Decimal("0"),
                               article_number=art.number))
    return lines


def _made_up(bundle: Bundle, case_type: CaseType, today: dt.date) -> InvoiceDocument:
    if bundle.seller is None:
        raise Conflict("the definition has no seller: add one before invoicing")
    lines = _sample_lines(bundle)
    if not lines:
        raise Conflict("the catalog has no labour or articles to put on an invoice")
    number = f"{case_type.number_prefix}-SAMPLE-00001"
    return build_document(
        kind="invoice", number=SAMPLE_NUMBER, issue_date=today, currency=bundle.currency,
        locale=bundle.locale, seller=seller_party(bundle.seller),
        payment=seller_payment(bundle.seller), buyer=SAMPLE_BUYER,
        case=CaseRef(number=number, id="0", case_type=case_type.id, title="A made-up case",
                     customer_reference="Preview"),
        lines=lines, delivery_date=today)


def _made_up_context(bundle: Bundle, case_type: CaseType) -> dict[str, Any]:
    """Connector option templates of a made-up case see the same names a real one does."""
    from workorders.rules.facts_doc import build_fact_document
    from workorders.rules.render import template_context as rules_context

    case = {"type": case_type.id, "status": case_type.lifecycle.initial,
            "number": f"{case_type.number_prefix}-SAMPLE-00001",
            "customer": SAMPLE_CUSTOMER, "site": {}, "fields": {},
            "assignee": {"email": None, "name": "Preview technician"}}
    document = build_fact_document(case=case, form_id=None, form_data=None, totals=None,
                                   submission_kind=None, actor={"role": "system"})
    return rules_context(document, bundle, case_type.id)


def _render(connector: Connector, doc: InvoiceDocument,
            context: dict[str, Any]) -> dict[str, Any]:
    missing = [r.message for r in missing_requirements(connector.format, connector.options,
                                                       doc)]
    if missing:
        return {"payload": None, "content_type": None, "problems": missing}
    try:
        payload = render_payload(connector.format, doc, connector.options, context)
    except ConnectorError as exc:
        return {"payload": None, "content_type": None, "problems": [exc.message]}
    return {"payload": payload.body.decode("utf-8", errors="replace"),
            "content_type": payload.content_type, "problems": []}


def connector_sample(actor: Actor, number: int, connector_id: str,
                     case_id: int | None = None) -> dict[str, Any]:
    """``{version, connector, format, case: {id, number, made_up}, payload,
    content_type, problems, blockers, ready}``: ``problems`` lists what the format
    still needs to render (``ready`` is true when there are none), ``blockers`` why
    the real case is not ready for invoicing under this version (readiness's words;
    a sample is rendered anyway). Another tenant's case is a 404."""
    version = get_version(actor.tenant_id, number)
    bundle = bundle_of(version)
    connector = _connector(bundle, number, connector_id)
    today = utcnow().date()
    view: LoadedCase | None
    if case_id is not None:
        case = get_for_tenant(Case, case_id, actor.tenant_id)
        view = _view(case, bundle)
        if view is None:
            raise Conflict(f"version {number} has no case type '{case.case_type}', so it "
                           f"cannot invoice case {case.number}")
    else:
        view = _ready_case(actor.tenant_id, bundle)
    out: dict[str, Any] = {"version": number, "connector": connector.id,
                           "format": connector.format, "blockers": []}
    if view is not None:
        out["case"] = {"id": view.case.id, "number": view.case.number, "made_up": False}
        out["blockers"] = [b.reason for b in invoice_blockers(view)]
        try:
            doc = invoice_document(view, number=SAMPLE_NUMBER, issue_date=today)
        except Conflict as exc:  # nothing billable yet, or no seller
            # still name what the format will need, from what the case already says
            needed = missing_requirements(connector.format, connector.options,
                                          partial_document(view))
            out.update(payload=None, content_type=None, ready=False,
                       problems=[exc.message, *(r.message for r in needed)])
            return out
        context = template_context(view)
    else:
        case_type = bundle.case_types[0]
        doc = _made_up(bundle, case_type, today)
        out["case"] = {"id": None, "number": doc.case.number, "made_up": True}
        context = _made_up_context(bundle, case_type)
    out.update(_render(connector, doc, context))
    out["ready"] = not out["problems"]
    return out
