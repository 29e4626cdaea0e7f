from django.urls import path, register_converter

from . import (
    family,
    flyer,
    views_cim,
    views_compliance,
    views_metrics,
    views_replies,
    views_reports,
    views_review,
    views_spf,
    views_translations,
)


class FamilyLanguage:
    """The family pages' languages besides English, the default: /families/<school>/es/."""

    regex = "|".join(code for code in family.FAMILY_LANGUAGES if code != "en")

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(FamilyLanguage, "family_language")

urlpatterns = [
    path("districts/<int:pk>/cim/", views_cim.cim_home, name="cim_home"),
    path("districts/<int:pk>/cim/plan/", views_cim.plan_start, name="plan_start"),
    path("districts/<int:pk>/cim/team/", views_cim.team_edit, name="cim_team_edit"),
    path("districts/<int:pk>/cim/reviews/new/", views_cim.review_schedule, name="review_schedule"),
    path("cim/reviews/<int:pk>/", views_review.review_record, name="review_record"),
    # The review's rows, each saved on its own while the team records together (issue 18).
    path(
        "cim/reviews/<int:pk>/activities/<int:activity_pk>/",
        views_review.review_activity,
        name="review_activity",
    ),
    path(
        "cim/reviews/<int:pk>/attendance/",
        views_review.review_attendance,
        name="review_attendance",
    ),
    path("cim/reviews/<int:pk>/minutes/", views_review.review_minutes, name="review_minutes"),
    path("cim/reviews/<int:pk>/rows/", views_review.review_poll, name="review_poll"),
    path("cim/outcomes/<int:pk>/metric/", views_cim.metric_edit, name="metric_edit"),
    path("cim/plans/<int:pk>/comments/", views_cim.comment_add, name="comment_add"),
    path("metrics/<int:pk>/", views_metrics.metric_detail, name="metric_detail"),
    path("schools/<int:school_pk>/spf/", views_spf.spf_school, name="spf_school"),
    path(
        "schools/<int:school_pk>/translations/",
        views_translations.translations_home,
        name="translations_home",
    ),
    path(
        "schools/<int:school_pk>/translations/<slug:language>/",
        views_translations.translations_edit,
        name="translations_edit",
    ),
    path("districts/<int:pk>/compliance/", views_compliance.dashboard, name="compliance"),
    path(
        "districts/<int:pk>/compliance/pdf/",
        views_compliance.compliance_pdf,
        name="compliance_pdf",
    ),
    # CIM progress reports
    path("districts/<int:pk>/cim/reports/", views_reports.reports_home, name="progress_reports"),
    path(
        "districts/<int:pk>/cim/reports/due-dates/",
        views_reports.due_dates_edit,
        name="report_due_dates",
    ),
    path(
        "districts/<int:pk>/cim/reports/<int:number>/start/",
        views_reports.report_start,
        name="report_start",
    ),
    path("cim/reports/<int:pk>/", views_reports.report_detail, name="progress_report"),
    path("cim/reports/<int:pk>/report.pdf", views_reports.report_pdf, name="progress_report_pdf"),
    path("cim/reports/<int:pk>/submit/", views_reports.report_confirm, name="report_confirm"),
    path(
        "cim/reports/<int:pk>/early-submission/",
        views_reports.report_allow_early,
        name="report_allow_early",
    ),
    path(
        "cim/reports/<int:pk>/selpa-form/",
        views_reports.report_selpa_form,
        name="report_selpa_form",
    ),
    path("cim/render-jobs/<int:pk>/", views_reports.render_job, name="render_job"),
    path(
        "cim/render-jobs/<int:pk>/preview.pdf", views_reports.render_job_pdf, name="render_job_pdf"
    ),
    path("districts/<int:pk>/spf/", views_spf.spf_district, name="spf_district"),
    # The families' pages: public, in English or Spanish.
    path("families/<slug:slug>/", family.family_home, name="family_school"),
    path(
        "families/<slug:slug>/<family_language:language>/",
        family.family_home,
        name="family_school_in",
    ),
    path("families/<slug:slug>/blueprint/", family.family_blueprint, name="family_blueprint"),
    path(
        "families/<slug:slug>/<family_language:language>/blueprint/",
        family.family_blueprint,
        name="family_blueprint_in",
    ),
    path("meetings/<int:pk>/flyer/<slug:language>/", flyer.meeting_flyer, name="meeting_flyer"),
    path(
        "families/<slug:slug>/meetings/<int:pk>.ics",
        family.family_meeting_ics,
        name="family_meeting_ics",
    ),
    path(
        "families/<slug:slug>/<family_language:language>/meetings/<int:pk>.ics",
        family.family_meeting_ics,
        name="family_meeting_ics_in",
    ),
    # A family's answer to a community meeting, and its private link to change it.
    path(
        "families/<slug:slug>/meetings/<int:pk>/reply/",
        views_replies.family_reply,
        name="family_reply",
    ),
    path(
        "families/<slug:slug>/<family_language:language>/meetings/<int:pk>/reply/",
        views_replies.family_reply,
        name="family_reply_in",
    ),
    path(
        "families/<slug:slug>/replies/<str:token>/",
        views_replies.family_reply_change,
        name="family_reply_change",
    ),
    path(
        "families/<slug:slug>/<family_language:language>/replies/<str:token>/",
        views_replies.family_reply_change,
        name="family_reply_change_in",
    ),
    path("metrics/<int:pk>/measurements/new/", views_metrics.metric_measure, name="metric_measure"),
    # A value's corrections and removal, each kept in its history (issue 18).
    path(
        "measurements/<int:pk>/correct/",
        views_metrics.measurement_correct,
        name="measurement_correct",
    ),
    path(
        "measurements/<int:pk>/remove/",
        views_metrics.measurement_remove,
        name="measurement_remove",
    ),
]

# Measurements of every metric of a plan at once (a form row per metric, or a CSV file).
for slug in ("cim/plans", "essa", "blueprints"):
    urlpatterns.append(
        path(
            f"{slug}/<int:pk>/measurements/",
            views_metrics.measurements_bulk,
            {"doc": slug},
            name="measurements_bulk",
        )
    )
