"""The meetings' deadlines: the CIM team's months, action items, tomorrow's meetings, workshops,
copies of last year's classes waiting (the CPM requirements': meetings.cpm_deadlines).
Each rule reads in bulk: its query count does not depend on the number of schools.

`today` is the district's (schoolplan.deadlines.collect_local runs the rules once per zone); a
meeting's day is read in its own district's zone (DOMAIN.md, Time), never the server's."""

from dataclasses import replace
from datetime import timedelta

from django.urls import reverse
from django.utils.dateformat import format as format_date
from django.utils.translation import gettext_noop

from schoolplan import clock
from schoolplan.deadlines import (
    Deadline,
    current_occasion,
    current_years,
    in_scope,
    people_by,
    rule,
)
from schoolplan.models import District, ReminderCategory, Role, School
from schoolplan.next_year import year_name
from schoolplan.phrases import Day, Phrase

from .cim_reviews import monthly_compliance
from .models import ActionItem, ActionStatus, Invitation, Meeting, MeetingStatus, MeetingType
from .next_year import waiting, waiting_text

CIM_REMINDER_DAY = 20  # a month with no CIM review: remind on the 20th (default)


def _month_end(first_day):
    return (first_day + timedelta(days=32)).replace(day=1) - timedelta(days=1)


@rule
def cim_month_without_review(today, scope, reach):
    """seed 001: the CIM team meets every month; on the 20th, a month with none is flagged."""
    if today.day < CIM_REMINDER_DAY:
        return
    years = current_years(today, scope)
    districts = list(
        in_scope(
            District.objects.filter(pk__in=years).in_cim_on(today),
            scope,
            district="pk",
        ).values_list("pk", "name")
    )
    month_start = today.replace(day=1)
    # A review's month is its date in its district; a day's margin covers any zone's offset.
    reviews = (
        Meeting.objects.filter(
            district__in=[d[0] for d in districts],
            meeting_type=MeetingType.CIM_REVIEW,
            starts_at__gte=clock.start_of_day(month_start) - timedelta(days=1),
        )
        .exclude(status=MeetingStatus.CANCELLED)
        .values_list("district_id", "starts_at", "district__time_zone")
    )
    with_review = {
        district_id
        for district_id, starts_at, zone in reviews
        if clock.local_date(starts_at, zone) >= month_start
    }
    team = people_by("district", [Role.CIM_LEAD, Role.CIM_MEMBER], [d[0] for d in districts])
    reminded_on = month_start.replace(day=CIM_REMINDER_DAY)
    for district_id, name in districts:
        if district_id in with_review:
            continue
        month_end = (month_start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        current = today - reminded_on <= reach
        yield Deadline(
            rule="cim-month",
            category=ReminderCategory.CIM,
            subject=f"district:{district_id}",
            occasion=f"{month_start:%Y-%m}" if current else None,
            title=Phrase(
                gettext_noop(
                    "%(district)s: no CIM review is scheduled for %(month)s; the team meets "
                    "every month"
                ),
                district=name,
                month=Day(today, "F Y"),
            ),
            due_on=month_end,
            link=reverse("review_schedule", args=[district_id]),
            recipients=team.get(district_id, []),
            level="warning",
        )


@rule
def action_items(today, scope, reach):
    """Action items due tomorrow, and overdue ones, to their owners."""
    tomorrow = today + timedelta(days=1)
    items = in_scope(
        ActionItem.objects.filter(
            status=ActionStatus.OPEN,
            owner__isnull=False,
            due_on__lte=tomorrow,
            due_on__gte=today - timedelta(days=90),
        ).exclude(meeting__status=MeetingStatus.CANCELLED),
        scope,
        district="meeting__district",
        school="meeting__school",
    ).values_list("pk", "description", "due_on", "owner_id", "meeting_id")
    for pk, description, due_on, owner_id, meeting_id in items:
        description = description[:260]  # the title's room, with its words around it
        if due_on == tomorrow:
            occasion, level = "due-tomorrow", "warning"
            title = Phrase(gettext_noop("Due tomorrow: %(action)s"), action=description)
        elif due_on < today:
            late_since = due_on + timedelta(days=1)
            occasion = "overdue" if today - late_since <= reach else None
            level = "danger"
            title = Phrase(
                gettext_noop("Overdue since %(day)s: %(action)s"),
                day=Day(due_on),
                action=description,
            )
        else:
            occasion, level = None, "warning"
            title = Phrase(gettext_noop("Due today: %(action)s"), action=description)
        yield Deadline(
            rule="action-item",
            category=ReminderCategory.ACTIONS,
            subject=f"action:{pk}",
            occasion=occasion,
            title=title,
            due_on=due_on,
            link=reverse("meeting_detail", args=[meeting_id]) + "#actions",
            recipients=[owner_id],
            level=level,
        )


@rule
def tomorrows_meetings(today, scope, reach):
    """Tomorrow's meetings, to the people invited: tomorrow and the time where the meeting is."""
    tomorrow = today + timedelta(days=1)
    # A day's margin either side covers any zone; each meeting's own day is checked below.
    invitations = in_scope(
        Invitation.objects.filter(
            meeting__status=MeetingStatus.PLANNED,
            meeting__starts_at__gte=clock.start_of_day(tomorrow) - timedelta(days=1),
            meeting__starts_at__lt=clock.midnight_after(tomorrow) + timedelta(days=1),
            user__is_active=True,
        ),
        scope,
        district="meeting__district",
        school="meeting__school",
    ).values_list(
        "meeting_id",
        "meeting__title",
        "meeting__starts_at",
        "meeting__district__time_zone",
        "user_id",
    )
    by_meeting = {}
    for meeting_id, title, starts_at, zone, user_id in invitations:
        starts = clock.local(starts_at, zone)
        if starts.date() == tomorrow:
            by_meeting.setdefault(meeting_id, (title, starts, []))[2].append(user_id)
    for meeting_id, (title, starts, users) in by_meeting.items():
        yield Deadline(
            rule="meeting-tomorrow",
            category=ReminderCategory.MEETINGS,
            subject=f"meeting:{meeting_id}",
            occasion=f"day-before-{starts:%Y-%m-%d}",
            title=Phrase(
                gettext_noop("Tomorrow: %(meeting)s, %(time)s"),
                meeting=title,
                time=format_date(starts, "g:i A T"),
            ),
            due_on=tomorrow,
            link=reverse("meeting_detail", args=[meeting_id]),
            recipients=users,
        )


WORKSHOP_DAYS_BEFORE = (7, 2)  # before the ESSA priority window closes (default)


@rule
def workshop_priority_window(today, scope, reach):
    """seed 002: designated schools register first; remind those not registered before their
    priority window closes."""
    from .models import RegistrationStatus, WorkshopRegistration, WorkshopSeries

    series_list = list(
        in_scope(
            # A series with no session yet (one carried into a new year) has nothing to offer.
            WorkshopSeries.objects.filter(
                registration_opens__lte=today,
                priority_closes__gte=today,
                priority_closes__lte=today + timedelta(days=max(WORKSHOP_DAYS_BEFORE)),
                sessions__isnull=False,
            ).distinct(),
            scope,
            district="district",
        )
    )
    if not series_list:
        return
    schools = list(
        in_scope(
            School.objects.filter(district__in={s.district_id for s in series_list}).exclude(
                essa_designation="none"
            ),
            scope,
            district="district",
            school="pk",
        ).values_list("pk", "district_id", "name")
    )
    registered = set(
        WorkshopRegistration.objects.filter(series__in=series_list)
        .exclude(status=RegistrationStatus.CANCELLED)
        .values_list("series_id", "school_id")
    )
    principals = people_by("school", [Role.PRINCIPAL], [s[0] for s in schools])
    for series in series_list:
        days = current_occasion(series.priority_closes, today, WORKSHOP_DAYS_BEFORE, reach)
        for school_id, district_id, name in schools:
            if district_id != series.district_id or (series.pk, school_id) in registered:
                continue
            yield Deadline(
                rule="workshop-priority",
                category=ReminderCategory.WORKSHOPS,
                subject=f"school:{school_id}",
                occasion=f"workshop-{series.pk}-{days}d" if days else None,
                title=Phrase(
                    gettext_noop(
                        "%(school)s: register for “%(series)s” before the ESSA priority window "
                        "closes on %(day)s"
                    ),
                    school=name,
                    series=series.title,
                    day=Day(series.priority_closes),
                ),
                due_on=series.priority_closes,
                link=reverse("workshop_register", args=[series.pk, school_id]),
                recipients=principals.get(school_id, []),
                level="warning",
            )


@rule
def workshop_prework_missing(today, scope, reach):
    """seed 002 (issue 23): a registered school whose pre-work is still missing is reminded two
    days before its session (principal and staff), on the district's calendar."""
    from .models import RegistrationStatus, WorkshopRegistration
    from .prework import PREWORK_REMINDER_DAYS_BEFORE, missing_prework, prework_due_on

    last = today + timedelta(days=max(PREWORK_REMINDER_DAYS_BEFORE))
    # A day's margin either side covers any zone; each session's own day is checked below.
    registrations = [
        r
        for r in in_scope(
            missing_prework(
                WorkshopRegistration.objects.filter(
                    status=RegistrationStatus.REGISTERED,
                    session__meeting__starts_at__gte=clock.start_of_day(today) - timedelta(days=1),
                    session__meeting__starts_at__lt=clock.midnight_after(last) + timedelta(days=1),
                )
            ),
            scope,
            district="series__district",
            school="school",
        ).select_related("school", "series", "session__meeting__district")
        if today <= r.session.meeting.local_date <= last
    ]
    people = people_by(
        "school", [Role.PRINCIPAL, Role.SCHOOL_STAFF], [r.school_id for r in registrations]
    )
    for registration in registrations:
        days = current_occasion(
            registration.session.meeting.local_date, today, PREWORK_REMINDER_DAYS_BEFORE, reach
        )
        yield Deadline(
            rule="workshop-prework",
            category=ReminderCategory.WORKSHOPS,
            subject=f"school:{registration.school_id}",
            occasion=f"prework-{registration.pk}-{days}d" if days else None,
            title=Phrase(
                gettext_noop(
                    "%(school)s: give the pre-work for “%(series)s” (2–4 high-leverage actions "
                    "from the SAMI) by %(day)s"
                ),
                school=registration.school.name,
                series=registration.series.title,
                day=Day(prework_due_on(registration)),
            ),
            due_on=prework_due_on(registration),
            link=reverse("workshop_prework", args=[registration.pk]),
            recipients=people.get(registration.school_id, []),
            level="warning",
        )


@rule(home_only=True)
def cim_review_months(today, scope, reach):
    """seed 001: the CIM team meets at least monthly. The team sees a month still without a
    held review (before the 20th, when cim_month_without_review takes over) and the months with
    none; the team and district staff see the months recorded late (DOMAIN.md, "Recorded, not
    scheduled")."""
    years = current_years(today, scope)
    districts = list(
        in_scope(District.objects.filter(pk__in=years).in_cim_on(today), scope, district="pk")
    )
    ids = [d.pk for d in districts]
    team = people_by("district", [Role.CIM_LEAD, Role.CIM_MEMBER, Role.TA_PROVIDER], ids)
    staff = people_by("district", [Role.DISTRICT_STAFF], ids)
    for district in districts:
        months = monthly_compliance(district, years[district.pk], today)
        link = reverse("cim_home", args=[district.pk])
        common = {
            "rule": "cim-months",
            "category": ReminderCategory.CIM,
            "subject": f"district:{district.pk}",
            "occasion": None,
            "link": link,
            "recipients": team.get(district.pk, []),
        }
        current = next(
            (
                m
                for m in months
                if (m.first_day.year, m.first_day.month) == (today.year, today.month)
            ),
            None,
        )
        if current is not None and current.state == "open" and today.day < CIM_REMINDER_DAY:
            yield Deadline(
                **common,
                title=f"No CIM review held yet in {current.label}.",
                due_on=_month_end(current.first_day),
                level="warning",
            )
        gaps = [m for m in months if m.is_gap]
        if gaps:
            yield Deadline(
                **common,
                title=f"Months with no held CIM review: {', '.join(m.label for m in gaps)}.",
                due_on=_month_end(gaps[-1].first_day),
                level="danger",
            )
        for month in months:
            if month.state in ("late", "gap") and month.late_records:
                yield replace(
                    Deadline(
                        **common,
                        title=f"CIM review {month.label}: {month.phrase}.",
                        due_on=_month_end(month.first_day),
                        level="warning",
                    ),
                    watchers=staff.get(district.pk, []),
                )


@rule(home_only=True)
def carried_over_waiting(today, scope, reach):
    """A principal confirms the classes and assessment points copied from last year
    (meetings.next_year): the copies waiting in this year or the next."""
    if scope is None or not scope.school_ids:
        return
    years = current_years(today, scope)
    schools = School.objects.filter(pk__in=scope.school_ids, district__in=list(years))
    principals = people_by("school", [Role.PRINCIPAL], [s.pk for s in schools])
    for school in schools:
        if not principals.get(school.pk):
            continue
        url = reverse("cap_overview", args=[school.pk])
        year = years[school.district_id]
        for start, *counts in waiting(school, year.start_year):
            yield Deadline(
                rule="carried-over",
                category=ReminderCategory.CPM,
                subject=f"school:{school.pk}",
                occasion=None,
                title=waiting_text(year_name(start), *counts),
                due_on=today,
                link=f"{url}?year={start}",
                recipients=principals[school.pk],
                level="warning",
            )
