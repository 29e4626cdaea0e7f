"""Progress deadlines: the SPF sharing window (seed 000) and the CIM progress reports (seed 001)."""

from django.urls import reverse
from django.utils.translation import gettext_noop

from meetings.models import Meeting, MeetingStatus, MeetingType
from schoolplan import cim_levels
from schoolplan.deadlines import (
    Deadline,
    current_occasion,
    current_years,
    in_scope,
    people_by,
    rule,
)
from schoolplan.models import District, ReminderCategory, Role, School
from schoolplan.phrases import Day, Phrase

from .models import ProgressReport, ReportDue, ReportStatus, SpfSummary
from .reports.periods import plan_dues

REPORT_DAYS_BEFORE = (14, 3, 1)  # DOMAIN: Reminders, defaults
SPF_DAYS_BEFORE_CLOSE = 3


@rule
def spf_sharing(today, scope, reach):
    """The SPF sharing window opens; 3 days before it closes, if the school has not shared."""
    years = current_years(today, scope)
    open_years = {
        d: y for d, y in years.items() if y.spf_sharing_opens <= today <= y.spf_sharing_closes
    }
    schools = list(
        in_scope(
            School.objects.filter(district__in=list(open_years)),
            scope,
            district="district",
            school="pk",
        ).values_list("pk", "district_id", "name")
    )
    ids = [s[0] for s in schools]
    shared = (
        set(
            Meeting.objects.filter(
                school__in=ids, school_year__in=[y.pk for y in open_years.values()]
            )
            .filter(status__in=(MeetingStatus.PLANNED, MeetingStatus.HELD))
            .filter(meeting_type=MeetingType.SPF)
            .values_list("school_id", flat=True)
        )
        | set(
            Meeting.objects.filter(school__in=ids, counts_as_spf_meeting=True)
            .filter(status__in=(MeetingStatus.PLANNED, MeetingStatus.HELD))
            .values_list("school_id", flat=True)
        )
        | set(
            SpfSummary.objects.filter(school__in=ids, published_at__isnull=False).values_list(
                "school_id", flat=True
            )
        )
    )
    principals = people_by("school", [Role.PRINCIPAL], ids)
    for school_id, district_id, name in schools:
        if school_id in shared:
            continue
        year = open_years[district_id]
        opens, closes = year.spf_sharing_opens, year.spf_sharing_closes
        if today - opens <= reach and (closes - today).days > SPF_DAYS_BEFORE_CLOSE:
            occasion = f"{year.start_year}-opens"
        elif current_occasion(closes, today, (SPF_DAYS_BEFORE_CLOSE,), reach) is not None:
            occasion = f"{year.start_year}-closing"
        else:
            occasion = None
        yield Deadline(
            rule="spf-sharing",
            category=ReminderCategory.SPF,
            subject=f"school:{school_id}",
            occasion=occasion,
            title=Phrase(
                gettext_noop(
                    "%(school)s: share the SPF results with families by %(day)s (publish the "
                    "family summary or hold an SPF meeting)"
                ),
                school=name,
                day=Day(closes),
            ),
            due_on=closes,
            link=reverse("spf_school", args=[school_id]),
            recipients=principals.get(school_id, []),
            level="danger" if (closes - today).days <= SPF_DAYS_BEFORE_CLOSE else "warning",
        )


@rule
def progress_report_due(today, scope, reach):
    """A progress report coming due (14, 3 and 1 days before), and overdue. The periods are
    the reports page's (reports.plan_dues, following the CIM level in force)."""
    years = current_years(today, scope)
    districts = list(in_scope(District.objects.filter(pk__in=list(years)), scope, district="pk"))
    spans = cim_levels.spans_by_district({d.pk: years[d.pk] for d in districts})
    saved = {}
    for due in ReportDue.objects.filter(
        district__in=districts, school_year__in=[y.pk for y in years.values()]
    ):
        saved.setdefault(due.district_id, []).append(due)
    reported, submitted = set(), set()
    for due_id, status in ProgressReport.objects.filter(
        due__in=[due.pk for dues in saved.values() for due in dues]
    ).values_list("due_id", "status"):
        reported.add(due_id)
        if status == ReportStatus.SUBMITTED:
            submitted.add(due_id)
    team = people_by("district", [Role.CIM_LEAD, Role.CIM_MEMBER], [d.pk for d in districts])
    for district in districts:
        year = years[district.pk]
        dues, _ = plan_dues(
            district, year, spans[district.pk], saved.get(district.pk, []), reported, submitted
        )
        for due in dues:
            if due.pk in submitted:
                continue
            due_on = due.due_on
            left = (due_on - today).days
            if left > max(REPORT_DAYS_BEFORE):
                continue
            if left < 0:
                late_since = (today - due_on).days - 1
                occasion = "overdue" if late_since <= reach.days else None
            else:
                days = current_occasion(due_on, today, REPORT_DAYS_BEFORE, reach)
                occasion = f"{days}d" if days is not None else None
            yield Deadline(
                rule="progress-report",
                category=ReminderCategory.REPORTS,
                subject=f"report-due:{district.pk}:{year.start_year}:{due.number}",
                occasion=occasion,
                title=Phrase(
                    gettext_noop(
                        "%(district)s: the CIM progress report for %(period)s %(year)s is overdue "
                        "since %(day)s"
                    )
                    if left < 0
                    else gettext_noop(
                        "%(district)s: the CIM progress report for %(period)s %(year)s is due "
                        "%(day)s"
                    ),
                    district=district.name,
                    period=due.label,
                    year=year.name,
                    day=Day(due_on),
                ),
                due_on=due_on,
                link=reverse("progress_reports", args=[district.pk]) + f"?year={year.start_year}",
                recipients=team.get(district.pk, []),
                level="danger" if left < 3 else "warning",
            )
