"""rule outcomes

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 18:13:41.814831
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import workorders.platform.models.types as wt

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('approvals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('rule_id', sa.String(length=63), nullable=False),
    sa.Column('approver', sa.String(length=300), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('trigger', sa.String(length=80), nullable=False),
    sa.Column('scope', sa.String(length=120), nullable=False),
    sa.Column('trace', wt.JSONType, nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('decided_by', sa.String(length=254), nullable=True),
    sa.Column('decided_at', wt.UTCDateTime(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', wt.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('approvals', schema=None) as batch_op:
        batch_op.create_index('ix_approvals_case', ['tenant_id', 'case_id', 'rule_id'], unique=False)
        batch_op.create_index('ix_approvals_inbox', ['tenant_id', 'status'], unique=False)

    op.create_table('case_exceptions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('rule_id', sa.String(length=63), nullable=True),
    sa.Column('code', sa.String(length=80), nullable=False),
    sa.Column('severity', sa.String(length=16), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('assign_role', sa.String(length=40), nullable=True),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('trigger', sa.String(length=80), nullable=False),
    sa.Column('scope', sa.String(length=120), nullable=False),
    sa.Column('trace', wt.JSONType, nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('closed_by', sa.String(length=254), nullable=True),
    sa.Column('closed_at', wt.UTCDateTime(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', wt.UTCDateTime(), nullable=False),
    sa.Column('updated_at', wt.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['assignee_id'], ['users.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('case_exceptions', schema=None) as batch_op:
        batch_op.create_index('ix_case_exceptions_case', ['tenant_id', 'case_id', 'rule_id'], unique=False)
        batch_op.create_index('ix_case_exceptions_queue', ['tenant_id', 'status', 'severity'], unique=False)

    op.create_table('invoice_blocks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('rule_id', sa.String(length=63), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('scope', sa.String(length=120), nullable=False),
    sa.Column('trace', wt.JSONType, nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('created_at', wt.UTCDateTime(), nullable=False),
    sa.Column('closed_at', wt.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('invoice_blocks', schema=None) as batch_op:
        batch_op.create_index('ix_invoice_blocks_case', ['tenant_id', 'case_id', 'status'], unique=False)

    op.create_table('rule_evaluations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=True),
    sa.Column('trigger', sa.String(length=80), nullable=False),
    sa.Column('engine', sa.String(length=16), nullable=False),
    sa.Column('result', wt.JSONType, nullable=False),
    sa.Column('created_at', wt.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('rule_evaluations', schema=None) as batch_op:
        batch_op.create_index('ix_rule_evaluations_case', ['tenant_id', 'case_id'], unique=False)

    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('routing', wt.JSONType, nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_column('routing')

    with op.batch_alter_table('rule_evaluations', schema=None) as batch_op:
        batch_op.drop_index('ix_rule_evaluations_case')

    op.drop_table('rule_evaluations')
    with op.batch_alter_table('invoice_blocks', schema=None) as batch_op:
        batch_op.drop_index('ix_invoice_blocks_case')

    op.drop_table('invoice_blocks')
    with op.batch_alter_table('case_exceptions', schema=None) as batch_op:
        batch_op.drop_index('ix_case_exceptions_queue')
        batch_op.drop_index('ix_case_exceptions_case')

    op.drop_table('case_exceptions')
    with op.batch_alter_table('approvals', schema=None) as batch_op:
        batch_op.drop_index('ix_approvals_inbox')
        batch_op.drop_index('ix_approvals_case')

    op.drop_table('approvals')
