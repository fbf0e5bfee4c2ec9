"""Rules that span several keys of one object (a time entry, a material line).

JSON Schema cannot say "hours, or start and end", "end after start" or "the unit
of this article"; these checks are written once here and run both as custom
keywords of the compiled schema (``x-either``, ``x-after``, ``x-catalog``,
``x-unit``) and inside the browser form's line items, so the two paths cannot
drift. Each problem names the key it belongs to and whether it is a *missing*
value (a warning in a draft) or a wrong one (always an error).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from workorders.definitions.codelists import units

from . import messages as msg
from .values import TIME_PATTERN, is_decimal_text, minutes

_TIME_OK = re.compile(TIME_PATTERN)


@dataclass(frozen=True, slots=True)
class Problem:
    """``key`` is relative to the checked object; ``missing`` marks incompleteness."""

    key: str
    message: str
    missing: bool = False


def either(entry: Mapping[str, Any], spec: Mapping[str, Any]) -> list[Problem]:
    """Exactly one group of keys (``[["hours"], ["start", "end"]]``) must be used."""
    groups: list[list[str]] = spec["groups"]
    used = [g for g in groups if any(k in entry for k in g)]
    if not used:
        return [Problem(groups[0][0], spec["missing"], True)] if spec.get("required") else []
    if len(used) > 1:
        return [Problem(used[1][0], spec["conflict"])]
    return []


def after(entry: Mapping[str, Any], keys: list[str]) -> list[Problem]:
    """``keys`` = [start, end]: the end time (HH:MM) must be later the same day."""
    start, end = (entry.get(k) for k in keys)
    if not (isinstance(start, str) and isinstance(end, str)):
        return []
    if not (_TIME_OK.match(start) and _TIME_OK.match(end)):
        return []
    return [] if minutes(end) > minutes(start) else [Problem(keys[1], msg.END_AFTER_START)]


def catalog(entry: Mapping[str, Any], spec: Mapping[str, Any]) -> list[Problem]:
    """A catalog line: a known article, its unit, and its price unless overridable."""
    number = entry.get("article")
    if not isinstance(number, str):
        return []
    article = spec["articles"].get(number)
    if article is None:
        return [Problem("article", msg.ARTICLE)]
    found: list[Problem] = []
    unit = entry.get("unit")
    if isinstance(unit, str) and unit != article["unit"]:
        found.append(Problem("unit", msg.unit_fixed(article["unit"])))
    price = entry.get("unit_price")
    if (not spec["price_override"] and isinstance(price, str) and is_decimal_text(price)
            and Decimal(price) != Decimal(article["price"])):
        found.append(Problem("unit_price", msg.price_fixed(article["price"])))
    return found


def unit_problem(value: Any) -> str | None:
    """A UN/ECE Recommendation 20 unit code, the code list invoices are checked with."""
    if isinstance(value, str) and value not in units():
        return msg.UNIT
    return None


def object_problems(entry: Mapping[str, Any], schema: Mapping[str, Any]) -> list[Problem]:
    """Every cross-key problem of ``entry`` under the object ``schema``'s x-keywords."""
    found: list[Problem] = []
    if "x-either" in schema:
        found += either(entry, schema["x-either"])
    if "x-after" in schema:
        found += after(entry, schema["x-after"])
    if "x-catalog" in schema:
        found += catalog(entry, schema["x-catalog"])
    return found
