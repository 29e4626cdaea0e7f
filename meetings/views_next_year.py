"""The principal confirms (or removes) the CAP classes and assessment points carried over into a
new school year (meetings/next_year.py)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from schoolplan import clock
from schoolplan.forms import posted_year
from schoolplan.models import School, SchoolYear
from schoolplan.permissions import MANAGE_SCHOOL, VIEW_SCHOOL, get_visible_or_404, require

from . import next_year


@require_POST
def cap_carried_over(request, pk):
    school = get_visible_or_404(
        School.objects.select_related("district"), request.user, VIEW_SCHOOL, pk=pk
    )
    require(request.user, MANAGE_SCHOOL, school)
    year = SchoolYear.objects.chosen_or_current(
        school.district_id, posted_year(request.POST), clock.today(school)
    )
    if year is None:
        raise Http404("No such school year.")
    try:
        if request.POST.get("remove"):
            removed = next_year.remove(school, request.POST["remove"])
            messages.success(request, f"{removed.name} removed from {year.name}.")
        else:
            count = next_year.confirm(school, year, request.POST.get("confirm", "all"))
            messages.success(request, f"Confirmed for {year.name}: {count}.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(reverse("cap_overview", args=[school.pk]) + f"?year={year.start_year}")
