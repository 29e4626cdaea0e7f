from datetime import time

from django import forms

from schoolplan import clock
from schoolplan.forms import DateInput
from schoolplan.rows import clock_time

from .forms import TimeInput
from .models import WorkshopLevel, WorkshopSeries
from .workshops import RECOMMENDED_TEAM


class SeriesForm(forms.ModelForm):
    class Meta:
        model = WorkshopSeries
        fields = [
            "title",
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
