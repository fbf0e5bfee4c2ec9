"""What the technician page posts, turned into what the generated form reads,
and the service's answers turned back into errors beside fields.

The page adds a few names of its own (``csrf_token``, ``_action``, ``_reason``)
that are not form fields; they are taken out before the generated form sees the
data, because it rightly rejects names the definition does not know. A line
row left completely empty is dropped too: the page always offers one empty row
to type into, and an untouched row means "no line", not "a line with nothing".
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from workorders.definitions.model import Form
from workorders.forms import FormData
from workorders.forms.formdata import LINE_TYPES

#: names the page posts besides the form's own fields
PAGE_NAMES = frozenset({"csrf_token", "_action", "_reason"})
#: ``final_then``: submit, then take the step this report was the last one missing for
ACTIONS = ("draft", "final", "final_then", "correct")
#: where the page shows a correction's missing reason
REASON_PATH = "/_reason"


def _row_of(form: Form, name: str) -> tuple[str, str] | None:
    """``("time", "0")`` for ``time-0-hours`` when ``time`` is a line field."""
    parts = name.split("-")
    if len(parts) != 3 or not parts[1].isdigit():
        return None
    field = form.field(parts[0])
    return (parts[0], parts[1]) if field is not None and field.type in LINE_TYPES else None


def signer_name_fields(form: Form) -> dict[str, str]:
    """The bundle's separate "name of the person signing" fields, by the
    signature they belong to: a text field required exactly when that signature
    is present. The page asks the name once (the signature's own name) and these
    are filled from it."""
    signatures = {f.id for f in form.fields if f.type == "signature"}
    return {f.id: f.required_if.field for f in form.fields
            if f.type == "text" and f.required_if is not None
            and f.required_if.op == "present" and f.required_if.field in signatures}


def _with_signer_names(form: Form, pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    mirrors = signer_name_fields(form)
    if not mirrors:
        return pairs
    values = dict(pairs)
    out = [(k, v) for k, v in pairs if not (k in mirrors and v.strip() == "")]
    for name_field, signature in mirrors.items():
        signer = values.get(f"{signature}-name", "").strip()
        if signer and not values.get(name_field, "").strip():
            out.append((name_field, signer))
    return out


def posted_formdata(form: Form, pairs: Iterable[tuple[str, str]]) -> FormData:
    """The posted pairs the generated form should judge: page names and
    untouched rows left out, the signer's name copied where the bundle asks it
    a second time, everything else exactly as typed."""
    kept = _with_signer_names(form, [(k, v) for k, v in pairs if k not in PAGE_NAMES])
    filled: set[tuple[str, str]] = set()
    for key, value in kept:
        row = _row_of(form, key)
        if row is not None and value.strip() != "":
            filled.add(row)
    return FormData.from_pairs(
        (k, v) for k, v in kept if (row := _row_of(form, k)) is None or row in filled)


def service_errors(errors: list[dict[str, Any]]) -> list[dict[str, str]]:
    """The service's ``/data/...`` pointers as the page's field pointers."""
    out = []
    for e in errors:
        path = str(e.get("path", ""))
        out.append({"path": path[len("/data"):] if path.startswith("/data") else path,
                    "message": str(e.get("message", ""))})
    return out


def _add(target: dict[str, Any], message: str) -> None:
    if message not in target["errors"]:
        target["errors"] = [*target["errors"], message]


def _leaves(field: dict[str, Any]) -> Iterable[dict[str, Any]]:
    yield field
    for entry in field.get("entries") or ():
        yield from (entry if isinstance(entry, list) else [entry])
    yield from field.get("parts") or ()


def merge_errors(ctx: dict[str, Any], errors: list[dict[str, str]]) -> None:
    """Put errors found after the form's own checks (attachments of another
    case, a missing reason) beside the input at their pointer, or at the top of
    the page when no input has that pointer."""
    targets = {leaf["path"]: leaf for section in ctx["sections"] for field in section["fields"]
               for leaf in _leaves(field)}
    ctx.setdefault("reason_errors", [])
    for error in errors:
        target = targets.get(error["path"])
        if error["path"] == REASON_PATH:
            ctx["reason_errors"].append(error["message"])
        elif target is not None:
            _add(target, error["message"])
        elif error["message"] not in ctx["form_errors"]:
            ctx["form_errors"].append(error["message"])
