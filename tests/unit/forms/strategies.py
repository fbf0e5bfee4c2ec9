"""Hypothesis strategies: generated forms, and data of every field type that the
browser can also post (valid, invalid and blank values).

JSON type confusions (the number 12 where text is expected, "true" for a
boolean) are left out on purpose: the browser posts only text, so they have no
browser twin; the API-only tests cover them.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from workorders.definitions.model import Bundle, Field, FieldCondition, Form, Option, Section

SIMPLE = ("text", "textarea", "integer", "decimal", "money", "boolean", "date", "datetime",
          "choice")
ALL_TYPES = (*SIMPLE, "photos", "signature", "time_entries", "material_lines", "approval")
TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=12)
HTML = st.sampled_from(["<script>alert(1)</script>", "<b>bold</b> & 'q'", '"><img src=x>'])


def _mix(valid: st.SearchStrategy[Any], invalid: st.SearchStrategy[Any]) -> Any:
    return st.one_of(valid, valid, invalid, st.just(""))


def decimal_text(places: int = 2, low: int = -50, high: int = 200) -> Any:
    return st.decimals(low, high, places=places, allow_nan=False,
                       allow_infinity=False).map(lambda d: f"{d:f}")


BAD_NUMBER = st.sampled_from(["abc", "1,5", "1e5", ".5", "5.", "-", "１", "1" * 40, " 3"])
BAD_DATE = st.sampled_from(["2026-13-01", "20261120", "2026-02-30", "2026-1-1", "x"])
BAD_DATETIME = st.sampled_from(["2026-11-20T14:30", "2026-11-20 14:30+01:00", "2026-11-20"])
BAD_TIME = st.sampled_from(["24:00", "7:30", "07:60", "0730"])
DATES = st.dates().map(lambda d: d.isoformat())
DATETIMES = st.sampled_from(["2026-11-20T14:30+01:00", "2026-11-20T14:30:05Z",
                             "2026-11-20T14:30:05.123-05:00"])
TIMES = st.sampled_from(["00:00", "07:30", "08:15", "12:00", "16:45", "23:59"])
ATTACHMENTS = st.sampled_from(["p1", "p2", "p3", "sig-1", "bad id", "x" * 70])
BOOLS = _mix(st.booleans(), st.sampled_from(["yes", "1", "TRUE"]))


def scalar_value(field: Field) -> Any:
    kind = field.type
    if kind in ("text", "textarea"):
        valid = st.one_of(TEXT, HTML, st.from_regex(r"[A-Z0-9-]{6,8}", fullmatch=True))
        return _mix(valid, st.text(min_size=40, max_size=60))
    if kind == "integer":
        return _mix(st.integers(-100, 600), st.sampled_from(["abc", "1.5", "+5", "1e3", " 2"]))
    if kind in ("decimal", "money"):
        return _mix(decimal_text(2 if kind == "money" else 3), BAD_NUMBER)
    if kind == "boolean":
        return BOOLS
    if kind == "date":
        return _mix(DATES, BAD_DATE)
    if kind == "datetime":
        return _mix(DATETIMES, BAD_DATETIME)
    values = [o.value for o in field.options] + ["nope"]
    if field.multiple:
        return st.lists(st.sampled_from(values), max_size=4)
    return _mix(st.sampled_from(values), st.just("nope"))


def _obj(parts: dict[str, Any]) -> Any:
    keys = st.lists(st.sampled_from(sorted(parts)), min_size=1, unique=True)
    return keys.flatmap(lambda ks: st.fixed_dictionaries({k: parts[k] for k in ks}))


def time_entry(bundle: Bundle) -> Any:
    codes = [lab.code for lab in bundle.catalog.labor] + ["nope"]
    return _obj({"date": _mix(DATES, BAD_DATE), "hours": _mix(decimal_text(2, -1, 30), BAD_NUMBER),
                 "start": _mix(TIMES, BAD_TIME), "end": _mix(TIMES, BAD_TIME),
                 "labor": st.sampled_from(codes), "billable": BOOLS,
                 "technician": _mix(st.just("ann@example.test"), st.just("ann")),
                 "note": _mix(HTML, st.text(min_size=1001, max_size=1002)), "zzz": st.just("1")})


def material_line(bundle: Bundle) -> Any:
    articles = [a.number for a in bundle.catalog.articles] + ["NOPE"]
    prices = st.one_of(*[st.just(f"{a.price:f}") for a in bundle.catalog.articles[:2]],
                       decimal_text(2, 0, 500))
    return _obj({"article": st.sampled_from(articles), "description": _mix(TEXT, HTML),
                 "quantity": _mix(decimal_text(3, -1, 80), BAD_NUMBER),
                 "unit": st.sampled_from(["EA", "MTR", "HUR", "KGM", "XX9"]),
                 "unit_price": _mix(prices, BAD_NUMBER), "billable": BOOLS,
                 "note": TEXT, "zzz": st.just("1")})


def field_value(field: Field, bundle: Bundle) -> Any:
    kind = field.type
    if kind == "photos":
        return st.lists(ATTACHMENTS, max_size=12)
    if kind == "signature":
        return _obj({"image": ATTACHMENTS, "name": _mix(TEXT, HTML),
                     "signed_at": _mix(DATETIMES, BAD_DATETIME), "zzz": st.just("1")})
    if kind == "approval":
        return _obj({"name": _mix(TEXT, HTML), "timestamp": _mix(DATETIMES, BAD_DATETIME),
                     "decision": st.sampled_from(["approved", "rejected", "approve", ""])})
    if kind == "time_entries":
        return st.lists(time_entry(bundle), max_size=4)
    if kind == "material_lines":
        return st.lists(material_line(bundle), max_size=4)
    return scalar_value(field)


def submission(form: Form, bundle: Bundle) -> Any:
    """Data for ``form``: each field absent or with a value, sometimes an unknown key."""
    parts = {f.id: st.one_of(st.none(), field_value(f, bundle)) for f in form.fields}
    unknown = st.one_of(st.none(), st.none(), st.just("x"))
    return st.tuples(st.fixed_dictionaries(parts), unknown).map(
        lambda pair: {k: v for k, v in {**pair[0], "zz_unknown": pair[1]}.items()
                      if v is not None})


def _condition(target: Field) -> Any:
    if target.type == "boolean":
        return st.sampled_from([FieldCondition(target.id, "equals", True),
                                FieldCondition(target.id, "not_equals", True)])
    if target.type == "choice":
        first = target.options[0].value
        return st.sampled_from([FieldCondition(target.id, "equals", first),
                                FieldCondition(target.id, "in", (first, "b"))])
    return st.just(FieldCondition(target.id, "present", True))


@st.composite
def generated_form(draw: Any, bundle: Bundle) -> Form:
    """A form of 1-8 random fields with random keys and conditions on earlier fields."""
    fields: list[Field] = []
    for i in range(draw(st.integers(1, 8))):
        kind = draw(st.sampled_from(ALL_TYPES))
        field = Field(id=f"f{i}", type=kind, label=f"Field {i}", required=draw(st.booleans()))
        low = draw(st.sampled_from([None, 0, 1, 2]))
        high = draw(st.sampled_from([None, 3, 100]))
        field = dataclasses.replace(
            field, min=None if low is None else Decimal(low),
            max=None if high is None else Decimal(high),
            max_length=draw(st.sampled_from([None, 5, 30])) if kind in ("text", "textarea")
            else None,
            pattern=draw(st.sampled_from([None, r"^[A-Z0-9-]{6,20}$"])) if kind == "text"
            else None,
            options=(Option("a", "A"), Option("b", "B"), Option("c", "C")) if kind == "choice"
            else (), multiple=kind == "choice" and draw(st.booleans()),
            allow_free_text=draw(st.booleans()), price_override=draw(st.booleans()))
        if fields and draw(st.booleans()):
            target = draw(st.sampled_from(fields))
            key = draw(st.sampled_from(["visible_if", "required_if"]))
            field = dataclasses.replace(field, **{key: draw(_condition(target))})
        fields.append(field)
    return Form("generated", "Generated", (Section("Only", tuple(fields)),))
