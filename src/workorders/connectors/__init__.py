"""Invoice-ready document -> ERP payloads -> delivery (pure core: no web, database or queue).

Public API::

    build_document(*, kind, number, issue_date, currency, seller, buyer, case, lines, ...)
        -> InvoiceDocument                      # amounts, VAT breakdown, totals computed
    to_json_dict(doc) -> dict / from_json_dict(data) -> InvoiceDocument
    document_schema() -> dict                   # docs/invoice-document.schema.json
    FORMATS; render_payload(format_id, doc, options, template_context) -> Payload
    required_fields(format_id, options) -> list[Requirement]
    missing_requirements(format_id, options, doc_or_partial) -> list[Requirement]
    transports: deliver_http(...), deliver_file(...) -> DeliveryResult (see .transports)

See docs/connectors.md for the formats, their requirements and the transports.
"""

from __future__ import annotations

from .build import LineInput, build_document
from .document import (
    SCHEMA_VERSION,
    Address,
    Approval,
    Attachment,
    CaseRef,
    InvoiceDocument,
    Line,
    LineSource,
    Party,
    Payment,
    Totals,
    VatSubtotal,
)
from .errors import (
    ConnectorError,
    DestinationRefused,
    DocumentError,
    EncodingProblem,
    MissingData,
    OptionError,
    UnknownFormat,
)
from .formats import (
    FORMATS,
    Format,
    Payload,
    Requirement,
    get_format,
    missing_requirements,
    render_payload,
    required_fields,
)
from .from_bundle import seller_party, seller_payment
from .schema import document_schema
from .serialize import from_json_dict, to_json_dict

__all__ = [
    "FORMATS", "SCHEMA_VERSION", "Address", "Approval", "Attachment", "CaseRef",
    "ConnectorError", "DestinationRefused", "DocumentError", "EncodingProblem", "Format",
    "InvoiceDocument", "Line", "LineInput", "LineSource", "MissingData", "OptionError",
    "Party", "Payload", "Payment", "Requirement", "Totals", "UnknownFormat", "VatSubtotal",
    "build_document", "document_schema", "from_json_dict", "get_format",
    "missing_requirements", "render_payload", "required_fields", "seller_party",
    "seller_payment", "to_json_dict",
]
