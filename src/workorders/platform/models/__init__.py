"""SQLAlchemy models. Importing this package registers every table on the metadata."""

from workorders.platform.models.audit import AuditEvent
from workorders.platform.models.cases import (
    Case,
    CaseCounter,
    CaseImport,
    IdempotencyRecord,
    ImportedRow,
)
from workorders.platform.models.definitions import DefinitionVersion, VersionStatus
from workorders.platform.models.outbox import JobStatus, OutboxJob
from workorders.platform.models.submissions import Attachment, Submission, SubmissionKind
from workorders.platform.models.tenancy import (
           ROLES,
           ApiToken,
           LoginAttempt,
           Membership,
           Tenant,
           User,
)

__all__ = [
    "ROLES", "ApiToken", "Attachment", "AuditEvent", "Case", "CaseCounter", "CaseImport",
    "DefinitionVersion", "IdempotencyRecord", "ImportedRow", "JobStatus", "LoginAttempt",
    "Membership", "OutboxJob", "Submission", "SubmissionKind", "Tenant", "User",
    "VersionStatus",
]
