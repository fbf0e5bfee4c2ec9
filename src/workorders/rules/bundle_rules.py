"""From a bundle to compiled rules: which rules run for a case type and trigger.

``Rule.on`` semantics (the model has already applied the format's default of
``[submit, correct]``): a rule runs on a trigger it lists, for the case types it
lists (none listed = every case type), in bundle order. Triggers are
``submit``, ``correct`` (which runs the ``submit`` rules too: a correction is
evaluated like a submission), ``migrate`` (a case moved to another version: its
``submit`` rules run too, see ``platform.services.case_migration_apply``),
``draft`` (stored outcomes only from rules that list it; every draft is
otherwise only previewed), ``transition:<id>`` and ``enter:<state>``.

Compiled rule sets are cached per process (in ``api``'s bounded cache) under a
key that can never name two different rule lists: tenant, version, case type,
trigger and the bundle's content hash. durable-rules cannot replace a ruleset,
so the ruleset name (which ``compile_rules`` extends with a hash of the specs
themselves) must be immutable per content; a republished bundle gets a new
name, never a replaced ruleset.
"""

from __future__ import annotations

import re

from workorders.definitions.model import Bundle
from workorders.definitions.vocabulary import FIXED_TRIGGERS
from workorders.rules.api import CompiledRules, EngineName, compile_rules, recall, remember
from workorders.rules.errors import RuleEngineError
from workorders.rules.model import RuleSpec

#: the fixed triggers come from the vocabulary, so a new one is known here too
_TRIGGER = re.compile(rf"^({'|'.join(FIXED_TRIGGERS)}|(transition|enter):[a-z][a-z0-9_]{{0,62}})$")


def check_trigger(trigger: str) -> str:
    """``trigger`` itself, or RuleEngineError when it is not one of these forms."""
    if not isinstance(trigger, str) or not _TRIGGER.match(trigger):
        raise RuleEngineError(f"unknown trigger {trigger!r}: use {', '.join(FIXED_TRIGGERS)}, "
                              "transition:<id> or enter:<state>")
    return trigger


def rule_specs(bundle: Bundle, case_type_id: str, trigger: str) -> list[RuleSpec]:
    """The rules that run for this case type on this trigger, in bundle order."""
    check_trigger(trigger)
    return [RuleSpec(rule.id, rule.when) for rule in bundle.rules_for(case_type_id, trigger)]


def ruleset_namespace(tenant_key: str, version: str, case_type_id: str, trigger: str,
                      content_hash: str) -> str:
    """``<tenant>/<version>/<case type>/<trigger>/<content hash>``, e.g.
    ``acme/v12/installation/transition.start/3f2a...``. ``:`` and ``#`` are
    reserved by ``compile_rules`` and the engine's chunk names, ``/`` separates."""
    parts = (tenant_key, version, case_type_id, trigger.replace(":", "."), content_hash[:16])
    for part in parts:
        if not part or any(c in part for c in ":#/"):
            raise RuleEngineError(f"cannot name a ruleset with {part!r}")
    return "/".join(parts)


def compiled_rules_for(bundle: Bundle, content_hash: str, tenant_key: str, case_type_id: str,
                       trigger: str, engine: EngineName = "durable", *,
                       version: str | int = "current") -> CompiledRules:
    """The compiled rules of one (tenant, version, case type, trigger), cached.

    ``content_hash`` is the bundle's hash (``definitions.content_hash``): it is the
    version's identity, so the cache can never hand out a stale rule list even
    when a caller reuses a version label. The first call per key compiles (and,
    for durable-rules, creates the rulesets lazily on first evaluation).
    """
    key = ("bundle", tenant_key, str(version), content_hash, case_type_id, trigger, engine)
    found = recall(key)
    if found is not None:
        return found
    namespace = ruleset_namespace(tenant_key, str(version), case_type_id, trigger,
                                  content_hash)
    compiled = compile_rules(namespace, rule_specs(bundle, case_type_id, trigger), engine)
    remember(key, compiled)
    return compiled
