"""case-wide rule outcomes (issue 12 item 2)

Until 0012 a form-reading rule kept one outcome per form (scope ``form:<id>``) and
other rules one per trigger (scope = the trigger's name). Outcomes are now one per
case (scope ``case``) unless a rule says ``per: form``, which no stored bundle could
say before this revision. Without this step the runtime would never reconcile the
old rows again (it looks for scope ``case``), and a case could keep two open
MISSING_SIGNATURE exceptions for good. So every old scope becomes ``case``, and where
one case holds several open outcomes of one rule, the newest stays open and the
older ones are closed by rule, with a note saying why.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 06:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import workorders.platform.models.types as wt

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

CLOSED_BY = "upgrade 0012 (an older duplicate of a case-wide outcome)"

#: table, its open status, how it is closed, the columns that make one outcome
_OUTCOMES = (
    ("case_exceptions", "open",
     "status = 'resolved_by_rule', closed_at = :now, closed_by = :by", ("rule_id", "code")),
    ("approvals", "pending",
     "status = 'resolved_by_rule', decided_at = :now, decided_by = :by", ("rule_id",)),
    ("invoice_blocks", "active",
     "status = 'resolved_by_rule', closed_at = :now", ("rule_id",)),
)


def upgrade() -> None:
    now = sa.bindparam("now", value=wt.utcnow(), type_=wt.UTCDateTime())
    for table, open_status, close, same in _OUTCOMES:
        op.execute(sa.text(f"UPDATE {table} SET scope = 'case' WHERE scope <> 'case'"))
        newer = " AND ".join(f"newer.{column} = {table}.{column}" for column in same)
        statement = sa.text(
            f"UPDATE {table} SET {close} WHERE status = :open AND EXISTS ("
            f"SELECT 1 FROM {table} AS newer WHERE newer.case_id = {table}.case_id "
            f"AND {newer} AND newer.status = :open AND newer.id > {table}.id)")
        params = [now, sa.bindparam("open", value=open_status)]
        if ":by" in close:
            params.append(sa.bindparam("by", value=CLOSED_BY))
        op.execute(statement.bindparams(*params))


def downgrade() -> None:
    """The old per-form scopes are not kept, so there is nothing to restore: after a
    downgrade the older code no longer reconciles these rows by itself, and people
    resolve them in the queue."""
