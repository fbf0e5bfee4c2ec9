"""Every numeric limit the definitions package enforces, in one place.

Most of these exist because of the rules engine underneath (durable-rules 2.0.28, see
``durable-rules-notes.md``): a bundle that would freeze, crash or silently misbehave in
the engine must be refused at upload with a clear message, never at run time. The
others bound the work a hostile or broken upload can cause. ``docs/definitions.md``
lists them for admins; change them here and there together.
"""

from __future__ import annotations

#: Largest accepted source (bytes, UTF-8). Real bundles are 10-100 KiB.
MAX_BUNDLE_BYTES = 2 * 1024 * 1024
#: Deepest nesting of mappings/lists in the source; stops recursion bombs early.
MAX_NESTING_DEPTH = 64
#: Most YAML/JSON values (scalars, lists, mappings) in one source.
MAX_NODES = 200_000

#: Rules per bundle. Large tenants are split into rulesets of ~40 condition paths by
#: the rules package; 2,000 rules stays well inside measured compile and memory costs.
MAX_RULES = 2_000
#: Leaf comparisons per rule. The engine fails when more than 64 conditions are true
#: at once; 32 per rule leaves room for quantifier expansion.
MAX_CONDITION_LEAVES = 32
#: Nesting of all/any/not/quantifiers in one rule's ``when`` (the root counts as 1).
MAX_CONDITION_DEPTH = 6
#: Values in one ``in`` / ``not_in`` list: each becomes a branch in the engine, and
#: more than 512 distinct conditions under one node freezes ruleset creation.
MAX_LIST_VALUES = 100
#: Distinct facts the rules of one case type may reference: the engine rejects a fact
#: document with more than 255 flattened properties, and the projection sends only
#: referenced facts (plus a type tag and identity).
MAX_REFERENCED_FACTS = 200
#: Actions in one rule's ``then``.
MAX_ACTIONS_PER_RULE = 20
#: Numbers in conditions must fit a signed 64-bit integer (larger never match).
INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1

#: Highest first invoice number: numbers count up from it in a database integer
#: (at most 2,147,483,647), so nine digits leave room for over a billion invoices.
MAX_INVOICE_START = 999_999_999

#: Length of a form field ``pattern`` (Python ``re``).
MAX_PATTERN_LENGTH = 500
#: Length of a ``matches`` regex in a rule (the engine's anchored Lua-like subset).
MAX_MATCHES_LENGTH = 200
#: Characters in one template (action strings, notification subject/body, options).
MAX_TEMPLATE_LENGTH = 20_000

#: Bytes of the tenant's logo (``branding.logo``, decoded): a header image, not a
#: photo; every customer page and the bundle's own size carry it.
MAX_LOGO_BYTES = 64 * 1024
