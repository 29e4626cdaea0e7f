from django.urls import path

from . import views_calendar

urlpatterns = [
    path("meetings/<int:pk>/meeting.ics", views_calendar.meeting_ics_view, name="meeting_ics"),
    path("calendar/<str:token>.ics", views_calendar.calendar_feed, name="calendar_feed"),
    path("schools/<int:pk>/calendar/", views_calendar.school_calendar, name="school_calendar"),
]
