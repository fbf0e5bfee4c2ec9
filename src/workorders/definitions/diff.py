"""Structured diff of two bundles (plain data, as ``LoadResult.normalized``).

Used by the platform's diff endpoint and CLI so an admin sees, before publishing,
which case types, forms, rules... were added, removed or changed, and exactly which
fields inside them. Items are matched by id (articles by number, labour by code,
tests by name), never by position, so reordering a list is not a change.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .problems import escape_token

_Getter = Callable[[Mapping[str, Any]], Mapping[str, Any]]


def _listed(section: str, key: str, sub: str | None = None) -> _Getter:
    def get(data: Mapping[str, Any]) -> Mapping[str, Any]:
        container = data.get(section) or {}
        items = container.get(sub, []) if sub else container
        if not isinstance(items, list):
            return {}
        return {str(i[key]): i for i in items if isinstance(i, Mapping) and key in i}
    return get


def _mapped(section: str, sub: str) -> _Getter:
    def get(data: Mapping[str, Any]) -> Mapping[str, Any]:
        value = (data.get(section) or {}).get(sub) or {}
        return value if isinstance(value, Mapping) else {}
    return get


_LISTS = ("catalog", "case_types", "forms", "rules", "notifications", "connectors", "tests")


def _top(data: Mapping[str, Any]) -> Mapping[str, Any]:
    return {k: v for k, v in data.items() if k not in _LISTS}


SECTIONS: dict[str, _Getter] = {
    "top_level": _top,
    "vat_rates": _mapped("catalog", "vat_rates"),
    "articles": _listed("catalog", "number", "articles"),
    "labor": _listed("catalog", "code", "labor"),
    "case_types": _listed("case_types", "id"),
    "forms": _listed("forms", "id"),
    "rules": _listed("rules", "id"),
    "notification_templates": _mapped("notifications", "templates"),
    "webhooks": _mapped("notifications", "webhooks"),
    "connectors": _listed("connectors", "id"),
    "tests": _listed("tests", "name"),
}


def _keyed(items: list[Any]) -> dict[str, Any] | None:
    """Lists of mappings that all carry a unique ``id`` are compared by id."""
    ids = [i.get("id") for i in items if isinstance(i, Mapping)]
    if len(ids) == len(items) and all(isinstance(i, str) for i in ids) \
            and len(set(ids)) == len(ids):
        return {str(i["id"]): i for i in items}
    return None


def field_changes(before: Any, after: Any, path: str = "") -> list[dict[str, Any]]:
    """Every leaf difference as {path, before, after}; absent values are None."""
    if isinstance(before, Mapping) and isinstance(after, Mapping):
        keys = list(before) + [k for k in after if k not in before]
        return [c for k in keys for c in field_changes(before.get(k), after.get(k),
                                                       f"{path}/{escape_token(k)}")]
    if isinstance(before, list) and isinstance(after, list):
        old, new = _keyed(before), _keyed(after)
        if old is not None and new is not None:
            return field_changes(old, new, path)
        size = max(len(before), len(after))
        return [c for i in range(size) for c in field_changes(
            before[i] if i < len(before) else None, after[i] if i < len(after) else None,
            f"{path}/{i}")]
    if before == after and type(before) is type(after):
        return []
    return [{"path": path, "before": before, "after": after}]


def diff_bundles(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    """``{section: {added: [ids], removed: [ids], changed: [{id, fields}]}}`` for every
    section (empty lists when nothing changed)."""
    result: dict[str, Any] = {}
    for section, get in SECTIONS.items():
        before, after = get(old), get(new)
        changed = []
        for key in after:
            if key in before:
                fields = field_changes(before[key], after[key])
                if fields:
                    changed.append({"id": key, "fields": fields})
        result[section] = {
            "added": [k for k in after if k not in before],
            "removed": [k for k in before if k not in after],
            "changed": changed,
        }
    return result


def has_changes(diff: Mapping[str, Any]) -> bool:
    return any(s["added"] or s["removed"] or s["changed"] for s in diff.values())
