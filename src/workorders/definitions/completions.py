"""What the editor may suggest while an admin types a bundle (autocomplete).

``vocabulary(bundle)`` answers one mapping of lists, each item ``{label,
detail}`` (``label`` is what is inserted, ``detail`` a few words shown beside
it). The keys come from the definition schema itself, so a key the schema
learns is offered without touching this module; the bundle's own names (field
ids, facts, states, roles, articles, templates...) come from the last valid
text of the draft, and without a bundle (the text never validated yet) only
the schema's words are offered.

Lists (always present, possibly empty):

- ``top_level``: the bundle's top-level keys; ``sections``: ``{section: [keys]}``
  flattened into ``section_keys`` items whose ``detail`` names the section
  (``case_type``, ``lifecycle``, ``state``, ``transition``, ``form``,
  ``section``, ``field``, ``rule``, ``connector``, ``transport``, ``test``,
  ``expect``, ``seller``, ``catalog``, ``article``, ``labor``);
- ``field_types``, ``ops``, ``actions``, ``severities``, ``triggers``,
  ``connector_formats``, ``channels``;
- ``case_types``, ``forms``, ``fields`` (form and case fields), ``facts``
  (every ``case.*``, ``form.*``, ``totals.*``... path of every case type, with
  its type), ``states``, ``transitions``, ``roles``, ``articles``, ``labor``,
  ``templates``, ``webhooks``, ``rules``, ``connectors``.

Pure core: the schema and the frozen model only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from . import vocabulary as v
from .conditions import OP_WORDS
from .facts import fact_types
from .model import Bundle
from .schema_check import bundle_schema

Item = dict[str, str]

#: where each section's keys live in the schema (JSON pointer-ish paths of "properties")
_SECTIONS: Mapping[str, tuple[str, ...]] = {
    "case_type": ("$defs", "case_type"),
    "lifecycle": ("$defs", "case_type", "properties", "lifecycle"),
    "state": ("$defs", "case_type", "properties", "lifecycle", "properties", "states", "items"),
    "transition": ("$defs", "case_type", "properties", "lifecycle", "properties",
                   "transitions", "items"),
    "form": ("$defs", "form"),
    "section": ("$defs", "form", "properties", "sections", "items"),
    "field": ("$defs", "field"),
    "rule": ("$defs", "rule"),
    "connector": ("properties", "connectors", "items"),
    "transport": ("properties", "connectors", "items", "properties", "transport"),
    "test": ("properties", "tests", "items"),
    "expect": ("properties", "tests", "items", "properties", "expect"),
    "seller": ("properties", "seller"),
    "catalog": ("properties", "catalog"),
    "article": ("properties", "catalog", "properties", "articles", "items"),
    "labor": ("properties", "catalog", "properties", "labor", "items"),
    "notifications": ("properties", "notifications"),
}
def _item(label: str, detail: str = "") -> Item:
    return {"label": label, "detail": detail}


def _node(path: tuple[str, ...]) -> Mapping[str, Any]:
    node: Any = bundle_schema()
    for key in path:
        node = node.get(key, {}) if isinstance(node, Mapping) else {}
    return node if isinstance(node, Mapping) else {}


def _keys(node: Mapping[str, Any]) -> list[str]:
    props = node.get("properties")
    if isinstance(props, Mapping):
        return list(props)
    for branch in node.get("anyOf") or node.get("oneOf") or ():
        found = _keys(branch)
        if found:
            return found
    return []


def schema_ops() -> list[str]:
    """The comparison ops the schema allows in a condition leaf."""
    return [str(op) for op in _node(("$defs", "condition", "properties", "op")).get("enum", ())]


def schema_words() -> dict[str, list[Item]]:
    """What the schema alone offers (the same for every bundle)."""
    schema = bundle_schema()
    top = [_item(k, str(schema["properties"][k].get("description", "top-level key")))
           for k in schema["properties"]]
    section_keys = [_item(k, section) for section, path in _SECTIONS.items()
                    for k in _keys(_node(path))]
    return {
        "top_level": top,
        "section_keys": section_keys,
        "field_types": [_item(t, "field type") for t in v.FIELD_TYPES],
        "ops": [_item(op, OP_WORDS.get(op, "comparison")) for op in schema_ops()],
        "actions": [_item(a, "rule action") for a in v.ACTION_KINDS],
        "severities": [_item(s, "exception severity") for s in v.SEVERITIES],
        "triggers": [_item(t, "rule trigger") for t in v.FIXED_TRIGGERS]
        + [_item("transition:", "after a transition"), _item("enter:", "on entering a state")],
        "connector_formats": [_item(f, "connector format") for f in v.CONNECTOR_FORMATS],
        "channels": [_item(c, "notification channel") for c in v.CHANNELS],
    }


def _unique(items: Iterable[Item]) -> list[Item]:
    seen: dict[str, Item] = {}
    for item in items:
        seen.setdefault(item["label"], item)
    return list(seen.values())


def bundle_words(bundle: Bundle) -> dict[str, list[Item]]:
    """The names a bundle defines, for the lists ``vocabulary`` documents."""
    fields = [_item(f.id, f"{f.type} · {f.label} ({form.id})")
              for form in bundle.forms for f in form.fields]
    fields += [_item(f.id, f"{f.type} · {f.label} (case field of {c.id})")
               for c in bundle.case_types for f in c.fields]
    facts = [_item(path, f"{fact.describe()} · {c.id}")
             for c in bundle.case_types for path, fact in fact_types(bundle, c.id).items()]
    states = [_item(s.id, f"state of {c.id}: {s.label}")
              for c in bundle.case_types for s in c.lifecycle.states]
    transitions = [_item(t.id, f"transition of {c.id}: {t.label} → {t.to}")
                   for c in bundle.case_types for t in c.lifecycle.transitions]
    triggers = [_item(f"transition:{t.id}", f"after {t.label}")
                for c in bundle.case_types for t in c.lifecycle.transitions]
    triggers += [_item(f"enter:{s.id}", f"on entering {s.label}")
                 for c in bundle.case_types for s in c.lifecycle.states]
    return {
        "case_types": [_item(c.id, c.name) for c in bundle.case_types],
        "forms": [_item(f.id, f.title) for f in bundle.forms],
        "fields": _unique(fields),
        "facts": _unique(facts),
        "states": _unique(states),
        "transitions": _unique(transitions),
        "bundle_triggers": _unique(triggers),
        "articles": [_item(a.number, f"{a.name} · {a.unit} · {a.price}")
                     for a in bundle.catalog.articles],
        "labor": [_item(lab.code, f"{lab.name} · {lab.price}") for lab in bundle.catalog.labor],
        "templates": [_item(t.id, f"{t.channel} template") for t in
                      bundle.notifications.templates.values()],
        "webhooks": [_item(w.id, "webhook") for w in bundle.notifications.webhooks.values()],
        "rules": [_item(r.id, r.description or "rule") for r in bundle.rules],
        "connectors": [_item(c.id, c.format) for c in bundle.connectors],
    }


_BUNDLE_LISTS = ("case_types", "forms", "fields", "facts", "states", "transitions",
                 "bundle_triggers", "articles", "labor", "templates", "webhooks", "rules",
                 "connectors")


def vocabulary(bundle: Bundle | None) -> dict[str, list[Item]]:
    """Every completion list (see the module docstring); the bundle's lists are
    empty without a bundle. ``roles`` are the format's roles plus ``system``."""
    words = schema_words()
    words["roles"] = [_item(r, "role") for r in v.ROLES] + [_item(v.SYSTEM_ROLE,
                                                                  "the platform itself")]
    own = bundle_words(bundle) if bundle is not None else {k: [] for k in _BUNDLE_LISTS}
    own["triggers"] = words.pop("triggers") + own.pop("bundle_triggers")
    words.update(own)
    return words
