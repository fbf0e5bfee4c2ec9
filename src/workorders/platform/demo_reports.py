"""Field reports for demo cases, so the demo also shows cases whose work is done,
released and invoiced.

A report starts from the bundle's own golden-test data for that form when there
is some (realistic values the admin wrote), fills what is still required with
plain values by field type, attaches a generated photo and signature, and is
submitted through the same service as the API. A report that does not validate
is not forced: that case simply stops in the state before.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from typing import Any

from PIL import Image, ImageDraw

from workorders.definitions.model import Bundle, Field, Form
from workorders.errors import WorkordersError
from workorders.platform.auth import Actor
from workorders.platform.services.attachments import add_attachment
from workorders.platform.services.submissions import submit_form

#: values tried against a field's pattern (serial numbers, codes, references)
PATTERN_CANDIDATES = ("F2120-004217", "SN12345678", "E101", "AB123", "123456", "H0203",
                      "ABC-123", "PO-1001", "2026-001")


def _image(text: str, size: tuple[int, int]) -> bytes:
    img = Image.new("RGB", size, (236, 242, 250))
    ImageDraw.Draw(img).text((12, size[1] // 2 - 6), text, fill=(20, 40, 90))
    out = io.BytesIO()
    img.save(out, format="PNG" if size[1] < 200 else "JPEG")
    return out.getvalue()


def _golden_data(bundle: Bundle, form_id: str) -> dict[str, Any]:
    for test in bundle.tests:
        submit = test.submit or {}
        if submit.get("form") == form_id and isinstance(submit.get("data"), dict):
            return {k: v for k, v in dict(submit["data"]).items()
                    if not isinstance(v, list) or k != "photos"}
    return {}


def _value(f: Field, bundle: Bundle, photo: str, signature: str, today: str) -> Any:
    kind = f.type
    if f.default is not None:
        return f.default
    if kind in ("text", "textarea"):
        if not f.pattern:
            return f"Demo: {f.label}"
        return next((c for c in PATTERN_CANDIDATES if re.fullmatch(f.pattern, c)), None)
    if kind in ("integer", "decimal", "money"):
        low = f.min if f.min is not None else 1
        return int(low) if kind == "integer" else str(low)
    if kind == "boolean":
        return True
    if kind == "date":
        return today
    if kind == "datetime":
        return datetime.now(UTC).replace(microsecond=0).isoformat()
    if kind == "choice":
        return [f.options[0].value] if f.multiple else f.options[0].value if f.options else None
    if kind == "photos":
        return [photo]
    if kind == "signature":
        return {"image": signature, "name": "Demo Customer"}
    if kind == "time_entries":
        labor = f.labor[0] if f.labor else bundle.catalog.labor[0].code
        return [{"date": today, "hours": "2", "labor": labor}]
    if kind == "material_lines":
        return [{"article": bundle.catalog.articles[0].number, "quantity": "1"}] \
            if bundle.catalog.articles else None
    if kind == "approval":
        return {"name": "Demo Customer", "decision": "approved"}
    return None


def report_data(form: Form, bundle: Bundle, photo: str, signature: str) -> dict[str, Any]:
    today = datetime.now(UTC).date().isoformat()
    data = _golden_data(bundle, form.id)
    for f in form.fields:
        if f.id not in data and (f.type in ("photos", "signature") or f.required
                                 or f.type in ("time_entries", "boolean")):
            value = _value(f, bundle, photo, signature, today)
            if value is not None:
                data[f.id] = value
    for f in form.fields:  # a signature names its signer where the form asks for it
        if f.required_if is not None and f.id not in data and f.type in ("text", "textarea"):
            data[f.id] = "Demo Customer"
    return data


def submit_reports(actor: Actor, case_id: int, bundle: Bundle, forms: tuple[str, ...]) -> bool:
    """Final reports for ``forms``; False when one does not validate."""
    photo = add_attachment(actor, case_id, _image("site photo", (320, 240)), "photo.jpg").id
    signature = add_attachment(actor, case_id, _image("signed", (300, 100)), "sign.png").id
    for form_id in forms:
        form = bundle.form(form_id)
        if form is None:
            return False
        try:
            submit_form(actor, case_id, form_id, report_data(form, bundle, photo, signature),
                        draft=False)
        except WorkordersError:
            return False
    return True
