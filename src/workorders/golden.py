"""Golden tests wired to the real form validation and totals.

``workorders.rules`` runs a bundle's golden tests but may not import
``workorders.forms`` (the architecture keeps forms, rules and connectors
independent), so its runner takes the two form functions as parameters. This
module, outside those layers, plugs in ``forms.validate_submission`` and
``forms.compute_totals``; the platform (validate, publish) and the CLI call it.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from workorders.definitions.model import Bundle, Form
from workorders.forms import compute_totals, validate_submission
from workorders.rules.api import EngineName
from workorders.rules.golden import FormCheck, GoldenResult
from workorders.rules.golden import run_golden_tests as _run

__all__ = ["GoldenResult", "check_form", "form_totals", "run_golden_tests"]


def check_form(form: Form, bundle: Bundle, data: dict[str, Any], *, draft: bool) -> FormCheck:
    """``forms.validate_submission`` as the golden runner reads it."""
    check = validate_submission(form, bundle, data, draft=draft)
    errors = [f"{e.path or '/'}: {e.message}" for e in check.errors]
    return FormCheck(errors, check.cleaned)


def form_totals(form: Form, bundle: Bundle, cleaned: Mapping[str, Any]) -> dict[str, Decimal]:
    """The ``totals.*`` facts of one submission."""
    return compute_totals([(form, cleaned)], bundle).facts()


def run_golden_tests(bundle: Bundle, *, engine: EngineName = "durable") -> list[GoldenResult]:
    """Every golden test of ``bundle``, through ``engine`` (durable-rules by default)."""
    return _run(bundle, validate=check_form, totals=form_totals, engine=engine)
