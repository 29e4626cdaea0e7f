"""Demo meetings for the demo district: one school well ahead, one with a meeting coming up."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from schoolplan.models import CpmStage, School, SchoolYear, User

from . import cpm
from .models import (
    ActionItem,
    ActionItemUpdate,
    ActionStatus,
    AgendaItem,
    Goal,
    GoalArea,
    Meeting,
    MeetingStatus,
    MeetingType,
    Minutes,
)


def _at(day, hour, minute=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _meeting(school, year, day, *, title_i=False, spf=False):
    """The school's demo Kick Off, created once (found again by its title)."""
    title = f"Kick Off community meeting {year.name}"
    existing = Meeting.objects.filter(school=school, title=title).first()
    if existing:
        return existing, False
    meeting = Meeting.objects.create(
        district=school.district,
        school=school,
        school_year=year,
        meeting_type=MeetingType.CPM,
        cpm_stage=CpmStage.KICK_OFF,
        counts_as_title_i_meeting=title_i,
        counts_as_spf_meeting=spf,
        title=title,
        starts_at=_at(day, 17, 30),
        ends_at=_at(day, 19, 30),
        place=f"{school.name} cafeteria",
        languages_offered=school.family_languages,
    )
    AgendaItem.objects.add_to(
        meeting,
        cpm.suggested_agenda(school, year, CpmStage.KICK_OFF, title_i=title_i, spf=spf),
    )
    return meeting, True


def build_demo_meetings(today):
    valdez = School.objects.filter(name="Valdez Elementary").first()
    chavez = School.objects.filter(name="Cesar Chavez Elementary").first()
    if valdez is None or chavez is None:
        return 0
    year = SchoolYear.objects.of_district_on(valdez.district, today)
    if year is None:
        return 0
    created = 0
    # Valdez (Title I) combined its Kick Off with the Title I and SPF meetings.
    day = year.spf_sharing_opens + timedelta(days=8)
    meeting, was_created = _meeting(valdez, year, day, title_i=True, spf=True)
    created += was_created
    if was_created and day < today:
        principal = User.objects.get(username="principal")
        teacher = User.objects.get(username="teacher")
        meeting.status = MeetingStatus.HELD
        meeting.family_attendees, meeting.community_attendees = 38, 6
        meeting.save()
        Minutes.objects.create(
            meeting=meeting,
            text="Ms Valdez presented the SPF results: reading growth is strong, math "
            "achievement in grades 3-5 is below the district. Families asked for math nights. "
            "Interpretation in Spanish was provided throughout.",
            decisions="Hold two family math nights before the Check In.",
            recorded_by=principal,
            published_at=timezone.now(),
            published_by=principal,
        )
        for area, text in (
            (GoalArea.MATH, "Raise grade 3-5 math proficiency from 31% to 40% by May"),
            (GoalArea.BELONGING, "Half of our families attend at least one CPM meeting this year"),
        ):
            Goal.objects.create(
                school=valdez, school_year=year, set_at=meeting, area=area, text=text
            )
        for description, owner, due, status in (
            (
                "Translate the SPF family summary into Spanish",
                principal,
                day + timedelta(7),
                "done",
            ),
            ("Plan the first family math night", teacher, day + timedelta(30), "open"),
        ):
            item = ActionItem.objects.create(
                meeting=meeting, description=description, owner=owner, due_on=due, status=status
            )
            ActionItemUpdate.objects.create(action_item=item, by=principal, new_status="open")
            if status == ActionStatus.DONE:
                ActionItemUpdate.objects.create(
                    action_item=item, by=owner, old_status="open", new_status="done"
                )
    # Chavez has its Kick Off coming up, when the window still allows.
    window = year.cpm_window(CpmStage.KICK_OFF)
    upcoming = today + timedelta(days=3)
    if window.contains(upcoming):
        _, was_created = _meeting(chavez, year, upcoming)
        created += was_created
    return created


def build_demo_cap(today):
    """Valdez: two classes, the year's assessment points, and 3B's first CAP meeting."""
    from . import cap
    from .models import AssessmentPoint, CapMeeting, GroupNote, PupilNote, SchoolClass

    valdez = School.objects.filter(name="Valdez Elementary").first()
    if valdez is None:
        return 0
    year = SchoolYear.objects.of_district_on(valdez.district, today)
    if year is None:
        return 0
    created = 0
    points = {}
    for name, day in (
        ("Autumn summative", year.starts_on.replace(month=11, day=2)),
        ("Spring summative", year.ends_on.replace(month=3, day=10)),
        ("Summer summative", year.ends_on.replace(month=6, day=5)),
    ):
        points[name], was_created = AssessmentPoint.objects.get_or_create(
            school=valdez, school_year=year, name=name, defaults={"date": day}
        )
        created += was_created
    teacher = User.objects.get(username="teacher")
    teacher2 = User.objects.get(username="teacher2")
    classes = {}
    for name, grade, lead in (("3B", "Grade 3", teacher), ("3C", "Grade 3", teacher2)):
        classes[name], was_created = SchoolClass.objects.get_or_create(
            school=valdez, school_year=year, name=name, defaults={"grade": grade, "teacher": lead}
        )
        created += was_created
    autumn = points["Autumn summative"]
    if CapMeeting.objects.filter(school_class=classes["3B"]).exists() or autumn.date >= today:
        return created
    day = autumn.date + timedelta(days=5)
    meeting = Meeting.objects.create(
        district=valdez.district,
        school=valdez,
        school_year=year,
        meeting_type=MeetingType.CAP,
        title=f"CAP 3B – after {autumn.name}",
        starts_at=_at(day, 15, 30),
        ends_at=_at(day, 16, 30),
        place="Room 12",
        status=MeetingStatus.HELD if day < today else MeetingStatus.PLANNED,
    )
    record = CapMeeting.objects.create(
        meeting=meeting,
        school_class=classes["3B"],
        assessment_point=autumn,
        strengths="Decoding and fluency are strong: 78% at or above benchmark.",
        areas_of_focus="Inference in reading; two-step word problems in maths.",
        analysis_by=teacher,
        analysis_updated_at=timezone.now(),
    )
    AgendaItem.objects.add_to(meeting, cap.AGENDA)
    GroupNote.objects.create(
        cap=record,
        group="Guided reading group 2",
        note="Ready for inference texts.",
        created_by=teacher,
    )
    PupilNote.objects.create(
        cap=record, pupil="JD", note="Phonics gaps; daily 10-minute catch-up.", created_by=teacher
    )
    for description, category in (
        ("Model inference questions with think-alouds in every guided reading", "teaching"),
        ("Add bar-model word problems to each maths unit", "curriculum"),
        ("TA-led phonics catch-up for three pupils", "ta_support"),
    ):
        item = ActionItem.objects.create(
            meeting=meeting, description=description, owner=teacher, category=category
        )
        ActionItemUpdate.objects.create(action_item=item, by=teacher, new_status="open")
    return created + 1


def build_demo_workshops(today):
    """A workshop series in the demo district, open for ESSA-designated schools this week."""
    from datetime import time as clock

    from schoolplan.models import District

    from . import workshops
    from .models import WorkshopSeries

    district = District.objects.filter(slug="riverbend-usd").first()
    staff = User.objects.filter(username="district").first()
    year = SchoolYear.objects.of_district_on(district.pk, today) if district else None
    if year is None or staff is None or WorkshopSeries.objects.filter(district=district).exists():
        return 0
    series = workshops.create_series(
        district=district,
        year=year,
        user=staff,
        title="Collaborative problem solving workshop",
        description="Bring your SAMI team (6 or more) and 2–4 high-leverage actions from it.",
        registration_opens=today - timedelta(days=3),
        priority_closes=today + timedelta(days=4),
        registration_closes=today + timedelta(days=40),
        elementary_capacity=24,
        secondary_capacity=11,
    )
    day = today + timedelta(days=50)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    for level in ("elementary", "secondary"):
        workshops.add_session(
            series,
            user=staff,
            day=day,
            starts=clock(9),
            ends=clock(12),
            place="Riverbend district office, board room",
            level=level,
        )
    valdez = School.objects.filter(name="Valdez Elementary").first()
    principal = User.objects.filter(username="principal").first()
    if valdez is not None and principal is not None:
        workshops.register(
            series,
            school=valdez,
            session=series.sessions.get(level="elementary"),
            user=principal,
            people=7,
            dietary_notes="Two vegetarian, one gluten-free",
            prework="1. Math talk routines in grades 3-5\n2. Family math nights",
            today=today,
        )
    return 4
