"""What progress adds to a school's page (schoolplan.extensions.SCHOOL_PAGE_SECTIONS): the
school's row of the compliance model for the year under way, its links only where the reader
may go."""

from django.template.loader import render_to_string

from schoolplan import clock
from schoolplan.models import SchoolYear

from . import compliance
from .views_compliance import SYMBOLS


def compliance_section(request, school):
    today = clock.today(school)
    year = SchoolYear.objects.of_district_on(school.district_id, today)
    if year is None:
        return ""
    [row] = compliance.keep_openable_links(
        compliance.compute(school.district, year, today, [school]), request.user
    )
    return render_to_string(
        "progress/_school_compliance.html",
        {
            "row": row,
            "year": year,
            "items": [(label, row.cells[key]) for key, label in compliance.REQUIREMENTS],
            "symbols": SYMBOLS,
        },
        request=request,
    )
