"""SQLAlchemy models. Importing this package registers every table on the metadata."""

from workorders.platform.models.access import LoginCounter, UserSession
from workorders.platform.models.audit import AuditEvent
from workorders.platform.models.audit_heads import AuditHead
from workorders.platform.models.cases import (
    Case,
    CaseCounter,
    CaseImport,
    IdempotencyRecord,
    ImportedRow,
)
from workorders.platform.models.definitions import DefinitionVersion, VersionStatus
from workorders.platform.models.exports import (
    Export,
    ExportAttempt,
    ExportKind,
    ExportStatus,
    InvoiceCounter,
)
from workorders.platform.models.notifications import (
    Notification,
    NotificationOptOut,
    NotificationPreference,
    NotificationSend,
    NotificationStatus,
)
from workorders.platform.models.outbox import JobStatus, OutboxJob
from workorders.platform.models.outcomes import (
    Approval,
    ApprovalStatus,
    CaseException,
    ExceptionStatus,
    InvoiceBlock,
    RuleEvaluation,
)
from workorders.platform.models.secrets import TenantSecret
from workorders.platform.models.submissions import Attachment, Submission, SubmissionKind
from workorders.platform.models.tasks import Task
from workorders.platform.models.tenancy import (
    ROLES,
    ApiToken,
    Membership,
    Tenant,
    User,
)

__all__ = [
    "ROLES",
    "ApiToken",
    "Approval",
    "ApprovalStatus",
    "Attachment",
    "AuditEvent",
    "AuditHead",
    "Case",
    "CaseCounter",
    "CaseException",
    "CaseImport",
    "DefinitionVersion",
    "ExceptionStatus",
    "Export",
    "ExportAttempt",
    "ExportKind",
    "ExportStatus",
    "IdempotencyRecord",
    "ImportedRow",
    "InvoiceBlock",
    "InvoiceCounter",
    "JobStatus",
    "LoginCounter",
    "Membership",
    "Notification",
    "NotificationOptOut",
    "NotificationPreference",
    "NotificationSend",
    "NotificationStatus",
    "OutboxJob",
    "RuleEvaluation",
    "Submission",
    "SubmissionKind",
    "Task",
    "Tenant",
    "TenantSecret",
    "User",
    "UserSession",
    "VersionStatus",
]
