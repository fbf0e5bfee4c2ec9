"""Upgrading to editable drafts (migration 0013): versions stored before it start
at revision 1, based on nothing named, with no unsaved text and no comment, and
the upgrade runs again cleanly after a downgrade."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command

from tests.support.world import World


def test_versions_stored_before_0013_start_at_revision_1(world: World) -> None:
    from workorders.platform.extensions import db
    from workorders.platform.migrate import alembic_config, upgrade_database
    from workorders.platform.models.types import JSONType, UTCDateTime, utcnow

    with world.app.app_context():
        engine = db.engine
        with engine.begin() as conn:
            cfg = alembic_config()
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0012")
        # the table as 0012 left it: none of 0013's columns
        old = sa.Table("definition_versions", sa.MetaData(),
                       sa.Column("id", sa.Integer, primary_key=True),
                       sa.Column("tenant_id", sa.Integer), sa.Column("number", sa.Integer),
                       sa.Column("status", sa.String), sa.Column("source_text", sa.Text),
                       sa.Column("source_format", sa.String),
                       sa.Column("normalized", JSONType), sa.Column("content_hash", sa.String),
                       sa.Column("name", sa.String), sa.Column("warnings", JSONType),
                       sa.Column("author", sa.String), sa.Column("created_at", UTCDateTime))
        with engine.begin() as conn:
            conn.execute(old.insert().values(
                tenant_id=world.a.tenant_id, number=1, status="draft", source_text="name: x",
                source_format="yaml", normalized={"name": "x"}, content_hash="0" * 64,
                name="x", warnings=[], author="admin@alpha.test", created_at=utcnow()))
        upgrade_database(engine)
        with engine.connect() as conn:
            row = conn.execute(sa.text(
                "SELECT revision, working_text, publish_comment, based_on "
                "FROM definition_versions WHERE number = 1")).one()
    assert tuple(row) == (1, None, None, "")
