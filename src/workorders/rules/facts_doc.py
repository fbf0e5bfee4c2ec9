"""The fact document: the one shape rules and templates see for a case.

The platform (on every submission and transition) and the golden tests (without
a database) both build it here, so a bundle's tests see exactly what production
sees. The paths are those ``workorders.definitions.facts.fact_types`` documents:
``case.*`` (status, type, number, created_at, scheduled_start/end, assignee
``{email, name}``, customer and site with every documented key, ``fields``),
``form.*``, ``form_id``, ``totals.*``, ``submission.kind``, ``actor``
(``role``, ``roles``, ``email``) and ``previous`` (on a reschedule: the case's
``scheduled_start``, ``scheduled_end`` and ``assignee`` before the move, built by
``case_facts`` like the case's own; on every other trigger all missing).

Every documented key is present, ``None`` when unknown, so templates can write
``{{ case.site.street or '' }}`` without tripping StrictUndefined; for rules
``None`` is simply "missing". Input mappings may be read-only (the frozen
bundle model) and contain tuples: the document is rebuilt from plain ``dict``s
and ``list``s, which is what both engines walk. Decimals stay ``Decimal`` (the
engines compare them exactly); dates and datetimes become ISO strings, the form
the ``date`` semantics read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from workorders.definitions import vocabulary as v

PERSON_KEYS = ("email", "name")


def plain(value: Any) -> Any:
    """A deep copy made of dicts, lists and scalars (dates as ISO strings)."""
    if isinstance(value, Mapping):
        return {str(k): plain(item) for k, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    return value


def _keyed(value: Any, keys: tuple[str, ...], nested: Mapping[str, tuple[str, ...]]) -> dict[
        str, Any]:
    """An object with exactly ``keys`` (missing ones None); other keys are dropped."""
    source = value if isinstance(value, Mapping) else {}
    out: dict[str, Any] = {}
    for key in keys:
        item = source.get(key)
        out[key] = _keyed(item, nested[key], {}) if key in nested else plain(item)
    return out


def _person(value: Any) -> dict[str, Any]:
    """``assignee`` given as an email or as ``{email, name}``."""
    if isinstance(value, str):
        return {"email": value, "name": None}
    return _keyed(value, PERSON_KEYS, {})


def case_facts(case: Mapping[str, Any]) -> dict[str, Any]:
    """``case.*``: ``type`` may be given as ``case_type`` (the API's name)."""
    fields = case.get("fields")
    return {
        "status": case.get("status"),
        "type": case.get("type", case.get("case_type")),
        "number": case.get("number"),
        "created_at": plain(case.get("created_at")),
        "scheduled_start": plain(case.get("scheduled_start")),
        "scheduled_end": plain(case.get("scheduled_end")),
        "assignee": _person(case.get("assignee")),
        "customer": _keyed(case.get("customer"), v.CUSTOMER_KEYS, {"address": v.ADDRESS_KEYS}),
        "site": _keyed(case.get("site"), v.SITE_KEYS, {}),
        "fields": plain(fields) if isinstance(fields, Mapping) else {},
    }


def previous_facts(before: Mapping[str, Any] | None) -> dict[str, Any]:
    """``previous.*``: the keys a reschedule moves, in exactly the shapes of
    ``case_facts`` (the same builder), None throughout when nothing moved."""
    facts = case_facts(before or {})
    return {key: facts[key] for key in v.PREVIOUS_KEYS}


def actor_facts(actor: Mapping[str, Any]) -> dict[str, Any]:
    """``actor.role`` is the role acting now; ``roles`` all roles of the person."""
    role = actor.get("role")
    roles = actor.get("roles")
    given = {str(r) for r in roles} if isinstance(roles, list | tuple | frozenset | set) else set()
    if isinstance(role, str):
        given.add(role)
    return {"role": role, "roles": sorted(given), "email": actor.get("email")}


def build_fact_document(*, case: Mapping[str, Any], form_id: str | None,
                        form_data: Mapping[str, Any] | None, totals: Mapping[str, Any] | None,
                        submission_kind: str | None, actor: Mapping[str, Any],
                        previous: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The document one evaluation sees.

    ``form_data`` is the cleaned submission (``SubmissionCheck.cleaned``) or None
    for a transition; ``totals`` is ``Totals.facts()`` (Decimals) or None, in which
    case every ``totals.*`` is None (missing) rather than a misleading zero.
    ``previous`` is the case as it was before a reschedule (the same keys as
    ``case``; only ``PREVIOUS_KEYS`` are read), None on every other trigger.
    """
    given = totals or {}
    return {
        "case": case_facts(case),
        "form": plain(form_data) if form_data is not None else {},
        "form_id": form_id,
        "totals": {name: given.get(name) for name in v.TOTALS},
        "submission": {"kind": submission_kind},
        "actor": actor_facts(actor),
        v.PREVIOUS: previous_facts(previous),
    }
