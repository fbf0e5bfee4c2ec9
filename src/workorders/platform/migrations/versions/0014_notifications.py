"""the notification delivery log, customer opt-outs and staff preferences (issue 16)

``notifications`` holds one row per message per recipient per channel, written in
the transaction of the change that causes it and moved on by its delivery job;
``notification_optouts`` the customer addresses that want no status messages;
``notification_preferences`` how each staff member wants each kind of message.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 19:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from workorders.platform.models.types import UTCDateTime

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'notifications',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('tenant_id', sa.Integer(), sa.ForeignKey('tenants.id', ondelete='CASCADE'),
                  nullable=False),
        sa.Column('case_id', sa.Integer(), sa.ForeignKey('cases.id', ondelete='CASCADE'),
                  nullable=True),
        sa.Column('source', sa.String(length=120), nullable=False),
        sa.Column('template', sa.String(length=64), nullable=False),
        sa.Column('channel', sa.String(length=16), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('audience', sa.String(length=16), nullable=False),
        sa.Column('recipient_name', sa.String(length=200), nullable=False),
        sa.Column('address', sa.String(length=254), nullable=False),
        sa.Column('user_id', sa.Integer(), sa.ForeignKey('users.id', ondelete='CASCADE'),
                  nullable=True),
        sa.Column('locale', sa.String(length=35), nullable=True),
        sa.Column('subject', sa.Text(), nullable=True),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('error', sa.Text(), nullable=True),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('dedupe_key', sa.String(length=240), nullable=False),
        sa.Column('job_id', sa.Integer(), nullable=True),
        sa.Column('message_id', sa.String(length=250), nullable=True),
        sa.Column('send_after', UTCDateTime(), nullable=True),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('updated_at', UTCDateTime(), nullable=False),
        sa.Column('sent_at', UTCDateTime(), nullable=True),
        sa.Column('read_at', UTCDateTime(), nullable=True),
        sa.UniqueConstraint('dedupe_key'),
    )
    op.create_index('ix_notifications_tenant_created', 'notifications',
                    ['tenant_id', 'created_at'])
    op.create_index('ix_notifications_case', 'notifications', ['case_id', 'created_at'])
    op.create_index('ix_notifications_unread', 'notifications',
                    ['user_id', 'tenant_id', 'read_at'])
    op.create_table(
        'notification_optouts',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('tenant_id', sa.Integer(), sa.ForeignKey('tenants.id', ondelete='CASCADE'),
                  nullable=False),
        sa.Column('address', sa.String(length=254), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.UniqueConstraint('tenant_id', 'address'),
    )
    op.create_table(
        'notification_preferences',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('membership_id', sa.Integer(),
                  sa.ForeignKey('memberships.id', ondelete='CASCADE'), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('email', sa.Boolean(), nullable=False),
        sa.Column('in_app', sa.Boolean(), nullable=False),
        sa.UniqueConstraint('membership_id', 'kind'),
    )


def downgrade() -> None:
    op.drop_table('notification_preferences')
    op.drop_table('notification_optouts')
    op.drop_index('ix_notifications_unread', table_name='notifications')
    op.drop_index('ix_notifications_case', table_name='notifications')
    op.drop_index('ix_notifications_tenant_created', table_name='notifications')
    op.drop_table('notifications')
