from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from schoolplan import between_years, clock, submissions
from schoolplan.forms import mark_invalid, posted_year, show_errors
from schoolplan.models import CpmStage, School, SchoolYear
from schoolplan.permissions import (
    MANAGE_DISTRICT,
    MANAGE_SCHOOL,
    VIEW_SCHOOL,
    can,
    get_visible_or_404,
    require,
)

from . import cpm, cpm_scheduling, notices, recorded_late, services
from .access import MANAGE, RECORD, can_manage, can_record
from .access import get_meeting as _meeting
from .cap_page import cap_context
from .forms import (
    ActionItemForm,
    ActionUpdateForm,
    AgendaFormSet,
    CancelForm,
    CpmMeetingForm,
    GoalForm,
    InviteForm,
    TitleIMeetingForm,
)
from .models import ActionItemUpdate, Goal, Meeting, MeetingType
from .page_sections import sections_for

MEETINGS_PER_PAGE = 20


def _school(request, pk, ability=VIEW_SCHOOL):
    school = get_visible_or_404(
        School.objects.select_related("district"), request.user, VIEW_SCHOOL, pk=pk
    )
    if ability is not VIEW_SCHOOL:
        require(request.user, ability, school)
    clock.activate(school)  # its meetings are shown, and their times typed, in its zone
    return school


def school_meetings(request, pk):
    school = _school(request, pk)
    meetings = Meeting.objects.filter(school=school).order_by("-starts_at")
    page = Paginator(meetings, MEETINGS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "meetings/school_meetings.html",
        {
            "school": school,
            "page": page,
            "now": clock.now(),
            "can_manage": can(request.user, MANAGE_SCHOOL, school),
        },
    )


def cpm_year_view(request, pk):
    school = _school(request, pk)
    today = clock.today(school)
    years = SchoolYear.objects.filter(district_id=school.district_id).order_by("-start_year")
    # Between two years: what comes next, and the year just ended until the next is set up.
    outlook = between_years.outlook(school.district_id, today)
    year = (
        SchoolYear.objects.chosen_or_current(school.district_id, posted_year(request.GET), today)
        or outlook.shown_year
    )
    return render(
        request,
        "meetings/cpm_year.html",
        {
            "school": school,
            "year": year,
            "years": years,
            "outlook": outlook,
            "can_start": can(request.user, MANAGE_DISTRICT, school.district) and outlook.start_url,
            "glance": cpm.cpm_year(school, year, today) if year else None,
            "purposes": {stage.value: cpm_scheduling.PURPOSE[stage] for stage in CpmStage},
            "today": today,
            "can_manage": can(request.user, MANAGE_SCHOOL, school),
        },
    )


@require_http_methods(["GET", "POST"])
def schedule_cpm(request, pk):
    school = _school(request, pk, MANAGE_SCHOOL)
    stage = request.GET.get("stage", CpmStage.KICK_OFF)
    initial = {
        "stage": stage if stage in CpmStage.values else CpmStage.KICK_OFF,
        "languages_offered": school.family_languages,
        "submission": submissions.new_token(),
    }
    form = CpmMeetingForm(request.POST or None, school=school, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        meeting = _schedule_once(
            request,
            form,
            school,
            lambda: services.schedule_cpm_meeting(
                user=request.user,
                school=school,
                stage=data["stage"],
                **form.when_and_where,
                languages=data["languages_offered"],
                title=data["title"],
                description=data["description"],
                title_i=data.get("counts_as_title_i_meeting", False),
                spf=data["counts_as_spf_meeting"],
                confirm_repeat=data["confirm_repeat"],
                confirm_record_late=data["confirm_record_late"],
            ),
        )
        if isinstance(meeting, HttpResponse):
            return meeting
        if meeting is not None:
            if meeting.recorded_late_at is not None:
                messages.success(request, recorded_late.saved_message(meeting))
            else:
                messages.success(
                    request,
                    f"{meeting.title} is scheduled. {meeting.district} has been told; "
                    "invite people from the meeting page"
                    + (", where its families' page link is." if meeting.is_for_families else "."),
                )
            warning = cpm_scheduling.combination_warning(
                meeting.counts_as_title_i_meeting, meeting.counts_as_spf_meeting
            )
            for text in (warning, cpm_scheduling.uncountable(meeting)):
                if text:
                    messages.warning(request, text)
            return redirect(meeting)
    return render(
        request,
        "meetings/meeting_form.html",
        {
            "school": school,
            "form": form,
            "combination_warning": cpm_scheduling.combination_warning(True, True),
        },
    )


def _schedule_once(request, form, school, schedule):
    """Run schedule() (a scheduling service) once per form token (schoolplan.submissions): the
    new meeting; a redirect to the first one's meeting when the form was sent before; or None
    when refused, the reason on the form."""
    try:
        with transaction.atomic():
            claim = submissions.claim(request.user, form.cleaned_data["submission"])
            meeting = schedule()
            submissions.fulfil(claim, meeting.get_absolute_url())
    except submissions.AlreadySent as sent:
        messages.info(request, "This form was already sent: here is the meeting it scheduled.")
        return redirect(sent.url or reverse("cpm_year", args=[school.pk]))
    except services.NeedsConfirmation as error:
        form.ask_for_confirmation(error.messages[0], error.code)
    except ValidationError as error:
        show_errors(form, error)
    else:
        return meeting
    return None


@require_http_methods(["GET", "POST"])
def schedule_title_i(request, pk):
    """seed 000: a Title I school's annual parent meeting on its own."""
    school = _school(request, pk, MANAGE_SCHOOL)
    if not school.title_i:
        raise Http404("Only a Title I school holds a Title I annual parent meeting.")
    initial = {
        "languages_offered": school.family_languages,
        "submission": submissions.new_token(),
    }
    form = TitleIMeetingForm(request.POST or None, school=school, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        meeting = _schedule_once(
            request,
            form,
            school,
            lambda: services.schedule_title_i_meeting(
                user=request.user,
                school=school,
                **form.when_and_where,
                languages=data["languages_offered"],
                title=data["title"],
                description=data["description"],
                confirm_repeat=data["confirm_repeat"],
                confirm_record_late=data["confirm_record_late"],
            ),
        )
        if isinstance(meeting, HttpResponse):
            return meeting
        if meeting is not None:
            if meeting.recorded_late_at is not None:
                messages.success(request, recorded_late.saved_message(meeting))
            else:
                messages.success(
                    request,
                    f"{meeting.title} is scheduled; invite people from the meeting page, where "
                    "its families' page link is.",
                )
            return redirect(meeting)
    return render(request, "meetings/title_i_form.html", {"school": school, "form": form})


@require_http_methods(["GET", "POST"])
def meeting_edit(request, pk):
    meeting = _meeting(request, pk, MANAGE_SCHOOL)
    if meeting.meeting_type != MeetingType.CPM:
        raise Http404("Only CPM meetings are moved with this form.")
    local_start = clock.local(meeting.starts_at, meeting.district)
    initial = {
        "stage": meeting.cpm_stage,
        "title": meeting.title,
        "date": local_start.date(),
        "start_time": local_start.time(),
        "end_time": clock.local(meeting.ends_at, meeting.district).time(),
        "place": meeting.place,
        "video_link": meeting.video_link,
        "description": meeting.description,
        "languages_offered": meeting.languages_offered,
        "counts_as_title_i_meeting": meeting.counts_as_title_i_meeting,
        "counts_as_spf_meeting": meeting.counts_as_spf_meeting,
    }
    form = CpmMeetingForm(
        request.POST or None, school=meeting.school, meeting=meeting, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_meeting(
                meeting,
                user=request.user,
                title=data["title"] or meeting.title,
                description=data["description"],
                **form.when_and_where,
                languages_offered=data["languages_offered"],
                counts_as_title_i_meeting=data.get("counts_as_title_i_meeting", False),
                counts_as_spf_meeting=data["counts_as_spf_meeting"],
            )
        except ValidationError as error:
            meeting.refresh_from_db()
            show_errors(form, error)
        else:
            messages.success(request, f"{meeting.title} is saved.")
            if cpm_scheduling.uncountable(meeting):
                messages.warning(request, cpm_scheduling.uncountable(meeting))
            return redirect(meeting)
    return render(
        request,
        "meetings/meeting_form.html",
        {"school": meeting.school, "meeting": meeting, "form": form},
    )


@require_http_methods(["GET", "POST"])
def meeting_cancel(request, pk):
    meeting = _meeting(request, pk, MANAGE)
    form = CancelForm(request.POST or None, meeting=meeting)
    if request.method == "POST" and form.is_valid():
        try:
            services.cancel_meeting(meeting, user=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            show_errors(form, error)
        else:
            messages.success(request, f"{meeting.title} is cancelled.")
            return redirect(meeting)
    told = notices.cancellation_told(meeting)  # who hears of it, per meeting type
    return render(
        request, "meetings/meeting_cancel.html", {"meeting": meeting, "form": form, "told": told}
    )


def meeting_detail(request, pk):
    return detail_page(request, _meeting(request, pk))


def detail_page(request, meeting, **refused):
    """The meeting's page. After a refused save of one of its small forms, that form as it was
    posted, with the reasons beside its boxes: action_form, goal_form, note_form (bound forms),
    update or review ((action item id, bound form))."""
    updates = Prefetch("updates", ActionItemUpdate.objects.select_related("by"))
    actions = meeting.action_items.select_related(
        "owner", "carried_from__meeting"
    ).prefetch_related(updates)
    minutes = getattr(meeting, "minutes", None)
    can_keep = can_record(request.user, meeting)
    record_open = can_keep and not meeting.is_cancelled and not (minutes and minutes.is_published)
    prefetch_related_objects([meeting], "agenda_items")
    is_cap = meeting.meeting_type == MeetingType.CAP
    today = clock.today(meeting.district)
    actions = list(actions)
    update_pk, update_form = refused.pop("update", (None, None))
    for item in actions:
        item.overdue = item.is_overdue(today)
        if item.pk == update_pk:
            item.update_form = update_form
    context = {
        "meeting": meeting,
        "agenda": meeting.agenda_items.all(),
        "invitations": meeting.invitations.select_related("user"),
        "minutes": minutes,
        "amendments": minutes.amendments.select_related("amended_by") if minutes else [],
        "actions": actions,
        "goals": meeting.goals_set.all(),
        # seed 000: the Check In and Wrap Up look at the progress toward the year's goals.
        "year_goals": Goal.objects.filter(
            school=meeting.school_id, school_year=meeting.school_year_id
        )
        .select_related("set_at")
        .prefetch_related("metrics__measurements")
        if meeting.cpm_stage in (CpmStage.CHECK_IN, CpmStage.WRAP_UP)
        else None,
        "takes_goals": meeting.cpm_stage in (CpmStage.KICK_OFF, CpmStage.CHECK_IN),
        "can_manage": can_manage(request.user, meeting) and meeting.is_planned,
        "can_keep": can_keep,
        "record_open": record_open,
        "action_form": ActionItemForm(meeting=meeting, prefix="action", categorised=is_cap),
        **(cap_context(request.user, meeting, actions) if is_cap else {}),
        "goal_form": GoalForm(prefix="goal"),
        "status_choices": ActionUpdateForm.base_fields["status"].choices,
        "combination_warning": cpm_scheduling.combination_warning(
            meeting.counts_as_title_i_meeting, meeting.counts_as_spf_meeting
        ),
        "now": clock.now(),
        "late_record": recorded_late.wording(meeting) if meeting.recorded_late_at else "",
        "sections": sections_for(request, meeting),
    }
    review_pk, review_form = refused.pop("review", (None, None))
    for row in context.get("review_rows", []):
        if row["item"].pk == review_pk:
            row["form"], row["refused"] = mark_invalid(review_form), True
    context.update(refused)
    return render(request, "meetings/meeting_detail.html", context)


@require_http_methods(["GET", "POST"])
def agenda_edit(request, pk):
    meeting = _meeting(request, pk, RECORD)
    closed = meeting.is_cancelled or (hasattr(meeting, "minutes") and meeting.minutes.is_published)
    if closed and request.method != "POST":
        messages.error(request, "This agenda can no longer be changed.")
        return redirect(meeting)
    formset = AgendaFormSet(request.POST or None, instance=meeting)
    if closed:  # closed while it was being typed: shown back, not saved
        return render(
            request,
            "meetings/agenda_form.html",
            {"meeting": meeting, "formset": formset, "closed": True},
        )
    if request.method == "POST" and formset.is_valid():
        with transaction.atomic():
            formset.save(commit=False)
            for item in formset.deleted_objects:
                item.delete()
            ordered = [f for f in formset.ordered_forms if f.instance.title]
            for position, form in enumerate(ordered, start=1):
                form.instance.position = position
                form.instance.meeting = meeting
                form.instance.save()
        messages.success(request, "Agenda saved.")
        return redirect(meeting)
    return render(request, "meetings/agenda_form.html", {"meeting": meeting, "formset": formset})


@require_http_methods(["GET", "POST"])
def meeting_invite(request, pk):
    meeting = _meeting(request, pk, MANAGE)
    form = InviteForm(request.POST or None, meeting=meeting)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.invite(
                meeting, user=request.user, people=form.cleaned_data["people"]
            )
        except ValidationError as error:
            show_errors(form, error)
        else:
            messages.success(request, f"{len(created)} invitation(s) sent with a calendar entry.")
            return redirect(meeting)
    return render(request, "meetings/invite_form.html", {"meeting": meeting, "form": form})
