from datetime import time

from django import forms

from meetings.forms import MeetingTimesForm
from schoolplan.forms import DateInput, ModelMultipleChoiceField
from schoolplan.models import CimTeam, Role, User

from .models import Measurement, Metric


class MetricForm(forms.ModelForm):
    class Meta:
        model = Metric
        fields = ["name", "unit", "baseline", "baseline_date", "target", "target_date", "direction"]
        widgets = {"baseline_date": DateInput(), "target_date": DateInput()}


class ReviewScheduleForm(MeetingTimesForm):
    default_start, default_end = time(15, 0), time(16, 30)

    # Shown (a checkbox with the reason) only when the date typed is in a month already over.
    confirm_late = forms.BooleanField(
        required=False,
        widget=forms.HiddenInput,
        label="Yes, this review was held on that day: record it late",
    )
    late_warning = ""

    def ask_for_confirmation(self, message):
        """meetings.cim_reviews refused a date in an earlier month until the lead confirms it."""
        self.late_warning = message
        field = self.fields["confirm_late"]
        field.widget = forms.CheckboxInput()
        field.help_text = "Its minutes and who attended are recorded next, on the review's page."
        self.add_error(
            "confirm_late", "Tick the box to record this review late, or change the date."
        )


class CimTeamForm(forms.ModelForm):
    """The year's CIM team, chosen among the people holding CIM roles in the district."""

    class Meta:
        model = CimTeam
        fields = ["lead", "members", "ta_provider"]
        widgets = {"members": forms.CheckboxSelectMultiple}
        field_classes = {"members": ModelMultipleChoiceField}

    def __init__(self, *args, district, **kwargs):
        super().__init__(*args, **kwargs)

        def holders(*roles):
            return User.objects.filter(
                memberships__district=district, memberships__role__in=roles, is_active=True
            ).distinct()

        self.fields["lead"].queryset = holders(Role.CIM_LEAD)
        self.fields["members"].queryset = holders(Role.CIM_LEAD, Role.CIM_MEMBER)
        if district.is_intensive:
            self.fields["ta_provider"].queryset = holders(Role.TA_PROVIDER)
        else:
            del self.fields["ta_provider"]
        for name in self.fields:
            self.fields[name].label_from_instance = lambda user: user.display_name


class MeasurementForm(forms.ModelForm):
    class Meta:
        model = Measurement
        fields = ["date", "value", "note"]
        widgets = {"date": DateInput()}
