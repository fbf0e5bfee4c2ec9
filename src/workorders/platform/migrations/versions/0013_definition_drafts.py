"""editable drafts and publish comments (issue 13)

A draft is now edited in place from the browser: ``revision`` counts its saves
(the ETag an editor must send back, so two admins never overwrite each other
silently), ``working_text`` holds autosaved text that does not validate yet (the
stored bundle itself stays the last valid text), ``publish_comment`` says why a
version was published and ``based_on`` where a draft's text came from. Existing
versions start at revision 1, based on nothing named.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 07:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('definition_versions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revision', sa.Integer(), nullable=False,
                                      server_default='1'))
        batch_op.add_column(sa.Column('working_text', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('publish_comment', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('based_on', sa.String(length=200), nullable=False,
                                      server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('definition_versions', schema=None) as batch_op:
        batch_op.drop_column('based_on')
        batch_op.drop_column('publish_comment')
        batch_op.drop_column('working_text')
        batch_op.drop_column('revision')
