from meetings import cap

from .clock import on
from .meeting_helpers import at

# The autumn assessment point of the school year the tests build, and its CAP meeting's day.
AUTUMN_POINT, CAP_DAY = on(11, 2), on(11, 10)


def make_class(school, year, teacher, name="3B", co_leaders=()):
    return cap.create_class(
        school=school, year=year, name=name, grade="Grade 3", teacher=teacher, co_leaders=co_leaders
    )


def make_point(school, year, name="Autumn summative", day=AUTUMN_POINT):
    return cap.create_assessment_point(school=school, year=year, name=name, date=day)


def schedule_cap(school_class, point, user, day=CAP_DAY, confirmed=False):
    return cap.schedule_cap_meeting(
        user=user,
        school_class=school_class,
        assessment_point=point,
        starts_at=at(day, 15, 30),
        ends_at=at(day, 16, 30),
        place="Room 12",
        confirmed=confirmed,
    )


def analyse(meeting, user, strengths="Strong readers", focus="Fractions"):
    return cap.save_analysis(meeting.cap, user=user, strengths=strengths, areas_of_focus=focus)
