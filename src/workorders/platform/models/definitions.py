"""Definition versions: a tenant's bundles, numbered per tenant.

The source text is kept exactly as the admin wrote it (comments and all) beside
the normalized JSON the platform runs. A published version is never changed;
publishing another retires it. Cases pin the version they were created under.

A draft is edited in place: every save bumps ``revision`` (its ETag). Text that
does not validate yet is kept in ``working_text`` so autosave never loses typing,
while ``source_text``, ``normalized`` and ``content_hash`` always describe the
draft's last VALID text (services/definition_drafts.py).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, column_property, mapped_column

from workorders.platform.extensions import Base
from workorders.platform.models.types import JSONType, UTCDateTime, utcnow


class VersionStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    RETIRED = "retired"


class DefinitionVersion(Base):
    __tablename__ = "definition_versions"
    __table_args__ = (
        UniqueConstraint("tenant_id", "number"),
        Index("ix_definition_versions_status", "tenant_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column()
    status: Mapped[str] = mapped_column(String(16), default=VersionStatus.DRAFT.value)
    # deferred: every case loads its pinned version, but the bundle itself is
    # parsed once per process (services.definitions.bundle_of) by content hash
    source_text: Mapped[str] = mapped_column(Text, deferred=True)
    source_format: Mapped[str] = mapped_column(String(8))
    normalized: Mapped[dict[str, Any]] = mapped_column(JSONType, deferred=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200), default="")
    warnings: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list,
                                                           deferred=True)
    author: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    published_by: Mapped[str | None] = mapped_column(String(254), nullable=True)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    #: 1 at creation, +1 on every save of a draft; the ETag is ``"r<revision>"``
    revision: Mapped[int] = mapped_column(default=1, server_default="1")
    #: a draft's autosaved text when it does NOT validate; None when source_text is
    #: the current text (deferred: it may be as large as the bundle)
    working_text: Mapped[str | None] = mapped_column(Text, nullable=True, deferred=True)
    #: a list shows which drafts hold unsaved errors without loading their text
    has_unsaved_errors: Mapped[bool] = column_property(working_text.is_not(None))
    publish_comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    #: where the draft's text came from: "version 3", "example <file>", "" (an upload)
    based_on: Mapped[str] = mapped_column(String(200), default="", server_default="")
