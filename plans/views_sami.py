"""A school's SAMI note catcher (seed 002): its team, its rated items, its ESSA data review
notes, and the 2–4 high-leverage actions the team marks for the workshop. The team, items and
notes change through the plan documents' item views (plans.documents.SAMI); the marking here."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from meetings import sami as sami_rules
from meetings.models import (
    HIGH_LEVERAGE_MAX,
    HIGH_LEVERAGE_MIN,
    RegistrationStatus,
    Sami,
    WorkshopRegistration,
)
from schoolplan.forms import ModelMultipleChoiceField, show_errors, show_theirs
from schoolplan.permissions import EDIT_SCHOOL_PLAN, VIEW_SCHOOL, can, get_visible_or_404, require

from . import workflow
from .documents import SAMI
from .models import RootCause
from .views_school import document_for_school


class HighLeverageForm(forms.Form):
    items = ModelMultipleChoiceField(
        label="High-leverage actions",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=f"Tick {HIGH_LEVERAGE_MIN} to {HIGH_LEVERAGE_MAX} items: the actions your team "
        "brings to the workshop as its pre-work.",
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, sami, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["items"].queryset = sami.items.all()


@require_http_methods(["GET", "POST"])
def sami_for_school(request, school_pk):
    return document_for_school(
        request,
        school_pk,
        document=SAMI,
        start=workflow.start_sami,
        may_start=EDIT_SCHOOL_PLAN,
        template="plans/sami_start.html",
        started="SAMI note catcher started.",
    )


@require_http_methods(["GET", "POST"])
def sami_view(request, pk):
    sami = get_visible_or_404(
        Sami.objects.select_related("school__district", "school_year", "high_leverage_by"),
        request.user,
        VIEW_SCHOOL,
        pk=pk,
    )
    can_edit = can(request.user, EDIT_SCHOOL_PLAN, sami)
    form = HighLeverageForm(
        request.POST or None,
        sami=sami,
        initial={
            "items": list(sami.high_leverage_actions().values_list("pk", flat=True)),
            "expected_version": sami.high_leverage_version,
        },
    )
    if request.method == "POST":
        require(request.user, EDIT_SCHOOL_PLAN, sami)
        if form.is_valid():
            try:
                workflow.mark_high_leverage(
                    sami,
                    items=form.cleaned_data["items"],
                    user=request.user,
                    expected_version=form.cleaned_data["expected_version"],
                )
            except sami_rules.HighLeverageConflict as conflict:
                _show_conflict(form, conflict)
            except ValidationError as error:
                show_errors(form, error)
            else:
                messages.success(request, "High-leverage actions saved.")
                return redirect(sami)
    items = sami.items.prefetch_related(
        Prefetch("root_causes", RootCause.objects.select_related("problem__plan"))
    )
    return render(
        request,
        "plans/sami.html",
        {
            "sami": sami,
            "items": items,
            "team": sami.team.all(),
            "form": form,
            "can_edit": can_edit,
            "marked": sum(1 for item in items if item.high_leverage),
            "workshops": WorkshopRegistration.objects.filter(school=sami.school)
            .exclude(status=RegistrationStatus.CANCELLED)
            .select_related("series", "session__meeting__district"),
        },
    )


def _show_conflict(form, conflict):
    """A stale marking: what the other person saved beside the boxes this person ticked."""
    show_theirs(
        form,
        "items",
        theirs="; ".join(str(item) for item in conflict.current),
        by=conflict.sami.high_leverage_by,
        at=conflict.sami.high_leverage_at,
        place=conflict.sami.school,
    )
    form.data = form.data.copy()
    form.data["expected_version"] = conflict.sami.high_leverage_version
