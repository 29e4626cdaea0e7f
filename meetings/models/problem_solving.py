"""The DMPS Collaborative Problem-Solving Process (seed 002): where each school stands in it for
a school year."""

from django.conf import settings
from django.db import models

from schoolplan.models import SchoolYear
from schoolplan.models.versioned import Versioned


class Step(models.IntegerChoices):
    """seed 002: step 1 defines the ESSA problem statements (the difference between the desired
    and the current state of student outcomes); step 2 verifies the causes of the problems
    within the context of the SAMI; step 3 develops the aligned action plan: first its areas of
    focus and initiatives (started at the workshop), then its action steps, leading and lagging
    metrics and monitoring structure (the late-June district-facilitated meetings)."""

    NOT_STARTED = 0, "Not started"
    PROBLEM_STATEMENTS = 1, "Step 1: define problem statements"
    ROOT_CAUSES = 2, "Step 2: verify root causes"
    ACTION_PLAN = 3, "Step 3: action plan (areas of focus and initiatives)"
    ACTION_PLAN_DETAIL = (
        4,
        "Step 3: action plan (action steps, leading and lagging metrics, monitoring structure)",
    )


# The dashboard's cell: the step in a few words.
SHORT_LABELS = {
    Step.NOT_STARTED: "Not started",
    Step.PROBLEM_STATEMENTS: "Step 1: problem statements",
    Step.ROOT_CAUSES: "Step 2: root causes",
    Step.ACTION_PLAN: "Step 3: action plan started",
    Step.ACTION_PLAN_DETAIL: "Step 3: steps, metrics, monitoring",
}


class StepSource(models.TextChoices):
    WORKSHOP = "workshop", "Attended the workshop"
    LATE_JUNE = "late_june", "Attended a late-June district meeting"
    BY_HAND = "by_hand", "Set by district staff"


class ProblemSolvingStep(Versioned):
    """A school's current step for a school year, and who or what put it there."""

    school = models.ForeignKey(
        "schoolplan.School", on_delete=models.CASCADE, related_name="problem_solving_steps"
    )
    school_year = models.ForeignKey(SchoolYear, on_delete=models.CASCADE, related_name="+")
    step = models.PositiveSmallIntegerField(choices=Step, default=Step.NOT_STARTED)
    source = models.CharField(max_length=10, choices=StepSource, blank=True)
    note = models.CharField(max_length=300, blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    set_at = models.DateTimeField(null=True, blank=True)

    permission_scope = {"district": "school__district_id", "school": "school_id"}

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["school", "school_year"], name="one_problem_solving_step_per_year"
            )
        ]

    def __str__(self):
        return f"{self.school}: {self.get_step_display()}"

    @property
    def number(self):
        """The step's number as the seed counts them (3 has two parts)."""
        return min(self.step, Step.ACTION_PLAN)
