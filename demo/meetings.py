"""Demo meetings, around each district's today (demo.days): every demo school's CPM
meetings of last year and this year, Valdez's CAP cycle and a workshop series.

A school's CPM meeting falls on the day its habit says. Once that day has passed it is held, with
minutes; before, it is scheduled if the school has booked it already (a school books so many days
ahead), else it is still to schedule. So whatever the date, the year is live: last year's
meetings are there to read, this year's window is open or coming with something to do in it.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from demo.days import demo_years, meeting_day
from meetings import cpm_scheduling
from meetings.models import (
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
from schoolplan import clock
from schoolplan.models import CpmStage, District, Role, School, SchoolYear, User

KICK_OFF, CHECK_IN, WRAP_UP = CpmStage.KICK_OFF, CpmStage.CHECK_IN, CpmStage.WRAP_UP


@dataclass(frozen=True)
class CpmHabit:
    """When a demo school holds its CPM meetings: each stage (the window counted from, days
    after it opens), how many days ahead it books them, what its Kick Off combines."""

    school: str
    days: dict
    books_ahead: int
    title_i: bool = False  # the Kick Off is also the Title I annual parent meeting
    spf: bool = False  # the Kick Off is also the SPF meeting (so it falls in the SPF window)
    skipped_last_year: tuple = ()
    families: tuple = (24, 19, 17)  # family members attending each stage
    room: str = "cafeteria"
    minutes: dict = field(default_factory=dict)
    sets_goals: bool = False  # its Kick Off records the year's goals and actions


HABITS = [
    # Valdez (Title I, TSI) is well ahead: its Kick Off shares the SPF results and is the Title I
    # meeting, and each meeting is booked as its window comes.
    CpmHabit(
        "Valdez Elementary",
        {KICK_OFF: ("spf_sharing", 8), CHECK_IN: ("check_in", 70), WRAP_UP: ("wrap_up", 45)},
        books_ahead=120,
        title_i=True,
        spf=True,
        families=(38, 31, 27),
        sets_goals=True,
        minutes={
            KICK_OFF: (
                "Ms Valdez presented the SPF results: reading growth is strong, math "
                "achievement in grades 3-5 is below the district. Families asked for math "
                "nights. Interpretation in Spanish was provided throughout.",
                "Hold two family math nights before the Check In.",
            )
        },
    ),
    # Chavez books three weeks ahead, so its next meeting is often still to schedule.
    CpmHabit(
        "Cesar Chavez Elementary",
        {KICK_OFF: ("kick_off", 60), CHECK_IN: ("check_in", 45), WRAP_UP: ("wrap_up", 30)},
        books_ahead=21,
        title_i=True,
        room="library",
    ),
    # Lincoln held two meetings last year and let the Wrap Up window pass.
    CpmHabit(
        "Lincoln Middle",
        {KICK_OFF: ("kick_off", 75), CHECK_IN: ("check_in", 60), WRAP_UP: ("wrap_up", 50)},
        books_ahead=30,
        title_i=True,
        skipped_last_year=(WRAP_UP,),
        families=(15, 12, 0),
        room="gym",
    ),
    # Lakeside (Colorado): the elementary school shares its SPF results at its Kick Off and
    # books two weeks ahead; the high school holds its Kick Off in September.
    CpmHabit(
        "Lakeside Elementary",
        {KICK_OFF: ("spf_sharing", 2), CHECK_IN: ("check_in", 60), WRAP_UP: ("wrap_up", 35)},
        books_ahead=14,
        title_i=True,
        spf=True,
        families=(29, 22, 20),
    ),
    CpmHabit(
        "Lakeside High",
        {KICK_OFF: ("kick_off", 45), CHECK_IN: ("check_in", 50), WRAP_UP: ("wrap_up", 40)},
        books_ahead=45,
        families=(21, 14, 16),
        room="auditorium",
    ),
]

MINUTES = {
    KICK_OFF: (
        "We shared how the school is doing and proposed the year's goals. Families asked how "
        "they can help at home; interpretation was offered in the school's languages.",
        "Adopt the year's goals; report progress at the Check In.",
    ),
    CHECK_IN: (
        "Mid-year check: we shared the interim results and attendance and went through each "
        "goal. Families asked for an evening session on reading at home.",
        "Keep the goals; add a spring family reading night.",
    ),
    WRAP_UP: (
        "The year's results against each goal: what worked and what did not. Families "
        "suggested next year's priorities.",
        "Carry the math goal into next year; send families a summary over the summer.",
    ),
}

GOALS = [
    (GoalArea.MATH, "Raise grade 3-5 math proficiency from 31% to 40% by May"),
    (GoalArea.BELONGING, "Half of our families attend at least one CPM meeting this year"),
]


def _cpm_day(habit, year, stage):
    window_key, days = habit.days[stage]
    return meeting_day(year.window(window_key).opens + timedelta(days=days), year.cpm_window(stage))


def _cpm_meeting(school, year, stage, day, habit, today, recorder):
    """The school's demo meeting of the stage: held with minutes when its day has passed,
    scheduled when it is booked; found again by its title. (meeting or None, created?)"""
    title = f"{stage.label} community meeting {year.name}"
    existing = Meeting.objects.filter(school=school, title=title).first()
    booked = day < today or (day - today).days <= habit.books_ahead
    if existing or not booked:
        return existing, False
    held = day < today
    combined = stage == KICK_OFF
    starts = clock.at(day, "17:30", school.district)
    meeting = Meeting.objects.create(
        district=school.district,
        school=school,
        school_year=year,
        meeting_type=MeetingType.CPM,
        cpm_stage=stage,
        counts_as_title_i_meeting=combined and habit.title_i,
        counts_as_spf_meeting=combined and habit.spf,
        title=title,
        starts_at=starts,
        ends_at=starts + timedelta(minutes=120 if combined else 90),
        place=f"{school.name} {habit.room}",
        languages_offered=school.family_languages,
        status=MeetingStatus.HELD if held else MeetingStatus.PLANNED,
        created_by=recorder,
    )
    AgendaItem.objects.add_to(
        meeting,
        cpm_scheduling.suggested_agenda(
            school,
            year,
            stage,
            title_i=meeting.counts_as_title_i_meeting,
            spf=meeting.counts_as_spf_meeting,
        ),
    )
    if held:
        families = habit.families[list(CpmStage).index(stage)]
        meeting.family_attendees, meeting.community_attendees = families, families // 6
        meeting.save(update_fields=["family_attendees", "community_attendees"])
        text, decisions = habit.minutes.get(stage, MINUTES[stage])
        written = clock.at(day, "20:30", school.district)
        Minutes.objects.create(
            meeting=meeting,
            text=text,
            decisions=decisions,
            recorded_by=recorder,
            published_at=written,
            published_by=recorder,
        )
    return meeting, True


def _kick_off_records(meeting, year, today):
    """The goals and actions agreed at Valdez's Kick Off (an action due two months ago or more
    is done)."""
    principal = User.objects.get(username="principal")
    teacher = User.objects.get(username="teacher")
    for area, text in GOALS:
        Goal.objects.create(
            school=meeting.school, school_year=year, set_at=meeting, area=area, text=text
        )
    day = meeting.local_date
    for description, owner, due, status in (
        ("Translate the SPF family summary into Spanish", principal, day + timedelta(7), "done"),
        ("Plan the first family math night", teacher, day + timedelta(30), "open"),
    ):
        if due < today - timedelta(days=60):
            status = ActionStatus.DONE
        item = ActionItem.objects.create(
            meeting=meeting, description=description, owner=owner, due_on=due, status=status
        )
        ActionItemUpdate.objects.create(action_item=item, by=principal, new_status="open")
        if status == ActionStatus.DONE:
            ActionItemUpdate.objects.create(
                action_item=item, by=owner, old_status="open", new_status="done"
            )


def _people(school):
    """(the school's principal or None, who records its minutes: the principal, else district
    staff)."""
    principal = User.objects.filter(
        memberships__school=school, memberships__role=Role.PRINCIPAL
    ).first()
    staff = User.objects.filter(
        memberships__district=school.district_id, memberships__role=Role.DISTRICT_STAFF
    ).first()
    return principal, principal or staff


def _follow_up(meetings, principal, today):
    """The principal's action from the last meeting held: tell families the next one's date,
    due tomorrow (so the home page always has something due)."""
    held = [(m.local_date, m) for m in meetings if m.status == MeetingStatus.HELD]
    if principal is None or not held:
        return 0
    _, last = max(held, key=lambda pair: pair[0])
    stages = list(CpmStage)
    following = stages[(stages.index(CpmStage(last.cpm_stage)) + 1) % len(stages)]
    description = f"Tell families the date of the {following.label} meeting, in every language"
    if ActionItem.objects.filter(meeting=last, description=description).exists():
        return 0
    item = ActionItem.objects.create(
        meeting=last, description=description, owner=principal, due_on=today + timedelta(days=1)
    )
    ActionItemUpdate.objects.create(action_item=item, by=principal, new_status="open")
    return 1


def build_demo_meetings():
    created = 0
    for habit in HABITS:
        school = School.objects.select_related("district").filter(name=habit.school).first()
        if school is None:
            continue
        principal, recorder = _people(school)
        today = clock.today(school.district)
        meetings = []
        for year in demo_years(school.district):
            if year is None:
                continue
            for stage in CpmStage:
                if year.ends_on < today and stage in habit.skipped_last_year:
                    continue
                day = _cpm_day(habit, year, stage)
                meeting, was_created = _cpm_meeting(
                    school, year, stage, day, habit, today, recorder
                )
                if meeting is None:
                    continue
                meetings.append(meeting)
                created += was_created
                if was_created and meeting.is_held and stage == KICK_OFF and habit.sets_goals:
                    _kick_off_records(meeting, year, today)
        created += _follow_up(meetings, principal, today)
    return created


def build_demo_cap():
    """Valdez: two classes, the year's assessment points, and 3B's first CAP meeting."""
    from meetings import cap
    from meetings.models import AssessmentPoint, CapMeeting, GroupNote, PupilNote, SchoolClass

    valdez = School.objects.select_related("district").filter(name="Valdez Elementary").first()
    if valdez is None:
        return 0
    today = clock.today(valdez.district)
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
    starts = clock.at(day, "15:30", valdez.district)
    meeting = Meeting.objects.create(
        district=valdez.district,
        school=valdez,
        school_year=year,
        meeting_type=MeetingType.CAP,
        title=f"CAP 3B – after {autumn.name}",
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
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
        analysis_updated_at=min(clock.at(day, "12:00", valdez.district), clock.now()),
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
    items = []
    for description, category in (
        ("Model inference questions with think-alouds in every guided reading", "teaching"),
        ("Add bar-model word problems to each maths unit", "curriculum"),
        ("TA-led phonics catch-up for three pupils", "ta_support"),
    ):
        item = ActionItem.objects.create(
            meeting=meeting, description=description, owner=teacher, category=category
        )
        ActionItemUpdate.objects.create(action_item=item, by=teacher, new_status="open")
        items.append(item)
    if meeting.is_held:  # a held meeting shows what was said, not "no minutes yet"
        Minutes.objects.create(
            meeting=meeting,
            text="Reviewed the autumn results with the analysis; discussed guided reading "
            "group 2 and two pupils.",
            decisions="Three actions agreed, two of them in teaching and the curriculum.",
            recorded_by=teacher,
        )
    return created + 1 + _demo_cap_spring(record, points["Spring summative"], items, today)


def _demo_cap_spring(autumn, spring, items, today):
    """3B's next CAP meeting, after the spring assessment point: it opens with the review of the
    autumn actions (seed 003). Once it has taken place, the review is recorded: one action done,
    one carried forward as its agreed next step, one not done."""
    from meetings import cap
    from meetings.models import CapMeeting, GroupNote, ReviewOutcome

    first, teacher = autumn.meeting, autumn.analysis_by
    day = spring.date + timedelta(days=5)
    starts = clock.at(day, "15:30", first.district)
    meeting = Meeting.objects.create(
        district=first.district,
        school=first.school,
        school_year=first.school_year,
        meeting_type=MeetingType.CAP,
        title=f"CAP 3B – after {spring.name}",
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        place="Room 12",
        status=MeetingStatus.HELD if day < today else MeetingStatus.PLANNED,
    )
    record = CapMeeting.objects.create(
        meeting=meeting, school_class=autumn.school_class, assessment_point=spring
    )
    AgendaItem.objects.add_to(meeting, cap.AGENDA)
    if day >= today:
        return 1
    record.strengths = "Inference has moved on: 64% at or above benchmark."
    record.areas_of_focus = "Measures: converting units in word problems."
    record.analysis_by = teacher
    record.analysis_updated_at = clock.at(day, "12:00", first.district)
    record.save()
    done, partly, not_done = items
    for item, outcome, impact, next_step, carry in (
        (done, ReviewOutcome.DONE, "Inference answers up from 41% to 58% of marks.", "", False),
        (
            partly,
            ReviewOutcome.PARTLY,
            "Done in fractions, not yet in measures.",
            "A bar-model starter in every measures lesson",
            True,
        ),
        (not_done, ReviewOutcome.NOT_DONE, "No TA time this term.", "", False),
    ):
        cap.review_action(
            meeting,
            user=teacher,
            action_item=item,
            outcome=outcome,
            impact=impact,
            next_step=next_step,
            carry_forward=carry,
        )
    GroupNote.objects.create(
        cap=record,
        group="Guided reading group 2",
        note="Inference secure; moving to longer texts.",
        created_by=teacher,
    )
    Minutes.objects.create(
        meeting=meeting,
        text="Opened with the review of the autumn actions, then the spring analysis.",
        decisions="The bar-model work carries forward into measures.",
        recorded_by=teacher,
    )
    return 1


def build_demo_workshops():
    """A workshop series in the demo district, open for ESSA-designated schools this week."""
    from datetime import time

    from meetings import workshops
    from meetings.models import WorkshopSeries

    district = District.objects.filter(slug="riverbend-usd").first()
    staff = User.objects.filter(username="district").first()
    if district is None or staff is None:
        return 0
    today = clock.today(district)
    year = SchoolYear.objects.of_district_on(district.pk, today)
    if year is None or WorkshopSeries.objects.filter(district=district).exists():
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
            starts=time(9),
            ends=time(12),
            place="Riverbend district office, board room",
            level=level,
        )
    valdez = School.objects.filter(name="Valdez Elementary").first()
    principal = User.objects.filter(username="principal").first()
    if valdez is not None and principal is not None:
        from demo.sami import TEAM as SAMI_TEAM

        workshops.register(
            series,
            school=valdez,
            session=series.sessions.get(level="elementary"),
            user=principal,
            people=7,
            dietary_notes="Two vegetarian, one gluten-free",
            # seed 002: the team that did the SAMI, by name (the district pays teachers'
            # off-contract time); its pre-work is picked from its SAMI (demo.sami).
            team=SAMI_TEAM,
            today=today,
        )
    # seed 002: Lincoln started the Collaborative Problem-Solving Process with district staff
    # (set by hand), so the dashboard's step column is not all "Not started".
    from meetings import problem_solving
    from meetings.models import Step

    lincoln = School.objects.filter(name="Lincoln Middle", district=district).first()
    if lincoln is not None:
        problem_solving.set_by_hand(
            lincoln,
            year,
            step=Step.ROOT_CAUSES,
            user=staff,
            version=0,
            note="Problem statements written with the school team",
        )
    return 4
