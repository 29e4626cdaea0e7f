from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from schoolplan import clock, uploads
from schoolplan.forms import posted_year, show_errors
from schoolplan.models import School, SchoolYear
from schoolplan.permissions import (
    CLASS_TEAM,
    KEEP_SCHOOL_RECORDS,
    MANAGE_SCHOOL,
    VIEW_SCHOOL,
    can,
    get_visible_or_404,
    require,
)

from . import cap, cap_year, next_year, services
from .access import RECORD, get_meeting
from .forms_cap import (
    AnalysisForm,
    AssessmentPointForm,
    CapMeetingForm,
    ClassForm,
    NoteForm,
    ReviewForm,
)
from .models import (
    ActionCategory,
    ActionItem,
    ActionReview,
    ActionStatus,
    CapMeeting,
    GroupNote,
    Meeting,
    PupilNote,
    SchoolClass,
)


def _staff_school(request, pk):
    school = get_visible_or_404(
        School.objects.select_related("district"), request.user, VIEW_SCHOOL, pk=pk
    )
    require(request.user, KEEP_SCHOOL_RECORDS, school)
    clock.activate(school)
    return school


def _class(request, pk):
    """A class of a school the user works at (or leads); anything else is a 404."""
    classes = SchoolClass.objects.select_related("school__district", "school_year", "teacher")
    school_class = get_object_or_404(classes, pk=pk)
    if not can(request.user, KEEP_SCHOOL_RECORDS, school_class):
        raise Http404("No such class.")
    clock.activate(school_class.school)  # its meetings are shown, and typed, in its zone
    return school_class


def _cap_meeting(request, pk):
    """A CAP meeting the user keeps the record of. Only a CAP meeting has an analysis, notes and
    reviews of the previous actions: any other meeting's address here is a 404, not a 500."""
    meeting = get_meeting(request, pk, RECORD)
    if getattr(meeting, "cap", None) is None:
        raise Http404("Only a CAP meeting has an analysis, notes and action reviews.")
    return meeting


@require_http_methods(["GET", "POST"])
def cap_overview(request, pk):
    """The leaders' view of every class: CAP meeting after the latest assessment point, actions."""
    school = _staff_school(request, pk)
    today = clock.today(school)
    # A principal prepares the next year's classes before it starts (meetings/next_year.py).
    year = SchoolYear.objects.chosen_or_current(school.district_id, posted_year(request.GET), today)
    here = reverse("cap_overview", args=[school.pk]) + (f"?year={year.start_year}" if year else "")
    manages = can(request.user, MANAGE_SCHOOL, school)
    class_form = ClassForm(prefix="class", school=school)
    point_form = AssessmentPointForm(prefix="point")
    if request.method == "POST":
        require(request.user, MANAGE_SCHOOL, school)
        adding_class = "add_class" in request.POST
        if adding_class:
            class_form = ClassForm(request.POST, prefix="class", school=school)
        elif "add_point" in request.POST:
            point_form = AssessmentPointForm(request.POST, prefix="point")
        try:
            if year is None:
                raise ValidationError("The district has not set up this school year yet.")
            if adding_class and class_form.is_valid():
                made = cap.create_class(school=school, year=year, **class_form.cleaned_data)
                messages.success(request, f"Class {made} added.")
                return redirect(here)
            if point_form.is_bound and point_form.is_valid():
                made = cap.create_assessment_point(
                    school=school, year=year, **point_form.cleaned_data
                )
                messages.success(request, f"Assessment point {made} added.")
                return redirect(here)
        except ValidationError as error:
            show_errors(class_form if adding_class else point_form, error)
    point, rows, balance = (None, [], None)
    if year is not None:
        point, rows, balance = cap_year.class_overview(school, year, today)
    points = school.assessment_points.filter(school_year=year) if year else []
    return render(
        request,
        "meetings/cap_overview.html",
        {
            "school": school,
            "year": year,
            "point": point,
            "points": points,
            "rows": rows,
            "balance": balance,
            "can_manage": manages,
            "class_form": class_form,
            "point_form": point_form,
            "category_labels": dict(ActionCategory.choices),
            "years": SchoolYear.objects.filter(district=school.district_id),
            **next_year.carried_over_context(school, year),
        },
    )


def class_record(request, pk):
    """The class's shared record: every CAP meeting, its analysis and the chain of actions."""
    school_class = _class(request, pk)
    caps = list(
        CapMeeting.objects.filter(school_class=school_class)
        .select_related("meeting", "assessment_point", "analysis_by")
        .prefetch_related(
            Prefetch(
                "meeting__action_items",
                ActionItem.objects.select_related("owner", "carried_from__meeting"),
            ),
            Prefetch("meeting__action_reviews", ActionReview.objects.select_related("action_item")),
        )
        .order_by("meeting__starts_at")
    )
    team = can(request.user, CLASS_TEAM, school_class)
    # seed 003: group and pupil notes are student records, read through the one rule.
    group_notes, pupil_notes = {}, {}
    if team:
        for notes, model in ((group_notes, GroupNote), (pupil_notes, PupilNote)):
            for note in cap.notes_visible_to(request.user, model.objects.filter(cap__in=caps)):
                notes.setdefault(note.cap_id, []).append(note)
    # A carried-forward action lives on as its successor; count it once.
    actions = [
        a for c in caps for a in c.meeting.action_items.all() if a.status != ActionStatus.CARRIED
    ]
    return render(
        request,
        "meetings/class_record.html",
        {
            "school_class": school_class,
            "caps": caps,
            "group_notes": group_notes,
            "pupil_notes": pupil_notes,
            "is_team": team,
            "balance": cap_year.category_balance(actions),
            "co_leaders": school_class.co_leaders.all(),
        },
    )


@require_http_methods(["GET", "POST"])
def schedule_cap(request, pk):
    school_class = _class(request, pk)
    if not can(request.user, CLASS_TEAM, school_class):
        raise PermissionDenied("Only the class's team and the school's leaders schedule its CAP.")
    form = CapMeetingForm(request.POST or None, school_class=school_class)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = cap.schedule_cap_meeting(
                user=request.user,
                school_class=school_class,
                assessment_point=data["assessment_point"],
                **form.when_and_where,
                confirmed=data["confirmed"],
            )
        except services.NeedsConfirmation as error:
            form.ask_for_confirmation(error.messages)
        except ValidationError as error:
            show_errors(form, error)
        else:
            messages.success(request, f"{meeting.title} is scheduled. Fill in the analysis first.")
            return redirect(meeting)
    return render(
        request,
        "meetings/cap_form.html",
        {
            "school_class": school_class,
            "form": form,
            "has_points": form.fields["assessment_point"].queryset.exists(),
        },
    )


@require_http_methods(["GET", "POST"])
def analysis_edit(request, pk):
    meeting = _cap_meeting(request, pk)
    record = meeting.cap
    form = AnalysisForm(request.POST or None, request.FILES or None, instance=record)
    if request.method == "POST" and form.is_valid():
        try:
            cap.save_analysis(
                record,
                user=request.user,
                strengths=form.cleaned_data["strengths"],
                areas_of_focus=form.cleaned_data["areas_of_focus"],
                assessment_file=request.FILES.get("assessment_file"),
                clear_file=form.cleaned_data["clear_file"],
            )
        except ValidationError as error:
            record.refresh_from_db()
            show_errors(form, error)
        else:
            messages.success(request, "Analysis saved.")
            return redirect(meeting)
    return render(request, "meetings/analysis_form.html", {"meeting": meeting, "form": form})


def analysis_file(request, pk):
    """The attached assessment data may name pupils: the class's team and leaders only."""
    meeting = get_meeting(request, pk)
    record = getattr(meeting, "cap", None)
    if record is None or not record.assessment_file or not can(request.user, CLASS_TEAM, record):
        raise Http404("No such file.")
    return uploads.download(record.assessment_file)


@require_POST
def note_add(request, pk):
    from .views import detail_page

    meeting = _cap_meeting(request, pk)
    form = NoteForm(request.POST, prefix="note")
    if form.is_valid():
        try:
            cap.add_note(meeting.cap, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            show_errors(form, error)
        else:
            messages.success(request, "Note added.")
            return redirect(f"{meeting.get_absolute_url()}#notes")
    return detail_page(request, meeting, note_form=form)


@require_POST
def review_add(request, pk, action_pk):
    from .views import detail_page

    meeting = _cap_meeting(request, pk)
    # Only actions of meetings the user may see: another school's action is a 404, not a name.
    item = get_object_or_404(
        ActionItem.objects.filter(meeting__in=Meeting.objects.visible_to(request.user)),
        pk=action_pk,
    )
    form = ReviewForm(request.POST, prefix=f"review-{item.pk}")
    if form.is_valid():
        try:
            cap.review_action(meeting, user=request.user, action_item=item, **form.cleaned_data)
        except ValidationError as error:
            show_errors(form, error)
        else:
            messages.success(request, f"“{item}” reviewed.")
            return redirect(f"{meeting.get_absolute_url()}#review")
    return detail_page(request, meeting, review=(item.pk, form))
