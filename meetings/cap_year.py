"""A school's CAP year at a glance: each class's meetings and the balance of its actions'
categories (seed 003)."""

from collections import Counter
from dataclasses import dataclass

from .cap import FOCUS_CATEGORIES
from .models import (
    ActionCategory,
    ActionItem,
    ActionStatus,
    AssessmentPoint,
    CapMeeting,
    Meeting,
    MeetingStatus,
    SchoolClass,
)


@dataclass
class Balance:
    counts: dict
    total: int

    @property
    def focus_share(self):
        focus = sum(self.counts.get(c, 0) for c in FOCUS_CATEGORIES)
        return round(100 * focus / self.total) if self.total else 0

    @property
    def bars(self):
        return [
            {
                "key": category.value,
                "label": category.label,
                "count": self.counts.get(category, 0),
                "percent": round(100 * self.counts.get(category, 0) / self.total)
                if self.total
                else 0,
            }
            for category in ActionCategory
        ]

    @property
    def nudge(self):
        # seed 003: TA intervention and parental engagement are allowed, but not the default.
        if self.total and self.focus_share < 50:
            return (
                f"Only {self.focus_share}% of the agreed actions adapt teaching or the curriculum. "
                "CAP meetings work best when most actions change how the class is taught; "
                "teaching-assistant support and parental engagement come after."
            )
        return ""


def category_balance(actions):
    return category_balance_from_counts(
        Counter(action.category or ActionCategory.OTHER for action in actions)
    )


def latest_assessment_point(school, year, today):
    points = AssessmentPoint.objects.filter(school=school, school_year=year)
    return (
        points.filter(date__lte=today).order_by("-date").first() or points.order_by("date").first()
    )


@dataclass
class ClassRow:
    school_class: SchoolClass
    meeting: Meeting | None
    open_actions: dict

    @property
    def state(self):
        if self.meeting is None:
            return "missing"
        return "held" if self.meeting.status == MeetingStatus.HELD else "scheduled"


def class_overview(school, year, today):
    """For leaders: each class, its CAP meeting after the latest assessment point, open actions."""
    point = latest_assessment_point(school, year, today)
    classes = list(
        SchoolClass.objects.filter(school=school, school_year=year).select_related("teacher")
    )
    meetings = {}
    if point is not None:
        for cap in (
            CapMeeting.objects.filter(assessment_point=point, school_class__in=classes)
            .exclude(meeting__status=MeetingStatus.CANCELLED)
            .select_related("meeting")
        ):
            current = meetings.get(cap.school_class_id)
            if current is None or cap.meeting.status == MeetingStatus.HELD:
                meetings[cap.school_class_id] = cap.meeting
    open_counts = {}
    for class_id, category in ActionItem.objects.filter(
        meeting__cap__school_class__in=classes, status=ActionStatus.OPEN
    ).values_list("meeting__cap__school_class_id", "category"):
        per_class = open_counts.setdefault(class_id, Counter())
        per_class[category or ActionCategory.OTHER] += 1
    rows = [ClassRow(c, meetings.get(c.pk), dict(open_counts.get(c.pk, {}))) for c in classes]
    totals = Counter()
    for row in rows:
        totals.update(row.open_actions)
    return point, rows, category_balance_from_counts(totals)


def category_balance_from_counts(counts):
    return Balance(dict(counts), sum(counts.values()))
