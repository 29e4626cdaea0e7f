"""District staff record the district's CIM monitoring level for a school year, checked and
confirmed (schoolplan/cim_levels.py)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from . import cim_levels, clock
from .forms import CimLevelForm, show_errors
from .models import District
from .permissions import MANAGE_DISTRICT, VIEW_DISTRICT, get_visible_or_404, require


def _years(district, today):
    """[(year, its spans, summary)] of the years set up, latest first; past years marked."""
    return [
        {
            "year": year,
            "spans": spans,
            "summary": cim_levels.summary(spans),
            "over": today > year.ends_on,
        }
        for year in district.school_years.order_by("-start_year")
        for spans in [cim_levels.levels_of(district, year)]
    ]


@require_http_methods(["GET", "POST"])
def cim_level(request, pk):
    district = get_visible_or_404(District.objects.all(), request.user, VIEW_DISTRICT, pk=pk)
    require(request.user, MANAGE_DISTRICT, district)
    today = clock.today(district)
    form = CimLevelForm(
        request.POST or None, initial={"status": district.cim_status, "effective_on": today}
    )
    proposal = None
    # Posted once to check the change, a second time ("Record the change") to make it.
    if request.method == "POST" and "edit" not in request.POST and form.is_valid():
        change = {
            "status": form.cleaned_data["status"],
            "effective_on": form.cleaned_data["effective_on"],
            "note": form.cleaned_data["note"],
            "user": request.user,
        }
        try:
            if "confirmed" in request.POST:
                done = cim_levels.change_level(
                    district, seen=request.POST.get("seen", ""), **change
                )
                spans = cim_levels.levels_of(district, done.year)
                messages.success(
                    request,
                    f"{done.label} is in force from {done.effective_on:%-d %b %Y}. "
                    f"{done.year.name}: {cim_levels.summary(spans)}.",
                )
                return redirect(
                    reverse("cim_home", args=[district.pk]) + f"?year={done.year.start_year}"
                )
            proposal = cim_levels.propose(district, **change)
        except ValidationError as error:
            show_errors(form, error)
    return render(
        request,
        "schoolplan/cim_level.html",
        {
            "district": district,
            "form": form,
            "proposal": proposal,
            "before_summary": proposal and cim_levels.summary(proposal.before),
            "after_summary": proposal and cim_levels.summary(proposal.after),
            "changes": {
                what: [c.text for c in proposal.changes if c.what == what]
                for what in ("stays", "ends", "starts", "kept")
            }
            if proposal
            else {},
            "seen": cim_levels.version(district),
            "years": _years(district, today),
            "levels": district.cim_levels.select_related("set_by").order_by("-effective_on"),
        },
    )
