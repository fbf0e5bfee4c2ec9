"""The case page's Reports section: every form of the case with its revisions,
what changed between them, photos and signatures.

A coordinator reads a correction as "what did the technician change and why",
so each revision shows its changes against the one before, line by line for
time and material (``Time 1 · hours: 6 → 7``), rather than two whole lists.
Values are shown as people read them (Yes/No, option labels, article names),
and dates, hours, quantities and prices in the tenant's locale and time zone
through the one formatter (``definitions.formatting``, as every page):
``tors 26 nov. 2026 · 6,5 h``, never ``2026-11-26 · 6.5 h``. Everything is plain
text for the template, which escapes it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from workorders.definitions.formatting import Formatting, formatting_of
from workorders.definitions.model import Bundle, Field, Form
from workorders.definitions.problems import pointer
from workorders.forms.formdata import LINE_TYPES
from workorders.forms.words import pointer_words
from workorders.platform.auth import Actor
from workorders.platform.models import Submission
from workorders.platform.services.case_context import LoadedCase
from workorders.platform.services.submissions import (
    FINAL_KINDS,
    changed_fields,
    list_submissions,
)

KIND_WORDS = {"draft": "Draft", "final": "Submitted", "correction": "Correction"}
NONE = "—"


@dataclass
class Change:
    label: str
    before: str
    after: str


@dataclass
class Revision:
    id: int
    number: int
    kind: str
    kind_label: str
    author: str
    at: datetime
    reason: str | None
    changes: list[Change]


@dataclass
class Signature:
    label: str
    image: str | None
    name: str
    signed_at: str | None


@dataclass
class Report:
    form: Form
    revisions: list[Revision] = field(default_factory=list)
    values: list[tuple[str, list[str]]] = field(default_factory=list)
    photos: list[tuple[str, list[str]]] = field(default_factory=list)
    signatures: list[Signature] = field(default_factory=list)

    @property
    def latest(self) -> Revision | None:
        return self.revisions[-1] if self.revisions else None

    @property
    def is_final(self) -> bool:
        return self.latest is not None and self.latest.kind in FINAL_KINDS


def _formatted(fmt: Formatting, kind: str, value: Any) -> str:
    """A date, time, number or amount the tenant's way; a value that is not one
    (an old revision typed before a check existed) is shown as it was stored."""
    try:
        if kind == "date":
            return fmt.date(value)
        if kind == "datetime":
            return fmt.datetime(value, with_zone=True)
        if kind == "money":
            return fmt.money(value)
        return fmt.number(value)
    except (ValueError, TypeError, ArithmeticError):
        return str(value)


#: how each key of a time entry or material line is formatted
_PART_KINDS = {"date": "date", "hours": "number", "quantity": "number", "unit_price": "money"}


def _scalar(f: Field, value: Any, fmt: Formatting) -> str:
    if value is None or value == "" or value == []:
        return NONE
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if f.type == "choice":
        labels = {o.value: o.label for o in f.options}
        items = value if isinstance(value, list) else [value]
        return ", ".join(labels.get(str(v), str(v)) for v in items)
    if f.type in ("integer", "decimal"):
        return _formatted(fmt, "number", value)
    if f.type in ("date", "datetime", "money"):
        return _formatted(fmt, f.type, value)
    return str(value)


def _part(bundle: Bundle, key: str, value: Any, fmt: Formatting) -> str:
    """One key of a row: a work type by its name, a flag as yes/no, a date, hours,
    a quantity or a price the tenant's way."""
    if value is None or value == "":
        return NONE
    if key == "labor":
        labor = bundle.labor(str(value))
        return labor.name if labor else str(value)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if key in _PART_KINDS:
        return _formatted(fmt, _PART_KINDS[key], value)
    return str(value)


def line_text(f: Field, line: dict[str, Any], bundle: Bundle) -> str:
    """One time entry or material line in words, in the tenant's locale:
    ``tors 26 nov. 2026 · 6,5 h · Installation``, ``CU15 Copper pipe × 12 MTR``."""
    fmt = formatting_of(bundle)
    if f.type == "time_entries":
        labor = bundle.labor(str(line.get("labor", "")))
        hours = (f"{_part(bundle, 'hours', line['hours'], fmt)} h" if line.get("hours") else
                 f"{line.get('start', '?')}–{line.get('end', '?')}"
                 if line.get("start") or line.get("end") else "? h")
        work = labor.name if labor else line.get("labor", "?")
        day = _part(bundle, "date", line["date"], fmt) if line.get("date") else "?"
        text = f"{day} · {hours} · {work}"
    else:
        article = bundle.article(str(line.get("article", ""))) if line.get("article") else None
        what = f"{article.number} {article.name}" if article else line.get("description", "?")
        unit = line.get("unit") or (article.unit if article else "")
        quantity = (_part(bundle, "quantity", line["quantity"], fmt)
                    if line.get("quantity") not in (None, "") else "?")
        text = f"{what} × {quantity} {unit}".rstrip()
        if line.get("unit_price"):
            text += f" à {_part(bundle, 'unit_price', line['unit_price'], fmt)}"
    if line.get("billable") is False:
        text += " (not billable)"
    return text + (f" — {line['note']}" if line.get("note") else "")


def value_lines(f: Field, value: Any, bundle: Bundle) -> list[str]:
    """A stored value as one or more lines of text."""
    if f.type in LINE_TYPES and isinstance(value, list):
        return [line_text(f, line, bundle) for line in value if isinstance(line, dict)] or [NONE]
    if f.type == "photos" and isinstance(value, list):
        return [f"{len(value)} photo{'' if len(value) == 1 else 's'}"]
    if f.type == "signature" and isinstance(value, dict):
        return [f"Signed by {value.get('name', '?')}"]
    if f.type == "approval" and isinstance(value, dict):
        return [f"{str(value.get('decision', '?')).capitalize()} by {value.get('name', '?')}"]
    return [_scalar(f, value, formatting_of(bundle))]


def _changes(form: Form, bundle: Bundle, before: dict[str, Any],
             after: dict[str, Any]) -> list[Change]:
    old, new = changed_fields(before, after)
    fmt = formatting_of(bundle)
    out: list[Change] = []
    for key in [f.id for f in form.fields if f.id in new] + sorted(set(new) - {
            f.id for f in form.fields}):
        f = form.field(key) or Field(key, "text", key)
        a, b = old.get(key), new.get(key)
        if f.type in LINE_TYPES and isinstance(a, list) and isinstance(b, list):
            out += _line_changes(form, f, bundle, a, b)
        elif f.type in ("signature", "approval") and isinstance(a, dict) and isinstance(b, dict):
            out += [Change(pointer_words(pointer(f.id, k), form), _scalar(f, a.get(k), fmt),
                           _scalar(f, b.get(k), fmt))
                    for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]
        else:
            out.append(Change(f.label, "; ".join(value_lines(f, a, bundle)) if a is not None
                              else NONE, "; ".join(value_lines(f, b, bundle))
                              if b is not None else NONE))
    return out


def _line_changes(form: Form, f: Field, bundle: Bundle, a: list[Any],
                  b: list[Any]) -> list[Change]:
    """Row by row, each changed key named the way the form page names it
    ("Time, row 1: Hours"), a work type by its name rather than its code."""
    fmt = formatting_of(bundle)
    out: list[Change] = []
    for i in range(max(len(a), len(b))):
        x = a[i] if i < len(a) and isinstance(a[i], dict) else None
        y = b[i] if i < len(b) and isinstance(b[i], dict) else None
        label = pointer_words(pointer(f.id, i), form)
        if x is None or y is None:
            out.append(Change(label, line_text(f, x, bundle) if x else NONE,
                              line_text(f, y, bundle) if y else "removed"))
            continue
        out += [Change(pointer_words(pointer(f.id, i, k), form),
                       _part(bundle, k, x.get(k), fmt), _part(bundle, k, y.get(k), fmt))
                for k in sorted(set(x) | set(y)) if x.get(k) != y.get(k)]
    return out


def _report(form: Form, bundle: Bundle, rows: list[Submission],
            names: dict[str, str]) -> Report:
    report = Report(form)
    previous: dict[str, Any] = {}
    for s in rows:
        report.revisions.append(Revision(
            s.id, s.revision, s.kind, KIND_WORDS.get(s.kind, s.kind),
            names.get(s.author, s.author), s.created_at, s.reason,
            _changes(form, bundle, previous, s.data) if previous else []))
        previous = s.data
    data = rows[-1].data
    for f in form.fields:
        value = data.get(f.id)
        if value is None:
            continue
        if f.type == "photos":
            report.photos.append((f.label, [str(v) for v in value]))
        elif f.type == "signature":
            report.signatures.append(Signature(f.label, value.get("image"),
                                               str(value.get("name", "")),
                                               value.get("signed_at")))
        else:
            report.values.append((f.label, value_lines(f, value, bundle)))
    return report


def case_reports(actor: Actor, loaded: LoadedCase, names: dict[str, str]) -> list[Report]:
    """One report per form of the case type, in the definition's order; forms
    nobody has filled in yet come with no revisions (the page links to them)."""
    by_form: dict[str, list[Submission]] = defaultdict(list)
    for s in list_submissions(actor, loaded.case.id):
        by_form[s.form_id].append(s)
    reports = []
    for form_id in loaded.case_type.forms:
        form = loaded.bundle.form(form_id)
        if form is None:
            continue
        rows = by_form.get(form_id, [])
        reports.append(_report(form, loaded.bundle, rows, names) if rows else Report(form))
    return reports
