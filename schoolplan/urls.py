from django.contrib import admin
from django.urls import include, path

from . import (
    invitations,
    password_reset,
    sign_in,
    sso,
    views,
    views_cim_level,
    views_health,
    views_next_year,
    views_notifications,
    views_pdf_jobs,
    views_roster,
    views_two_factor,
)

urlpatterns = [
    path("", views.home, name="home"),
    path("schools/", views.school_list, name="school_list"),
    path("schools/<int:pk>/", views.school_detail, name="school_detail"),
    path("schools/<int:pk>/edit/", views.school_edit, name="school_edit"),
    path("districts/<int:pk>/", views.district_detail, name="district_detail"),
    path("districts/<int:pk>/edit/", views.district_edit, name="district_edit"),
    path("districts/<int:pk>/cim-level/", views_cim_level.cim_level, name="cim_level"),
    path("districts/<int:pk>/roster/", views_roster.roster_imports, name="roster_imports"),
    path("roster-imports/<int:pk>/", views_roster.roster_import, name="roster_import"),
    path(
        "roster-imports/<int:pk>/confirm/",
        views_roster.roster_import_confirm,
        name="roster_import_confirm",
    ),
    path(
        "districts/<int:district_pk>/years/new/",
        views.school_year_edit,
        name="school_year_create",
    ),
    path(
        "districts/<int:district_pk>/years/<int:pk>/edit/",
        views.school_year_edit,
        name="school_year_edit",
    ),
    path(
        "districts/<int:district_pk>/years/<int:pk>/next/",
        views_next_year.start_next_year,
        name="school_year_next",
    ),
    path(
        "account/reminders/",
        views_notifications.notification_settings,
        name="notification_settings",
    ),
    path(
        "reminders/settings/<str:token>/",
        views_notifications.notification_settings_token,
        name="notification_settings_token",
    ),
    path("pdfs/<int:pk>/", views_pdf_jobs.pdf_job, name="pdf_job"),
    path("pdfs/<int:pk>/download/", views_pdf_jobs.pdf_job_download, name="pdf_job_download"),
    path("pdfs/<int:pk>/retry/", views_pdf_jobs.pdf_job_retry, name="pdf_job_retry"),
    path("account/two-factor/", views_two_factor.account, name="two_factor_account"),
    path("account/two-factor/setup/", views_two_factor.setup, name="two_factor_setup"),
    path("account/two-factor/verify/", views_two_factor.verify, name="two_factor_verify"),
    path(
        "account/two-factor/backup-codes/",
        views_two_factor.backup_codes,
        name="two_factor_backup_codes",
    ),
    path("account/two-factor/off/", views_two_factor.turn_off, name="two_factor_off"),
    path("", include("meetings.urls")),
    path("", include("plans.urls")),
    path("", include("progress.urls")),
    # Before Django's own: throttled, sent through the outbox, links from SITE_URL.
    path(
        "accounts/password_reset/",
        password_reset.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "accounts/invitation/<uidb64>/<token>/",
        invitations.InvitationView.as_view(),
        name="invitation",
    ),
    path("accounts/login/", sign_in.SignInView.as_view(), name="login"),
    path("accounts/sso/", sso.SsoStart.as_view(), name="sso_start"),
    path("accounts/sso/callback/", sso.SsoCallback.as_view(), name="sso_callback"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    # For load balancers: no login, one query.
    path("health/", views_health.health, name="health"),
]

handler500 = "schoolplan.middleware.server_error"
