"""The one next step for a person on a case: the single primary button of My jobs
and of the technician's case page.

Reads what the case page already computes (``case_view``'s allowed and blocked
transitions, the submitted forms) and picks, in this order:

1. a step that finishes the work (Complete: its target is work-complete), when allowed;
2. "Fill in" the first form such a step still waits for (Complete needs the reports);
3. another allowed step that is not cancel-like (Start);
4. "Fill in" a form of the case type nobody has submitted yet.

Cancel-like steps (a final target that is not finished work) are never the
primary button: they need a reason and stay with the other steps.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import url_for

from workorders.definitions.lifecycle import is_work_complete_or_later
from workorders.definitions.model import CaseType
from workorders.platform.services.case_context import LoadedCase
from workorders.platform.services.submissions import final_forms_of, latest_revision


@dataclass(frozen=True)
class Step:
    """``kind`` is ``transition`` (posted with CSRF and version) or ``form`` (a link)."""
    kind: str
    label: str
    transition_id: str | None = None
    form_id: str | None = None
    url: str | None = None


def cancel_like(case_type: CaseType, target: str) -> bool:
    state = case_type.lifecycle.state(target)
    return state is not None and state.final and not is_work_complete_or_later(case_type, target)


def _form_step(loaded: LoadedCase, form_id: str, may_fill: bool) -> Step | None:
    form = loaded.bundle.form(form_id)
    if form is None or not may_fill:
        return None
    started = latest_revision(loaded.case, form_id) is not None
    return Step("form", f"{'Continue' if started else 'Fill in'}: {form.title}", form_id=form_id,
                url=url_for("web.capture_page", case_id=loaded.case.id, form_id=form_id))


def next_step(loaded: LoadedCase, view: dict[str, Any], *, may_fill: bool) -> Step | None:
    case_type = loaded.case_type
    allowed = [t for t in view["allowed_transitions"] if not cancel_like(case_type, t["to"])]
    for t in allowed:
        if is_work_complete_or_later(case_type, t["to"]):
            return Step("transition", t["label"], transition_id=t["id"])
    for t in view["blocked_transitions"]:
        kinds = {u["kind"] for u in t["unmet"]}
        if kinds == {"requires_forms"}:
            for u in t["unmet"]:
                step = _form_step(loaded, u["name"], may_fill)
                if step is not None:
                    return step
    if allowed:
        t = allowed[0]
        return Step("transition", t["label"], transition_id=t["id"])
    state = case_type.lifecycle.state(loaded.case.status)
    if state is None or state.final or is_work_complete_or_later(case_type, loaded.case.status):
        return None
    done = final_forms_of(loaded.case)
    for form_id in case_type.forms:
        if form_id not in done and (step := _form_step(loaded, form_id, may_fill)) is not None:
            return step
    return None


def forms_to_fill(loaded: LoadedCase) -> list[dict[str, Any]]:
    """The case type's forms with where each stands, for the technician's list."""
    done = final_forms_of(loaded.case)
    out = []
    for form in loaded.bundle.forms_of(loaded.case_type.id):
        latest = latest_revision(loaded.case, form.id)
        out.append({"form": form, "final": form.id in done, "started": latest is not None,
                    "url": url_for("web.capture_page", case_id=loaded.case.id,
                                   form_id=form.id)})
    return out


def maps_url(site: dict[str, Any] | None) -> str | None:
    """A link that opens the site's address in the phone's maps: OpenStreetMap's
    search works on every phone and desktop alike (a ``geo:`` link does nothing
    in a desktop browser, and Android's and iOS's handling of ``geo:0,0?q=``
    differs), and it needs no key."""
    from urllib.parse import quote

    if not site:
        return None
    parts = [site.get(k) for k in ("street", "postal_code", "city", "country")]
    text = ", ".join(str(p) for p in parts if p)
    return f"https://www.openstreetmap.org/search?query={quote(text)}" if text else None
