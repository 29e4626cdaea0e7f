"""The progress app's models, one room a concern: metrics and measurements (with what a CIM
review records and comments), SPF results and the family summary, CIM progress reports."""

from .metrics import (
    METRIC_PARENTS,
    ActivityReview,
    Comment,
    CurrentMeasurements,
    Direction,
    Measurement,
    Metric,
    MetricKind,
)
from .replies import FamilyReply
from .reports import (
    PeriodKind,
    ProgressReport,
    RenderJob,
    RenderJobStatus,
    ReportDue,
    ReportStatus,
    SubmittedReportError,
)
from .spf import SPF_INDICATORS, SpfRating, SpfResult, SpfSummary

__all__ = [
    "METRIC_PARENTS",
    "SPF_INDICATORS",
    "ActivityReview",
    "Comment",
    "CurrentMeasurements",
    "Direction",
    "FamilyReply",
    "Measurement",
    "Metric",
    "MetricKind",
    "PeriodKind",
    "ProgressReport",
    "RenderJob",
    "RenderJobStatus",
    "ReportDue",
    "ReportStatus",
    "SpfRating",
    "SpfResult",
    "SpfSummary",
    "SubmittedReportError",
]
