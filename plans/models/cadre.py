"""The family-engagement cadre and its plan (seed 004, the CommPACT process).

One Cadre per school and year holds the family engagement plan: its members, the CommPACT steps
with the consensus reached at each, the vision, the survey data, the action plan and the
resources. Cadre members with an account (Role.CADRE_MEMBER) see this and nothing else.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse

from schoolplan.models import CadreGroup, School, SchoolYear, Versioned

from .school import PublishStatus, StepStatus

CADRE_SCOPE = {"district": "cadre__school__district_id", "school": "cadre__school_id"}


class CommpactStep(models.TextChoices):
    """seed 004, steps 1–5 and the cadre's work in step 4, in order."""

    ALLIANCE = "alliance", "Form an alliance with the school's administration"
    STAFF_OVERVIEW = "staff_overview", "Overview to teachers and staff (consensus of support)"
    GOVERNANCE_OVERVIEW = "governance_overview", "Overview to the School Governance Council"
    FORM_CADRE = "form_cadre", "Form the Parent (Family) and Community Cadre"
    VISION = "vision", "Create a vision for family and community engagement"
    ANALYSE_DATA = "analyse_data", "Analyse school data (parent and culture surveys)"
    RESEARCH = "research", "Review research models and frameworks"
    ACTION_PLAN = "action_plan", "Come to consensus on an action plan"
    SHARE_PLAN = "share_plan", "Share the plan with all stakeholders"
    RESOURCES = "resources", "Identify resources (building, district, partners)"


STEP_ORDER = list(CommpactStep.values)


class Cadre(Versioned):
    """The Parent (Family) and Community Cadre of a school, and its family engagement plan."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="cadres")
    school_year = models.ForeignKey(SchoolYear, on_delete=models.CASCADE, related_name="+")
    vision = models.TextField(
        "Vision for family and community engagement",
        blank=True,
    )
    # seed 004 step 4.5: the plan is shared with all stakeholders.
    plan_status = models.CharField(
        "Action plan", max_length=10, choices=PublishStatus, default=PublishStatus.DRAFT
    )
    shared_at = models.DateTimeField(null=True, blank=True)
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    permission_scope = {"district": "school__district_id", "school": "school_id"}

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["school", "school_year"], name="one_cadre_per_year")
        ]

    def __str__(self):
        return f"Family and Community Cadre – {self.school} {self.school_year.name}"

    def get_absolute_url(self):
        return reverse("cadre", args=[self.pk])

    @property
    def document(self):
        return self

    @property
    def is_shared(self):
        return self.plan_status == PublishStatus.PUBLISHED


class CadreItem(Versioned):
    permission_scope = CADRE_SCOPE

    class Meta:
        abstract = True

    @property
    def document(self):
        return self.cadre


class CadreMember(CadreItem):
    """A member of the cadre. Parents, community members and students need no account; one
    who has an account is linked to it (a cadre-member membership limits it to cadre content)."""

    cadre = models.ForeignKey(Cadre, on_delete=models.CASCADE, related_name="members")
    name = models.CharField(max_length=200)
    group = models.CharField("Represents", max_length=20, choices=CadreGroup)
    email = models.EmailField(blank=True)
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["group", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["cadre", "account"],
                condition=models.Q(account__isnull=False),
                name="one_cadre_member_per_account",
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.get_group_display()})"


class StepRecord(models.Model):
    """One CommPACT step of the checklist: when it was done, and notes."""

    cadre = models.ForeignKey(Cadre, on_delete=models.CASCADE, related_name="steps")
    step = models.CharField(max_length=20, choices=CommpactStep)
    done_on = models.DateField("Done on", null=True, blank=True)
    notes = models.TextField(blank=True)

    permission_scope = CADRE_SCOPE

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cadre", "step"], name="one_record_per_commpact_step")
        ]

    def __str__(self):
        return self.get_step_display()

    @property
    def number(self):
        return STEP_ORDER.index(self.step) + 1


class Consensus(models.Model):
    """A consensus reached at a step: who agreed, and when (seed 004: the cadre decides)."""

    step = models.ForeignKey(StepRecord, on_delete=models.CASCADE, related_name="consensus")
    agreed_on = models.DateField("Agreed on")
    decision = models.CharField("What was agreed", max_length=500)
    agreed_by = models.ManyToManyField(CadreMember, related_name="+", verbose_name="Who agreed")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["agreed_on", "pk"]
        verbose_name_plural = "consensus records"

    def __str__(self):
        return self.decision


class SurveyKind(models.TextChoices):
    PARENT = "parent", "Parent survey"
    CULTURE = "culture", "School culture survey"


class QuestionKind(models.TextChoices):
    """How a survey question is answered; declared by a suffix of its heading (plans.surveys)."""

    SCALE = "scale", "Agreement scale"
    CHOICE = "choice", "Single choice"
    MULTI = "multi", "Select all that apply"
    TEXT = "text", "Short free text"


class Survey(models.Model):
    """An imported survey: its questions, in the order of the file's columns."""

    cadre = models.ForeignKey(Cadre, on_delete=models.CASCADE, related_name="surveys")
    kind = models.CharField(max_length=10, choices=SurveyKind)
    title = models.CharField(max_length=200)
    questions = models.JSONField(default=list)
    # The QuestionKind of each question, in the same order; a survey imported before there were
    # kinds has none, and all its questions are on the agreement scale.
    question_kinds = models.JSONField(default=list)
    file_name = models.CharField(max_length=200, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    imported_at = models.DateTimeField(auto_now_add=True)

    permission_scope = CADRE_SCOPE

    class Meta:
        ordering = ["-imported_at", "-pk"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("cadre_survey", args=[self.cadre_id, self.pk])

    @property
    def kinds_of_questions(self):
        """[(question, QuestionKind)] in the file's order."""
        kinds = self.question_kinds or []
        return [
            (question, kinds[n] if n < len(kinds) else QuestionKind.SCALE)
            for n, question in enumerate(self.questions)
        ]


class SurveyResponse(models.Model):
    """One respondent's row: answers by question (a scale value 1–5, a choice, a list of
    choices or a text, by the question's kind); a question left blank is absent."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    row_number = models.PositiveIntegerField()
    respondent_group = models.CharField(max_length=20)
    answers = models.JSONField(default=dict)

    class Meta:
        ordering = ["row_number"]

    def __str__(self):
        return f"Row {self.row_number}"


class CadreAction(CadreItem):
    """A step of the cadre's consensus action plan."""

    cadre = models.ForeignKey(Cadre, on_delete=models.CASCADE, related_name="actions")
    description = models.CharField("Action", max_length=500)
    owner = models.CharField(max_length=200)
    due_on = models.DateField("Due", null=True, blank=True)
    status = models.CharField(max_length=12, choices=StepStatus, default=StepStatus.NOT_STARTED)

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self):
        return self.description


class ResearchModel(CadreItem):
    """A research model or framework the cadre reviewed, and whether it adopted it (seed 004,
    step 4.3: review research models, frameworks for addressing the identified needs)."""

    cadre = models.ForeignKey(Cadre, on_delete=models.CASCADE, related_name="research_models")
    name = models.CharField("Model or framework", max_length=200)
    source = models.CharField(
        max_length=300, blank=True, help_text="Who published it, or where to find it"
    )
    notes = models.TextField(blank=True, help_text="What the cadre made of it")
    adopted = models.BooleanField("The cadre adopted it", default=False)

    class Meta:
        ordering = ["-adopted", "name", "pk"]

    def __str__(self):
        return self.name


class Contributor(models.TextChoices):
    """seed 004 step 5: resources are supported by building, district and partners."""

    BUILDING = "building", "Building (the school)"
    DISTRICT = "district", "District"
    PARTNER = "partner", "Partner organisation"


class Resource(CadreItem):
    cadre = models.ForeignKey(Cadre, on_delete=models.CASCADE, related_name="resources")
    description = models.CharField("Resource", max_length=300)
    contributor = models.CharField("Contributed by", max_length=10, choices=Contributor)
    contributor_name = models.CharField(
        "Contributor's name", max_length=200, blank=True, help_text="e.g. the partner's name"
    )
    value = models.DecimalField(
        "Value (USD)", max_digits=10, decimal_places=2, null=True, blank=True
    )

    class Meta:
        ordering = ["contributor", "pk"]

    def __str__(self):
        return self.description
