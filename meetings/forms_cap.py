from datetime import time

from django import forms

from schoolplan.forms import DateInput, ModelMultipleChoiceField
from schoolplan.models import Membership, Role, User

from .forms import MeetingTimesForm
from .models import ASSESSMENT_FILE_TYPES, AssessmentPoint, CapMeeting, ReviewOutcome


def school_staff(school):
    return (
        User.objects.filter(
            is_active=True,
            memberships__in=Membership.objects.filter(
                school=school, role__in=(Role.PRINCIPAL, Role.SCHOOL_STAFF)
            ),
        )
        .distinct()
        .order_by("last_name", "first_name")
    )


class ClassForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="e.g. 3B or Algebra 1, period 2")
    grade = forms.CharField(label="Year group / grade", max_length=40)
    teacher = forms.ModelChoiceField(queryset=User.objects.none())
    co_leaders = ModelMultipleChoiceField(
        label="Co-leaders",
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leaders who join this class's CAP meetings and may read its group and pupil "
        "notes.",
    )

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("teacher", "co_leaders"):
            self.fields[name].queryset = school_staff(school)
            self.fields[name].label_from_instance = lambda user: user.display_name


class AssessmentPointForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="e.g. Autumn summative")
    date = forms.DateField(widget=DateInput())


class CapMeetingForm(MeetingTimesForm):
    default_start, default_end = time(15, 30), time(16, 30)
    field_order = ["assessment_point"]

    assessment_point = forms.ModelChoiceField(
        queryset=AssessmentPoint.objects.none(), label="After which assessment point"
    )
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, school_class, **kwargs):
        super().__init__(*args, host=school_class.school, **kwargs)
        self.fields["assessment_point"].queryset = AssessmentPoint.objects.filter(
            school=school_class.school, school_year=school_class.school_year
        )
        self.warnings = []

    def ask_for_confirmation(self, warnings):
        self.warnings = warnings
        self.fields["confirmed"].widget = forms.CheckboxInput()


class AnalysisForm(forms.ModelForm):
    clear_file = forms.BooleanField(required=False, label="Remove the attached file")

    class Meta:
        model = CapMeeting
        fields = ["strengths", "areas_of_focus", "assessment_file"]
        widgets = {
            "strengths": forms.Textarea(attrs={"rows": 5}),
            "areas_of_focus": forms.Textarea(attrs={"rows": 5}),
            "assessment_file": forms.FileInput(
                attrs={"accept": ",".join(f".{t}" for t in ASSESSMENT_FILE_TYPES)}
            ),
        }
        help_texts = {
            "strengths": "What the class does well, from the assessment results.",
            "areas_of_focus": "What the class needs next: the focus for the next period.",
            "assessment_file": "Optional: the assessment export (CSV, spreadsheet or PDF, "
            "5 MB at most). "
            "Only the class's team and the school's leaders can open it.",
        }


class NoteForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[("group", "A group"), ("pupil", "A pupil")],
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        initial="group",
    )
    subject = forms.CharField(
        label="Group name, or pupil identifier / initials",
        max_length=100,
        help_text="Pupils are recorded by the school's identifier or initials only.",
    )
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))


class ReviewForm(forms.Form):
    outcome = forms.ChoiceField(
        choices=ReviewOutcome.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    impact = forms.CharField(
        label="Impact observed",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control form-control-sm"}),
    )
    next_step = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control form-control-sm"}),
    )
    carry_forward = forms.BooleanField(
        required=False,
        label="Carry it forward: the step agreed becomes a new action of this meeting",
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
