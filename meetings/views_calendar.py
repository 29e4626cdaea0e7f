from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from schoolplan.models import School
from schoolplan.permissions import MANAGE_SCHOOL, VIEW_SCHOOL, can, get_visible_or_404, require

from .calendar import create_feed, meeting_ics, revoke_feed, school_feed_ics
from .models import CalendarFeed, Meeting

ICS = "text/calendar; charset=utf-8"


def meeting_ics_view(request, pk):
    meeting = get_object_or_404(
        Meeting.objects.visible_to(request.user)
        .select_related("school", "district")
        .prefetch_related("agenda_items"),
        pk=pk,
    )
    response = HttpResponse(meeting_ics(meeting), content_type=ICS)
    response["Content-Disposition"] = f'attachment; filename="meeting-{meeting.pk}.ics"'
    return response


@login_not_required
@require_GET
def calendar_feed(request, token):
    """The school's private feed: the unguessable token is the credential; revoked is gone."""
    feed = (
        CalendarFeed.objects.select_related("school__district")
        .filter(token=token, revoked_at__isnull=True)
        .first()
    )
    if feed is None:
        raise Http404("No such calendar feed.")
    response = HttpResponse(school_feed_ics(feed.school), content_type=ICS)
    response["Cache-Control"] = "private, max-age=300"
    return response


@require_http_methods(["GET", "POST"])
def school_calendar(request, pk):
    school = get_visible_or_404(School.objects.all(), request.user, VIEW_SCHOOL, pk=pk)
    manages = can(request.user, MANAGE_SCHOOL, school)
    feed = CalendarFeed.objects.filter(school=school, revoked_at__isnull=True).first()
    if request.method == "POST":
        require(request.user, MANAGE_SCHOOL, school)
        action = request.POST.get("action")
        if action == "create":
            create_feed(school, request.user)
            messages.success(
                request,
                "A new calendar address is ready."
                + (" The old one no longer works." if feed else ""),
            )
        elif action == "revoke" and feed is not None:
            if request.POST.get("confirm") != "on":
                messages.error(request, "Tick the box to confirm: the address stops working.")
            else:
                revoke_feed(feed)
                messages.success(request, "The calendar address is revoked; it no longer works.")
        return redirect("school_calendar", pk=school.pk)
    feed_url = (
        request.build_absolute_uri(reverse("calendar_feed", args=[feed.token]))
        if feed and manages
        else ""
    )
    return render(
        request,
        "meetings/school_calendar.html",
        {"school": school, "feed": feed, "feed_url": feed_url, "can_manage": manages},
    )
