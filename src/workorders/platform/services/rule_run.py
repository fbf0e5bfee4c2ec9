"""One run of a case's rules on a trigger, as one object every step reads.

Before, the runtime handed the session, the actor, the loaded case, the trigger,
the scope, the trace, the fingerprint and the report from function to function
as six to twelve positional arguments, in two different orders. A ``RuleRun``
holds what is fixed for the run (who, which case, which trigger, which
submission, what ``previous.*`` reads, how deep in rule-made transitions), and
a ``Judgement`` what is fixed per outcome (its scope, the trace of the rule that
asked for it and that trace's fingerprint).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from sqlalchemy.orm import Session

from workorders.definitions.model import Bundle, CaseType
from workorders.platform.actor import Actor
from workorders.platform.models import Case, Submission
from workorders.platform.services.case_context import LoadedCase


@dataclass
class Report:
    """What a run did, in the words the API answers with (``evaluation``)."""

    fired: list[dict[str, Any]] = field(default_factory=list)
    exceptions_opened: list[dict[str, Any]] = field(default_factory=list)
    exceptions_closed: list[dict[str, Any]] = field(default_factory=list)
    approvals_requested: list[dict[str, Any]] = field(default_factory=list)
    approvals_closed: list[dict[str, Any]] = field(default_factory=list)
    blocks: list[dict[str, Any]] = field(default_factory=list)
    transitions: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {k: list(v) for k, v in self.__dict__.items()}


@dataclass
class RuleRun:
    """The rules of ``loaded`` evaluated on ``trigger``, inside ``session``'s transaction."""

    session: Session
    loaded: LoadedCase
    trigger: str
    actor: Actor | None = None
    submission: Submission | None = None
    #: ``rule_facts.case_dict`` of the case before a reschedule: what ``previous.*`` reads
    previous: dict[str, Any] | None = None
    report: Report = field(default_factory=Report)
    #: how many rule-made transitions led here (a rule's transition runs rules again)
    depth: int = 0

    @property
    def case(self) -> Case:
        return self.loaded.case

    @property
    def bundle(self) -> Bundle:
        return self.loaded.bundle

    @property
    def case_type(self) -> CaseType:
        return self.loaded.case_type

    @cached_property
    def facts(self) -> dict[str, Any]:
        """The fact document the rules see (case, form, totals, actor, previous)."""
        from workorders.platform.services.rule_facts import fact_document

        return fact_document(self.loaded, self.actor, self.submission, self.previous)

    def followed_by(self, trigger: str) -> RuleRun:
        """The run a rule-made transition starts: same case and report, one level deeper,
        by nobody (the system moved the case)."""
        return RuleRun(self.session, self.loaded, trigger, report=self.report,
                       depth=self.depth + 1)


@dataclass(frozen=True)
class Judgement:
    """Why one outcome is asked for: which evaluations may reconcile it (``scope``),
    the trace of its rule, and what the rule saw (``fingerprint``)."""

    scope: str
    trace: list[dict[str, Any]]
    fingerprint: str
