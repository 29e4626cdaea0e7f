"""The DMPS Collaborative Problem-Solving Process, per school and school year (seed 002).

One service moves a school's step: attendance recorded at a workshop or a late-June
district-facilitated meeting (never backwards, so recording twice changes nothing), or district
staff setting it by hand (a save names the version it started from).
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from schoolplan import clock

from .models import ProblemSolvingStep, SeriesKind, Step, StepSource


def steps_for(school_ids, year):
    """{school id: ProblemSolvingStep} for the year, in one query (missing: not started)."""
    return {
        row.school_id: row
        for row in ProblemSolvingStep.objects.filter(school__in=school_ids, school_year=year)
    }


def step_of(school, year):
    """The school's step for the year; an unsaved "not started" one if nothing moved it."""
    row = ProblemSolvingStep.objects.filter(school=school, school_year=year).first()
    return row or ProblemSolvingStep(school=school, school_year=year, version=0)


def _locked(school, year):
    row, _created = ProblemSolvingStep.objects.get_or_create(school=school, school_year=year)
    return ProblemSolvingStep.objects.select_for_update().get(pk=row.pk)


def step_after(kind, current):
    """Where attending a series of this kind takes a school standing at current (seed 002):
    the workshop completes steps 1–2 and starts step 3; the late-June meetings continue step 3
    for a school that started it and start the process (step 1) for one that did not."""
    if kind == SeriesKind.WORKSHOP:
        return Step.ACTION_PLAN
    return Step.ACTION_PLAN_DETAIL if current >= Step.ACTION_PLAN else Step.PROBLEM_STATEMENTS


@transaction.atomic
def record_attended(registration, *, user):
    """Move the attending school's step for the series' year; idempotent and never backwards
    (a school set further by hand stays where it is)."""
    series = registration.series
    row = _locked(registration.school, series.school_year)
    target = step_after(series.kind, row.step)
    if row.step >= target:
        return row
    source = StepSource.WORKSHOP if series.kind == SeriesKind.WORKSHOP else StepSource.LATE_JUNE
    _move(row, target, source=source, user=user, note=series.title)
    return row


class StaleStep(ValidationError):
    def __init__(self, current):
        self.current = current
        by = f" by {current.set_by}" if current.set_by else ""
        super().__init__(
            f"The step was changed{by} since you opened the page: it is now "
            f"“{current.get_step_display()}”. Choose again if it should change.",
            code="stale",
        )


@transaction.atomic
def set_by_hand(school, year, *, step, user, version, note=""):
    """District staff set a school's step (with who and when), from the version they saw."""
    row = _locked(school, year)
    seen = row.version if row.source else 0  # an untouched row is the "not started" they saw
    if version != seen:
        raise StaleStep(row)
    if step not in Step.values:
        raise ValidationError({"step": "Choose a step."})
    _move(row, step, source=StepSource.BY_HAND, user=user, note=note.strip())
    return row


def _move(row, step, *, source, user, note):
    if row.source:  # a row never moved is the "not started" (version 0) every page showed
        row.version += 1
    row.step = step
    row.source = source
    row.set_by = user
    row.set_at = clock.now()
    row.note = note[:300]
    row.save()
