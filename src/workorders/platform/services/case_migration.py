"""Moving open cases to the published definition version: checking and planning.

``dry_run`` answers the report and writes nothing; ``case_migration_apply``
moves the migratable cases, one transaction each, from the same plan. Which
cases: the tenant's open cases (their state is not final in their own version)
that are not on the target version yet, narrowed by ``from_versions``,
``case_types`` and ``case_ids``; so running the same migration again finds
nothing left to do. Only the published version is a target: a draft may still
change under the cases, a retired version takes no new work.

Every case is planned by the pure ``definitions.migration_plan.plan_case``, fed
with the case's latest reports, its open outcomes and its invoices, read in a
few queries per batch rather than per case.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import CompoundSelect, literal, select, union_all

from workorders.definitions.migration_plan import (
    CaseFacts,
    CasePlan,
    MigrationRequest,
    OpenOutcome,
    plan_case,
    request_problems,
)
from workorders.definitions.model import Bundle, CaseType, Form
from workorders.definitions.money import decimal_text, round_money
from workorders.errors import Conflict, NotFound, ValidationFailed
from workorders.forms import compute_totals, validate_submission
from workorders.platform.extensions import db
from workorders.platform.input_guard import MAX_ID
from workorders.platform.models import (
    Approval,
    ApprovalStatus,
    Case,
    CaseException,
    DefinitionVersion,
    ExceptionStatus,
    Export,
    ExportKind,
    InvoiceBlock,
    Submission,
    VersionStatus,
)
from workorders.platform.services.case_state import FINAL_KINDS
from workorders.platform.services.definitions import bundle_of, get_version, list_versions
from workorders.platform.services.json_input import validate

BATCH = 500  # cases whose rows are read together
_ID = "^[a-z][a-z0-9_]{0,62}$"
_NUMBER = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
#: the request, for the API (its documented body) and the CLI alike
MIGRATE_SCHEMA: dict[str, Any] = {
    "type": "object", "additionalProperties": False, "required": ["dry_run"],
    "properties": {
        "from_versions": {"type": "array", "items": _NUMBER, "maxItems": 1000,
                          "description": "only cases on these versions (default: all)"},
        "case_types": {"type": "array", "items": {"type": "string", "pattern": _ID},
                       "maxItems": 100, "description": "only cases of these types"},
        "case_ids": {"type": "array", "items": _NUMBER, "maxItems": 10000,
                     "description": "only these cases"},
        "state_map": {"type": "object", "propertyNames": {"pattern": _ID},
                      "additionalProperties": {"type": "string", "pattern": _ID},
                      "description": "old state id -> new state id; unlisted states keep "
                                     "their id"},
        "field_map": {"type": "object", "propertyNames": {"pattern": _ID},
                      "additionalProperties": {"type": ["string", "null"], "pattern": _ID},
                      "description": "old case field id -> new field id, or null to drop "
                                     "its value"},
        "dry_run": {"type": "boolean", "description": "true: only report, write nothing"},
        "comment": {"type": "string", "maxLength": 2000,
                    "description": "why the cases move; required unless dry_run"},
    },
}


@dataclass(frozen=True)
class Migration:
    """A checked request: the target version and what to move, and how."""

    tenant_id: int
    target_id: int
    number: int
    bundle: Bundle
    request: MigrationRequest
    from_versions: tuple[int, ...] | None = None
    case_types: tuple[str, ...] | None = None
    case_ids: tuple[int, ...] | None = None
    comment: str = ""


@dataclass
class CaseReport:
    case_id: int
    number: str
    from_version: int
    from_state: str
    case_version: int
    plan: CasePlan
    outcome: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"case_id": self.case_id, "number": self.number,
                "from_version": self.from_version, "from_state": self.from_state,
                **self.plan.to_dict(), **self.outcome}


def check_form(form: Form, bundle: Bundle, data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """How a final submission of ``data`` to ``form`` would be refused."""
    return [(e.path, e.message)
            for e in validate_submission(form, bundle, dict(data), draft=False).errors]


def price(bundle: Bundle, case_type: CaseType,
          reports: Mapping[str, Mapping[str, Any]]) -> list[dict[str, str]]:
    """The invoice lines (billable ones: what an invoice carries) the reports make."""
    pairs = [(form, reports[form.id]) for form in bundle.forms_of(case_type.id)
             if form.id in reports]
    def money(value: Decimal) -> str:
        return decimal_text(round_money(value, bundle.currency))

    return [{"description": line.description, "quantity": decimal_text(line.quantity),
             "unit": line.unit, "unit_price": money(line.unit_price),
             "vat": decimal_text(line.vat_rate), "net": money(line.net)}
            for line in compute_totals(pairs, bundle).lines if line.billable]


def prepare(tenant_id: int, number: int, body: Mapping[str, Any]) -> Migration:
    """The request checked against the tenant's versions: 404 for an unknown version or
    case, 409 when the target is not the published version, 422 for a bad map."""
    validate(body, MIGRATE_SCHEMA)
    target = get_version(tenant_id, number)
    if target.status != VersionStatus.PUBLISHED.value:
        raise Conflict(f"version {number} is {target.status}: cases move only to the "
                       "published version; publish it first")
    bundle = bundle_of(target)
    request = MigrationRequest(state_map=dict(body.get("state_map") or {}),
                               field_map=dict(body.get("field_map") or {}))
    versions = {v.number: v for v in list_versions(tenant_id)}
    errors = _selection_problems(bundle, versions, body)
    sources = [bundle_of(versions[n]) for n in (body.get("from_versions") or versions)
               if n in versions and n != number]
    errors += request_problems(bundle, sources, request, number)
    if errors:
        raise ValidationFailed("the migration request has errors; nothing was changed", errors)
    case_ids = body.get("case_ids")
    if case_ids:
        _require_cases(tenant_id, case_ids)
    return Migration(tenant_id=tenant_id, target_id=target.id, number=number, bundle=bundle,
                     request=request,
                     from_versions=_tuple(body.get("from_versions")),
                     case_types=_tuple(body.get("case_types")),
                     case_ids=_tuple(case_ids), comment=str(body.get("comment") or "").strip())


def _tuple(value: Iterable[Any] | None) -> tuple[Any, ...] | None:
    return tuple(value) if value else None


def _selection_problems(bundle: Bundle, versions: Mapping[int, DefinitionVersion],
                        body: Mapping[str, Any]) -> list[dict[str, str]]:
    errors = [{"path": f"/from_versions/{i}",
               "message": f"there is no version {n}; the versions are: "
                          f"{', '.join(str(v) for v in sorted(versions))}"}
              for i, n in enumerate(body.get("from_versions") or []) if n not in versions]
    known = [c.id for c in bundle.case_types]
    errors += [{"path": f"/case_types/{i}",
                "message": f"'{c}' is not a case type of the target version; its case types "
                           f"are: {', '.join(known)}"}
               for i, c in enumerate(body.get("case_types") or []) if c not in known]
    return errors


def _require_cases(tenant_id: int, case_ids: Sequence[int]) -> None:
    found = set(db.session.execute(select(Case.id).where(
        Case.tenant_id == tenant_id, Case.id.in_(list(case_ids)))).scalars())
    missing = [i for i in case_ids if i not in found]
    if missing:
        raise NotFound(f"case {missing[0]} not found")


def selected_cases(migration: Migration) -> list[Case]:
    """The open cases the migration would move, oldest first."""
    stmt = select(Case).where(Case.tenant_id == migration.tenant_id,
                              Case.definition_version_id != migration.target_id)
    if migration.from_versions:
        stmt = stmt.join(DefinitionVersion, DefinitionVersion.id == Case.definition_version_id) \
            .where(DefinitionVersion.number.in_(migration.from_versions))
    if migration.case_types:
        stmt = stmt.where(Case.case_type.in_(migration.case_types))
    if migration.case_ids:
        stmt = stmt.where(Case.id.in_(migration.case_ids))
    cases = db.session.execute(stmt.order_by(Case.id)).scalars()
    return [c for c in cases if _is_open(c)]


def _is_open(case: Case) -> bool:
    case_type = bundle_of(case.definition).case_type(case.case_type)
    state = case_type.lifecycle.state(case.status) if case_type else None
    return state is None or not state.final


def case_facts(cases: Sequence[Case]) -> dict[int, CaseFacts]:
    """What the planner needs of each case, read in four queries for the whole batch."""
    ids = [c.id for c in cases]
    reports: dict[int, dict[str, dict[str, Any]]] = {i: {} for i in ids}
    drafts: dict[int, set[str]] = {i: set() for i in ids}
    for sub in db.session.execute(select(Submission.case_id, Submission.form_id,
                                         Submission.kind, Submission.data)
                                  .where(Submission.case_id.in_(ids))
                                  .order_by(Submission.revision)):
        if sub.kind in FINAL_KINDS:
            reports[sub.case_id][sub.form_id] = sub.data  # the highest revision wins
        else:
            drafts[sub.case_id].add(sub.form_id)
    outcomes = _open_outcomes(ids)
    invoiced: dict[int, dict[str, list[str]]] = {i: {} for i in ids}
    for row in db.session.execute(select(Export.case_id, Export.connector_id,
                                         Export.invoice_number)
                                  .where(Export.case_id.in_(ids),
                                         Export.kind == ExportKind.INVOICE.value)
                                  .order_by(Export.id)):
        invoiced[row.case_id].setdefault(row.connector_id, []).append(row.invoice_number)
    return {c.id: CaseFacts(
        case_type=c.case_type, state=c.status, fields=dict(c.fields or {}),
        reports=reports[c.id], drafts=tuple(sorted(drafts[c.id] - set(reports[c.id]))),
        open_outcomes=tuple(outcomes[c.id]),
        invoiced_by={k: tuple(v) for k, v in invoiced[c.id].items()}) for c in cases}


def _open_outcomes(ids: list[int]) -> dict[int, list[OpenOutcome]]:
    """Open exceptions, pending approvals and active blocks, in one query."""
    out: dict[int, list[OpenOutcome]] = {i: [] for i in ids}
    rows: CompoundSelect[Any] = union_all(
        select(literal("exception").label("kind"), CaseException.case_id,
               CaseException.rule_id, CaseException.code.label("label"))
        .where(CaseException.case_id.in_(ids),
               CaseException.status == ExceptionStatus.OPEN.value),
        select(literal("approval"), Approval.case_id, Approval.rule_id, Approval.reason)
        .where(Approval.case_id.in_(ids), Approval.status == ApprovalStatus.PENDING.value),
        select(literal("block"), InvoiceBlock.case_id, InvoiceBlock.rule_id, InvoiceBlock.reason)
        .where(InvoiceBlock.case_id.in_(ids), InvoiceBlock.status == "active"))
    for row in db.session.execute(rows):
        out[row.case_id].append(OpenOutcome(row.kind, row.rule_id, row.label))
    return out


def plan_one(migration: Migration, case: Case, facts: CaseFacts) -> CasePlan:
    return plan_case(bundle_of(case.definition), migration.bundle, facts, migration.request,
                     new_version=migration.number, check_form=check_form, price=price)


def plan_cases(migration: Migration, cases: Sequence[Case]) -> list[CaseReport]:
    reports: list[CaseReport] = []
    for start in range(0, len(cases), BATCH):
        batch = cases[start:start + BATCH]
        facts = case_facts(batch)
        reports += [CaseReport(case_id=c.id, number=c.number, from_version=c.definition.number,
                               from_state=c.status, case_version=c.version,
                               plan=plan_one(migration, c, facts[c.id])) for c in batch]
    return reports


def report_of(migration: Migration, cases: Sequence[CaseReport]) -> dict[str, Any]:
    migratable = sum(1 for c in cases if c.plan.migratable)
    return {"to_version": migration.number,
            "totals": {"cases": len(cases), "migratable": migratable,
                       "not_migratable": len(cases) - migratable},
            "cases": [c.to_dict() for c in cases]}


def dry_run(tenant_id: int, number: int, body: Mapping[str, Any]) -> dict[str, Any]:
    """The report of what a migration would do; nothing is written."""
    migration = prepare(tenant_id, number, body)
    report = report_of(migration, plan_cases(migration, selected_cases(migration)))
    db.session.rollback()  # only reads happened; end them
    return report
