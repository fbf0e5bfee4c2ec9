"""JSON pointers in words: ``/time/0/hours`` reads "Time, row 1: Hours".

Errors, warnings, blockers and history entries are located by JSON pointers
into the submitted data (one shape for the API and the browser). A person never
reads a pointer (issue 15, "Words, not ids"): every page, the API's human
``message`` and the customer pages name the place by the form definition's own
labels. This is the one function that does it, so the form page, the case
page, the timeline, the queue and the API cannot word the same place twice.

An unknown pointer (a field removed from a newer definition, a key no form
has) still reads as words ("Old field, row 2: Hours"), never as the raw pointer.

Pure: only the frozen definition model; no Flask, no database.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from .model import Field, Form
from .problems import split_pointer

__all__ = ["PART_LABELS", "pointer_words", "with_place"]

#: the keys inside a time entry, a material line, a signature or an approval, as
#: the form page labels them
PART_LABELS: dict[str, str] = {
    "date": "Date", "hours": "Hours", "start": "Start", "end": "End", "labor": "Work type",
    "technician": "Technician", "billable": "Not billable", "note": "Note",
    "article": "Article", "quantity": "Quantity", "unit": "Unit", "unit_price": "Unit price",
    "description": "Description", "name": "Name", "signed_at": "Signed at",
    "decision": "Decision", "timestamp": "Time", "image": "Signature",
}
#: the containers the platform puts around a form's data or a case's fields
_ROOTS: dict[str, str] = {"data": "", "fields": "", "customer": "Customer", "site": "Site"}
_ROOT_KEYS: dict[str, str] = {
    "title": "Title", "assignee": "Assignee", "scheduled_start": "Scheduled start",
    "scheduled_end": "Scheduled end", "status": "Status", "comment": "Comment",
    "reason": "Reason", "form": "Form", "kind": "Kind of report", "email": "Email",
    "phone": "Phone", "erp_id": "ERP id", "org_number": "Org number", "vat_id": "VAT id",
    "address": "Address", "street": "Street", "city": "City", "postal_code": "Postal code",
    "country": "Country", "access_notes": "Access notes", "version": "Version",
}


def _readable(token: str) -> str:
    """An id as words: ``follow_up_needed`` → "Follow up needed"."""
    text = token.replace("_", " ").replace("-", " ").strip()
    return text[:1].upper() + text[1:] if text else "Value"


def _find(fields: Iterable[Field], field_id: str) -> Field | None:
    return next((f for f in fields if f.id == field_id), None)


def pointer_words(path: str, form: Form | None = None,
                  case_fields: Sequence[Field] = ()) -> str:
    """The place a pointer names, in the definition's labels.

    ``path`` may be relative to the form's data (``/time/0/hours``), carry the
    API's ``/data`` prefix, or point at a case field (``/fields/meter_id``) or
    a booking key (``/customer/email``). Rows count from 1 ("row 1"), the way a
    person counts them. The whole form (``""``) reads "The form".
    """
    tokens = split_pointer(path) if path.startswith("/") else [t for t in path.split("/") if t]
    if not tokens:
        return "The form" if form is not None else "The request"
    fields: Sequence[Field] = form.fields if form is not None else ()
    head = tokens[0]
    prefix = ""
    if head in _ROOTS and len(tokens) > 1:
        prefix = _ROOTS[head]
        if head == "fields":
            fields = case_fields
        elif head != "data":
            fields = ()
        tokens = tokens[1:]
    elif head in _ROOT_KEYS and (form is None or form.field(head) is None) \
            and _find(case_fields, head) is None:
        return ", ".join([_ROOT_KEYS[head], *(_part(t) for t in tokens[1:])])
    found = _find(fields, tokens[0])
    name = found.label if found is not None else _part(tokens[0])
    parts = [f"{prefix} {name[:1].lower()}{name[1:]}" if prefix else name]
    rows = found is not None and found.type in ("time_entries", "material_lines")
    for i, token in enumerate(tokens[1:], start=1):
        if token.isdigit():  # a row of lines, or an entry of a plain list ("Roles, item 2")
            noun = "row" if rows or i + 1 < len(tokens) else "item"
            parts.append(f"{noun} {int(token) + 1}")
        else:
            parts.append(_part(token))
    if len(parts) == 1:
        return parts[0]
    return f"{', '.join(parts[:-1])}: {parts[-1]}" if not tokens[-1].isdigit() \
        else ", ".join(parts)


def _part(token: str) -> str:
    return PART_LABELS.get(token) or _ROOT_KEYS.get(token) or _readable(token)


def with_place(path: str, message: str, form: Form | None = None,
               case_fields: Sequence[Field] = ()) -> str:
    """``"Time, row 1: Hours — Must be at most 24."``, for a message shown away
    from its input (the top of a page, the API's ``message``, the case page's
    blockers). A message that already starts with the place is left alone."""
    place = pointer_words(path, form, case_fields)
    if not path.strip("/") or message.startswith(place):
        return message
    return f"{place} — {message}"
