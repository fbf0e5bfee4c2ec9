"""case board and search indexes

The board reads each column's oldest cards straight from (tenant, case type,
status, time in state); text search on PostgreSQL uses trigram indexes instead
of scanning the tenant's cases (benchmarks/bench_cases.py has the figures).

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_board")
        batch_op.create_index("ix_cases_board_age",
                              ["tenant_id", "case_type", "status", "status_changed_at"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute("CREATE INDEX ix_cases_search_trgm ON cases USING gin "
                   "(number gin_trgm_ops, title gin_trgm_ops, customer_name gin_trgm_ops)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_cases_search_trgm")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_board_age")
        batch_op.create_index("ix_cases_board", ["tenant_id", "case_type", "status"])
