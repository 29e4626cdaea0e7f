from .audit import AuditEvent
from .cim import CimTeam
from .cim_level import CimLevel
from .membership import DISTRICT_ROLES, SCHOOL_ROLES, CadreGroup, Membership, Role
from .organisation import (
    FAMILY_LANGUAGE_NAMES,
    FAMILY_LANGUAGES,
    INTENSIVE_STATUSES,
    LEVEL_ORDER,
    TARGETED_STATUSES,
    CimStatus,
    District,
    EssaDesignation,
    Level,
    School,
    User,
    reports_per_year,
)
from .outbox import OutboxEmail
from .pdf_job import PdfJob, PdfJobStatus
from .reminders import NotificationSettings, Reminder, ReminderCategory, ReminderChannel
from .roster_import import RosterImport, RosterSource
from .school_year import CpmStage, SchoolYear, Window, default_dates
from .submission import FormSubmission
from .translation import ContentTranslation
from .versioned import Versioned

__all__ = [
    "AuditEvent",
    "DISTRICT_ROLES",
    "FAMILY_LANGUAGES",
    "FAMILY_LANGUAGE_NAMES",
    "INTENSIVE_STATUSES",
    "LEVEL_ORDER",
    "SCHOOL_ROLES",
    "TARGETED_STATUSES",
    "CadreGroup",
    "CimLevel",
    "CimTeam",
    "CimStatus",
    "ContentTranslation",
    "CpmStage",
    "District",
    "FormSubmission",
    "EssaDesignation",
    "Level",
    "Membership",
    "NotificationSettings",
    "OutboxEmail",
    "PdfJob",
    "PdfJobStatus",
    "Reminder",
    "ReminderCategory",
    "ReminderChannel",
    "Role",
    "RosterImport",
    "RosterSource",
    "School",
    "SchoolYear",
    "User",
    "Versioned",
    "Window",
    "default_dates",
    "reports_per_year",
]
