"""District staff start the next school year from the current one (schoolplan/next_year.py)."""

from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.html import format_html, format_html_join
from django.views.decorators.http import require_http_methods

from . import clock, next_year
from .forms import SCHOOL_YEAR_DATES, NextYearForm, show_errors
from .models import District, SchoolYear
from .permissions import MANAGE_DISTRICT, VIEW_DISTRICT, get_visible_or_404, require


@require_http_methods(["GET", "POST"])
def start_next_year(request, district_pk, pk):
    district = get_visible_or_404(
        District.objects.all(), request.user, VIEW_DISTRICT, pk=district_pk
    )
    require(request.user, MANAGE_DISTRICT, district)
    year = get_object_or_404(
        SchoolYear.objects.select_related("district"), district=district, pk=pk
    )
    today = clock.today(district)
    form = NextYearForm(
        request.POST or None,
        district=district,
        start_year=year.start_year + 1,
        initial=next_year.proposed_dates(year),
    )
    try:
        next_year.check_can_start(year, today)
    except ValidationError as error:
        if request.method != "POST":
            messages.error(request, " ".join(error.messages))
            return redirect(district)
        # Started meanwhile by someone else: the dates typed are shown back, with the reason.
        form.is_valid()
        show_errors(form, error)
    # Posted once to check the dates, a second time (the "Start" button) to create the year.
    confirming = request.method == "POST" and "edit" not in request.POST and form.is_valid()
    if confirming and "confirmed" in request.POST:
        try:
            started = next_year.start_next_year(
                year, user=request.user, dates=form.dates, today=today
            )
        except ValidationError as error:
            show_errors(form, error)
            confirming = False
        else:
            messages.success(
                request,
                format_html(
                    'School year {} started. Carried over:<ul class="mb-0">{}</ul>',
                    started.year.name,
                    format_html_join("", "<li>{}</li>", ((line,) for line in started.carried)),
                ),
            )
            return redirect(district)
    return render(
        request,
        "schoolplan/next_year_form.html",
        {
            "district": district,
            "year": year,
            "next_name": next_year.year_name(year.start_year + 1),
            "starts_on": date(year.start_year + 1, 7, 1),
            "ends_on": date(year.start_year + 2, 6, 30),
            "form": form,
            "confirming": confirming,
            "checked": [
                (form[name].label, name, getattr(form.instance, name)) for name in SCHOOL_YEAR_DATES
            ]
            if confirming
            else [],
            "carry_over": next_year.preview(year),
        },
    )
