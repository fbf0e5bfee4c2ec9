"""cases, counters, idempotency, imports

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 17:51:19.491249
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import workorders.platform.models.types as wt

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('case_counters',
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('prefix', sa.String(length=20), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'prefix', 'year')
    )
    op.create_table('case_imports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('file_sha256', sa.String(length=64), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('total_rows', sa.Integer(), nullable=False),
    sa.Column('processed_rows', sa.Integer(), nullable=False),
    sa.Column('created', sa.Integer(), nullable=False),
    sa.Column('skipped', sa.Integer(), nullable=False),
    sa.Column('errors', wt.JSONType, nullable=False),
    sa.Column('author', sa.String(length=254), nullable=False),
    sa.Column('created_at', wt.UTCDateTime(), nullable=False),
    sa.Column('finished_at', wt.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('case_imports', schema=None) as batch_op:
        batch_op.create_index('ix_case_imports_file', ['tenant_id', 'file_sha256'], unique=False)

    op.create_table('idempotency_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=200), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('request_hash', sa.String(length=64), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=True),
    sa.Column('response_body', sa.Text(), nullable=True),
    sa.Column('response_type', sa.String(length=100), nullable=True),
    sa.Column('created_at', wt.UTCDateTime(), nullable=False),
    sa.Column('expires_at', wt.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('tenant_id', 'scope', 'key')
    )
    with op.batch_alter_table('idempotency_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_idempotency_records_expires_at'), ['expires_at'], unique=False)

    op.create_table('cases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('definition_version_id', sa.Integer(), nullable=False),
    sa.Column('case_type', sa.String(length=63), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('customer', wt.JSONType, nullable=False),
    sa.Column('site', wt.JSONType, nullable=False),
    sa.Column('customer_name', sa.String(length=200), nullable=False),
    sa.Column('scheduled_start', wt.UTCDateTime(), nullable=True),
    sa.Column('scheduled_end', wt.UTCDateTime(), nullable=True),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('fields', wt.JSONType, nullable=False),
    sa.Column('status', sa.String(length=63), nullable=False),
    sa.Column('status_changed_at', wt.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.String(length=254), nullable=False),
    sa.Column('created_at', wt.UTCDateTime(), nullable=False),
    sa.Column('updated_at', wt.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['assignee_id'], ['users.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['definition_version_id'], ['definition_versions.id'], ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('tenant_id', 'number')
    )
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index('ix_cases_assignee', ['tenant_id', 'assignee_id', 'status'], unique=False)
        batch_op.create_index('ix_cases_board', ['tenant_id', 'case_type', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_customer_name'), ['customer_name'], unique=False)
        batch_op.create_index('ix_cases_tenant_id_desc', ['tenant_id', 'id'], unique=False)

    op.create_table('imported_rows',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('file_sha256', sa.String(length=64), nullable=False),
    sa.Column('row', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('tenant_id', 'file_sha256', 'row')
    )


def downgrade() -> None:
    op.drop_table('imported_rows')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_tenant_id_desc')
        batch_op.drop_index(batch_op.f('ix_cases_customer_name'))
        batch_op.drop_index('ix_cases_board')
        batch_op.drop_index('ix_cases_assignee')

    op.drop_table('cases')
    with op.batch_alter_table('idempotency_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_idempotency_records_expires_at'))

    op.drop_table('idempotency_records')
    with op.batch_alter_table('case_imports', schema=None) as batch_op:
        batch_op.drop_index('ix_case_imports_file')

    op.drop_table('case_imports')
    op.drop_table('case_counters')
