"""The meetings' deadlines: CPM windows, the CIM team's month, action items, tomorrow's meetings.
Each rule reads in bulk: its query count does not depend on the number of schools.

`today` is the district's (schoolplan.deadlines.collect_local runs the rules once per zone); a
meeting's day is read in its own district's zone (DOMAIN.md, Time), never the server's."""

from datetime import timedelta

from django.urls import reverse
from django.utils.dateformat import format as format_date

from schoolplan import clock
from schoolplan.deadlines import (
    Deadline,
    current_occasion,
    current_years,
    in_scope,
    people_by,
    rule,
)
from schoolplan.models import CpmStage, District, ReminderCategory, Role, School

from .models import ActionItem, ActionStatus, Invitation, Meeting, MeetingStatus, MeetingType

CPM_DAYS_BEFORE = (30, 14, 3)  # DOMAIN: Reminders, defaults
CIM_REMINDER_DAY = 20  # a month with no CIM review: remind on the 20th (default)


def _day(value):
    return f"{value:%-d %b %Y}"


@rule
def cpm_window_closing(today, scope, reach):
    """seed 000: a CPM window is closing and the school has no meeting scheduled in it."""
    years = current_years(today, scope)
    open_stages = {
        district_id: [
            (stage, year.cpm_window(stage))
            for stage in CpmStage
            if year.cpm_window(stage).opens <= today <= year.cpm_window(stage).closes
        ]
        for district_id, year in years.items()
    }
    schools = list(
        in_scope(
            School.objects.filter(district__in=[d for d, s in open_stages.items() if s]),
            scope,
            district="district",
            school="pk",
        ).values_list("pk", "district_id", "name")
    )
    scheduled = set(
        Meeting.objects.filter(
            school__in=[s[0] for s in schools],
            school_year__in=[y.pk for y in years.values()],
            meeting_type=MeetingType.CPM,
        )
        .exclude(status=MeetingStatus.CANCELLED)
        .values_list("school_id", "cpm_stage")
    )
    principals = people_by("school", [Role.PRINCIPAL], [s[0] for s in schools])
    for school_id, district_id, name in schools:
        year = years[district_id]
        for stage, window in open_stages[district_id]:
            if (school_id, stage.value) in scheduled:
                continue
            days = current_occasion(window.closes, today, CPM_DAYS_BEFORE, reach)
            left = (window.closes - today).days
            yield Deadline(
                rule="cpm-window",
                category=ReminderCategory.CPM,
                subject=f"school:{school_id}",
                occasion=f"{year.start_year}-{stage.value}-{days}d" if days else None,
                title=f"{name}: schedule the {stage.label} CPM meeting; its window closes on "
                f"{_day(window.closes)} ({left} day{'s' if left != 1 else ''} left)",
                due_on=window.closes,
                link=reverse("schedule_cpm", args=[school_id]) + f"?stage={stage.value}",
                recipients=principals.get(school_id, []),
                level="danger" if left <= 3 else "warning" if left <= 14 else "info",
            )


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
            title=f"{name}: no CIM review is scheduled for {today:%B %Y}; the team meets "
            "every month",
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
        if due_on == tomorrow:
            occasion, title, level = "due-tomorrow", f"Due tomorrow: {description}", "warning"
        elif due_on < today:
            late_since = due_on + timedelta(days=1)
            occasion = "overdue" if today - late_since <= reach else None
            title, level = f"Overdue since {_day(due_on)}: {description}", "danger"
        else:
            occasion, title, level = None, f"Due today: {description}", "warning"
        yield Deadline(
            rule="action-item",
            category=ReminderCategory.ACTIONS,
            subject=f"action:{pk}",
            occasion=occasion,
            title=title[:300],
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
            title=f"Tomorrow: {title}, {format_date(starts, 'g:i A T')}",
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
                title=f"{name}: register for “{series.title}” before the ESSA priority window "
                f"closes on {_day(series.priority_closes)}",
                due_on=series.priority_closes,
                link=reverse("workshop_register", args=[series.pk, school_id]),
                recipients=principals.get(school_id, []),
                level="warning",
            )
