"""The meeting's record pages: its minutes (written, published, amended), action items and goals."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from schoolplan.forms import show_errors, show_theirs

from . import recording, services
from .access import RECORD, can_record
from .access import get_meeting as _meeting
from .forms import (
    ActionItemForm,
    ActionUpdateForm,
    AmendmentForm,
    GoalForm,
    MinutesForm,
)
from .models import ActionItem, Meeting, MeetingType
from .views import detail_page


@require_http_methods(["GET", "POST"])
def minutes_edit(request, pk):
    meeting = _meeting(request, pk, RECORD)
    minutes = getattr(meeting, "minutes", None)
    if minutes and minutes.is_published:
        return redirect("minutes_amend", pk=meeting.pk)
    initial = {
        "text": minutes.text if minutes else "",
        "decisions": minutes.decisions if minutes else "",
        "attended": [i.user_id for i in meeting.invitations.all() if i.attended],
        "family_attendees": meeting.family_attendees,
        "community_attendees": meeting.community_attendees,
        "version": minutes.version if minutes else 0,
    }
    form = MinutesForm(request.POST or None, meeting=meeting, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            recording.record_minutes(
                meeting,
                user=request.user,
                text=data["text"],
                decisions=data["decisions"],
                attended=data["attended"],
                family_attendees=data["family_attendees"],
                community_attendees=data["community_attendees"],
                mark_held=data.get("mark_held", False),
                # No version sent: a first save only; it must not overwrite minutes it never saw.
                expected_version=data["version"] or 0,
            )
        except recording.RecordConflict as conflict:
            meeting.refresh_from_db()
            _show_minutes_conflict(form, conflict, meeting)
        except ValidationError as error:
            meeting.refresh_from_db()
            show_errors(form, error)
        else:
            messages.success(request, "Minutes saved.")
            return redirect(meeting)
    return render(request, "meetings/minutes_form.html", {"meeting": meeting, "form": form})


def _show_minutes_conflict(form, conflict, meeting):
    """Someone saved the minutes since this page loaded: their text beside the boxes that
    differ, this person's text kept in them; saving again (now knowing theirs) keeps theirs out."""
    data = form.cleaned_data
    for name in ("text", "decisions"):
        if (data.get(name) or "").strip() != (conflict.theirs.get(name) or "").strip():
            show_theirs(
                form,
                name,
                theirs=conflict.theirs[name],
                by=conflict.by,
                at=conflict.at,
                place=meeting,
            )
    if not form.errors:
        form.add_error(None, conflict)
    form.data = form.data.copy()
    form.data["version"] = conflict.version


@require_POST
def minutes_publish(request, pk):
    meeting = _meeting(request, pk, RECORD)
    try:
        recording.publish_minutes(meeting, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Minutes published. From now on, changes are amendments.")
    return redirect(meeting)


@require_http_methods(["GET", "POST"])
def minutes_amend(request, pk):
    meeting = _meeting(request, pk, RECORD)
    minutes = getattr(meeting, "minutes", None)
    if minutes is None or not minutes.is_published:
        return redirect("minutes_edit", pk=meeting.pk)
    form = AmendmentForm(
        request.POST or None, initial={"text": minutes.text, "decisions": minutes.decisions}
    )
    if request.method == "POST" and form.is_valid():
        try:
            recording.amend_minutes(meeting, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            show_errors(form, error)
        else:
            messages.success(request, "Amendment recorded; the earlier text is kept.")
            return redirect(meeting)
    return render(request, "meetings/amend_form.html", {"meeting": meeting, "form": form})


@require_POST
def action_add(request, pk):
    meeting = _meeting(request, pk, RECORD)
    form = ActionItemForm(
        request.POST,
        meeting=meeting,
        prefix="action",
        categorised=meeting.meeting_type == MeetingType.CAP,
    )
    if form.is_valid():
        try:
            services.add_action_item(meeting, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            show_errors(form, error)
        else:
            messages.success(request, "Action item added.")
            return redirect(f"{meeting.get_absolute_url()}#actions")
    return detail_page(request, meeting, action_form=form)


@require_POST
def action_update(request, pk):
    item = get_object_or_404(
        ActionItem.objects.filter(meeting__in=Meeting.objects.visible_to(request.user)),
        pk=pk,
    )
    if not can_record(request.user, item.meeting):
        raise PermissionDenied("Only the meeting's team updates its actions.")
    form = ActionUpdateForm(request.POST, auto_id=f"action-{item.pk}-%s")
    if form.is_valid():
        try:
            services.update_action_item(item, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            show_errors(form, error)
        else:
            messages.success(request, f"“{item}” is {item.get_status_display().lower()}.")
            return redirect(f"{item.meeting.get_absolute_url()}#action-{item.pk}")
    return detail_page(request, _meeting(request, item.meeting_id), update=(item.pk, form))


@require_POST
def goal_add(request, pk):
    meeting = _meeting(request, pk, RECORD)
    form = GoalForm(request.POST, prefix="goal")
    if form.is_valid():
        try:
            services.add_goal(meeting, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            show_errors(form, error)
        else:
            messages.success(request, "Goal recorded.")
            return redirect(f"{meeting.get_absolute_url()}#goals")
    return detail_page(request, meeting, goal_form=form)
