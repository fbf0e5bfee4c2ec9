"""Browser form data without werkzeug: a dict of lists that WTForms can read.

WTForms needs only ``getlist`` and key iteration. ``encode_formdata`` writes API
data the way the generated page posts it (``time-0-hours``, ``photos-1``,
``customer_signature-name``), which lets tests and the platform drive the
browser path with the very data the API path receives.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from workorders.definitions.model import Form

from .wtforms_fields import as_text

OBJECT_TYPES = ("signature", "approval")
LINE_TYPES = ("time_entries", "material_lines")


class FormData(dict[str, list[str]]):
    """``{name: [values]}`` with the ``getlist`` WTForms reads posted values with."""

    def getlist(self, key: str) -> list[str]:
        return list(self.get(key, []))

    def add(self, key: str, value: Any) -> None:
        text = as_text(value)
        if text is not None:
            self.setdefault(key, []).append(text)

    @classmethod
    def from_pairs(cls, pairs: Iterable[tuple[str, str]]) -> FormData:
        """From (name, value) pairs as a urlencoded body or multipart form yields them."""
        data = cls()
        for key, value in pairs:
            data.add(key, value)
        return data


def _as_scalar(value: Any) -> Any:
    return value if isinstance(value, str | int | float | bool) else str(value)


def _encode_object(out: FormData, prefix: str, value: Any) -> None:
    if isinstance(value, Mapping):
        for key, sub in value.items():
            out.add(f"{prefix}-{key}", None if sub is None else _as_scalar(sub))
    else:
        out.add(prefix, _as_scalar(value))


def _encode_list(out: FormData, name: str, value: Any, objects: bool) -> None:
    if not isinstance(value, list):
        out.add(name, _as_scalar(value))
        return
    for index, item in enumerate(value):
        if objects:
            _encode_object(out, f"{name}-{index}", item)
        else:
            out.add(f"{name}-{index}", None if item is None else _as_scalar(item))


def encode_formdata(form: Form, data: Mapping[str, Any]) -> FormData:
    """API ``data`` as the generated page would post it (unknown keys as they are)."""
    out = FormData()
    for key, value in data.items():
        field = form.field(key)
        kind = field.type if field is not None else "text"
        if value is None:
            continue
        if kind in LINE_TYPES or kind == "photos":
            _encode_list(out, key, value, kind in LINE_TYPES)
        elif kind in OBJECT_TYPES:
            _encode_object(out, key, value)
        elif isinstance(value, list):
            for item in value:
                out.add(key, _as_scalar(item))
        else:
            out.add(key, _as_scalar(value))
    return out
