"""keyed audit chain heads, notification throttling (issue 11)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 05:10:00

The existing audit rows keep their unkeyed hashes here: a migration does not know
the instance secret key. ``workorders init`` seals them with the key right after
this revision is applied (see ``services/audit_seal.py``).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import workorders.platform.models.types as wt

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_heads',
    sa.Column('tenant_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('last_hash', sa.String(length=64), nullable=False),
    sa.Column('mac', sa.String(length=64), nullable=False),
    sa.Column('updated_at', wt.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('tenant_id')
    )
    op.create_table('notification_sends',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('recipient', sa.String(length=254), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=True),
    sa.Column('at', wt.UTCDateTime(), nullable=False),
    sa.Column('throttled', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('notification_sends', schema=None) as batch_op:
        batch_op.create_index('ix_notification_sends_recipient',
                              ['tenant_id', 'recipient', 'at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('notification_sends', schema=None) as batch_op:
        batch_op.drop_index('ix_notification_sends_recipient')

    op.drop_table('notification_sends')
    op.drop_table('audit_heads')
