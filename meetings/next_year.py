"""What the meetings app carries into the next school year (schoolplan/next_year.py).

- Each school's CAP classes and assessment points are copied for its principal to confirm
  (seed 003: the principal sets them; a new year's classes are rarely quite last year's). A copy
  stays labelled "carried over" until confirmed; the principal may remove it instead. A class
  whose teacher has left the school's staff is not copied, and co-leaders who left are dropped.
- Workshop series keep their registration and ESSA priority dates a year on (seed 002); their
  sessions are the district's to add (a date a year on falls on another weekday).
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count

from schoolplan.forms import posted_int
from schoolplan.models import Membership, Role
from schoolplan.next_year import a_year_on, year_name

from .models import AssessmentPoint, SchoolClass, WorkshopSeries


def _moved(day):
    # 29 February has no twin a year on: the 28th, for a person to check.
    return a_year_on(day) or date(day.year + 1, 2, 28)


def _staff(school_ids):
    """{school id: ids of its active principals and staff} (1 query)."""
    staff = {school_id: set() for school_id in school_ids}
    for school_id, user_id in Membership.objects.filter(
        school__in=school_ids,
        role__in=(Role.PRINCIPAL, Role.SCHOOL_STAFF),
        user__is_active=True,
    ).values_list("school_id", "user_id"):
        staff[school_id].add(user_id)
    return staff


PLURALS = {"CAP class": "CAP classes", "class": "classes", "workshop series": "workshop series"}


def _plural(count, word):
    return f"{count} {word if count == 1 else PLURALS.get(word, word + 's')}"


def preview(old):
    classes = SchoolClass.objects.filter(school_year=old).count()
    points = AssessmentPoint.objects.filter(school_year=old).count()
    series = WorkshopSeries.objects.filter(school_year=old).count()
    lines = []
    if classes or points:
        lines.append(
            f"{_plural(classes, 'CAP class')} and {_plural(points, 'assessment point')}, copied "
            "for each school's principal to confirm (classes whose teacher has left are not)."
        )
    if series:
        lines.append(
            f"{_plural(series, 'workshop series')} with their registration and ESSA priority "
            "dates a year on; add their sessions."
        )
    return lines


def copy(old, new, *, user):
    lines = []
    points = [
        AssessmentPoint(
            school_id=point.school_id,
            school_year=new,
            name=point.name,
            date=_moved(point.date),
            carried_over_from=point,
            confirmed=False,
        )
        for point in AssessmentPoint.objects.filter(school_year=old)
    ]
    AssessmentPoint.objects.bulk_create(points)
    classes = list(SchoolClass.objects.filter(school_year=old).prefetch_related("co_leaders"))
    staff = _staff({c.school_id for c in classes})
    kept = [c for c in classes if c.teacher_id in staff[c.school_id]]
    copies = SchoolClass.objects.bulk_create(
        SchoolClass(
            school_id=c.school_id,
            school_year=new,
            name=c.name,
            grade=c.grade,
            teacher_id=c.teacher_id,
            carried_over_from=c,
            confirmed=False,
        )
        for c in kept
    )
    through = SchoolClass.co_leaders.through
    through.objects.bulk_create(
        through(schoolclass_id=made.pk, user_id=leader.pk)
        for made, c in zip(copies, kept, strict=True)
        for leader in c.co_leaders.all()
        if leader.pk in staff[c.school_id]
    )
    if classes or points:
        line = (
            f"{_plural(len(copies), 'CAP class')} and {_plural(len(points), 'assessment point')}, "
            "for the principals to confirm"
        )
        left = len(classes) - len(copies)
        if left:
            line += f" ({_plural(left, 'class')} not copied: the teacher has left the school)"
        lines.append(line + ".")
    series_list = list(WorkshopSeries.objects.filter(school_year=old))
    WorkshopSeries.objects.bulk_create(
        WorkshopSeries(
            district_id=series.district_id,
            school_year=new,
            title=series.title,
            kind=series.kind,  # a late-June series stays one (seed 002)
            description=series.description,
            registration_opens=_moved(series.registration_opens),
            priority_closes=_moved(series.priority_closes),
            registration_closes=_moved(series.registration_closes),
            elementary_capacity=series.elementary_capacity,
            secondary_capacity=series.secondary_capacity,
            created_by=user,
        )
        for series in series_list
    )
    if series_list:
        lines.append(
            f"{_plural(len(series_list), 'workshop series')} with the dates a year on: add their "
            "sessions."
        )
    return lines


# --- The principal confirms or removes the copies ----------------------------------------------


def carried_over(school, year):
    """(classes, points) of the school's year still waiting for the principal to confirm."""
    classes = SchoolClass.objects.filter(school=school, school_year=year, confirmed=False)
    points = AssessmentPoint.objects.filter(school=school, school_year=year, confirmed=False)
    return list(classes.select_related("teacher")), list(points)


def waiting(school, start_year):
    """[(start year, classes, points)] of the copies still to confirm at the school, in its
    years from start_year on (2 queries): the home card and the CAP page point to them."""
    counts = {}
    for index, model in enumerate((SchoolClass, AssessmentPoint)):
        rows = (
            model.objects.filter(
                school=school, confirmed=False, school_year__start_year__gte=start_year
            )
            .order_by()
            .values_list("school_year__start_year")
            .annotate(count=Count("pk"))
        )
        for year, count in rows:
            counts.setdefault(year, [0, 0])[index] = count
    return [(year, *counts[year]) for year in sorted(counts)]


def waiting_text(year_name, classes, points):
    return (
        f"{_plural(classes, 'CAP class')} and {_plural(points, 'assessment point')} carried over "
        f"into {year_name} wait for the principal to confirm them."
    )


def carried_over_context(school, year):
    """What the CAP page shows of the copies: the shown year's still to confirm, and a pointer
    to later years' (a principal looks at this year's page in June)."""
    if year is None:
        return {"waiting": [], "carried_classes": [], "carried_points": [], "carried_count": 0}
    classes, points = carried_over(school, year)
    return {
        "waiting": [
            (start, waiting_text(year_name(start), *counts))
            for start, *counts in waiting(school, year.start_year + 1)
        ],
        "carried_classes": classes,
        "carried_points": points,
        "carried_count": len(classes) + len(points),
        "carried_from": year_name(year.start_year - 1),
    }


def _copy_of(school, which):
    """The copy named "class:12" or "point:3" (as the page posts it) of the school."""
    kind, _, pk = str(which).partition(":")
    model = {"class": SchoolClass, "point": AssessmentPoint}.get(kind)
    pk = posted_int(pk)
    found = model and pk and model.objects.filter(school=school, pk=pk, confirmed=False).first()
    if found is None:
        raise ValidationError("That copy is not waiting to be confirmed (already done?).")
    return found


@transaction.atomic
def confirm(school, year, which="all"):
    """Confirm one copy ("class:12", "point:3") or all of the year's; returns how many."""
    classes, points = carried_over(school, year)
    if which != "all":
        found = _copy_of(school, which)
        if found.school_year_id != year.pk:
            raise ValidationError("That copy belongs to another school year.")
        is_class = isinstance(found, SchoolClass)
        classes, points = ([found], []) if is_class else ([], [found])
    staff = _staff([school.pk])[school.pk]
    gone = [c for c in classes if c.teacher_id not in staff]
    if gone:
        raise ValidationError(
            f"{', '.join(c.name for c in gone)}: the teacher is no longer on {school}'s staff. "
            "Remove the copy and add the class with its new teacher."
        )
    for model, copies in ((SchoolClass, classes), (AssessmentPoint, points)):
        model.objects.filter(pk__in=[c.pk for c in copies]).update(confirmed=True)
    return len(classes) + len(points)


@transaction.atomic
def remove(school, which):
    """Remove a copy the principal does not want (one not yet confirmed, with no CAP meeting)."""
    found = _copy_of(school, which)
    if found.cap_meetings.exists():
        raise ValidationError(f"{found.name} already has a CAP meeting: confirm it instead.")
    found.delete()
    return found
