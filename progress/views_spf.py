"""SPF results: the district imports them; the principal writes and publishes the family summary."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from meetings.cpm import cpm_year
from plans.views_school import school_and_year
from schoolplan import clock, translations
from schoolplan.forms import Posted, posted_year
from schoolplan.models import FAMILY_LANGUAGE_NAMES, District, SchoolYear
from schoolplan.permissions import (
    MANAGE_DISTRICT,
    SUBMIT_SCHOOL_PLAN,
    VIEW_DISTRICT_WORK,
    can,
    get_visible_or_404,
    require,
)

from . import spf
from .models import SpfResult, SpfSummary

# Interface translations exist for these; a summary may be written in any family language.
DRAFT_LANGUAGES = ("en", "es")


@require_http_methods(["GET", "POST"])
def spf_school(request, school_pk):
    school, year, years = school_and_year(request, school_pk)
    if year is None:
        raise Http404("No school year is set up.")
    result, previous = spf.results_with_previous(school, year)
    summary = SpfSummary.objects.filter(school=school, school_year=year).first()
    can_publish = can(request.user, SUBMIT_SCHOOL_PLAN, school)
    languages = school.family_languages or ["en"]
    boxes = [f"text-{code}" for code in languages]
    posted = Posted(names=boxes, ids={box: box for box in boxes})
    if request.method == "POST":
        require(request.user, SUBMIT_SCHOOL_PLAN, school)
        action = request.POST.get("action")
        posted = Posted(request.POST, boxes, ids={box: box for box in boxes})
        texts = {code: posted[f"text-{code}"].value for code in languages}
        try:
            # Saved and published together or not at all: a refused publication keeps the
            # stored texts as they were, and the page shows back what was typed.
            with transaction.atomic():
                summary = spf.save_texts(school, year, texts, user=request.user)
                if action == "publish":
                    spf.publish(summary, user=request.user)
                elif action == "unpublish":
                    spf.unpublish(summary, user=request.user)
        except ValidationError as error:
            posted.refuse(error)
            summary = SpfSummary.objects.filter(school=school, school_year=year).first()
        else:
            messages.success(
                request,
                {
                    "publish": "Published on the school's family page.",
                    "unpublish": "Unpublished: families no longer see the summary.",
                }.get(action, "Saved."),
            )
            return redirect(f"{request.path}?year={year.start_year}")
    texts = []
    for code in languages:
        box = posted[f"text-{code}"]
        drafted = False
        if request.method != "POST":
            box.value = (summary.texts.get(code) if summary else "") or ""
            if not box.value and code in DRAFT_LANGUAGES:
                box.value, drafted = spf.draft_text(school, year, result, previous, code), True
        state = ""
        if code != "en" and summary is not None:
            state = translations.STATE_LABELS[summary.translation_state(code)]
        texts.append((code, str(FAMILY_LANGUAGE_NAMES.get(code, code)), box, drafted, state))
    requirement = next(
        r for r in cpm_year(school, year, clock.today(school)).requirements if r.key == "spf"
    )
    return render(
        request,
        "progress/spf_school.html",
        {
            "school": school,
            "year": year,
            "years": years,
            "result": result,
            "previous": previous,
            "comparison": spf.compare(result, previous),
            "summary": summary,
            "texts": texts,
            "posted": posted,
            "requirement": requirement,
            "summary_in_window": bool(summary and summary.is_published)
            and year.window("spf_sharing").contains(clock.local_date(summary.published_at, school)),
            "can_publish": can_publish,
            "max_chars": SpfSummary.MAX_CHARS,
        },
    )


class SpfImportForm(forms.Form):
    school_year = forms.ModelChoiceField(queryset=None, label="School year", empty_label=None)
    file = forms.FileField(
        label="CSV file",
        help_text="UTF-8 CSV: school,rating,overall,growth,achievement,gaps,engagement,"
        "postsecondary (percents; blank where an indicator does not apply).",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def __init__(self, *args, district, **kwargs):
        super().__init__(*args, **kwargs)
        years = SchoolYear.objects.filter(district=district).order_by("-start_year")
        self.fields["school_year"].queryset = years
        current = SchoolYear.objects.of_district_on(district.pk, clock.today(district))
        if current and not self.is_bound:
            self.initial["school_year"] = current.pk


@require_http_methods(["GET", "POST"])
def spf_district(request, pk):
    district = get_visible_or_404(District.objects.all(), request.user, VIEW_DISTRICT_WORK, pk=pk)
    can_import = can(request.user, MANAGE_DISTRICT, district)
    form = SpfImportForm(request.POST or None, request.FILES or None, district=district)
    problems = []
    if request.method == "POST":
        require(request.user, MANAGE_DISTRICT, district)
        if form.is_valid():
            year = form.cleaned_data["school_year"]
            try:
                created, updated = spf.import_spf(
                    district,
                    year=year,
                    data=form.cleaned_data["file"].read(spf.MAX_BYTES + 1),
                    user=request.user,
                )
            except ValidationError as error:
                problems = error.messages
            else:
                messages.success(
                    request,
                    f"Imported the {year.name} SPF results: {created} new, {updated} updated.",
                )
                return redirect(f"{request.path}?year={year.start_year}")
    years = SchoolYear.objects.filter(district=district).order_by("-start_year")
    year = SchoolYear.objects.chosen_or_current(
        district.pk, posted_year(request.GET), clock.today(district)
    )
    rows = []
    if year is not None:
        results = {
            (r.school_id, r.school_year.start_year): r
            for r in SpfResult.objects.filter(
                school__district=district,
                school_year__start_year__in=(year.start_year, year.start_year - 1),
            ).select_related("school_year")
        }
        for school in district.schools.order_by("name"):
            now = results.get((school.pk, year.start_year))
            before = results.get((school.pk, year.start_year - 1))
            change = now.overall - before.overall if now and before else None
            rows.append((school, now, before, change))
    return render(
        request,
        "progress/spf_district.html",
        {
            "district": district,
            "year": year,
            "years": years,
            "rows": rows,
            "form": form,
            "problems": problems,
            "can_import": can_import,
        },
    )
