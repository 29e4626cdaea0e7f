from django.urls import include, path

from . import (
    views,
    views_cap,
    views_minutes,
    views_next_year,
    views_prework,
    views_workshop_teams,
    views_workshops,
)

urlpatterns = [
    # Workshops (seed 002)
    path("districts/<int:pk>/workshops/", views_workshops.district_workshops, name="workshops"),
    path("workshops/<int:pk>/", views_workshops.workshop_series, name="workshop_series"),
    path(
        "workshops/<int:pk>/roster.csv",
        views_workshops.workshop_roster_csv,
        name="workshop_roster_csv",
    ),
    path(
        "schools/<int:school_pk>/workshops/",
        views_workshops.school_workshops,
        name="school_workshops",
    ),
    path(
        "workshops/<int:series_pk>/register/<int:school_pk>/",
        views_workshops.workshop_register,
        name="workshop_register",
    ),
    path(
        "workshops/registrations/<int:pk>/",
        views_workshops.workshop_registration,
        name="workshop_registration",
    ),
    path(
        "workshops/registrations/<int:pk>/prework/",
        views_workshops.workshop_prework_file,
        name="workshop_prework_file",
    ),
    path(
        "workshops/registrations/<int:pk>/prework/give/",
        views_prework.workshop_prework,
        name="workshop_prework",
    ),
    path(
        "workshops/registrations/<int:pk>/team/",
        views_workshop_teams.workshop_team,
        name="workshop_team",
    ),
    path(
        "workshops/sessions/<int:pk>/attendance/",
        views_workshop_teams.session_attendance,
        name="session_attendance",
    ),
    path(
        "workshops/<int:pk>/attendance.csv",
        views_workshop_teams.attendance_csv,
        name="workshop_attendance_csv",
    ),
    path(
        "schools/<int:school_pk>/problem-solving/",
        views_workshop_teams.school_problem_solving,
        name="school_problem_solving",
    ),
    path(
        "workshops/registrations/<int:pk>/cancel/",
        views_workshops.workshop_cancel,
        name="workshop_cancel",
    ),
    path("schools/<int:pk>/meetings/", views.school_meetings, name="school_meetings"),
    path("schools/<int:pk>/cpm/", views.cpm_year_view, name="cpm_year"),
    path("schools/<int:pk>/cpm/schedule/", views.schedule_cpm, name="schedule_cpm"),
    path("schools/<int:pk>/title-i/schedule/", views.schedule_title_i, name="schedule_title_i"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="meeting_edit"),
    path("meetings/<int:pk>/cancel/", views.meeting_cancel, name="meeting_cancel"),
    path("meetings/<int:pk>/agenda/", views.agenda_edit, name="agenda_edit"),
    path("meetings/<int:pk>/invite/", views.meeting_invite, name="meeting_invite"),
    path("meetings/<int:pk>/minutes/", views_minutes.minutes_edit, name="minutes_edit"),
    path(
        "meetings/<int:pk>/minutes/publish/", views_minutes.minutes_publish, name="minutes_publish"
    ),
    path("meetings/<int:pk>/minutes/amend/", views_minutes.minutes_amend, name="minutes_amend"),
    path("meetings/<int:pk>/actions/", views_minutes.action_add, name="action_add"),
    path("actions/<int:pk>/update/", views_minutes.action_update, name="action_update"),
    path("meetings/<int:pk>/goals/", views_minutes.goal_add, name="goal_add"),
    path("schools/<int:pk>/cap/", views_cap.cap_overview, name="cap_overview"),
    path(
        "schools/<int:pk>/cap/carried-over/",
        views_next_year.cap_carried_over,
        name="cap_carried_over",
    ),
    path("classes/<int:pk>/", views_cap.class_record, name="class_record"),
    path("classes/<int:pk>/cap/new/", views_cap.schedule_cap, name="schedule_cap"),
    path("meetings/<int:pk>/analysis/", views_cap.analysis_edit, name="analysis_edit"),
    path("meetings/<int:pk>/analysis/file/", views_cap.analysis_file, name="analysis_file"),
    path("meetings/<int:pk>/notes/", views_cap.note_add, name="note_add"),
    path(
        "meetings/<int:pk>/reviews/<int:action_pk>/",
        views_cap.review_add,
        name="review_add",
    ),
    path("", include("meetings.urls_calendar")),
]
