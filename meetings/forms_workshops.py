from datetime import time

from django import forms

from schoolplan import clock
from schoolplan.forms import DateInput
from schoolplan.rows import clock_time

from .forms import TimeInput
from .models import Step, WorkshopLevel, WorkshopSeries
from .workshop_teams import SchoolAttendance, parse_team
from .workshops import RECOMMENDED_TEAM

TEAM_HELP = (
    "One person a line: the name, a comma, the role (e.g. “Ana Ruiz, math teacher”). The "
    "district pays teachers' off-contract time, so it needs their names. You can name or "
    "change the team until the session starts."
)


class TeamField(forms.CharField):
    """The team, one "name, role" a line, cleaned to [(name, role)]."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 6}))
        super().__init__(required=False, help_text=TEAM_HELP, **kwargs)

    def clean(self, value):
        return parse_team(super().clean(value))


class SeriesForm(forms.ModelForm):
    class Meta:
        model = WorkshopSeries
        fields = [
            "title",
            "kind",
            "description",
            "registration_opens",
            "priority_closes",
            "registration_closes",
            "elementary_capacity",
            "secondary_capacity",
        ]
        widgets = {
            "registration_opens": DateInput(),
            "priority_closes": DateInput(),
            "registration_closes": DateInput(),
            "description": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "elementary_capacity": "Schools across all elementary sessions, e.g. 24. Leave "
            "empty to set a capacity on each session instead.",
            "secondary_capacity": "Schools across all secondary (middle and high) sessions, "
            "e.g. 11.",
        }


class SessionForm(forms.Form):
    day = forms.DateField(label="Date", widget=DateInput())
    starts = forms.TimeField(label="Starts", initial=time(9, 0), widget=TimeInput())
    ends = forms.TimeField(label="Ends", initial=time(12, 0), widget=TimeInput())
    place = forms.CharField(max_length=300)
    level = forms.ChoiceField(label="School level", choices=WorkshopLevel.choices)
    capacity = forms.IntegerField(
        label="Schools in this session",
        min_value=1,
        required=False,
        help_text="Only if the series sets no capacity for this level.",
    )


class RegistrationForm(forms.Form):
    session = forms.ModelChoiceField(queryset=None, empty_label=None)
    people = forms.IntegerField(
        label="People attending",
        min_value=1,
        max_value=60,
        help_text=f"For the food. Bring a team of {RECOMMENDED_TEAM} or more: the team that did "
        "the SAMI.",
    )
    dietary_notes = forms.CharField(
        label="Dietary needs", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    team = TeamField(label="The team coming (optional)")

    def __init__(self, *args, sessions, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = sessions
        self.fields["session"].label_from_instance = lambda s: (
            f"{s.meeting.local_date:%A %-d %B %Y}, "
            f"{clock_time(clock.local(s.meeting.starts_at, s.meeting.district))}–"
            f"{clock_time(clock.local(s.meeting.ends_at, s.meeting.district))} · {s.meeting.place}"
        )
        if editing:
            self.fields["session"].disabled = True
            del self.fields["team"]  # named on its own form, until the session (TeamForm)


class TeamForm(forms.Form):
    team = TeamField(label="The team coming")
    team_version = forms.IntegerField(widget=forms.HiddenInput)


class AttendanceForm(forms.Form):
    """Who came to a session, per registered school: its named people, a tick for a school
    that named nobody, and people added on the day; each school's part carries its version."""

    def __init__(self, *args, registrations, **kwargs):
        super().__init__(*args, **kwargs)
        self.registrations = list(registrations)
        for r in self.registrations:
            for person in r.team.all():
                self.fields[f"present-{person.pk}"] = forms.BooleanField(
                    label=str(person), required=False, initial=person.attended
                )
            self.fields[f"came-{r.pk}"] = forms.BooleanField(
                label=f"{r.school.name} came", required=False, initial=r.attended
            )
            self.fields[f"added-{r.pk}"] = TeamField(label=f"Added on the day ({r.school.name})")
            self.fields[f"added-{r.pk}"].help_text = "One person a line: name, role."
            self.fields[f"added-{r.pk}"].widget.attrs["rows"] = 2
            self.fields[f"version-{r.pk}"] = forms.IntegerField(
                widget=forms.HiddenInput, initial=r.team_version
            )

    def schools(self):
        """Per registration, its bound fields in the page's order."""
        for r in self.registrations:
            yield {
                "registration": r,
                "present": [self[f"present-{p.pk}"] for p in r.team.all()],
                "came": self[f"came-{r.pk}"],
                "added": self[f"added-{r.pk}"],
                "version": self[f"version-{r.pk}"],
            }

    def records(self):
        data = self.cleaned_data
        return [
            SchoolAttendance(
                registration=r,
                version=data[f"version-{r.pk}"],
                present={p.pk for p in r.team.all() if data[f"present-{p.pk}"]},
                school_came=data[f"came-{r.pk}"],
                added=data[f"added-{r.pk}"],
            )
            for r in self.registrations
        ]


class ProblemSolvingStepForm(forms.Form):
    """District staff set a school's problem-solving step by hand (seed 002)."""

    step = forms.TypedChoiceField(label="Step", choices=Step.choices, coerce=int)
    note = forms.CharField(label="Why (optional)", max_length=300, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)
