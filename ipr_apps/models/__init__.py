"""All models, imported here so that metadata (and Alembic) sees every table."""

from ipr_apps.models.applications import FINAL_STATES, Application, Kind, Status
from ipr_apps.models.audit import AuditViolation, StatusEvent
from ipr_apps.models.base import today, utcnow
from ipr_apps.models.cases import (
    CaseEvent,
    CaseIprType,
    CaseOutcome,
    CaseStatus,
    Channel,
    DetentionCase,
    DetentionRequest,
    Direction,
    Mode,
    RequestDocument,
    RequestStatus,
)
from ipr_apps.models.children import (
    Goods,
    Infringer,
    Licensee,
    Port,
    PortDirection,
    Trader,
    TraderRole,
)
from ipr_apps.models.counters import Counter
from ipr_apps.models.districts import CustomsDistrict
from ipr_apps.models.documents import DocType, Document
from ipr_apps.models.imports import ImportStagingHolder, ImportStagingRow
from ipr_apps.models.jobs import Job, JobKind, JobStatus
from ipr_apps.models.organisations import AgentMandate, Organisation, OrgKind
from ipr_apps.models.outbox import MailStatus, OutboxMessage
from ipr_apps.models.recordations import Recordation, RecordationEvent, RecordationStatus
from ipr_apps.models.reminders import RecordationReminder, ReminderKind, ReminderOutcome
from ipr_apps.models.review import (
    Decision,
    Holiday,
    InformationRequest,
    Notification,
    Outcome,
    RejectReason,
    ReviewNote,
)
from ipr_apps.models.rights import IpRight, IprType
from ipr_apps.models.screening import RunSource, ScreeningHit, ScreeningRun
from ipr_apps.models.security import SecurityAction, SecurityEvent
from ipr_apps.models.sessions import EndReason, UserSession
from ipr_apps.models.summary import (
    MonthlyApplications,
    MonthlyCases,
    MonthlyProcessing,
    MonthlyRecordations,
)
from ipr_apps.models.users import ApiToken, Role, User

__all__ = [
    "FINAL_STATES",
    "AgentMandate",
    "ApiToken",
    "Application",
    "AuditViolation",
    "CaseEvent",
    "CaseIprType",
    "CaseOutcome",
    "CaseStatus",
    "Channel",
    "Counter",
    "CustomsDistrict",
    "Decision",
    "DetentionCase",
    "DetentionRequest",
    "Direction",
    "DocType",
    "Document",
    "EndReason",
    "Goods",
    "Holiday",
    "ImportStagingHolder",
    "ImportStagingRow",
    "InformationRequest",
    "Infringer",
    "IpRight",
    "IprType",
    "Job",
    "JobKind",
    "JobStatus",
    "Kind",
    "Licensee",
    "MailStatus",
    "Mode",
    "MonthlyApplications",
    "MonthlyCases",
    "MonthlyProcessing",
    "MonthlyRecordations",
    "Notification",
    "OrgKind",
    "Organisation",
    "OutboxMessage",
    "Outcome",
    "Port",
    "PortDirection",
    "Recordation",
    "RecordationEvent",
    "RecordationReminder",
    "RecordationStatus",
    "RejectReason",
    "ReminderKind",
    "ReminderOutcome",
    "RequestDocument",
    "RequestStatus",
    "ReviewNote",
    "Role",
    "RunSource",
    "ScreeningHit",
    "ScreeningRun",
    "SecurityAction",
    "SecurityEvent",
    "Status",
    "StatusEvent",
    "Trader",
    "TraderRole",
    "User",
    "UserSession",
    "today",
    "utcnow",
]  # fmt: skip
