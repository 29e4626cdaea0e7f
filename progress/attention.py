"""What progress adds to the home page: the schools with gaps (district staff and CIM leads),
counted from the compliance model with its chart, and the cards' links to the families' pages
and the CIM progress reports."""

from django.urls import reverse

from schoolplan.deadlines import Deadline, current_years, in_scope, people_by, rule
from schoolplan.models import District, ReminderCategory, Role

from . import compliance
from .charts import BUCKET_OF, requirement_bars_svg


@rule(home_only=True)
def schools_with_gaps(today, scope, reach):
    """A district's schools with a gap (a requirement due and not done, missed or late), from
    the same computation as the compliance dashboard, which the item links to."""
    years = current_years(today, scope)
    districts = list(in_scope(District.objects.filter(pk__in=list(years)), scope, district="pk"))
    readers = people_by("district", [Role.DISTRICT_STAFF, Role.CIM_LEAD], [d.pk for d in districts])
    for district in districts:
        if not readers.get(district.pk):
            continue
        rows = compliance.compute(district, years[district.pk], today)
        gaps = [row for row in rows if row.has_gap]
        if not gaps:
            continue
        counts = []
        worst = []
        for key, label in compliance.REQUIREMENTS:
            found = {}
            for row in rows:
                bucket = BUCKET_OF.get(row.cells[key].state)
                if bucket:
                    found[bucket] = found.get(bucket, 0) + 1
            if found:
                counts.append((label, found))
            missing = found.get("missed", 0) + found.get("due", 0)
            if missing:
                worst.append((-found.get("missed", 0), -missing, label, found))
        worst.sort()
        detail = "; ".join(
            f"{label}: " + ", ".join(f"{found[k]} {k}" for k in ("missed", "due") if found.get(k))
            for _m, _n, label, found in worst[:3]
        )
        yield Deadline(
            rule="schools-with-gaps",
            category=ReminderCategory.CPM,
            subject=f"district:{district.pk}",
            occasion=None,
            title=f"{len(gaps)} of {len(rows)} schools have gaps ({detail}).",
            due_on=today,
            link=reverse("compliance", args=[district.pk]) + "?gap=1",
            recipients=readers[district.pk],
            level="danger" if any(-m for m, *_ in worst) else "warning",
            chart=requirement_bars_svg(counts, chart_id=f"gaps-{district.pk}"),
        )


def card_links(place, roles):
    """A cadre member's link to the families' pages; the CIM team's to the progress reports."""
    if hasattr(place, "public_slug"):  # a school
        if Role.CADRE_MEMBER in roles:
            return [
                (
                    "Your school's family pages: what families see.",
                    reverse("family_school", args=[place.public_slug]),
                )
            ]
        return []
    if roles & {Role.CIM_LEAD, Role.CIM_MEMBER, Role.TA_PROVIDER} and (
        place.progress_reports_per_year
    ):
        per_year = {4: "quarterly", 2: "semi-annually"}[place.progress_reports_per_year]
        return [
            (
                f"CIM progress reports are due {per_year} ({place.get_cim_status_display()}).",
                reverse("progress_reports", args=[place.pk]),
            )
        ]
    return []
