"""Booking cases from a CSV file exported by another tool.

Columns are documented in docs/cases.md. Every row is checked and booked on
its own (one transaction each), so one bad row never blocks the good ones; the
report names each bad row by its line in the file. The file's SHA-256 plus the
row number is recorded with each case it created, in the same transaction, so
importing the same file again creates nothing new. Progress is written to the
import record every few rows for people watching a large file.

A time written without a UTC offset (``2026-12-01 08:00``, as spreadsheets
write it) is read in the tenant's time zone (its published bundle's
``timezone``), the clock its people book by, unless the upload names another
zone; never silently as UTC, which put every such booking an hour or two off.
"""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from workorders.errors import ValidationFailed, WorkordersError
from workorders.platform.actor import Actor
from workorders.platform.extensions import db
from workorders.platform.models import Case, CaseImport, ImportedRow
from workorders.platform.models.types import utcnow
from workorders.platform.services.cases import BOOKERS, book_case
from workorders.platform.services.unit_of_work import transaction

MAX_ROWS = 10_000
PROGRESS_EVERY = 25
CUSTOMER_COLUMNS = ("name", "email", "phone", "erp_id", "org_number", "vat_id", "peppol_id",
                    "reference")
ADDRESS_COLUMNS = ("street", "city", "postal_code", "country")
SITE_COLUMNS = ("name", "street", "city", "postal_code", "country", "access_notes")
COLUMNS = ("case_type", "title", *(f"customer_{c}" for c in CUSTOMER_COLUMNS),
           *(f"customer_{c}" for c in ADDRESS_COLUMNS), *(f"site_{c}" for c in SITE_COLUMNS),
           "scheduled_start", "scheduled_end", "assignee")


def decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationFailed("the file is not UTF-8 text", [{
            "path": "/file", "message": f"byte {exc.start} is not UTF-8; save the file as "
                                        "'CSV UTF-8' and import it again"}]) from None


def read_rows(text: str) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise ValidationFailed("the file is empty", [{"path": "/file",
                                                      "message": "no header row"}]) from None
    unknown = [h for h in header if h and h not in COLUMNS and not h.startswith("field:")]
    missing = [c for c in ("case_type", "title", "customer_name") if c not in header]
    if unknown or missing:
        raise ValidationFailed("the header row does not fit", [{
            "path": "/file", "message": (f"unknown columns: {', '.join(unknown)}; " if unknown
                                         else "") + (f"missing columns: {', '.join(missing)}"
                                                     if missing else "")}])
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue
            if len(rows) >= MAX_ROWS:
                raise ValidationFailed("too many rows", [{
                    "path": "/file", "message": f"import at most {MAX_ROWS} rows per file"}])
            rows.append((reader.line_num, dict(zip(header, (c.strip() for c in cells),
                                                   strict=False))))
    except csv.Error as exc:
        raise ValidationFailed("the file is not valid CSV", [{
            "path": "/file", "message": f"line {reader.line_num}: {exc}"}]) from None
    return header, rows


def _when(value: str, zone: ZoneInfo) -> str | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(f"'{value}' is not a date and time like 2026-11-26 08:00",
                               []) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    return parsed.isoformat()


def booking_from_row(row: dict[str, str], zone: ZoneInfo) -> dict[str, Any]:
    customer: dict[str, Any] = {c: row.get(f"customer_{c}", "") for c in CUSTOMER_COLUMNS}
    customer["address"] = {c: row.get(f"customer_{c}", "") for c in ADDRESS_COLUMNS}
    return {
        "case_type": row.get("case_type", ""), "title": row.get("title", ""),
        "customer": customer, "site": {c: row.get(f"site_{c}", "") for c in SITE_COLUMNS},
        "scheduled_start": _when(row.get("scheduled_start", ""), zone),
        "scheduled_end": _when(row.get("scheduled_end", ""), zone),
        "assignee": row.get("assignee") or None,
        "fields": {k.removeprefix("field:"): v for k, v in row.items()
                   if k.startswith("field:") and v != ""},
    }


def _reason(exc: WorkordersError) -> str:
    details = [f"{e.get('path', '')}: {e.get('message', '')}".lstrip(": ")
               for e in getattr(exc, "errors", []) or []]
    return "; ".join(details) or exc.message


def import_zone(actor: Actor, timezone: str | None) -> str:
    """The zone times without an offset are read in: the one the upload names,
    else the tenant's (its published bundle's ``timezone``, the platform's
    default zone when it names none)."""
    if timezone:
        return timezone
    from workorders.definitions.formatting import Formatting, formatting_of
    from workorders.platform.services.definitions import bundle_of, current_version

    version = current_version(actor.tenant_id)
    fmt = formatting_of(bundle_of(version)) if version is not None else Formatting()
    return fmt.zone.key


def import_cases(actor: Actor, raw: bytes, filename: str,
                 timezone: str | None = None) -> CaseImport:
    from workorders.platform.services.case_input import BOOKING_SCHEMA
    from workorders.platform.services.json_input import validate

    if not actor.has_any(*BOOKERS):
        from workorders.errors import Forbidden

        raise Forbidden("importing cases needs the coordinator or admin role")
    timezone = import_zone(actor, timezone)
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationFailed("unknown time zone", [{
            "path": "/timezone", "message": f"'{timezone}' is not an IANA time zone"}]) from None
    _header, rows = read_rows(decode(raw))
    sha = hashlib.sha256(raw).hexdigest()
    with transaction() as session:
        record = CaseImport(tenant_id=actor.tenant_id, file_sha256=sha, filename=filename[:255],
                            total_rows=len(rows), author=actor.email)
        session.add(record)
    done = _already_imported(actor.tenant_id, sha)
    errors: list[dict[str, Any]] = []
    created = skipped = 0
    for count, (line, row) in enumerate(rows, start=1):
        if line in done:
            skipped += 1
        else:
            try:
                booking = booking_from_row(row, zone)
                validate(booking, BOOKING_SCHEMA)
                book_case(actor, booking, also=_remember(actor.tenant_id, sha, line))
                created += 1
            except IntegrityError:
                db.session.rollback()
                skipped += 1  # a parallel import of the same file took this row
            except WorkordersError as exc:
                errors.append({"row": line, "message": _reason(exc)})
        if count % PROGRESS_EVERY == 0 or count == len(rows):
            _progress(record.id, count, created, skipped, errors, finished=count == len(rows))
    if not rows:
        _progress(record.id, 0, 0, 0, [], finished=True)
    return db.session.get(CaseImport, record.id) or record


def _already_imported(tenant_id: int, sha: str) -> set[int]:
    return set(db.session.execute(select(ImportedRow.row).where(
        ImportedRow.tenant_id == tenant_id, ImportedRow.file_sha256 == sha)).scalars())


def _remember(tenant_id: int, sha: str, line: int) -> Any:
    def also(session: Session, case: Case) -> None:
        session.add(ImportedRow(tenant_id=tenant_id, file_sha256=sha, row=line, case_id=case.id))

    return also


def _progress(import_id: int, processed: int, created: int, skipped: int,
              errors: list[dict[str, Any]], *, finished: bool) -> None:
    with transaction() as session:
        record = session.get(CaseImport, import_id)
        if record is None:  # pragma: no cover
            return
        record.processed_rows, record.created, record.skipped = processed, created, skipped
        record.errors = list(errors)
        if finished:
            record.status = "finished"
            record.finished_at = utcnow()
