"""Rules: compile a bundle's rule conditions and evaluate fact documents.

Pure core (no web, database or queue). durable-rules decides which rules fire
(``engine="durable"``, the default) or the pure-Python evaluator does
(``engine="python"``, e.g. where durable-rules cannot load); both share one
semantics (docs/rules-engine.md) and the Python evaluator writes the traces.
Only ``workorders.rules.engine`` imports durable-rules, and only when the
durable engine is chosen.
"""

from workorders.rules.api import CompiledRules, RulesEngine, compile_rules, content_hash, evaluate
from workorders.rules.errors import RuleCompileError, RuleEngineError
from workorders.rules.model import Evaluation, RuleSpec, TraceEntry
from workorders.rules.trace import describe

__all__ = [
    "CompiledRules", "Evaluation", "RuleCompileError", "RuleEngineError", "RuleSpec",
    "RulesEngine", "TraceEntry", "compile_rules", "content_hash", "describe", "evaluate",
]
