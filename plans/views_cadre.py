"""The cadre's pages: its plan, the CommPACT checklist with consensus, surveys, sharing."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from schoolplan import clock
from schoolplan.forms import DateInput, ModelMultipleChoiceField, show_errors
from schoolplan.permissions import (
    CONTRIBUTE_CADRE,
    MANAGE_SCHOOL,
    VIEW_CADRE,
    can,
    get_visible_or_404,
    require,
)

from . import cadre as cadre_services
from . import survey_results, surveys
from .documents import CADRE
from .models import Cadre, Consensus, StepRecord, Survey, SurveyKind
from .views_school import document_for_school


class StepForm(forms.Form):
    done_on = forms.DateField(label="Done on", required=False, widget=DateInput())
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ConsensusForm(forms.Form):
    decision = forms.CharField(label="What was agreed", max_length=500)
    agreed_on = forms.DateField(label="Agreed on", widget=DateInput())
    agreed_by = ModelMultipleChoiceField(
        label="Who agreed", queryset=None, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, cadre, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agreed_by"].queryset = cadre.members.all()


class SurveyImportForm(forms.Form):
    kind = forms.ChoiceField(label="Kind of survey", choices=SurveyKind.choices)
    title = forms.CharField(max_length=200, help_text="e.g. Parent survey, spring 2027")
    file = forms.FileField(
        label="CSV file",
        help_text=(
            "UTF-8 CSV. First column respondent_group (parent, student, staff or community), "
            "then one column per question. A heading ending in [choice], [multi] or [text] "
            "declares that kind of question; otherwise answers are Strongly disagree … "
            "Strongly agree or 1–5."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )


@require_http_methods(["GET", "POST"])
def cadre_for_school(request, school_pk):
    return document_for_school(
        request,
        school_pk,
        document=CADRE,
        start=cadre_services.start_cadre,
        may_start=MANAGE_SCHOOL,
        template="plans/cadre_start.html",
        started="Cadre started: the CommPACT steps are ready to record.",
    )


def _cadre(request, pk):
    return get_visible_or_404(
        Cadre.objects.select_related("school__district", "school_year", "shared_by"),
        request.user,
        VIEW_CADRE,
        pk=pk,
    )


def cadre_view(request, pk):
    return _cadre_page(request, _cadre(request, pk))


def _cadre_page(request, cadre, refused_step=None):
    """The cadre's page; after a refused step, that step's boxes as typed, with the reason."""
    steps = cadre.steps.prefetch_related(
        Prefetch("consensus", Consensus.objects.prefetch_related("agreed_by"))
    )
    steps = sorted(steps, key=lambda step: step.number)
    for step in steps:
        if refused_step is not None and step.pk == refused_step[0].pk:
            step.form = refused_step[1]
    resources = list(cadre.resources.all())
    can_contribute = can(request.user, CONTRIBUTE_CADRE, cadre)
    return render(
        request,
        "plans/cadre.html",
        {
            "cadre": cadre,
            "steps": steps,
            "members": cadre.members.all(),
            "actions": cadre.actions.all(),
            "resources": resources,
            "resource_total": sum(r.value or 0 for r in resources),
            "surveys": cadre.surveys.all(),
            "research_models": cadre.research_models.all(),
            "meetings": cadre.school.meetings.filter(meeting_type="cadre")
            .exclude(status="cancelled")
            .order_by("-starts_at")[:10],
            "can_contribute": can_contribute,
            "can_manage": can(request.user, MANAGE_SCHOOL, cadre),
            "consensus_form": ConsensusForm(cadre=cadre) if can_contribute else None,
            "today": clock.today(cadre.school),
        },
    )


def _step(request, pk, step_pk):
    cadre = _cadre(request, pk)
    require(request.user, CONTRIBUTE_CADRE, cadre)
    return cadre, get_object_or_404(StepRecord, pk=step_pk, cadre=cadre)


@require_POST
def cadre_step(request, pk, step_pk):
    cadre, step = _step(request, pk, step_pk)
    form = StepForm(request.POST, auto_id=f"step-{step.pk}-%s")
    if form.is_valid():
        try:
            cadre_services.record_step(step, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            show_errors(form, error)
        else:
            messages.success(request, f"Step {step.number} saved.")
            return redirect(f"{cadre.get_absolute_url()}#step-{step.pk}")
    return _cadre_page(request, cadre, (step, form))


@require_http_methods(["GET", "POST"])
def cadre_consensus(request, pk, step_pk):
    cadre, step = _step(request, pk, step_pk)
    form = ConsensusForm(request.POST or None, cadre=cadre)
    if request.method == "POST" and form.is_valid():
        try:
            cadre_services.record_consensus(step, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            show_errors(form, error)
        else:
            messages.success(request, "Consensus recorded.")
            return redirect(f"{cadre.get_absolute_url()}#step-{step.pk}")
    return render(
        request, "plans/cadre_consensus.html", {"cadre": cadre, "step": step, "form": form}
    )


@require_POST
def cadre_share(request, pk):
    cadre = _cadre(request, pk)
    require(request.user, MANAGE_SCHOOL, cadre)
    try:
        cadre_services.share_plan(cadre, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "The action plan is shared with all stakeholders.")
    return redirect(cadre)


@require_http_methods(["GET", "POST"])
def survey_import(request, pk):
    cadre = _cadre(request, pk)
    require(request.user, CONTRIBUTE_CADRE, cadre)
    form = SurveyImportForm(request.POST or None, request.FILES or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read(surveys.MAX_BYTES + 1)
        try:
            survey = surveys.import_survey(
                cadre,
                user=request.user,
                kind=form.cleaned_data["kind"],
                title=form.cleaned_data["title"],
                data=data,
                file_name=upload.name,
            )
        except surveys.SurveyImportError as error:
            problems = error.messages
        except ValidationError as error:
            show_errors(form, error)
        else:
            messages.success(
                request, f"Imported {survey.responses.count()} responses to “{survey.title}”."
            )
            return redirect(survey)
    return render(
        request,
        "plans/survey_import.html",
        {"cadre": cadre, "form": form, "problems": problems, "scale": surveys.SCALE},
    )


def survey_view(request, pk, survey_pk):
    cadre = _cadre(request, pk)
    survey = get_object_or_404(
        Survey.objects.select_related("imported_by"), pk=survey_pk, cadre=cadre
    )
    columns, summaries = survey_results.summarise(survey)
    return render(
        request,
        "plans/survey.html",
        {
            "cadre": cadre,
            "survey": survey,
            "columns": columns,
            "summaries": summaries,
            "scale": surveys.SCALE,
        },
    )
