"""The structured diff of two bundles (``diff_bundles``) as plain sentences.

An admin confirming a publish reads "Form installation_report: field 'x' added",
not a JSON pointer. The sentences are derived from the structured diff alone, so
they always agree with it: one per added or removed item, and for a changed item
one per field, state or transition inside it, plus one naming the item's own
attributes that changed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from workorders.definitions.problems import split_pointer

#: how each diff section names one of its items
SECTION_WORDS: dict[str, str] = {
    "top_level": "Setting",
    "vat_rates": "VAT rate",
    "articles": "Article",
    "labor": "Labour code",
    "case_types": "Case type",
    "forms": "Form",
    "rules": "Rule",
    "notification_templates": "Notification template",
    "webhooks": "Webhook",
    "connectors": "Connector",
    "tests": "Golden test",
}

#: lists inside an item whose entries have ids of their own, and what one is called
_PARTS = {"fields": "field", "states": "state", "transitions": "transition"}
#: the sections whose items hold such parts (a golden test's ``case.fields`` is data)
_WITH_PARTS = ("forms", "case_types")

#: a value longer than this is not quoted in a sentence, only said to have changed
_SHORT = 40


def _name(ident: str) -> str:
    return ident if ident and " " not in ident else f"'{ident}'"


def _short(value: Any) -> str | None:
    """A scalar as a person would write it, or None when too long to quote."""
    if isinstance(value, (dict, list)) or value is None:
        return None
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= _SHORT else None


class _Item:
    """What changed inside one item: its parts (added/removed/changed) and attributes."""

    def __init__(self, with_parts: bool) -> None:
        self.with_parts = with_parts
        self.parts: dict[tuple[str, str], set[str]] = {}
        self.attributes: dict[str, list[tuple[list[str], Any, Any]]] = {}

    def add(self, change: Mapping[str, Any]) -> None:
        tokens = split_pointer(str(change["path"]))
        split = max((i for i, t in enumerate(tokens[:-1]) if t in _PARTS),
                    default=None) if self.with_parts else None
        if split is None:
            attribute = tokens[0] if tokens else ""
            self.attributes.setdefault(attribute, []).append(
                (tokens[1:], change["before"], change["after"]))
            return
        part = (_PARTS[tokens[split]], tokens[split + 1])
        rest = tokens[split + 2:]
        marks = self.parts.setdefault(part, set())
        if rest:
            marks.add(rest[0])
        elif change["before"] is None:
            marks.add("+added")
        elif change["after"] is None:
            marks.add("+removed")
        else:
            marks.add("+replaced")

    def sentences(self, prefix: str) -> list[str]:
        out = []
        for (kind, ident), marks in self.parts.items():
            if {"+added", "+removed"} <= marks:
                out.append(f"{prefix}: {kind} '{ident}' moved")
            elif "+added" in marks:
                out.append(f"{prefix}: {kind} '{ident}' added")
            elif "+removed" in marks:
                out.append(f"{prefix}: {kind} '{ident}' removed")
            else:
                what = sorted(m for m in marks if not m.startswith("+"))
                detail = f" ({', '.join(what)})" if what else ""
                out.append(f"{prefix}: {kind} '{ident}' changed{detail}")
        for attribute, leaves in self.attributes.items():
            out.append(f"{prefix}: {_attribute_words(attribute, leaves)}")
        return out


def _attribute_words(attribute: str, leaves: list[tuple[list[str], Any, Any]]) -> str:
    if len(leaves) == 1:
        rest, before, after = leaves[0]
        where = ".".join([attribute, *rest])
        old, new = _short(before), _short(after)
        if before is None and new is not None:
            return f"'{where}' set to {new}"
        if after is None and old is not None:
            return f"'{where}' removed (was {old})"
        if old is not None and new is not None:
            return f"'{where}' changed from {old} to {new}"
    return f"'{attribute}' changed"


def _top_level(change: Mapping[str, Any]) -> str:
    ident = str(change["id"])
    fields = change["fields"]
    if len(fields) == 1 and fields[0]["path"] == "":
        old, new = _short(fields[0]["before"]), _short(fields[0]["after"])
        if old is not None and new is not None:
            return f"Setting '{ident}' changed from {old} to {new}"
    inner = sorted({split_pointer(f["path"])[0] for f in fields if f["path"]})
    return f"Setting '{ident}' changed" + (f" ({', '.join(inner)})" if inner else "")


def change_sentences(diff: Mapping[str, Any]) -> list[str]:
    """Every change in ``diff`` (as ``diff_bundles`` gives it) as one plain sentence,
    in section order; an empty list when nothing changed."""
    out: list[str] = []
    for section, change in diff.items():
        label = SECTION_WORDS.get(section, section.replace("_", " ").capitalize())
        if section == "top_level":
            out += [f"Setting '{i}' added" for i in change["added"]]
            out += [f"Setting '{i}' removed" for i in change["removed"]]
            out += [_top_level(c) for c in change["changed"]]
            continue
        out += [f"{label} {_name(str(i))} added" for i in change["added"]]
        out += [f"{label} {_name(str(i))} removed" for i in change["removed"]]
        for item_change in change["changed"]:
            item = _Item(section in _WITH_PARTS)
            for field in item_change["fields"]:
                item.add(field)
            out += item.sentences(f"{label} {_name(str(item_change['id']))}")
    return out
