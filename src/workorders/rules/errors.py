"""Named errors of the rules package.

The platform maps any ``RuleEngineError`` to "fail closed": the case is flagged
for review instead of being treated as "no rule fired".
"""

from __future__ import annotations

from workorders.errors import WorkordersError


class RuleEngineError(WorkordersError):
    """Evaluation could not be completed or proven complete; never means "nothing fired"."""


class RuleCompileError(RuleEngineError):
    """A rule cannot be compiled within the engine's limits; ``rule_id`` names it."""

    def __init__(self, message: str, rule_id: str | None = None) -> None:
        super().__init__(f"rule {rule_id}: {message}" if rule_id else message)
        self.rule_id = rule_id


class TemplateRenderError(WorkordersError):
    """An admin-written template failed at run time; its action becomes ``action_failed``.

    Not a RuleEngineError: the rules still decided correctly, only one action's
    text could not be produced, and the submission must be kept.
    """
