"""definition versions

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 17:47:41.900543
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import workorders.platform.models.types as wt

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('definition_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('source_text', sa.Text(), nullable=False),
    sa.Column('source_format', sa.String(length=8), nullable=False),
    sa.Column('normalized', wt.JSONType, nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('warnings', wt.JSONType, nullable=False),
    sa.Column('author', sa.String(length=254), nullable=False),
    sa.Column('created_at', wt.UTCDateTime(), nullable=False),
    sa.Column('published_at', wt.UTCDateTime(), nullable=True),
    sa.Column('published_by', sa.String(length=254), nullable=True),
    sa.Column('retired_at', wt.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('tenant_id', 'number')
    )
    with op.batch_alter_table('definition_versions', schema=None) as batch_op:
        batch_op.create_index('ix_definition_versions_status', ['tenant_id', 'status'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('definition_versions', schema=None) as batch_op:
        batch_op.drop_index('ix_definition_versions_status')

    op.drop_table('definition_versions')
