"""The CIM monthly review page, recorded by the team together (progress.review_rows).

Each row (an activity, the attendance, the minutes) is its own form: with htmx it saves in place
and the answer is the row again; without JavaScript it is a normal post, answered by the whole
page (a refusal) or a redirect back to the row. The page asks every few seconds for the rows
others saved (review_poll) and the script keeps a row the person is typing in from being
replaced (static/js/review_together.js).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from meetings import recorded_late
from meetings import recording as meeting_recording
from meetings.models import Meeting, MeetingType
from plans.models import ImplementationStatus, PlanForImprovement
from schoolplan import clock
from schoolplan.permissions import COMMENT_CIM, EDIT_CIM_PLAN, can, require

from . import review_rows, services
from .models import Comment
from .review_page import ActivityRow, AttendanceRow, MinutesRow, activity_rows, changed_since


def _review(request, pk):
    review = get_object_or_404(
        Meeting.objects.visible_to(request.user).select_related(
            "district", "school_year", "attendance_recorded_by"
        ),
        pk=pk,
        meeting_type=MeetingType.CIM_REVIEW,
    )
    clock.activate(review.district)  # who saved what, when: in the district's time
    return review


def _plan(review):
    return PlanForImprovement.objects.filter(
        district=review.district, school_year=review.school_year
    ).first()


def _minutes(review):
    return getattr(review, "minutes", None)


def _can_record(user, review):
    minutes = _minutes(review)
    return (
        can(user, EDIT_CIM_PLAN, review)
        and not review.is_cancelled
        and not (minutes and minutes.is_published)
    )


def _invitations(review):
    return list(review.invitations.select_related("user"))


def _rows(review, activities):
    return [
        *activity_rows(review, activities),
        AttendanceRow(review, _invitations(review)),
        MinutesRow(review, _minutes(review)),
    ]


def review_record(request, pk):
    """At the monthly review: status of each activity, data toward each outcome, attendance.
    The rows post to their own addresses; a post here is answered like the GET."""
    return _page(request, _review(request, pk))


def _page(request, review, refused=None):
    """The whole page; refused: a row whose save was refused, shown as it was sent."""
    plan = _plan(review)
    activities = list(services.plan_activities(plan)) if plan else []
    rows = {row.dom_id: row for row in _rows(review, activities)}
    if refused is not None:
        rows[refused.dom_id] = refused
    return render(
        request,
        "progress/review_record.html",
        {
            "review": review,
            "plan": plan,
            "activity_rows": [r for r in rows.values() if isinstance(r, ActivityRow)],
            "attendance": rows["row-attendance"],
            "minutes_row": rows["row-minutes"],
            "statuses": ImplementationStatus.choices,
            "can_edit": _can_record(request.user, review),
            "can_comment": plan is not None and can(request.user, COMMENT_CIM, plan),
            "comments": Comment.objects.filter(review=review).select_related("author"),
            "refused": refused,
            "late_record": recorded_late.wording(review) if review.recorded_late_at else "",
        },
    )


def _answer(request, review, row):
    """A row's save answered: the row itself (htmx), else the page (refused) or a redirect."""
    if request.htmx:
        return render(
            request,
            row.template,
            {
                "row": row,
                "review": review,
                "statuses": ImplementationStatus.choices,
                "can_edit": _can_record(request.user, review),
            },
        )
    if request.method == "GET":
        return redirect(reverse("review_record", args=[review.pk]) + f"#{row.dom_id}")
    if row.refused:
        return _page(request, review, refused=row)
    messages.success(request, f"Saved {row.label}.")
    return redirect(reverse("review_record", args=[review.pk]) + f"#{row.dom_id}")


@require_http_methods(["GET", "POST"])
def review_activity(request, pk, activity_pk):
    """One activity's row: GET gives it as saved now (to take theirs), POST saves it."""
    review = _review(request, pk)
    activity = get_object_or_404(
        services.plan_activities(_plan(review)), pk=activity_pk
    )  # no plan: no activity
    state = review_rows.activity_states(review, [activity])[activity.pk]
    if request.method == "GET":
        return _answer(request, review, ActivityRow(state))
    require(request.user, EDIT_CIM_PLAN, review)
    row = ActivityRow.posted(state, request.POST)
    if row.entry is None:
        row.refuse()
        return _answer(request, review, row)
    try:
        state = review_rows.save_activity_row(review, activity, user=request.user, entry=row.entry)
    except ValidationError as error:
        row.refuse(error)
    else:
        row = ActivityRow(state, announce=f"Saved {row.label}.")
    return _answer(request, review, row)


@require_http_methods(["GET", "POST"])
def review_attendance(request, pk):
    review = _review(request, pk)
    invitations = _invitations(review)
    if request.method == "GET":
        return _answer(request, review, AttendanceRow(review, invitations))
    require(request.user, EDIT_CIM_PLAN, review)
    row = AttendanceRow.posted(review, invitations, request.POST)
    try:
        meeting_recording.record_attendance(
            review,
            user=request.user,
            attended=row.chosen,
            expected_version=row.version,
        )
    except ValidationError as error:
        row.refuse(error)
    else:
        review = _review(request, pk)
        row = AttendanceRow(review, _invitations(review), announce="Saved the attendance.")
    return _answer(request, review, row)


@require_http_methods(["GET", "POST"])
def review_minutes(request, pk):
    review = _review(request, pk)
    if request.method == "GET":
        return _answer(request, review, MinutesRow(review, _minutes(review)))
    require(request.user, EDIT_CIM_PLAN, review)
    row = MinutesRow.posted(review, _minutes(review), request.POST)
    try:
        meeting_recording.record_minutes(
            review,
            user=request.user,
            text=row.text.value,
            mark_held=row.mark_held,
            # A version the page cannot have had is out of date, never "no check".
            expected_version=-1 if row.version is None else row.version,
        )
    except ValidationError as error:
        row.refuse(error)
    else:
        review = _review(request, pk)
        held = " The review is marked held." if row.mark_held else ""
        row = MinutesRow(review, _minutes(review), announce=f"Saved the minutes.{held}")
    return _answer(request, review, row)


def review_poll(request, pk):
    """The rows saved since the page has them (it sends each row's stamp), to put in place."""
    review = _review(request, pk)
    plan = _plan(review)
    activities = list(services.plan_activities(plan)) if plan else []
    changed = changed_since(_rows(review, activities), request.GET)
    for row in changed:
        who = row.saved_by.display_name if row.saved_by else "Someone"
        row.announce = f"{who} saved {row.label}."
    return render(
        request,
        "progress/_review_poll.html",
        {
            "rows": changed,
            "review": review,
            "statuses": ImplementationStatus.choices,
            "can_edit": _can_record(request.user, review),
        },
    )
